#!/usr/bin/env python3
"""Python peer for the fps-checkout core benchmark (stdlib only).

Reads crates/fps-wire/benches/fixtures/singleuse.json and crates/fps-wire/benches/fixtures/return.json and times
two operations with time.perf_counter_ns:

  sign          per iteration, from the fixture's params list: drop the signature
                pair, encode names and values (urllib.parse.quote(v, safe='-_.~')
                of the UTF-8 bytes), sort by encoded name, join, build
                "GET\\n<host>\\n<path>\\n<query>", HMAC-SHA256 with the secret, base64.
                Host and path are derived from the endpoint once, before timing.
  parse_return  per iteration: split the raw return query on '&' and '=', decode
                each part with urllib.parse.unquote_plus, reject duplicate names,
                build a dict, look up "status".

Before timing, the sign output is checked once against a signature computed
independently by `openssl dgst -sha256 -hmac` (skipped with a note on stderr if
openssl is missing), and parse_return is checked for the expected fields.

Prints exactly two lines on stdout:
    sign_ns_per_op <float>
    parse_return_ns_per_op <float>

Usage: scripts/bench-peer.py [--iterations N] [--warmup N] [--fixtures DIR] [--only sign|parse_return]
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import shutil
import subprocess
import sys
import time
from urllib.parse import quote, unquote_plus, urlsplit

DEFAULT_FIXTURES = os.path.normpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crates", "fps-wire", "benches", "fixtures"))
DEFAULT_PORTS = {"https": 443, "http": 80}


def host_and_path(endpoint):
    parts = urlsplit(endpoint)
    host = parts.hostname.lower()
    if parts.port is not None and parts.port != DEFAULT_PORTS.get(parts.scheme):
        host = "%s:%d" % (host, parts.port)
    return host, parts.path or "/"


def sign(host, path, params, key):
    pairs = sorted(
        (quote(n, safe="-_.~"), quote(v, safe="-_.~"))
        for n, v in params
        if n != "signature" and n != "Signature"
    )
    query = "&".join(n + "=" + v for n, v in pairs)
    sts = "GET\n" + host + "\n" + path + "\n" + query
    return base64.b64encode(hmac.new(key, sts.encode("utf-8"), hashlib.sha256).digest()).decode("ascii")


def parse_query(query):
    out = {}
    for part in query.split("&"):
        name, _, value = part.partition("=")
        name = unquote_plus(name)
        if name in out:
            raise ValueError("duplicate parameter: " + name)
        out[name] = unquote_plus(value)
    return out


def parse_return(query):
    return parse_query(query)["status"]


def openssl_signature(host, path, params, secret):
    """Independent expected value: canonical string built byte by byte, HMAC by openssl."""
    unreserved = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")

    def enc(s):
        return "".join(chr(b) if b in unreserved else "%%%02X" % b for b in s.encode("utf-8"))

    pairs = sorted(((enc(n), enc(v)) for n, v in params if n not in ("signature", "Signature")),
                   key=lambda p: p[0].encode("ascii"))
    sts = "GET\n%s\n%s\n%s" % (host, path, "&".join("%s=%s" % p for p in pairs))
    mac = subprocess.run(["openssl", "dgst", "-sha256", "-hmac", secret, "-binary"],
                         input=sts.encode("utf-8"), capture_output=True, check=True).stdout
    return base64.b64encode(mac).decode("ascii")


def time_ns_per_op(fn, arg_tuple, iterations, warmup):
    for _ in range(warmup):
        fn(*arg_tuple)
    start = time.perf_counter_ns()
    for _ in range(iterations):
        fn(*arg_tuple)
    return (time.perf_counter_ns() - start) / iterations


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--iterations", type=int, default=200_000)
    ap.add_argument("--warmup", type=int, default=None, help="default: iterations/10, at least 1000")
    ap.add_argument("--fixtures", default=DEFAULT_FIXTURES)
    ap.add_argument("--only", choices=["sign", "parse_return"], default=None,
                    help="time one operation only (print its line only)")
    args = ap.parse_args()
    if args.iterations < 1:
        ap.error("--iterations must be >= 1")
    warmup = args.warmup if args.warmup is not None else max(1000, args.iterations // 10)

    with open(os.path.join(args.fixtures, "singleuse.json"), encoding="utf-8") as f:
        su = json.load(f)
    with open(os.path.join(args.fixtures, "return.json"), encoding="utf-8") as f:
        ret = json.load(f)

    host, path = host_and_path(su["endpoint"])
    params = [(n, v) for n, v in su["params"]]
    key = su["secret"].encode("utf-8")
    query = ret["query"]

    # correctness, once, before timing
    got = sign(host, path, params, key)
    assert got == sign(host, path, params, key), "sign is not stable"
    if shutil.which("openssl"):
        expected = openssl_signature(host, path, params, su["secret"])
        assert got == expected, "sign mismatch: %s != openssl %s" % (got, expected)
    else:
        print("note: openssl not found, sign checked for stability only", file=sys.stderr)
    fields = parse_query(query)
    assert parse_return(query) == "SC", fields.get("status")
    assert fields["callerReference"] == "DigitalDownload-0001"
    assert fields["expiry"] == "10/2027"
    assert len(fields["tokenID"]) == 64
    assert len(fields["signature"]) == 172, len(fields["signature"])
    assert fields["certificateUrl"].startswith("https://fps.sandbox.amazonaws.com/certs/")
    try:
        parse_return(query + "&status=A")
        raise AssertionError("duplicate names must be rejected")
    except ValueError:
        pass

    if args.only in (None, "sign"):
        sign_ns = time_ns_per_op(sign, (host, path, params, key), args.iterations, warmup)
        print("sign_ns_per_op %.1f" % sign_ns)
    if args.only in (None, "parse_return"):
        parse_ns = time_ns_per_op(parse_return, (query,), args.iterations, warmup)
        print("parse_return_ns_per_op %.1f" % parse_ns)


if __name__ == "__main__":
    main()
