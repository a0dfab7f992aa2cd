#!/usr/bin/env python3
"""Test endpoints for tests/web/ (wasm-bindgen-test in a headless browser).

Binds 127.0.0.1 only, on the port given (0 = any free port), prints the port on stdout once
listening, and serves until killed. Every POST is recorded under its path, so a test can read back
the exact body and Content-Type the browser module sent:

  POST /sign/<mode>/<tag>   a fake merchant signing endpoint; <mode> picks the answer
  POST /verify/<tag>        a fake verify endpoint: answers a JSON verdict
  GET  /recorded/<path>     {"bodies": [...], "contentTypes": [...]} received on /<path>

The signature is a fixed fake: these tests check the browser's handling, not the HMAC (the signer
has its own vectors). Standard library only.
"""
import json
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SANDBOX = "https://authorize.payments-sandbox.amazon.com/cobranded-ui/actions/start"
FAKE_SIGNATURE = "fAkE+sig/nature=="
RECORDED = {}
LOCK = threading.Lock()


def encode(text):
    """SigV2 percent-encoding: unreserved kept, everything else %XX uppercase."""
    return urllib.parse.quote(text, safe="-_.~")


def signed_url(base, params, extra=()):
    pairs = sorted(params.items()) + list(extra)
    query = "&".join(f"{encode(k)}={encode(v)}" for k, v in pairs)
    return f"{base}?{query}&signature={encode(FAKE_SIGNATURE)}"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def cors(self):
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "POST, GET, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Content-Type")

    def reply(self, status, body, content_type="application/json"):
        data = body.encode("utf-8")
        self.send_response(status)
        self.cors()
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_OPTIONS(self):
        self.send_response(204)
        self.cors()
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        if self.path.startswith("/recorded/"):
            key = self.path[len("/recorded"):]
            with LOCK:
                entries = list(RECORDED.get(key, []))
            self.reply(200, json.dumps({
                "bodies": [b for b, _ in entries],
                "contentTypes": [c for _, c in entries],
            }))
        else:
            self.reply(404, "{}")

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace")
        with LOCK:
            RECORDED.setdefault(self.path, []).append((body, self.headers.get("Content-Type", "")))
            attempt = len(RECORDED[self.path])
        parts = self.path.strip("/").split("/")
        if parts[0] == "verify":
            self.reply(200, json.dumps({
                "orderId": "order-1", "status": "paid", "transactionStatus": "Success",
                "message": "Payment received, thank you.",
            }))
            return
        if parts[0] != "sign" or len(parts) < 2:
            self.reply(404, "{}")
            return
        mode = parts[1]
        if mode == "status500":
            self.reply(500, "signer exploded")
            return
        if mode == "status400":
            self.reply(400, json.dumps({"error": "unknown order"}))
            return
        if mode == "flaky" and attempt == 1:
            self.reply(503, "try later")
            return
        if mode == "fail2" and attempt <= 2:
            self.reply(500, "down")
            return
        if mode == "slow":
            time.sleep(3)
        if mode == "malformed":
            self.reply(200, '{"url": "https://authorize.payments-sandbox.amazon.com/", ')
            return
        try:
            params = json.loads(body)["params"]
        except (ValueError, KeyError, TypeError):
            self.reply(400, json.dumps({"error": "bad body"}))
            return
        base, extra = SANDBOX, ()
        if mode == "tampered":
            params = dict(params, transactionAmount="0.01")
        elif mode == "wrong-origin":
            base = "https://authorize.payments-sandbox.amazon.com.evil.example/cobranded-ui/actions/start"
        elif mode == "wrong-path":
            base = "https://authorize.payments-sandbox.amazon.com/cobranded-ui/actions/other"
        elif mode == "extra":
            extra = (("recipientToken", "EVIL"),)
        elif mode == "missing":
            params = {k: v for k, v in params.items() if k != "paymentReason"}
        url = signed_url(base, params, extra)
        signature = "other" if mode == "bad-signature" else FAKE_SIGNATURE
        self.reply(200, json.dumps({
            "url": url, "signature": signature,
            "signatureMethod": params.get("signatureMethod", "HmacSHA256"),
        }))


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
