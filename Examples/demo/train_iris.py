#!/usr/bin/env python3
"""The original stack's training flow on the iris dataset, for the demo.

  train_iris.py [--experiment NAME] [--model NAME] [--seed N]

Trains the original candidates (RandomForest, LogisticRegression, SVM), logs one run per candidate to
MLflow (params model_name and task_type, metric accuracy, the model under `model` with an input
example) and registers each model as a new version of the registered model; then a `best_model` run
logs base_model, dataset_name, target_column, the metric, and the artifacts data_contract/
(input_schema.json, sample_input.csv) and metrics/ (validation_metrics.json).

Names follow the original: experiment `<MLFLOW_EXPERIMENT_NAME>_iris` (iris-classification_iris),
registered model `<MLFLOW_MODEL_NAME>_iris` (iris_classifier_iris). Aliases are left to
`mlops alias promote`. The tracking URI comes from MLFLOW_TRACKING_URI.

Prints one JSON line: the versions registered with their candidate, run and accuracy, and a few
iris rows with what each version predicts for them.
"""
import argparse
import json
import os
import tempfile

import mlflow
import mlflow.sklearn
from mlflow import MlflowClient
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split
from sklearn.svm import SVC

DATASET = "iris"
TARGET = "target"


def candidates(seed):
    return {
        "RandomForest": RandomForestClassifier(n_estimators=50, max_depth=3, random_state=seed),
        "LogisticRegression": LogisticRegression(max_iter=1000),
        "SVM": SVC(kernel="linear", C=0.05),
    }


def log_candidate(name, estimator, split, model_name):
    x_train, x_test, y_train, y_test = split
    with mlflow.start_run(run_name=name) as run:
        mlflow.log_params({"model_name": name, "task_type": "classification"})
        estimator.fit(x_train, y_train)
        accuracy = float(accuracy_score(y_test, estimator.predict(x_test)))
        mlflow.log_metric("accuracy", accuracy)
        # Tree ensembles hold scikit-learn's Tree type, which MLflow's safe format loads only when it
        # is named as trusted: these models were trained right here.
        trusted = ["sklearn.tree._tree.Tree"] if name == "RandomForest" else None
        info = mlflow.sklearn.log_model(
            estimator, name="model", registered_model_name=model_name, input_example=x_test.iloc[:3],
            skops_trusted_types=trusted)
    return {
        "candidate": name,
        "run_id": run.info.run_id,
        "accuracy": accuracy,
        "version": str(info.registered_model_version),
        "estimator": estimator,
    }


def log_best(results, split, model_name):
    x_train, x_test, y_train, y_test = split
    best = max(results, key=lambda result: result["accuracy"])
    with mlflow.start_run(run_name="best_model"):
        mlflow.log_params({"base_model": best["candidate"], "dataset_name": DATASET, "target_column": TARGET,
                           "registered_version": best["version"]})
        mlflow.log_metric("accuracy", best["accuracy"])
        with tempfile.TemporaryDirectory() as directory:
            contract = os.path.join(directory, "data_contract")
            metrics = os.path.join(directory, "metrics")
            os.makedirs(contract)
            os.makedirs(metrics)
            with open(os.path.join(contract, "input_schema.json"), "w") as handle:
                json.dump({"dataset": DATASET, "task_type": "classification", "target_column": TARGET,
                           "features": list(x_train.columns)}, handle, indent=2)
            x_test.iloc[:5].to_csv(os.path.join(contract, "sample_input.csv"), index=False)
            with open(os.path.join(metrics, "validation_metrics.json"), "w") as handle:
                json.dump({result["candidate"]: {"accuracy": result["accuracy"], "version": result["version"]}
                           for result in results}, handle, indent=2)
            mlflow.log_artifacts(contract, artifact_path="data_contract")
            mlflow.log_artifacts(metrics, artifact_path="metrics")
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--experiment", default=os.environ.get("MLFLOW_EXPERIMENT_NAME", "iris-classification") + "_" + DATASET)
    parser.add_argument("--model", default=os.environ.get("MLFLOW_MODEL_NAME", "iris_classifier") + "_" + DATASET)
    parser.add_argument("--seed", type=int, default=7)
    arguments = parser.parse_args()

    iris = load_iris(as_frame=True)
    split = train_test_split(iris.data, iris.target, test_size=0.3, random_state=arguments.seed, stratify=iris.target)
    mlflow.set_experiment(arguments.experiment)
    results = [log_candidate(name, estimator, split, arguments.model)
               for name, estimator in candidates(arguments.seed).items()]
    best = log_best(results, split, arguments.model)
    client = MlflowClient()
    for result in results:
        client.set_model_version_tag(arguments.model, result["version"], "candidate", result["candidate"])

    # A few test rows of each species, and first the rows the candidates disagree on, if any.
    x_test = split[1]
    answers = [result["estimator"].predict(x_test) for result in results]
    disputed = [index for index in range(len(x_test)) if len({int(answer[index]) for answer in answers}) > 1]
    picked = (disputed[:3] + [index for index in (0, 5, 10, 15, 20, 25) if index not in disputed])[:8]
    sample = x_test.iloc[picked]
    print(json.dumps({
        "experiment": arguments.experiment,
        "model": arguments.model,
        "best": {"candidate": best["candidate"], "version": best["version"], "accuracy": best["accuracy"]},
        "versions": [{key: value for key, value in result.items() if key != "estimator"} for result in results],
        "sample": {"columns": list(sample.columns), "data": sample.values.tolist()},
        "predictions": {result["version"]: [int(p) for p in result["estimator"].predict(sample)]
                        for result in results},
    }, sort_keys=True))


if __name__ == "__main__":
    main()
