#!/usr/bin/env bash
# Writes the Flotilla realm for Keycloak's --import-realm, with this deployment's address and
# secrets filled in.
#
#   FLOTILLA_URL=https://flotilla.example.com \
#   FLOTILLA_OIDC_SECRET=... FLOTILLA_KEYCLOAK_ADMIN_SECRET=... \
#   deploy/keycloak/import.sh /opt/keycloak/data/import
#
# then start Keycloak with `kc.sh start --import-realm` (an existing realm is left alone), and the
# fleet service with FLOTILLA_AUTH_MODE=oidc, FLOTILLA_OIDC_URL=<keycloak>/realms/flotilla,
# FLOTILLA_OIDC_SECRET, FLOTILLA_KEYCLOAK_URL=<keycloak> and FLOTILLA_KEYCLOAK_ADMIN_SECRET.
#
# Keycloak emails invitees a link to verify their address and choose a password, through the SMTP
# server of FLOTILLA_SMTP_HOST and FLOTILLA_SMTP_PORT (default localhost:25), from FLOTILLA_SMTP_FROM,
# with FLOTILLA_SMTP_USER and FLOTILLA_SMTP_PASSWORD when it needs them and FLOTILLA_SMTP_STARTTLS=true.
set -euo pipefail
dest="${1:?usage: import.sh IMPORT_DIR, the data/import folder of Keycloak}"
for v in FLOTILLA_URL FLOTILLA_OIDC_SECRET FLOTILLA_KEYCLOAK_ADMIN_SECRET; do
  if [ -z "${!v:-}" ]; then echo "import.sh: set $v" >&2; exit 2; fi
done
case "$FLOTILLA_URL" in http://*|https://*) ;; *) echo "import.sh: FLOTILLA_URL must start with http:// or https://" >&2; exit 2;; esac
# Invitees get Keycloak's email (verify the address, choose a password): the realm's SMTP server.
export FLOTILLA_SMTP_HOST="${FLOTILLA_SMTP_HOST:-localhost}" FLOTILLA_SMTP_PORT="${FLOTILLA_SMTP_PORT:-25}"
export FLOTILLA_SMTP_FROM="${FLOTILLA_SMTP_FROM:-flotilla@localhost}" FLOTILLA_SMTP_STARTTLS="${FLOTILLA_SMTP_STARTTLS:-false}"
export FLOTILLA_SMTP_USER="${FLOTILLA_SMTP_USER:-}" FLOTILLA_SMTP_PASSWORD="${FLOTILLA_SMTP_PASSWORD:-}"
if [ -n "$FLOTILLA_SMTP_USER" ]; then export FLOTILLA_SMTP_AUTH=true; else export FLOTILLA_SMTP_AUTH=false; fi
mkdir -p "$dest"
here="$(cd "$(dirname "$0")" && pwd)"
python3 - "$here/flotilla-realm.json" "$dest/flotilla-realm.json" <<'PY'
import json, os, sys
text = open(sys.argv[1]).read()
for v in ("FLOTILLA_URL", "FLOTILLA_OIDC_SECRET", "FLOTILLA_KEYCLOAK_ADMIN_SECRET", "FLOTILLA_SMTP_HOST",
          "FLOTILLA_SMTP_PORT", "FLOTILLA_SMTP_FROM", "FLOTILLA_SMTP_STARTTLS", "FLOTILLA_SMTP_AUTH",
          "FLOTILLA_SMTP_USER", "FLOTILLA_SMTP_PASSWORD"):
    text = text.replace("${%s}" % v, json.dumps(os.environ[v].rstrip("/") if v == "FLOTILLA_URL" else os.environ[v])[1:-1])
json.loads(text)
open(sys.argv[2], "w").write(text)
PY
chmod 600 "$dest/flotilla-realm.json"
echo "wrote $dest/flotilla-realm.json"
