#!/usr/bin/env python3
"""Crash and restart: kill -9 the merchant backend (and sometimes the FPS emulator) while it
handles POST /fps/return, restart it, and check every order converges, charged exactly once.

Usage: crash_driver.py PATH/TO/fps-checkout KILLS [SEED] [--no-ipn]

Runs `fps-checkout sandbox` and `fps-checkout serve` as processes on SQLite files in a temporary
folder, on 127.0.0.1. For each kill: open an order on the backend, have it signed, approve it on
the emulator's CBUI pages (the buyer's balance, final at once, or the card, pending for a
moment), send the return to /fps/return, and after a random delay within the usual handling time
kill -9 the backend (three kills in four) or the emulator (one in four). Then restart it, send
the same return again until it is answered, and wait for the order to be paid (the resent return
or the IPN finishes it). At the end, ask the emulator (GetAccountActivity) how many Pay
transactions each order's CallerReference has: exactly one each, and every order paid.

With --no-ipn the emulator has no IPN URL (it notifies nobody) and the backend's reconciler runs
every second (2 s FPS timeout, as with IPNs): only the reconciler can finish a pending card
payment or a charge whose answer was lost. After each restart the shopper sends the return again for every
other kill only (and whenever the order is still `open`, as nothing reached FPS for it); the
driver then leaves the order as it is and, at the end, waits (bounded) for every order to be
paid, reading states from the order list (which asks FPS nothing), and checks through FPS's own
records and each order's events that the reconciler alone finished them.
Standard library only. Each step has a timeout; the run is bounded by KILLS.
"""

import base64
import datetime
import hashlib
import hmac
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET

ACCESS_KEY = "AKIACRASHTEST0000001"
SECRET_KEY = "crash/test+secret=key"
ADMIN_TOKEN = "crash-test-admin-token-0123"
STEP_TIMEOUT = 30.0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(port, method, path, body=None, headers=None, timeout=10.0):
    """One request; returns (status, headers dict, text). Raises OSError on connection failure."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def rfc3986(text):
    return urllib.parse.quote(text.encode("utf-8"), safe="-_.~")


def api(port, action, **params):
    """A signed Query API call to the emulator; returns the parsed XML root."""
    params = dict(params)
    params.update(
        Action=action,
        AWSAccessKeyId=ACCESS_KEY,
        SignatureMethod="HmacSHA256",
        SignatureVersion="2",
        Timestamp=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        Version="2010-08-28",
    )
    query = "&".join(
        f"{rfc3986(k)}={rfc3986(v)}" for _, k, v in sorted((k.encode(), k, v) for k, v in params.items())
    )
    to_sign = "\n".join(["GET", f"127.0.0.1:{port}", "/", query])
    signature = base64.b64encode(hmac.new(SECRET_KEY.encode(), to_sign.encode(), hashlib.sha256).digest())
    status, _, text = call(port, "GET", f"/?{query}&Signature={rfc3986(signature.decode())}")
    if status != 200:
        raise RuntimeError(f"{action}: HTTP {status}: {text[:300]}")
    return ET.fromstring(text)


def local(element):
    """An XML element's tag without its namespace."""
    return element.tag.rsplit("}", 1)[-1]


def pay_statuses(port):
    """CallerReference -> the TransactionStatus of each of its Pay transactions at FPS, from
    GetAccountActivity (all pages)."""
    statuses = {}
    end = None
    while True:
        params = {"StartDate": "2000-01-01T00:00:00Z", "FPSOperation": "Pay", "MaxBatchSize": "200"}
        if end:
            params["EndDate"] = end
        root = api(port, "GetAccountActivity", **params)
        for transaction in (e for e in root.iter() if local(e) == "Transaction"):
            fields = {local(child): child.text for child in transaction}
            statuses.setdefault(fields.get("CallerReference"), []).append(fields.get("TransactionStatus"))
        next_date = [e.text for e in root.iter() if local(e) == "StartTimeForNextTransaction"]
        if not next_date:
            return statuses
        end = next_date[0]


def pays_by_reference(port):
    """CallerReference -> number of Pay transactions, from GetAccountActivity (all pages)."""
    return {reference: len(found) for reference, found in pay_statuses(port).items()}


class Process:
    """A child process restarted on demand, killed with SIGKILL."""

    def __init__(self, name, argv, env, port, log):
        self.name, self.argv, self.env, self.port, self.log = name, argv, env, port, log
        self.child = None

    def start(self):
        self.spawn()
        self.wait_ready()

    def spawn(self):
        """Starts the process without waiting for it to listen."""
        with open(self.log, "ab") as log:
            self.child = subprocess.Popen(self.argv, env=self.env, stdout=log, stderr=log, stdin=subprocess.DEVNULL)

    def wait_ready(self):
        """Waits until the process listens on its port."""
        deadline = time.monotonic() + STEP_TIMEOUT
        while time.monotonic() < deadline:
            if self.child.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.child.returncode}; see {self.log}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError(f"{self.name} did not listen within {STEP_TIMEOUT} s")

    def kill(self):
        self.child.send_signal(signal.SIGKILL)
        self.child.wait(timeout=STEP_TIMEOUT)

    def stop(self):
        if self.child and self.child.poll() is None:
            self.kill()


