#!/usr/bin/env python3
"""MLOpsKit's benchmark harness: MLOpsKit and the Python MLflow client side by side, same server, one run.

Run it through scripts/bench, which builds the release binaries and starts a default `mlflow server`.
Every measurement alternates the two sides so drifts in machine load hit both equally, and reports
medians and ratios.

  alias-get    whole process: `mlops alias get` vs `python -c 'MlflowClient().get_model_version_by_alias'`
               (wall time and peak RSS of each process)
  log-metrics  N metric values: BatchingRunLogger vs the client's log_metric loop (measured on fewer
               values, compared as a rate) and log_batch in chunks of 1,000; points counted on the server
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def measure(command, env):
    """Runs `command`; returns (seconds, peak RSS in MiB, stdout).

    Peak RSS comes from GNU time wrapping the command: the rusage of a child forked straight from this
    Python process would include the parent's pages from before the exec.
    """
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as report:
        started = time.perf_counter()
        process = subprocess.run(["/usr/bin/time", "-o", report.name, "-f", "%M"] + command,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        seconds = time.perf_counter() - started
        if process.returncode != 0:
            raise SystemExit("%s failed (%d): %s" % (" ".join(command), process.returncode, process.stderr.decode()[-2000:]))
        peak_kib = int(report.read().strip().splitlines()[-1])
    return seconds, peak_kib / 1024.0, process.stdout.decode()


def median(values):
    return statistics.median(values) if values else float("nan")


def setup_alias_fixture(model):
    from mlflow import MlflowClient

    client = MlflowClient()
    try:
        client.get_model_version_by_alias(model, "Production")
        return
    except Exception:
        pass
    experiment = client.get_experiment_by_name("bench-fixtures")
    experiment_id = experiment.experiment_id if experiment else client.create_experiment("bench-fixtures")
    run = client.create_run(experiment_id)
    try:
        client.create_registered_model(model)
    except Exception:
        pass
    version = client.create_model_version(model, run.info.artifact_uri + "/model", run_id=run.info.run_id)
    client.set_registered_model_alias(model, "Production", version.version)


def bench_alias_get(args, env, results):
    model = "bench_alias_model"
    setup_alias_fixture(model)
    swift_command = [args.mlops, "alias", "get", "--model-name", model, "--alias", "Production", "--json"]
    python_command = [sys.executable, os.path.join(HERE, "python", "alias_get.py"), model, "Production"]
    # Warm both (page cache, server caches) before measuring.
    measure(swift_command, env)
    measure(python_command, env)
    swift, python = [], []
    for _ in range(args.alias_rounds):
        swift.append(measure(swift_command, env))
        python.append(measure(python_command, env))
    swift_version = json.loads(swift[-1][2])["version"]
    python_version = python[-1][2].strip()
    if swift_version != python_version:
        raise SystemExit("alias get disagrees: swift %s, python %s" % (swift_version, python_version))
    row = {
        "rounds": args.alias_rounds,
        "swift_median_s": median([s for s, _, _ in swift]),
        "python_median_s": median([s for s, _, _ in python]),
        "swift_peak_rss_mib": max(r for _, r, _ in swift),
        "python_peak_rss_mib": max(r for _, r, _ in python),
    }
    row["speedup"] = row["python_median_s"] / row["swift_median_s"]
    results["alias_get"] = row
    print("alias get (whole process, %d rounds, medians)" % args.alias_rounds)
    print("  mlops alias get      %8.3f s   peak RSS %6.1f MiB" % (row["swift_median_s"], row["swift_peak_rss_mib"]))
    print("  python mlflow client %8.3f s   peak RSS %6.1f MiB" % (row["python_median_s"], row["python_peak_rss_mib"]))
    print("  speedup              %8.1fx" % row["speedup"])


def bench_log_metrics(args, env, results):
    swift_command = [args.bench, "log-metrics", str(args.points)]
    batch_command = [sys.executable, os.path.join(HERE, "python", "log_metrics.py"), "batch", str(args.points)]
    loop_command = [sys.executable, os.path.join(HERE, "python", "log_metrics.py"), "loop", str(args.loop_points)]
    swift, batch, loop = [], [], []
    for _ in range(args.rounds):
        swift.append(json.loads(measure(swift_command, env)[2].strip().splitlines()[-1]))
        batch.append(json.loads(measure(batch_command, env)[2].strip().splitlines()[-1]))
        loop.append(json.loads(measure(loop_command, env)[2].strip().splitlines()[-1]))
    for name, rows in (("swift", swift), ("python log_batch", batch), ("python log_metric loop", loop)):
        for row in rows:
            if row["stored"] != row["points"]:
                raise SystemExit("%s lost points: logged %d, stored %d" % (name, row["points"], row["stored"]))

    def rate(rows):
        return median([row["points"] / row["seconds"] for row in rows])

    row = {
        "rounds": args.rounds,
        "points": args.points,
        "loop_points": args.loop_points,
        "swift_median_s": median([r["seconds"] for r in swift]),
        "swift_points_per_s": rate(swift),
        "swift_requests": swift[-1]["requests"],
        "batch_median_s": median([r["seconds"] for r in batch]),
        "batch_points_per_s": rate(batch),
        "loop_median_s": median([r["seconds"] for r in loop]),
        "loop_points_per_s": rate(loop),
        "lost_points": 0,
    }
    row["speedup_vs_loop"] = row["swift_points_per_s"] / row["loop_points_per_s"]
    row["speedup_vs_batch"] = row["swift_points_per_s"] / row["batch_points_per_s"]
    results["log_metrics"] = row
    print("log %d metric values (%d rounds, medians; every point counted on the server)" % (args.points, args.rounds))
    print("  BatchingRunLogger          %8.2f s  %9.0f points/s  (%d requests)" % (row["swift_median_s"], row["swift_points_per_s"], row["swift_requests"]))
    print("  python log_batch x1000     %8.2f s  %9.0f points/s" % (row["batch_median_s"], row["batch_points_per_s"]))
    print("  python log_metric loop     %8.2f s  %9.0f points/s  (on %d values)" % (row["loop_median_s"], row["loop_points_per_s"], args.loop_points))
    print("  speedup vs log_metric loop %8.1fx" % row["speedup_vs_loop"])
    print("  speedup vs log_batch       %8.2fx" % row["speedup_vs_batch"])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mlops", required=True)
    parser.add_argument("--bench", required=True)
    parser.add_argument("--only", choices=["alias-get", "log-metrics"])
    parser.add_argument("--alias-rounds", type=int, default=11)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--loop-points", type=int, default=500)
    parser.add_argument("--output")
    args = parser.parse_args()
    env = dict(os.environ)
    if "MLFLOW_TRACKING_URI" not in env:
        raise SystemExit("MLFLOW_TRACKING_URI is not set")
    results = {
        "tracking_uri": env["MLFLOW_TRACKING_URI"],
        "server_mode": env.get("MLOPSKIT_BENCH_SERVER_MODE", "unknown"),
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    print("server: %s (%s)" % (results["tracking_uri"], results["server_mode"]))
    if args.only in (None, "alias-get"):
        bench_alias_get(args, env, results)
    if args.only in (None, "log-metrics"):
        bench_log_metrics(args, env, results)
    if args.output:
        with open(args.output, "w") as handle:
            json.dump(results, handle, indent=2, sort_keys=True)
        print("results: " + args.output)


if __name__ == "__main__":
    main()
