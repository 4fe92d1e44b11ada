#!/usr/bin/env python3
"""Reference SigV4 signatures from botocore's S3 signer, for the Swift
differential test (Tests/ObjectStoreTests/SigV4BotocoreDifferentialTests).

Reads one JSON array of request descriptions on stdin and writes one JSON
array of results on stdout, in order. A request description:
  method, scheme, host (with :port when not default), bucket, key (raw, or
  null for a bucket request), addressing ("path" | "virtual"), params
  ([[name, value], ...] decoded), headers ([[name, value], ...], repeats
  allowed), body_hex, access_key, secret_key, token (or null), region,
  amz_date (YYYYMMDDTHHMMSSZ).
  presign_expires (optional): sign as a presigned URL (S3SigV4QueryAuth)
  valid for that many seconds instead of with an Authorization header.
A result: url, canonical_request, string_to_sign, authorization (the
Authorization header, or the X-Amz-Signature value of a presigned URL).

botocore builds the object path itself (percent_encode(key, safe='/~'), as
its S3 serializer does), so the path encoding is checked too, not only the
signing of a path handed to it.
"""
import datetime
import json
import sys

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.utils import percent_encode


def sign(spec):
    amz_date = datetime.datetime.strptime(spec["amz_date"], "%Y%m%dT%H%M%SZ").replace(
        tzinfo=datetime.timezone.utc)
    botocore.auth.get_current_datetime = lambda: amz_date

    bucket, key = spec["bucket"], spec["key"]
    if spec["addressing"] == "virtual":
        netloc = f"{bucket}.{spec['host']}"
        path = "/" + (percent_encode(key, safe="/~") if key is not None else "")
    else:
        netloc = spec["host"]
        path = f"/{bucket}" + ("/" + percent_encode(key, safe="/~") if key is not None else "")
    url = f"{spec['scheme']}://{netloc}{path}"

    request = AWSRequest(method=spec["method"], url=url, data=bytes.fromhex(spec["body_hex"]),
                         params=dict(spec["params"]))
    for name, value in spec["headers"]:
        request.headers[name] = value  # HTTPHeaders appends: repeats are kept
    credentials = Credentials(spec["access_key"], spec["secret_key"], spec["token"])
    if spec.get("presign_expires"):
        signer = RecordingS3SigV4QueryAuth(credentials, "s3", spec["region"], expires=spec["presign_expires"])
        signer.add_auth(request)
        authorization = request.url.rsplit("X-Amz-Signature=", 1)[1]
    else:
        signer = RecordingS3SigV4Auth(credentials, "s3", spec["region"])
        signer.add_auth(request)
        authorization = request.headers["Authorization"]
    return {
        "url": url,
        "canonical_request": signer.recorded_canonical_request,
        "string_to_sign": signer.recorded_string_to_sign,
        "authorization": authorization,
    }


class Recording:
    """Keeps the texts a botocore signer signed."""

    def string_to_sign(self, request, canonical_request):
        self.recorded_canonical_request = canonical_request
        self.recorded_string_to_sign = super().string_to_sign(request, canonical_request)
        return self.recorded_string_to_sign


class RecordingS3SigV4Auth(Recording, botocore.auth.S3SigV4Auth):
    pass


class RecordingS3SigV4QueryAuth(Recording, botocore.auth.S3SigV4QueryAuth):
    pass


def main():
    specs = json.load(sys.stdin)
    json.dump([sign(spec) for spec in specs], sys.stdout)


if __name__ == "__main__":
    main()
