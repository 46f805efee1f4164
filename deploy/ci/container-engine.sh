#!/usr/bin/env bash
# A Docker-compatible container engine for tests: Podman's API service on a unix socket, with
# storage of its own (so that it shows only the tests' containers, not the systemd hosts), and a
# tiny image made locally from Debian's static busybox (there is no registry to pull from).
#   container-engine.sh start    start it (if not running); prints the socket's path
#   container-engine.sh stop     stop it (its storage stays cached)
# The image is flotilla-test/busybox:latest; containers need HostConfig.Ulimits
# nofile=1024 and nproc=4096 on these machines (crun may not raise them).
set -euo pipefail

CACHE="${FLOTILLA_TEST_CACHE:-/var/cache/flotilla-test}"
RUN="${FLOTILLA_TEST_ENGINE_RUN:-/run/flotilla-test-engine}"
CACHE=$(realpath -m "$CACHE"); RUN=$(realpath -m "$RUN") # absolute: the engine starts from /
SOCKET="$RUN/podman.sock"
IMAGE=flotilla-test/busybox

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
api() { as_root curl -sf --unix-socket "$SOCKET" "$@"; }

cmd_start() {
  local missing=()
  command -v podman >/dev/null || missing+=(podman)
  command -v curl >/dev/null || missing+=(curl)
  [ -x /bin/busybox ] && file_is_static /bin/busybox || missing+=(busybox-static)
  if [ ${#missing[@]} -gt 0 ]; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  if ! api http://localhost/_ping >/dev/null 2>&1; then
    as_root mkdir -p "$RUN" "$CACHE/engine"
    as_root rm -f "$SOCKET"
    # From /: the service outlives the checkout that started it, and conmon fails every container
    # start ("Failed to get working directory") once that folder is deleted.
    cd /
    as_root setsid podman --root "$CACHE/engine/storage" --runroot "$RUN/state" --cgroup-manager=cgroupfs \
      system service --time=0 "unix://$SOCKET" >"$RUN/engine.log" 2>&1 < /dev/null &
    echo $! | as_root tee "$RUN/pid" >/dev/null
    for _ in $(seq 1 50); do
      api http://localhost/_ping >/dev/null 2>&1 && break
      sleep 0.2
    done
    api http://localhost/_ping >/dev/null || { echo "the engine did not start; see $RUN/engine.log" >&2; exit 1; }
  fi
  if ! api "http://localhost/v1.41/images/$IMAGE:latest/json" >/dev/null 2>&1; then
    local tmp
    tmp=$(mktemp -d)
    mkdir -p "$tmp/rootfs/bin"
    cp /bin/busybox "$tmp/rootfs/bin/busybox"
    for tool in sh sleep true false; do ln -s busybox "$tmp/rootfs/bin/$tool"; done
    tar -C "$tmp/rootfs" -cf "$tmp/image.tar" .
    api -X POST -H 'Content-Type: application/x-tar' --data-binary "@$tmp/image.tar" \
      "http://localhost/v1.41/images/create?fromSrc=-&repo=$IMAGE&tag=latest" >/dev/null
    rm -rf "$tmp"
  fi
  echo "$SOCKET"
}

# Debian's busybox package is dynamically linked; an image holding only it needs busybox-static.
file_is_static() { ! grep -q "ld-linux" <(head -c 4096 "$1" | tr -c '[:print:]' '\n'); }

cmd_stop() {
  if [ -f "$RUN/pid" ]; then
    as_root kill "$(cat "$RUN/pid")" 2>/dev/null || true
    as_root rm -f "$RUN/pid"
  fi
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  *) sed -n '2,8p' "$0" >&2; exit 64 ;;
esac
