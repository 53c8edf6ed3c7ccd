"""Presigned S3 URLs (AWS Signature Version 4, query-string form) for inputs too big for a request body.

Runpod's ``/run`` takes at most 10 MB; a larger input is PUT to the user's bucket with a presigned
URL and handed to the worker as a presigned GET URL, so the worker needs no credentials. Written
from AWS's "Authenticating Requests: Using Query Parameters (AWS Signature Version 4)"; the test
checks the example that page signs. Works with any S3-compatible store (``endpoint``).
Credentials come from ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` or the project's ``.env``.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import quote, urlsplit


@dataclass(frozen=True)
class S3Location:
    bucket: str
    region: str = "us-east-1"
    endpoint: str = ""          # "" = https://<bucket>.s3.amazonaws.com (virtual-hosted style)
    prefix: str = "cmfc-inputs/"


def presign(method: str, location: S3Location, key: str, access_key: str, secret_key: str,
            expires: int = 3600, now: datetime | None = None) -> str:
    """A presigned URL for ``method`` (GET or PUT) on ``key`` valid for ``expires`` seconds."""
    now = now or datetime.now(timezone.utc)
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    day = now.strftime("%Y%m%d")
    if location.endpoint:  # path style on a custom endpoint: <endpoint>/<bucket>/<key>
        parts = urlsplit(location.endpoint.rstrip("/"))
        scheme, host = parts.scheme, parts.netloc
        path = f"{parts.path}/{location.bucket}/{key}"
    else:
        scheme, host = "https", f"{location.bucket}.s3.amazonaws.com"
        path = f"/{key}"
    canonical_path = quote(path, safe="/~")
    scope = f"{day}/{location.region}/s3/aws4_request"
    query = {
        "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
        "X-Amz-Credential": f"{access_key}/{scope}",
        "X-Amz-Date": stamp,
        "X-Amz-Expires": str(int(expires)),
        "X-Amz-SignedHeaders": "host",
    }
    canonical_query = "&".join(f"{quote(k, safe='~')}={quote(v, safe='~')}" for k, v in sorted(query.items()))
    canonical_request = "\n".join([method, canonical_path, canonical_query, f"host:{host}\n", "host", "UNSIGNED-PAYLOAD"])
    to_sign = "\n".join(["AWS4-HMAC-SHA256", stamp, scope, hashlib.sha256(canonical_request.encode()).hexdigest()])
    signing_key = f"AWS4{secret_key}".encode()
    for part in (day, location.region, "s3", "aws4_request"):
        signing_key = hmac.new(signing_key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(signing_key, to_sign.encode(), hashlib.sha256).hexdigest()
    return f"{scheme}://{host}{canonical_path}?{canonical_query}&X-Amz-Signature={signature}"
