# shellcheck shell=bash
# MLflow-specific helpers for scripts/mlflow-up and scripts/mlflow-down (source after common.sh).

# The server's job runner keeps its queue in a mkdtemp() directory (under /dev/shm
# when it exists) that MLflow does not remove when it is stopped. Its path is in
# the environment of the server's child processes.

# mlflow_job_dirs PGID: job-queue directories used by the process group.
mlflow_job_dirs() {
  local member
  for member in $(group_members "$1"); do
    tr '\0' '\n' <"/proc/$member/environ" 2>/dev/null | sed -n 's/^_MLFLOW_HUEY_STORAGE_PATH=//p' || true
  done | sort -u
}

# remove_mlflow_job_dirs DIR...: remove such directories (only mkdtemp-style tmp* ones).
remove_mlflow_job_dirs() {
  local dir
  for dir in "$@"; do
    case "$dir" in
      /dev/shm/tmp* | "${TMPDIR:-/tmp}"/tmp*) [ ! -d "$dir" ] || rm -rf -- "$dir" ;;
    esac
  done
}
