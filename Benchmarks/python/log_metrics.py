"""The Python peer of the batching-logger benchmark.

  log_metrics.py loop COUNT     one client.log_metric call per value (the common training-loop idiom)
  log_metrics.py batch COUNT    client.log_batch in chunks of 1,000 values

Prints one JSON object: points, stored (counted on the server), seconds, requests.
"""
import json
import sys
import time

from mlflow import MlflowClient
from mlflow.entities import Metric

mode, count = sys.argv[1], int(sys.argv[2])
client = MlflowClient()
name = "bench-python-" + mode
experiment = client.get_experiment_by_name(name)
experiment_id = experiment.experiment_id if experiment else client.create_experiment(name)
run_id = client.create_run(experiment_id, run_name="python-%s-%d" % (mode, count)).info.run_id

started = time.perf_counter()
requests = 0
if mode == "loop":
    for step in range(count):
        client.log_metric(run_id, "loss", 1.0 / (step + 1), step=step)
        requests += 1
elif mode == "batch":
    now = int(time.time() * 1000)
    for start in range(0, count, 1000):
        chunk = [Metric("loss", 1.0 / (step + 1), now, step) for step in range(start, min(count, start + 1000))]
        client.log_batch(run_id, metrics=chunk)
        requests += 1
else:
    raise SystemExit("unknown mode " + mode)
seconds = time.perf_counter() - started

stored = len(client.get_metric_history(run_id, "loss"))
print(json.dumps({"points": count, "stored": stored, "seconds": seconds, "requests": requests, "run_id": run_id}))
