#!/usr/bin/env bash
# End-to-end: the server's analyses read a shared dataset (src/http/dscache.c)
# that must follow every change to the registry: a write through the API, an
# import by another process (the command line) while the server runs, a
# delete. After each, the report, a claim and decision support over HTTP
# equal what the command line computes from the registry.
. "$GENU_SRC/tests/e2e/lib.sh"
DB=$(new_registry reg)
G() { "$GENU" --db "$DB" "$@"; }
AS_OF=2026-01-01
G demo --patients 60 >/dev/null 2>&1 || fail "demo registry"
echo 'admin-password' | G user add admin --role admin >/dev/null
start_server "$DB" --threads 3
curl -s -o "$T/signin" -c "$T/jar" -H 'Content-Type: application/json' \
  --data-binary '{"name":"admin","password":"admin-password"}' "$B/api/v1/session"
CSRF=$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["csrf"])' "$T/signin")
get() { curl -s -o "$T/body" -w '%{http_code}' -b "$T/jar" "$B$1"; }
send() { # send METHOD PATH [BODY] -> status
  curl -s -o "$T/body" -w '%{http_code}' -b "$T/jar" -H "X-CSRF-Token: $CSRF" \
    -H 'Content-Type: application/json' -X "$1" ${3:+--data-binary "$3"} "$B$2"
}
entered() { python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["entered"])' "$1"; }
CLAIM='responder=improvement_pct:nprs.intensity>=50&at=6m&expect=0.5'

# as_of is fixed: what changes between the calls is the registry alone
agree() { # agree WHAT: the HTTP answers equal the command line's, now
  G report --format json --as-of $AS_OF >cli-report.json
  G claim --responder 'improvement_pct:nprs.intensity>=50' --at 6m --expect 0.5 --as-of $AS_OF --format json >cli-claim.json
  G advise CH1 --as-of $AS_OF --format json >cli-advise.json
  check "$1: report over HTTP is 200" test "$(get "/api/v1/report?as_of=$AS_OF")" = 200
  check "$1:   the same as genu report" same_json "$T/body" cli-report.json
  cp "$T/body" "$T/last-report.json"
  check "$1: claim over HTTP is 200" test "$(get "/api/v1/claim?$CLAIM&as_of=$AS_OF")" = 200
  check "$1:   the same as genu claim" same_json "$T/body" cli-claim.json
  check "$1: advice over HTTP is 200" test "$(get "/api/v1/patients/CH1/advice?as_of=$AS_OF")" = 200
  check "$1:   the same as genu advise" same_json "$T/body" cli-advise.json
}

agree "at start"
agree "asked again (the shared dataset)"
n0=$(entered "$T/last-report.json")

# a write through the API: a new patient with a regenerative index treatment
st=$(send POST /api/v1/records '{"type":"patient","id":"NEW1","site":"oak-park","sex":"female","birth_year":1960}')
check "a patient created over HTTP (201)" test "$st" = 201
st=$(send POST /api/v1/records '{"type":"treatment","id":"NEW1-T","patient":"NEW1","knee":"left","date":"2025-03-01","kind":"prp","sites":["intra_articular"]}')
check "its index treatment created over HTTP (201)" test "$st" = 201
agree "after a write over HTTP"
check "  the report counts the new knee" test "$(entered "$T/last-report.json")" = $((n0 + 1))

# another process changes the registry while the server runs
cat >more.jsonl <<'JSON'
{"type":"patient","id":"NEW2","site":"oak-park","sex":"male","birth_year":1955}
{"type":"treatment","id":"NEW2-T","patient":"NEW2","knee":"right","date":"2025-02-01","kind":"bone_marrow_concentrate","sites":["intra_articular"]}
{"type":"response","patient":"NEW2","knee":"right","date":"2025-02-01","instrument":"nprs","items":{"intensity":8}}
{"type":"response","patient":"NEW2","knee":"right","date":"2025-08-01","instrument":"nprs","items":{"intensity":2}}
JSON
expect_status 0 "an import by the command line while the server runs" G import more.jsonl
agree "after an import by another process"
check "  the report counts the imported knee" test "$(entered "$T/last-report.json")" = $((n0 + 2))

# a delete
check "a treatment deleted over HTTP" test "$(send DELETE /api/v1/records/treatment/NEW1-T)" = 200
agree "after a delete"
check "  the report no longer counts it" test "$(entered "$T/last-report.json")" = $((n0 + 1))
# a stream of writes to existing patients (each patches the dataset: the
# patients a change touched are read again, src/http/dscache.c), each
# answered as a fresh load of the registry answers
for i in 1 2 3 4; do
  st=$(send POST /api/v1/records "{\"type\":\"response\",\"patient\":\"NEW2\",\"knee\":\"right\",\"date\":\"2025-0$((2 + i))-15\",\"instrument\":\"nprs\",\"items\":{\"intensity\":$i}}")
  check "write $i of a stream: a response created (201)" test "$st" = 201
  agree "after write $i of a stream"
done
st=$(send POST /api/v1/records '{"type":"treatment","id":"NEW2-T2","patient":"NEW2","knee":"right","date":"2025-09-01","kind":"total_knee_replacement","sites":[]}')
check "a replacement created over HTTP (201)" test "$st" = 201
agree "after a replacement"
finish
