"""The Python peer of `MLOpsKitBench s3-list`: every key under a prefix through boto3's paginator.

  s3_list.py --bucket B --prefix P

Lists with the list_objects_v2 paginator (1,000 keys a page, boto3's default) and prints one JSON
object: count (keys seen) and seconds (from the first request to the last page, client creation
excluded). The server comes from MLOPSKIT_BENCH_S3_* (s3_common.py).
"""
import argparse
import json
import time

from s3_common import client_from_env

arguments = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
arguments.add_argument("--bucket", required=True)
arguments.add_argument("--prefix", default="")
args = arguments.parse_args()

client = client_from_env()
started = time.perf_counter()
count = 0
for page in client.get_paginator("list_objects_v2").paginate(Bucket=args.bucket, Prefix=args.prefix):
    for _ in page.get("Contents", ()):
        count += 1
seconds = time.perf_counter() - started
print(json.dumps({"count": count, "seconds": seconds}, sort_keys=True))
