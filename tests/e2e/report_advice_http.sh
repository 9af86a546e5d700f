#!/usr/bin/env bash
# End-to-end: GET /api/v1/report and GET /api/v1/patients/{id}/advice over
# HTTP answer the same JSON as `genu report --format json` and `genu advise
# --format json`, for every reader role, with the documented errors.
. "$GENU_SRC/tests/e2e/lib.sh"
demo_server 120
G() { "$GENU" --db "$DB" "$@"; }

G report --format json --by kl --at 6m --at 12m --kl 0-2 >cli-report.json
G advise CH1 --format json >cli-advise.json
G advise CH1 --knee left --format json >cli-advise-left.json
for who in admin clin; do
  check "report as $who is 200" test "$(get $who '/api/v1/report?by=kl&at=6m&at=12m&kl=0-2')" = 200
  check "  the same JSON as genu report" same_json "$T/body" cli-report.json
  check "advice as $who is 200" test "$(get $who /api/v1/patients/CH1/advice)" = 200
  check "  the same JSON as genu advise (an array)" same_json "$T/body" cli-advise.json
done
check "report as a researcher is 200" test "$(get res '/api/v1/report?by=kl&at=6m&at=12m&kl=0-2')" = 200
check "  genu report's JSON with every count of 1 to 4 knees as \"< 5\"" python3 -c '
import json,sys
def sup(v,k=None):
    if isinstance(v,dict): return {a:sup(b,a) for a,b in v.items()}
    if isinstance(v,list): return [sup(x) for x in v]
    keys={"entered","eligible","converted","not_evaluable","missing","analysed","responders","n","events","n_risk","n_event","n_censor","knees","patients","count","excluded","competing_events","n_competing","excluded_missing"}
    if k in keys and isinstance(v,int) and not isinstance(v,bool) and 1<=v<=4: return "< 5"
    return v
sys.exit(0 if json.load(open(sys.argv[1]))==sup(json.load(open(sys.argv[2]))) else 1)' "$T/body" cli-report.json
check "advice as a researcher is 403 (identified records)" test "$(get res /api/v1/patients/CH1/advice)" = 403
check "advice with knee=left is one object" test "$(get clin '/api/v1/patients/CH1/advice?knee=left')" = 200
check "  the same JSON as genu advise --knee left" same_json "$T/body" cli-advise-left.json
check "advice without a session is 401" test "$(get nobody /api/v1/patients/CH1/advice)" = 401
check "report without a session is 401" test "$(get nobody /api/v1/report)" = 401
check "advice outside a clinician's sites is 403" test "$(get other /api/v1/patients/CH1/advice)" = 403
check "advice for an unknown patient is 404" test "$(get admin /api/v1/patients/NOPE/advice)" = 404
check "advice with a bad knee is 400 naming knee" bash -c "test \"\$(curl -s -o '$T/b2' -w '%{http_code}' -b '$T/admin.jar' '$B/api/v1/patients/CH1/advice?knee=middle')\" = 400 && grep -q '\"field\":\"knee\"' '$T/b2'"
check "advice with a bad as_of is 400" test "$(get admin '/api/v1/patients/CH1/advice?as_of=2026-02-30')" = 400
check "advice with an unknown argument is 400" test "$(get admin '/api/v1/patients/CH1/advice?colour=red')" = 400
check "report with a bad by is 400 naming by" bash -c "test \"\$(curl -s -o '$T/b3' -w '%{http_code}' -b '$T/admin.jar' '$B/api/v1/report?by=shoe')\" = 400 && grep -q '\"field\":\"by\"' '$T/b3'"
check "report with a bad responder is 400" test "$(get admin '/api/v1/report?responder=nonsense')" = 400
check "report with a bad timepoint is 400" test "$(get admin '/api/v1/report?at=soon')" = 400
check "report with an unknown argument is 400" test "$(get admin '/api/v1/report?colour=red')" = 400
check "the report carries no identity" bash -c "! grep -qi 'date_of_birth\|\"name\"' '$T/body'"
finish
