#!/usr/bin/env bash
# End-to-end: genu advise reads the patient and the summary of the other
# patients that the registry keeps (docs/advice.md "The registry summary")
# and answers byte for byte what it answers from the whole registry
# (GENU_LOAD=full, no summary): text and JSON, both knees and one, for
# synthetic patients and hand-made ones whose injection series waned (the
# next step: the patient's own earlier series is left out), with costs in
# two currencies and series without a protocol. The summary is built once
# and kept; a write, another as-of, another similar-knee definition or a
# damaged summary is not used (it is built again). The server's advice
# reads it too, and builds it from its dataset. On both backends.
. "$GENU_SRC/tests/e2e/lib.sh"
D=2024-06-30
DB=$(new_registry reg)
G() { "$GENU" --db "$DB" "$@"; }
G init >/dev/null && G synth --patients 300 --seed 11 --as-of $D --import >/dev/null 2>synth.err ||
  { fail "init and synth"; cat synth.err; }

# W1..W6: the left knee's PRP helped (6 -> 2) and waned (back to 6), then a
# second series of another kind. P1's left knee: PRP helped and waned, PRP
# again helped and waned again (its own earlier series must not count among
# "other knees"); its right knee: PRP, then PRP with hyaluronic acid on one
# day, no protocol, costs in EUR.
python3 - >hand.jsonl <<'P'
import json
def pat(p): return {"type": "patient", "id": p, "site": "hand", "sex": "female", "birth_year": 1958}
def dx(p, i, knee, date, kl): return {"type": "diagnosis", "id": f"{p}-dx{i}", "patient": p, "knee": knee, "date": date, "condition": "osteoarthritis", "kl_grade": kl}
def nprs(p, i, knee, date, v): return {"type": "response", "id": f"{p}-n{i}", "patient": p, "knee": knee, "date": date, "instrument": "nprs", "items": {"intensity": v}}
def inj(p, i, knee, date, kind, cost=None, cur="USD", protocol=None):
    r = {"type": "treatment", "id": f"{p}-t{i}", "patient": p, "knee": knee, "date": date, "kind": kind, "sites": ["intra_articular"]}
    if cost is not None: r["cost"] = {"amount": cost, "currency": cur}
    if protocol: r["protocol"] = protocol
    return r
out = []
for n, (kind, after) in enumerate([("prp", 2), ("prp", 2), ("prp", 5), ("bone_marrow_aspirate", 1),
                                   ("corticosteroid_injection", 1), ("prp", 3)], 1):
    p = f"W{n}"
    out += [pat(p), dx(p, 1, "left", "2021-12-01", 2 + n % 3), nprs(p, 1, "left", "2021-12-20", 6),
            inj(p, 1, "left", "2022-01-01", "prp", 400.1 + n),
            nprs(p, 2, "left", "2022-03-01", 2), nprs(p, 3, "left", "2022-09-01", 6),
            inj(p, 2, "left", "2022-09-02", kind, 300.25 * n, "EUR" if n % 2 else "USD"),
            nprs(p, 4, "left", "2022-12-01", after)]
p = "P1"
out += [pat(p), dx(p, 1, "left", "2021-12-01", 3), nprs(p, 1, "left", "2021-12-20", 7),
        inj(p, 1, "left", "2022-01-01", "prp", 450.5), nprs(p, 2, "left", "2022-03-01", 3),
        nprs(p, 3, "left", "2022-08-01", 7), inj(p, 2, "left", "2022-10-01", "prp", 455),
        nprs(p, 4, "left", "2022-12-01", 3), nprs(p, 5, "left", "2023-06-01", 7),
        dx(p, 2, "right", "2022-12-01", 4), nprs(p, 6, "right", "2022-12-20", 8),
        inj(p, 3, "right", "2023-01-01", "prp", 500, "EUR"),
        inj(p, 4, "right", "2023-02-01", "prp", 510, "EUR"),
        inj(p, 5, "right", "2023-02-01", "hyaluronic_acid_injection", 120.3, "EUR"),
        nprs(p, 7, "right", "2023-05-01", 5)]
for r in out: print(json.dumps(r))
P
G import hand.jsonl >/dev/null || fail "import the hand-made patients"

# same NAME ARGS...: the summary and the whole registry give the same bytes
same() {
  local name=$1; shift
  G advise "$@" >sum.out 2>sum.err || { fail "$name: genu advise $*"; cat sum.err; return; }
  GENU_LOAD=full G advise "$@" >full.out 2>full.err || { fail "$name: GENU_LOAD=full genu advise $*"; cat full.err; return; }
  check "$name: the summary answers as the whole registry" cmp -s sum.out full.out
}
summary() { registry_sql "$DB" "SELECT value FROM setting WHERE key='advice_summary'"; }
label() { summary | sed -n 2p; }

same "P1, text" P1 --as-of $D
check "P1's left knee: what the other knees did next, its own earlier series left out" \
  grep -q "Of 6 other knees in the registry whose response to PRP waned, 4 had PRP again and 3 of them (75%) were helped; 1 escalated to a stronger injection and 1 of them (100%) was helped" sum.out
