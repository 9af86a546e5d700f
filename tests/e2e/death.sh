#!/usr/bin/env bash
# End-to-end: the death record (docs/format.md). At most one per patient, and
# no record of that patient dated after it: import errors name both lines (or
# the registry's record), the API answers 422, nothing is stored. Deaths
# travel in JSON Lines and CSV, de-identified without their cause; the
# follow-up job asks nothing of a patient who died; a death censors the
# patient's knees at its date. On both backends.
. "$GENU_SRC/tests/e2e/lib.sh"
DB=$(new_registry reg)
G() { "$GENU" --db "$DB" "$@"; }
G init >/dev/null
cat >base.jsonl <<'J'
{"type":"patient","id":"P1","site":"oak","sex":"female","birth_year":1940}
{"type":"patient","id":"P2","site":"oak","sex":"male","birth_year":1945}
{"type":"treatment","id":"T1","patient":"P1","knee":"left","date":"2020-01-10","kind":"prp","sites":["intra_articular"]}
{"type":"treatment","id":"T2","patient":"P2","knee":"right","date":"2020-02-10","kind":"prp","sites":["intra_articular"]}
{"type":"response","id":"R2","patient":"P2","knee":"right","date":"2021-06-01","instrument":"nprs","items":{"intensity":3}}
J
expect_status 0 "import two patients" G import base.jsonl

# ---- in one file: both lines named ----
cat >twice.jsonl <<'J'
{"type":"death","id":"D1","patient":"P1","date":"2022-03-04","cause":"stroke"}
{"type":"death","id":"D1b","patient":"P1","date":"2022-03-05"}
J
expect_status 1 "a second death of one patient is refused" G import twice.jsonl
check "  the error names the second line and the first's" grep -q 'twice.jsonl:2.*twice.jsonl:1' "$T/err"
cat >after.jsonl <<'J'
{"type":"death","id":"D1","patient":"P1","date":"2022-03-04","cause":"stroke"}
{"type":"response","id":"R1","patient":"P1","knee":"left","date":"2022-04-01","instrument":"nprs","items":{"intensity":5}}
J
expect_status 1 "a record dated after the death in the same file is refused" G import after.jsonl
check "  the error names the record's line and the death's" grep -q 'after.jsonl:2.*2022-03-04 at after.jsonl:1' "$T/err"
check "  nothing was stored" test "$(G export | grep -c '"death"')" = 0
cat >knee.jsonl <<'J'
{"type":"death","id":"D1","patient":"P1","knee":"left","date":"2022-03-04"}
J
expect_status 1 "a death with a knee is refused" G import knee.jsonl
check "  naming the field knee" grep -q 'knee' "$T/err"

# ---- against the registry ----
cat >early.jsonl <<'J'
{"type":"death","id":"D2","patient":"P2","date":"2021-01-01"}
J
expect_status 1 "a death dated before a stored record of the patient is refused" G import early.jsonl
check "  the error names the stored record" grep -q 'response "R2".*2021-06-01' "$T/err"
cat >ok.jsonl <<'J'
{"type":"death","id":"D1","patient":"P1","date":"2022-03-04","cause":"stroke"}
J
expect_status 0 "a death after every record imports" G import ok.jsonl
expect_status 0 "importing it again changes nothing" G import ok.jsonl
check "  (unchanged)" grep -q '1 unchanged\|unchanged: 1\|"unchanged":1' "$T/out"
cat >late.jsonl <<'J'
{"type":"response","id":"R9","patient":"P1","knee":"left","date":"2023-01-01","instrument":"nprs","items":{"intensity":2}}
J
expect_status 1 "a later file's record dated after the stored death is refused" G import late.jsonl
check "  the error names the death's date" grep -q '2022-03-04' "$T/err"
# the patient's own line again, and a new patient with a death: the stored
# death still binds P1's records, the new patient's death only its own
cat >late2.jsonl <<'J'
{"type":"patient","id":"P1","site":"oak","sex":"female","birth_year":1940}
{"type":"patient","id":"P3","site":"oak","sex":"male","birth_year":1950}
{"type":"death","id":"D4","patient":"P3","date":"2022-01-01"}
{"type":"response","id":"R11","patient":"P3","knee":"left","date":"2021-12-01","instrument":"nprs","items":{"intensity":5}}
{"type":"response","id":"R10","patient":"P1","knee":"left","date":"2023-02-01","instrument":"nprs","items":{"intensity":2}}
J
expect_status 1 "with the patient's line in the file, a record after the stored death is refused" G import late2.jsonl
check "  the error names R10's line and the death's date" grep -q 'late2.jsonl:5.*2022-03-04' "$T/err"
cat >new3.jsonl <<'J'
{"type":"patient","id":"P3","site":"oak","sex":"male","birth_year":1950}
{"type":"death","id":"D4","patient":"P3","date":"2022-01-01"}
{"type":"response","id":"R11","patient":"P3","knee":"left","date":"2021-12-01","instrument":"nprs","items":{"intensity":5}}
{"type":"response","id":"R12","patient":"P1","knee":"left","date":"2021-12-01","instrument":"nprs","items":{"intensity":5}}
J
R3=$(new_registry r3)
"$GENU" --db "$R3" init >/dev/null
"$GENU" --db "$R3" import base.jsonl ok.jsonl >/dev/null
expect_status 0 "new patients' deaths bind their own records only (the registry holds another)" "$GENU" --db "$R3" import new3.jsonl
cat >other.jsonl <<'J'
{"type":"death","id":"D3","patient":"P1","date":"2022-03-04"}
J
expect_status 1 "a second death beside the stored one is refused" G import other.jsonl
check "  the error names the stored death" grep -q '"D1"' "$T/err"
cat >before.jsonl <<'J'
{"type":"response","id":"R8","patient":"P1","knee":"left","date":"2022-03-01","instrument":"nprs","items":{"intensity":4}}
J
expect_status 0 "a record dated on or before the death imports" G import before.jsonl

