#!/usr/bin/env bash
# womac_settings: the registry setting womac.max_missing (WOMAC's missing-item
# thresholds, docs/instruments.md) end to end: the defaults unchanged, bad values
# refused with nothing changed, a change re-scoring the stored womac,
# womac_nrs and koos responses (audited) so that claims see it, import after
# a change scoring with it, export/import between registries of different
# settings, the HTTP API and survey links scoring with it without a restart,
# and genu score's option. Expected scores are worked by hand from the rule.
. "$(dirname "$0")/lib.sh"
R=$(new_registry reg) S=$(new_registry setfirst) D=$(new_registry dflt)
G() { "$GENU" --db "$R" "$@"; }

# A left, womac: baseline pain 2,2,2,2,2 = 10; at 3m P1-P3 = 1, P4-P5 missing:
#   default (1 of 5 may be missing) null; with 2: 3 + 2 x 1 = 5 (-50 %).
# B left, koos: baseline all 2 (womac pain P5-P9 = 10); at 3m P5 0, P6 0,
#   P7 1, P8-P9 missing: default null; with 2: 1 + 2 x 1/3 = 5/3 (-83 %).
# C left, womac_nrs: S1 missing, the rest 3: stiffness null under 1,0,3 and
#   2,0,3 alike (0 of 2 may be missing), 3 + 3 = 6 with 1,1,3.
# A also has an nprs response, which no WOMAC setting touches.
python3 - >reg.jsonl <<'PY'
import json
W = ["P%d" % i for i in range(1, 6)] + ["S1", "S2"] + ["F%d" % i for i in range(1, 18)]
K = (["P%d" % i for i in range(1, 10)] + ["S%d" % i for i in range(1, 8)]
     + ["A%d" % i for i in range(1, 18)] + ["SP%d" % i for i in range(1, 6)]
     + ["Q%d" % i for i in range(1, 5)])
def out(**r): print(json.dumps(r, separators=(",", ":")))
for p in "ABC":
    out(type="patient", id=p, site="oak", sex="female", birth_year=1955)
    out(type="treatment", id="T" + p, patient=p, knee="left", date="2020-01-01", kind="prp",
        sites=["intra_articular"])
a0 = {c: 2 if c[0] == "P" else 1 for c in W}
a3 = dict(a0, P1=1, P2=1, P3=1); del a3["P4"], a3["P5"]
out(type="response", id="A0", patient="A", knee="left", date="2019-12-20", instrument="womac", items=a0)
out(type="response", patient="A", knee="left", date="2020-04-01", instrument="womac", items=a3)
out(type="response", id="AN", patient="A", knee="left", date="2020-04-01", instrument="nprs",
    items={"intensity": 3})
b3 = {c: 1 for c in K}; b3.update(P5=0, P6=0, P7=1); del b3["P8"], b3["P9"]
out(type="response", id="B0", patient="B", knee="left", date="2019-12-20", instrument="koos",
    items={c: 2 for c in K})
out(type="response", id="B3", patient="B", knee="left", date="2020-04-01", instrument="koos", items=b3)
c0 = {c: 3 for c in W}; del c0["S1"]
out(type="response", id="C0", patient="C", knee="left", date="2019-12-20", instrument="womac_nrs", items=c0)
PY

score_of() { # score_of EXPORT_FILE DATE INSTRUMENT PATH... -> the score, "null" or "none"
  python3 - "$@" <<'PY'
import json, sys
f, date, instr, *path = sys.argv[1:]
for line in open(f):
    r = json.loads(line)
    if r["type"] == "response" and r["date"] == date and r["instrument"] == instr:
        v = r["scores"]
        for k in path:
            v = v[k]
        print("null" if v is None else repr(round(v, 9)))
        break
else:
    print("none")
PY
}
near() { python3 -c 'import sys;sys.exit(abs(float(sys.argv[1])-float(sys.argv[2]))>1e-9)' "$1" "$2" 2>/dev/null; }
claim() { # claim MEASURE -> "analysed responders"
  G claim --responder "improvement_pct:$1>=50" --at 3m --expect 0.5 --as-of 2022-01-01 \
    --format json | python3 -c 'import json,sys;c=json.load(sys.stdin)["counts"];print(c["analysed"],c["responders"])'
}
audit_rows() { G audit list --limit 1000000 | wc -l; }

