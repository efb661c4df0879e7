# shellcheck shell=bash
# Airflow-specific helpers for scripts/airflow-up and scripts/airflow-down (source after common.sh).

# The test DAGs that airflow-up serves and waits for (Tests/Fixtures/airflow_dags).
# shellcheck disable=SC2034
AIRFLOW_TEST_DAGS=(dag_data_predictions dag_training)

# Stopping by session. airflow-up starts one supervisor shell with setsid; it
# starts the api-server, scheduler and dag-processor in its own process group.
# The LocalExecutor's task supervisors put every task process into a process
# group of its own (so that they can signal a task's whole tree), which the
# supervisor's group signal does not reach, but they stay in the session, whose
# ID is the supervisor shell's PID. (Only BashOperator commands start sessions of
# their own; the test DAGs have none, and their supervisor still stops them.)

# session_members SID: PIDs of live (non-zombie) processes of session SID.
session_members() {
  local want="$1" stat rest state sid f pid
  for f in /proc/[0-9]*/stat; do
    { read -r stat <"$f"; } 2>/dev/null || continue
    rest="${stat##*) }"                       # fields after "pid (comm) ": state ppid pgrp session
    read -r state _ _ sid _ <<<"$rest"
    [ "$sid" = "$want" ] || continue
    [ "$state" = Z ] && continue
    pid="${f#/proc/}"; pid="${pid%/stat}"
    printf '%s\n' "$pid"
  done
}

session_alive() { [ -n "$(session_members "$1")" ]; }

# session_groups SID: process groups that the live members of session SID belong to.
session_groups() {
  local pid
  for pid in $(session_members "$1"); do
    pgid_of "$pid"
  done | sort -u
}

# stop_session SID TIMEOUT_SECONDS: SIGTERM the process group SID (the supervisor
# shell and the Airflow components, which stop their task processes), wait until
# no process of the session is left, SIGKILL every group of the session at the
# deadline. Returns 1 if processes remain.
stop_session() {
  local sid="$1" timeout="$2" deadline pg
  if ! is_uint "$sid" || [ "$sid" -le 1 ]; then
    log "refusing to signal session '$sid'"
    return 1
  fi
  session_alive "$sid" || return 0
  kill -TERM -- "-$sid" 2>/dev/null || true
  deadline=$(( $(now_ms) + timeout * 1000 ))
  while session_alive "$sid" && [ "$(now_ms)" -lt "$deadline" ]; do sleep 0.2; done
  if session_alive "$sid"; then
    log "session $sid still alive after ${timeout}s: sending SIGKILL to its process groups"
    for pg in $(session_groups "$sid"); do
      if is_uint "$pg" && [ "$pg" -gt 1 ]; then kill -KILL -- "-$pg" 2>/dev/null || true; fi
    done
    deadline=$(( $(now_ms) + 5000 ))
    while session_alive "$sid" && [ "$(now_ms)" -lt "$deadline" ]; do sleep 0.1; done
  fi
  if session_alive "$sid"; then
    log "session $sid still has processes: $(session_members "$sid" | tr '\n' ' ')"
    return 1
  fi
  return 0
}