def retry(what, attempt, timeout=STEP_TIMEOUT):
    """Calls attempt() until it returns a value other than None (connection errors retried)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            value = attempt()
            if value is not None:
                return value
        except OSError as e:
            last = e
        time.sleep(0.05)
    raise RuntimeError(f"{what}: no answer within {timeout} s (last error: {last})")


def checkout(shop, fps, return_url, method, order=None):
    """Opens (unless given), signs and approves an order; returns (reference, return query)."""
    if order is None:
        status, _, text = call(
            shop, "POST", "/api/orders", json.dumps({"items": [{"sku": "MUG-ENAMEL", "quantity": 1}]}),
            {"content-type": "application/json"},
        )
        assert status == 201, text
        order = json.loads(text)
    reference = order["callerReference"]
    sign = {"pipeline": "SingleUse", "params": {
        "callerKey": ACCESS_KEY, "callerReference": reference, "transactionAmount": order["amount"],
        "currencyCode": "USD", "returnURL": return_url, "paymentReason": order["description"]}}
    status, _, text = call(shop, "POST", "/fps/sign", json.dumps(sign), {"content-type": "application/json"})
    assert status == 200, text
    start = urllib.parse.urlsplit(json.loads(text)["url"])
    status, _, page = call(fps, "GET", f"{start.path}?{start.query}")
    assert status == 200, page
    session = re.search(r'name="session" value="([0-9a-f]+)"', page).group(1)
    form = {"content-type": "application/x-www-form-urlencoded"}
    body = urllib.parse.urlencode({"session": session, "email": "buyer@sandbox.test", "password": "sandbox",
                                   "action": "signin"})
    status, _, page = call(fps, "POST", "/cobranded-ui/actions/signin", body, form)
    assert status == 200, page
    body = urllib.parse.urlencode({"session": session, "paymentMethod": method, "action": "confirm"})
    status, headers, page = call(fps, "POST", "/cobranded-ui/actions/confirm", body, form)
    assert status == 303, page
    location = headers.get("location") or headers.get("Location")
    return reference, urllib.parse.urlsplit(location).query


def send_return(shop, query, timeout=10.0):
    return call(shop, "POST", "/fps/return", query, {"content-type": "text/plain"}, timeout=timeout)


def order_state(shop, reference):
    status, _, text = call(shop, "GET", f"/api/orders/{reference}", headers={"authorization": f"Bearer {ADMIN_TOKEN}"})
    assert status == 200, text
    return json.loads(text)["status"]


def order_events(shop, reference):
    """The order's event trail, as (kind, detail) pairs. GET /api/orders/{ref} asks FPS about
    an order still open, so call it only once the order is final."""
    status, _, text = call(shop, "GET", f"/api/orders/{reference}", headers={"authorization": f"Bearer {ADMIN_TOKEN}"})
    assert status == 200, text
    return [(e["kind"], e["detail"]) for e in json.loads(text)["events"]]


def listed_states(shop):
    """Reference -> state of the newest 500 orders, from GET /api/orders: the store as it is,
    FPS not asked (so reading it finishes nothing)."""
    status, _, text = call(shop, "GET", "/api/orders?limit=500", headers={"authorization": f"Bearer {ADMIN_TOKEN}"})
    assert status == 200, text
    return {o["callerReference"]: o["status"] for o in json.loads(text)["orders"]}


FINAL = ("paid", "failed", "cancelled", "refunded")


def wait_final(shops, references, timeout):
    """Waits until every order reads final on every backend in `shops` (order list only);
    returns the last states seen, per backend, and the seconds waited."""
    started = time.monotonic()
    deadline = started + timeout
    while True:
        views = []
        for shop in shops:
            try:
                views.append(listed_states(shop))
            except OSError:
                views.append({})
        if all(view.get(r) in FINAL for view in views for r in references) or time.monotonic() > deadline:
            return views, time.monotonic() - started
        time.sleep(0.25)


def check_reconciled(fps_port, shops, references, views):
    """The IPN-off checks: every order paid in every view, exactly one Pay at FPS and it
    succeeded, no order failed while FPS holds its payment, no IPN or admin refresh applied
    anything (so the reconciler did), and no reconciler decision recorded twice.
    Returns (failures, how many orders a `reconciled` event finished)."""
    failures = []
    statuses = pay_statuses(fps_port)
    for reference in references:
        states = [view.get(reference) for view in views]
        pays = statuses.get(reference, [])
        if "failed" in states and "Success" in pays:
            failures.append(f"{reference}: failed while FPS holds its payment ({pays})")
        if any(state != "paid" for state in states):
            failures.append(f"{reference}: not paid in every view: {states}")
        if pays != ["Success"]:
            failures.append(f"{reference}: Pay transactions at FPS: {pays}")
    extra = set(statuses) - set(references)
    if extra:
        failures.append(f"Pay transactions for unknown references: {sorted(extra)}")
    finished_by_reconciler = 0
    for reference in references:
        events = order_events(shops[0], reference)
        kinds = [kind for kind, _ in events]
        outside = [kind for kind in kinds if kind in ("ipn_applied", "status_applied")]
        if outside:
            failures.append(f"{reference}: applied by {outside} although IPNs are off and nothing refreshed it")
        decisions = [detail for kind, detail in events if kind == "reconciled"]
        if len(decisions) != len(set(decisions)):
            failures.append(f"{reference}: one reconciler decision recorded twice: {decisions}")
        finished_by_reconciler += bool(decisions)
    return failures, finished_by_reconciler


def quiet_env():
    """This process's environment without FPS_ settings, logging warnings only."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FPS_")}
    env["RUST_LOG"] = "warn"
    return env


