"""Test DAG `dag_training` for the Airflow test service (scripts/airflow-up).

Same DAG id as the training DAG of the original stack, reduced to three quick
steps with no heavy imports: prepare_data >> train_model >> register_model.
Manual trigger only (no schedule), paused on creation (Airflow's default).

Triggered with conf {"fail": true}, the task `train_model` raises, the run ends
`failed` and `register_model` ends `upstream_failed`: a client can test failure
reporting. `prepare_data` writes a few known log lines (through `logging` and
`print`) for task-log tests.
"""

import logging
from datetime import datetime

try:  # Airflow 3 (scripts/airflow-up)
    from airflow.sdk import dag, get_current_context, task
except ImportError:  # Airflow 2 (scripts/airflow2-up)
    from airflow.decorators import dag, task
    from airflow.operators.python import get_current_context

log = logging.getLogger("mlopskit.test_dags.dag_training")


def _conf():
    return get_current_context()["dag_run"].conf or {}


@dag(
    dag_id="dag_training",
    description="MLOpsKit test DAG: training (fails in train_model with conf {\"fail\": true})",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["mlopskit-test"],
    default_args={"retries": 0},
)
def dag_training():
    @task
    def prepare_data():
        log.info("prepare_data: log line 1 of 3")
        log.warning("prepare_data: log line 2 of 3 (a warning)")
        print("prepare_data: log line 3 of 3 (printed)")
        return {"rows": 150, "features": 4}

    @task
    def train_model(data):
        conf = _conf()
        log.info("train_model: training on %d rows, conf=%s", data["rows"], conf)
        if conf.get("fail"):
            raise RuntimeError("train_model failed on purpose: the run conf has \"fail\": true")
        return {"accuracy": 0.97}

    @task
    def register_model(metrics):
        log.info("register_model: accuracy=%s", metrics["accuracy"])
        return "registered"

    register_model(train_model(prepare_data()))


dag_training()
