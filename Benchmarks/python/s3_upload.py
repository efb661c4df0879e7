"""The Python peer of `MLOpsKitBench s3-upload`: one file through boto3's managed transfer.

  s3_upload.py --file F --bucket B --key K

Calls client.upload_file with the default TransferConfig (multipart above 8 MiB, 8 MiB parts, 10
threads) and prints one JSON object: bytes (the file's size) and seconds (the upload_file call,
client creation excluded). The server comes from MLOPSKIT_BENCH_S3_* (s3_common.py).
"""
import argparse
import json
import os
import time

from s3_common import client_from_env

arguments = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
arguments.add_argument("--file", required=True)
arguments.add_argument("--bucket", required=True)
arguments.add_argument("--key", required=True)
args = arguments.parse_args()

client = client_from_env()
size = os.path.getsize(args.file)
started = time.perf_counter()
client.upload_file(args.file, args.bucket, args.key)
seconds = time.perf_counter() - started
print(json.dumps({"bytes": size, "seconds": seconds}, sort_keys=True))
