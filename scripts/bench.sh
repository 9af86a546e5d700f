#!/usr/bin/env bash
# Runs the benchmarks (docs/design.md, Performance) and prints each figure beside its
# ceiling, measured in the same run (docs/benchmarks.md). No pass/fail: the
# figures are for people. Usage: scripts/bench.sh [BUILD_DIR]  (default build)
# env: BENCH_PATIENTS (20000) patients in the synthetic registry, BENCH_SEED (1),
#      BENCH_REPORT_PATIENTS (100000) patients of `genu synth` for the synth
#      and report benchmarks (the same registry on every backend), BENCH_KM_KNEES
#      (1000000) knees for Kaplan–Meier versus R, BENCH_ONLY (all) one of
#      import, score, synth, report, km, scale, server,
#      BENCH_BACKENDS ("sqlite postgresql") the registry backends of the import
#      and report benchmarks. PostgreSQL runs on a private server of its own
#      (scripts/pg-test.sh, a Unix socket in the temporary directory); when it
#      is not installed that is said and SQLite runs alone.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bdir=$(cd "${1:-$root/build}" && pwd)
patients=${BENCH_PATIENTS:-20000}
seed=${BENCH_SEED:-1}
report_patients=${BENCH_REPORT_PATIENTS:-100000}
km_knees=${BENCH_KM_KNEES:-1000000}
only=${BENCH_ONLY:-all}
backends=${BENCH_BACKENDS:-sqlite postgresql}
as_of=2024-06-30 # fixed, so that the synthetic registry is the same every run
want() { [ "$only" = all ] || [ "$only" = "$1" ]; }
has_backend() { case " $backends " in *" $1 "*) return 0 ;; esac; return 1; }
for b in genu bench/bench_import bench/bench_score bench/bench_jansson_lines bench/bench_analysis; do
  [ -x "$bdir/$b" ] || { echo "bench.sh: $bdir/$b missing (make bench builds it)" >&2; exit 1; }
done
work=$(mktemp -d)
chmod 711 "$work" # under root the PostgreSQL server's user must reach $work/pg
pg_dir=$work/pg
pg_url=
stop_pg() {
  if [ -f "$pg_dir/data/postmaster.pid" ]; then
    "$root/scripts/pg-test.sh" stop "$pg_dir" || "$root/scripts/pg-test.sh" kill "$pg_dir" || true
  fi
  pg_url=
}
trap 'stop_pg; rm -rf "$work"' EXIT

echo "genu benchmarks: $(nproc) cores, $(uname -srm), $(date -u +%Y-%m-%dT%H:%MZ)"
if has_backend postgresql && { want import || want report; }; then
  if pg_url=$("$root/scripts/pg-test.sh" start "$pg_dir" 2>"$work/pg.err"); then
    echo "backends: $backends; PostgreSQL $("$root/scripts/pg-test.sh" psql "$pg_dir" -At -c \
      'SHOW server_version') on a private server (scripts/pg-test.sh, Unix socket, fsync on)"
  else
    echo "backends: PostgreSQL is not run: $(tail -n 1 "$work/pg.err"); SQLite only"
    stop_pg
    backends=sqlite
  fi
else
  echo "backends: $backends"
fi

# side_by_side SECTION [LABEL SED_EXPR]...: a table with one column per
# backend, each cell what SED_EXPR (sed -n) prints from $work/SECTION.BACKEND,
# the output of that backend's run ("-" when it did not run).
side_by_side() {
  local section=$1 be label expr
  shift
  printf '  %-44s' ""
  for be in $backends; do printf ' %16s' "$be"; done
  echo
  while [ $# -ge 2 ]; do
    label=$1 expr=$2
    shift 2
    printf '  %-44s' "$label"
    for be in $backends; do
      printf ' %16s' "$(sed -n "$expr" "$work/$section.$be" 2>/dev/null | head -n 1 | grep . || echo -)"
    done
    echo
  done
}
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
echo "== import (target: >= 0.50 of the rate of the same rows written raw, one transaction)"
for be in $backends; do
  case $be in
  sqlite) target=$work ;;
  postgresql) target=$pg_url ;;
  *) echo "bench.sh: unknown backend $be (sqlite, postgresql)" >&2; continue ;;
  esac
  "$bdir/bench/bench_import" "$work/registry.jsonl" "$target" > "$work/import.$be" ||
    echo "bench.sh: bench_import failed on $be" >&2
  cat "$work/import.$be"
done
echo "import side by side ($(wc -l < "$work/registry.jsonl") lines, the same file):"
ins='^  ceiling, raw prepared INSERTs[^:]*:' copy='^  ceiling, raw COPY[^:]*:'
side_by_side import \
  "import (jsonl_import), s" 's/^import ([a-z]*): [0-9]* lines in \([0-9.]*\) s$/\1/p' \
  "import, lines/s" 's/^import ([a-z]*): \([0-9]*\) lines\/s .*/\1/p' \
  "ceiling: raw prepared INSERTs, s" "s/$ins [0-9]* rows in \\([0-9.]*\\) s.*/\\1/p" \
  "  rows/s" "s/$ins .* s, \\([0-9]*\\) rows\\/s.*/\\1/p" \
  "  ratio import/INSERTs" "s/$ins .*import\\/ceiling \\([0-9.]*\\)$/\\1/p" \
  "ceiling: raw COPY, s" "s/$copy [0-9]* rows in \\([0-9.]*\\) s.*/\\1/p" \
  "  rows/s" "s/$copy .* s, \\([0-9]*\\) rows\\/s.*/\\1/p" \
  "  ratio import/COPY" "s/$copy .*import\\/ceiling \\([0-9.]*\\)$/\\1/p" \
  "ratio to the like ceiling (targets: SQLite >= 0.70, PostgreSQL >= 0.60)" 's/.* ratio \([0-9.]*\) (target.*/\1/p' \
  "  that ceiling" 's/.*ceiling (raw \(.*\)): .*/\1/p' \
  "parse+validate alone, lines/s" 's/^  parse+validate alone.*: \([0-9]*\) lines\/s.*/\1/p'
