#!/usr/bin/env python3
"""The Python MLflow client's side of MLOpsKit's interoperability tests.

  read-run RUN_ID                 print the run as the Python client sees it (JSON)
  write-run EXPERIMENT_NAME       create a run with params, metrics (with history) and tags; print it
  read-alias MODEL ALIAS          print the version behind a registered model alias
  register MODEL RUN_ID ALIAS     register a version of MODEL from RUN_ID and point ALIAS at it
  log-artifacts RUN_ID DIR PATH   log the files of DIR under PATH in the run's artifacts
  download-artifacts RUN_ID PATH DST   download the run's artifacts at PATH into DST
  log-iris-model MODEL ALIAS [KIND]   train a scikit-learn classifier on iris (KIND: logistic, the
                                  default, or constant, which always predicts versicolor), log it
                                  with an input example and register it as a version of MODEL, point
                                  ALIAS at it; print the version, some iris rows (dataframe_split) and
                                  the model's predictions for them

The tracking URI comes from MLFLOW_TRACKING_URI. The answer is the last line of stdout (the client
may print notices before it).
"""
import importlib
import json
import math
import sys

import mlflow
from mlflow import MlflowClient


def number(value):
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, float) and math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def describe_run(client, run_id):
    run = client.get_run(run_id)
    histories = {}
    for key in run.data.metrics:
        histories[key] = [
            {"value": number(m.value), "step": m.step, "timestamp": m.timestamp}
            for m in client.get_metric_history(run_id, key)
        ]
    return {
        "run_id": run.info.run_id,
        "run_name": run.info.run_name,
        "status": run.info.status,
        "experiment_id": run.info.experiment_id,
        "params": run.data.params,
        "tags": {k: v for k, v in run.data.tags.items() if not k.startswith("mlflow.")},
        "metrics": histories,
    }


def main():
    client = MlflowClient()
    command, args = sys.argv[1], sys.argv[2:]
    if command == "read-run":
        print(json.dumps(describe_run(client, args[0]), sort_keys=True))
    elif command == "write-run":
        experiment = client.get_experiment_by_name(args[0])
        experiment_id = experiment.experiment_id if experiment else client.create_experiment(args[0])
        run = client.create_run(experiment_id, run_name="python-writer", tags={"origin": "python"})
        run_id = run.info.run_id
        client.log_param(run_id, "alpha", "0.5")
        client.log_param(run_id, "solver", "lbfgs")
        for step in range(5):
            client.log_metric(run_id, "loss", 1.0 / (step + 1), timestamp=1700000000000 + step, step=step)
        client.log_metric(run_id, "weird", float("nan"), timestamp=1700000000100, step=0)
        client.set_tag(run_id, "team", "ml platform")
        client.set_terminated(run_id, "FINISHED")
        print(json.dumps(describe_run(client, run_id), sort_keys=True))
    elif command == "read-alias":
        version = client.get_model_version_by_alias(args[0], args[1])
        print(json.dumps({"name": version.name, "version": version.version, "run_id": version.run_id,
                          "source": version.source, "aliases": list(version.aliases)}, sort_keys=True))
    elif command == "register":
        model, run_id, alias = args
        try:
            client.create_registered_model(model)
        except mlflow.exceptions.MlflowException:
            pass
        version = client.create_model_version(model, "runs:/%s/model" % run_id, run_id=run_id)
        client.set_registered_model_alias(model, alias, version.version)
        print(json.dumps({"name": model, "version": version.version}, sort_keys=True))
    elif command == "log-artifacts":
        run_id, directory, path = args
        client.log_artifacts(run_id, directory, artifact_path=path or None)
        print(json.dumps({"run_id": run_id}))
    elif command == "download-artifacts":
        run_id, path, destination = args
        local = mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path=path, dst_path=destination)
        print(json.dumps({"path": local}))
    elif command == "log-iris-model":
        model_name, alias = args[:2]
        kind = args[2] if len(args) > 2 else "logistic"
        # Imported by name: `import mlflow.sklearn` here would make `mlflow` a local of main().
        mlflow_sklearn = importlib.import_module("mlflow.sklearn")
        from sklearn.datasets import load_iris
        from sklearn.linear_model import LogisticRegression
        from sklearn.dummy import DummyClassifier

        iris = load_iris(as_frame=True)
        if kind == "constant":
            # Always versicolor: its predictions differ from the logistic regression's.
            classifier = DummyClassifier(strategy="constant", constant=1).fit(iris.data, iris.target)
        else:
            classifier = LogisticRegression(max_iter=1000).fit(iris.data, iris.target)
        rows = iris.data.iloc[[0, 1, 50, 51, 70, 100, 101, 133, 149]]
        with mlflow.start_run() as run:
            info = mlflow_sklearn.log_model(
                classifier, name="model", registered_model_name=model_name, input_example=rows.iloc[:2])
        version = str(info.registered_model_version)
        client.set_registered_model_alias(model_name, alias, version)
        print(json.dumps({
            "version": version,
            "run_id": run.info.run_id,
            "columns": list(rows.columns),
            "data": rows.values.tolist(),
            "predictions": [int(p) for p in classifier.predict(rows)],
        }, sort_keys=True))
    else:
        raise SystemExit("unknown command " + command)


if __name__ == "__main__":
    main()
