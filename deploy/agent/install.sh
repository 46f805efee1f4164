#!/usr/bin/env bash
# Installs the Flotilla agent on this host and enrolls it.
#   sudo ./install.sh --url https://fleet.example.com --token fle_... [--labels k=v,k2=v2] [--jar PATH]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
url="" token="" labels="" jar="$here/../../host-agent/target/flotilla-agent.jar"

usage() {
  sed -n '2,3p' "$0" | sed 's/^# //'
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
command -v java >/dev/null || { echo "install.sh: Java 17+ is needed" >&2; exit 1; }

install -d -m 0755 /opt/flotilla /etc/flotilla
install -m 0644 "$jar" /opt/flotilla/flotilla-agent.jar
umask 077
cat > /etc/flotilla/agent.conf <<CONF
# Flotilla agent configuration (see java -jar /opt/flotilla/flotilla-agent.jar --help)
url = $url
state-dir = /var/lib/flotilla-agent
labels = $labels
# Needed for the first start only; the agent keeps its own credential afterwards.
enroll-token = $token
# Updates applied by the agent under the service's update policies (see --help):
# updates = on
# update-interval = PT1H
CONF
install -m 0644 "$here/flotilla-agent.service" /etc/systemd/system/flotilla-agent.service
systemctl daemon-reload
systemctl enable --now flotilla-agent.service
echo "Flotilla agent installed and started: journalctl -u flotilla-agent -f"
