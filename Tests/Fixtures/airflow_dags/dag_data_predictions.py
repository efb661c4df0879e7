"""Test DAG `dag_data_predictions` for the Airflow test service (scripts/airflow-up).

Same DAG id as the data/predictions DAG of the original stack, reduced to three
quick steps with no heavy imports: load_data >> predict >> store_predictions.
Manual trigger only (no schedule), paused on creation (Airflow's default).
`predict` writes a few known log lines, and echoes the run conf.
"""

import logging
from datetime import datetime

try:  # Airflow 3 (scripts/airflow-up)
    from airflow.sdk import dag, get_current_context, task
except ImportError:  # Airflow 2 (scripts/airflow2-up)
    from airflow.decorators import dag, task
    from airflow.operators.python import get_current_context

log = logging.getLogger("mlopskit.test_dags.dag_data_predictions")


@dag(
    dag_id="dag_data_predictions",
    description="MLOpsKit test DAG: data predictions",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    tags=["mlopskit-test"],
    default_args={"retries": 0},
)
def dag_data_predictions():
    @task
    def load_data():
        rows = [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]]
        log.info("load_data: loaded %d rows", len(rows))
        return rows

    @task
    def predict(rows):
        conf = get_current_context()["dag_run"].conf or {}
        log.info("predict: conf=%s", conf)
        predictions = ["setosa" if row[2] < 2.5 else "virginica" for row in rows]
        for row, label in zip(rows, predictions):
            print(f"predict: {row} -> {label}")
        return predictions

    @task
    def store_predictions(predictions):
        log.info("store_predictions: stored %d predictions", len(predictions))

    store_predictions(predict(load_data()))


dag_data_predictions()