echo "  (PostgreSQL sends its INSERTs pipelined, 500 per sync; its importer loads new records"
echo "   with COPY, SQLite's with prepared INSERTs: each ratio is to its own mechanism)"
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
awk -v n="$lines" -v t0="$t0" -v t1="$t1" 'BEGIN {
  printf "  generation alone (--output FILE): %d lines in %.1f s, %.0f lines/s\n", n, t1 - t0, n / (t1 - t0) }'
# PostgreSQL's report registry is this file, imported (below)
if ! { want report && [ -n "$pg_url" ]; }; then rm -f "$work/synth.jsonl"; fi
if want synth || has_backend sqlite; then
# the whole command: generate to a temporary file, then the atomic import
export TMPDIR="$work"
t2=$(secs)
"$bdir/genu" --db "$work/report.db" synth --patients "$report_patients" --seed "$seed" \
    --as-of "$as_of" --import >/dev/null
t3=$(secs)
awk -v n="$lines" -v t0="$t0" -v t1="$t1" -v t2="$t2" -v t3="$t3" -v p="$report_patients" 'BEGIN {
  g = t1 - t0; t = t3 - t2
  printf "synth --import: %d patients, %d lines in %.1f s, %.0f lines/s (generation %.0f%% of it)  target well under 60 s: %s\n",
         p, n, t, n / t, 100 * g / t, t < 30 ? "met" : t < 60 ? "under 60 s, not well under" : "MISSED" }'
fi
fi
if want report; then
echo
echo "== report (target: report_build < 1 s on $report_patients patients, after loading)"
for be in $backends; do
  case $be in
  sqlite) registry=$work/report.db ;; # made by synth --import above
  postgresql)
    registry=$pg_url
    t0=$(secs)
    "$bdir/genu" --db "$registry" import "$work/synth.jsonl" >/dev/null
    t1=$(secs)
    awk -v n="$lines" -v t0="$t0" -v t1="$t1" 'BEGIN {
      printf "PostgreSQL registry: genu --db URL import of the same synth file: %d lines in %.1f s, %.0f lines/s\n",
             n, t1 - t0, n / (t1 - t0) }'
    rm -f "$work/synth.jsonl"
    # what autovacuum would have done by the time anyone reads the registry
    # (hint bits, visibility map, statistics), not timed in store_load
    t0=$(secs)
    "$root/scripts/pg-test.sh" psql "$pg_dir" -c "VACUUM (ANALYZE)"
    t1=$(secs)
    awk -v t0="$t0" -v t1="$t1" 'BEGIN { printf "  then VACUUM (ANALYZE): %.1f s\n", t1 - t0 }'
    ;;
  *) echo "bench.sh: unknown backend $be (sqlite, postgresql)" >&2; continue ;;
  esac
  "$bdir/bench/bench_analysis" report "$registry" "$as_of" > "$work/report.$be" ||
    echo "bench.sh: bench_analysis report failed on $be" >&2
  cat "$work/report.$be"
done
echo "report side by side ($report_patients patients, seed $seed, as of $as_of, the same registry):"
side_by_side report \
  "store_load, s" 's/^  store_load: \([0-9.]*\) s .*/\1/p' \
  "store_load, records/s" 's/^  store_load: .*s (\([0-9]*\) records\/s).*/\1/p' \
  "cohort_build, s" 's/^  cohort_build: \([0-9.]*\) s$/\1/p' \
  "report_build, s (target < 1 s)" 's/^report ([a-z]*): report_build \([0-9.]*\) s.*/\1/p' \
  "report --by kl, s" 's/^  report --by kl: \([0-9.]*\) s.*/\1/p' \
  "ceiling (touch the responses once), s" 's/^  ceiling, every score.*: \([0-9.]*\) s .*/\1/p' \
  "checksum (responders over all cells)" 's/^report ([a-z]*): .*(checksum \([0-9]*\)).*/\1/p'
fi
rm -f "$work"/report.db*
stop_pg # the rest is SQLite only
if want km; then
echo
echo "== Kaplan-Meier + log-rank (target: >= 10x faster than R survival, same data, same run)"
"$bdir/bench/bench_analysis" km "$km_knees" "$work" || true
fi

# analyses at scale (lean loads, the server after a write): their own script
if want scale; then
echo
"$root/scripts/bench-scale.sh" "$bdir" || true
fi

# the server figures (durable submissions, read ratio, memory): their own script
if want server; then
echo
"$root/scripts/bench-server.sh" "$bdir" || true
fi
