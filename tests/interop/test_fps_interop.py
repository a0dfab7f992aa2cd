#!/usr/bin/env python3
"""An independent FPS client (Python standard library only) against the sandbox emulator.

Written from the protocol sheet (fps-protocol.md), not from the Rust code: Signature Version 2
(RFC 3986 encoding with uppercase hex, byte-order sort, METHOD/host/path/query joined by LF,
HMAC-SHA256, base64), the CBUI start URL with lowerCamel names, the Query API with UpperCamel
names, responses parsed by element name, the error envelope Response > Errors > Error > Code.

Also the wire forms of Amazon's own FPS client libraries: POSTed form bodies from PHP's
http_build_query, Timestamp with milliseconds, the host signed without its port, and
VerifySignature unsigned.

Usage: test_fps_interop.py PATH/TO/fps-checkout
It starts `fps-checkout sandbox` on 127.0.0.1 with a throw-away configuration, runs Pay,
Reserve, Settle, Refund, VerifySignature, GetTokens and GetTokenUsage, and stops it.
"""

import base64
import datetime
import hashlib
import hmac
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

ACCESS_KEY = "AKIAPYTHONINTEROP001"
SECRET_KEY = "python/interop+secret=key"
SANDBOX = {}


def rfc3986(text):
    """Percent-encodes UTF-8 bytes, keeping only A-Z a-z 0-9 - _ . ~ (sheet section 2, step 2)."""
    return urllib.parse.quote(text.encode("utf-8"), safe="-_.~")


def canonical_query(params):
    """Encoded pairs sorted by name in byte order, joined by & (steps 3 and 4)."""
    items = sorted((k.encode("utf-8"), k, v) for k, v in params.items())
    return "&".join(f"{rfc3986(k)}={rfc3986(v)}" for _, k, v in items)


