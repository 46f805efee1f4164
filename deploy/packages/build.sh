#!/usr/bin/env bash
# Builds the agent's packages, each with its own Java runtime (hosts need no Java):
#   deploy/packages/build.sh [--out DIR] [--revision N]
# writes DIR/flotilla-agent_VERSION-N_amd64.deb (dpkg-deb) and
# DIR/flotilla-agent-VERSION-N.x86_64.rpm (rpmbuild); DIR defaults to target/packages, N to 1.
# A second build with a higher --revision is an upgrade of the first.
#
# Both install the same files:
#   /usr/lib/flotilla-agent/jre/                 a jlink runtime of the modules the agent uses
#   /usr/lib/flotilla-agent/flotilla-agent.jar   the agent
#   /usr/bin/flotilla-agent                      runs it; `flotilla-agent enroll` enrolls the host
#   /lib/systemd/system/flotilla-agent.service   the hardened unit (skipped until enrolled)
#   /etc/flotilla/agent.conf                     a configuration file, kept on upgrade
# Installing enables the unit but starts nothing before `flotilla-agent enroll`; an upgrade
# restarts a running agent (credential and journal in /var/lib/flotilla-agent stay); removing
# stops it; purging (.deb) removes its state and configuration too.
# Needs the agent jar (./flotilla build), a JDK 21+ with jlink, dpkg-deb and rpmbuild (Debian's
# rpm package; installed when missing).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="$ROOT/target/packages"
REVISION=1
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    --revision) REVISION="$2"; shift 2 ;;
    -h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "packages: unknown argument '$1' (see --help)" >&2; exit 64 ;;
  esac
done
[[ "$REVISION" =~ ^[1-9][0-9]{0,5}$ ]] || { echo "packages: --revision must be a positive number" >&2; exit 64; }

WORK="$ROOT/target/image-work"
VERSION="$(sed -n 's:^    <version>\(.*\)</version>:\1:p' "$ROOT/pom.xml" | head -n 1)"
VERSION="${VERSION%-SNAPSHOT}"
AGENT_JAR="$ROOT/host-agent/target/flotilla-agent.jar"
log() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
die() { printf 'packages: %s\n' "$*" >&2; exit 1; }
# shellcheck source=deploy/image/runtimes.sh disable=SC1091
. "$ROOT/deploy/image/runtimes.sh"

[ -f "$AGENT_JAR" ] || die "$AGENT_JAR is missing: run ./flotilla build first"
[ -x "$JDK/bin/jlink" ] || die "no JDK with jlink at $JDK (set FLOTILLA_IMAGE_JDK to a JDK 21 or later)"
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v rpmbuild >/dev/null; then
  log "Installing Debian's rpm package (rpmbuild)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rpm >/dev/null
fi
command -v dpkg-deb >/dev/null || die "dpkg-deb is needed"

mkdir -p "$OUT" "$WORK"
runtime agent "$AGENT_MODULES" cds

# One staged tree for both formats.
stage="$WORK/package-root"
rm -rf "$stage" && mkdir -p "$stage"
install -d -m 0755 "$stage/usr/lib/flotilla-agent" "$stage/usr/bin" "$stage/lib/systemd/system" \
  "$stage/etc/flotilla" "$stage/usr/share/doc/flotilla-agent"
cp -a "$WORK/agent-jre" "$stage/usr/lib/flotilla-agent/jre" && rm -f "$stage/usr/lib/flotilla-agent/jre/.modules"
install -m 0644 "$AGENT_JAR" "$stage/usr/lib/flotilla-agent/flotilla-agent.jar"
install -m 0755 "$ROOT/deploy/agent/flotilla-agent" "$stage/usr/bin/flotilla-agent"
install -m 0644 "$ROOT/deploy/agent/flotilla-agent.service" "$stage/lib/systemd/system/flotilla-agent.service"
install -m 0644 "$ROOT/deploy/agent/agent.conf" "$stage/etc/flotilla/agent.conf"
cat >"$stage/usr/share/doc/flotilla-agent/copyright" <<'TXT'
Flotilla host agent. Its runtime is a jlink of Eclipse Temurin (GPLv2 with the Classpath Exception).
TXT
chmod -R u+rwX,go+rX,go-w "$stage"
size_kb=$(du -sk "$stage" | cut -f1)

# The maintainer scripts: one body each, shared by both formats ($1 is how the tool calls them).
postinst_body='if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
systemctl enable flotilla-agent.service >/dev/null 2>&1 || true
# An upgrade restarts a running agent on the new build; a first install starts nothing: the host
# is not enrolled yet (flotilla-agent enroll --url URL --token TOKEN; then start the unit).
if [ -d /run/systemd/system ]; then systemctl try-restart flotilla-agent.service || true; fi'
stop_body='if [ -d /run/systemd/system ]; then systemctl stop flotilla-agent.service || true; fi
systemctl disable flotilla-agent.service >/dev/null 2>&1 || true'

