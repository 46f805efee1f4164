#!/usr/bin/env bash
# Builds Flotilla's OCI images from this machine's Debian packages and JDK, with no registry:
#   deploy/image/build.sh [OUT_DIR]
# writes OUT_DIR/flotilla-service.tar and OUT_DIR/flotilla-agent.tar (default target/images),
# OCI archives that `podman load` and `docker load` (Docker 25 or later) accept.
#
# Each image is FROM scratch: a base layer of the few shared libraries a JVM needs (glibc,
# libgcc, libstdc++, zlib: `apt-get download` + `dpkg -x`), a runtime layer (a jlink of the JDK
# with only the modules the program needs), and the program's layers. A release changes only the
# last ones. Both run as user 10001 on a read-only root file system; only /tmp is written.
# Needs the jars built first (./flotilla build).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="${1:-$ROOT/target/images}"
WORK="$ROOT/target/image-work"
VERSION="$(sed -n 's:^    <version>\(.*\)</version>:\1:p' "$ROOT/pom.xml" | head -n 1)"
VERSION="${VERSION%-SNAPSHOT}"
SERVICE_APP="$ROOT/fleet-service/target/quarkus-app"
AGENT_JAR="$ROOT/host-agent/target/flotilla-agent.jar"
# JDK, SERVICE_MODULES, AGENT_MODULES and runtime(): the jlink runtimes, shared with the packages.
# shellcheck source=deploy/image/runtimes.sh disable=SC1091
. "$ROOT/deploy/image/runtimes.sh"

log() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
die() { printf 'image: %s\n' "$*" >&2; exit 1; }

[ -f "$SERVICE_APP/quarkus-run.jar" ] || die "$SERVICE_APP is missing: run ./flotilla build first"
[ -f "$AGENT_JAR" ] || die "$AGENT_JAR is missing: run ./flotilla build first"
[ -x "$JDK/bin/jlink" ] || die "no JDK with jlink at $JDK (set FLOTILLA_IMAGE_JDK to a JDK 21 or later)"
"$ROOT/deploy/ci/systemd-hosts.sh" tools

mkdir -p "$OUT" "$WORK"

