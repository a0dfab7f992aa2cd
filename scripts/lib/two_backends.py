#!/usr/bin/env python3
"""Two backends, one PostgreSQL: the same return and the same IPN delivered to both at once.

Usage: two_backends.py PATH/TO/fps-checkout POSTGRES_URL ROUNDS

Starts the FPS emulator and two `fps-checkout serve` processes sharing the (empty) PostgreSQL
database POSTGRES_URL, plus a small fan-out server standing for the load balancer: it is the IPN
URL both backends are configured with, and it hands every notification FPS posts to both
backends at the same moment. Each round opens an order on one backend, signs it on the other,
approves it on the CBUI pages (balance, final at once, or card, pending for a moment), then sends
the same return to both backends at once. Checks: each order ends paid on both backends' view,
with exactly one Pay at FPS (GetAccountActivity), no 5xx answer, and no order lost.
Standard library only; every step has a timeout; bounded by ROUNDS.
"""

import http.server
import json
import os
import random
import shutil
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from crash_driver import (  # noqa: E402
    Process, backend_env, call, checkout, free_port, order_state, pays_by_reference, retry, sandbox_process,
    send_return,
)


class FanOut(http.server.BaseHTTPRequestHandler):
    """POST /fps/ipn: forwards the body to every backend at once; 200 if any accepted it."""

    backends = []
    answers = []
    lock = threading.Lock()

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        barrier = threading.Barrier(len(self.backends))
        results = [None] * len(self.backends)

        def forward(i, port):
            barrier.wait(timeout=10)
            try:
                status, _, text = call(port, "POST", "/fps/ipn", body,
                                       {"content-type": self.headers.get("content-type", "")})
                results[i] = status if status == 200 else f"{status} {text[:200]}"
            except OSError as e:
                results[i] = str(e)

        threads = [threading.Thread(target=forward, args=(i, p)) for i, p in enumerate(self.backends)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        with self.lock:
            self.answers.append(results)
        status = 200 if 200 in results else 502
        self.send_response(status)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    binary, database_url, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rng = random.Random(5)
    tmp = tempfile.mkdtemp(prefix="fps-two-")
    fps_port, lb_port, ports = free_port(), free_port(), [free_port(), free_port()]
    lb = f"http://127.0.0.1:{lb_port}"
    return_url = f"{lb}/thanks.html"
    FanOut.backends = ports
    fan_out = http.server.ThreadingHTTPServer(("127.0.0.1", lb_port), FanOut)
    threading.Thread(target=fan_out.serve_forever, daemon=True).start()
    fps = sandbox_process(binary, tmp, fps_port, f"{lb}/fps/ipn")
    backends = [
        Process(f"serve {i + 1}", [binary, "serve"],
                backend_env(fps_port, port, return_url, database_url, 5, ipn_url=f"{lb}/fps/ipn"), port,
                os.path.join(tmp, f"serve{i + 1}.log"))
        for i, port in enumerate(ports)
    ]
    failures, references, answers = [], [], {}
    started = time.monotonic()
    try:
        fps.start()
        for backend in backends:
            backend.start()
        for n in range(rounds):
            method = rng.choice(("ABT", "CC"))
            first, second = (ports[0], ports[1]) if n % 2 == 0 else (ports[1], ports[0])
            reference, query = checkout_split(first, second, fps_port, return_url, method)
            references.append(reference)
            barrier = threading.Barrier(2)
            results = {}

            def deliver(port):
                barrier.wait(timeout=10)
                status, _, text = send_return(port, query, timeout=30)
                results[port] = (status, json.loads(text).get("status") or json.loads(text)["error"]["code"])

            threads = [threading.Thread(target=deliver, args=(p,)) for p in ports]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=40)
            key = " + ".join(sorted(f"{s} {c}" for s, c in results.values()))
            answers[key] = answers.get(key, 0) + 1
            if len(results) != 2 or any(s >= 500 for s, _ in results.values()):
                failures.append(f"{reference}: answers {results}")
            if not any(s == 200 for s, _ in results.values()):
                failures.append(f"{reference}: no backend answered 200: {results}")

            def paid_everywhere():
                states = [order_state(p, reference) for p in ports]
                return states if all(s == "paid" for s in states) else None

            try:
                retry(f"{reference} paid on both backends", paid_everywhere)
            except RuntimeError as e:
                failures.append(f"{reference} ({method}): {e}; states {[order_state(p, reference) for p in ports]}")
        counts = pays_by_reference(fps_port)
        for reference in references:
            if counts.get(reference, 0) != 1:
                failures.append(f"{reference}: {counts.get(reference, 0)} Pay transactions at FPS")
        # Every notification FPS sent (after the pending ones settle) reached both backends.
        time.sleep(1)
        with FanOut.lock:
            ipns = list(FanOut.answers)
        ipn_answers = {}
        for result in ipns:
            key = " + ".join(sorted(str(r) for r in result))
            ipn_answers[key] = ipn_answers.get(key, 0) + 1
            if any(not isinstance(r, int) and not r.startswith("409 ") for r in result):
                failures.append(f"IPN answered {result}")
    finally:
        for backend in backends:
            backend.stop()
        fps.stop()
        fan_out.shutdown()
    print(json.dumps({"rounds": rounds, "orders": len(references), "return_answer_pairs": answers,
                      "ipns_fanned_out": len(ipns), "ipn_answer_pairs": ipn_answers, "failures": failures,
                      "seconds": round(time.monotonic() - started, 1), "logs": tmp}, indent=1))
    if not failures:
        shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(1 if failures else 0)


def checkout_split(open_on, sign_on, fps_port, return_url, method):
    """Opens the order on one backend and signs it on the other (state only in PostgreSQL)."""
    status, _, text = call(open_on, "POST", "/api/orders",
                           json.dumps({"items": [{"sku": "MUG-ENAMEL", "quantity": 1}]}),
                           {"content-type": "application/json"})
    assert status == 201, text
    order = json.loads(text)
    return checkout(sign_on, fps_port, return_url, method, order=order)


if __name__ == "__main__":
    main()
