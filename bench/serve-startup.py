#!/usr/bin/env python3
"""Time from launching the standalone server to its first SMTP greeting (issue 13).

Runs each command N times, alternating, on 127.0.0.1: launches it in its own process group, connects
every 2 ms until the port accepts, reads the 220, and records launch-to-greeting; then stops exactly the
process group it started (SIGTERM, SIGKILL after 10 s). Prints the median and p90 per command.

    bench/serve-startup.py --runs 7 \\
        'plain=./postern serve --discard --listen 127.0.0.1:%PORT%' \\
        'cds=POSTERN_CDS=1 ./postern serve --discard --listen 127.0.0.1:%PORT%'

%PORT% is replaced by --port. A NAME=COMMAND pair is run with bash -c from the repository root.
"""
import argparse
import math
import os
import signal
import socket
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def greeting_after_launch(command, port, timeout):
    start = time.monotonic()
    proc = subprocess.Popen(["bash", "-c", command], cwd=ROOT, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while True:
            if time.monotonic() - start > timeout:
                raise RuntimeError("no greeting within %ss: %s" % (timeout, command))
            if proc.poll() is not None:
                raise RuntimeError("exited with %s: %s\n%s" % (proc.returncode, command, proc.stderr.read().decode()[-2000:]))
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                    line = s.makefile("rb").readline()
                    elapsed = time.monotonic() - start
                    if not line.startswith(b"220"):
                        raise RuntimeError("not a greeting: %r" % line)
                    s.sendall(b"QUIT\r\n")
                    return elapsed
            except (ConnectionRefusedError, ConnectionResetError):
                time.sleep(0.002)
    finally:
        stop(proc)


def stop(proc):
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)  # the group this run started, by its id
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    proc.stderr.close()


def p90(values):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--port", type=int, default=25270)
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("commands", nargs="+", metavar="NAME=COMMAND")
    args = parser.parse_args()
    named = [c.split("=", 1) for c in args.commands]
    results = {name: [] for name, _ in named}
    for i in range(args.runs):
        order = named if i % 2 == 0 else list(reversed(named))
        for name, command in order:
            results[name].append(greeting_after_launch(command.replace("%PORT%", str(args.port)), args.port, args.timeout))
    print("launch to first 220, %d runs each, alternating (load %s)" % (args.runs, os.getloadavg()[0]))
    for name, values in results.items():
        print("  %-10s median %7.0f ms   p90 %7.0f ms   (%s)" % (name, statistics.median(values) * 1000, p90(values) * 1000,
                                                              " ".join("%.0f" % (v * 1000) for v in values)))


if __name__ == "__main__":
    sys.exit(main())
