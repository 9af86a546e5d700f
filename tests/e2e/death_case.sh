#!/usr/bin/env bash
# End-to-end: a death in the case history (docs/case.md): "Died on DATE
# (cause)." ends the narrative, the JSON carries "death", the HTML chart marks
# it; as of a date before the death there is none. The HTTP case answers the
# same JSON as the CLI.
. "$GENU_SRC/tests/e2e/lib.sh"
DB=$(new_registry dc)
G() { "$GENU" --db "$DB" "$@"; }
G init >/dev/null
cat >reg.jsonl <<'J'
{"type":"patient","id":"P1","site":"oak","sex":"female","birth_year":1940}
{"type":"treatment","id":"T1","patient":"P1","knee":"left","date":"2020-01-10","kind":"prp","sites":["intra_articular"]}
{"type":"response","id":"R1","patient":"P1","knee":"left","date":"2020-01-10","instrument":"nprs","items":{"intensity":6}}
{"type":"response","id":"R2","patient":"P1","knee":"left","date":"2020-07-10","instrument":"nprs","items":{"intensity":3}}
{"type":"death","id":"D1","patient":"P1","date":"2022-03-04","cause":"stroke"}
{"type":"patient","id":"P2","site":"oak","sex":"male","birth_year":1950}
{"type":"treatment","id":"T2","patient":"P2","knee":"right","date":"2021-01-10","kind":"prp","sites":["intra_articular"]}
{"type":"death","id":"D2","patient":"P2","date":"2021-05-06"}
J
expect_status 0 "import" G import reg.jsonl
expect_status 0 "genu case P1" G case P1 --as-of 2024-01-01
check "  the narrative ends with the death and its cause" test "$(tail -n 1 "$T/out")" = "Died on 2022-03-04 (stroke)."
expect_status 0 "genu case P2" G case P2 --as-of 2024-01-01
check "  without a cause, the date alone" test "$(tail -n 1 "$T/out")" = "Died on 2021-05-06."
expect_status 0 "genu case P1 as of the day before the death" G case P1 --as-of 2022-03-03
check "  says nothing of it" sh -c "! grep -q Died '$T/out'"
G case P1 --as-of 2024-01-01 --format json >p1.json
check "the JSON carries the death" python3 -c '
import json,sys
h=json.load(open(sys.argv[1]))
sys.exit(0 if h["death"]=={"date":"2022-03-04","cause":"stroke"} and h["narrative"].endswith("Died on 2022-03-04 (stroke).\n") else 1)' p1.json
check "  null as of before it" python3 -c '
import json,subprocess,sys
h=json.loads(subprocess.check_output(sys.argv[1:]))
sys.exit(0 if h["death"] is None else 1)' "$GENU" --db "$DB" case P1 --as-of 2022-03-03 --format json
G case P1 --as-of 2024-01-01 --format html >p1.html
check "the HTML chart marks the death" grep -q '<title>died 2022-03-04</title>' p1.html
echo "admin-password" | G user add admin --role admin >/dev/null
start_server "$DB" --threads 2
curl -s -o /dev/null -c "$T/admin.jar" -H 'Content-Type: application/json' \
  --data-binary '{"name":"admin","password":"admin-password"}' "$B/api/v1/session"
check "GET the case over HTTP: 200" test "$(get admin '/api/v1/patients/P1/case?as_of=2024-01-01')" = 200
check "  the same JSON as genu case" same_json "$T/body" p1.json
finish
