#!/usr/bin/env bash
# Enrollment A/B (a benchmark, not a test): the bench's enrollment phase only (N simulated hosts
# enrolling with one token, 32 at a time), against the service of another commit and against this
# checkout's, alternated in one run so that both see the same machine.
#   load-tests/enroll-ab.sh [--agents N] [--rounds N] REF
# REF: the commit to compare with (built once in a git worktree under target/). Defaults: 10,000
# agents, 2 rounds. Prints each run and the means; logs in target/enroll-ab/. Needs ./flotilla build.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
agents=10000 rounds=2 ref=""
while [ $# -gt 0 ]; do
  case "$1" in
    --agents) agents="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 64 ;;
    *) ref="$1"; shift ;;
  esac
done
[ -n "$ref" ] || { echo "usage: load-tests/enroll-ab.sh [--agents N] [--rounds N] REF" >&2; exit 64; }
new_jar="$ROOT/fleet-service/target/quarkus-app/quarkus-run.jar"
if [ ! -f "$new_jar" ] || [ ! -f "$ROOT/load-tests/target/flotilla-load.jar" ]; then
  echo "build first: ./flotilla build" >&2
  exit 1
fi

out="$ROOT/target/enroll-ab"
tree="$out/tree-$(git -C "$ROOT" rev-parse --short "$ref")"
mkdir -p "$out"
if [ ! -f "$tree/fleet-service/target/quarkus-app/quarkus-run.jar" ]; then
  echo "building the service of $ref in $tree"
  rm -rf "$tree"
  git -C "$ROOT" worktree add -f --detach "$tree" "$ref" >/dev/null
  (cd "$tree" && ./mvnw -B -ntp -q package -DskipTests -pl fleet-service -am)
fi
old_jar="$tree/fleet-service/target/quarkus-app/quarkus-run.jar"

# One run: start the bench, wait for its enrollment line, stop the bench and its service.
run() { # label jar round
  local log="$out/$1-$3.log" pid
  "$ROOT/flotilla" bench --agents "$agents" --steady-seconds 5 --no-baselines \
    --service-jar "$2" --out "$out/results-$1-$3" >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 900); do
    grep -q "enrolled $agents hosts" "$log" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
  pkill -f flotilla-load.jar || true
  sleep 3
  pkill -f "$2" || true
  wait "$pid" 2>/dev/null || true
  local rate
  rate=$(sed -n "s/.*enrolled $agents hosts in .* (\([0-9]*\)\/s).*/\1/p" "$log")
  [ -n "$rate" ] || { echo "$1 round $3: no enrollment figure (see $log)" >&2; exit 1; }
  echo "$1 round $3: $rate/s"
  echo "$1 $rate" >>"$out/rates"
}

: >"$out/rates"
for r in $(seq 1 "$rounds"); do
  run old "$old_jar" "$r"
  run new "$new_jar" "$r"
done
awk '{s[$1]+=$2; n[$1]++} END {printf "mean: old %.0f/s, new %.0f/s, new/old %.2f\n", s["old"]/n["old"], s["new"]/n["new"], (s["new"]/n["new"])/(s["old"]/n["old"])}' "$out/rates"
