#!/usr/bin/env bash
# make demo: a fresh demo registry from the example file, a summary of it,
# and what to try next. Usage: scripts/demo.sh GENU_BINARY REGISTRY
set -eu
genu=$1 db=$2
rm -f "$db" "$db-wal" "$db-shm"
"$genu" --db "$db" init >/dev/null
"$genu" --db "$db" import examples/clinic.jsonl
echo
"$genu" --db "$db" status
cat <<EOT

The demo registry is $db. Try:
  $genu --db $db export | head
  echo '{"items":{"intensity":4}}' | $genu score nprs
  $genu --db $db claim --responder 'improvement_pct:nprs.intensity>=50' --at 12m --expect 0.75
  $genu --db $db survival --event replacement
  $genu --help
EOT