# ---- formats ----
G export >all.jsonl
check "JSON Lines export keeps the death and its cause" grep -q '{"type":"death","id":"D1","patient":"P1","date":"2022-03-04","cause":"stroke"}' all.jsonl
expect_status 0 "CSV export" G export --format csv --output csv
check "  deaths.csv holds it" grep -q 'D1,P1,2022-03-04,stroke' csv/deaths.csv
R2=$(new_registry rt)
"$GENU" --db "$R2" init >/dev/null
expect_status 0 "the CSV export imports into a new registry" "$GENU" --db "$R2" import --format csv csv/*.csv
"$GENU" --db "$R2" export >rt.jsonl
check "  and exports the same records" cmp -s all.jsonl rt.jsonl
G export --deidentify >deid.jsonl 2>/dev/null
check "the de-identified export keeps the death without its cause or date" python3 -c '
import json,sys
d=[json.loads(l) for l in open(sys.argv[1]) if "\"death\"" in l]
sys.exit(0 if len(d)==1 and "cause" not in d[0] and "date" not in d[0] and isinstance(d[0].get("day"),int) else 1)' deid.jsonl

# ---- follow-up: nothing is asked of a patient who died ----
G followup list --as-of 2022-06-01 --format json >fu.json 2>/dev/null
check "the follow-up list skips P1's windows as deceased" python3 -c '
import json,sys
w=json.load(open(sys.argv[1]))
w=w.get("windows",w) if isinstance(w,dict) else w
p1=[x for x in w if x.get("patient")=="P1"]
sys.exit(0 if p1 and all(x.get("skipped")=="deceased" or x.get("skip")=="deceased" or x.get("status")=="skipped" for x in p1) else 1)' fu.json

# ---- survival: a death censors the knee at its date ----
G survival --event replacement --as-of 2024-06-30 --format json >surv.json
check "P1's knee is censored at its death (time 784 = 2022-03-04 - 2020-01-10)" python3 -c '
import json,sys
s=json.load(open(sys.argv[1]))["strata"][0]["curve"]
sys.exit(0 if any(r["time"]==784 and r["n_censor"]==1 for r in s) else 1)' surv.json

# ---- the API ----
echo "admin-password" | G user add admin --role admin >/dev/null
start_server "$DB" --threads 2
curl -s -o "$T/signin.json" -c "$T/a.jar" -H 'Content-Type: application/json' \
  --data-binary '{"name":"admin","password":"admin-password"}' "$B/api/v1/session"
csrf=$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["csrf"])' "$T/signin.json")
post() { curl -s -o "$T/body" -w '%{http_code}' -b "$T/a.jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' --data-binary "$2" "$B$1"; }
check "POST a record dated after the death is 422" test "$(post /api/v1/records '{"type":"response","id":"R7","patient":"P1","knee":"left","date":"2023-02-01","instrument":"nprs","items":{"intensity":1}}')" = 422
check "  death_rule naming the field date" grep -q '"death_rule".*"field":"date"\|"field":"date".*"death_rule"' "$T/body"
check "POST a second death is 422" test "$(post /api/v1/records '{"type":"death","id":"D4","patient":"P1","date":"2022-05-01"}')" = 422
check "  naming the field patient" grep -q '"field":"patient"' "$T/body"
check "POST P2's death after its records is 201" test "$(post /api/v1/records '{"type":"death","id":"D2","patient":"P2","date":"2022-01-01"}')" = 201
finish
