#!/usr/bin/env python3
"""boto 2.49.0's FPS client (`boto.fps.connection.FPSConnection`), unchanged, against the emulator.

boto's installed files are never edited. Its FPS module is Python 2 code; the test adapts it at
run time only where Python 3 breaks it (see `adapt_boto`): the decorators `requires` and
`complex_amounts` call `dict.has_key` and `len(filter(...))`, and `cbui_url` calls
`urllib.quote`. Everything boto sends and signs is its own: the Query API signed over the host
without the port (boto sends `Host` without it too), and the CBUI start URL with its extra signed
`CallerReference` beside `callerReference`.

boto signs the CBUI URL for `authorize.payments.amazon.com` (no port: boto assumes FPS's 443);
a boto user points that name at the emulator and opens the URL on the emulator's port. The test
does the same by sending that name in the Host header to 127.0.0.1, with the port: the emulator
accepts a signature over the host without its port (an emulator tolerance).

Usage: test_boto_interop.py PATH/TO/fps-checkout   (run with a Python that has boto 2.49.0)
"""

import builtins
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import types
import unittest
import urllib.parse
import warnings

import http.client

ACCESS_KEY = "AKIABOTOINTEROP00001"
SECRET_KEY = "boto/interop+secret=key"
SANDBOX = {}


def shim_removed_modules():
    """boto 2 imports `imp` at start-up (boto.plugin): gone in Python 3.12. The FPS path only
    needs it importable (plugins are loaded only when configured), so an empty stand-in serves."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            import imp  # noqa: F401
    except ImportError:
        sys.modules["imp"] = types.ModuleType("imp")


def adapt_boto():
    """Rebuilds FPSConnection's Python 2 decorators for Python 3, at run time."""
    import boto.fps.connection as fps

    fps.urllib = types.SimpleNamespace(quote=urllib.parse.quote)
    fps.filter = lambda function, items: list(builtins.filter(function, items))

    def requires(*groups):
        def decorator(func):
            def wrapper(*args, **kw):
                present = [g for g in groups if all(name in kw for name in g)]
                if len(present) != 1:
                    message = " OR ".join("+".join(g) for g in groups)
                    raise KeyError(f"{getattr(func, 'action', 'Method')} requires {message} argument(s)")
                return func(*args, **kw)

            return fps.add_attrs_from(func, to=wrapper)

        return decorator

    def complex_amounts(*fields):
        def decorator(func):
            def wrapper(self, *args, **kw):
                for field in [f for f in fields if f in kw]:
                    amount = kw.pop(field)
                    kw[field + ".Value"] = getattr(amount, "Value", str(amount))
                    kw[field + ".CurrencyCode"] = getattr(amount, "CurrencyCode", self.currencycode)
                return func(self, *args, **kw)

            return fps.add_attrs_from(func, to=wrapper)

        return decorator

    def rebuild(function):
        """The same decorator chain, with the Python 3 `requires` and `complex_amounts`."""
        code, closure = getattr(function, "__code__", None), getattr(function, "__closure__", None)
        if code is None or not closure:
            return function
        cells = dict(zip(code.co_freevars, (cell.cell_contents for cell in closure)))
        if "func" not in cells:
            return function
        if "groups" in cells:
            return requires(*cells["groups"])(rebuild(cells["func"]))
        if "fields" in cells:
            return complex_amounts(*cells["fields"])(rebuild(cells["func"]))
        if set(cells) == {"func"}:
            return fps.needs_caller_reference(rebuild(cells["func"]))
        return function  # api_action's wrapper: boto's own, Python 3 clean

    for name, member in list(vars(fps.FPSConnection).items()):
        if callable(member) and not name.startswith("__"):
            setattr(fps.FPSConnection, name, rebuild(member))
    return fps.FPSConnection


def connection(secret=SECRET_KEY):
    return FPSConnection(
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=secret,
        host=SANDBOX["host"],
        port=SANDBOX["port"],
        is_secure=False,
    )


def request(method, path_and_query, body=None, host_header=None):
    conn = http.client.HTTPConnection(SANDBOX["host"], SANDBOX["port"], timeout=30)
    headers = {}
    if host_header:
        headers["Host"] = host_header
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path_and_query, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read().decode("utf-8")
    location = response.getheader("Location")
    conn.close()
    return response.status, location, data


def cbui_token(fps, reference, amount, method, reserve=False):
    """boto's cbui_url, then the CBUI pages over HTTP; returns (landing URL, token id)."""
    extra = {"reserve": "True"} if reserve else {}
    url = fps.cbui_url(
        pipelineName="SingleUse",
        returnURL="https://merchant.example/return?cart=7",
        callerReference=reference,
        transactionAmount=amount,
        paymentReason="boto interop",
        version="2009-01-09",
        **extra,
    )
    parts = urllib.parse.urlsplit(url)
    assert "CallerReference=" in parts.query and "callerReference=" in parts.query, url
    status, _, page = request("GET", f"{parts.path}?{parts.query}", host_header=f"{parts.hostname}:{SANDBOX['port']}")
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
    assert returned["callerReference"] == reference, returned
    return location, returned["tokenID"]


