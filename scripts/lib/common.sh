# shellcheck shell=bash
# Helpers shared by the service scripts in scripts/. Source it; do not execute it.
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
#
# Conventions every scripts/<svc>-up and scripts/<svc>-down follows:
#   * bind to 127.0.0.1 only, on a free port unless the caller pins one;
#   * start the service with setsid so it leads its own process group, and record
#     that PID in .services/<svc>/server.pid (logs in .services/<svc>/server.log);
#   * poll readiness with a deadline, never a fixed sleep;
#   * write .services/<svc>.env (export lines) once ready; services-up merges them;
#   * stop by the recorded process group only, never by process name.

# Directory of the repository (parent of scripts/).
MLOPSKIT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck disable=SC2034  # used by the scripts that source this file
MLOPSKIT_SERVICES_DIR="${MLOPSKIT_SERVICES_DIR:-${MLOPSKIT_ROOT}/.services}"

# Services started by scripts/services-up, in start order (stopped in reverse):
# the MLflow server, the two S3 servers the S3 tests run against, Airflow 3 and 2,
# and a Docker Engine of its own (scripts/docker-up: needs root and the packages
# docker.io and busybox-static).
# Each name needs scripts/<name>-up and scripts/<name>-down.
# shellcheck disable=SC2034
MLOPSKIT_DEFAULT_SERVICES=(mlflow seaweedfs juicefs airflow airflow2 docker)

# Every service that has scripts/<name>-up and scripts/<name>-down, in start order.
# MLOPSKIT_SERVICES may list any of them; scripts/services-down stops all of them.
# airflow2 (Airflow 2.11 for the REST API v1 dialect: scripts/airflow2-up, its own
# venv from scripts/airflow2-env) and prometheus (the system's prometheus, Debian
# package `prometheus`) are not started by default.
# shellcheck disable=SC2034
MLOPSKIT_KNOWN_SERVICES=(mlflow seaweedfs juicefs airflow airflow2 docker prometheus)

# Prefix for log lines; scripts set it to their own name.
LOG_TAG="${LOG_TAG:-$(basename "$0")}"

