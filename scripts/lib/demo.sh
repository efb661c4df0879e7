# shellcheck shell=bash
# The steps of scripts/demo (source after common.sh).

DEMO_DIR="${MLOPSKIT_DEMO_DIR:-${MLOPSKIT_ROOT}/.demo}"
LOGS="${DEMO_DIR}/logs"
SERVICES="${DEMO_DIR}/services"       # MLOPSKIT_SERVICES_DIR of the service scripts
SERVING="${DEMO_DIR}/serving"         # the agent's process runtime state
DEMO_ENV="${DEMO_DIR}/env"
AGENT_PIDFILE="${DEMO_DIR}/agent.pid"
TRAIN_JSON="${DEMO_DIR}/train.json"
REPORT="${MLOPSKIT_ROOT}/scripts/lib/demo_report.py"

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
  BOLD=$'\e[1m' DIM=$'\e[2m' GREEN=$'\e[32m' RED=$'\e[31m' RESET=$'\e[0m'
else
  BOLD="" DIM="" GREEN="" RED="" RESET=""
fi

STEP=0
STEP_T0=0
say_title() { printf '%s%s%s\n' "$BOLD" "$*" "$RESET"; }
say() { printf '    %s\n' "$*"; }
# say_block: standard input, indented.
say_block() { sed 's/^/    /'; }
step() {
  STEP=$(( STEP + 1 ))
  STEP_T0="$(now_ms)"
  printf '\n%s==> [%d/%d] %s%s\n' "$BOLD" "$STEP" "$TOTAL_STEPS" "$*" "$RESET"
}
step_done() { printf '    %sdone in %s%s\n' "$DIM" "$(fmt_ms $(( $(now_ms) - STEP_T0 )))" "$RESET"; }
fail() {
  printf '    %sFAILED: %s%s\n' "$RED" "$*" "$RESET" >&2
  exit 1
}

# demo_failed STATUS: the EXIT trap of a run that did not reach its end.
demo_failed() {
  local rc="$1"
  trap - EXIT
  [ "$rc" -ne 0 ] || rc=1
  printf '\n%sThe demo stopped at step %d after %s (exit %d).%s\n' "$RED" "$STEP" \
    "$(fmt_ms $(( $(now_ms) - T_DEMO )))" "$rc" "$RESET" >&2
  if [ "$STEP" -le 3 ]; then
    printf 'Nothing was started. Logs: %s/\n' "$(display_path "$LOGS")" >&2
  else
    printf 'Logs: %s/   What is still running stays up for a look; stop it with: scripts/demo --down\n' \
      "$(display_path "$LOGS")" >&2
  fi
  exit "$rc"
}

# run_logged NAME MESSAGE COMMAND...: run COMMAND with its output in logs/NAME.out (stdout) and
# logs/NAME.log (stderr); say MESSAGE when it takes more than 3 seconds; on failure show the log.
run_logged() {
  local name="$1" message="$2" pid rc=0 deadline said=0
  shift 2
  "$@" >"${LOGS}/${name}.out" 2>"${LOGS}/${name}.log" </dev/null &
  pid=$!
  deadline=$(( $(now_ms) + 3000 ))
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$said" -eq 0 ] && [ "$(now_ms)" -ge "$deadline" ]; then
      say "$message"
      say "${DIM}(progress: tail -f $(display_path "${LOGS}/${name}.log"))${RESET}"
      said=1
    fi
    sleep 0.2
  done
  wait "$pid" || rc=$?
  if [ "$rc" -ne 0 ]; then
    printf '    last lines of %s:\n' "$(display_path "${LOGS}/${name}.log")" >&2
    tail -n 30 "${LOGS}/${name}.log" | sed 's/^/      /' >&2
    fail "$* exited with status $rc"
  fi
}

# --- prerequisites ------------------------------------------------------------------------------

APT_PACKAGES="libcurl4-openssl-dev libxml2-dev pkg-config python3-venv curl"

