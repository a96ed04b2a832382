#!/usr/bin/python3
"""Signs generated S3 requests with botocore's own SigV4 signer (S3SigV4Auth) at a fixed time and
prints one JSON object per line: the request's inputs and botocore's Authorization header.
tests/objstore/sigv4_botocore_test.cc signs the same inputs with Tidemark's signer and compares.

Usage: botocore_sign.py [COUNT] [SEED]. Uses Debian's python3-botocore (scripts/setup.sh)."""
import datetime
import json
import random
import sys
from unittest import mock
from urllib.parse import quote

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

FIXED = datetime.datetime(2026, 11, 28, 9, 15, 30)

KEY_PIECES = ["backup", "dump.rdb", "a b", "x+y", "k=v", "tilde~", "100%", "ünï", "ключ", "日本",
              "semi;colon", "q?mark", "hash#", "amp&", "star*", "paren(1)", "comma,", "at@",
              "dollar$", "quote'", "..", ".", "-_", "emoji\U0001F600", "plus+plus", "%2F"]
QUERY_NAMES = ["prefix", "max-keys", "continuation-token", "uploadId", "partNumber", "list-type",
               "delimiter", "uploads", "start-after", "x y", "a+b"]
HEADER_NAMES = ["Range", "If-Match", "x-amz-meta-sha256", "x-amz-meta-backup-name",
                "Content-Type", "x-amz-storage-class", "X-Amz-Meta-Mixed"]


def gen_case(rng, index):
    key = "/".join(rng.choice(KEY_PIECES) for _ in range(rng.randint(1, 4)))
    if rng.random() < 0.2:
        key = "/" + key  # a key that starts with '/'
    virtual = rng.random() < 0.5
    bucket = "tidemark-backups"
    path = ("/" if virtual else f"/{bucket}/") + key
    if rng.random() < 0.1:
        path = "/" if virtual else f"/{bucket}"
    host = f"{bucket}.s3.eu-west-1.amazonaws.com" if virtual else "127.0.0.1:9000"
    query = []
    for _ in range(rng.randint(0, 4)):
        name = rng.choice(QUERY_NAMES)
        value = "" if name == "uploads" else rng.choice(["", "1", "J", "a b", "x/y=z", "~+%", "é", str(rng.randint(0, 10**6))])
        query.append([name, value])
    headers = [["Host", host]]
    for name in rng.sample(HEADER_NAMES, rng.randint(0, 3)):
        value = rng.choice(["bytes=0-9", '"etag"', "  spaced   value  ", "abc", "application/octet-stream"])
        headers.append([name, value])
    method = rng.choice(["GET", "PUT", "POST", "HEAD", "DELETE"])
    body = "" if method in ("GET", "HEAD", "DELETE") else rng.choice(["", "hello", "<xml/>", "x" * 1000])
    signed = rng.random() < 0.6
    token = rng.choice(["", "", "FwoGZXIvYXdzEDMaDPWKaVEQA+D5xrr7/CLEAXcx9p1NGpYqnz4=="])
    region = rng.choice(["us-east-1", "eu-west-1", "auto"])
    return {"index": index, "method": method, "path": path, "query": query, "headers": headers,
            "body": body, "signed_payload": signed, "session_token": token, "region": region,
            "access_key": "AKIDEXAMPLE", "secret_key": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "unix_time": int(FIXED.replace(tzinfo=datetime.timezone.utc).timestamp())}


def botocore_authorization(case):
    url = "https://" + case["headers"][0][1] + quote(case["path"], safe="/~")
    request = AWSRequest(method=case["method"], url=url, data=case["body"].encode(),
                         params=[tuple(q) for q in case["query"]] or None)
    for name, value in case["headers"]:
        request.headers[name] = value
    request.context["client_config"] = Config(s3={"payload_signing_enabled": case["signed_payload"]})
    creds = Credentials(case["access_key"], case["secret_key"], case["session_token"] or None)
    with mock.patch("botocore.auth.datetime") as fake:
        fake.datetime.utcnow.return_value = FIXED
        S3SigV4Auth(creds, "s3", case["region"]).add_auth(request)
    return request.headers["Authorization"]


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 10)
    for i in range(count):
        case = gen_case(rng, i)
        case["authorization"] = botocore_authorization(case)
        print(json.dumps(case, ensure_ascii=False))


if __name__ == "__main__":
    main()
