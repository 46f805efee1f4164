#!/usr/bin/env bash
# Real systemd hosts for tests: podman containers with systemd as PID 1, each its own host.
#   systemd-hosts.sh tools              install podman and crun and make crun work here (also for
#                                       deploy/image/build.sh)
#   systemd-hosts.sh rootfs             build (once) and print the cached root file system
#   systemd-hosts.sh start NAME AGENT_DIR [ENGINE_DIR]
#                                       start a host; AGENT_DIR is mounted at /opt/agent, and
#                                       ENGINE_DIR (a folder holding podman.sock, as made by
#                                       container-engine.sh) at /run/podman
#   systemd-hosts.sh stop NAME...       remove hosts
# With FLOTILLA_HOST_SHARE=DIR, start also keeps the host's system bus folder (/run/dbus), unit
# folder (/etc/systemd/system, seeded from the root file system), journals (/run/log/journal,
# /var/log/journal) and /var/lib/flotilla-agent in DIR (run-dbus, systemd-system, run-journal,
# var-journal, agent-state), so that a container beside the host (the agent's image) can mount
# them as it would mount a real host's.
# Installs podman, crun and debootstrap when missing (Debian).
set -euo pipefail

CACHE="${FLOTILLA_TEST_CACHE:-/var/cache/flotilla-test}"
ROOTFS="$CACHE/rootfs-bookworm"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

ensure_tools() {
  local missing=()
  command -v podman >/dev/null || missing+=(podman)
  command -v crun >/dev/null || missing+=(crun)
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  if [ ${#missing[@]} -gt 0 ]; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  # crun refuses this machine's hybrid cgroup layout until hugetlb has a v1 hierarchy of its own.
  if [ ! -d /sys/fs/cgroup/hugetlb ] || ! mountpoint -q /sys/fs/cgroup/hugetlb; then
    as_root mkdir -p /sys/fs/cgroup/hugetlb 2>/dev/null || true
    as_root mount -t cgroup -o hugetlb cgroup /sys/fs/cgroup/hugetlb 2>/dev/null || true
  fi
}

mirror() {
  local m
  m=$(grep -h '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -n 1)
  [ -n "$m" ] || m=$(awk '/^deb / {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
  echo "${m:-http://deb.debian.org/debian}"
}

cmd_rootfs() {
  ensure_tools
  if [ ! -x "$ROOTFS/lib/systemd/systemd" ]; then
    as_root mkdir -p "$CACHE"
    local tmp="$ROOTFS.partial"
    as_root rm -rf "$tmp"
    as_root debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus bookworm "$tmp" "$(mirror)" >&2
    # Every host boots with a machine id of its own.
    as_root truncate -s 0 "$tmp/etc/machine-id"
    as_root mv "$tmp" "$ROOTFS"
  fi
  echo "$ROOTFS"
}

cmd_start() {
  local name="$1" agent_dir="$2" engine_dir="${3:-}"
  cmd_rootfs >/dev/null
  as_root podman rm -f "$name" >/dev/null 2>&1 || true
  # The host's JDKs, read-only. Debian's OpenJDK keeps its security configuration under /etc
  # (symlinked from the JDK), so that folder comes along too.
  local jdk_etc=()
  for d in /etc/java-*-openjdk; do [ -d "$d" ] && jdk_etc+=(-v "$d:$d:ro"); done
  # A machine id of its own (otherwise hosts made from one image may boot with the same id).
  local ids="$CACHE/machine-ids"
  as_root mkdir -p "$ids"
  od -An -N16 -tx1 /dev/urandom | tr -d ' \n' | as_root tee "$ids/$name" >/dev/null
  echo | as_root tee -a "$ids/$name" >/dev/null
  local engine=()
  [ -n "$engine_dir" ] && engine=(-v "$engine_dir:/run/podman")
  local share=()
  if [ -n "${FLOTILLA_HOST_SHARE:-}" ]; then
    local d="$FLOTILLA_HOST_SHARE"
    as_root rm -rf "$d/systemd-system"
    as_root mkdir -p "$d/run-dbus" "$d/run-journal" "$d/var-journal" "$d/agent-state"
    as_root cp -a "$ROOTFS/etc/systemd/system" "$d/systemd-system"
    share=(-v "$d/run-dbus:/run/dbus" -v "$d/systemd-system:/etc/systemd/system" -v "$d/run-journal:/run/log/journal"
      -v "$d/var-journal:/var/log/journal" -v "$d/agent-state:/var/lib/flotilla-agent")
  fi
  as_root podman run -d --name "$name" --hostname "$name" --network=host --cgroup-manager=cgroupfs \
    --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 --systemd=always \
    -v /usr/lib/jvm:/usr/lib/jvm:ro "${jdk_etc[@]}" -v "$agent_dir":/opt/agent:ro -v "$ids/$name":/etc/machine-id:ro "${engine[@]}" "${share[@]}" --rootfs "$ROOTFS:O" \
    /lib/systemd/systemd >/dev/null
  for _ in $(seq 1 60); do
    state=$(as_root podman exec "$name" systemctl is-system-running 2>/dev/null || true)
    case "$state" in running|degraded) echo "$name $state"; return 0 ;; esac
    sleep 0.5
  done
  echo "host $name did not boot (state: $state)" >&2
  return 1
}

cmd_stop() {
  for name in "$@"; do
    as_root podman rm -f -t 2 "$name" >/dev/null 2>&1 || true
    as_root rm -f "$CACHE/machine-ids/$name"
  done
}

case "${1:-}" in
  tools) ensure_tools ;;
  rootfs) cmd_rootfs ;;
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  *) sed -n '2,9p' "$0" >&2; exit 64 ;;
esac