def sign(method, host, path, params):
    """Step 5 and 6: the string to sign, HMAC-SHA256, base64."""
    string_to_sign = "\n".join([method, host.lower(), path or "/", canonical_query(params)])
    digest = hmac.new(SECRET_KEY.encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def php_urlencode(text):
    """PHP's urlencode, as http_build_query writes values: letters, digits and -_. kept, space
    as +, everything else (~ too) as %XX."""
    return urllib.parse.quote_plus(text.encode("utf-8"), safe="-_.").replace("~", "%7E")


def http_build_query(pairs):
    return "&".join(f"{php_urlencode(k)}={php_urlencode(v)}" for k, v in pairs)


def request(method, path_and_query, body=None):
    conn = http.client.HTTPConnection(SANDBOX["host"], SANDBOX["port"], timeout=30)
    headers = {}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path_and_query, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read().decode("utf-8")
    location = response.getheader("Location")
    conn.close()
    return response.status, location, data


def local(tag):
    return tag.rsplit("}", 1)[-1]


def find(root, name):
    for element in root.iter():
        if local(element.tag) == name:
            return (element.text or "").strip()
    return None


def api(action, **params):
    """A signed Query API GET call; returns (http status, parsed XML root)."""
    params = dict(params)
    params.update(
        {
            "Action": action,
            "AWSAccessKeyId": ACCESS_KEY,
            "SignatureMethod": "HmacSHA256",
            "SignatureVersion": "2",
            "Timestamp": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "Version": "2010-08-28",
        }
    )
    params["Signature"] = sign("GET", SANDBOX["hostport"], "/", params)
    query = "&".join(f"{rfc3986(k)}={rfc3986(v)}" for k, v in params.items())
    status, _, body = request("GET", "/?" + query)
    return status, ET.fromstring(body)


def sdk_api(action, **params):
    """A Query API call as Amazon's own client libraries send it: POSTed, the body built by
    http_build_query (+ for space, %7E for ~), Timestamp with milliseconds, and signed over the
    host without its port (they were written for port 443) while Host carries the port."""
    params = dict(params)
    params.update(
        {
            "Action": action,
            "AWSAccessKeyId": ACCESS_KEY,
            "SignatureMethod": "HmacSHA256",
            "SignatureVersion": "2",
            "Timestamp": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "Version": "2010-08-28",
        }
    )
    params["Signature"] = sign("POST", SANDBOX["host"], "/", params)
    status, _, body = request("POST", "/", http_build_query(params.items()))
    return status, ET.fromstring(body)


def cbui_token(reference, amount, method, reserve=False):
    """Runs a SingleUse pipeline through the pages; returns (landing URL, token id)."""
    params = {
        "callerKey": ACCESS_KEY,
        "pipelineName": "SingleUse",
        "returnURL": "https://merchant.example/return?cart=7",
        "callerReference": reference,
        "transactionAmount": amount,
        "paymentReason": "Interop test",
        "signatureMethod": "HmacSHA256",
        "signatureVersion": "2",
        "version": "2009-01-09",
    }
    if reserve:
        params["reserve"] = "True"
    path = "/cobranded-ui/actions/start"
    params["signature"] = sign("GET", SANDBOX["hostport"], path, params)
    status, _, page = request("GET", path + "?" + urllib.parse.urlencode(params, quote_via=urllib.parse.quote))
    assert status == 200, page
    session = re.search(r'name="session" value="([0-9a-f]+)"', page).group(1)
    form = urllib.parse.urlencode(
        {"session": session, "email": "buyer@sandbox.test", "password": "sandbox", "action": "signin"}
    )
    status, _, page = request("POST", "/cobranded-ui/actions/signin", form)
    assert status == 200, page
    form = urllib.parse.urlencode({"session": session, "paymentMethod": method, "action": "confirm"})
    status, location, page = request("POST", "/cobranded-ui/actions/confirm", form)
    assert status == 303, page
    returned = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
    assert returned["status"] == {"ABT": "SA", "ACH": "SB", "CC": "SC"}[method], returned
    assert returned["callerReference"] == reference
    assert returned["cart"] == "7"
    assert re.fullmatch(r"[A-Z0-9]{64}", returned["tokenID"]), returned
    return location, returned["tokenID"]


def wait_status(transaction_id, wanted):
    for _ in range(2000):
        status, root = api("GetTransactionStatus", TransactionId=transaction_id)
        assert status == 200, ET.tostring(root)
        current = find(root, "TransactionStatus")
        if current != "Pending":
            assert current == wanted, current
            return
        time.sleep(0.025)
    raise AssertionError(f"{transaction_id} stayed Pending")


class InteropTest(unittest.TestCase):
    def test_pay_refund_and_verify_signature(self):
        landing, token = cbui_token("py-pay-1", "10.00", "ABT")
        endpoint, query = landing.split("?", 1)
        status, root = api("VerifySignature", UrlEndPoint=endpoint, HttpParameters=query)
        self.assertEqual(status, 200)
        self.assertEqual(find(root, "VerificationStatus"), "Success")
        status, root = api("VerifySignature", UrlEndPoint=endpoint, HttpParameters=query.replace("cart=7", "cart=8"))
        self.assertEqual(find(root, "VerificationStatus"), "Failure")
        status, root = api("VerifySignature", UrlEndPoint=endpoint + "/", HttpParameters=query)
        self.assertEqual(find(root, "VerificationStatus"), "Failure")

        status, root = api(
            "Pay",
            CallerReference="py-order-1",
            SenderTokenId=token,
            **{"TransactionAmount.Value": "10.00", "TransactionAmount.CurrencyCode": "USD"},
        )
        self.assertEqual(status, 200, ET.tostring(root))
        self.assertEqual(local(root.tag), "PayResponse")
        self.assertEqual(find(root, "TransactionStatus"), "Success")
        transaction_id = find(root, "TransactionId")
        self.assertRegex(transaction_id, r"^[A-Z0-9]{35}$")
        self.assertRegex(find(root, "RequestId"), r"^[0-9a-f-]{36}:0$")

        status, root = api(
            "Refund",
            TransactionId=transaction_id,
            CallerReference="py-refund-1",
            **{"RefundAmount.Value": "4.00", "RefundAmount.CurrencyCode": "USD"},
        )
        self.assertEqual(status, 200, ET.tostring(root))
        self.assertEqual(find(root, "TransactionStatus"), "Success")
        status, root = api(
            "Refund",
            TransactionId=transaction_id,
            CallerReference="py-refund-2",
            **{"RefundAmount.Value": "7.00", "RefundAmount.CurrencyCode": "USD"},
        )
        self.assertEqual(status // 100, 4)
        self.assertEqual(local(root.tag), "Response")
        self.assertEqual(find(root, "Code"), "RefundAmountExceeded")
        self.assertTrue(find(root, "RequestID"))

    def test_reserve_settle_refund(self):
        _, token = cbui_token("py-res-1", "5.00", "CC", reserve=True)
        status, root = api(
            "Reserve",
            CallerReference="py-reserve-1",
            SenderTokenId=token,
            **{"TransactionAmount.Value": "5.00", "TransactionAmount.CurrencyCode": "USD"},
        )
        self.assertEqual(status, 200, ET.tostring(root))
        reserve_id = find(root, "TransactionId")
        wait_status(reserve_id, "Reserved")
        status, root = api(
            "Settle",
            ReserveTransactionId=reserve_id,
            **{"TransactionAmount.Value": "5.01", "TransactionAmount.CurrencyCode": "USD"},
        )
        self.assertEqual(find(root, "Code"), "SettleAmountGreaterThanReserveAmount")
        status, root = api(
            "Settle",
            ReserveTransactionId=reserve_id,
            **{"TransactionAmount.Value": "3.00", "TransactionAmount.CurrencyCode": "USD"},
        )
        self.assertEqual(status, 200, ET.tostring(root))
        self.assertEqual(find(root, "TransactionStatus"), "Pending")
        wait_status(reserve_id, "Success")
        status, root = api("Refund", TransactionId=reserve_id, CallerReference="py-refund-3")
        self.assertEqual(status, 200, ET.tostring(root))
        wait_status(find(root, "TransactionId"), "Success")
        status, root = api("GetTransaction", TransactionId=reserve_id)
        self.assertEqual(find(root, "FPSOperation"), "Settle")
        self.assertEqual(find(root, "Value"), "3.000000")

    def test_official_sdk_wire_forms(self):
        landing, token = cbui_token("py-sdk-1", "8.00", "ABT")
        endpoint, query = landing.split("?", 1)
        # VerifySignature unsigned: only Action, UrlEndPoint, HttpParameters and Version, with
        # HttpParameters rebuilt by http_build_query and so encoded once more in the body.
        received = urllib.parse.parse_qsl(query, keep_blank_values=True)
        body = http_build_query(
            [
                ("Action", "VerifySignature"),
                ("UrlEndPoint", endpoint),
                ("HttpParameters", http_build_query(received)),
                ("Version", "2010-08-28"),
            ]
        )
        status, _, answer = request("POST", "/", body)
        self.assertEqual(status, 200, answer)
        self.assertEqual(find(ET.fromstring(answer), "VerificationStatus"), "Success")

        status, root = sdk_api(
            "Pay",
            CallerReference="py sdk order~1",
            SenderTokenId=token,
            **{"TransactionAmount.Value": "8.00", "TransactionAmount.CurrencyCode": "USD"},
        )
        self.assertEqual(status, 200, ET.tostring(root))
        self.assertEqual(find(root, "TransactionStatus"), "Success")
        status, root = sdk_api("GetTransactionStatus", TransactionId=find(root, "TransactionId"))
        self.assertEqual(status, 200, ET.tostring(root))
        self.assertEqual(find(root, "TransactionStatus"), "Success")
        # Compact error envelope, as Amazon's PHP client's regexes read it.
        status, _, answer = request(
            "POST", "/", http_build_query([("Action", "GetTransactionStatus"), ("Version", "2010-08-28")])
        )
        self.assertEqual(status // 100, 4)
        self.assertRegex(answer, r"<Error><Code>[A-Za-z_]+</Code><Message>[^<]*</Message></Error></Errors><RequestID>")

    def test_get_tokens_and_token_usage(self):
        _, token = cbui_token("py-tokens-1", "6.00", "ABT")
        # GetTokens: the caller's tokens as Token elements, filtered by CallerReference.
        status, root = api("GetTokens", CallerReference="py-tokens-1")
        self.assertEqual(status, 200, ET.tostring(root))
        self.assertEqual(local(root.tag), "GetTokensResponse")
        tokens = [e for e in root.iter() if local(e.tag) == "Token"]
        self.assertEqual(len(tokens), 1, ET.tostring(root))
        self.assertEqual(find(tokens[0], "TokenId"), token)
        self.assertEqual(find(tokens[0], "TokenType"), "SingleUse")
        self.assertEqual(find(tokens[0], "TokenStatus"), "Active")
        self.assertEqual(find(tokens[0], "FriendlyName"), "Interop test")
        status, root = api("GetTokens", TokenStatus="Inactive", CallerReference="py-tokens-1")
        self.assertEqual(status, 200, ET.tostring(root))
        self.assertEqual([e for e in root.iter() if local(e.tag) == "Token"], [])

        # GetTokenUsage: a single-use token allows one payment of its amount; after the payment
        # one was made, for that amount.
        status, root = api("GetTokenUsage", TokenId=token)
        self.assertEqual(status, 200, ET.tostring(root))
        self.assertEqual(find(root, "Count"), "1")
        self.assertEqual(find(root, "LastResetCount"), "0")
        status, root = api(
            "Pay",
            CallerReference="py-tokens-pay-1",
            SenderTokenId=token,
            **{"TransactionAmount.Value": "6.00", "TransactionAmount.CurrencyCode": "USD"},
        )
        self.assertEqual(status, 200, ET.tostring(root))
        status, root = api("GetTokenUsage", TokenId=token)
        self.assertEqual(status, 200, ET.tostring(root))
        limits = [e for e in root.iter() if local(e.tag) == "TokenUsageLimits"]
        self.assertEqual(len(limits), 1, ET.tostring(root))
        limit = limits[0]
        self.assertEqual(find(limit, "LastResetCount"), "1")
        amounts = {local(e.tag): find(e, "Value") for e in limit if local(e.tag).endswith("Amount")}
        self.assertEqual(amounts, {"Amount": "6.000000", "LastResetAmount": "6.000000"})
        self.assertTrue(find(limit, "LastResetTimestamp"))
        # Used, the single-use token is now Inactive.
        status, root = api("GetTokens", TokenStatus="Inactive", CallerReference="py-tokens-1")
        self.assertEqual(find(root, "TokenId"), token)
        status, root = api("GetTokenUsage", TokenId="NOSUCHTOKEN")
        self.assertEqual(status, 400)
        self.assertEqual(find(root, "Code"), "InvalidTokenId_Sender")

    def test_bad_signature_is_refused(self):
        global SECRET_KEY
        saved, SECRET_KEY = SECRET_KEY, "wrong secret"
        try:
            status, root = api("GetTransactionStatus", TransactionId="NONE")
        finally:
            SECRET_KEY = saved
        self.assertEqual(status, 403)
        self.assertEqual(find(root, "Code"), "SignatureDoesNotMatch")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    binary = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        config = os.path.join(tmp, "sandbox.json")
        with open(config, "w", encoding="utf-8") as f:
            json.dump(
                {
                    "callers": [{"access_key_id": ACCESS_KEY, "secret_key": SECRET_KEY, "name": "Python Shop"}],
                    "listen": "127.0.0.1:0",
                    "database": os.path.join(tmp, "state.sqlite"),
                    "pending_delay_ms": 50,
                },
                f,
            )
        process = subprocess.Popen(
            [binary, "sandbox", "--config", config], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        try:
            first = process.stdout.readline().strip()
            match = re.fullmatch(r"FPS sandbox at http://(127\.0\.0\.1):(\d+)", first)
            if not match:
                raise SystemExit(f"the sandbox did not start: {first!r}")
            SANDBOX.update(host=match.group(1), port=int(match.group(2)), hostport=f"{match.group(1)}:{match.group(2)}")
            result = unittest.main(argv=[sys.argv[0], "-v"], exit=False).result
        finally:
            process.terminate()
            process.wait(timeout=10)
    sys.exit(0 if result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
