#!/usr/bin/env python3
"""A minimal token server for docker-registry's `auth.token` (the Docker
registry token flow that real registries use), for tests only.

GET /token?service=S&scope=repository:NAME:pull,push[&scope=...]
  with HTTP basic auth (user and password from the environment) returns
  {"token": JWT, "access_token": JWT, "expires_in": 300, "issued_at": ...},
  the JWT granting the requested repository actions (pull, push, delete, *).
  Missing or wrong credentials get 401. The JWT is signed RS256 with
  `openssl dgst` and carries the signing certificate in its `x5c` header, which
  the registry checks against its `rootcertbundle`.

Serves HTTPS on 127.0.0.1 only. Standard library + the openssl CLI.
"""

import argparse
import base64
import binascii
import datetime
import hmac
import json
import os
import ssl
import subprocess
import sys
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ALLOWED_ACTIONS = {"pull", "push", "delete", "*"}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def der_of(pem_path: str) -> bytes:
    pem = open(pem_path, encoding="ascii").read()
    body = pem.split("-----BEGIN CERTIFICATE-----", 1)[1].split("-----END CERTIFICATE-----", 1)[0]
    return base64.b64decode("".join(body.split()))


class Issuer:
    def __init__(self, args):
        self.key = args.signing_key
        self.x5c = base64.b64encode(der_of(args.signing_cert)).decode()
        self.issuer = args.issuer
        self.service = args.service
        self.user = os.environ["TOKEN_SERVER_USER"]
        self.password = os.environ["TOKEN_SERVER_PASSWORD"]

    def authenticated(self, header: str) -> bool:
        if not header or not header.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        return hmac.compare_digest(user, self.user) and hmac.compare_digest(password, self.password)

    def token(self, scopes):
        access = []
        for scope in scopes:
            parts = scope.split(":")
            if len(parts) < 3 or parts[0] != "repository":
                continue
            name = ":".join(parts[1:-1])
            actions = [a for a in parts[-1].split(",") if a in ALLOWED_ACTIONS]
            access.append({"type": "repository", "name": name, "actions": actions})
        now = int(time.time())
        header = {"alg": "RS256", "typ": "JWT", "x5c": [self.x5c]}
        claims = {
            "iss": self.issuer,
            "sub": self.user,
            "aud": self.service,
            "exp": now + 300,
            "nbf": now - 10,
            "iat": now,
            "jti": uuid.uuid4().hex,
            "access": access,
        }
        signing_input = (
            b64url(json.dumps(header, separators=(",", ":")).encode())
            + "."
            + b64url(json.dumps(claims, separators=(",", ":")).encode())
        )
        signature = subprocess.run(
            ["openssl", "dgst", "-sha256", "-sign", self.key],
            input=signing_input.encode(),
            capture_output=True,
            check=True,
        ).stdout
        return signing_input + "." + b64url(signature)


def handler_for(issuer: Issuer):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, fmt, *args):
            sys.stderr.write("token-server: " + (fmt % args) + "\n")

        def reply(self, status, body, extra=None):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            url = urlsplit(self.path)
            if url.path != "/token":
                self.reply(404, {"error": "not found"})
                return
            if not issuer.authenticated(self.headers.get("Authorization", "")):
                self.reply(
                    401,
                    {"errors": [{"code": "UNAUTHORIZED", "message": "authentication required"}]},
                    {"WWW-Authenticate": 'Basic realm="gitward-test-token"'},
                )
                return
            query = parse_qs(url.query)
            if query.get("service", [issuer.service])[0] != issuer.service:
                self.reply(400, {"error": "unknown service"})
                return
            token = issuer.token(query.get("scope", []))
            issued = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            self.reply(
                200,
                {"token": token, "access_token": token, "expires_in": 300, "issued_at": issued},
            )

    return Handler


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--tls-cert", required=True)
    p.add_argument("--tls-key", required=True)
    p.add_argument("--signing-cert", required=True)
    p.add_argument("--signing-key", required=True)
    p.add_argument("--issuer", required=True)
    p.add_argument("--service", required=True)
    args = p.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler_for(Issuer(args)))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.tls_cert, args.tls_key)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
