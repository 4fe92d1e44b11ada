#!/usr/bin/env python3
"""Server side of one SCRAM exchange, with scramp (an implementation
independent of secstream's client), for the scripted SASL broker.

  scram_server.py MECHANISM USERNAME PASSWORD [--forge-signature]

MECHANISM is SCRAM-SHA-256 or SCRAM-SHA-512. The server knows one user and
derives its stored credentials from PASSWORD (random salt, 4096 iterations).
Each stdin line is a client message in base64; each answer is one JSON line:
{"reply": base64 server message, "error": null or the reason}. The first
message is client-first (answered with server-first), the second is
client-final (answered with server-final, "v=<signature>"; a wrong proof or
an unknown user is an error). --forge-signature answers a valid proof with a
server signature that is not the right one (a fake server).
"""
import base64
import json
import sys

from scramp import ScramMechanism


def main():
    mechanism, username, password = sys.argv[1], sys.argv[2], sys.argv[3]
    forge = "--forge-signature" in sys.argv[4:]
    m = ScramMechanism(mechanism)
    info = m.make_auth_info(password, iteration_count=4096)

    def auth_fn(name):
        if name != username:
            raise KeyError(f"unknown user {name!r}")
        return info

    server = m.make_server(auth_fn)
    step = 0
    for line in sys.stdin:
        message = base64.b64decode(line.strip()).decode()
        reply, error = "", None
        try:
            if step == 0:
                server.set_client_first(message)
                reply = server.get_server_first()
            else:
                server.set_client_final(message)
                reply = server.get_server_final()
                if forge:
                    signature = base64.b64decode(reply[2:])
                    reply = "v=" + base64.b64encode(bytes(b ^ 0x5A for b in signature)).decode()
        except Exception as e:  # scramp.ScramException, or the unknown user
            error = f"{type(e).__name__}: {e}"
        step += 1
        print(json.dumps({"reply": base64.b64encode(reply.encode()).decode(), "error": error}), flush=True)
        if error is not None or step == 2:
            break


if __name__ == "__main__":
    main()
