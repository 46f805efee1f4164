#!/usr/bin/env bash
# Agent footprint benchmark (a benchmark, not a test): the packaged agent on a real systemd host
# (podman) with about 200 units, reporting to the packaged service, for a while; prints and
# records its resident memory and CPU use, measured from /proc inside the host.
#   load-tests/agent-footprint.sh [--minutes N] [--units N] [--containers N]
# Defaults: 10 minutes, 200 reported units, 20 containers (on the tests' Podman engine, whose
# socket the host sees at /run/podman). Results: load-tests/results/agent-footprint-<time>.md
# AGENT_JAVA, AGENT_JVM_OPTS, AGENT_ENV: another runtime, JVM options or environment;
# AGENT_NMT=1 adds the JVM's native memory summary (at a clean stop) to the results;
# AGENT_RESTART=1 stops the agent cleanly after its first start and measures after a restart.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
minutes=10 units=200 containers=20
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes="$2"; shift 2 ;;
    --units) units="$2"; shift 2 ;;
    --containers) containers="$2"; shift 2 ;;
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 64 ;;
  esac
done

SERVICE_JAR="$ROOT/fleet-service/target/quarkus-app/quarkus-run.jar"
AGENT_JAR="$ROOT/host-agent/target/flotilla-agent.jar"
if [ ! -f "$SERVICE_JAR" ] || [ ! -f "$AGENT_JAR" ]; then echo "build first: ./flotilla build" >&2; exit 1; fi
# The JVM options of the flotilla-agent command (deploy/agent/flotilla-agent) unless AGENT_JVM_OPTS says otherwise.
jvm_opts_given="${AGENT_JVM_OPTS:+yes}"
# shellcheck disable=SC2016 # a literal ${ in the pattern
AGENT_JVM_OPTS="${AGENT_JVM_OPTS:-$(sed -n 's/^opts=\${FLOTILLA_AGENT_JAVA_OPTS:-\(.*\)}$/\1/p' "$ROOT/deploy/agent/flotilla-agent")}"

work=$(mktemp -d /tmp/flotilla-footprint.XXXX)
db="flotilla_bench_$(date +%s)"
host="fl-footprint-$$"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
engine_api() { curl -sf --unix-socket "$engine_sock" "$@"; }
cleanup() {
  "$ROOT/deploy/ci/systemd-hosts.sh" stop "$host" || true
  for c in $(seq 1 "$containers"); do engine_api -X DELETE "http://localhost/v1.41/containers/$host-c$c?force=true" >/dev/null 2>&1 || true; done
  "$ROOT/deploy/ci/container-engine.sh" stop || true
  if [ -n "${svc:-}" ] && kill "$svc" 2>/dev/null; then wait "$svc" 2>/dev/null || true; fi
  psql -q -h 127.0.0.1 -U postgres -c "drop database if exists $db with (force)" >/dev/null 2>&1 || true
}
trap cleanup EXIT
engine_sock=/nonexistent

engine_sock=$("$ROOT/deploy/ci/container-engine.sh" start)
psql -q -h 127.0.0.1 -U postgres -c "create database $db" >/dev/null
FLOTILLA_DB_URL="jdbc:postgresql://127.0.0.1:5432/$db" FLOTILLA_PORT="$port" FLOTILLA_HOST=127.0.0.1 \
  FLOTILLA_MANAGEMENT_PORT="$mport" \
  java -Dflotilla.bootstrap.file="$work/boot.env" -jar "$SERVICE_JAR" >"$work/service.log" 2>&1 &
svc=$!
for _ in $(seq 1 90); do curl -fsS -o /dev/null "http://127.0.0.1:$port/q/health/ready" 2>/dev/null && break; sleep 1; done
token=$(sed -n 's/^FLOTILLA_TOKEN=//p' "$work/boot.env")
enroll=$(curl -fsS -X POST "http://127.0.0.1:$port/api/v1/enrollment-tokens" -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/json' -d '{"name":"bench"}' | sed -n 's/.*"secret":"\([^"]*\)".*/\1/p')

