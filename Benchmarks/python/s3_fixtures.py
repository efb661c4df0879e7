"""Fixtures of the S3 benchmarks, each made once and reused.

  s3_fixtures.py list-xml OUT [--keys 1000]         a realistic ListObjectsV2 page (deterministic bytes)
  s3_fixtures.py seed --bucket B --prefix P --count N [--workers 32] [--processes P]
                                                    N one-byte objects under P (skipped when P holds N)
  s3_fixtures.py random-file OUT --size BYTES       random bytes (kept when OUT already has that size)

The S3 commands take the server from MLOPSKIT_BENCH_S3_URL, _ACCESS_KEY, _SECRET_KEY and _REGION
(see s3_common.py). run_benchmarks.py calls these functions directly.
"""
import argparse
import base64
import concurrent.futures
import hashlib
import os
import random
import sys
from xml.sax.saxutils import escape

# A listing as an MLflow artifact bucket holds it: run artifacts under runs/<experiment>/<run>/artifacts/.
# Some names carry accents, CJK text and an ampersand, which reach the XML as UTF-8 and &amp;.
_ARTIFACT_NAMES = (
    (0.8, "model/file-%05d.bin"),
    (0.1, "plots/courbe-résumé-%05d.png"),
    (0.1, "notes/R&D 数据 ü-%05d.txt"),
)


