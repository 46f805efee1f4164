#!/usr/bin/env bash
# Installs the Flotilla agent from a checkout on a host with Java 17+ and enrolls it (hosts
# without Java: the .deb/.rpm packages or the container image, see deploy/README.md).
#   sudo ./install.sh --url https://fleet.example.com --token fle_... [--labels k=v,k2=v2] [--jar PATH]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
url="" token="" labels="" jar="$here/../../host-agent/target/flotilla-agent.jar"

usage() {
  sed -n '2,4p' "$0" | sed 's/^# //'
}

while [ $# -gt 0 ]; do
  case "$1" in
    --url) url="$2"; shift 2 ;;
    --token) token="$2"; shift 2 ;;
    --labels) labels="$2"; shift 2 ;;
    --jar) jar="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install.sh: unknown argument '$1'" >&2; usage >&2; exit 64 ;;
  esac
done
if [ -z "$url" ] || [ -z "$token" ]; then usage >&2; exit 64; fi
[ "$(id -u)" -eq 0 ] || { echo "install.sh: run as root" >&2; exit 1; }
[ -f "$jar" ] || { echo "install.sh: no agent jar at $jar (build with ./flotilla build)" >&2; exit 1; }
command -v java >/dev/null || { echo "install.sh: Java 17+ is needed (or install the .deb/.rpm package)" >&2; exit 1; }

install -d -m 0755 /usr/lib/flotilla-agent /etc/flotilla
install -m 0644 "$jar" /usr/lib/flotilla-agent/flotilla-agent.jar
install -m 0755 "$here/flotilla-agent" /usr/bin/flotilla-agent
[ -f /etc/flotilla/agent.conf ] || install -m 0600 "$here/agent.conf" /etc/flotilla/agent.conf
install -m 0644 "$here/flotilla-agent.service" /etc/systemd/system/flotilla-agent.service
args=(--url "$url" --token "$token")
[ -z "$labels" ] || args+=(--labels "$labels")
flotilla-agent enroll "${args[@]}"
systemctl daemon-reload
systemctl enable --now flotilla-agent.service
echo "Flotilla agent installed and started: journalctl -u flotilla-agent -f"
