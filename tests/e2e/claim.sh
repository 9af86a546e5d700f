#!/usr/bin/env bash
# claim: genu claim on a hand-made registry, counts worked out by hand, and
# bad input (exit 2, nothing on stdout).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
tmp=$T
fail() { echo "FAIL: $*"; exit 1; }
db=$(new_registry reg)
# Index 2020-01-01 (prp). 3m: nominal day 91 (2020-04-01), window ±30 =
# 2020-03-02..2020-05-01, closed by the as-of 2022-01-01.
#  A left:  8 -> 4 (exactly 50%): responder
#  A right: 8 -> 5: analysed, not a responder
#  B left:  replaced 2020-02-20, no follow-up: converted
#  C left:  no baseline (2019-10-01 is 92 days before): not evaluable
#  D left:  baseline, follow-up 2020-05-02 (outside): missing
#  E left:  indexed 2021-12-01: entered, not eligible
#  F left:  follow-ups 2020-03-21 (day 80, 2) and 2020-04-12 (day 102, 8):
#           equally near, the earlier counts: responder
{
cat <<'J'
{"type":"patient","id":"A","site":"oak","sex":"female","birth_year":1960}
{"type":"patient","id":"B","site":"oak","sex":"male","birth_year":1950}
{"type":"patient","id":"C","site":"elm","sex":"female","birth_year":1970}
{"type":"patient","id":"D","site":"elm","sex":"male","birth_year":1955}
{"type":"patient","id":"E","site":"oak","sex":"male","birth_year":1965}
{"type":"patient","id":"F","site":"oak","sex":"female","birth_year":1962}
{"type":"diagnosis","patient":"A","knee":"left","date":"2019-12-01","condition":"osteoarthritis","kl_grade":2}
{"type":"diagnosis","patient":"A","knee":"right","date":"2019-12-01","condition":"osteoarthritis","kl_grade":3}
{"type":"diagnosis","patient":"F","knee":"left","date":"2019-12-01","condition":"osteoarthritis","kl_grade":1}
{"type":"treatment","patient":"A","knee":"left","date":"2020-01-01","kind":"prp","sites":["intra_articular"]}
{"type":"treatment","patient":"A","knee":"right","date":"2020-01-01","kind":"prp","sites":["intra_articular","mcl"]}
{"type":"treatment","patient":"B","knee":"left","date":"2020-01-01","kind":"prp","sites":["intra_articular"]}
{"type":"treatment","patient":"B","knee":"left","date":"2020-02-20","kind":"total_knee_replacement"}
{"type":"treatment","patient":"C","knee":"left","date":"2020-01-01","kind":"bone_marrow_aspirate","sites":["intra_articular"]}
{"type":"treatment","patient":"D","knee":"left","date":"2020-01-01","kind":"prp","sites":["intra_articular"]}
{"type":"treatment","patient":"E","knee":"left","date":"2021-12-01","kind":"prp","sites":["intra_articular"]}
{"type":"treatment","patient":"F","knee":"left","date":"2020-01-01","kind":"prp","sites":["intra_articular"]}
{"type":"response","patient":"A","knee":"left","date":"2019-12-20","instrument":"nprs","items":{"intensity":8}}
{"type":"response","patient":"A","knee":"left","date":"2020-04-01","instrument":"nprs","items":{"intensity":4}}
{"type":"response","patient":"A","knee":"right","date":"2020-01-01","instrument":"nprs","items":{"intensity":8}}
{"type":"response","patient":"A","knee":"right","date":"2020-04-01","instrument":"nprs","items":{"intensity":5}}
{"type":"response","patient":"B","knee":"left","date":"2020-01-01","instrument":"nprs","items":{"intensity":7}}
{"type":"response","patient":"C","knee":"left","date":"2019-10-01","instrument":"nprs","items":{"intensity":8}}
{"type":"response","patient":"C","knee":"left","date":"2020-04-01","instrument":"nprs","items":{"intensity":1}}
{"type":"response","patient":"D","knee":"left","date":"2020-01-01","instrument":"nprs","items":{"intensity":6}}
{"type":"response","patient":"D","knee":"left","date":"2020-05-02","instrument":"nprs","items":{"intensity":1}}
{"type":"response","patient":"F","knee":"left","date":"2020-01-01","instrument":"nprs","items":{"intensity":8}}
{"type":"response","patient":"F","knee":"left","date":"2020-03-21","instrument":"nprs","items":{"intensity":2}}
{"type":"response","patient":"F","knee":"left","date":"2020-04-12","instrument":"nprs","items":{"intensity":8}}
J
} >"$tmp/reg.jsonl"
"$GENU" --db "$db" init >/dev/null
"$GENU" --db "$db" import "$tmp/reg.jsonl" >/dev/null

