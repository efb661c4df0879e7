"""The Python peer of `MLOpsKitBench parse-list`: botocore's own parser on a ListObjectsV2 body.

  s3_parse.py --file F --iterations N

Parses the bytes in F N times (after one warm-up) with botocore.parsers.RestXMLParser against the S3
service model's ListObjectsV2 output shape, exactly as a boto3 client parses a response, timing each
parse on its own. Prints one JSON object: per-parse median and minimum, total seconds, and a checksum
(objects, UTF-8 bytes of all keys, sum of sizes) taken from every parse.
"""
import argparse
import json
import statistics
import time

import botocore.parsers
import botocore.session

arguments = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
arguments.add_argument("--file", required=True)
arguments.add_argument("--iterations", type=int, default=200)
args = arguments.parse_args()
if args.iterations <= 0:
    raise SystemExit("--iterations must be positive")

with open(args.file, "rb") as handle:
    body = handle.read()
shape = botocore.session.get_session().get_service_model("s3").operation_model("ListObjectsV2").output_shape
parser = botocore.parsers.RestXMLParser()


def parse():
    return parser.parse({"body": body, "headers": {}, "status_code": 200}, shape)


parse()  # warm-up
times = []
objects = key_bytes = total_size = 0
for _ in range(args.iterations):
    started = time.perf_counter()
    page = parse()
    times.append(time.perf_counter() - started)
    contents = page["Contents"]
    objects += len(contents)
    key_bytes += sum(len(entry["Key"].encode("utf-8")) for entry in contents)
    total_size += sum(entry["Size"] for entry in contents)

print(json.dumps({
    "iterations": args.iterations,
    "bytes": len(body),
    "seconds": sum(times),
    "median_s": statistics.median(times),
    "min_s": min(times),
    "objects": objects // args.iterations,
    "key_bytes": key_bytes // args.iterations,
    "total_size": total_size // args.iterations,
}, sort_keys=True))