check_prerequisites() {
  local missing=() found=()
  if command -v swift >/dev/null 2>&1; then
    found+=("$(swift --version 2>/dev/null | sed -n 's/.*Swift version \([0-9.]*\).*/swift \1/p' | head -n 1)")
  else
    missing+=("swift 6.1 or later (https://www.swift.org/install/linux/)")
  fi
  PYTHON_BIN=""
  local candidate
  for candidate in "${PYTHON:-}" python3 /usr/bin/python3; do
    if [ -z "$candidate" ] || ! command -v "$candidate" >/dev/null 2>&1; then continue; fi
    if "$candidate" -c 'import sys, ensurepip, venv; sys.exit(0 if sys.version_info >= (3, 10) else 1)' 2>/dev/null; then
      PYTHON_BIN="$(command -v "$candidate")"
      break
    fi
  done
  if [ -n "$PYTHON_BIN" ]; then
    found+=("$("$PYTHON_BIN" --version 2>&1)")
  else
    missing+=("python3 3.10 or later that can create virtualenvs (apt package python3-venv)")
  fi
  if command -v curl >/dev/null 2>&1; then
    found+=("$(curl --version | head -n 1 | cut -d' ' -f1-2)")
  else
    missing+=("curl")
  fi
  command -v setsid >/dev/null 2>&1 || missing+=("setsid (apt package util-linux)")
  if ! command -v pkg-config >/dev/null 2>&1; then
    missing+=("pkg-config")
  elif ! pkg-config --exists libcurl libxml-2.0 2>/dev/null; then
    missing+=("the development files of libcurl and libxml2")
  fi
  if [ "${#missing[@]}" -gt 0 ]; then
    printf '    %smissing: %s%s\n' "$RED" "${missing[0]}" "$RESET" >&2
    local item
    for item in "${missing[@]:1}"; do printf '    %smissing: %s%s\n' "$RED" "$item" "$RESET" >&2; done
    printf '    On Debian or Ubuntu:  sudo apt-get install -y %s\n' "$APT_PACKAGES" >&2
    fail "install the prerequisites above, then run scripts/demo again"
  fi
  say "$(IFS=,; printf '%s' "${found[*]}" | sed 's/,/, /g')"
}

# fresh_state: empty logs, service and serving state (nothing of a stopped demo is reused but the
# environments and the build).
fresh_state() {
  mkdir -p "$DEMO_DIR"
  rm -rf "$LOGS" "$SERVING" "${DEMO_DIR}/switch" "$SERVICES"
  rm -f "$DEMO_ENV" "$TRAIN_JSON" "${DEMO_DIR}/down.log"
  mkdir -p "$LOGS" "$SERVING" "$SERVICES"
}

# --- build --------------------------------------------------------------------------------------

build_products() {
  local args=(-c release)
  [ -z "${MLOPSKIT_DEMO_SCRATCH_PATH:-}" ] || args+=(--scratch-path "$MLOPSKIT_DEMO_SCRATCH_PATH")
  BIN="$(swift build "${args[@]}" --show-bin-path 2>/dev/null)" || fail "swift build --show-bin-path failed"
  MLOPS="${BIN}/mlops"
  AGENT="${BIN}/autoserve-agent"
  # Planning a build that has nothing to do still takes swift build about 10 s per product: skip it
  # when both binaries are newer than every source and manifest.
  if [ -x "$MLOPS" ] && [ -x "$AGENT" ] && [ -z "$(sources_newer_than "$MLOPS" "$AGENT")" ]; then
    say "up to date (no source changed since the last build)"
  else
    run_logged build-mlops "compiling mlops (the first build takes several minutes)" \
      to_stderr swift build "${args[@]}" --product mlops
    run_logged build-agent "compiling autoserve-agent" \
      to_stderr swift build "${args[@]}" --product autoserve-agent
  fi
  if [ ! -x "$MLOPS" ] || [ ! -x "$AGENT" ]; then fail "no mlops or autoserve-agent in ${BIN}"; fi
  say "$(display_path "$BIN")/{mlops,autoserve-agent} ($("$MLOPS" --version))"
}

# to_stderr COMMAND...: COMMAND with its standard output on standard error (in the step's log).
to_stderr() { "$@" >&2; }

# sources_newer_than FILE...: the first source file or manifest newer than one of the FILEs.
sources_newer_than() {
  local file
  for file in "$@"; do
    find "${MLOPSKIT_ROOT}/Sources" "${MLOPSKIT_ROOT}/Package.swift" "${MLOPSKIT_ROOT}/Package.resolved" \
      -newer "$file" -print -quit 2>/dev/null
  done | head -n 1
}

