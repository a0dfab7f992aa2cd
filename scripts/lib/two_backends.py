#!/usr/bin/env python3
"""Two backends, one PostgreSQL: the same return and the same IPN delivered to both at once.

Usage: two_backends.py PATH/TO/fps-checkout POSTGRES_URL ROUNDS [--no-ipn]

Starts the FPS emulator and two `fps-checkout serve` processes sharing the (empty) PostgreSQL
database POSTGRES_URL, plus a small fan-out server standing for the load balancer: it is the IPN
URL both backends are configured with, and it hands every notification FPS posts to both
backends at the same moment. Each round opens an order on one backend, signs it on the other,
approves it on the CBUI pages (balance, final at once, or card, pending for a moment), then sends
the same return to both backends at once. Checks: each order ends paid on both backends' view,
with exactly one Pay at FPS (GetAccountActivity), no 5xx answer, and no order lost.

With --no-ipn the emulator has no IPN URL and both backends run their reconcilers every second
(2 s FPS timeout): only the reconcilers can finish the card payments left pending (and a charge
answered 504 FPS_TIMEOUT, accepted in this mode only, under a load that slows FPS; a return
that no backend answered 200 is sent again, as a shopper reloads). Each backend reaches FPS
through a recording relay of its own (`FpsRelay`), which sees every Query API call and who made
it. The rounds do not wait; at the end the driver waits (bounded) for every order to read paid
on both backends (order list only, which asks FPS nothing) and checks, besides the above, that
no two checks of one order's transaction from the two backends overlapped in time (the
reconcilers' leases never let both work on one order at once), that no order was applied by an
IPN or an admin refresh, and that no reconciler decision was recorded twice.
Standard library only; every step has a timeout; bounded by ROUNDS.
"""

