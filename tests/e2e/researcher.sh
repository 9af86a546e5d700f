#!/usr/bin/env bash
# The researcher's view everywhere (docs/privacy.md): a registry seeded
# with marker strings in every free-text field, id, extra and date is read
# by a researcher through every GET route of docs/openapi.json, and no
# marker comes back: patients and their case histories by pseudonym in days
# from the index, the identified one-record and advice routes 403, analyses
# with small cells as "< 5".
. "$GENU_SRC/tests/e2e/lib.sh"
DB=$(new_registry rv)
G() { "$GENU" --db "$DB" "$@"; }
G init >/dev/null
cat >reg.jsonl <<'JL'
{"type":"patient","id":"PMARKALPHA","site":"oak","sex":"female","birth_year":1951,"extra":{"mrn":"MARKMRN1"}}
{"type":"identity","patient":"PMARKALPHA","name":"Marka Markson","date_of_birth":"1951-03-02","email":"mark@example.org","phone":"+1 555 0199"}
{"type":"diagnosis","id":"DMARK1","patient":"PMARKALPHA","knee":"left","date":"2013-07-11","condition":"osteoarthritis","kl_grade":2,"note":"MARKNOTE diagnosis"}
{"type":"treatment","id":"TMARK1","patient":"PMARKALPHA","knee":"left","date":"2013-07-19","kind":"prp","sites":["intra_articular"],"clinician":"Dr MARKDOC","note":"MARKNOTE treatment","extra":{"room":"MARKROOM"}}
{"type":"response","id":"RMARK0","patient":"PMARKALPHA","knee":"left","date":"2013-07-19","instrument":"nprs","items":{"intensity":7}}
{"type":"response","id":"RMARK1","patient":"PMARKALPHA","knee":"left","date":"2014-01-23","instrument":"nprs","items":{"intensity":3},"extra":{"source":"MARKSOURCE"}}
{"type":"adverse_event","id":"AMARK1","patient":"PMARKALPHA","knee":"left","date":"2013-07-21","kind":"post_injection_flare","severity":1,"serious":false,"treatment":"TMARK1","note":"MARKNOTE event"}
{"type":"exam","id":"EMARK1","patient":"PMARKALPHA","knee":"left","date":"2013-07-11","findings":{"swelling":"mild"},"note":"MARKNOTE exam"}
{"type":"death","id":"XMARK1","patient":"PMARKALPHA","date":"2014-06-01","cause":"MARKCAUSE"}
{"type":"message","id":"MMARK1","patient":"PMARKALPHA","date":"2013-09-01","kind":"invitation","channel":"email","status":"failed","followups":[{"knee":"left","timepoint":"6w","reminder":0}],"attempts":1,"error":"550 MARKERR mark@example.org"}
JL
# enough other knees that some counts pass 4
python3 - >>reg.jsonl <<'PY'
import json
for i in range(12):
    p="Q%02d"%i
    print(json.dumps({"type":"patient","id":p,"site":"oak","sex":"male","birth_year":1950+i}))
    print(json.dumps({"type":"treatment","patient":p,"knee":"left","date":"2015-03-%02d"%(i+1),"kind":"prp","sites":["intra_articular"]}))
    print(json.dumps({"type":"response","patient":p,"knee":"left","date":"2015-03-%02d"%(i+1),"instrument":"nprs","items":{"intensity":6}}))
    print(json.dumps({"type":"response","patient":p,"knee":"left","date":"2015-09-%02d"%(i+1),"instrument":"nprs","items":{"intensity":2 + i % 5}}))
PY
expect_status 0 "import the marked registry" G import reg.jsonl
echo "res-pass-1618" | G user add res --role researcher --password-stdin >/dev/null
echo "admin-pass-2718" | G user add admin --role admin --password-stdin >/dev/null
start_server "$DB" --threads 2 --followup-interval 0
for u in "res res-pass-1618" "admin admin-pass-2718"; do
  set -- $u
  curl -s -o /dev/null -c "$T/$1.jar" -H 'Content-Type: application/json' \
    --data-binary "{\"name\":\"$1\",\"password\":\"$2\"}" "$B/api/v1/session"
done
MARKERS='MARK|2013-0|2014-0|Markson|555 0199|1951-03-02'
get() { curl -s -o "$T/body" -w '%{http_code}' -b "$T/$1.jar" "$B$2"; }

check "the patient list as a researcher: 200" test "$(get res '/api/v1/patients?limit=500')" = 200
PSEUD=$(python3 -c 'import json,sys;d=json.load(open(sys.argv[1]));print([p["id"] for p in d["patients"] if p["birth_year"]==1951][0])' "$T/body")
check "  pseudonyms, not the registry's ids" sh -c "! grep -q -E 'PMARK|Q0' '$T/body' && echo '$PSEUD' | grep -q '^p-'"
check "a search by the registry's id is refused to researchers (400)" test "$(get res '/api/v1/patients?search=PMARK')" = 400
check "the patient by pseudonym: 200" test "$(get res "/api/v1/patients/$PSEUD")" = 200
cp "$T/body" patient.json
check "  records in days from the index" python3 -c 'import json,sys;d=json.load(open("patient.json"));r=d["records"];sys.exit(0 if r["treatment"][0]["day"]==0 and r["response"][-1]["day"]==188 and "date" not in r["diagnosis"][0] else 1)'
check "  the death in days from the index too (2014-06-01 - 2013-07-19 = 317), without its cause" python3 -c 'import json,sys;d=json.load(open("patient.json"))["records"]["death"];sys.exit(0 if len(d)==1 and d[0]["day"]==317 and set(d[0])=={"type","id","patient","day"} else 1)'
check "  no messages or identity" python3 -c 'import json,sys;r=json.load(open("patient.json"))["records"];sys.exit(0 if "message" not in r and "identity" not in r else 1)'
check "the patient by its registry id: 404" test "$(get res /api/v1/patients/PMARKALPHA)" = 404
check "the same patient as an admin keeps its registry id" test "$(get admin /api/v1/patients/PMARKALPHA)" = 200

