#!/usr/bin/env bash
# Builds the libFuzzer targets in their own build directory (clang,
# -DGENU_FUZZ=ON; never touches ./build) and runs each over a fresh copy of
# its seed corpus (fuzz/corpus/<parser>/), one process at a time.
# FUZZ_SECONDS is the fuzzing's budget in wall-clock time, split evenly
# across the targets. libFuzzer's -max_total_time=N runs for about N + 1 s
# (it stops once more than N whole seconds have passed), so a target whose
# share is S seconds gets N = S - 1, at least 1 (each target takes at least
# about 2 s), and the seconds left over go to the first targets. Exits
# non-zero when the build fails or a target finds a crash, leak or broken
# invariant; the input that did it is kept in $FUZZ_BUILD/artifacts/<parser>/.
# Targets that need files write them under $FUZZ_BUILD/tmp. See docs/fuzzing.md.
#
# usage: scripts/fuzz.sh [TARGET...]     (default: every fuzz/fuzz_*.c)
# env:   FUZZ_SECONDS (30), FUZZ_BUILD (build-fuzz), FUZZ_JOBS (nproc, the
#        build's parallelism), CC (clang)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${FUZZ_SECONDS:-30}
bdir=${FUZZ_BUILD:-$root/build-fuzz}
jobs=${FUZZ_JOBS:-$(nproc)}
cc=${CC:-clang}
case $cc in *clang*) ;; *) cc=clang ;; esac
command -v "$cc" >/dev/null || { echo "fuzz.sh: $cc not found (install clang and libclang-rt-14-dev)" >&2; exit 1; }

if [ $# -gt 0 ]; then targets=("$@"); else
  targets=()
  for f in "$root"/fuzz/fuzz_*.c; do targets+=("$(basename "$f" .c)"); done
fi

ntarget=${#targets[@]}
per=$((secs / ntarget - 1))
[ "$per" -ge 1 ] || per=1
extra=$((secs - (per + 1) * ntarget))
[ "$extra" -ge 0 ] || extra=0

mkdir -p "$bdir"
# one fuzz build at a time in a build directory (make fuzz beside make test)
exec 9>"$bdir/.lock"
flock 9

echo "fuzz: configuring $bdir with $cc" >&2
CC=$cc cmake -S "$root" -B "$bdir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGENU_FUZZ=ON >"$bdir/configure.log" 2>&1 ||
  { cat "$bdir/configure.log" >&2; echo "fuzz.sh: configure failed" >&2; exit 1; }
cmake --build "$bdir" -j "$jobs" --target "${targets[@]}" >"$bdir/build.log" 2>&1 ||
  { tail -n 40 "$bdir/build.log" >&2; echo "fuzz.sh: build failed" >&2; exit 1; }

# the targets' temporary files (fuzz/fuzz_common.h) stay in the build directory
export TMPDIR="$bdir/tmp"
rm -rf "$TMPDIR"
mkdir -p "$TMPDIR"

status=0
i=0
for t in "${targets[@]}"; do
  s=$per
  [ "$i" -lt "$extra" ] && s=$((per + 1))
  i=$((i + 1))
  parser=${t#fuzz_}
  seed="$root/fuzz/corpus/$parser"
  work="$bdir/corpus-run/$parser"
  art="$bdir/artifacts/$parser"
  rm -rf "$work"
  mkdir -p "$work" "$art"
  [ -d "$seed" ] && cp -R "$seed/." "$work/"
  # the crashes found before, kept as regression tests, must pass first
  crashes="$root/fuzz/crashes/$parser"
  if [ -d "$crashes" ] && [ -n "$(ls -A "$crashes")" ]; then
    if "$bdir/fuzz/$t" -runs=0 "$crashes" >"$bdir/$t.replay.log" 2>&1; then
      echo "fuzz: $t replays its $(ls "$crashes" | wc -l) saved crash inputs: ok" >&2
    else
      tail -n 40 "$bdir/$t.replay.log" >&2
      echo "fuzz: $t FAILED on a saved crash input of $crashes" >&2
      status=1
    fi
  fi
  echo "fuzz: $t for ${s}s over $(ls "$work" | wc -l) seed inputs" >&2
  if "$bdir/fuzz/$t" -max_total_time="$s" -max_len=8192 -timeout=10 -print_final_stats=1 \
       -artifact_prefix="$art/" "$work" >"$bdir/$t.log" 2>&1; then
    grep -E '^(stat::number_of_executed_units|stat::new_units_added)' "$bdir/$t.log" | sed "s/^/fuzz: $t /" >&2 || true
    echo "fuzz: $t ok" >&2
  else
    rc=$?
    tail -n 60 "$bdir/$t.log" >&2
    echo "fuzz: $t FAILED (exit $rc); inputs in $art/; reproduce: $bdir/fuzz/$t $art/<file>" >&2
    status=1
  fi
done
exit $status
