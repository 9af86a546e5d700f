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

The demo registry is $db. Try:
  $genu --db $db case CH3
  $genu --db $db claim --responder 'improvement_pct:nprs.intensity>=50' --at 12m --expect 0.75 --kl 0-2
  $genu --db $db survival --event replacement --by kl
  $genu --db $db report --format json | head -c 600
  echo '{"items":{"intensity":4}}' | $genu score nprs
  $genu --help
EOT
