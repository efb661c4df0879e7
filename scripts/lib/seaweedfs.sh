# shellcheck shell=bash
# SeaweedFS-specific helpers for scripts/seaweedfs-up and scripts/seaweedfs-down
# (source after common.sh).

# `weed mini` puts a unix socket next to each gRPC listener, at the fixed path
# /tmp/seaweedfs-<component>-grpc-<port>.sock. It removes them on a clean stop but
# not when it is killed. seaweedfs-up records the ports in .services/seaweedfs/ports
# (NAME=PORT lines); the S3 and filer HTTP sockets are placed in a directory of
# our own (recorded as sockdir=DIR) instead of /tmp.

# SeaweedFS puts each component's gRPC port at its HTTP port + 10000, and some of
# its code relies on that even when -<component>.port.grpc says otherwise (the
# maintenance worker of `weed mini` dials admin.port + 10000). So ports are chosen
# in such pairs.
SEAWEEDFS_GRPC_OFFSET=10000

# seaweedfs_free_port_pairs PYTHON COUNT [EXCLUDE...]: COUNT lines "HTTP GRPC"
# where both 127.0.0.1 ports are free and GRPC = HTTP + 10000, all distinct and
# none of EXCLUDE.
seaweedfs_free_port_pairs() {
  local py="$1" count="$2"
  shift 2
  "$py" - "$count" "$SEAWEEDFS_GRPC_OFFSET" "$@" <<'EOF'
import socket, sys

count, offset = int(sys.argv[1]), int(sys.argv[2])
exclude = {int(p) for p in sys.argv[3:]}
held, pairs = [], []

def bind(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        s.close()
        return None
    held.append(s)
    return s

for _ in range(2000):
    if len(pairs) == count:
        break
    s = bind(0)
    http = s.getsockname()[1]
    if http + offset > 65535 or http in exclude or http + offset in exclude:
        continue  # keep it bound so that it is not offered again
    if bind(http + offset) is not None:
        pairs.append((http, http + offset))
for http, grpc in pairs:
    print(http, grpc)
for s in held:
    s.close()
sys.exit(0 if len(pairs) == count else 1)
EOF
}

# seaweedfs_cleanup PORTS_FILE: remove the sockets a stopped server left behind.
seaweedfs_cleanup() {
  local ports_file="$1" name value comp sock
  [ -f "$ports_file" ] || return 0
  while IFS='=' read -r name value; do
    case "$name" in
      *_grpc)
        is_uint "$value" || continue
        comp="${name%_grpc}"
        case "$comp" in master | volume | filer | s3 | admin) ;; *) continue ;; esac
        sock="/tmp/seaweedfs-${comp}-grpc-${value}.sock"
        [ ! -S "$sock" ] || rm -f -- "$sock"
        ;;
      sockdir)
        # Only a directory seaweedfs-up created with mktemp (see there).
        case "$value" in
          "${TMPDIR:-/tmp}"/mlopskit-seaweedfs.*) [ ! -d "$value" ] || rm -rf -- "$value" ;;
        esac
        ;;
    esac
  done <"$ports_file"
}