# mlops ARGS...: the demo's mlops, with the demo's configuration in the environment.
mlops() { "$MLOPS" "$@"; }

# --- services -----------------------------------------------------------------------------------

# service_up NAME MESSAGE [VAR=VALUE...]: scripts/NAME-up against the demo's state, MESSAGE said
# when it takes a while; its URL in SERVICE_URL.
service_up() {
  local name="$1" message="$2"
  shift 2
  run_logged "$name" "$message" env MLOPSKIT_SERVICES_DIR="$SERVICES" "$@" "scripts/${name}-up"
  SERVICE_URL="$(tail -n 1 "${LOGS}/${name}.out")"
}

start_s3() {
  service_up seaweedfs "waiting for SeaweedFS" SEAWEEDFS_START_TIMEOUT=120 \
    ${DEMO_S3_PORT:+SEAWEEDFS_PORT_TEST="$DEMO_S3_PORT"}
  # shellcheck disable=SC1091
  source "${SERVICES}/seaweedfs.env"
  export MLFLOW_S3_ENDPOINT_URL="$SERVICE_URL"
  export AWS_ACCESS_KEY_ID="$MLOPSKIT_TEST_S3_SEAWEEDFS_ACCESS_KEY"
  export AWS_SECRET_ACCESS_KEY="$MLOPSKIT_TEST_S3_SEAWEEDFS_SECRET_KEY"
  export AWS_DEFAULT_REGION="$MLOPSKIT_TEST_S3_SEAWEEDFS_REGION"
  say "SeaweedFS S3 on ${MLFLOW_S3_ENDPOINT_URL}"
  mlops s3 mb s3://mlflow --ignore-existing | say_block
  write_env
}

