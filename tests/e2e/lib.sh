# Shared helpers for the end-to-end tests (sourced). $GENU is the binary,
# $GENU_SRC the source tree. Each test works in its own temporary directory.
set -u
: "${GENU:?set GENU to the genu binary}" "${GENU_SRC:?set GENU_SRC to the source tree}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
fails=0
pass() { printf 'ok   %s\n' "$1"; }
fail() { printf 'FAIL %s\n' "$1"; fails=$((fails + 1)); }
check() { local name=$1; shift; if "$@"; then pass "$name"; else fail "$name"; fi; }
# expect_status WANT NAME CMD... : runs CMD, compares its exit status
expect_status() {
  local want=$1 name=$2; shift 2
  "$@" >"$T/out" 2>"$T/err"; local got=$?
  if [ "$got" = "$want" ]; then pass "$name"; else fail "$name (exit $got, wanted $want)"; sed 's/^/    /' "$T/err" | head -5; fi
}
finish() { [ "$fails" -eq 0 ] && echo "all passed" || { echo "$fails failed"; exit 1; }; }