def sandbox_process(binary, tmp, port, ipn_url):
    """The emulator on `port` with its state in `tmp`, one caller whose IPNs go to `ipn_url`
    (None: no IPN URL, so the emulator notifies nobody)."""
    config = os.path.join(tmp, "sandbox.json")
    with open(config, "w", encoding="utf-8") as f:
        json.dump({
            "callers": [{"access_key_id": ACCESS_KEY, "secret_key": SECRET_KEY, "name": "Test Shop",
                         "ipn_url": ipn_url}],
            "listen": f"127.0.0.1:{port}", "database": os.path.join(tmp, "sandbox.sqlite"),
            "pending_delay_ms": 300, "ipn_initial_backoff_ms": 200, "ipn_max_attempts": 60,
        }, f)
    return Process("sandbox", [binary, "sandbox", "--config", config], quiet_env(), port,
                   os.path.join(tmp, "sandbox.log"))


def backend_env(fps_port, port, return_url, database_url, fps_timeout, ipn_url=None, reconcile_every=None):
    """The environment of `fps-checkout serve` on `port` against the emulator on `fps_port`;
    `reconcile_every` seconds between reconciler ticks (None: the backend's default)."""
    env = dict(quiet_env(), FPS_ACCESS_KEY_ID=ACCESS_KEY, FPS_SECRET_KEY=SECRET_KEY, FPS_ADMIN_TOKEN=ADMIN_TOKEN,
               FPS_RETURN_URLS=return_url, FPS_ENDPOINT=f"http://127.0.0.1:{fps_port}/",
               FPS_CBUI_ENDPOINT=f"http://127.0.0.1:{fps_port}/cobranded-ui/actions/start",
               FPS_LISTEN=f"127.0.0.1:{port}", DATABASE_URL=database_url,
               FPS_CATALOG=os.path.join(os.path.dirname(__file__), "..", "..", "www", "catalog.json"),
               FPS_TIMEOUT_SECS=str(fps_timeout))
    if ipn_url:
        env["FPS_IPN_URL"] = ipn_url
    if reconcile_every is not None:
        env["FPS_RECONCILE_INTERVAL_SECS"] = str(reconcile_every)
    return env