start_mlflow() {
  # Two workers are plenty for one user, and start faster than the default four on a small machine.
  local extra=(MLFLOW_WORKERS=2 MLFLOW_START_TIMEOUT=180)
  [ -z "${DEMO_MLFLOW_PORT:-}" ] || extra+=(MLFLOW_PORT_TEST="$DEMO_MLFLOW_PORT")
  [ "$ARTIFACTS" != s3 ] || extra+=(MLFLOW_ARTIFACTS_DESTINATION=s3://mlflow/artifacts)
  service_up mlflow "waiting for the MLflow server (importing mlflow takes 10-30 s)" "${extra[@]}"
  export MLFLOW_TRACKING_URI="$SERVICE_URL"
  say "MLflow on ${MLFLOW_TRACKING_URI} (runs in SQLite, artifacts in $([ "$ARTIFACTS" = s3 ] && echo s3://mlflow/artifacts || echo a local directory))"
  write_env
}

start_airflow() {
  service_up airflow "waiting for Airflow's api-server, scheduler and dag-processor (30-60 s)" \
    AIRFLOW_START_TIMEOUT=240 ${DEMO_AIRFLOW_PORT:+AIRFLOW_PORT_TEST="$DEMO_AIRFLOW_PORT"} \
    AIRFLOW_DAGS_FOLDER="${MLOPSKIT_ROOT}/Examples/demo/dags" AIRFLOW_DAG_IDS=dag_training \
    MLOPSKIT_DEMO_PYTHON="$PY" MLOPSKIT_DEMO_TRAIN_OUTPUT="$TRAIN_JSON"
  # shellcheck disable=SC1091
  source "${SERVICES}/airflow.env"
  export AIRFLOW_BASE_URL="$SERVICE_URL"
  export AIRFLOW_ADMIN_USER="$MLOPSKIT_TEST_AIRFLOW_USERNAME"
  export AIRFLOW_ADMIN_PASSWORD="$MLOPSKIT_TEST_AIRFLOW_PASSWORD"
  say "Airflow on ${AIRFLOW_BASE_URL} (user ${AIRFLOW_ADMIN_USER}, password in $(display_path "$DEMO_ENV"))"
  write_env
}

# write_env: the demo's endpoints and credentials as export lines (the credentials are the
# loopback-only demo ones; the file is readable by its owner only).
write_env() {
  local tmp
  tmp="$(mktemp "${DEMO_ENV}.XXXXXX")"
  {
    printf '# Written by scripts/demo: the demo stack. Use it with: source %s\n' "$(display_path "$DEMO_ENV")"
    # shellcheck disable=SC2016  # $PATH expands when the file is sourced
    [ -z "${BIN:-}" ] || printf 'export PATH=%q:"$PATH"\n' "$BIN"
    [ -z "${MLFLOW_TRACKING_URI:-}" ] || printf 'export MLFLOW_TRACKING_URI=%q\n' "$MLFLOW_TRACKING_URI"
    printf 'export MLFLOW_MODEL_NAME=%q\n' "${MODEL%_iris}"
    if [ -n "${MLFLOW_S3_ENDPOINT_URL:-}" ]; then
      printf 'export MLFLOW_S3_ENDPOINT_URL=%q\n' "$MLFLOW_S3_ENDPOINT_URL"
      printf 'export AWS_ACCESS_KEY_ID=%q\n' "$AWS_ACCESS_KEY_ID"
      printf 'export AWS_SECRET_ACCESS_KEY=%q\n' "$AWS_SECRET_ACCESS_KEY"
      printf 'export AWS_DEFAULT_REGION=%q\n' "$AWS_DEFAULT_REGION"
    fi
    if [ -n "${AIRFLOW_BASE_URL:-}" ]; then
      printf 'export AIRFLOW_BASE_URL=%q\n' "$AIRFLOW_BASE_URL"
      printf 'export AIRFLOW_ADMIN_USER=%q\n' "$AIRFLOW_ADMIN_USER"
      printf 'export AIRFLOW_ADMIN_PASSWORD=%q\n' "$AIRFLOW_ADMIN_PASSWORD"
    fi
    if [ -n "${MLFLOW_SERVE_LISTEN:-}" ]; then
      # Where `mlops serve` finds the agent, and the agent's runtime when it is not running.
      printf 'export MLFLOW_SERVE_LISTEN=%q\n' "$MLFLOW_SERVE_LISTEN"
      printf 'export MLFLOW_SERVE_RUNTIME=process\n'
      printf 'export MLFLOW_SERVE_STATE_DIR=%q\n' "$SERVING"
      printf 'export MLFLOW_SERVE_ALIASES=Production,Test\n'
    fi
  } >"$tmp"
  chmod 600 "$tmp"
  mv -f "$tmp" "$DEMO_ENV"
}

# --- training -----------------------------------------------------------------------------------

train_models() {
  if [ "$WITH_AIRFLOW" -eq 1 ]; then
    mlops dags unpause dag_training >/dev/null
    say "mlops dags trigger dag_training --wait"
    mlops dags trigger dag_training --wait --wait-timeout 600 2>&1 | sed '/^[[:space:]]*$/d' | say_block \
      || fail "the DAG run failed (see mlops dags logs dag_training <run-id> train_and_register)"
  else
    say "python Examples/demo/train_iris.py (MLflow client, tracking URI ${MLFLOW_TRACKING_URI})"
    run_logged train "training (about half a minute)" env MLFLOW_TRACKING_URI="$MLFLOW_TRACKING_URI" "$PY" Examples/demo/train_iris.py
    tail -n 1 "${LOGS}/train.out" >"$TRAIN_JSON"
  fi
  [ -s "$TRAIN_JSON" ] || fail "the training wrote no summary"
  local version candidate accuracy
  while read -r version candidate accuracy; do
    say "$(printf 'version %-3s %-20s accuracy %s' "$version" "$candidate" "$accuracy")"
  done < <("$PY" "$REPORT" versions "$TRAIN_JSON")
  say "runs, parameters, metrics, the model, data_contract/ and metrics/ logged to experiment $("$PY" "$REPORT" get "$TRAIN_JSON" experiment)"
}

# --- aliases ------------------------------------------------------------------------------------

set_aliases() {
  say "\$ mlops alias promote --model-name ${MODEL} --alias Production --metric accuracy"
  mlops alias promote --model-name "$MODEL" --alias Production --metric accuracy 2>&1 | say_block \
    || fail "mlops alias promote failed"
  PRODUCTION_VERSION="$(mlops alias get --model-name "$MODEL" --alias Production --json | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["version"])')"
  # Test: a version that answers differently on the sample rows when there is one, so that the switch
  # shows in the predictions.
  TEST_VERSION="$("$PY" "$REPORT" pick-other "$TRAIN_JSON" "$PRODUCTION_VERSION")"
  say "\$ mlops alias set --model-name ${MODEL} --version ${TEST_VERSION} --alias Test"
  mlops alias set --model-name "$MODEL" --version "$TEST_VERSION" --alias Test 2>&1 | say_block \
    || fail "mlops alias set failed"
}

# --- serving ------------------------------------------------------------------------------------

start_agent() {
  local port="${DEMO_AGENT_PORT:-}"
  [ -n "$port" ] || port="$(pick_free_port "$PY")"
  ! port_in_use "$port" || fail "127.0.0.1:${port} is already in use"
  AGENT_URL="http://127.0.0.1:${port}"
  # `mlops serve` finds the agent at its listen address; the runtime settings are its fallback.
  export MLFLOW_SERVE_LISTEN="127.0.0.1:${port}" MLFLOW_SERVE_RUNTIME=process MLFLOW_SERVE_STATE_DIR="$SERVING" \
    MLFLOW_SERVE_ALIASES=Production,Test
  # The process runtime runs `mlflow models serve` from PATH: the services environment's.
  (
    export PATH="${VENV}/bin:${PATH}"
    exec setsid "$AGENT" --runtime process --state-dir "$SERVING" --aliases Production,Test \
      --model-filter "name = '${MODEL}'" --env-manager local --poll-seconds 5 \
      --listen "127.0.0.1:${port}" --tracking-uri "$MLFLOW_TRACKING_URI" --log-format text \
      </dev/null >"${LOGS}/agent.log" 2>&1
  ) &
  local pid=$! deadline=$(( $(now_ms) + 30000 ))
  printf '%s\n' "$pid" | write_atomic "$AGENT_PIDFILE"
  until [ "$(http_status "${AGENT_URL}/healthz")" = 200 ]; do
    kill -0 "$pid" 2>/dev/null || { tail -n 30 "${LOGS}/agent.log" >&2; fail "autoserve-agent exited"; }
    [ "$(now_ms)" -lt "$deadline" ] || { tail -n 30 "${LOGS}/agent.log" >&2; fail "autoserve-agent did not answer on ${AGENT_URL}"; }
    sleep 0.2
  done
  write_env
  say "autoserve-agent on ${AGENT_URL} (pid ${pid}, process runtime, aliases Production and Test, resync every 5 s)"
}

# serving_state ALIAS: "STATE SERVING_VERSION ENDPOINT" of the alias, from `mlops serve status`
# (which exits 1 while a key is not Ready).
serving_state() {
  local file="${DEMO_DIR}/status.json"
  mlops serve status --json >"$file" 2>/dev/null || [ -s "$file" ] || { echo "- - -"; return 0; }
  "$PY" "$REPORT" serving "$file" "$1"
}

# wait_serving ALIAS VERSION: until the agent serves VERSION for ALIAS and it is Ready.
wait_serving() {
  local alias="$1" version="$2" state serving endpoint last="" line
  local deadline=$(( $(now_ms) + READY_TIMEOUT * 1000 )) t0
  t0="$(now_ms)"
  while :; do
    read -r state serving endpoint < <(serving_state "$alias")
    line="${state} (serving version ${serving})"
    if [ "$line" != "$last" ]; then
      say "$(printf '%-10s %5s  %s' "$alias" "$(fmt_ms $(( $(now_ms) - t0 )))" "$line")"
      last="$line"
    fi
    [ "$state" = Ready ] && [ "$serving" = "$version" ] && break
    [ "$(now_ms)" -lt "$deadline" ] || {
      tail -n 30 "${LOGS}/agent.log" >&2
      fail "${alias} is not serving version ${version} after ${READY_TIMEOUT}s (logs: $(display_path "$LOGS")/agent.log, $(display_path "$SERVING")/*.log)"
    }
    sleep 0.5
  done
}

# predict ALIAS OUTPUT: the sample rows sent to MODEL@ALIAS through `mlops serve predict`; the
# answer in OUTPUT.
predict() {
  mlops serve predict "${MODEL}@$1" --input-json "${DEMO_DIR}/input.json" --request-timeout 10 >"$2"
}

predict_and_compare() {
  "$PY" "$REPORT" input "$TRAIN_JSON" "${DEMO_DIR}/input.json"
  say "\$ mlops serve predict ${MODEL}@Production --input-json $(display_path "${DEMO_DIR}/input.json")"
  say "\$ mlops serve predict ${MODEL}@Test --input-json $(display_path "${DEMO_DIR}/input.json")"
  predict Production "${DEMO_DIR}/production.json" || fail "the prediction through Production failed"
  predict Test "${DEMO_DIR}/test.json" || fail "the prediction through Test failed"
  "$PY" "$REPORT" compare "$TRAIN_JSON" "Production=${PRODUCTION_VERSION}=${DEMO_DIR}/production.json" \
    "Test=${TEST_VERSION}=${DEMO_DIR}/test.json" || fail "a served model answered differently from the trained one"
}

show_status_and_health() {
  echo
  say "\$ mlops serve status"
  mlops serve status 2>&1 | say_block || fail "mlops serve status reports a model not Ready"
  local services=mlflow
  [ "$ARTIFACTS" != s3 ] || services+=",minio"
  [ "$WITH_AIRFLOW" -eq 0 ] || services+=",airflow"
  echo
  say "\$ mlops health --services ${services}"
  mlops health --services "$services" --require all 2>&1 | say_block \
    || fail "mlops health reports a service down"
}

# switch_production: predictions in a loop while Production moves to the Test version.
switch_production() {
  local dir="${DEMO_DIR}/switch" loop_pid ok failed
  mkdir -p "$dir"
  rm -f "${dir}"/*
  (
    ok=0 failed=0
    while [ ! -e "${dir}/stop" ]; do
      if predict Production "${dir}/last.json" 2>>"${dir}/errors.log"; then ok=$(( ok + 1 )); else failed=$(( failed + 1 )); fi
    done
    printf '%s %s\n' "$ok" "$failed" >"${dir}/counts"
  ) &
  loop_pid=$!
  sleep 1
  say "\$ mlops alias set --model-name ${MODEL} --version ${TEST_VERSION} --alias Production"
  mlops alias set --model-name "$MODEL" --version "$TEST_VERSION" --alias Production 2>&1 | say_block \
    || fail "mlops alias set failed"
  wait_serving Production "$TEST_VERSION"
  sleep 2   # a little more traffic on the new version
  : >"${dir}/stop"
  wait "$loop_pid" || true
  read -r ok failed <"${dir}/counts"
  "$PY" "$REPORT" compare "$TRAIN_JSON" "Production=${TEST_VERSION}=${dir}/last.json" \
    || fail "the new Production answered differently from the trained model"
  if [ "$failed" -ne 0 ]; then
    sed 's/^/      /' "${dir}/errors.log" | tail -n 10 >&2
    fail "${ok} predictions during the switch, ${failed} failed"
  fi
  say "${GREEN}${ok} predictions during the switch, 0 failed${RESET}"
}

print_endpoints() {
  local alias state serving endpoint
  say "MLflow UI                        ${MLFLOW_TRACKING_URI}"
  [ -z "${MLFLOW_S3_ENDPOINT_URL:-}" ] || say "S3 (SeaweedFS)                   ${MLFLOW_S3_ENDPOINT_URL}  (bucket s3://mlflow)"
  [ -z "${AIRFLOW_BASE_URL:-}" ] || say "Airflow UI                       ${AIRFLOW_BASE_URL}  (user ${AIRFLOW_ADMIN_USER})"
  say "autoserve-agent                  ${AGENT_URL}/status  ${AGENT_URL}/metrics  ${AGENT_URL}/sd"
  for alias in Production Test; do
    read -r state serving endpoint < <(serving_state "$alias")
    say "$(printf '%-32s %s/invocations  (version %s, %s)' "${MODEL}@${alias}" "$endpoint" "$serving" "$state")"
  done
  echo
  say "Use mlops against this stack:   source $(display_path "$DEMO_ENV")"
  say "Stop everything:                scripts/demo --down"
  say "What to try next:               docs/GETTING_STARTED.md"
  printf '\n%sThe demo finished in %s.%s\n' "$GREEN" "$(fmt_ms $(( $(now_ms) - T_DEMO )))" "$RESET"
}

# --- down ---------------------------------------------------------------------------------------

# pid_from FILE: the PID recorded in FILE (empty when none).
pid_from() { if [ -f "$1" ]; then tr -dc '0-9' <"$1"; fi; }

# serving_records: "PID START_TICKS NAME" of each model server the agent's runtime recorded.
serving_records() {
  local python=python3
  [ -x "${MLOPSKIT_ROOT}/.venv-services/bin/python" ] && python="${MLOPSKIT_ROOT}/.venv-services/bin/python"
  "$python" - "$SERVING" <<'EOF'
import glob, json, os, sys
for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.json"))):
    try:
        record = json.load(open(path))
    except (OSError, ValueError):
        continue
    if record.get("processID"):
        print(record["processID"], record.get("processStartTicks") or 0, record.get("name", "?"))
EOF
}

# start_ticks PID: field 22 of /proc/PID/stat.
start_ticks() {
  local stat rest
  { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 0
  rest="${stat##*) }"
  # shellcheck disable=SC2086
  set -- $rest
  printf '%s\n' "${20}"
}

# demo_running: true when something the demo started is still alive.
demo_running() {
  local pid ticks _name
  pid="$(pid_from "$AGENT_PIDFILE")"
  [ -n "$pid" ] && group_alive "$pid" && return 0
  for f in "${SERVICES}"/*/server.pid; do
    [ -f "$f" ] || continue
    pid="$(pid_from "$f")"
    [ -n "$pid" ] && group_alive "$pid" && return 0
  done
  [ -d "$SERVING" ] || return 1
  while read -r pid ticks _name; do
    [ "$(start_ticks "$pid")" = "$ticks" ] && return 0
  done < <(serving_records)
  return 1
}

demo_down() {
  local pid ticks name stopped=0 rc=0 t0
  t0="$(now_ms)"
  say_title "Stopping the demo ($(display_path "$DEMO_DIR"))"
  # The agent first, so that it starts nothing more.
  pid="$(pid_from "$AGENT_PIDFILE")"
  if [ -n "$pid" ] && group_alive "$pid"; then
    if group_cmdline_has "$pid" autoserve-agent; then
      stop_group "$pid" 20 && say "stopped autoserve-agent (pid ${pid})" || rc=1
      stopped=$(( stopped + 1 ))
    else
      say "pid ${pid} is no longer the agent; leaving it alone"
    fi
  fi
  rm -f "$AGENT_PIDFILE"
  # The model servers: the agent leaves them running when it stops (a new agent adopts them); each
  # leads its own session and process group, recorded with its start time in the runtime's state.
  if [ -d "$SERVING" ]; then
    while read -r pid ticks name; do
      if ! is_uint "$pid" || [ "$pid" -le 1 ]; then continue; fi
      if [ "$(start_ticks "$pid")" = "$ticks" ]; then
        stop_group "$pid" 20 && say "stopped model server ${name} (pid ${pid})" || rc=1
        stopped=$(( stopped + 1 ))
      fi
    done < <(serving_records)
  fi
  # The services, in the reverse order of their start.
  local service
  for service in airflow mlflow seaweedfs; do
    [ -f "${SERVICES}/${service}/server.pid" ] || continue
    pid="$(pid_from "${SERVICES}/${service}/server.pid")"
    if MLOPSKIT_SERVICES_DIR="$SERVICES" "scripts/${service}-down" >>"${DEMO_DIR}/down-${service}.log" 2>&1; then
      if [ -n "$pid" ]; then say "stopped ${service} (pid ${pid})"; stopped=$(( stopped + 1 )); fi
    else
      say "could not stop ${service}: see $(display_path "${DEMO_DIR}/down-${service}.log")"
      rc=1
    fi
  done
  rm -f "$DEMO_ENV"
  if [ "$stopped" -eq 0 ]; then say "nothing was running"; fi
  say "done in $(fmt_ms $(( $(now_ms) - t0 )))"
  return "$rc"
}