# every GET route of the OpenAPI file, as a researcher: no marker in any answer
python3 - "$GENU_SRC/docs/openapi.json" >routes.txt <<'PY'
import json,sys
for p,ops in json.load(open(sys.argv[1]))["paths"].items():
    if "get" in ops: print(p)
PY
walked=0
while read -r p; do
  path=${p//\{id\}/$PSEUD}
  case $p in
    "/api/v1/records/{type}/{id}") path=/api/v1/records/diagnosis/DMARK1 ;;
    "/api/v1/instruments/{id}/wording") path=/api/v1/instruments/nprs/wording ;;
    "/api/v1/claim") path='/api/v1/claim?responder=improvement_pct:nprs.intensity%3E%3D50&at=6m&expect=0.5' ;;
    "/api/v1/survival") path='/api/v1/survival?event=replacement' ;;
    "/assets/{file}") continue ;;
  esac
  path=${path//\{token\}/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA}
  st=$(get res "$path")
  walked=$((walked + 1))
  if grep -q -E "$MARKERS" "$T/body"; then
    fail "GET $path as a researcher ($st) leaks: $(grep -o -E "$MARKERS" "$T/body" | sort -u | tr '\n' ' ')"
  else
    pass "GET $path as a researcher ($st): no marker"
  fi
done <routes.txt
check "every documented GET route was walked ($walked)" test "$walked" -ge 15
for p in "/api/v1/records/diagnosis/DMARK1" "/api/v1/patients/PMARKALPHA/advice" "/api/v1/patients/$PSEUD/advice"; do
  check "GET $p as a researcher: 403" test "$(get res "$p")" = 403
done

# the case history in days from the index (2013-07-19, the first PRP of the
# left knee): diagnosis and exam 2013-07-11 = day -8, the flare 2013-07-21 =
# day 2, the last NPRS 2014-01-23 = day 188, the death 2014-06-01 = day 317
check "the case history by pseudonym as a researcher: 200" test "$(get res "/api/v1/patients/$PSEUD/case")" = 200
cp "$T/body" case.json
check "  the pseudonym, days from the index, no as_of" python3 - <<'PY'
import json,sys
c=json.load(open("case.json"))
ok=(c["patient"]["id"]==sys.argv[1] if len(sys.argv)>1 else c["patient"]["id"].startswith("p-"))
ok=ok and "as_of" not in c and "first_visit" not in c and c["first_visit_day"]==-8
ok=ok and c["knee_index_day"]=={"left":0,"right":None}
ok=ok and c["diagnoses"][0]["day"]==-8 and c["series"][0]["session_days"]==[0]
ok=ok and [p["day"] for p in c["timeline"]]==[0,188] and c["adverse_events"][0]["day"]==2
ok=ok and c["death"]=={"day":317,"cause":None}
sys.exit(0 if ok else 1)
PY
check "  the narrative in days too, the death without its cause" python3 -c 'import json,sys;n=json.load(open("case.json"))["narrative"];sys.exit(0 if "first seen on day -8" in n and "day 188" in n and n.rstrip().endswith("Died on day 317.") else 1)'
check "  its pseudonym is the patient page's" python3 -c 'import json,sys;sys.exit(0 if json.load(open("case.json"))["patient"]["id"]==json.load(open("patient.json"))["patient"]["id"] else 1)'
check "  an as_of is refused to researchers (400)" test "$(get res "/api/v1/patients/$PSEUD/case?as_of=2013-08-01")" = 400
check "the case history by registry id as a researcher: 404" test "$(get res /api/v1/patients/PMARKALPHA/case)" = 404
check "the admin's case history keeps dates and the cause" sh -c "test \"\$(curl -s -o '$T/body' -w '%{http_code}' -b '$T/admin.jar' '$B/api/v1/patients/PMARKALPHA/case')\" = 200 && grep -q MARKCAUSE '$T/body' && grep -q '\"as_of\"' '$T/body'"

# small cells: a count of 1 to 4 knees is "< 5" to a researcher, the number to an admin
Q='/api/v1/claim?responder=improvement_pct:nprs.intensity%3E%3D50&at=6m&expect=0.5&kl=0-2'
check "a claim on one knee as an admin: 200" test "$(get admin "$Q")" = 200
check "  entered 1" python3 -c 'import json,sys;sys.exit(0 if json.load(open(sys.argv[1]))["counts"]["entered"]==1 else 1)' "$T/body"
check "the same claim as a researcher: 200" test "$(get res "$Q")" = 200
check "  entered \"< 5\"" python3 -c 'import json,sys;sys.exit(0 if json.load(open(sys.argv[1]))["counts"]["entered"]=="< 5" else 1)' "$T/body"
check "  larger counts stay numbers" test "$(get res '/api/v1/claim?responder=improvement_pct:nprs.intensity%3E%3D50&at=6m&expect=0.5')" = 200
check "  entered 13" python3 -c 'import json,sys;sys.exit(0 if json.load(open(sys.argv[1]))["counts"]["entered"]==13 else 1)' "$T/body"
finish
