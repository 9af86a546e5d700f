#!/usr/bin/env bash
# Browser end-to-end: genu serve on a demo registry, driven by playwright-core
# and Debian's chromium (web/tests/e2e.mjs). Screenshots of every page go to
# $GENU_BUILD/artifacts/web/.
. "$GENU_SRC/tests/e2e/lib.sh"
DB=$(new_registry reg)
G() { "$GENU" --db "$DB" "$@"; }
[ -x /usr/bin/chromium ] || { fail "chromium is missing (make test-deps installs it)"; finish; }
[ -d "$GENU_SRC/web/node_modules/playwright-core" ] || { fail "web/node_modules is missing (make build runs npm ci)"; finish; }
G demo --patients 300 >/dev/null 2>&1 || fail "demo registry"
# Follow-up capture (site elm, dates relative to today): WCALL has a phone
# but no e-mail and a right knee treated 45 days ago, so with no mail server
# or SMS command its 6-week window is open and reachable only by a call;
# WMSG has a treated left knee and follow-up messages (an invitation, a
# failed reminder, an opt-out).
day() { date -u -d "$1 days ago" +%F; }
cat >"$T/seed.jsonl" <<EOF
{"type":"patient","id":"WCALL","site":"elm","sex":"female","birth_year":1961}
{"type":"identity","patient":"WCALL","name":"Carla Callme","phone":"+1 555 0123","language":"en"}
{"type":"diagnosis","patient":"WCALL","knee":"right","date":"$(day 45)","condition":"osteoarthritis","kl_grade":2}
{"type":"treatment","patient":"WCALL","knee":"right","date":"$(day 45)","kind":"prp"}
{"type":"patient","id":"WMSG","site":"elm","sex":"male","birth_year":1958}
{"type":"identity","patient":"WMSG","email":"wmsg@example.org","contact":"email"}
{"type":"diagnosis","patient":"WMSG","knee":"left","date":"$(day 60)","condition":"osteoarthritis","kl_grade":3}
{"type":"treatment","patient":"WMSG","knee":"left","date":"$(day 60)","kind":"prp"}
{"type":"message","id":"msg-web-inv","patient":"WMSG","date":"$(day 30)","kind":"invitation","channel":"email","status":"sent","followups":[{"knee":"left","timepoint":"6w","reminder":0}],"attempts":1,"last_attempt":"$(day 30)T09:00:00Z"}
{"type":"message","id":"msg-web-rem","patient":"WMSG","date":"$(day 27)","kind":"reminder","channel":"email","status":"failed","followups":[{"knee":"left","timepoint":"6w","reminder":1}],"attempts":3,"last_attempt":"$(day 27)T09:30:00Z","error":"550 mailbox unavailable"}
{"type":"message","id":"msg-web-out","patient":"WMSG","date":"$(day 26)","kind":"opt_out","channel":"web","status":"recorded"}
EOF
G import "$T/seed.jsonl" >/dev/null || fail "follow-up seed records"
echo 'admin-password' | G user add admin --role admin >/dev/null
echo 'research-password' | G user add res --role researcher >/dev/null
start_server "$DB" --threads 2
check "/ serves the web interface" bash -c "curl -s '$B/' | grep -q '<script type=\"module\"'"
check "/ carries the strict CSP" bash -c "curl -s -D - -o /dev/null '$B/' | grep -qi \"content-security-policy: default-src 'none'; script-src 'self'\""
asset=$(curl -s "$B/" | grep -o '/assets/[^"]*\.js' | head -1)
check "assets are JavaScript and cached" bash -c "curl -s -D - -o /dev/null '$B$asset' | grep -qi 'content-type: text/javascript' && curl -s -D - -o /dev/null '$B$asset' | grep -qi 'cache-control: public, max-age=31536000, immutable'"
check "an unknown asset is 404" test "$(curl -s -o /dev/null -w '%{http_code}' "$B/assets/nope.js")" = 404
ART=${GENU_BUILD:-$T}/artifacts/web
mkdir -p "$ART"
if (cd "$GENU_SRC/web" && GENU_URL=$B ARTIFACTS=$ART node tests/e2e.mjs); then pass "browser tests (screenshots in $ART)"; else fail "browser tests"; fi
finish