def list_objects_v2_xml(keys=1000, seed=42, bucket="mlflow-artifacts", prefix="runs/"):
    """The body of one ListObjectsV2 page of `keys` objects, as AWS sends it: one line, the S3
    namespace, ETags quoted as &quot;, millisecond timestamps, the owner on every entry (as with
    fetch-owner=true), a checksum algorithm on objects written by newer SDKs, and a truncated page
    with its continuation token. The same arguments give the same bytes."""
    rng = random.Random(seed)
    entries = []
    runs = max(1, keys // 100)
    for run in range(runs):
        experiment = rng.choice(("1", "7", "42", "318"))
        run_id = "%032x" % rng.getrandbits(128)
        for index in range(keys // runs + (1 if run < keys % runs else 0)):
            roll, name = rng.random(), None
            for weight, pattern in _ARTIFACT_NAMES:
                if roll < weight:
                    name = pattern % index
                    break
                roll -= weight
            name = name or _ARTIFACT_NAMES[0][1] % index
            entries.append("%s%s/%s/artifacts/%s" % (prefix, experiment, run_id, name))
    entries.sort(key=lambda key: key.encode("utf-8"))  # S3 lists keys in UTF-8 byte order

    owner_id = hashlib.sha256(b"mlops-ci").hexdigest()
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">',
        "<Name>%s</Name><Prefix>%s</Prefix>" % (escape(bucket), escape(prefix)),
        "<NextContinuationToken>%s</NextContinuationToken>" % base64.b64encode(rng.randbytes(54)).decode(),
        "<KeyCount>%d</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>true</IsTruncated>" % len(entries),
    ]
    for key in entries:
        size = rng.choice((rng.randrange(0, 4096), rng.randrange(4096, 1 << 20), rng.randrange(1 << 20, 1 << 34)))
        etag = hashlib.md5(key.encode("utf-8")).hexdigest()
        if size > 64 << 20:
            etag += "-%d" % ((size + (8 << 20) - 1) // (8 << 20))
        stamp = "2026-%02d-%02dT%02d:%02d:%02d.%03dZ" % (
            rng.randrange(1, 12), rng.randrange(1, 29), rng.randrange(24), rng.randrange(60), rng.randrange(60),
            rng.randrange(1000))
        checksum = "<ChecksumAlgorithm>CRC64NVME</ChecksumAlgorithm>" if rng.random() < 0.3 else ""
        parts.append(
            "<Contents><Key>%s</Key><LastModified>%s</LastModified><ETag>&quot;%s&quot;</ETag>%s"
            "<Size>%d</Size><Owner><ID>%s</ID><DisplayName>mlops-ci</DisplayName></Owner>"
            "<StorageClass>STANDARD</StorageClass></Contents>" % (escape(key), stamp, etag, checksum, size, owner_id))
    parts.append("</ListBucketResult>")
    return "".join(parts).encode("utf-8")


def write_list_xml(path, keys=1000):
    """Writes the page to `path` unless the same bytes are already there; returns the path."""
    data = list_objects_v2_xml(keys)
    if os.path.exists(path):
        with open(path, "rb") as handle:
            if handle.read() == data:
                return path
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path + ".tmp", "wb") as handle:
        handle.write(data)
    os.replace(path + ".tmp", path)
    return path


def ensure_bucket(client, bucket):
    try:
        client.head_bucket(Bucket=bucket)
    except client.exceptions.ClientError:
        client.create_bucket(Bucket=bucket)


def count_keys(client, bucket, prefix):
    count = 0
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        count += page.get("KeyCount", 0)
    return count


def seed_key(prefix, index):
    """The index-th seeded key: 100 per directory, like artifacts of many runs."""
    return "%s%04d/artifacts/file-%06d.bin" % (prefix, index // 100, index)


def _put_range(bucket, prefix, start, stop, workers):
    """Puts keys start..<stop from a thread pool with a client of its own (one per process)."""
    from s3_common import client_from_env

    client = client_from_env(max_pool_connections=workers)

    def put(index):
        client.put_object(Bucket=bucket, Key=seed_key(prefix, index), Body=b"x")

    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        for future in concurrent.futures.as_completed([pool.submit(put, i) for i in range(start, stop)]):
            future.result()
    return stop - start


def seed(client, bucket, prefix, count, workers=32, processes=None, log=sys.stderr):
    """Puts `count` one-byte objects under `prefix` (which should end in /).

    Skipped when the prefix already holds exactly `count` keys; otherwise every key is (re)written,
    which is idempotent. boto3 spends about a millisecond of CPU per request, so the keys are split
    between `processes` (default: one per core), each with `workers` threads. The server comes from
    the environment (s3_common.py); `client` checks the bucket and counts. Returns the number of
    keys written."""
    ensure_bucket(client, bucket)
    have = count_keys(client, bucket, prefix)
    if have == count:
        return 0
    if have > count:
        raise SystemExit("s3://%s/%s holds %d keys, more than %d: use another prefix" % (bucket, prefix, have, count))
    print("seeding %d keys under s3://%s/%s (%d there)" % (count, bucket, prefix, have), file=log, flush=True)
    processes = max(1, min(processes or os.cpu_count() or 1, count))
    bounds = [count * i // processes for i in range(processes + 1)]
    with concurrent.futures.ProcessPoolExecutor(max_workers=processes) as pool:
        futures = [pool.submit(_put_range, bucket, prefix, bounds[i], bounds[i + 1], workers) for i in range(processes)]
        for future in futures:
            future.result()
    have = count_keys(client, bucket, prefix)
    if have != count:
        raise SystemExit("seeding s3://%s/%s left %d keys, not %d" % (bucket, prefix, have, count))
    return count


def random_file(path, size):
    """A file of `size` random bytes at `path`, kept if it already has that size; returns the path."""
    if os.path.exists(path) and os.path.getsize(path) == size:
        return path
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    chunk = 8 << 20
    with open(path + ".tmp", "wb") as handle:
        written = 0
        while written < size:
            n = min(chunk, size - written)
            handle.write(os.urandom(n))
            written += n
    os.replace(path + ".tmp", path)
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    xml = commands.add_parser("list-xml")
    xml.add_argument("out")
    xml.add_argument("--keys", type=int, default=1000)
    seeding = commands.add_parser("seed")
    seeding.add_argument("--bucket", required=True)
    seeding.add_argument("--prefix", required=True)
    seeding.add_argument("--count", type=int, required=True)
    seeding.add_argument("--workers", type=int, default=32, help="threads per process")
    seeding.add_argument("--processes", type=int, help="default: one per core")
    blob = commands.add_parser("random-file")
    blob.add_argument("out")
    blob.add_argument("--size", type=int, required=True)
    args = parser.parse_args()
    if args.command == "list-xml":
        print(write_list_xml(args.out, args.keys))
    elif args.command == "seed":
        from s3_common import client_from_env

        print(seed(client_from_env(), args.bucket, args.prefix, args.count, args.workers, args.processes))
    else:
        print(random_file(args.out, args.size))


if __name__ == "__main__":
    main()
