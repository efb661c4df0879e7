"""The Python peer of the autoserve agent's registry reads: the original watcher and exporter polling.

  autoserve_poll.py resync --aliases A,B --polls N [--counter URL]
      N polls in a row in one process; prints one JSON object with, for each poll, the requests the
      counting relay at URL saw, wall time and the process's CPU time (user + system, getrusage).
  autoserve_poll.py serve --aliases A,B [--interval S]
      polls forever, one poll every S seconds (default 30, MLFLOW_SERVE_POLL_SECONDS), printing one JSON
      line after each: the long-running process whose resident memory the harness reads.

Written from the original stack's facts (the MLflow client at the server named by MLFLOW_TRACKING_URI):

- watcher, every poll: the registered models (search_registered_models, here 1,000 a page, its largest
  page, so the listing costs as few requests as it can), then for each configured alias, for each model,
  get_model_version_by_alias (one request per model per alias); models without the alias are skipped.
- exporter, every poll: the registered models again (mlflow_registered_models_total), each model's
  versions (search_model_versions with name='<model>': mlflow_model_versions_total{model_name} and
  mlflow_model_version_created_timestamp{model_name,version}), and for each exporter alias, for each
  model, get_model_version_by_alias (mlflow_model_alias_version{model_name,alias,version}). The facts
  name the metrics, not the calls: these are the per-model reads the metrics need with the client's API.

Nothing is served or exported: the processes only read, as the agent's benchmark side does.
"""
import argparse
import json
import resource
import sys
import time
import urllib.request

from mlflow import MlflowClient
from mlflow.exceptions import MlflowException


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def counted(counter):
    if not counter:
        return None
    with urllib.request.urlopen(counter) as response:
        return json.load(response)["total"]


def registered_models(client):
    models, token = [], None
    while True:
        page = client.search_registered_models(max_results=1000, page_token=token)
        models += list(page)
        token = page.token
        if not token:
            return models


def alias_versions(client, models, aliases):
    """(model, alias) -> ModelVersion, one get_model_version_by_alias per model per alias."""
    found = {}
    for alias in aliases:
        for model in models:
            try:
                found[(model.name, alias)] = client.get_model_version_by_alias(model.name, alias)
            except MlflowException as error:
                if error.error_code != "RESOURCE_DOES_NOT_EXIST":
                    raise
    return found


def watcher_poll(client, aliases):
    """What each (model, alias) should serve: READY versions only, as the agent side counts them."""
    models = registered_models(client)
    return {key: version.version for key, version in alias_versions(client, models, aliases).items()
            if version.status == "READY"}


def exporter_poll(client, aliases):
    """The exporter's gauges, as label tuples and values."""
    models = registered_models(client)
    gauges = {("mlflow_registered_models_total",): len(models)}
    for model in models:
        versions = client.search_model_versions("name='%s'" % model.name.replace("'", "\\'"))
        gauges[("mlflow_model_versions_total", model.name)] = len(versions)
        for version in versions:
            gauges[("mlflow_model_version_created_timestamp", model.name, version.version)] = version.creation_timestamp
    for (name, alias), version in alias_versions(client, models, aliases).items():
        gauges[("mlflow_model_alias_version", name, alias, version.version)] = 1
    gauges[("mlflow_exporter_last_success_timestamp",)] = time.time()
    return gauges


def resync(args, client, aliases, exporter_aliases):
    rows = []
    desired = {}
    for _ in range(args.polls):
        row = {}
        for part in ("watcher", "exporter"):
            before, cpu_before, started = counted(args.counter), cpu_seconds(), time.perf_counter()
            if part == "watcher":
                desired = watcher_poll(client, aliases)
            else:
                exporter_poll(client, exporter_aliases)
            row[part + "_seconds"] = time.perf_counter() - started
            row[part + "_cpu_s"] = cpu_seconds() - cpu_before
            if args.counter:
                row[part + "_requests"] = counted(args.counter) - before
        rows.append(row)
    print(json.dumps({"polls": rows, "keys": len(desired), "version_sum": sum(int(v) for v in desired.values())}))


def serve(args, client, aliases, exporter_aliases):
    while True:
        started = time.perf_counter()
        desired = watcher_poll(client, aliases)
        gauges = exporter_poll(client, exporter_aliases)
        print(json.dumps({"keys": len(desired), "gauges": len(gauges), "seconds": time.perf_counter() - started}),
              flush=True)
        time.sleep(max(0.0, args.interval - (time.perf_counter() - started)))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=("resync", "serve"))
    parser.add_argument("--aliases", default="Production", help="MLFLOW_SERVE_ALIASES")
    parser.add_argument("--exporter-aliases", help="MLFLOW_EXPORTER_ALIASES (default: the same as --aliases)")
    parser.add_argument("--polls", type=int, default=1)
    parser.add_argument("--interval", type=float, default=30.0)
    parser.add_argument("--counter", help="the counting relay's control URL")
    args = parser.parse_args()
    aliases = args.aliases.split(",")
    exporter_aliases = (args.exporter_aliases or args.aliases).split(",")
    client = MlflowClient()
    # Warm-up outside the measurement: the client's lazy imports and its HTTP session, as a watcher
    # that has been running for a while has them.
    client.search_registered_models(max_results=1)
    if args.mode == "resync":
        resync(args, client, aliases, exporter_aliases)
    else:
        serve(args, client, aliases, exporter_aliases)


if __name__ == "__main__":
    sys.exit(main())
