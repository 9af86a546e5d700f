#!/usr/bin/env bash
# A short fuzzing run of every libFuzzer target (scripts/fuzz.sh, 20 s split
# across them: with eleven targets, 1 s of fuzzing each, about 2 s of wall
# time; docs/fuzzing.md) in its own build directory (build-fuzz beside the
# source, never $GENU_BUILD).
# Skipped only when clang or its libFuzzer runtime is not installed
# (libclang-rt-14-dev, which make test installs); a failed build or any crash
# found is a failure.
. "$(dirname "$0")/lib.sh"

if ! command -v clang >/dev/null; then
  echo "SKIP: clang is not installed (scripts/deps.sh test installs it)"; exit 0
fi
printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' > probe.c
if ! clang -fsanitize=fuzzer,address,undefined probe.c -o probe 2>probe.err; then
  echo "SKIP: no libFuzzer runtime for clang (install libclang-rt-14-dev)"; sed 's/^/    /' probe.err | head -3; exit 0
fi

FUZZ_SECONDS=${FUZZ_SECONDS:-20} "$GENU_SRC/scripts/fuzz.sh" >fuzz.out 2>&1
rc=$?
# each target's summary; on a failure, all fuzz.sh printed (the failing
# target's last lines too)
if [ "$rc" -eq 0 ]; then
  grep '^fuzz: ' fuzz.out | grep -v new_units_added | sed 's/^/    /'
else
  sed 's/^/    /' fuzz.out
fi
check "fuzz targets build and run without a crash" test "$rc" -eq 0
finish