check "the summary is kept in the registry" test "$(summary | sed -n 1p)" = genu-advice-summary
first=$(label)
same "P1, JSON" P1 --as-of $D --format json
same "P1's right knee (two kinds on one day, no protocol, EUR)" P1 --knee right --as-of $D --format json
# PRP or hyaluronic acid costed in EUR: P1's 500, 510 and 120.3, W1's
# 300.25 and W3's 900.75: 2331.3 / 5
check "P1's right knee: the registry's cost per session of PRP or hyaluronic acid in EUR" \
  python3 - sum.out <<'P'
import json, sys
o = json.load(open(sys.argv[1]))
v = [f for x in o["findings"] for f in x["facts"] if f["fact"] == "series.session_cost"]
assert v and abs(v[0]["value"] - 466.26) < 1e-9, v
P
for p in W1 W4 W5; do same "$p" "$p" --as-of $D --format json; done
for p in $(registry_sql "$DB" "SELECT id FROM patient WHERE id LIKE 'S%' ORDER BY id LIMIT 30"); do
  same "$p, text" "$p" --as-of $D
  same "$p, JSON" "$p" --as-of $D --format json
done
check "advice does not build it again while the registry is unchanged" test "$(label)" = "$first"

# A kept summary that fits is what advice reads: altered by hand, it shows.
registry_sql "$DB" "UPDATE setting SET value=replace(value, 'next 2 ', 'next 2 1000') WHERE key='advice_summary'"
G advise P1 --as-of $D >sum.out
check "a current summary is read (an altered one shows in the advice)" grep -q "Of 1000[0-9] other knees" sum.out

# a write moves the audit trail's head: the altered summary is stale
echo '{"type":"response","id":"S-late","patient":"W2","knee":"left","date":"2023-01-01","instrument":"nprs","items":{"intensity":4}}' >late.jsonl
G import late.jsonl >/dev/null || fail "import one more record"
same "after a write" P1 --as-of $D
check "  the summary was built again for the new state" test "$(label)" != "$first"
check "  and the altered counts are gone" bash -c "! grep -q 'Of 1000' sum.out"

same "another as-of" P1 --as-of 2023-03-01
check "  the summary is labelled with its as-of" grep -q "2023-03-01" <<<"$(label)"

sed 's/^similar.at 6m$/similar.at 3m/' "$GENU_SRC/src/advice/default_rules.txt" >three.rules
grep -q '^similar.at 3m$' three.rules || fail "the default rules set similar.at 6m"
same "another similar-knee timepoint (--rules)" P1 --as-of $D --rules three.rules
same "  and back to the default rules" P1 --as-of $D

registry_sql "$DB" "UPDATE setting SET value='genu-advice-summary' WHERE key='advice_summary'"
same "a damaged summary is built again" P1 --as-of $D --format json
check "  and kept whole" grep -qx end <<<"$(summary)"

# The server's advice reads the same summary, built from its own dataset
# when none is current.
echo admin-password | G user add admin --role admin >/dev/null || fail "add a user"
start_server "$DB" --threads 2
curl -s -o /dev/null -c admin.jar -H 'Content-Type: application/json' \
  --data-binary '{"name":"admin","password":"admin-password"}' "$B/api/v1/session"
# http_same NAME PATIENT [KNEE]: GET advice answers as GENU_LOAD=full genu advise --format json
http_same() {
  local q="as_of=$D" a=()
  [ -n "${3:-}" ] && { q="$q&knee=$3"; a=(--knee "$3"); }
  curl -s -o http.out -b admin.jar "$B/api/v1/patients/$2/advice?$q"
  GENU_LOAD=full G advise "$2" --as-of $D "${a[@]}" --format json >full.out
  check "$1" cmp -s http.out full.out
}
registry_sql "$DB" "DELETE FROM setting WHERE key='advice_summary'"
http_same "the server, no summary kept: as the whole registry" P1
check "  the server built the summary and kept it" grep -qx end <<<"$(summary)"
kept=$(label)
http_same "  then from the kept summary" P1 right
http_same "  another patient" W4
check "  the server did not build it again" test "$(label)" = "$kept"
registry_sql "$DB" "UPDATE setting SET value=replace(value, 'next 2 ', 'next 2 1000') WHERE key='advice_summary'"
curl -s -o http.out -b admin.jar "$B/api/v1/patients/P1/advice?as_of=$D"
check "  the server reads the kept summary (an altered one shows)" grep -q "Of 1000[0-9] other knees" http.out
echo '{"type":"response","id":"S-later","patient":"W4","knee":"left","date":"2023-02-01","instrument":"nprs","items":{"intensity":2}}' >later.jsonl
G import later.jsonl >/dev/null || fail "import another record"
http_same "  after a write, as the whole registry" P1

expect_status 1 "an unknown patient is exit 1" G advise NOBODY --as-of $D
check "  and named" grep -q 'unknown patient "NOBODY"' "$T/err"
finish