# proc_state PID: the state letter of PID (R, S, Z, ...), empty when it does not exist.
proc_state() {
  local stat rest state
  { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 0
  rest="${stat##*) }"
  read -r state _ <<<"$rest"
  printf '%s\n' "$state"
}

# session_of PID: session ID of PID (empty when it does not exist).
session_of() {
  local stat rest sid
  { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 0
  rest="${stat##*) }"
  read -r _ _ _ sid _ <<<"$rest"
  printf '%s\n' "$sid"
}

# stop_airflow SID COMPONENTS_FILE TIMEOUT_SECONDS: stop an Airflow started by
# airflow-up, in two steps of at most TIMEOUT seconds each:
#  1. SIGTERM to the scheduler alone (its PID is the scheduler= line of
#     COMPONENTS_FILE, checked to be in session SID): it stops the LocalExecutor,
#     which waits for running tasks; they still need the api-server (the
#     Execution API), which is why it goes first. Signalled together, running
#     tasks retry the gone api-server until they are killed.
#  2. stop_session for the rest (api-server, dag-processor, supervisor shell;
#     the shell also stops the others as soon as the scheduler has exited).
stop_airflow() {
  local sid="$1" components="$2" timeout="$3" pid cmd deadline state
  pid="$(sed -n 's/^scheduler=//p' "$components" 2>/dev/null | tr -dc '0-9')"
  if [ -n "$pid" ] && [ "$(session_of "$pid")" = "$sid" ]; then
    cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
    case "$cmd" in
      *airflow*scheduler*)
        kill -TERM "$pid" 2>/dev/null || true
        deadline=$(( $(now_ms) + timeout * 1000 ))
        while :; do
          state="$(proc_state "$pid")"
          { [ -z "$state" ] || [ "$state" = Z ]; } && break
          [ "$(now_ms)" -lt "$deadline" ] || { log "scheduler still running after ${timeout}s"; break; }
          sleep 0.2
        done
        ;;
    esac
  fi
  stop_session "$sid" "$timeout"
}

# session_cmdline_has SID TEXT: true when a live member of the session has TEXT
# in its command line (used to check that a recorded PID is still ours).
session_cmdline_has() {
  # shellcheck disable=SC2046  # one PID a word
  any_cmdline_has "$2" $(session_members "$1")
}

# airflow_probe PYTHON URL USERNAME PASSWORD DAG_ID...: one readiness check.
# Prints one status line and exits
#   0  health says metadatabase, scheduler and dag_processor are healthy, a token
#      is issued for USERNAME, and every DAG_ID is listed by GET /api/v2/dags;
#   1  not yet (the line says what is missing);
#   2  the DAG folder has import errors (the line lists them): waiting is pointless.
# /api/v2/monitor/health answers 200 even when a component is unhealthy, so the
# JSON is read, not the status code.
airflow_probe() {
  local py="$1"
  shift
  "$py" - "$@" <<'EOF'
import json, sys, urllib.error, urllib.request

url, username, password, want = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
no_proxy = urllib.request.build_opener(urllib.request.ProxyHandler({}))

def call(path, body=None, token=None):
    headers = {"Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url + path, data=data, headers=headers)
    with no_proxy.open(req, timeout=5) as resp:
        return json.load(resp)

def not_yet(why):
    print(why)
    sys.exit(1)

try:
    health = call("/api/v2/monitor/health")
except (OSError, ValueError) as e:
    not_yet(f"health: {e}")
states = {k: (health.get(k) or {}).get("status") for k in ("metadatabase", "scheduler", "dag_processor")}
if any(v != "healthy" for v in states.values()):
    not_yet("health: " + ", ".join(f"{k}={v}" for k, v in states.items()))
try:
    token = call("/auth/token", {"username": username, "password": password})["access_token"]
    errors = call("/api/v2/importErrors", token=token)
    if errors.get("total_entries"):
        print("import errors: " + "; ".join(
            f"{e.get('filename')}: {((e.get('stack_trace') or '').strip().splitlines() or [''])[-1]}"
            for e in errors.get("import_errors", [])))
        sys.exit(2)
    dags = call("/api/v2/dags?limit=100", token=token)
except urllib.error.HTTPError as e:
    not_yet(f"{e.url}: HTTP {e.code} {e.read()[:200]!r}")
except (OSError, ValueError, KeyError) as e:
    not_yet(f"api: {e!r}")
have = {d.get("dag_id") for d in dags.get("dags", [])}
missing = [d for d in want if d not in have]
if missing:
    not_yet("DAGs not parsed yet: " + " ".join(missing))
print("ready")
EOF
}

# The Airflow 2 service (scripts/airflow2-up, scripts/airflow2-down) uses the same
# session handling (stop_airflow: its components file names the scheduler too).

# airflow2_probe PYTHON URL USERNAME PASSWORD DAG_ID...: one readiness check of an
# Airflow 2 (REST API v1, basic auth). Prints one status line and exits
#   0  GET /api/v1/health says metadatabase and scheduler are healthy and every
#      DAG_ID is listed by GET /api/v1/dags;
#   1  not yet (the line says what is missing);
#   2  the DAG folder has import errors (the line lists them).
# /api/v1/health answers 200 even when the scheduler is unhealthy: the JSON is read.
airflow2_probe() {
  local py="$1"
  shift
  "$py" - "$@" <<'EOF'
import base64, json, sys, urllib.error, urllib.request

url, username, password, want = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
no_proxy = urllib.request.build_opener(urllib.request.ProxyHandler({}))
basic = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()

def call(path, auth=True):
    headers = {"Accept": "application/json"}
    if auth:
        headers["Authorization"] = basic
    req = urllib.request.Request(url + path, headers=headers)
    with no_proxy.open(req, timeout=5) as resp:
        return json.load(resp)

def not_yet(why):
    print(why)
    sys.exit(1)

try:
    health = call("/api/v1/health", auth=False)
except (OSError, ValueError) as e:
    not_yet(f"health: {e}")
states = {k: (health.get(k) or {}).get("status") for k in ("metadatabase", "scheduler")}
if any(v != "healthy" for v in states.values()):
    not_yet("health: " + ", ".join(f"{k}={v}" for k, v in states.items()))
try:
    errors = call("/api/v1/importErrors")
    if errors.get("total_entries"):
        print("import errors: " + "; ".join(
            f"{e.get('filename')}: {((e.get('stack_trace') or '').strip().splitlines() or [''])[-1]}"
            for e in errors.get("import_errors", [])))
        sys.exit(2)
    dags = call("/api/v1/dags?limit=100")
except urllib.error.HTTPError as e:
    not_yet(f"{e.url}: HTTP {e.code} {e.read()[:200]!r}")
except (OSError, ValueError, KeyError) as e:
    not_yet(f"api: {e!r}")
have = {d.get("dag_id") for d in dags.get("dags", [])}
missing = [d for d in want if d not in have]
if missing:
    not_yet("DAGs not parsed yet: " + " ".join(missing))
print("ready")
EOF
}

# use_wal_journal DB PYTHON: switch the SQLite database DB to write-ahead logging, which
# stays set in the file. Readers then never block the writer, and API writes, the
# scheduler and running tasks stop failing each other with "database is locked".
use_wal_journal() {
  "$2" -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute("PRAGMA journal_mode=WAL").fetchall()' "$1"
}
