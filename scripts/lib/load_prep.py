#!/usr/bin/env python3
"""Prepares and measures what scripts/load-test needs (standard library only).

  load_prep.py sign SHOP_PORT FPS_PORT RETURN_URL OUT          -> the /fps/sign body of an open order
  load_prep.py returns SHOP_PORT FPS_PORT RETURN_URL COUNT OUT -> COUNT approved returns, one a line
  load_prep.py ipn SANDBOX_SQLITE OUT                           -> a delivered IPN body
  load_prep.py first-returns SHOP_PORT FILE CONCURRENCY         -> sends each return once, at once;
                                                                   prints throughput and p50/p99
"""

import concurrent.futures
import json
import os
import sqlite3
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from crash_driver import ACCESS_KEY, call, checkout, send_return  # noqa: E402


def main():
    what = sys.argv[1]
    if what == "sign":
        shop, fps, return_url, out = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
        status, _, text = call(shop, "POST", "/api/orders", json.dumps({"items": [{"sku": "MUG-ENAMEL", "quantity": 1}]}),
                               {"content-type": "application/json"})
        assert status == 201, text
        order = json.loads(text)
        body = {"pipeline": "SingleUse", "params": {
            "callerKey": ACCESS_KEY, "callerReference": order["callerReference"], "transactionAmount": order["amount"],
            "currencyCode": "USD", "returnURL": return_url, "paymentReason": order["description"]}}
        with open(out, "w", encoding="utf-8") as f:
            json.dump(body, f)
    elif what == "returns":
        shop, fps, return_url, count, out = (int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5]),
                                             sys.argv[6])
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            queries = list(pool.map(lambda i: checkout(shop, fps, return_url, "ABT")[1], range(count)))
        with open(out, "w", encoding="utf-8") as f:
            f.write("\n".join(queries) + "\n")
    elif what == "ipn":
        db, out = sys.argv[2], sys.argv[3]
        row = sqlite3.connect(db).execute(
            "SELECT body FROM ipn_outbox WHERE body LIKE '%transactionStatus=SUCCESS%' ORDER BY id LIMIT 1").fetchone()
        assert row, "no IPN in the outbox"
        with open(out, "w", encoding="utf-8") as f:
            f.write(row[0])
    elif what == "first-returns":
        shop, path, concurrency = int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
        with open(path, encoding="utf-8") as f:
            queries = [line.strip() for line in f if line.strip()]

        def one(query):
            t0 = time.monotonic()
            status, _, _ = send_return(shop, query, timeout=60)
            return status, time.monotonic() - t0

        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
            results = list(pool.map(one, queries))
        elapsed = time.monotonic() - started
        latencies = sorted(t for _, t in results)
        statuses = {}
        for status, _ in results:
            statuses[status] = statuses.get(status, 0) + 1
        print(f"RESULT first-returns n={len(results)} rps={len(results) / elapsed:.0f} "
              f"p50_ms={1000 * latencies[len(latencies) // 2]:.1f} "
              f"p99_ms={1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]:.1f} "
              f"statuses={json.dumps(statuses)}")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
