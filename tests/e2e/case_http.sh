#!/usr/bin/env bash
# End-to-end: GET /api/v1/patients/{id}/case over HTTP answers the same JSON
# as `genu case ID --format json`, for every reader role, with the documented
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
check "case as a researcher is 403 (identified records; researchers read the de-identified patient)" test "$(get res "/api/v1/patients/CH1/case?as_of=$D")" = 403
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
finish