# ---- the defaults, unchanged
expect_status 1 "settings on a missing registry is refused" G settings
sqlite_only check "  and creates nothing" test ! -e "$R"
G init >/dev/null
expect_status 0 "settings lists the setting" G settings
check "  at its default" grep -qx 'womac.max_missing=1,0,3 (default)' out
expect_status 0 "settings get prints the value alone" G settings get womac.max_missing
check "  1,0,3" test "$(cat out)" = "1,0,3"
expect_status 0 "import under the defaults" G import reg.jsonl
G export >e_default.jsonl
check "womac pain with 2 of 5 missing is null" test "$(score_of e_default.jsonl 2020-04-01 womac pain)" = null
check "  the baseline is 10" test "$(score_of e_default.jsonl 2019-12-20 womac pain)" = 10
check "koos-derived womac pain with 2 missing is null" test "$(score_of e_default.jsonl 2020-04-01 koos womac pain)" = null
check "  koos's own pain does not care (7 of 9: 100 - 25 x 5/7)" near "$(score_of e_default.jsonl 2020-04-01 koos pain)" "$(python3 -c 'print(100-25*5/7)')"
check "no response records thresholds under the defaults" test "$(grep -c '"scoring"' e_default.jsonl)" = 0
check "claim on womac.pain: nothing analysed" test "$(claim womac.pain)" = "0 0"
check "claim on koos.womac.pain: nothing analysed" test "$(claim koos.womac.pain)" = "0 0"
echo '{"items":{"P1":1,"P2":1,"P3":1,"S1":1,"S2":1}}' | "$GENU" score womac >score_default.out
check "genu score keeps the defaults" grep -q '"pain":null' score_default.out

# ---- bad values: refused, nothing changed
rows=$(audit_rows)
bad_value() { # bad_value NAME PATTERN ARGS...
  local name=$1 pattern=$2; shift 2
  expect_status 2 "refuses $name" G settings "$@"
  check "  saying why" grep -q "$pattern" err
}
bad_value "a pain threshold of 6" 'womac.max_missing: pain: 6 is out of range (0 to 5)' set womac.max_missing 6,0,3
bad_value "a stiffness threshold of 3" 'stiffness: 3 is out of range (0 to 2)' set womac.max_missing 1,3,3
bad_value "a function threshold of 18" 'function: 18 is out of range (0 to 17)' set womac.max_missing 1,0,18
bad_value "a negative threshold" 'pain: -1 is out of range' set womac.max_missing -1,0,3
bad_value "two numbers" 'expected three whole numbers pain,stiffness,function' set womac.max_missing 1,0
bad_value "a fraction" 'expected three whole numbers' set womac.max_missing 1.5,0,3
bad_value "an unknown key" 'unknown setting "womac.max_mising" (known: womac.max_missing, followup.schedule' set womac.max_mising 1,0,3
bad_value "an unknown key to get" 'unknown setting "deid_key"' get deid_key
bad_value "a missing value" 'expected KEY VALUE' set womac.max_missing
bad_value "an unknown subcommand" 'unknown subcommand "reset"' reset
check "bad values change no record" cmp -s e_default.jsonl <(G export)
check "  nor the setting" test "$(G settings get womac.max_missing)" = "1,0,3"
check "  nor the audit trail" test "$(audit_rows)" = "$rows"

# ---- a change re-scores what is stored, audited, and analyses see it
expect_status 0 "set womac.max_missing 2,0,3" G settings set womac.max_missing ' 2, 0,3'
check "  reports 2 of the 5 womac, womac_nrs and koos responses updated" \
  grep -qx 'womac.max_missing set to 2,0,3 (was 1,0,3); 2 of 5 stored responses that read it updated' out
