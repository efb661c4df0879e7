"""The boto3 client of the S3 benchmarks, configured from the environment as the Swift side is.

  MLOPSKIT_BENCH_S3_URL         endpoint, such as http://127.0.0.1:8333 (path-style addressing)
  MLOPSKIT_BENCH_S3_ACCESS_KEY  access key ID
  MLOPSKIT_BENCH_S3_SECRET_KEY  secret access key
  MLOPSKIT_BENCH_S3_REGION      signing region (default us-east-1)

Everything else is boto3's default, as users run it.
"""
import os

ENV_PREFIX = "MLOPSKIT_BENCH_S3_"


def settings_from_env(environ=os.environ):
    missing = [name for name in ("URL", "ACCESS_KEY", "SECRET_KEY") if not environ.get(ENV_PREFIX + name)]
    if missing:
        raise SystemExit("set " + ", ".join(ENV_PREFIX + name for name in missing))
    return {
        "endpoint_url": environ[ENV_PREFIX + "URL"],
        "aws_access_key_id": environ[ENV_PREFIX + "ACCESS_KEY"],
        "aws_secret_access_key": environ[ENV_PREFIX + "SECRET_KEY"],
        "region_name": environ.get(ENV_PREFIX + "REGION") or "us-east-1",
    }


def client_from_env(max_pool_connections=None):
    import boto3
    from botocore.config import Config

    options = {"s3": {"addressing_style": "path"}}
    if max_pool_connections:
        options["max_pool_connections"] = max_pool_connections
    return boto3.client("s3", config=Config(**options), **settings_from_env())
