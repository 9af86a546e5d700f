#!/usr/bin/env bash
# End-to-end: the command line and the HTTP API are two front ends of one
# analysis (docs/architecture.md): the same question, asked as flags or as
# query arguments, gets the same JSON, and a bad argument is named the same
# way (the flag on the command line, the field over HTTP). On both backends.
. "$GENU_SRC/tests/e2e/lib.sh"
demo_server 150
G() { "$GENU" --db "$DB" "$@"; }
D=2024-06-30
# same CLI-ARGS -- QUERY: genu ... --format json and GET /api/v1/... agree
same() {
  local name=$1 path=$2; shift 2
  local cli=() ; while [ "$1" != "--" ]; do cli+=("$1"); shift; done; shift
  G "${cli[@]}" --format json >"$T/cli.json" 2>"$T/cli.err" || { fail "$name: genu ${cli[*]}"; cat "$T/cli.err"; return; }
  local st; st=$(get admin "$path?$1")
  check "$name: 200 over HTTP" test "$st" = 200
  check "$name: the same JSON as the command line" same_json "$T/body" "$T/cli.json"
}
same "claim" /api/v1/claim claim --responder 'improvement_pct:nprs.intensity>=50' --at 12m --expect 0.6 --as-of $D -- \
  "responder=improvement_pct:nprs.intensity%3E%3D50&at=12m&expect=0.6&as_of=$D"
same "claim with filters, unit and cost" /api/v1/claim claim --responder 'mcid:nprs.intensity' --at 6m --expect 0.5 --kl 0-2 --sites whole_knee --unit patient --cost --as-of $D -- \
  "responder=mcid:nprs.intensity&at=6m&expect=0.5&kl=0-2&sites=whole_knee&unit=patient&cost=true&as_of=$D"
same "claim with an mcid of its own" /api/v1/claim claim --responder 'mcid:eq_vas.score' --mcid eq_vas.score=12 --at 12m --expect 0.5 --as-of $D -- \
  "responder=mcid:eq_vas.score&mcid=eq_vas.score%3D12&at=12m&expect=0.5&as_of=$D"
same "claim with index kinds" /api/v1/claim claim --responder 'change:nprs.intensity>=2' --at 3m --expect 0.5 --index-kinds prp --as-of $D -- \
  "responder=change:nprs.intensity%3E%3D2&at=3m&expect=0.5&index-kinds=prp&as_of=$D"
same "survival by kl" /api/v1/survival survival --event replacement --by kl --as-of $D -- \
  "event=replacement&by=kl&as_of=$D"
same "survival: loss of response" /api/v1/survival survival --event loss_of_response --responder 'improvement_pct:nprs.intensity>=30' --age 50-70 --as-of $D -- \
  "event=loss_of_response&responder=improvement_pct:nprs.intensity%3E%3D30&age=50-70&as_of=$D"
same "report by sites with its own definitions" /api/v1/report report --by sites --responder 'change:nprs.intensity>=2' --at 6m --at 12m --as-of $D -- \
  "by=sites&responder=change:nprs.intensity%3E%3D2&at=6m&at=12m&as_of=$D"

# a bad argument: the flag on the command line, the field over HTTP
bad() { # NAME PATH QUERY FIELD CLI-ARGS... : both refuse, naming it
  local name=$1 path=$2 query=$3 field=$4; shift 4
  expect_status 2 "$name: the command line refuses" G "$@"
  check "  naming --${field//_/-}" grep -q -- "--${field//_/-}" "$T/err"
  check "  and over HTTP 400 naming the field $field" bash -c "test \"\$(curl -s -o '$T/body' -w '%{http_code}' -b '$T/admin.jar' '$B$path?$query')\" = 400 && grep -q '\"field\":\"$field\"' '$T/body'"
  check "  with the same words" bash -c "python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))[\"error\"][\"message\"]; e=open(sys.argv[2]).read(); sys.exit(0 if m.split(\": \",1)[1] in e else 1)' '$T/body' '$T/err'"
}
bad "a KL range out of bounds" /api/v1/claim "responder=mcid:nprs.intensity&at=3m&expect=0.5&kl=0-9" kl \
  claim --responder mcid:nprs.intensity --at 3m --expect 0.5 --kl 0-9
bad "an unknown event" /api/v1/survival "event=death" event survival --event death
bad "a malformed timepoint" /api/v1/report "at=12x" at report --at 12x
bad "an unknown measure" /api/v1/claim "responder=improvement_pct:koos.foo%3E%3D50&at=3m&expect=0.5" responder \
  claim --responder 'improvement_pct:koos.foo>=50' --at 3m --expect 0.5
bad "a rate above 1" /api/v1/claim "responder=mcid:nprs.intensity&at=3m&expect=7" expect \
  claim --responder mcid:nprs.intensity --at 3m --expect 7
finish
