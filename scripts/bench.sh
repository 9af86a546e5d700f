#!/usr/bin/env bash
# Runs the benchmarks of DESIGN.md §10 and prints each figure beside its
# ceiling, measured in the same run (docs/benchmarks.md). No pass/fail: the
# figures are for people. Usage: scripts/bench.sh [BUILD_DIR]  (default build)
# env: BENCH_PATIENTS (20000) patients in the synthetic registry, BENCH_SEED (1),
#      BENCH_REPORT_PATIENTS (100000) patients of `genu synth --import` for the
#      synth and report benchmarks, BENCH_KM_KNEES (1000000) knees for
#      Kaplan–Meier versus R, BENCH_ONLY (all) one of import, score, synth,
#      report, km
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bdir=$(cd "${1:-$root/build}" && pwd)
patients=${BENCH_PATIENTS:-20000}
seed=${BENCH_SEED:-1}
report_patients=${BENCH_REPORT_PATIENTS:-100000}
km_knees=${BENCH_KM_KNEES:-1000000}
only=${BENCH_ONLY:-all}
as_of=2024-06-30 # fixed, so that the synthetic registry is the same every run
want() { [ "$only" = all ] || [ "$only" = "$1" ]; }
for b in genu bench/bench_import bench/bench_score bench/bench_jansson_lines bench/bench_analysis; do
  [ -x "$bdir/$b" ] || { echo "bench.sh: $bdir/$b missing (make bench builds it)" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "genu benchmarks: $(nproc) cores, $(uname -srm), $(date -u +%Y-%m-%dT%H:%MZ)"
if want import || want score; then
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
fi

if want import; then
echo
echo "== import (target: >= 0.50 of raw prepared inserts, one transaction)"
"$bdir/bench/bench_import" "$work/registry.jsonl" "$work"
fi
if want score; then
echo
echo "== scoring (targets: >= 5 million KOOS/s per core; genu score >= 0.50 of jansson)"
"$bdir/bench/bench_score" "$bdir/genu" "$work/koos.jsonl" "$bdir/bench/bench_jansson_lines" 2>/dev/null
fi

secs() { date +%s.%N; }
if want synth || want report; then
echo
echo "== synth (target: genu synth --patients $report_patients --import well under a minute)"
# generation alone, to a file: the part of the time that is not the import
t0=$(secs)
"$bdir/genu" synth --patients "$report_patients" --seed "$seed" --as-of "$as_of" \
    --output "$work/synth.jsonl"
t1=$(secs)
lines=$(wc -l < "$work/synth.jsonl")
rm -f "$work/synth.jsonl"
# the whole command: generate to a temporary file, then the atomic import
export TMPDIR="$work"
t2=$(secs)
"$bdir/genu" --db "$work/report.db" synth --patients "$report_patients" --seed "$seed" \
    --as-of "$as_of" --import >/dev/null
t3=$(secs)
awk -v n="$lines" -v t0="$t0" -v t1="$t1" -v t2="$t2" -v t3="$t3" -v p="$report_patients" 'BEGIN {
  g = t1 - t0; t = t3 - t2
  printf "  generation alone (--output FILE): %d lines in %.1f s, %.0f lines/s\n", n, g, n / g
  printf "synth --import: %d patients, %d lines in %.1f s, %.0f lines/s (generation %.0f%% of it)  target well under 60 s: %s\n",
         p, n, t, n / t, 100 * g / t, t < 30 ? "met" : t < 60 ? "under 60 s, not well under" : "MISSED" }'
fi
if want report; then
echo
echo "== report (target: report_build < 1 s on $report_patients patients, after loading)"
"$bdir/bench/bench_analysis" report "$work/report.db" "$as_of"
fi
rm -f "$work"/report.db*
if want km; then
echo
echo "== Kaplan-Meier + log-rank (target: >= 10x faster than R survival, same data, same run)"
"$bdir/bench/bench_analysis" km "$km_knees" "$work" || true
fi

# the server figures (durable submissions, read ratio, memory): their own script
echo
"$root/scripts/bench-server.sh" "$bdir" || true