import http.server
import json
import urllib.parse
import os
import random
import shutil
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from crash_driver import (  # noqa: E402
    ADMIN_TOKEN, Process, backend_env, call, check_reconciled, checkout, free_port, order_state, pays_by_reference,
    retry, sandbox_process, send_return, wait_final,
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


class FpsRelay(http.server.BaseHTTPRequestHandler):
    """A backend's way to the emulator's Query API (GET): forwards each call as it came, Host
    header included (the signature covers it), and records who made it, its action, the
    parameters that name an order, and when it started and ended."""

    fps_port = 0
    names = {}  # relay port -> backend name
    calls = []
    lock = threading.Lock()

    def do_GET(self):
        started = time.monotonic()
        params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
        try:
            status, headers, text = call(self.fps_port, "GET", self.path,
                                         headers={"Host": self.headers.get("host", "")}, timeout=60)
        except OSError:
            self.close_connection = True
            return
        body = text.encode("utf-8")
        with self.lock:
            self.calls.append({"backend": self.names[self.server.server_address[1]],
                               "action": params.get("Action"),
                               "transaction": params.get("TransactionId"),
                               "reference": params.get("CallerReference"),
                               "query": sorted((k, v) for k, v in params.items() if k != "Signature"),
                               "start": started, "end": time.monotonic()})
        self.send_response(status)
        self.send_header("content-type", headers.get("content-type") or headers.get("Content-Type") or "text/xml")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def overlapping_checks(calls, transaction_of):
    """Checks of one order's transaction (GetTransactionStatus, GetTransaction: during the run
    only a reconciler makes them) from the two backends whose times overlap: each a line.
    A Pay is not counted: two returns read while the first Pay is in flight both send it, the
    second an identical resend that FPS answers from its record (see RELIABILITY.md)."""
    by_order = {}
    for c in calls:
        order = transaction_of.get(c["transaction"])
        if order and c["action"] in ("GetTransactionStatus", "GetTransaction"):
            by_order.setdefault(order, []).append(c)
    found = []
    for order, made in by_order.items():
        for a in made:
            for b in made:
                if a["backend"] < b["backend"] and a["start"] < b["end"] and b["start"] < a["end"]:
                    found.append(f"{order}: {a['action']} from {a['backend']} and {b['action']} from "
                                 f"{b['backend']} at once")
    return found


def main():
    args = [a for a in sys.argv[1:] if a != "--no-ipn"]
    ipn = len(args) == len(sys.argv) - 1
    if len(args) != 3:
        sys.exit(__doc__)
    binary, database_url, rounds = args[0], args[1], int(args[2])
    if not ipn and rounds > 500:
        sys.exit("--no-ipn reads states from the order list: at most 500 rounds")
    rng = random.Random(5)
    tmp = tempfile.mkdtemp(prefix="fps-two-")
    fps_port, lb_port, ports = free_port(), free_port(), [free_port(), free_port()]
    lb = f"http://127.0.0.1:{lb_port}"
    return_url = f"{lb}/thanks.html"
    FanOut.backends = ports
    fan_out = http.server.ThreadingHTTPServer(("127.0.0.1", lb_port), FanOut)
    threading.Thread(target=fan_out.serve_forever, daemon=True).start()
    relays = []
    fps = sandbox_process(binary, tmp, fps_port, f"{lb}/fps/ipn" if ipn else None)
    backends = []
    for i, port in enumerate(ports):
        env = backend_env(fps_port, port, return_url, database_url, 5 if ipn else 2, ipn_url=f"{lb}/fps/ipn",
                          reconcile_every=None if ipn else 1)
        if not ipn:
            relay_port = free_port()
            FpsRelay.fps_port = fps_port
            FpsRelay.names[relay_port] = f"serve {i + 1}"
            relays.append(http.server.ThreadingHTTPServer(("127.0.0.1", relay_port), FpsRelay))
            threading.Thread(target=relays[-1].serve_forever, daemon=True).start()
            env["FPS_ENDPOINT"] = f"http://127.0.0.1:{relay_port}/"
        log = os.path.join(tmp, f"serve{i + 1}.log")
        backends.append(Process(f"serve {i + 1}", [binary, "serve"], env, port, log))
    failures, references, answers, methods = [], [], {}, {}
    ipns, ipn_answers, summary = [], {}, {}
    started = time.monotonic()
    try:
        fps.start()
        # Both at once: their reconcilers then tick at nearly the same moments and contend
        # for the same due orders.
        for backend in backends:
            backend.spawn()
        for backend in backends:
            backend.wait_ready()
        for n in range(rounds):
            method = rng.choice(("ABT", "CC"))
            methods[method] = methods.get(method, 0) + 1
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
            # IPNs off, an FPS timeout (504) is an outcome left to the reconcilers, as designed.
            allowed = {200} if ipn else {200, 504}
            if len(results) != 2 or any(s >= 500 and s not in allowed for s, _ in results.values()):
                failures.append(f"{reference}: answers {results}")
            if not any(s in allowed for s, _ in results.values()):
                failures.append(f"{reference}: no backend answered {sorted(allowed)}: {results}")
            if not ipn:
                if not any(s == 200 for s, _ in results.values()):
                    retry(f"{reference}: return sent again", lambda: resent(ports[n % 2], query))
                continue  # the reconcilers finish it; checked at the end

            def paid_everywhere():
                states = [order_state(p, reference) for p in ports]
                return states if all(s == "paid" for s in states) else None

            try:
                retry(f"{reference} paid on both backends", paid_everywhere)
            except RuntimeError as e:
                failures.append(f"{reference} ({method}): {e}; states {[order_state(p, reference) for p in ports]}")
        if ipn:
            counts = pays_by_reference(fps_port)
            for reference in references:
                if counts.get(reference, 0) != 1:
                    failures.append(f"{reference}: {counts.get(reference, 0)} Pay transactions at FPS")
            # Every notification FPS sent (after the pending ones settle) reached both backends.
            time.sleep(1)
        else:
            summary = check_no_ipn(fps_port, ports, references, failures)
        with FanOut.lock:
            ipns = list(FanOut.answers)
        if not ipn and ipns:
            failures.append(f"{len(ipns)} IPNs reached the load balancer although the emulator has no IPN URL")
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
        for relay in relays:
            relay.shutdown()
    print(json.dumps({"ipns": "on" if ipn else "off", "rounds": rounds, "orders": len(references),
                      "methods": methods, "return_answer_pairs": answers, "ipns_fanned_out": len(ipns),
                      "ipn_answer_pairs": ipn_answers, **summary, "failures": failures,
                      "seconds": round(time.monotonic() - started, 1), "logs": tmp}, indent=1))
    if not failures:
        shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(1 if failures else 0)


def resent(port, query):
    """The return sent again: its status once answered 200 or 409 ALREADY_PROCESSED, else None."""
    status, _, text = send_return(port, query, timeout=30)
    return status if status == 200 or (status == 409 and "ALREADY_PROCESSED" in text) else None


def check_no_ipn(fps_port, ports, references, failures):
    """IPNs off: waits (bounded) for the reconcilers to finish every order, then checks FPS's
    records, the events and the relays' records; appends to `failures`, returns figures."""
    # Bounded: the first check comes a request timeout (4 * 2 + 5 s) after the return, a card
    # payment still pending then is checked again one backoff later.
    views, waited = wait_final(ports, references, 60)
    found, by_reconciler = check_reconciled(fps_port, ports, references, views)
    failures.extend(found)
    with FpsRelay.lock:
        calls = list(FpsRelay.calls)
    transaction_of = {}
    status, _, text = call(ports[0], "GET", "/api/orders?limit=500",
                           headers={"authorization": f"Bearer {ADMIN_TOKEN}"})
    if status == 200:
        transaction_of = {o["transactionId"]: o["callerReference"] for o in json.loads(text)["orders"]
                          if o.get("transactionId")}
    else:
        failures.append(f"order list: HTTP {status}")
    failures.extend(overlapping_checks(calls, transaction_of))
    checks = {}
    for c in calls:
        if c["action"] == "GetTransactionStatus":
            order = transaction_of.get(c["transaction"], "?")
            checks.setdefault(order, []).append(c["backend"])
    pays = {}
    for c in calls:
        if c["action"] == "Pay":
            key = tuple(c["query"])
            pays[key] = pays.get(key, 0) + 1
    return {"finished_by_a_reconciled_event": by_reconciler,
            "status_checks_per_order": {str(n): sum(1 for v in checks.values() if len(v) == n)
                                        for n in sorted({len(v) for v in checks.values()})},
            "status_checks_by_backend": {b: sum(v.count(b) for v in checks.values())
                                         for b in sorted({b for v in checks.values() for b in v})},
            "identical_pay_resends": sum(n - 1 for n in pays.values()),
            "fps_calls_relayed": len(calls),
            "seconds_waiting_for_the_reconcilers": round(waited, 1)}


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