"$ROOT/deploy/ci/systemd-hosts.sh" start "$host" "$(dirname "$AGENT_JAR")" "$(dirname "$engine_sock")" >/dev/null
limits='"Ulimits":[{"Name":"nofile","Soft":1024,"Hard":1024},{"Name":"nproc","Soft":4096,"Hard":4096}]'
for c in $(seq 1 "$containers"); do
  engine_api -X POST -H 'Content-Type: application/json' \
    -d "{\"Image\":\"flotilla-test/busybox:latest\",\"Cmd\":[\"/bin/sleep\",\"86400\"],\"Labels\":{\"bench\":\"$c\"},\"HostConfig\":{\"NetworkMode\":\"none\",$limits}}" \
    "http://localhost/v1.41/containers/create?name=$host-c$c" >/dev/null
  engine_api -X POST "http://localhost/v1.41/containers/$host-c$c/start" >/dev/null
done
base=$(podman exec "$host" sh -c "systemctl list-units --all --plain --no-legend '*.service' '*.timer' '*.socket' '*.mount' | wc -l")
extra=$(( units > base ? units - base : 0 ))
echo "host $host: $base units of its own, adding $extra services"
podman exec "$host" sh -c "for i in \$(seq 1 $extra); do printf '[Unit]\nDescription=Bench %s\n[Service]\nExecStart=/bin/sleep infinity\n' \$i > /etc/systemd/system/bench-\$i.service; done; systemctl daemon-reload; for i in \$(seq 1 $extra); do systemctl start --no-block bench-\$i.service; done"
sleep 5

# The host JDK (mounted into the host from /usr/lib/jvm); AGENT_JAVA picks another one, and
# AGENT_JAVA=packaged the runtime the packages and the image ship (./flotilla package made it).
if [ "${AGENT_JAVA:-}" = packaged ]; then
  [ -x "$ROOT/target/image-work/agent-jre/bin/java" ] || { echo "no packaged runtime: run ./flotilla package first" >&2; exit 1; }
  rm -rf "$ROOT/host-agent/target/agent-jre"
  cp -a "$ROOT/target/image-work/agent-jre" "$ROOT/host-agent/target/agent-jre"
  AGENT_JAVA=/opt/agent/agent-jre/bin/java
fi
java_bin="${AGENT_JAVA:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")/bin/java}"
# The environment the unit gives the agent (MALLOC_ARENA_MAX...), unless AGENT_ENV says otherwise.
AGENT_ENV="${AGENT_ENV-$(sed -n 's/^Environment=//p' "$ROOT/deploy/agent/flotilla-agent.service" | tr '\n' ' ')}"
env_args=()
for kv in $AGENT_ENV; do
  env_args+=(-e "$kv")
  # What the flotilla-agent command adds when the unit names a class-data archive.
  if [ -z "$jvm_opts_given" ] && [ "$java_bin" = /opt/agent/agent-jre/bin/java ] && [ "${kv%%=*}" = FLOTILLA_AGENT_CDS ]; then
    AGENT_JVM_OPTS="$AGENT_JVM_OPTS -XX:TrimNativeHeapInterval=30000 -XX:+AutoCreateSharedArchive -XX:SharedArchiveFile=${kv#*=}"
  fi
done
nmt_opts=""
[ "${AGENT_NMT:-0}" = 1 ] && nmt_opts="-XX:NativeMemoryTracking=summary -XX:+UnlockDiagnosticVMOptions -XX:+PrintNMTStatistics"
# Starts the agent in the host and waits for its Nth "connected" line; prints the seconds it took.
start_agent() { # N [ENROLL_TOKEN]
  local t n="$1" c
  t=$(date +%s.%N)
  podman exec -d "${env_args[@]}" -e FLOTILLA_URL="http://127.0.0.1:$port" -e FLOTILLA_ENROLL_TOKEN="${2:-}" \
    -e FLOTILLA_AGENT_STATE=/var/lib/flotilla-agent "$host" \
    sh -c "echo \$\$ > /run/flotilla-agent.pid; exec $java_bin $AGENT_JVM_OPTS $nmt_opts -jar /opt/agent/flotilla-agent.jar --config /dev/null >> /var/log/flotilla-agent.log 2>&1" >/dev/null
  for _ in $(seq 1 600); do
    c=$(podman exec "$host" grep -c "connected as machine" /var/log/flotilla-agent.log 2>/dev/null || true)
    if [ "${c:-0}" -ge "$n" ]; then python3 -c "print(round($(date +%s.%N) - $t, 2))"; return 0; fi
    sleep 0.1
  done
  echo "?"
}
# Start-up: from the process's start to "connected" in its log (enrollment included: a first start).
connected=$(start_agent 1 "$enroll")
echo "connected after $connected s (first start)"
restarted=""
if [ "${AGENT_RESTART:-0}" = 1 ]; then
  # As after an upgrade or a reboot: a clean stop (which may write a class-data archive), a start.
  sleep 15
  old=$(podman exec "$host" cat /run/flotilla-agent.pid)
  podman exec "$host" sh -c "kill -TERM $old"
  for _ in $(seq 1 100); do podman exec "$host" test -e "/proc/$old" || break; sleep 0.2; done
  restarted=$(start_agent 2)
  echo "connected after $restarted s (restart)"
