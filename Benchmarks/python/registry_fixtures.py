"""Registry fixtures of the autoserve benchmarks, made through the MLflow client and reused.

  registry_fixtures.py seed --prefix P --models N --aliases A,B [--workers 16]

Registers N models named P0000, P0001, ... with one READY version each and every alias in A,B pointing
at it, on the server named by MLFLOW_TRACKING_URI. Models already complete (all aliases set) are left
alone, so a second call against the same server only checks. run_benchmarks.py calls seed() directly.
"""
import argparse
import concurrent.futures
import http.client
import json
import os
import sys
import urllib.parse


def model_names(prefix, count):
    return ["%s%04d" % (prefix, index) for index in range(count)]


def complete_models(client, prefix, aliases):
    """Names of the models under `prefix` that carry every alias in `aliases`."""
    done = set()
    token = None
    while True:
        page = client.search_registered_models(
            filter_string="name LIKE '%s%%'" % prefix, max_results=1000, page_token=token)
        for model in page:
            if set(aliases) <= set(model.aliases or {}):
                done.add(model.name)
        token = page.token
        if not token:
            return done


def seed(client, tracking_uri, prefix, count, aliases, workers=16, log=sys.stdout):
    """Makes sure the N models exist with their aliases; returns how many were registered now.

    The models, versions and aliases are written over REST, a connection per request, from `workers`
    threads (the client's create_model_version also polls each new version until it is READY); the
    SQLite store registers versions READY at once."""
    done = complete_models(client, prefix, aliases)
    missing = [name for name in model_names(prefix, count) if name not in done]
    if not missing:
        return 0
    experiment = client.get_experiment_by_name("bench-fixtures")
    experiment_id = experiment.experiment_id if experiment else client.create_experiment("bench-fixtures")
    run = client.create_run(experiment_id, run_name="autoserve-fixtures")
    source = run.info.artifact_uri + "/model"

    base = urllib.parse.urlsplit(tracking_uri)

    def post(path, body):
        # One connection per request: on the default server a reused connection waits ~40 ms per request.
        connection = http.client.HTTPConnection(base.hostname, base.port or 80, timeout=60)
        try:
            connection.request("POST", base.path.rstrip("/") + "/api/2.0/mlflow/" + path, json.dumps(body),
                               {"Content-Type": "application/json"})
            response = connection.getresponse()
            payload = json.loads(response.read() or b"{}")
        finally:
            connection.close()
        if response.status != 200 and payload.get("error_code") != "RESOURCE_ALREADY_EXISTS":
            raise RuntimeError("%s: %d %s" % (path, response.status, payload))
        return payload

    def register(name):
        post("registered-models/create", {"name": name})  # may exist after an interrupted seed
        version = post("model-versions/create", {"name": name, "source": source, "run_id": run.info.run_id})
        number = version["model_version"]["version"]
        for alias in aliases:
            post("registered-models/alias", {"name": name, "alias": alias, "version": number})

    if log:
        log.write("  registering %d models with aliases %s (%d threads)\n" % (len(missing), ",".join(aliases), workers))
        log.flush()
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        for future in concurrent.futures.as_completed([pool.submit(register, name) for name in missing]):
            future.result()
    client.set_terminated(run.info.run_id)
    return len(missing)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    seed_parser = sub.add_parser("seed")
    seed_parser.add_argument("--prefix", required=True)
    seed_parser.add_argument("--models", type=int, required=True)
    seed_parser.add_argument("--aliases", default="Production,Test")
    seed_parser.add_argument("--workers", type=int, default=16)
    args = parser.parse_args()
    if "MLFLOW_TRACKING_URI" not in os.environ:
        raise SystemExit("MLFLOW_TRACKING_URI is not set")
    from mlflow import MlflowClient

    written = seed(MlflowClient(), os.environ["MLFLOW_TRACKING_URI"], args.prefix, args.models, args.aliases.split(","), workers=args.workers)
    print("registered %d models" % written)


if __name__ == "__main__":
    main()
