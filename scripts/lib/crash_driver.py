#!/usr/bin/env python3
"""Crash and restart: kill -9 the merchant backend (and sometimes the FPS emulator) while it
handles POST /fps/return, restart it, and check every order converges, charged exactly once.

Usage: crash_driver.py PATH/TO/fps-checkout KILLS [SEED]

Runs `fps-checkout sandbox` and `fps-checkout serve` as processes on SQLite files in a temporary
folder, on 127.0.0.1. For each kill: open an order on the backend, have it signed, approve it on
the emulator's CBUI pages (the buyer's balance, final at once, or the card, pending for a
moment), send the return to /fps/return, and after a random delay within the usual handling time
kill -9 the backend (three kills in four) or the emulator (one in four). Then restart it, send
the same return again until it is answered, and wait for the order to be paid (the resent return
or the IPN finishes it). At the end, ask the emulator (GetAccountActivity) how many Pay
transactions each order's CallerReference has: exactly one each, and every order paid.
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


def pays_by_reference(port):
    """CallerReference -> number of Pay transactions, from GetAccountActivity (all pages)."""
    counts = {}
    end = None
    while True:
        params = {"StartDate": "2000-01-01T00:00:00Z", "FPSOperation": "Pay", "MaxBatchSize": "200"}
        if end:
            params["EndDate"] = end
        root = api(port, "GetAccountActivity", **params)
        for element in root.iter():
            if element.tag.rsplit("}", 1)[-1] == "CallerReference":
                counts[element.text] = counts.get(element.text, 0) + 1
        next_date = [e.text for e in root.iter() if e.tag.rsplit("}", 1)[-1] == "StartTimeForNextTransaction"]
        if not next_date:
            return counts
        end = next_date[0]


class Process:
    """A child process restarted on demand, killed with SIGKILL."""

    def __init__(self, name, argv, env, port, log):
        self.name, self.argv, self.env, self.port, self.log = name, argv, env, port, log
        self.child = None

    def start(self):
        log = open(self.log, "ab")
        self.child = subprocess.Popen(self.argv, env=self.env, stdout=log, stderr=log, stdin=subprocess.DEVNULL)
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


def quiet_env():
    """This process's environment without FPS_ settings, logging warnings only."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FPS_")}
    env["RUST_LOG"] = "warn"
    return env


def sandbox_process(binary, tmp, port, ipn_url):
    """The emulator on `port` with its state in `tmp`, one caller whose IPNs go to `ipn_url`."""
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


def backend_env(fps_port, port, return_url, database_url, fps_timeout, ipn_url=None):
    """The environment of `fps-checkout serve` on `port` against the emulator on `fps_port`."""
    env = dict(quiet_env(), FPS_ACCESS_KEY_ID=ACCESS_KEY, FPS_SECRET_KEY=SECRET_KEY, FPS_ADMIN_TOKEN=ADMIN_TOKEN,
               FPS_RETURN_URLS=return_url, FPS_ENDPOINT=f"http://127.0.0.1:{fps_port}/",
               FPS_CBUI_ENDPOINT=f"http://127.0.0.1:{fps_port}/cobranded-ui/actions/start",
               FPS_LISTEN=f"127.0.0.1:{port}", DATABASE_URL=database_url,
               FPS_CATALOG=os.path.join(os.path.dirname(__file__), "..", "..", "www", "catalog.json"),
               FPS_TIMEOUT_SECS=str(fps_timeout))
    if ipn_url:
        env["FPS_IPN_URL"] = ipn_url
    return env


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    binary, kills = sys.argv[1], int(sys.argv[2])
    seed = int(sys.argv[3]) if len(sys.argv) == 4 else random.randrange(1 << 30)
    rng = random.Random(seed)
    tmp = tempfile.mkdtemp(prefix="fps-crash-")
    fps_port, shop_port = free_port(), free_port()
    return_url = f"http://127.0.0.1:{shop_port}/thanks.html"
    fps = sandbox_process(binary, tmp, fps_port, f"http://127.0.0.1:{shop_port}/fps/ipn")
    shop_env = backend_env(fps_port, shop_port, return_url, f"sqlite:{os.path.join(tmp, 'shop.db')}", 2)
    shop = Process("serve", [binary, "serve"], shop_env, shop_port, os.path.join(tmp, "serve.log"))
    started = time.monotonic()
    tally = {"backend": 0, "emulator": 0, "in_flight": 0, "answered_first": 0}
    failures = []
    references = []
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
        print(f"seed {seed}; a return takes {1000 * min(durations):.1f} to {1000 * max(durations):.1f} ms; "
              f"kills drawn within the median, {1000 * window:.1f} ms", flush=True)
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

            def resent():
                status, _, text = send_return(shop_port, query)
                if status == 200 or (status == 409 and "ALREADY_PROCESSED" in text):
                    return status
                return None  # 502/504 while FPS restarts: send it again

            retry(f"order {reference}: resent return", resent)

            def paid():
                state = order_state(shop_port, reference)
                return state if state in ("paid", "failed", "cancelled", "refunded") else None

            try:
                final = retry(f"order {reference}: waiting to be paid", paid)
            except RuntimeError as e:
                failures.append(f"{reference} ({method}, {victim.name} killed): {e}; state "
                                f"{order_state(shop_port, reference)}")
                continue
            if final != "paid":
                failures.append(f"{reference} ({method}, {victim.name} killed) ended {final}")
            when = "after the return was answered" if "status" in outcome else "mid-request"
            print(f"kill {i + 1}/{kills}: {victim.name} {when} ({method}) -> {final}", flush=True)
        counts = pays_by_reference(fps_port)
        for reference in references:
            n = counts.get(reference, 0)
            if n != 1:
                failures.append(f"{reference}: {n} Pay transactions at FPS")
        extra = set(counts) - set(references)
        if extra:
            failures.append(f"Pay transactions for unknown references: {sorted(extra)}")
    finally:
        shop.stop()
        fps.stop()
    elapsed = time.monotonic() - started
    print(json.dumps({"seed": seed, "kills": kills, "backend_kills": tally["backend"],
                      "emulator_kills": tally["emulator"], "kills_mid_request": tally["in_flight"],
                      "kills_after_answer": tally["answered_first"], "orders": len(references),
                      "orders_paid_once": sum(1 for r in references if not any(f.startswith(r) for f in failures)),
                      "failures": failures,
                      "seconds": round(elapsed, 1), "logs": tmp}, indent=1))
    if not failures:
        shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
