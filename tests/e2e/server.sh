#!/usr/bin/env bash
# End-to-end: genu serve on a temporary registry. Sign-in, CSRF, the role
# matrix of every endpoint, identity never reaching researchers, record
# CRUD with audit rows, hostile bodies, survey links, follow-ups, the
# OpenAPI file against the routes, backup under writes, graceful stop.
. "$GENU_SRC/tests/e2e/lib.sh"
DB=$(new_registry reg)
G() { "$GENU" --db "$DB" "$@"; }
day() { python3 -c "import datetime,sys;print(datetime.date.today()-datetime.timedelta(days=int(sys.argv[1])))" "$1"; }

G init >/dev/null
cat >seed.jsonl <<JSON
{"type":"patient","id":"P1","site":"oak","sex":"female","birth_year":1950}
{"type":"identity","patient":"P1","name":"Zelda Quarternight","date_of_birth":"1950-02-03","email":"zelda.q@example.org"}
{"type":"diagnosis","id":"D1","patient":"P1","knee":"left","date":"$(day 120)","condition":"osteoarthritis","kl_grade":2}
{"type":"treatment","id":"T1","patient":"P1","knee":"left","date":"$(day 100)","kind":"prp","sites":["intra_articular"]}
{"type":"response","patient":"P1","knee":"left","date":"$(day 100)","instrument":"nprs","items":{"intensity":7}}
{"type":"patient","id":"P2","site":"elm","sex":"male","birth_year":1960}
{"type":"identity","patient":"P2","name":"Xavier Elmsworth","email":"xavier.e@example.org"}
{"type":"diagnosis","id":"D2","patient":"P2","knee":"right","date":"$(day 50)","condition":"osteoarthritis","kl_grade":3}
{"type":"patient","id":"P3","site":"oak","sex":"male","birth_year":1955}
{"type":"treatment","id":"T3","patient":"P3","knee":"right","date":"$(day 400)","kind":"bone_marrow_concentrate","sites":["intra_articular","mcl"]}
JSON
G import seed.jsonl >/dev/null 2>&1 || fail "seed import"
echo 'admin-password' | G user add admin --role admin >/dev/null
echo 'clinic-password' | G user add clin --role clinician --sites oak >/dev/null
echo 'research-password' | G user add res --role researcher >/dev/null
echo 'patient-password' | G user add pat --role patient >/dev/null
expect_status 1 "user add refuses a short password" bash -c "echo short | '$GENU' --db '$DB' user add bob --role admin"
expect_status 2 "user add refuses an unknown role" bash -c "echo long-enough | '$GENU' --db '$DB' user add bob --role boss"

start_server "$DB" --threads 2
check "serve prints its URL" grep -q "http://127.0.0.1:$PORT/" serve.out