check "  stored in its canonical form" grep -qx 'womac.max_missing=2,0,3 (default 1,0,3)' <(G settings)
G export >e_203.jsonl
check "womac pain is now 3 + 2 x 1 = 5" test "$(score_of e_203.jsonl 2020-04-01 womac pain)" = 5
check "  pain_norm 25" near "$(score_of e_203.jsonl 2020-04-01 womac pain_norm)" 25
check "  total 5 + 2 + 17 = 24" near "$(score_of e_203.jsonl 2020-04-01 womac total)" 24
check "koos-derived womac pain is 1 + 2/3" near "$(score_of e_203.jsonl 2020-04-01 koos womac pain)" "$(python3 -c 'print(5/3)')"
check "womac_nrs stiffness stays null (0 of 2 may still be missing)" test "$(score_of e_203.jsonl 2019-12-20 womac_nrs stiffness)" = null
check "the two re-scored responses record the thresholds" test "$(grep -c '"version":1,"scoring":{"womac_max_missing":\[2,0,3\]}' e_203.jsonl)" = 2
check "the other records are untouched" cmp -s <(grep -v '"scoring"' e_203.jsonl) <(grep -v -e '"date":"2020-04-01","instrument":"womac"' -e '"id":"B3"' e_default.jsonl)
check "claim on womac.pain: A responds (10 -> 5)" test "$(claim womac.pain)" = "1 1"
check "claim on koos.womac.pain: B responds (10 -> 5/3)" test "$(claim koos.womac.pain)" = "1 1"
G audit list --limit 1000000 | tail -n 3 | cut -f3-6 >audit.tail
check "the change is audited under cli:settings" grep -qx "$(printf 'cli:settings\tcreate\tsetting\twomac.max_missing')" audit.tail
check "  and each re-scored response as an update" test "$(grep -c "$(printf 'cli:settings\tupdate\tresponse\t')" audit.tail)" = 2
expect_status 0 "the audit trail verifies" G audit verify
check "  intact" grep -q 'audit trail intact' out
expect_status 0 "setting the same value again" G settings set womac.max_missing 2,0,3
check "  changes nothing" grep -q 'is 2,0,3 already; nothing changed' out
check "  and audits nothing" test "$(audit_rows)" = "$((rows + 3))"

# ---- re-importing the source file after the change changes nothing
expect_status 0 "re-import the source file" G import reg.jsonl
check "  every record unchanged (derived ids do not follow the setting)" grep -q '(0 added, 0 updated, 12 unchanged)' out

# ---- set first, then import: the same registry as import then set
"$GENU" --db "$S" init >/dev/null
expect_status 0 "set the thresholds on an empty registry" "$GENU" --db "$S" settings set womac.max_missing 2,0,3
check "  nothing to re-score" grep -q '0 of 0 stored responses' out
expect_status 0 "import after the change" "$GENU" --db "$S" import reg.jsonl
check "  scores with the new rule, as set-after-import did" cmp -s e_203.jsonl <("$GENU" --db "$S" export)

