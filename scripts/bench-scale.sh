#!/usr/bin/env bash
# The scale benchmarks (docs/benchmarks.md, "Scale"): a synthetic registry
# of BENCH_SCALE_PATIENTS patients built on each backend, then the cold
# command-line analyses (a new process each: time and peak memory) as genu
# runs them — a lean load (docs/scaling.md) — beside the same with
# GENU_LOAD=full, every record loaded, which is what every analysis did
# before; then a server's analysis right after a write (bench_scale).
# Figures for people, no pass/fail.
#
# Usage: scripts/bench-scale.sh [BUILD_DIR]   (default build)
# env: BENCH_SCALE_PATIENTS (100000), BENCH_PATIENTS_1M=1 (1,000,000 instead:
#      about an hour and 40 GB of disk per backend, one backend at a time),
#      BENCH_SEED (1), BENCH_BACKENDS ("sqlite postgresql"), BENCH_TMP (a
#      directory with room, default $TMPDIR or /var/tmp), BENCH_SCALE_FULL
#      (1; 0 leaves out the every-record runs).
#
# `genu import` holds a file's records in memory to store them all or none,
# so the registry is imported in files of 100,000 patients each (synth
# writes a patient's records together), one file on disk at a time.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bdir=$(cd "${1:-$root/build}" && pwd)
patients=${BENCH_SCALE_PATIENTS:-100000}
[ "${BENCH_PATIENTS_1M:-0}" = 1 ] && patients=1000000
seed=${BENCH_SEED:-1}
backends=${BENCH_BACKENDS:-sqlite postgresql}
as_of=2024-06-30
chunk=100000
full=${BENCH_SCALE_FULL:-1}
for b in genu bench/bench_scale; do
  [ -x "$bdir/$b" ] || { echo "bench-scale.sh: $bdir/$b missing (make bench builds it)" >&2; exit 1; }
done
py=/usr/bin/python3
[ -x "$py" ] || py=python3
work=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/var/tmp}}/genu-scale.XXXXXX")
chmod 711 "$work"
pg_dir=$work/pg
stop_pg() {
  if [ -f "$pg_dir/data/postmaster.pid" ]; then
    "$root/scripts/pg-test.sh" stop "$pg_dir" || "$root/scripts/pg-test.sh" kill "$pg_dir" || true
  fi
}
trap 'stop_pg; rm -rf "$work"' EXIT
secs() { date +%s.%N; }
# measure LABEL CMD...: runs CMD (stdout thrown away), prints its wall and CPU
# seconds (the CPU time is what a busy machine distorts least) and peak MiB
measure() {
  local label=$1; shift
  "$py" - "$label" "$@" <<'PY'
import resource, subprocess, sys, time
label, cmd = sys.argv[1], sys.argv[2:]
t0 = time.monotonic()
with open("/dev/null", "w") as devnull:
    rc = subprocess.call(cmd, stdout=devnull)
dt = time.monotonic() - t0
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print("  %-40s %7.2f s (cpu %6.2f s) %7.0f MiB%s" % (label, dt, ru.ru_utime + ru.ru_stime,
      ru.ru_maxrss / 1024.0, "" if rc == 0 else "  (exit %d)" % rc))
PY
}

echo "genu scale benchmarks: $patients patients, seed $seed, as of $as_of; $(nproc) cores, $(uname -srm), $(date -u +%Y-%m-%dT%H:%MZ)"
# build REGISTRY: genu synth straight into files of $chunk patients (split
# where a patient's records begin), each imported as it is complete and then
# removed, so one file at a time is on disk
build() {
  "$bdir/genu" synth --patients "$patients" --seed "$seed" --as-of $as_of --output - |
    awk -v chunk=$chunk -v part="$work/part.jsonl" -v genu="$bdir/genu" -v db="$1" '
      function flush() { if (n) { close(part); if (system(genu " --db \"" db "\" import \"" part "\" >/dev/null") != 0) exit 1 } }
      /^\{"type":"patient"/ { if (n > 0 && n % chunk == 0) flush(); n++ }
      { print > part; lines++ }
      END { flush(); print lines > "'"$work"'/lines" }'
  rm -f "$work/part.jsonl"
}

for be in $backends; do
  case $be in
  sqlite) db=$work/scale.db ;;
  postgresql)
    if ! db=$("$root/scripts/pg-test.sh" start "$pg_dir" 2>"$work/pg.err"); then
      echo "postgresql: not run: $(tail -n 1 "$work/pg.err")"
      continue
    fi ;;
  *) echo "bench-scale.sh: unknown backend $be" >&2; continue ;;
  esac
  echo
  echo "== $be"
  "$bdir/genu" --db "$db" init >/dev/null
  t0=$(secs)
  build "$db" || { echo "building the registry failed on $be"; continue; }
  t1=$(secs)
  lines=$(cat "$work/lines")
  awk -v n="$lines" -v t0="$t0" -v t1="$t1" 'BEGIN { printf "synth, then import in files of 100,000 patients: %d lines in %.0f s, %.0f lines/s\n", n, t1 - t0, n / (t1 - t0) }'
  if [ "$be" = postgresql ]; then
    # what autovacuum would have done before anyone reads the registry
    "$root/scripts/pg-test.sh" psql "$pg_dir" -q -c "VACUUM (ANALYZE)"
  else
    echo "registry file: $(du -m "$db" | cut -f1) MiB"
  fi
  G=("$bdir/genu" --db "$db")
  echo "cold analyses, a new process each: the lean load, then every record (GENU_LOAD=full, as before)"
  run() { # run LABEL ARGS...
    local label=$1; shift
    measure "$label" "${G[@]}" "$@"
    [ "$full" = 0 ] || GENU_LOAD=full measure "  every record" "${G[@]}" "$@"
  }
  run "claim nprs 50% at 48m" claim --responder 'improvement_pct:nprs.intensity>=50' --at 48m --expect 0.75 --as-of $as_of --format json
  run "survival replacement by kl" survival --event replacement --by kl --as-of $as_of --format json
  run "report" report --as-of $as_of --format json
  run "advise S000001" advise S000001 --as-of $as_of --format json
  run "advise S000001, again" advise S000001 --as-of $as_of --format json
  "$bdir/bench/bench_scale" "$db" $as_of S000001 || echo "bench_scale failed on $be"
  if [ "$be" = postgresql ]; then stop_pg; rm -rf "$pg_dir"; else rm -f "$db" "$db"-*; fi
done