# req ROLE METHOD PATH [BODY] -> status on stdout, body in $T/body
req() {
  local role=$1 method=$2 path=$3; shift 3
  local args=(-s -o "$T/body" -w '%{http_code}' -X "$method")
  if [ "$role" != anon ]; then args+=(-b "$T/$role.jar" -H "X-CSRF-Token: $(cat "$T/$role.csrf")"); fi
  if [ $# -gt 0 ]; then args+=(-H 'Content-Type: application/json' --data-binary "$1"); fi
  curl "${args[@]}" "$B$path"
}
want() { # want STATUS ROLE METHOD PATH [BODY]
  local w=$1; shift
  local got; got=$(req "$@")
  if [ "$got" = "$w" ]; then pass "$2 $3 as $1 -> $w"; else fail "$2 $3 as $1 -> $got, wanted $w: $(head -c 200 "$T/body")"; fi
}
error_shape() { python3 -c 'import json,sys;e=json.load(open(sys.argv[1]))["error"];assert e["code"] and e["message"]' "$T/body"; }
signin() { # signin NAME PASSWORD [JAR] -> status; cookie jar and csrf saved as JAR (default NAME)
  local j=${3:-$1} st
  st=$(curl -s -o "$T/body" -w '%{http_code}' -c "$T/$j.jar" -H 'Content-Type: application/json' \
    --data-binary "{\"name\":\"$1\",\"password\":\"$2\"}" "$B/api/v1/session" -D "$T/$j.headers")
  python3 -c 'import json,sys;print(json.load(open(sys.argv[1])).get("csrf",""))' "$T/body" >"$T/$j.csrf" 2>/dev/null
  echo "$st"
}

# ---- sign-in
check "admin signs in" test "$(signin admin admin-password)" = 200
check "session cookie is HttpOnly, SameSite=Strict, Path=/" grep -qi 'set-cookie: genu_session=.*Path=/; HttpOnly; SameSite=Strict' "$T/admin.headers"
check "clinician signs in" test "$(signin clin clinic-password)" = 200
check "researcher signs in" test "$(signin res research-password)" = 200
check "a wrong password is 401" test "$(signin clin wrong-password scratch)" = 401
check "  with the error shape" error_shape
check "a patient account cannot sign in (403)" test "$(signin pat patient-password scratch)" = 403
check "bad sign-in body is 400" test "$(req anon POST /api/v1/session '{"name":1}')" = 400

# ---- CSRF
st=$(curl -s -o "$T/body" -w '%{http_code}' -b "$T/admin.jar" -H 'Content-Type: application/json' \
  --data-binary '{"type":"patient","id":"PX","site":"oak"}' "$B/api/v1/records")
check "POST with a session but no X-CSRF-Token is 403" test "$st" = 403
check "  code csrf" grep -q '"code":"csrf"' "$T/body"
st=$(curl -s -o "$T/body" -w '%{http_code}' -b "$T/admin.jar" -H 'X-CSRF-Token: forged' -X DELETE "$B/api/v1/records/patient/P3")
check "DELETE with a wrong X-CSRF-Token is 403" test "$st" = 403

# ---- the role matrix
for r in admin clin res anon; do want 200 $r GET /; done
want 200 admin GET /api/v1/me; want 200 clin GET /api/v1/me; want 200 res GET /api/v1/me; want 401 anon GET /api/v1/me
want 200 admin GET /api/v1/patients; want 200 res GET /api/v1/patients; want 401 anon GET /api/v1/patients
want 200 clin GET /api/v1/patients
check "clinician lists only own-site patients" python3 -c 'import json,sys;d=json.load(open(sys.argv[1]));assert d["total"]==2 and all(p["site"]=="oak" for p in d["patients"])' "$T/body"
want 400 admin GET '/api/v1/patients?limit=x'
want 200 admin GET /api/v1/patients/P2; want 200 clin GET /api/v1/patients/P1; want 403 clin GET /api/v1/patients/P2
want 404 res GET /api/v1/patients/P1; want 401 anon GET /api/v1/patients/P1; want 404 admin GET /api/v1/patients/NOPE
check "researcher patient page holds no identity" bash -c "! grep -Eq 'Zelda|zelda.q|identity\":\\[\\{' '$T/body'"
want 200 admin GET /api/v1/patients/P1
check "admin patient page holds the identity" grep -q 'Zelda Quarternight' "$T/body"
check "  and responses with scores" grep -q '"scores":{"intensity":7}' "$T/body"

want 200 admin GET /api/v1/records/diagnosis/D1; want 200 clin GET /api/v1/records/diagnosis/D1
want 403 clin GET /api/v1/records/diagnosis/D2; want 403 res GET /api/v1/records/diagnosis/D2
want 401 anon GET /api/v1/records/diagnosis/D1; want 403 res GET /api/v1/records/identity/P1
want 200 admin GET /api/v1/records/identity/P1; want 404 admin GET /api/v1/records/nosuch/P1
want 404 admin GET /api/v1/records/diagnosis/NOPE

want 201 admin POST /api/v1/records '{"type":"patient","id":"P4","site":"elm","sex":"female","birth_year":1970}'
want 201 clin POST /api/v1/records '{"type":"exam","id":"E1","patient":"P1","knee":"left","date":"'"$(day 10)"'","findings":{"swelling":"mild"}}'
want 403 clin POST /api/v1/records '{"type":"exam","id":"E2","patient":"P2","knee":"right","date":"'"$(day 10)"'","findings":{"swelling":"mild"}}'
want 403 clin POST /api/v1/records '{"type":"patient","id":"P5","site":"elm","sex":"male","birth_year":1960}'
want 403 res POST /api/v1/records '{"type":"patient","id":"P5","site":"oak"}'
want 401 anon POST /api/v1/records '{"type":"patient","id":"P5","site":"oak"}'
want 409 admin POST /api/v1/records '{"type":"patient","id":"P4","site":"elm","sex":"female","birth_year":1970}'
want 422 admin POST /api/v1/records '{"type":"diagnosis","id":"D9","patient":"NOPE","knee":"left","date":"2020-01-01","condition":"osteoarthritis"}'
check "  names the field patient" grep -q '"field":"patient"' "$T/body"

E1='{"type":"exam","id":"E1","patient":"P1","knee":"left","date":"'"$(day 10)"'","findings":{"swelling":"marked"}}'
want 200 admin PUT /api/v1/records/exam/E1 "$E1"
check "  PUT reports updated" grep -q '"result":"updated"' "$T/body"
want 200 clin PUT /api/v1/records/exam/E1 "$E1"
check "  an identical PUT is unchanged" grep -q '"result":"unchanged"' "$T/body"
want 403 clin PUT /api/v1/records/diagnosis/D2 '{"type":"diagnosis","id":"D2","patient":"P2","knee":"right","date":"2020-01-01","condition":"osteoarthritis"}'
want 403 res PUT /api/v1/records/exam/E1 "$E1"
want 401 anon PUT /api/v1/records/exam/E1 "$E1"
want 404 admin PUT /api/v1/records/exam/E9 "$E1"
want 400 admin PUT /api/v1/records/diagnosis/D1 "$E1"
want 403 clin DELETE /api/v1/records/diagnosis/D2
want 403 res DELETE /api/v1/records/exam/E1
want 401 anon DELETE /api/v1/records/exam/E1
want 409 admin DELETE /api/v1/records/patient/P1
want 200 clin DELETE /api/v1/records/exam/E1
want 404 clin GET /api/v1/records/exam/E1
want 200 admin DELETE /api/v1/records/patient/P4
want 200 admin GET '/api/v1/audit?limit=1000'
check "audit rows for the create, update and delete under user:clin and user:admin" python3 -c '
import json,sys
rows=json.load(open(sys.argv[1]))["rows"]
acts={(r["actor"],r["id"]) for r in rows}
assert ("user:clin","E1") in acts and ("user:admin","E1") in acts and ("user:admin","P4") in acts, acts
assert sum(1 for r in rows if r["id"]=="E1")>=3' "$T/body"
want 403 clin GET /api/v1/audit; want 403 res GET /api/v1/audit; want 401 anon GET /api/v1/audit
want 200 admin GET /api/v1/users; want 403 clin GET /api/v1/users; want 403 res GET /api/v1/users; want 401 anon GET /api/v1/users
check "users list holds no password hashes" bash -c "! grep -q argon2 '$T/body'"

want 200 admin GET /api/v1/instruments; want 200 clin GET /api/v1/instruments; want 200 res GET /api/v1/instruments; want 401 anon GET /api/v1/instruments
C='/api/v1/claim?responder=improvement_pct:nprs.intensity%3E%3D50&at=3m&expect=0.5'
want 200 clin GET "$C"; want 200 res GET "$C"
check "  a researcher sees two knees as \"< 5\"" python3 -c 'import json,sys;d=json.load(open(sys.argv[1]));assert d["counts"]["entered"]=="< 5"' "$T/body"
want 200 admin GET "$C"
check "claim JSON has counts and a verdict" python3 -c 'import json,sys;d=json.load(open(sys.argv[1]));assert d["counts"]["entered"]==2 and d["verdict"]' "$T/body"
want 401 anon GET "$C"
want 400 res GET '/api/v1/claim?responder=bogus&at=3m&expect=0.5'
want 400 res GET '/api/v1/claim?responder=omeract_oarsi&at=3x&expect=0.5'
want 400 res GET '/api/v1/claim?responder=omeract_oarsi&at=3m&expect=0.5&nosuch=1'
S='/api/v1/survival?event=replacement&by=kl'
want 200 admin GET "$S"; want 200 clin GET "$S"; want 200 res GET "$S"
check "survival JSON has strata" python3 -c 'import json,sys;d=json.load(open(sys.argv[1]));assert d["event"]=="replacement" and d["strata"]' "$T/body"
want 401 anon GET "$S"
want 400 res GET '/api/v1/survival?event=death'
for r in admin clin res; do st=$(req $r GET /api/v1/report); check "report as $r answers (not 404/401/403): $st" test "$st" != 404 -a "$st" != 401 -a "$st" != 403; done
want 401 anon GET /api/v1/report

want 200 admin GET /api/v1/export
check "admin export holds identities" grep -q 'Zelda Quarternight' "$T/body"
want 200 clin GET /api/v1/export
check "clinician export holds only own sites" bash -c "grep -q '\"P1\"' '$T/body' && ! grep -q 'Xavier' '$T/body' && ! grep -q '\"P2\"' '$T/body'"
want 200 res GET /api/v1/export
check "researcher export: no identity, names, emails, ids or dates" bash -c "! grep -Eq 'Zelda|zelda\\.q|Xavier|xavier\\.e|\"identity\"|\"P[0-9]\"|\"date\"' '$T/body' && grep -q '\"day\"' '$T/body'"
want 401 anon GET /api/v1/export

# ---- follow-ups (before the survey answers P1's 3m window)
want 200 admin GET '/api/v1/followups?status=due'
check "P1 left 3m is due" python3 -c 'import json,sys;d=json.load(open(sys.argv[1]));assert any(f["patient"]=="P1" and f["knee"]=="left" and f["timepoint"]=="3m" for f in d["followups"]),d' "$T/body"
check "P3 right 12m is due" python3 -c 'import json,sys;d=json.load(open(sys.argv[1]));assert any(f["patient"]=="P3" and f["timepoint"]=="12m" for f in d["followups"]),d' "$T/body"
want 200 clin GET '/api/v1/followups?status=overdue'
check "P3 right 6w, 3m, 6m are overdue" python3 -c 'import json,sys;d=json.load(open(sys.argv[1]));t={f["timepoint"] for f in d["followups"] if f["patient"]=="P3"};assert {"6w","3m","6m"}<=t and "12m" not in t,t' "$T/body"
want 403 res GET /api/v1/followups; want 401 anon GET /api/v1/followups
want 400 admin GET '/api/v1/followups?status=late'

# ---- survey links
want 201 clin POST /api/v1/surveys '{"patient":"P1","knee":"left","instruments":["nprs"],"timepoint":"3m","expires_days":7}'
URL=$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["url"])' "$T/body")
check "survey URL carries a 43-character token" python3 -c 'import sys;assert len(sys.argv[1])==len("/s/")+43' "$URL"
want 403 clin POST /api/v1/surveys '{"patient":"P2","knee":"right","instruments":["nprs"]}'
want 403 res POST /api/v1/surveys '{"patient":"P1","knee":"left","instruments":["nprs"]}'
want 401 anon POST /api/v1/surveys '{"patient":"P1","knee":"left","instruments":["nprs"]}'
want 400 admin POST /api/v1/surveys '{"patient":"P1","instruments":["nprs"]}'
want 400 admin POST /api/v1/surveys '{"patient":"P1","knee":"left","instruments":["nosuch"]}'
want 200 anon GET "$URL"
check "survey page is an HTML form with the item" grep -q 'name="nprs.intensity"' "$T/body"
st=$(curl -s -o "$T/body" -w '%{http_code}' --data-binary 'nprs.intensity=11' "$B$URL")
check "an out-of-range answer re-shows the form (400), nothing stored" test "$st" = 400
check "  with the reason" grep -q 'class="error"' "$T/body"
st=$(curl -s -o "$T/body" -w '%{http_code}' --data-binary 'nprs.intensity=3' "$B$URL")
check "survey submission is accepted" test "$st" = 200
want 200 admin GET /api/v1/patients/P1
check "the response is stored with scores" grep -q '"instrument":"nprs","items":{"intensity":3}' "$T/body"
check "  scored" grep -q '"scores":{"intensity":3}' "$T/body"
st=$(curl -s -o "$T/body" -w '%{http_code}' --data-binary 'nprs.intensity=2' "$B$URL")
check "a second submission gets the already-used page (410)" test "$st" = 410
check "  saying so" grep -q 'already been used' "$T/body"
want 410 anon GET "$URL"
want 404 anon GET /s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
check "  unknown link page is HTML" grep -q 'not valid' "$T/body"
want 422 admin POST /api/v1/surveys '{"patient":"P3","knee":"right","instruments":["nprs","eq_vas"]}'
check "  an instrument without installed wording is refused, saying so" grep -q '"code":"no_wording".*no wording of eq_vas is installed' "$T/body"
want 201 admin POST /api/v1/surveys '{"patient":"P3","knee":"right","instruments":["nprs","patient_global"]}'
URL2=$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["url"])' "$T/body")
registry_sql "$DB" "UPDATE survey_link SET expires_us=1 WHERE patient='P3'"
want 410 anon GET "$URL2"
check "  expired link page says so" grep -q 'expired' "$T/body"