log() { printf '[%s %s] %s\n' "$LOG_TAG" "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Wall-clock time in milliseconds (bash 5 EPOCHREALTIME; locale-safe).
now_ms() {
  local t="${EPOCHREALTIME/[.,]/}"
  printf '%s\n' "$(( t / 1000 ))"
}

# fmt_ms MILLISECONDS -> "12.3s"
fmt_ms() {
  local ms="$1"
  printf '%d.%ds\n' "$(( ms / 1000 ))" "$(( (ms % 1000) / 100 ))"
}

is_uint() { [[ "${1:-}" =~ ^[0-9]+$ ]]; }

# display_path PATH: PATH relative to the repository when it is inside it (for logs).
display_path() {
  case "$1" in
    "${MLOPSKIT_ROOT}"/*) printf '%s\n' "${1#"${MLOPSKIT_ROOT}"/}" ;;
    *) printf '%s\n' "$1" ;;
  esac
}

# port_in_use PORT: true when something accepts TCP connections on 127.0.0.1:PORT.
port_in_use() {
  # shellcheck disable=SC2016  # $1 expands in the inner shell
  timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}

# pick_free_port PYTHON: ask the kernel for a free loopback port (bind to port 0).
pick_free_port() {
  "$1" - <<'EOF'
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
EOF
}

# pick_free_ports PYTHON COUNT: COUNT distinct free loopback ports, one a line
# (all are bound at once before any is released, so none repeats).
pick_free_ports() {
  "$1" - "$2" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    socks.append(s)
for s in socks:
    print(s.getsockname()[1])
for s in socks:
    s.close()
EOF
}

# http_status URL: prints the HTTP status code (000 when nothing answered).
http_status() {
  curl -s -o /dev/null -w '%{http_code}' --max-time 2 --noproxy '*' "$1" 2>/dev/null || true
}

# group_members PGID: PIDs of live (non-zombie) processes in process group PGID.
# Reads /proc directly so that it works without procps.
group_members() {
  local want="$1" stat rest state pgrp f pid
  for f in /proc/[0-9]*/stat; do
    { read -r stat <"$f"; } 2>/dev/null || continue
    rest="${stat##*) }"                       # fields after "pid (comm) "
    read -r state _ pgrp _ <<<"$rest"
    [ "$pgrp" = "$want" ] || continue
    [ "$state" = Z ] && continue
    pid="${f#/proc/}"; pid="${pid%/stat}"
    printf '%s\n' "$pid"
  done
}

group_alive() { [ -n "$(group_members "$1")" ]; }

# pgid_of PID: process group of PID (empty when PID does not exist).
pgid_of() {
  local stat rest pgrp
  { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 0
  rest="${stat##*) }"
  read -r _ _ pgrp _ <<<"$rest"
  printf '%s\n' "$pgrp"
}

# any_cmdline_has TEXT PID...: true when one of the PIDs is alive with TEXT in its
# command line.
any_cmdline_has() {
  local text="$1" pid cmd
  shift
  for pid in "$@"; do
    cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
    case "$cmd" in *"$text"*) return 0 ;; esac
  done
  return 1
}

# group_cmdline_has PGID TEXT: true when a live member of the group has TEXT in
# its command line (used to check that a recorded PID is still ours).
group_cmdline_has() {
  # shellcheck disable=SC2046  # one PID a word
  any_cmdline_has "$2" $(group_members "$1")
}

# stop_group PGID TIMEOUT_SECONDS: SIGTERM the process group, wait until it is
# empty, SIGKILL whatever is left at the deadline. Returns 1 if processes remain.
stop_group() {
  local pgid="$1" timeout="$2" deadline
  if ! is_uint "$pgid" || [ "$pgid" -le 1 ]; then
    log "refusing to signal process group '$pgid'"
    return 1
  fi
  group_alive "$pgid" || return 0
  kill -TERM -- "-$pgid" 2>/dev/null || true
  deadline=$(( $(now_ms) + timeout * 1000 ))
  while group_alive "$pgid" && [ "$(now_ms)" -lt "$deadline" ]; do sleep 0.2; done
  if group_alive "$pgid"; then
    log "process group $pgid still alive after ${timeout}s: sending SIGKILL"
    kill -KILL -- "-$pgid" 2>/dev/null || true
    deadline=$(( $(now_ms) + 5000 ))
    while group_alive "$pgid" && [ "$(now_ms)" -lt "$deadline" ]; do sleep 0.1; done
  fi
  if group_alive "$pgid"; then
    log "process group $pgid still has processes: $(group_members "$pgid" | tr '\n' ' ')"
    return 1
  fi
  return 0
}

# group_listeners PYTHON PGID: sockets that the processes of group PGID listen on,
# one a line: "tcp ADDR:PORT", "tcp6 [ADDR]:PORT", "udp ..." (unconnected UDP).
# Reads /proc: the socket inodes of each member, then /proc/net/{tcp,tcp6,udp,udp6}.
group_listeners() {
  local py="$1" pgid="$2" pids
  mapfile -t pids < <(group_members "$pgid")
  "$py" - "${pids[@]}" <<'EOF'
import ipaddress, os, sys

inodes = set()
for pid in sys.argv[1:]:
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        continue
    for fd in fds:
        try:
            link = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(link[8:-1])

def addr(hexaddr, v6):
    host, port = hexaddr.split(":")
    raw = bytes.fromhex(host)
    if v6:  # four 32-bit words in host (little-endian) order
        raw = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
        return f"[{ipaddress.IPv6Address(raw)}]:{int(port, 16)}"
    return f"{ipaddress.IPv4Address(raw[::-1])}:{int(port, 16)}"

seen = []
for proto in ("tcp", "tcp6", "udp", "udp6"):
    try:
        with open(f"/proc/net/{proto}") as fh:
            lines = fh.read().splitlines()[1:]
    except OSError:
        continue
    for line in lines:
        f = line.split()
        local, remote, state, inode = f[1], f[2], f[3], f[9]
        if inode not in inodes:
            continue
        if proto.startswith("tcp") and state != "0A":  # not LISTEN
            continue
        if proto.startswith("udp") and not remote.endswith(":0000"):  # connected
            continue
        entry = f"{proto} {addr(local, proto.endswith('6'))}"
        if entry not in seen:
            seen.append(entry)
for entry in seen:
    print(entry)
EOF
}

# check_loopback_only PYTHON PGID: log what group PGID listens on and return 1
# when any of its sockets is bound to an address other than 127.0.0.1.
check_loopback_only() {
  local listeners bad
  listeners="$(group_listeners "$1" "$2")" || return 1
  log "listening on: $(printf '%s\n' "$listeners" | sed 's/^[a-z0-9]* //' | sort -t: -k2 -n | tr '\n' ' ')"
  bad="$(printf '%s\n' "$listeners" | grep -v -e '^$' -e '^[a-z0-9]* 127\.0\.0\.1:' || true)"
  if [ -n "$bad" ]; then
    log "listening beyond 127.0.0.1: $(printf '%s\n' "$bad" | tr '\n' ' ')"
    return 1
  fi
  return 0
}

# write_atomic FILE: write stdin to FILE via a temp file and rename.
write_atomic() {
  local dest="$1" tmp
  tmp="$(mktemp "${dest}.XXXXXX")"
  cat >"$tmp"
  chmod 644 "$tmp"
  mv -f "$tmp" "$dest"
}