# ---- export/import between registries of different settings
expect_status 0 "the 2,0,3 export imports into a default registry" "$GENU" --db "$D" import e_203.jsonl
check "  which scores it with its own rule" cmp -s e_default.jsonl <("$GENU" --db "$D" export)
expect_status 0 "the default export imports into the 2,0,3 registry" "$GENU" --db "$S" import e_default.jsonl
check "  unchanged" grep -q '(0 added, 0 updated, 12 unchanged)' out
sed 's/"pain":5,/"pain":6,/' e_203.jsonl >tampered.jsonl
expect_status 1 "scores that do not follow the rule they name are refused" "$GENU" --db "$D" import tampered.jsonl
check "  naming the line" grep -q 'tampered.jsonl:[0-9]*: field "scores": do not match' err
"$GENU" --db "$S" export --format csv --output csv203 >/dev/null 2>&1
expect_status 0 "a CSV export carries the thresholds back in" "$GENU" --db "$D" import --format csv csv203/*.csv
check "  (the default registry re-scores, changing nothing)" grep -q '(0 added, 0 updated, 12 unchanged)' out

# ---- the way back: 1,0,3 again gives the original records
expect_status 0 "set 1,1,3" G settings set womac.max_missing 1,1,3
check "  C's stiffness (S1 missing) becomes 3 + 3 = 6; A and B back to null" \
  grep -q '3 of 5 stored responses that read it updated' out
check "  C stiffness 6" test "$(score_of <(G export) 2019-12-20 womac_nrs stiffness)" = 6
expect_status 0 "set 1,0,3" G settings set womac.max_missing 1,0,3
check "  the registry is the default one again, byte for byte" cmp -s e_default.jsonl <(G export)
check "claim on womac.pain: nothing analysed again" test "$(claim womac.pain)" = "0 0"
expect_status 0 "the audit trail still verifies" G audit verify

# ---- genu score: defaults, or the thresholds given
echo '{"items":{"P1":1,"P2":1,"P3":1,"S1":1,"S2":1}}' |
  "$GENU" score womac --womac-max-missing 2,0,3 >score_203.out
check "genu score --womac-max-missing 2,0,3 scores pain 5" grep -q '"pain":5,' score_203.out
check "  and names the thresholds" grep -q '"version":1,"scoring":{"womac_max_missing":\[2,0,3\]},"scores"' score_203.out
expect_status 2 "genu score refuses a bad threshold" "$GENU" score womac --womac-max-missing 1,0,20
check "  naming the option" grep -q -- '--womac-max-missing: function: 20 is out of range (0 to 17)' err

# ---- the HTTP API and survey links score with the setting in force
echo 'admin-password' | G user add admin --role admin >/dev/null
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
B=http://127.0.0.1:$PORT
# started directly, not through G: a backgrounded function is a subshell,
# and $! would not be the server
"$GENU" --db "$R" serve --listen 127.0.0.1:$PORT --threads 2 >serve.out 2>serve.err &
SPID=$!
at_exit 'kill $SPID 2>/dev/null'
for _ in $(seq 50); do curl -s -o /dev/null "$B/" && break; sleep 0.1; done
curl -s -c jar -H 'Content-Type: application/json' -o signin.json \
  --data-binary '{"name":"admin","password":"admin-password"}' "$B/api/v1/session"
CSRF=$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["csrf"])' signin.json)
api() { curl -s -b jar -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' -o body -w '%{http_code}' "$@"; }
body_score() { python3 -c 'import json,sys;v=json.load(open("body"))["record"]["scores"]["pain"];print("null" if v is None else v)'; }
womac_line() { # womac_line ID DATE: A's 3m answers with P4, P5 missing
  python3 -c 'import json,sys
W=["P%d"%i for i in range(1,6)]+["S1","S2"]+["F%d"%i for i in range(1,18)]
it={c:(2 if c[0]=="P" else 1) for c in W}; it.update(P1=1,P2=1,P3=1); del it["P4"],it["P5"]
print(json.dumps({"type":"response","id":sys.argv[1],"patient":"A","knee":"left","date":sys.argv[2],"instrument":"womac","items":it}))' "$1" "$2"
}
check "POST a womac response under 1,0,3: 201" test "$(api --data-binary "$(womac_line H1 2020-05-01)" "$B/api/v1/records")" = 201
check "  pain null" test "$(body_score)" = null
G settings set womac.max_missing 2,0,3 >/dev/null
check "POST after a change made while serving: 201" test "$(api --data-binary "$(womac_line H2 2020-05-02)" "$B/api/v1/records")" = 201
check "  scored with the new rule, pain 5" test "$(body_score)" = 5
check "  recording it" grep -q '"scoring":{"womac_max_missing":\[2,0,3\]}' body
check "the change re-scored H1, stored before it" grep -q '"id":"H1".*"scores":{"pain":5,' <(G export)
check "PUT H1 again: 200" test "$(api -X PUT --data-binary "$(womac_line H1 2020-05-01)" "$B/api/v1/records/response/H1")" = 200
check "  unchanged" grep -q '"result":"unchanged"' body
# WOMAC is licensed: genu ships no wording, so this registry installs its own
# (placeholder text standing in for a licensed clinic's file) in wording.dir
check "a survey link for womac without wording: 422" test "$(api --data-binary '{"patient":"C","knee":"left","instruments":["womac"]}' "$B/api/v1/surveys")" = 422
check "  saying why" grep -q 'no wording of womac is installed' body
mkdir -p wording
python3 -c 'import json
W=["P%d"%i for i in range(1,6)]+["S1","S2"]+["F%d"%i for i in range(1,18)]
lab=["None","Mild","Moderate","Severe","Extreme"]
json.dump({"instrument":"womac","language":"en","title":"WOMAC (test wording)","version":None,
  "recall":"the last 48 hours","instructions":None,"source":"test fixture","terms":"test only",
  "reproduction":"licensed","sections":[{"title":None,"instructions":None,"items":W}],
  "items":{c:{"text":"Test question "+c,"labels":lab} for c in W}},open("wording/womac.en.json","w"))'
G settings set wording.dir "$PWD/wording" >/dev/null
check "a survey link for womac: 201" test "$(api --data-binary '{"patient":"C","knee":"left","instruments":["womac"]}' "$B/api/v1/surveys")" = 201
URL=$(python3 -c 'import json;print(json.load(open("body"))["url"])')
form="womac.P1=2&womac.P2=2&womac.P3=2&womac.S1=1&womac.S2=1"
for i in $(seq 1 17); do form="$form&womac.F$i=0"; done
check "  the survey page shows the installed wording" test "$(curl -s "$B$URL" | grep -c 'Test question P1')" = 1
check "the patient submits with P4, P5 unanswered: 200" test "$(curl -s -o body -w '%{http_code}' --data-binary "$form" "$B$URL")" = 200
check "  stored with pain 6 + 2 x 2 = 10" grep -q '"patient":"C".*"instrument":"womac".*"scores":{"pain":10,' <(G export)
kill $SPID 2>/dev/null; wait $SPID 2>/dev/null
expect_status 0 "the audit trail verifies after the server's writes" G audit verify
finish
