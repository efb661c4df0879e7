#!/usr/bin/env python3
"""Signs requests with botocore's own S3 signers, for the Swift SigV4 differential test.

stdin:  a JSON array of cases
          {"id": 7, "method": "PUT", "url": "<percent-encoded as sent>",
           "headers": [["Name", "value"], ...],      # the request before signing (repeats allowed)
           "sign_extra": ["content-length", ...],    # headers the caller also asked to sign
           "payload": "UNSIGNED-PAYLOAD" | "<sha256 hex>",
           "timestamp": "20260101T000000Z", "region": "us-east-1",
           "access_key": "...", "secret_key": "...", "session_token": null | "...",
           "presign": null | {"method": "GET", "expires": 3600, "headers": [["Name", "value"], ...]}}
stdout: {"botocore_version": "...", "results": [
           {"id": 7,
            "header": {"canonical_request", "string_to_sign", "signature", "authorization", "added": {...}},
            "presign": null | {"url", "canonical_request", "string_to_sign", "signature"}}, ...]}

Header auth goes through S3SigV4Auth.add_auth and presigning through S3SigV4QueryAuth.add_auth, with
botocore's clock pinned to the case's timestamp, so both run exactly as they do inside boto3.

botocore signs every header it is given; the Swift signer signs host, x-amz-*, content-type,
content-md5, range and the headers the caller names. So the headers outside that set are dropped
before botocore sees them: the rule is restated here on purpose, as an independent statement of it.
"""
import datetime
import json
import sys
from unittest import mock

import botocore
import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ALWAYS_SIGNED = {"host", "content-type", "content-md5", "range"}


def capturing(signer_class):
    """A subclass of a botocore signer that keeps the strings it computes and signs a fixed payload."""

    class Capturing(signer_class):
        def __init__(self, *args, payload=None, **kwargs):
            super().__init__(*args, **kwargs)
            self.fixed_payload = payload
            self.seen = {}

        def payload(self, request):
            if self.fixed_payload is not None:
                return self.fixed_payload
            return super().payload(request)

        def canonical_request(self, request):
            self.seen["canonical_request"] = super().canonical_request(request)
            return self.seen["canonical_request"]

        def string_to_sign(self, request, canonical_request):
            self.seen["string_to_sign"] = super().string_to_sign(request, canonical_request)
            return self.seen["string_to_sign"]

        def signature(self, string_to_sign, request):
            self.seen["signature"] = super().signature(string_to_sign, request)
            return self.seen["signature"]

    return Capturing


HeaderSigner = capturing(botocore.auth.S3SigV4Auth)
QuerySigner = capturing(botocore.auth.S3SigV4QueryAuth)


def clock_at(timestamp):
    instant = datetime.datetime.strptime(timestamp, "%Y%m%dT%H%M%SZ")
    return mock.patch.object(botocore.auth, "get_current_datetime", lambda *args, **kwargs: instant)


def request(method, url, headers):
    built = AWSRequest(method=method, url=url, data=b"")
    for name, value in headers:
        built.headers[name] = value  # botocore's TransportHeaders keeps repeated names
    return built


def sign_headers(case, credentials):
    extra = {name.lower() for name in case.get("sign_extra", [])}
    kept = [
        (name, value)
        for name, value in case["headers"]
        if name.lower() in ALWAYS_SIGNED or name.lower().startswith("x-amz-") or name.lower() in extra
    ]
    signer = HeaderSigner(credentials, "s3", case["region"], payload=case["payload"])
    signed = request(case["method"], case["url"], kept)
    with clock_at(case["timestamp"]):
        signer.add_auth(signed)
    added = {}
    for name in ("Authorization", "X-Amz-Date", "X-Amz-Content-SHA256", "X-Amz-Security-Token"):
        if name in signed.headers:
            added[name.lower()] = signed.headers[name]
    return {
        "canonical_request": signer.seen["canonical_request"],
        "string_to_sign": signer.seen["string_to_sign"],
        "signature": signer.seen["signature"],
        "authorization": signed.headers["Authorization"],
        "added": added,
    }


def presign(case, credentials):
    spec = case["presign"]
    signer = QuerySigner(credentials, "s3", case["region"], expires=spec["expires"])
    signed = request(spec["method"], case["url"], spec["headers"])
    with clock_at(case["timestamp"]):
        signer.add_auth(signed)
    return {
        "url": signed.url,
        "canonical_request": signer.seen["canonical_request"],
        "string_to_sign": signer.seen["string_to_sign"],
        "signature": signer.seen["signature"],
    }


def main():
    cases = json.load(sys.stdin)
    results = []
    for case in cases:
        credentials = Credentials(case["access_key"], case["secret_key"], case.get("session_token"))
        results.append(
            {
                "id": case["id"],
                "header": sign_headers(case, credentials),
                "presign": presign(case, credentials) if case.get("presign") else None,
            }
        )
    json.dump({"botocore_version": botocore.__version__, "results": results}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
