#!/usr/bin/env bash
# advise: genu advise on a hand-made registry: text and JSON, one knee or
# both, --as-of, a site's --rules file, and bad input (exit 1 for an unknown
# patient or a malformed rules file, exit 2 for bad options).
. "$(dirname "$0")/lib.sh"
db=$(new_registry reg)
cat >"$T/reg.jsonl" <<'J'
{"type":"patient","id":"A","site":"oak","sex":"female","birth_year":1960}
{"type":"diagnosis","id":"D1","patient":"A","knee":"right","date":"2023-01-01","condition":"osteoarthritis","kl_grade":2}
{"type":"treatment","id":"T1","patient":"A","knee":"right","date":"2023-02-01","kind":"prp","sites":["intra_articular"],"cost":{"amount":500,"currency":"USD"}}
{"type":"exam","id":"E1","patient":"A","knee":"left","date":"2023-06-01","findings":{"locking":true,"deformity":"varus"}}
J
"$GENU" --db "$db" init >/dev/null
"$GENU" --db "$db" import "$T/reg.jsonl" >/dev/null
adv() { "$GENU" --db "$db" advise "$@"; }

adv A --as-of 2024-01-01 >"$T/text"
check "text says it is decision support, not a diagnosis" grep -q "not a diagnosis" "$T/text"
check "text: the left knee's red flag comes first" \
  bash -c "grep -m1 -E '^(URGENT|CAUTION|INFO)' '$T/text' | grep -qx 'URGENT   Locked knee'"
check "text names the exam record, the fact in words" grep -q "because: locked knee: yes \[E1\]" "$T/text"
check "text shows no rule id or fact name" bash -c "! grep -nE '[a-z]_[a-z]|exam\.locking' '$T/text'"

adv A --knee left --as-of 2024-01-01 --format json >"$T/left.json"
check "json: one object with exactly the documented keys" python3 - "$T/left.json" <<'P'
import json, sys
o = json.load(open(sys.argv[1]))
assert list(o) == ["patient", "knee", "as_of", "findings", "similar_knees", "disclaimer"], list(o)
assert o["patient"] == "A" and o["knee"] == "left" and o["as_of"] == "2024-01-01"
f = o["findings"][0]
assert list(f) == ["rule", "title", "level", "message", "facts"], list(f)
assert f["rule"] == "red_flag_locked_knee" and f["level"] == "urgent"
assert f["title"] == "Locked knee", f["title"]
lock = [x for x in f["facts"] if x["fact"] == "exam.locking"][0]
assert lock == {"fact": "exam.locking", "value": True, "records": ["E1"], "date": "2023-06-01", "text": "yes"}, lock
rules = [x["rule"] for x in o["findings"]]
assert "surgery_deformity" in rules, rules
assert "not a diagnosis" in o["disclaimer"]
assert o["similar_knees"]["kl_band"] is None
P

adv A --as-of 2024-01-01 --format json >"$T/both.json"
check "json without --knee: an array, one object per knee" python3 - "$T/both.json" <<'P'
import json, sys
a = json.load(open(sys.argv[1]))
assert [o["knee"] for o in a] == ["left", "right"]
r = a[1]
rules = [x["rule"] for x in r["findings"]]
assert "injection_kl_favourable" in rules and "series_cost" in rules, rules
s = r["similar_knees"]
assert s["kl_band"] == "0-2" and s["family"] == "prp" and s["analysed"] == 0, s
assert s["enough"] is False and s["rate"] is None and s["ci95"] is None
assert s["summary"].startswith("Too few similar knees"), s
P

adv A --knee left --as-of 2023-05-31 --format json >"$T/before.json"
check "--as-of hides the later exam" python3 -c '
import json, sys
o = json.load(open(sys.argv[1]))
assert all(f["rule"] != "red_flag_locked_knee" for f in o["findings"])' "$T/before.json"

cat >"$T/site.rules" <<'R'
genu-rules 1
rule varus_knee
level caution
source our own protocol
when exam.deformity == "varus"
message Varus knee seen on {exam.date}.
end
R
adv A --knee left --as-of 2024-01-01 --rules "$T/site.rules" >"$T/site.txt"
check "--rules loads a site's rules (and only those)" \
  bash -c "grep -q 'Varus knee seen on 2023-06-01.' '$T/site.txt' && ! grep -q 'Locked knee' '$T/site.txt'"
check "a rule without a title shows its id in words" grep -qx "CAUTION  Varus knee" "$T/site.txt"
printf 'genu-rules 1\nrule varus_knee\ntitle Knee bowed outward\nlevel caution\nsource s\nwhen exam.deformity == "varus"\nmessage m\nend\n' >"$T/titled.rules"
adv A --knee left --as-of 2024-01-01 --rules "$T/titled.rules" >"$T/titled.txt"
check "a site's rule shows its title" grep -qx "CAUTION  Knee bowed outward" "$T/titled.txt"
printf 'genu-rules 1\nrule r\ntitle Locked_knee\nlevel info\nsource s\nwhen exam.locking\nmessage m\nend\n' >"$T/badtitle.rules"
expect_status 1 "a title with an underscore code is exit 1" adv A --rules "$T/badtitle.rules"
check "its error names file, line and rule" grep -q "badtitle.rules:3: rule r: title: \"_\"" "$T/err"

printf 'genu-rules 1\nrule r\nlevel info\nsource s\nwhen exam.lockng\nmessage m\nend\n' >"$T/bad.rules"
expect_status 1 "a malformed rules file is exit 1" adv A --rules "$T/bad.rules"
check "its error names file and line" grep -q "bad.rules:5: when: unknown fact \"exam.lockng\"" "$T/err"
expect_status 1 "a missing rules file is exit 1" adv A --rules "$T/none.rules"
expect_status 1 "unknown patient is exit 1" adv NOBODY
check "unknown patient is named" grep -q 'unknown patient "NOBODY"' "$T/err"
check "nothing on stdout after an error" test ! -s "$T/out"
expect_status 2 "bad --knee" adv A --knee middle
expect_status 2 "bad --as-of" adv A --as-of 2024-02-30
expect_status 2 "bad --format" adv A --format xml
expect_status 2 "unknown option" adv A --colour
expect_status 2 "no patient" adv
expect_status 2 "two patients" adv A B
expect_status 0 "--help" adv --help
check "--help mentions decision support" grep -q "not a diagnosis" "$T/out"
finish
