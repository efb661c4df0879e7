"""The demo's training DAG `dag_training` (scripts/demo --with-airflow).

One task, `train_and_register`, runs Examples/demo/train_iris.py: the original candidates trained on
iris, logged to MLflow and registered as versions of `iris_classifier_iris`. The script needs MLflow
and scikit-learn, which live in the services environment, not in Airflow's, so the task runs it with
that environment's interpreter. scripts/demo starts Airflow with:

  MLOPSKIT_DEMO_PYTHON        the interpreter that has mlflow and scikit-learn
  MLFLOW_TRACKING_URI         the MLflow server the runs and versions go to
  MLOPSKIT_DEMO_TRAIN_OUTPUT  the file that receives the script's JSON summary

Manual trigger only (no schedule), paused on creation: `mlops dags unpause dag_training` then
`mlops dags trigger dag_training --wait`.
"""

import logging
import os
import subprocess
from datetime import datetime
from pathlib import Path

from airflow.sdk import dag, task

log = logging.getLogger("mlopskit.demo.dag_training")
SCRIPT = Path(__file__).resolve().parent.parent / "train_iris.py"


@dag(
    dag_id="dag_training",
    description="MLOpsKit demo: train the iris candidates and register them in MLflow",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["mlopskit-demo"],
    default_args={"retries": 0},
)
def dag_training():
    @task
    def train_and_register():
        python = os.environ["MLOPSKIT_DEMO_PYTHON"]
        output = os.environ["MLOPSKIT_DEMO_TRAIN_OUTPUT"]
        log.info("training with %s against %s", python, os.environ.get("MLFLOW_TRACKING_URI"))
        # The child stays in this task's process group, so stopping Airflow stops it too.
        result = subprocess.run([python, str(SCRIPT)], capture_output=True, text=True, check=False)
        for line in result.stderr.splitlines()[-40:]:
            log.info("train_iris.py: %s", line)
        if result.returncode != 0:
            raise RuntimeError(f"train_iris.py exited with status {result.returncode}")
        summary = result.stdout.strip().splitlines()[-1]
        Path(output).write_text(summary + "\n")
        log.info("summary written to %s", output)
        return output

    train_and_register()


dag_training()