log "flotilla-agent $VERSION-$REVISION.deb"
deb="$WORK/deb-root"
rm -rf "$deb" && cp -a "$stage" "$deb" && mkdir -p "$deb/DEBIAN"
cat >"$deb/DEBIAN/control" <<CONTROL
Package: flotilla-agent
Version: $VERSION-$REVISION
Architecture: amd64
Maintainer: Flotilla <flotilla@example.com>
Section: admin
Priority: optional
Depends: libc6 (>= 2.28), systemd
Installed-Size: $size_kb
Homepage: https://github.com/flotilla/flotilla
Description: Flotilla host agent
 Reports this host's systemd units and containers to a Flotilla fleet service, runs the
 units it schedules here and applies updates inside the fleet's update windows. Ships its
 own Java runtime. Enroll with: flotilla-agent enroll --url URL --token TOKEN
CONTROL
echo "/etc/flotilla/agent.conf" >"$deb/DEBIAN/conffiles"
# shellcheck disable=SC2016 # $1 is the maintainer script's, not ours
printf '#!/bin/sh\nset -e\nif [ "$1" = configure ]; then\n%s\nfi\n' "$postinst_body" >"$deb/DEBIAN/postinst"
# shellcheck disable=SC2016
printf '#!/bin/sh\nset -e\nif [ "$1" = remove ]; then\n%s\nfi\n' "$stop_body" >"$deb/DEBIAN/prerm"
cat >"$deb/DEBIAN/postrm" <<'POSTRM'
#!/bin/sh
set -e
if [ "$1" = purge ]; then
  # The credential, the state journal and the configuration enroll wrote: nothing stays behind.
  rm -rf /var/lib/flotilla-agent /etc/flotilla/agent.conf /etc/flotilla/agent.conf.tmp
  rmdir /etc/flotilla 2>/dev/null || true
fi
if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
POSTRM
chmod 0755 "$deb/DEBIAN/postinst" "$deb/DEBIAN/prerm" "$deb/DEBIAN/postrm"
debfile="$OUT/flotilla-agent_${VERSION}-${REVISION}_amd64.deb"
dpkg-deb --root-owner-group -Zxz --build "$deb" "$debfile" >/dev/null
log "$debfile: $(du -m "$debfile" | cut -f1) MB"

log "flotilla-agent $VERSION-$REVISION.rpm"
top="$WORK/rpmbuild"
rm -rf "$top" && mkdir -p "$top/SPECS" "$top/RPMS"
cat >"$top/SPECS/flotilla-agent.spec" <<SPEC
Name: flotilla-agent
Version: $VERSION
Release: $REVISION
Summary: Flotilla host agent
License: Apache-2.0
URL: https://github.com/flotilla/flotilla
BuildArch: x86_64
# The runtime is ours: do not derive requirements (or provides) from its libraries.
AutoReqProv: no
Requires: glibc
Requires: systemd
%global __os_install_post %{nil}
%global debug_package %{nil}

%description
Reports this host's systemd units and containers to a Flotilla fleet service, runs the units it
schedules here and applies updates inside the fleet's update windows. Ships its own Java runtime.
Enroll with: flotilla-agent enroll --url URL --token TOKEN

%install
cp -a "$stage"/. %{buildroot}/

%post
$postinst_body

%preun
# \$1 is 0 when the package is erased (not upgraded).
if [ "\$1" -eq 0 ]; then
$stop_body
fi

%postun
if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi

%files
%dir /etc/flotilla
%config(noreplace) /etc/flotilla/agent.conf
/usr/bin/flotilla-agent
/usr/lib/flotilla-agent
/lib/systemd/system/flotilla-agent.service
%doc /usr/share/doc/flotilla-agent/copyright
SPEC
rpmbuild -bb --quiet --define "_topdir $top" --define "_build_id_links none" \
  "$top/SPECS/flotilla-agent.spec" >"$WORK/rpmbuild.log" 2>&1 || { cat "$WORK/rpmbuild.log" >&2; die "rpmbuild failed"; }
rpmfile="$OUT/flotilla-agent-${VERSION}-${REVISION}.x86_64.rpm"
cp "$top/RPMS/x86_64/flotilla-agent-${VERSION}-${REVISION}.x86_64.rpm" "$rpmfile"
log "$rpmfile: $(du -m "$rpmfile" | cut -f1) MB"
