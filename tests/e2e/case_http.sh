#!/usr/bin/env bash
# End-to-end: GET /api/v1/patients/{id}/case over HTTP answers the same JSON
# as `genu case ID --format json` to staff, and to researchers the same
# history by pseudonym in days from the index date, with the documented
# errors (docs/api.md).
. "$GENU_SRC/tests/e2e/lib.sh"
demo_server 120
G() { "$GENU" --db "$DB" "$@"; }
# 400 naming the field: get_field WHO PATH FIELD
bad_field() { test "$(get "$1" "$2")" = 400 && grep -q "\"field\":\"$3\"" "$T/body"; }

# A date inside CH1's story (its first series ends in 2009-11), so that as_of
# visibly cuts it, and today's.
D=2009-06-30
G case CH1 --format json --as-of $D >cli-case.json || fail "genu case CH1 --as-of $D"
G case CH1 --format json >cli-case-today.json || fail "genu case CH1"
check "the CLI's history as of $D is cut at $D" python3 -c 'import json,sys;h=json.load(open(sys.argv[1]));sys.exit(0 if h["as_of"]==sys.argv[2] and all(p["date"]<=sys.argv[2] for p in h["timeline"]) and h["narrative"].startswith("Case history CH1") else 1)' cli-case.json $D
for who in admin clin; do
  check "case as $who is 200" test "$(get $who "/api/v1/patients/CH1/case?as_of=$D")" = 200
  check "  the same JSON as genu case --as-of $D" same_json "$T/body" cli-case.json
done
check "case without as_of is today's history" test "$(get clin /api/v1/patients/CH1/case)" = 200
check "  the same JSON as genu case" same_json "$T/body" cli-case-today.json
check "the history carries no identity" bash -c "! grep -qi 'date_of_birth\|\"name\"\|\"email\"' '$T/body'"
check "case without a session is 401" test "$(get nobody /api/v1/patients/CH1/case)" = 401
check "case outside a clinician's sites is 403" test "$(get other /api/v1/patients/CH1/case)" = 403
check "case for an unknown patient is 404" test "$(get admin /api/v1/patients/NOPE/case)" = 404
check "  even for a clinician" test "$(get clin /api/v1/patients/NOPE/case)" = 404
check "case with a bad as_of is 400 naming as_of" bad_field admin '/api/v1/patients/CH1/case?as_of=2026-02-30' as_of
check "case with an as_of that is no date is 400 naming as_of" bad_field clin '/api/v1/patients/CH1/case?as_of=soon' as_of
check "case with an unknown argument is 400 naming it" bad_field admin "/api/v1/patients/CH1/case?as_of=$D&knee=left" knee
check "case with a misspelt as_of is 400 naming it" bad_field clin '/api/v1/patients/CH1/case?asof=2024-01-01' asof
check "POST to the case is 405" test "$(curl -s -o /dev/null -w '%{http_code}' -b "$T/admin.jar" -X POST "$B/api/v1/patients/CH1/case")" = 405

# A researcher's history of CH1, found by its pseudonym, computed here from
# the registry's deid_key ("p-" and 96 bits of HMAC-SHA-256 of "patient:CH1",
# docs/privacy.md). CH1's index date is its first regenerative treatment,
# the dextrose prolotherapy of 2007-03-05: the first visit, 2009-03-02, is
# day 728 (366 days to 2008-03-05, 365 to 2009-03-05, less 3).
check "case as a researcher lists patients first (the key is made)" test "$(get res /api/v1/patients)" = 200
KEY=$(registry_sql "$DB" "SELECT value FROM setting WHERE key='deid_key'")
PS=$(python3 -c 'import hmac,hashlib,sys;print("p-"+hmac.new(bytes.fromhex(sys.argv[1]),b"patient:CH1",hashlib.sha256).hexdigest()[:24])' "$KEY")
check "case as a researcher, by pseudonym, is 200" test "$(get res "/api/v1/patients/$PS/case")" = 200
cp "$T/body" res-case.json
check "  first seen on day 728, the prolotherapy on day 0" python3 -c 'import json,sys;c=json.load(open("res-case.json"));sys.exit(0 if c["first_visit_day"]==728 and c["prior_treatments"][0]["day"]==0 and c["patient"]["id"]==sys.argv[1] else 1)' "$PS"
check "  every date of genu case is its day from 2007-03-05, item by item" python3 - cli-case-today.json res-case.json <<'PY'
import json,sys
from datetime import date
a,r=(json.load(open(f)) for f in sys.argv[1:3])
day=lambda s:(date.fromisoformat(s)-date(2007,3,5)).days
ok=[day(x["date"]) for x in a["diagnoses"]]==[x["day"] for x in r["diagnoses"]]
ok&=[day(x["date"]) for x in a["prior_treatments"]]==[x["day"] for x in r["prior_treatments"]]
ok&=[[day(d) for d in s["sessions"]] for s in a["series"]]==[s["session_days"] for s in r["series"]]
ok&=[day(x["date"]) for x in a["timeline"]]==[x["day"] for x in r["timeline"]]
ok&=[day(x["date"]) for x in a["surgery"]]==[x["day"] for x in r["surgery"]]
ok&=len(a["series"])>0 and len(a["timeline"])>1
sys.exit(0 if ok else 1)
PY
check "  no date, registry id or as_of in it" sh -c "! grep -q -E '(19|20)[0-9][0-9]-[0-9][0-9]|CH1|as_of' res-case.json"
check "case as a researcher by registry id is 404" test "$(get res /api/v1/patients/CH1/case)" = 404
check "case as a researcher with as_of is 400 naming as_of" bad_field res "/api/v1/patients/$PS/case?as_of=$D" as_of
finish