# ---- hostile bodies: 4xx, the error shape, nothing changed
before=$(G audit list --limit 100000 | wc -l)
want 400 admin POST /api/v1/records '{"type":"patient","id":'; check "  invalid JSON has the error shape" error_shape
want 400 admin POST /api/v1/records '{"type":"patient","id":"P9","site":"oak","sex":"male","birth_year":"old"}'
check "  wrong type names the field" grep -q '"field":"birth_year"' "$T/body"
want 400 admin POST /api/v1/records '{"type":"spaceship","id":"X"}'; check "  unknown type has the error shape" error_shape
want 400 admin POST /api/v1/records '[1,2,3]'
want 400 admin POST /api/v1/records "$(printf '{"type":"patient","id":"P9","site":"o\xffk"}')"; check "  bad UTF-8 has the error shape" error_shape
want 400 admin POST /api/v1/records ''
head -c 2000000 /dev/zero | tr '\0' 'a' >big
st=$(curl -s -o "$T/body" -w '%{http_code}' -b "$T/admin.jar" -H "X-CSRF-Token: $(cat "$T/admin.csrf")" -H 'Content-Type: application/json' --data-binary @big "$B/api/v1/records")
check "a 2 MB body is 413" test "$st" = 413
check "  with the error shape" error_shape
want 405 admin PATCH /api/v1/records/patient/P1
want 404 admin GET /api/v1/nothing-here
check "hostile bodies changed nothing" test "$(G audit list --limit 100000 | wc -l)" = "$before"

