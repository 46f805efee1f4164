#!/usr/bin/env bash
# Installs and starts what the tests need on a fresh Debian machine of this project's kind.
# Safe to run again: it only acts on what is missing.
set -euo pipefail

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
# curl: for ./flotilla up and the test helpers, and for ./mvnw to fetch Maven from Maven Central
# (so no Maven package is needed).
command -v curl >/dev/null || missing+=(curl)
# ./flotilla test checks every shell script with it before the Maven run.
command -v shellcheck >/dev/null || missing+=(shellcheck)
command -v setpriv >/dev/null || missing+=(util-linux)
command -v psql >/dev/null || missing+=(postgresql-client)
# The benchmark's baselines (./flotilla bench --quick runs in ./flotilla test): pgbench comes with
# the PostgreSQL server package, etcd 3.4 from Debian's etcd-server.
command -v pgbench >/dev/null || missing+=(postgresql)
[ -x /usr/bin/etcd ] || missing+=(etcd-server)
# The HA drill (./flotilla ha-drill --quick runs in ./flotilla test): Patroni over that etcd
# managing PostgreSQL 15, HAProxy in front of the service's replicas.
command -v patroni >/dev/null || missing+=(patroni)
command -v haproxy >/dev/null || missing+=(haproxy)
[ -x /usr/lib/postgresql/15/bin/postgres ] || missing+=(postgresql-15)
# The agent's packages (AgentPackageTest): rpmbuild and rpm -qp from Debian's rpm package.
command -v rpmbuild >/dev/null || missing+=(rpm)
# The dashboard's browser test drives Debian's Chromium with Debian's chromedriver.
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

# deploy-tests render deploy/kubernetes with `kubectl kustomize` (Kustomize 5, offline, no cluster).
# The kubectl package comes from the Kubernetes (or Google Cloud) apt repository: Debian's own
# kubernetes-client is 1.20, whose Kustomize is too old. Without kubectl, deploy-tests fail and say so.
if ! command -v kubectl >/dev/null; then
  as_root apt-get update -qq
  if apt-cache show kubectl >/dev/null 2>&1; then
    echo "Installing: kubectl"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kubectl
  else
    echo "No apt source offers kubectl: deploy-tests will fail. Add the Kubernetes apt repository" >&2
    echo "(pkgs.k8s.io, core:/stable:/v1.32/deb/) and run this again." >&2
  fi
fi

# The OpenAPI document is linted with Redocly's CLI (OpenApiLintTest), from npm, with the machine's
# Node.js (20 or later), kept in the test cache.
REDOCLY_DIR="${FLOTILLA_TEST_CACHE:-/var/cache/flotilla-test}/redocly"
if [ ! -x "$REDOCLY_DIR/node_modules/.bin/redocly" ]; then
  command -v npm >/dev/null || { as_root apt-get update -qq; as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; }
  echo "Installing: @redocly/cli 2.77.0 (npm) into $REDOCLY_DIR"
  as_root mkdir -p "$REDOCLY_DIR"
  as_root npm install --prefix "$REDOCLY_DIR" --no-audit --no-fund --silent @redocly/cli@2.77.0
fi

# The dashboard's quality suite (DashboardQualityTest) runs axe-core in Chromium on every page and
# Lighthouse against each of them, both from npm, kept in the test cache. Lighthouse 13 wants Node 22
# and npm refuses its lock on Node 20: 12.2.3, pinned exactly (ENVIRONMENT.md).
AUDIT_DIR="${FLOTILLA_TEST_CACHE:-/var/cache/flotilla-test}/web-audit"
if [ ! -f "$AUDIT_DIR/node_modules/axe-core/axe.min.js" ] || [ ! -x "$AUDIT_DIR/node_modules/.bin/lighthouse" ]; then
  command -v npm >/dev/null || { as_root apt-get update -qq; as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; }
  echo "Installing: axe-core 4.14.1 and lighthouse 12.2.3 (npm) into $AUDIT_DIR"
  as_root mkdir -p "$AUDIT_DIR"
  as_root npm install --prefix "$AUDIT_DIR" --no-audit --no-fund --silent -E axe-core@4.14.1 lighthouse@12.2.3
fi

# The tests use the machine's PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth), as these
# machines provide it. Start it if it is installed but stopped.
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    echo "Starting PostgreSQL"
    as_root pg_ctlcluster --skip-systemctl-redirect \
      "$(find /etc/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort | head -n 1)" main start || true
  fi
fi
pg_isready -q -h 127.0.0.1 -p 5432 || {
  echo "PostgreSQL does not answer on 127.0.0.1:5432. Start one (trust auth for user postgres), or set" >&2
  echo "FLOTILLA_TEST_PG_URL, FLOTILLA_TEST_PG_USER and FLOTILLA_TEST_PG_PASSWORD." >&2
  exit 1
}

# Keycloak 26 (KeycloakSignInTest) needs Java 21+; these machines have Temurin 25 under
# /usr/lib/jvm. Debian's own packages stop at 17 on bookworm, so there is nothing to install here:
# say so clearly instead of failing later inside the test.
jdk21=""
for d in /usr/lib/jvm/*; do
  case "${d##*/}" in *-2[1-9]*|*-[3-9][0-9]*) jdk21="$d" ;; esac
done
if [ -z "$jdk21" ]; then
  echo "No JDK 21+ under /usr/lib/jvm: KeycloakSignInTest will fail (Keycloak 26 needs Java 21+)." >&2
fi

# Real systemd hosts for the agent's tests: podman, crun, debootstrap and a cached Debian root
# file system with systemd (about a minute the first time, nothing after).
"$(dirname "$0")/systemd-hosts.sh" rootfs >/dev/null
