# shellcheck shell=bash
# Docker-specific helpers for scripts/docker-up and scripts/docker-down (source after
# common.sh).
#
# Layout (DOCKER_STATE = .services/docker):
#   data/        --data-root: images, containers, volumes (wiped by docker-up unless
#                DOCKER_KEEP_DATA=1, kept by docker-down)
#   server.pid   PID of dockerd (leader of its own process group)
#   server.log   dockerd's output (containerd's is merged into it)
#   rundir       the directory holding the socket and --exec-root, when it is not
#                DOCKER_STATE/run (see docker_choose_rundir)
# and in the run directory:
#   docker.sock  the API socket (DOCKER_HOST=unix://…/docker.sock)
#   docker.pid   dockerd's own pid file
#   exec/        --exec-root: containerd's sockets and state, network namespaces

# The longest socket path dockerd puts under its exec root is
# exec/containerd/containerd.sock.ttrpc (37 characters), and a unix socket path
# holds at most 107 bytes. A run directory longer than this many characters is
# replaced by a short one under /tmp.
DOCKER_RUNDIR_MAX=50

# docker_choose_rundir STATE: prints the run directory for a new daemon: STATE/run
# when its path is short enough, else a fresh /tmp/mlopskit-docker.XXXXXX.
docker_choose_rundir() {
  local candidate="$1/run"
  if [ "${#candidate}" -le "$DOCKER_RUNDIR_MAX" ]; then
    mkdir -p "$candidate"
    printf '%s\n' "$candidate"
  else
    mktemp -d /tmp/mlopskit-docker.XXXXXX
  fi
}

# docker_rundir STATE: the run directory of the daemon started from STATE (empty
# when none was recorded).
docker_rundir() {
  if [ -f "$1/rundir" ]; then
    cat "$1/rundir"
  elif [ -d "$1/run" ]; then
    printf '%s\n' "$1/run"
  fi
}

# docker_ping SOCKET: true when the Engine answers GET /_ping with 200.
docker_ping() {
  [ -S "$1" ] || return 1
  [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 --unix-socket "$1" http://localhost/_ping 2>/dev/null || true)" = 200 ]
}

# docker_running_containers SOCKET: IDs of the running containers, one a line.
docker_running_containers() {
  curl -sf --max-time 10 --unix-socket "$1" 'http://localhost/containers/json' 2>/dev/null \
    | grep -o '"Id":"[0-9a-f]*"' | cut -d'"' -f4 || true
}

# docker_kill_containers SOCKET: SIGKILL every running container through the API.
docker_kill_containers() {
  local id count=0
  for id in $(docker_running_containers "$1"); do
    curl -s -o /dev/null --max-time 10 --unix-socket "$1" -X POST \
      "http://localhost/containers/${id}/kill?signal=SIGKILL" 2>/dev/null || true
    count=$(( count + 1 ))
  done
  [ "$count" -eq 0 ] || log "killed ${count} running container(s)"
}

# docker_leftover_pids EXEC_ROOT: PIDs of processes that belong to the daemon with
# that exec root apart from dockerd itself: its containerd, the containerd shims
# (command lines naming EXEC_ROOT/containerd) and the processes of the containers
# those shims run (their descendants).
docker_leftover_pids() {
  local root="$1" f pid cmd stat rest ppid
  local -a roots=() all=()
  local -A parent=()
  for f in /proc/[0-9]*/cmdline; do
    pid="${f#/proc/}"; pid="${pid%/cmdline}"
    cmd="$(tr '\0' ' ' 2>/dev/null <"$f" || true)"
    case "$cmd" in
      *"${root}/containerd/"*) roots+=("$pid") ;;
    esac
    { read -r stat <"/proc/$pid/stat"; } 2>/dev/null || continue
    rest="${stat##*) }"
    read -r state ppid _ <<<"$rest"
    [ "$state" = Z ] && continue
    parent[$pid]="$ppid"
    all+=("$pid")
  done
  # Descendants of the shims and of containerd, breadth first.
  local -a queue=("${roots[@]}") found=("${roots[@]}")
  while [ "${#queue[@]}" -gt 0 ]; do
    local current="${queue[0]}"
    queue=("${queue[@]:1}")
    for pid in "${all[@]}"; do
      if [ "${parent[$pid]:-}" = "$current" ]; then
        case " ${found[*]} " in *" $pid "*) ;; *) found+=("$pid"); queue+=("$pid") ;; esac
      fi
    done
  done
  [ "${#found[@]}" -eq 0 ] || printf '%s\n' "${found[@]}"
}

# docker_unmount_under DIR...: unmount whatever is mounted below each DIR (network
# namespace files that dockerd leaves under its exec root, for example), deepest
# first.
docker_unmount_under() {
  local dir mount
  for dir in "$@"; do
    { [ -n "$dir" ] && [ -d "$dir" ]; } || continue
    while read -r mount; do
      umount "$mount" 2>/dev/null || umount -l "$mount" 2>/dev/null || log "cannot unmount ${mount}"
    done < <(awk -v d="${dir}/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts | sort -r)
  done
}

# docker_build_busybox_tar BUSYBOX OUT: write a root file system tarball holding
# the static BUSYBOX as /bin/busybox and a link for each of its applets (sh,
# httpd, wget, …).
docker_build_busybox_tar() {
  local busybox="$1" out="$2" root applet
  root="$(mktemp -d)"
  mkdir -p "${root}/bin" "${root}/etc" "${root}/tmp" "${root}/www"
  chmod 1777 "${root}/tmp"
  cp "$busybox" "${root}/bin/busybox"
  for applet in $("$busybox" --list); do
    [ "$applet" = busybox ] || ln -s busybox "${root}/bin/${applet}"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"${root}/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"${root}/etc/group"
  tar -C "$root" --numeric-owner --owner=0 --group=0 -cf "$out" .
  rm -rf "$root"
}
