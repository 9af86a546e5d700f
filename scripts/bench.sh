#!/usr/bin/env bash
# Runs the benchmarks of DESIGN.md §10 and prints each figure beside its
# ceiling, measured in the same run (docs/benchmarks.md). No pass/fail: the
# figures are for people. Usage: scripts/bench.sh [BUILD_DIR]  (default build)
# env: BENCH_PATIENTS (20000) patients in the synthetic registry, BENCH_SEED (1)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bdir=$(cd "${1:-$root/build}" && pwd)
patients=${BENCH_PATIENTS:-20000}
seed=${BENCH_SEED:-1}
for b in genu bench/bench_import bench/bench_score bench/bench_jansson_lines; do
  [ -x "$bdir/$b" ] || { echo "bench.sh: $bdir/$b missing (make bench builds it)" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "genu benchmarks: $(nproc) cores, $(uname -srm), $(date -u +%Y-%m-%dT%H:%MZ)"
echo "data: tools/gen_registry.py $patients $seed --koos"
python3 "$root/tools/gen_registry.py" "$patients" "$seed" --koos > "$work/registry.jsonl"
# the KOOS responses' answers alone, as `genu score koos` reads them
python3 - "$work/registry.jsonl" > "$work/koos.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    o = json.loads(line)
    if o.get("instrument") == "koos":
        sys.stdout.write(json.dumps({"items": o["items"]}, separators=(",", ":")) + "\n")
PY
echo "      $(wc -l < "$work/registry.jsonl") registry lines, $(wc -l < "$work/koos.jsonl") KOOS answer lines"

echo
echo "== import (target: >= 0.50 of raw prepared inserts, one transaction)"
"$bdir/bench/bench_import" "$work/registry.jsonl" "$work"
echo
echo "== scoring (targets: >= 5 million KOOS/s per core; genu score >= 0.50 of jansson)"
"$bdir/bench/bench_score" "$bdir/genu" "$work/koos.jsonl" "$bdir/bench/bench_jansson_lines" 2>/dev/null