fi
sleep 20 # start-up and the first snapshot are not the steady state
pid=$(podman exec "$host" cat /run/flotilla-agent.pid)
machine=$(podman exec "$host" cat /etc/machine-id)
count() { curl -fsS "http://127.0.0.1:$port/api/v1/machines/$machine/$1?limit=500" -H "Authorization: Bearer $token" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))'; }
reported=$(count units)
reported_containers=$(count containers)

ticks() { podman exec "$host" sh -c "awk '{print \$14+\$15}' /proc/$pid/stat"; }
rss_kb() { podman exec "$host" sh -c "awk '/VmRSS/ {print \$2}' /proc/$pid/status"; }
hz=$(getconf CLK_TCK)
t0=$(ticks); s0=$(date +%s.%N); peak=0; sum=0; n=0
end=$(( $(date +%s) + minutes * 60 ))
i=0
while [ "$(date +%s)" -lt "$end" ]; do
  # Steady reporting: one unit restarted every 30 s, as a host changing a unit now and then,
  # and one container restarted every minute.
  if [ $((i % 6)) -eq 0 ] && [ "$extra" -gt 0 ]; then
    podman exec "$host" systemctl restart --no-block "bench-$(( (i / 6) % extra + 1 )).service"
  fi
  if [ $((i % 12)) -eq 3 ] && [ "$containers" -gt 0 ]; then
    engine_api -X POST "http://localhost/v1.41/containers/$host-c$(( (i / 12) % containers + 1 ))/restart?t=1" >/dev/null || true
  fi
  r=$(rss_kb); sum=$((sum + r)); n=$((n + 1)); [ "$r" -gt "$peak" ] && peak=$r
  sleep 5; i=$((i + 1))
done
t1=$(ticks); s1=$(date +%s.%N)
cpu=$(python3 -c "print(round(100.0 * ($t1 - $t0) / $hz / ($s1 - $s0), 3))")
nmt=""
if [ "${AGENT_NMT:-0}" = 1 ]; then
  podman exec "$host" sh -c "kill -TERM $pid" || true
  sleep 3
  nmt=$(podman exec "$host" sed -n '/Native Memory Tracking/,$p' /var/log/flotilla-agent.log | grep -E '^ *(Total|-|\(reserved|Native Memory)' | grep -Ev 'tracking overhead' | head -n 60 || true)
fi
avg=$((sum / n / 1024)); peak_mb=$((peak / 1024))
# The same idle-CPU measure on a process that does nothing, as the noise floor of this machine.
mkdir -p "$ROOT/load-tests/results"
out="$ROOT/load-tests/results/agent-footprint-$(date -u +%Y%m%dT%H%M%SZ).md"
cat > "$out" <<MD
# Agent footprint — $(date -u +%Y-%m-%dT%H:%M:%SZ)

| figure | value |
|---|---|
| units reported | $reported |
| containers reported | $reported_containers |
| duration | $minutes min (after 20 s of start-up) |
| JVM options | \`$AGENT_JVM_OPTS\` ($(podman exec "$host" "$java_bin" -version 2>&1 | head -n 1)) |
| environment | \`${AGENT_ENV:-none}\` |
| start-up to connected (first start, enrollment included) | ${connected:-?} s |
| start-up to connected (a restart; AGENT_RESTART=1) | ${restarted:--} s |
| resident memory, mean / peak | $avg MB / $peak_mb MB |
| CPU, mean over the window | $cpu % of one core |

Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r).
Measured from /proc/<pid>/status (VmRSS, every 5 s) and /proc/<pid>/stat (utime+stime) inside the
host container; one unit restarted every 30 s, one container restarted every 60 s (Podman's
Docker-compatible API service, its socket mounted into the host at /run/podman).
MD
# shellcheck disable=SC2016 # backquotes of Markdown
if [ -n "$nmt" ]; then printf '\nNative memory at the end (NMT summary, committed):\n\n```\n%s\n```\n' "$nmt" >>"$out"; fi
cat "$out"