claim() { "$GENU" --db "$db" claim "$@"; }
got=$(claim --responder 'improvement_pct:nprs.intensity>=50' --at 3m --expect 0.75 --as-of 2022-01-01 --format json)
# analysed 4 (B converted + A left, A right, F), responders 2; Wilson(2, 4)
want=$(python3 -c '
import math, json
z = 1.959963984540054; x, n = 2, 4
c = (x + z*z/2) / (n + z*z); h = z * math.sqrt(x*(n-x)/n + z*z/4) / (n + z*z)
print(json.dumps({"claim":{"responder":"improvement_pct:nprs.intensity>=50","at":"3m","expect":0.75,"filters":{}},
 "as_of":"2022-01-01","unit":"knee","timepoint":{"nominal_days":91,"window_days":30},
 "counts":{"entered":7,"eligible":6,"converted":1,"not_evaluable":1,"missing":1,"analysed":4,"responders":2},
 "rate":0.5,"ci95":[c-h,c+h],"worst_case":0.4,"best_case":0.6,"verdict":"insufficient"}, separators=(",",":")))')
python3 - "$got" "$want" <<'PY' || fail "claim json"
import json, sys
g, w = json.loads(sys.argv[1]), json.loads(sys.argv[2])
assert list(g) == list(w), (list(g), list(w))
for k in w:
    if k == "ci95":
        assert all(abs(a - b) < 1e-12 for a, b in zip(g[k], w[k])), (g[k], w[k])
    else:
        assert g[k] == w[k], (k, g[k], w[k])
PY

# filters: --kl 0-2 keeps A left and F left (both responders); echoed
got=$(claim --responder 'improvement_pct:nprs.intensity>=50' --at 3m --expect 0.5 --as-of 2022-01-01 --kl 0-2 --format json)
python3 -c '
import json, sys
g = json.loads(sys.argv[1])
assert g["claim"]["filters"] == {"kl": "0-2"}, g["claim"]
assert g["counts"] == {"entered":2,"eligible":2,"converted":0,"not_evaluable":0,"missing":0,"analysed":2,"responders":2}, g["counts"]
' "$got" || fail "kl filter"

# --unit patient: A's two knees, same day, same baseline 8: the left
got=$(claim --responder 'improvement_pct:nprs.intensity>=50' --at 3m --expect 0.5 --as-of 2022-01-01 --unit patient --format json)
python3 -c '
import json, sys
g = json.loads(sys.argv[1])
assert g["unit"] == "patient"
assert g["counts"]["entered"] == 6 and g["counts"]["analysed"] == 3 and g["counts"]["responders"] == 2, g["counts"]
' "$got" || fail "patient unit"

# as-of before F's follow-ups: E not entered, 3m not yet closed for anyone
got=$(claim --responder 'improvement_pct:nprs.intensity>=50' --at 3m --expect 0.5 --as-of 2020-04-30 --format json)
python3 -c '
import json, sys
g = json.loads(sys.argv[1])
assert g["counts"]["entered"] == 6 and g["counts"]["eligible"] == 0, g["counts"]
assert g["rate"] is None and g["ci95"] is None and g["verdict"] == "insufficient"
' "$got" || fail "as-of"

# text output is the default
claim --responder 'mcid:nprs.intensity' --at 3m --expect 0.5 --as-of 2022-01-01 | grep -q '^verdict' || fail "text output"

# bad input: exit 2, message names the option, nothing on stdout
bad() {
    local want=$1; shift
    set +e
    out=$("$GENU" --db "$db" claim "$@" 2>"$tmp/err"); rc=$?
    set -e
    [ $rc -eq 2 ] || fail "exit $rc for $* ($(cat "$tmp/err"))"
    [ -z "$out" ] || fail "stdout not empty for $*"
    grep -q -- "$want" "$tmp/err" || fail "message for $*: $(cat "$tmp/err")"
}
ok=(--responder 'improvement_pct:nprs.intensity>=50' --at 3m --expect 0.5)
bad '--responder: unknown measure "koos.foo"' --responder 'improvement_pct:koos.foo>=50' --at 3m --expect 0.5
bad '--responder: improvement_pct needs a lower-is-better' --responder 'improvement_pct:koos.pain>=50' --at 3m --expect 0.5
for t in 48M 0m m 3 1.5m; do bad "--at:" --responder 'mcid:nprs.intensity' --at "$t" --expect 0.5; done
for e in 1.5 -0.1 x ''; do bad "--expect: expected a rate" --responder 'mcid:nprs.intensity' --at 3m --expect "$e"; done
bad '--kl: expected' "${ok[@]}" --kl 0-9
bad '--sex: expected' "${ok[@]}" --sex robot
bad '--sites: expected' "${ok[@]}" --sites knee
bad '--age: expected' "${ok[@]}" --age 70-50
bad '--kind: unknown treatment kind' "${ok[@]}" --kind magic
bad '--condition: unknown condition' "${ok[@]}" --condition flu
bad '--index-year: expected' "${ok[@]}" --index-year 20
bad '--index-kinds: unknown treatment kind' "${ok[@]}" --index-kinds prp,nope
bad '--as-of: expected a date' "${ok[@]}" --as-of 2022-02-30
bad '--unit: expected knee or patient' "${ok[@]}" --unit hip
bad '--format: expected json or text' "${ok[@]}" --format xml
bad '--expect is required' --responder 'mcid:nprs.intensity' --at 3m
bad 'unknown option --bogus' "${ok[@]}" --bogus 1

# --cost adds one "cost" object and leaves the documented claim keys
# (docs/analysis.md) as they were; the fixture has no costs, so the 4 analysed
# knees are all without cost.
plain=$(claim "${ok[@]}" --as-of 2022-01-01 --format json)
costed=$(claim "${ok[@]}" --as-of 2022-01-01 --format json --cost)
python3 - "$plain" "$costed" <<'PY' || fail "--cost JSON"
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
cost = b.pop("cost")
assert a == b, (a, b)
assert list(a) == ["claim", "as_of", "unit", "timepoint", "counts", "rate", "ci95",
                   "worst_case", "best_case", "verdict"], list(a)
assert cost == {"knees_without_cost": 4, "knees_mixed_currency": 0, "currencies": []}, cost
PY
# an MCID the profile lacks must be configured; then it counts like change>=X
bad '--responder: ' --responder 'mcid:eq_vas.score' --at 3m --expect 0.5
bad '--mcid: ' "${ok[@]}" --mcid nprs.intensity=-1
m1=$(claim --responder 'mcid:nprs.intensity' --mcid nprs.intensity=3 --at 3m --expect 0.5 --as-of 2022-01-01 --format json)
m2=$(claim --responder 'change:nprs.intensity>=3' --at 3m --expect 0.5 --as-of 2022-01-01 --format json)
[ "$(echo "$m1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["counts"])')" = \
  "$(echo "$m2" | python3 -c 'import json,sys; print(json.load(sys.stdin)["counts"])')" ] || fail "--mcid counts"
echo "claim: ok"