# ---- OpenAPI: every route documented, every documented path answers
G serve --routes >routes.txt
check "every route is in docs/openapi.json" python3 - "$GENU_SRC/docs/openapi.json" routes.txt <<'PY'
import json,re,sys
spec=json.load(open(sys.argv[1]))["paths"]
ok=True
for line in open(sys.argv[2]):
    m,p=line.split()
    if m.lower() not in spec.get(p,{}): print("undocumented:",m,p); ok=False
sys.exit(0 if ok else 1)
PY
python3 - "$GENU_SRC/docs/openapi.json" >paths.txt <<'PY'
import json,sys
for p,ops in json.load(open(sys.argv[1]))["paths"].items():
    for m in ops:
        if (m,p)!=("delete","/api/v1/session"): print(m.upper(),p)
PY
while read -r m p; do
  path=${p//\{type\}/diagnosis}; path=${path//\{id\}/D1}; path=${path//\{token\}/${URL#/s/}}
  [ "$p" = /api/v1/patients/{id} ] && path=/api/v1/patients/P1
  [ "$p" = /api/v1/patients/{id}/advice ] && path=/api/v1/patients/P1/advice
  [ "$p" = "/api/v1/instruments/{id}/wording" ] && path=/api/v1/instruments/nprs/wording
  [ "$p" = /api/v1/patients/{id}/case ] && path=/api/v1/patients/P1/case
  # a file of the embedded web interface (none when built without web/dist: then 404 is right)
  if [ "$p" = "/assets/{file}" ]; then
    path=$(curl -s "$B/" | grep -o '/assets/[^"]*' | head -1)
    [ -n "$path" ] || { pass "documented $m $p: no web interface embedded"; continue; }
  fi
  [ "$m" = DELETE ] && path=/api/v1/records/diagnosis/NOPE-NOT-THERE
  st=$(req admin "$m" "$path" '{}')
  # an unsubscribe link made by no message: the route answers with its own page
  [ "$p" = "/u/{token}" ] && [ "$st" = 404 ] && grep -q 'This link is not valid' "$T/body" && st=404-page
  if [ "$m" = DELETE ] || [ "$st" != 404 ]; then pass "documented $m $p answers ($st)"; else fail "documented $m $p is 404"; fi
done <paths.txt

# ---- backup while the server takes writes
( for i in $(seq 1 40); do req admin POST /api/v1/records "{\"type\":\"patient\",\"id\":\"W$i\",\"site\":\"oak\",\"sex\":\"male\",\"birth_year\":1960}" >/dev/null; done ) &
WPID=$!
sleep 0.2
expect_status 0 "genu backup while the server writes" G backup "$T/backup.db"
wait $WPID
expect_status 1 "genu backup refuses to overwrite" G backup "$T/backup.db"
expect_status 0 "the backup opens and its audit trail verifies" "$GENU" --db "$T/backup.db" audit verify
check "  it says intact" grep -q 'audit trail intact' "$T/out"

# ---- sign-in rate limit (last: it blocks this address)
for i in 1 2 3 4 5; do signin admin "wrong-$i" scratch >/dev/null; done
check "after 5 failures even the right password is 429" test "$(signin admin admin-password scratch)" = 429
check "  code rate_limited" grep -q '"code":"rate_limited"' "$T/body"

# ---- sign-out
want 200 clin DELETE /api/v1/session
want 401 clin GET /api/v1/me

# ---- graceful stop
kill -TERM $SPID
wait $SPID; rc=$?
check "SIGTERM stops the server with exit 0" test "$rc" = 0
expect_status 0 "genu audit verify after the run" G audit verify
check "  intact" grep -q 'audit trail intact' "$T/out"
finish