def main():
    args = [a for a in sys.argv[1:] if a != "--no-ipn"]
    ipn = len(args) == len(sys.argv) - 1
    if len(args) not in (2, 3):
        sys.exit(__doc__)
    binary, kills = args[0], int(args[1])
    seed = int(args[2]) if len(args) == 3 else random.randrange(1 << 30)
    if not ipn and kills + 5 > 500:
        sys.exit("--no-ipn reads states from the order list: at most 495 kills")
    rng = random.Random(seed)
    tmp = tempfile.mkdtemp(prefix="fps-crash-")
    fps_port, shop_port = free_port(), free_port()
    return_url = f"http://127.0.0.1:{shop_port}/thanks.html"
    fps = sandbox_process(binary, tmp, fps_port, f"http://127.0.0.1:{shop_port}/fps/ipn" if ipn else None)
    # IPNs off: the reconciler looks every second; an order is first checked a request timeout
    # (4 * 2 + 5 s) after its charge began.
    shop_env = backend_env(fps_port, shop_port, return_url, f"sqlite:{os.path.join(tmp, 'shop.db')}", 2,
                           reconcile_every=None if ipn else 1)
    shop = Process("serve", [binary, "serve"], shop_env, shop_port, os.path.join(tmp, "serve.log"))
    started = time.monotonic()
    tally = {"backend": 0, "emulator": 0, "in_flight": 0, "answered_first": 0}
    left = {}  # IPNs off: the state each order was left in for the reconciler, counted
    failures = []
    references = []
    summary = {}
    try:
        fps.start()
        shop.start()
        # How long a return takes here: the kill delays are drawn within it.
        durations = []
        for method in ("ABT", "CC", "ABT", "CC", "ABT"):
            reference, query = checkout(shop_port, fps_port, return_url, method)
            t0 = time.monotonic()
            status, _, text = send_return(shop_port, query)
            durations.append(time.monotonic() - t0)
            assert status == 200, text
            references.append(reference)
        window = sorted(durations)[len(durations) // 2]
        print(f"seed {seed}; IPNs {'on' if ipn else 'off'}; a return takes {1000 * min(durations):.1f} to "
              f"{1000 * max(durations):.1f} ms; kills drawn within the median, {1000 * window:.1f} ms", flush=True)
        for i in range(kills):
            method = rng.choice(("ABT", "CC"))
            victim = fps if rng.random() < 0.25 else shop
            reference, query = checkout(shop_port, fps_port, return_url, method)
            references.append(reference)
            outcome = {}

            def first_return():
                try:
                    outcome["status"] = send_return(shop_port, query)[0]
                except OSError as e:
                    outcome["error"] = str(e)

            worker = threading.Thread(target=first_return)
            worker.start()
            time.sleep(rng.uniform(0, window))
            victim.kill()
            worker.join(timeout=STEP_TIMEOUT)
            tally["backend" if victim is shop else "emulator"] += 1
            tally["answered_first" if "status" in outcome else "in_flight"] += 1
            victim.start()
            when = "after the return was answered" if "status" in outcome else "mid-request"

            def resent():
                status, _, text = send_return(shop_port, query)
                if status == 200 or (status == 409 and "ALREADY_PROCESSED" in text):
                    return status
                return None  # 502/504 while FPS restarts: send it again

            if not ipn:
                # The shopper comes back on every other kill; an order still open reached
                # nobody at FPS, so only its return can go on with it.
                state = retry("order list", lambda: listed_states(shop_port).get(reference))
                if i % 2 == 0 or state == "open":
                    retry(f"order {reference}: resent return", resent)
                    state = retry("order list", lambda: listed_states(shop_port).get(reference))
                left[state] = left.get(state, 0) + 1
                print(f"kill {i + 1}/{kills}: {victim.name} {when} ({method}) -> {state}", flush=True)
                continue

            retry(f"order {reference}: resent return", resent)

            def paid():
                state = order_state(shop_port, reference)
                return state if state in FINAL else None

            try:
                final = retry(f"order {reference}: waiting to be paid", paid)
            except RuntimeError as e:
                failures.append(f"{reference} ({method}, {victim.name} killed): {e}; state "
                                f"{order_state(shop_port, reference)}")
                continue
            if final != "paid":
                failures.append(f"{reference} ({method}, {victim.name} killed) ended {final}")
            print(f"kill {i + 1}/{kills}: {victim.name} {when} ({method}) -> {final}", flush=True)
        if ipn:
            counts = pays_by_reference(fps_port)
            for reference in references:
                n = counts.get(reference, 0)
                if n != 1:
                    failures.append(f"{reference}: {n} Pay transactions at FPS")
            extra = set(counts) - set(references)
            if extra:
                failures.append(f"Pay transactions for unknown references: {sorted(extra)}")
        else:
            # Bounded: a lease held by a killed backend lapses after 4 request timeouts (52 s),
            # then a check and a backoff or two.
            views, waited = wait_final([shop_port], references, 120)
            found, by_reconciler = check_reconciled(fps_port, [shop_port], references, views)
            failures.extend(found)
            summary = {"left_to_reconciler": {k: v for k, v in left.items() if k not in FINAL},
                       "finished_by_a_reconciled_event": by_reconciler,
                       "seconds_waiting_for_the_reconciler": round(waited, 1)}
    finally:
        shop.stop()
        fps.stop()
    elapsed = time.monotonic() - started
    print(json.dumps({"seed": seed, "ipns": "on" if ipn else "off", "kills": kills,
                      "backend_kills": tally["backend"], "emulator_kills": tally["emulator"],
                      "kills_mid_request": tally["in_flight"], "kills_after_answer": tally["answered_first"],
                      "orders": len(references),
                      "orders_paid_once": sum(1 for r in references if not any(f.startswith(r) for f in failures)),
                      **summary, "failures": failures,
                      "seconds": round(elapsed, 1), "logs": tmp}, indent=1))
    if not failures:
        shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
