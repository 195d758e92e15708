"""A scriptable SMTP server on aiosmtpd (Debian's python3-aiosmtpd) for the relay client's tests.

Recipients decide their own fate by their local part: reject* gets 550, defer* gets 450, later* gets 451
the first time and 250 after. Every EHLO, RSET and message is logged to --log, one line each, as
space-separated key=value pairs (message data in base64), so the test can check what arrived and on which
connection (peer = the client's port). Runs until killed.
"""
import argparse
import base64
import ssl
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

parser = argparse.ArgumentParser()
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--log", required=True)
parser.add_argument("--cert", help="PEM certificate: offer STARTTLS")
parser.add_argument("--key", help="PEM key of --cert")
parser.add_argument("--auth", help="user:password: offer AUTH PLAIN LOGIN after STARTTLS")
parser.add_argument("--size", type=int, default=0, help="announce SIZE with this limit")
parser.add_argument("--data-reply", help="the reply to the end of data, instead of 250")
args = parser.parse_args()

lock = threading.Lock()


def log(event, session, **fields):
    items = [event, "peer=%d" % session.peer[1], "tls=%d" % (1 if session.ssl else 0)]
    items += ["%s=%s" % (k, v) for k, v in fields.items()]
    with lock, open(args.log, "a") as f:
        f.write(" ".join(items) + "\n")


class Handler:
    def __init__(self):
        self.seen = {}

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        log("ehlo", session, name=hostname)
        return responses

    async def handle_RSET(self, server, session, envelope):
        log("rset", session)
        return "250 2.0.0 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0].lower()
        if local.startswith("reject"):
            return "550 5.1.1 <%s>: no such user" % address
        if local.startswith("defer"):
            return "450 4.2.1 <%s>: mailbox busy" % address
        if local.startswith("later"):
            count = self.seen.get(address, 0)
            self.seen[address] = count + 1
            if count == 0:
                return "451 4.7.1 <%s>: greylisted, come back later" % address
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        log("message", session,
            auth=(session.auth_data if session.authenticated else "-"),
            sender=envelope.mail_from or "<>",
            to=",".join(envelope.rcpt_tos),
            mail_options=",".join(envelope.mail_options) or "-",
            data=base64.b64encode(envelope.original_content).decode())
        return args.data_reply or "250 2.0.0 OK queued"


def authenticator(server, session, envelope, mechanism, auth_data):
    user, password = args.auth.split(":", 1)
    ok = auth_data.login.decode() == user and auth_data.password.decode() == password
    return AuthResult(success=ok, handled=False, auth_data=user if ok else None)


kwargs = dict(hostname=args.host, port=args.port, enable_SMTPUTF8=True, decode_data=False,
              data_size_limit=args.size or None, server_hostname="peer.test")
if args.cert:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args.cert, args.key)
    kwargs["tls_context"] = context
if args.auth:
    kwargs["authenticator"] = authenticator
    kwargs["auth_require_tls"] = True

controller = Controller(Handler(), **kwargs)
controller.start()
threading.Event().wait()