base_layer() {
  local base="$WORK/base" debs="$WORK/debs"
  # Made again when what it holds changes (the number in .done).
  [ "$(cat "$base/.done" 2>/dev/null)" = 2 ] && return 0
  log "Base layer from Debian packages (glibc, libgcc, libstdc++, zlib)"
  rm -rf "$base" "$debs"
  mkdir -p "$base" "$debs"
  (cd "$debs" && apt-get download -qq -o APT::Sandbox::User="$(id -un)" libc6 libgcc-s1 gcc-12-base libstdc++6 zlib1g)
  for deb in "$debs"/*.deb; do dpkg -x "$deb" "$base"; done
  # Only the shared libraries: no documentation, locales, or tools.
  rm -rf "${base:?}/usr/share" "${base:?}/usr/bin" "${base:?}/usr/sbin" "${base:?}/sbin" "${base:?}/bin" "${base:?}/usr/libexec"
  mkdir -p "$base/etc" "$base/tmp" "$base/app" "$base/run" "$base/var"
  chmod 1777 "$base/tmp"
  # As on every host: the system bus is at /var/run/dbus/system_bus_socket too.
  ln -s ../run "$base/var/run"
  printf 'root:x:0:0:root:/root:/nonexistent\nflotilla:x:10001:10001:flotilla:/tmp:/nonexistent\n' >"$base/etc/passwd"
  printf 'root:x:0:\nflotilla:x:10001:\n' >"$base/etc/group"
  printf 'hosts: files dns\n' >"$base/etc/nsswitch.conf"
  echo 2 >"$base/.done"
}

build() { # NAME CONTEXT  (the context holds a Containerfile)
  local name="$1" ctx="$2"
  log "Image $name:$VERSION"
  podman build -q --format oci -t "localhost/$name:$VERSION" -f "$ctx/Containerfile" "$ctx" >/dev/null
  rm -f "$OUT/$name.tar"
  podman save -q --format oci-archive -o "$OUT/$name.tar" "localhost/$name:$VERSION"
  log "$OUT/$name.tar: $(du -m "$OUT/$name.tar" | cut -f1) MB"
}

base_layer
runtime service "$SERVICE_MODULES"
runtime agent "$AGENT_MODULES" cds

# The service: Quarkus's fast-jar layout, libraries first (they change least).
ctx="$WORK/service-context"
rm -rf "$ctx" && mkdir -p "$ctx"
cp -a "$WORK/base" "$ctx/base" && rm -f "$ctx/base/.done"
cp -a "$WORK/service-jre" "$ctx/jre" && rm -f "$ctx/jre/.modules"
cp -a "$SERVICE_APP" "$ctx/app"
cat >"$ctx/Containerfile" <<CONTAINERFILE
FROM scratch
COPY base/ /
COPY jre/ /opt/java/
COPY app/lib/ /app/lib/
COPY app/quarkus/ /app/quarkus/
COPY app/app/ /app/app/
COPY app/quarkus-run.jar /app/
LABEL org.opencontainers.image.title="flotilla-service" org.opencontainers.image.version="$VERSION"
ENV FLOTILLA_HOST=0.0.0.0 FLOTILLA_MANAGEMENT_HOST=0.0.0.0 FLOTILLA_LOG_JSON=true
EXPOSE 8080 9000
USER 10001:10001
WORKDIR /tmp
ENTRYPOINT ["/opt/java/bin/java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-Djava.io.tmpdir=/tmp", "-jar", "/app/quarkus-run.jar"]
CONTAINERFILE
build flotilla-service "$ctx"

# The agent: its runtime, journalctl (it answers "journal" questions with journalctl -o json over
# the host's journal files, mounted) and one jar. Run it with the host's D-Bus socket,
# /etc/systemd/system, /etc/machine-id, the journal and the container engine's socket mounted:
# deploy/agent/flotilla-agent-container.service.
journal_layer() {
  local journal="$WORK/journal"
  [ -f "$journal/.done" ] && return 0
  local bin
  bin=$(command -v journalctl) || die "journalctl is needed (Debian's systemd package) for the agent's image"
  log "journalctl and the libraries it links, from this machine's systemd ($(dpkg-query -W -f='${Version}' systemd 2>/dev/null || echo '?'))"
  rm -rf "$journal" && mkdir -p "$journal/usr/bin"
  cp -L "$bin" "$journal/usr/bin/journalctl"
  # Every library it links that the base layer does not hold already, at the same path.
  ldd "$bin" | awk '/=> \// {print $3}' | while read -r lib; do
    [ -e "$WORK/base$lib" ] || [ -e "$WORK/base/usr$lib" ] || { mkdir -p "$journal$(dirname "$lib")"; cp -L "$lib" "$journal$lib"; }
  done
  touch "$journal/.done"
}
journal_layer
ctx="$WORK/agent-context"
rm -rf "$ctx" && mkdir -p "$ctx"
cp -a "$WORK/base" "$ctx/base" && rm -f "$ctx/base/.done"
cp -a "$WORK/journal" "$ctx/journal" && rm -f "$ctx/journal/.done"
cp -a "$WORK/agent-jre" "$ctx/jre" && rm -f "$ctx/jre/.modules"
cp "$AGENT_JAR" "$ctx/flotilla-agent.jar"
cat >"$ctx/Containerfile" <<CONTAINERFILE
FROM scratch
COPY base/ /
COPY journal/ /
COPY jre/ /opt/java/
COPY flotilla-agent.jar /opt/flotilla/
LABEL org.opencontainers.image.title="flotilla-agent" org.opencontainers.image.version="$VERSION"
ENV PATH=/usr/bin:/bin FLOTILLA_AGENT_STATE=/var/lib/flotilla-agent
ENV MALLOC_ARENA_MAX=2
ENTRYPOINT ["/opt/java/bin/java", "-Xms2m", "-Xmx24m", "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30", "-Xss256k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1", "-XX:ReservedCodeCacheSize=16m", "-XX:-UsePerfData", "-XX:TrimNativeHeapInterval=30000", "-XX:+AutoCreateSharedArchive", "-XX:SharedArchiveFile=/var/lib/flotilla-agent/flotilla-agent.jsa", "-jar", "/opt/flotilla/flotilla-agent.jar"]
CONTAINERFILE
build flotilla-agent "$ctx"
