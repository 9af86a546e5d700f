#!/usr/bin/env bash
# make demo: a fresh demo registry (synthetic cohort + the published case
# histories), a look at it, and what to try next.
# Usage: scripts/demo.sh GENU_BINARY REGISTRY
set -eu
genu=$1 db=$2
rm -f "$db" "$db-wal" "$db-shm"
"$genu" --db "$db" demo --patients "${DEMO_PATIENTS:-2000}"
echo
"$genu" --db "$db" status
echo
echo "== A published case history, as genu tells it =="
"$genu" --db "$db" case CH1
echo
echo "== A clinic's claim, audited: 'over 75% reported 50% improvement at 48 months' =="
"$genu" --db "$db" claim --responder 'improvement_pct:nprs.intensity>=50' --at 48m --expect 0.75
cat <<EOT

More to try: $genu --db $db case CH3 | survival --event replacement --by kl |
report --format json | advise CH1 | --help
EOT
# the web interface: a demo admin with a fresh random password, then serve
listen=${DEMO_LISTEN:-127.0.0.1:8080}
pw=$(head -c 12 /dev/urandom | base64 | tr -d '/+=')
echo "$pw" | "$genu" --db "$db" user add demo --role admin --password-stdin >/dev/null
cat <<EOT

== The web interface ==
  open   http://$listen/
  sign in as  demo  with password  $pw   (admin; stop with Ctrl-C)
EOT
exec "$genu" --db "$db" serve --listen "$listen"
