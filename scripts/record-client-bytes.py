#!/usr/bin/env python3
"""Records what SMTP clients and proxies send, for the fuzz tests' seed corpora.

Listens on 127.0.0.1:LISTEN, relays each connection to 127.0.0.1:UPSTREAM (a Postern, aiosmtpd or any
SMTP server on loopback) and writes the bytes the client sent on each connection to OUTDIR/NAME-N.
Stops after COUNT connections. Loopback only; used by hand when refreshing the corpora (see README,
"Robustness").

    scripts/record-client-bytes.py LISTEN UPSTREAM OUTDIR NAME [COUNT]
"""
import os
import socket
import sys
import threading


def pump(src, dst, sink):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            if sink is not None:
                sink.extend(data)
            dst.sendall(data)
    except OSError:
        pass
    finally:
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def main():
    listen, upstream, outdir, name = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
    count = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    os.makedirs(outdir, exist_ok=True)
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", listen))
    server.listen(16)
    server.settimeout(60)
    for n in range(1, count + 1):
        client, _ = server.accept()
        up = socket.create_connection(("127.0.0.1", upstream), timeout=60)
        sent = bytearray()
        t1 = threading.Thread(target=pump, args=(client, up, sent))
        t2 = threading.Thread(target=pump, args=(up, client, None))
        t1.start(); t2.start(); t1.join(); t2.join()
        client.close(); up.close()
        path = os.path.join(outdir, "%s-%d" % (name, n) if count > 1 else name)
        with open(path, "wb") as f:
            f.write(sent)
        print("recorded %d bytes in %s" % (len(sent), path))
    server.close()


if __name__ == "__main__":
    main()