def wait_status(fps, transaction_id, wanted):
    for _ in range(400):
        current = fps.get_transaction_status(TransactionId=transaction_id).GetTransactionStatusResult.TransactionStatus
        if current != "Pending":
            assert current == wanted, current
            return
        time.sleep(0.025)
    raise AssertionError(f"{transaction_id} stayed Pending")


class BotoInteropTest(unittest.TestCase):
    def setUp(self):
        # boto leaves its pooled connections to the garbage collector.
        warnings.simplefilter("ignore", ResourceWarning)

    def test_cbui_verify_pay_status_refund(self):
        fps = connection()
        landing, token = cbui_token(fps, "boto-pay-1", "10.00", "ABT")
        endpoint, query = landing.split("?", 1)
        verified = fps.verify_signature(UrlEndPoint=endpoint, HttpParameters=query)
        self.assertEqual(verified.VerifySignatureResult.VerificationStatus, "Success")
        tampered = fps.verify_signature(UrlEndPoint=endpoint, HttpParameters=query.replace("cart=7", "cart=8"))
        self.assertEqual(tampered.VerifySignatureResult.VerificationStatus, "Failure")

        paid = fps.pay(SenderTokenId=token, TransactionAmount="10.00", CallerReference="boto-order-1")
        self.assertEqual(paid.PayResult.TransactionStatus, "Success")
        transaction_id = paid.PayResult.TransactionId
        self.assertRegex(transaction_id, r"^[A-Z0-9]{35}$")
        status = fps.get_transaction_status(TransactionId=transaction_id)
        self.assertEqual(status.GetTransactionStatusResult.TransactionStatus, "Success")
        refunded = fps.refund(TransactionId=transaction_id, RefundAmount="4.00", CallerReference="boto-refund-1")
        self.assertEqual(refunded.RefundResult.TransactionStatus, "Success")
        with self.assertRaises(Exception) as refused:
            fps.refund(TransactionId=transaction_id, RefundAmount="7.00", CallerReference="boto-refund-2")
        self.assertEqual(refused.exception.error_code, "RefundAmountExceeded")

    def test_reserve_then_settle(self):
        fps = connection()
        _, token = cbui_token(fps, "boto-res-1", "5.00", "CC", reserve=True)
        reserved = fps.reserve(SenderTokenId=token, TransactionAmount="5.00", CallerReference="boto-reserve-1")
        reserve_id = reserved.ReserveResult.TransactionId
        wait_status(fps, reserve_id, "Reserved")
        settled = fps.settle(ReserveTransactionId=reserve_id, TransactionAmount="3.00")
        self.assertEqual(settled.SettleResult.TransactionStatus, "Pending")
        wait_status(fps, reserve_id, "Success")

    def test_reserve_then_cancel(self):
        fps = connection()
        _, token = cbui_token(fps, "boto-res-2", "6.00", "CC", reserve=True)
        reserved = fps.reserve(SenderTokenId=token, TransactionAmount="6.00", CallerReference="boto-reserve-2")
        reserve_id = reserved.ReserveResult.TransactionId
        wait_status(fps, reserve_id, "Reserved")
        cancelled = fps.cancel(TransactionId=reserve_id, Description="boto cancel")
        self.assertEqual(cancelled.CancelResult.TransactionStatus, "Cancelled")
        status = fps.get_transaction_status(TransactionId=reserve_id)
        self.assertEqual(status.GetTransactionStatusResult.TransactionStatus, "Cancelled")

    def test_wrong_secret_gets_signature_does_not_match(self):
        fps = connection(secret="not the secret")
        with self.assertRaises(Exception) as refused:
            fps.get_transaction_status(TransactionId="NONE")
        self.assertEqual(refused.exception.status, 403)
        self.assertEqual(refused.exception.error_code, "SignatureDoesNotMatch")


def main():
    global FPSConnection
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    binary = sys.argv[1]
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        os.environ.pop(name, None)
    with tempfile.TemporaryDirectory() as tmp:
        # No user or system boto configuration: only what the test passes.
        os.environ["BOTO_CONFIG"] = os.path.join(tmp, "boto.cfg")
        os.environ["BOTO_PATH"] = os.environ["BOTO_CONFIG"]
        shim_removed_modules()
        import boto

        assert boto.__version__ == "2.49.0", boto.__version__
        FPSConnection = adapt_boto()
        config = os.path.join(tmp, "sandbox.json")
        with open(config, "w", encoding="utf-8") as f:
            json.dump(
                {
                    "callers": [{"access_key_id": ACCESS_KEY, "secret_key": SECRET_KEY, "name": "Boto Shop"}],
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
            SANDBOX.update(host=match.group(1), port=int(match.group(2)))
            result = unittest.main(argv=[sys.argv[0], "-v"], exit=False).result
        finally:
            process.terminate()
            process.wait(timeout=10)
    sys.exit(0 if result.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
