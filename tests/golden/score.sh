#!/usr/bin/env bash
# Golden tests for `genu score`: every tests/golden/<instrument>/*.in.jsonl is
# piped through `$GENU score <instrument>` and compared with *.out.jsonl,
# worked by hand from the published scoring rules (never genu's output).
# Comparison (python3): same number of lines; score lines equal as parsed
# JSON with numbers equal to 1e-9 relative; notes compared by the score each
# names (the text before the first ':'), not by wording; error lines compare
# only the line number and the presence of "error". The exit status must be
# 1 when an expected line is an error, else 0. Directories that are not
# instrument ids belong to other golden suites and are skipped.
set -u
: "${GENU:?GENU must name the genu binary}" "${GENU_SRC:?GENU_SRC must name the source root}"
dir="$GENU_SRC/tests/golden"
ids=$("$GENU" score --list --format json | python3 -c 'import json,sys; print(" ".join(i["id"] for i in json.load(sys.stdin)["instruments"]))') || { echo "genu score --list failed"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 cases=0
for id in $ids; do
  [ -d "$dir/$id" ] || continue
  for in in "$dir/$id"/*.in.jsonl; do
    [ -e "$in" ] || continue
    out=${in%.in.jsonl}.out.jsonl
    cases=$((cases + 1))
    "$GENU" score "$id" <"$in" >"$tmp/got" 2>"$tmp/err"
    status=$?
    if ! python3 - "$out" "$tmp/got" "$status" "$id/$(basename "$in")" <<'PY'
import json, math, sys
want_path, got_path, status, name = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
want = [json.loads(l) for l in open(want_path, encoding="utf-8") if l.strip()]
got_lines = open(got_path, encoding="utf-8").read().split("\n")
if got_lines and got_lines[-1] == "":
    got_lines.pop()
problems = []
def close(a, b, where):
    if isinstance(a, bool) or isinstance(b, bool):
        if a is not b: problems.append(f"{where}: got {a!r}, want {b!r}")
    elif isinstance(b, (int, float)) and isinstance(a, (int, float)):
        if not (abs(a - b) <= 1e-9 * max(1.0, abs(b))):
            problems.append(f"{where}: got {a!r}, want {b!r}")
    elif isinstance(b, dict) and isinstance(a, dict):
        if list(a) != list(b):
            problems.append(f"{where}: keys {list(a)}, want {list(b)}")
        for k in b:
            if k in a: close(a[k], b[k], f"{where}.{k}")
    elif a != b:
        problems.append(f"{where}: got {a!r}, want {b!r}")
if len(got_lines) != len(want):
    problems.append(f"{len(got_lines)} output lines, want {len(want)}")
for n, (g, w) in enumerate(zip(got_lines, want), 1):
    try:
        g = json.loads(g)
    except ValueError as e:
        problems.append(f"line {n}: output is not JSON: {e}")
        continue
    if "error" in w:
        if set(g) != {"line", "error"} or g["line"] != w["line"] or not isinstance(g["error"], str):
            problems.append(f"line {n}: got {g}, want an error for line {w['line']}")
        continue
    if list(g) != ["instrument", "version", "scores", "notes"]:
        problems.append(f"line {n}: keys {list(g)}")
        continue
    close(g["instrument"], w["instrument"], f"line {n} instrument")
    close(g["version"], w["version"], f"line {n} version")
    close(g["scores"], w["scores"], f"line {n} scores")
    gk = [s.split(":", 1)[0] for s in g["notes"]]
    wk = [s.split(":", 1)[0] for s in w["notes"]]
    if gk != wk:
        problems.append(f"line {n}: notes name {gk}, want {wk}")
want_status = 1 if any("error" in w for w in want) else 0
if status != want_status:
    problems.append(f"exit status {status}, want {want_status}")
for p in problems:
    print(f"{name}: {p}")
sys.exit(1 if problems else 0)
PY
    then
      fails=$((fails + 1))
      sed 's/^/  stderr: /' "$tmp/err"
    fi
  done
done
echo "golden score: $cases cases, $fails failed"
[ "$cases" -gt 0 ] && [ "$fails" -eq 0 ]
