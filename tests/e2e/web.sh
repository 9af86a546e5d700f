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
