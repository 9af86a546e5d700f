#!/usr/bin/env bash
# report: genu report on a hand-made registry. Counts, follow-up, cost per
# responder and the comparison worked out by hand (JSON); the HTML is one
# self-contained file that escapes what comes from the data; bad options
# exit 2 with nothing on stdout.
set -uo pipefail
. "$GENU_SRC/tests/e2e/lib.sh"
db=$(new_registry reg)
# Index 2020-01-01 (prp) for A-F. 3m: day 91 (2020-04-01), window ±30 =
# 2020-03-02..2020-05-01, closed by the as-of 2022-01-01. Definition
# improvement_pct:nprs.intensity>=50. Sites "oak" and "<b>x</b>" (sorted by
# bytes, "<" before "o": "<b>x</b>" first).
#  A oak  8 -> 4 (50%): responder. Series: 1000 USD + 500 USD (2020-02-15,
#         day 45) = 1500; the 700 USD repeat on 2020-06-01 is after T.
#  B oak  8 -> 6: not a responder. 1200 USD.
#  C oak  6 -> 2: responder. Its prp has no cost: knees_without_cost.
#  D oak  baseline 7, no follow-up: missing (not analysed; its cost unused).
#  E <b>x</b>  8 -> 2 (2020-04-10): responder. 800 EUR.
#  F <b>x</b>  replaced 2020-03-01 (day 60), no follow-up: converted,
#         analysed as a non-responder. 800 EUR (the replacement is not an
#         index kind).
#  G <b>x</b>  indexed 2021-12-01: entered, not eligible.
# oak:      entered 4, eligible 4, converted 0, not_evaluable 0, missing 1,
#           analysed 3, responders 2: rate 2/3, worst 2/4, best 3/4.
#           cost: without 1, USD knees 2 (A B), responders 1, total 2700,
#           per responder 2700.
# <b>x</b>: entered 3, eligible 2, converted 1, missing 0, analysed 2,
#           responders 1: rate 1/2, worst 1/2, best 1/2.
#           cost: EUR knees 2 (E F), responders 1, total 1600, per 1600.
# follow-up at 3m: oak due 4 done 3 (A B C) missing 1; <b>x</b> due 2
#           done 1 (E; F has nothing before its replacement) missing 1.
# comparison <b>x</b> − oak: 1/2 − 2/3 = −1/6; the table [[1,1],[2,1]] has
#           expected counts below 5: Fisher; P(x=0,1,2) = .1 .6 .3 with
#           x = responders in <b>x</b>: every table is as likely or less
#           than the observed one (.6): p = 1.
# survival (replacement): <b>x</b> n 3, 1 event (F at day 60, 2 at risk: G
#           is censored at time 0, its last contact being its index); oak n 4, 0.
cat >"$T/reg.jsonl" <<'J'
{"type":"patient","id":"A","site":"oak","sex":"female","birth_year":1960}
{"type":"patient","id":"B","site":"oak","sex":"male","birth_year":1950}
{"type":"patient","id":"C","site":"oak","sex":"female","birth_year":1970}
{"type":"patient","id":"D","site":"oak","sex":"male","birth_year":1955}
{"type":"patient","id":"E","site":"<b>x</b>","sex":"male","birth_year":1965}
{"type":"patient","id":"F","site":"<b>x</b>","sex":"female","birth_year":1962}
{"type":"patient","id":"G","site":"<b>x</b>","sex":"female","birth_year":1961}
{"type":"treatment","patient":"A","knee":"left","date":"2020-01-01","kind":"prp","sites":["intra_articular"],"cost":{"amount":1000,"currency":"USD"}}
{"type":"treatment","patient":"A","knee":"left","date":"2020-02-15","kind":"prp","sites":["intra_articular"],"cost":{"amount":500,"currency":"USD"}}
{"type":"treatment","patient":"A","knee":"left","date":"2020-06-01","kind":"prp","sites":["intra_articular"],"cost":{"amount":700,"currency":"USD"}}
{"type":"treatment","patient":"B","knee":"left","date":"2020-01-01","kind":"prp","sites":["intra_articular"],"cost":{"amount":1200,"currency":"USD"}}
{"type":"treatment","patient":"C","knee":"left","date":"2020-01-01","kind":"prp","sites":["intra_articular"]}
{"type":"treatment","patient":"D","knee":"left","date":"2020-01-01","kind":"prp","sites":["intra_articular"],"cost":{"amount":900,"currency":"USD"}}
{"type":"treatment","patient":"E","knee":"left","date":"2020-01-01","kind":"prp","sites":["intra_articular"],"cost":{"amount":800,"currency":"EUR"}}
{"type":"treatment","patient":"F","knee":"left","date":"2020-01-01","kind":"prp","sites":["intra_articular"],"cost":{"amount":800,"currency":"EUR"}}
{"type":"treatment","patient":"F","knee":"left","date":"2020-03-01","kind":"total_knee_replacement","cost":{"amount":20000,"currency":"EUR"}}
{"type":"treatment","patient":"G","knee":"left","date":"2021-12-01","kind":"prp","sites":["intra_articular"],"cost":{"amount":800,"currency":"EUR"}}
{"type":"response","patient":"A","knee":"left","date":"2020-01-01","instrument":"nprs","items":{"intensity":8}}
{"type":"response","patient":"A","knee":"left","date":"2020-04-01","instrument":"nprs","items":{"intensity":4}}
{"type":"response","patient":"B","knee":"left","date":"2020-01-01","instrument":"nprs","items":{"intensity":8}}
{"type":"response","patient":"B","knee":"left","date":"2020-04-01","instrument":"nprs","items":{"intensity":6}}
{"type":"response","patient":"C","knee":"left","date":"2020-01-01","instrument":"nprs","items":{"intensity":6}}
{"type":"response","patient":"C","knee":"left","date":"2020-04-01","instrument":"nprs","items":{"intensity":2}}
{"type":"response","patient":"D","knee":"left","date":"2020-01-01","instrument":"nprs","items":{"intensity":7}}
{"type":"response","patient":"E","knee":"left","date":"2020-01-01","instrument":"nprs","items":{"intensity":8}}
{"type":"response","patient":"E","knee":"left","date":"2020-04-10","instrument":"nprs","items":{"intensity":2}}
{"type":"response","patient":"F","knee":"left","date":"2020-01-01","instrument":"nprs","items":{"intensity":8}}
J
"$GENU" --db "$db" init >/dev/null || fail "init"
"$GENU" --db "$db" import "$T/reg.jsonl" >/dev/null || fail "import"
report() { "$GENU" --db "$db" report --as-of 2022-01-01 "$@"; }

report --by site --at 3m --responder 'improvement_pct:nprs.intensity>=50' >"$T/by_site.json"
check "report --by site exits 0" test $? -eq 0
check "hand-worked counts, follow-up, cost, comparison" python3 - "$T/by_site.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
def eq(what, got, want):
    if got != want:
        sys.exit(f"{what}: got {got!r}, want {want!r}")
def near(what, got, want):
    if abs(got - want) > 1e-12:
        sys.exit(f"{what}: got {got!r}, want {want!r}")
eq("keys", list(r), ["as_of", "unit", "by", "filters", "entered", "strata", "followup",
                     "responders", "change", "survival"])
eq("as_of", r["as_of"], "2022-01-01"); eq("by", r["by"], "site"); eq("entered", r["entered"], 7)
eq("strata", r["strata"], [{"stratum": "<b>x</b>", "entered": 3}, {"stratum": "oak", "entered": 4}])
eq("followup", r["followup"], [
    {"at": "3m", "stratum": "<b>x</b>", "due": 2, "done": 1, "missing": 1},
    {"at": "3m", "stratum": "oak", "due": 4, "done": 3, "missing": 1}])
eq("one definition at one timepoint", len(r["responders"]), 1)
row = r["responders"][0]
eq("row keys", list(row), ["definition", "threshold", "at", "strata", "comparisons"])
eq("definition", row["definition"], "improvement_pct:nprs.intensity>=50")
eq("threshold", row["threshold"], 50); eq("at", row["at"], "3m")
x, oak = row["strata"]
eq("stratum keys", list(x), ["stratum", "counts", "rate", "ci95", "worst_case", "best_case", "cost"])
eq("x counts", x["counts"], {"entered": 3, "eligible": 2, "converted": 1, "not_evaluable": 0,
                             "missing": 0, "analysed": 2, "responders": 1})
eq("oak counts", oak["counts"], {"entered": 4, "eligible": 4, "converted": 0, "not_evaluable": 0,
                                 "missing": 1, "analysed": 3, "responders": 2})
near("x rate", x["rate"], 0.5); near("x worst", x["worst_case"], 0.5); near("x best", x["best_case"], 0.5)
near("oak rate", oak["rate"], 2 / 3); near("oak worst", oak["worst_case"], 0.5)
near("oak best", oak["best_case"], 0.75)
eq("x cost", x["cost"], {"knees_without_cost": 0, "knees_mixed_currency": 0, "currencies": [
    {"currency": "EUR", "knees": 2, "responders": 1, "total": 1600, "per_responder": 1600}]})
eq("oak cost", oak["cost"], {"knees_without_cost": 1, "knees_mixed_currency": 0, "currencies": [
    {"currency": "USD", "knees": 2, "responders": 1, "total": 2700, "per_responder": 2700}]})
eq("one comparison", len(row["comparisons"]), 1)
c = row["comparisons"][0]
eq("comparison keys", list(c), ["a", "b", "difference", "ci95", "test", "statistic", "p"])
eq("a b", (c["a"], c["b"]), ("<b>x</b>", "oak"))
near("difference", c["difference"], -1 / 6)
eq("test", c["test"], "fisher"); eq("statistic", c["statistic"], None); near("p", c["p"], 1.0)
s = r["survival"]
eq("survival event", s["event"], "replacement")
eq("survival n/events", [(k["stratum"], k["n"], k["events"]) for k in s["strata"]],
   [("<b>x</b>", 3, 1), ("oak", 4, 0)])
ev = [row for row in s["strata"][0]["curve"] if row["n_event"]]
eq("replacement at day 60", [(e["time"], e["n_risk"]) for e in ev], [(60, 2)])
eq("change rows", [(c["measure"], c["stratum"], c["n"]) for c in r["change"]],
   [("nprs.intensity", "<b>x</b>", 1), ("nprs.intensity", "oak", 3),
    ("koos.pain", "<b>x</b>", 0), ("koos.pain", "oak", 0)])
PY

# the default format is JSON, with the default definitions and timepoints
report >"$T/default.json"
check "default format is JSON, 4 definitions x 7 timepoints" python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["by"] is None and [s["stratum"] for s in r["strata"]] == ["all"]
assert len(r["responders"]) == 28, len(r["responders"])
assert [e["definition"] for e in r["responders"][::7]] == ["improvement_pct:nprs.intensity>=50",
    "mcid:nprs.intensity", "mcid:koos.pain", "omeract_oarsi"]
assert [e["threshold"] for e in r["responders"][::7]] == [50, 2, 8, None]
assert [e["at"] for e in r["responders"][:7]] == ["6w", "3m", "6m", "12m", "24m", "36m", "48m"]
' "$T/default.json"

# --mcid: a measure without a default MCID, given before or after --responder
for order in "--mcid eq_vas.score=10 --responder mcid:eq_vas.score" \
             "--responder mcid:eq_vas.score --mcid eq_vas.score=10"; do
  # shellcheck disable=SC2086
  report $order --at 3m >"$T/mcid.json"
  check "--mcid ($order)" python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["responders"]
assert [(e["definition"], e["threshold"]) for e in r] == [("mcid:eq_vas.score", 10)], r
' "$T/mcid.json"
done
report --mcid nprs.intensity=3 --at 3m --responder mcid:nprs.intensity >"$T/mcid2.json"
check "--mcid overrides a default" grep -q '"threshold":3,' "$T/mcid2.json"

# HTML: one self-contained file, site names escaped
report --by site --format html >"$T/r.html"
check "html exits 0" test $? -eq 0
check "html is a whole document" bash -c 'head -c 15 "$1" | grep -q "<!doctype html>" && tail -1 "$1" | grep -q "</html>"' _ "$T/r.html"
check "html has no external URLs" bash -c '! grep -Eq "src=\"http|href=\"http|url\\(|@import" "$1"' _ "$T/r.html"
check "html has no scripts" bash -c '! grep -qi "<script" "$1"' _ "$T/r.html"
check "html has inline SVG charts" grep -q '<svg' "$T/r.html"
check "html escapes the site name" grep -q '&lt;b&gt;x&lt;/b&gt;' "$T/r.html"
check "html never has the raw site name" bash -c '! grep -qF "<b>x</b>" "$1"' _ "$T/r.html"
check "html escapes definitions" grep -q 'improvement_pct:nprs.intensity&gt;=50' "$T/r.html"
check "html shows cost per responder" grep -q '2,700' "$T/r.html"
check "html says how to read denominators" grep -q 'id="reading"' "$T/r.html"
report --site nowhere --format html >"$T/empty.html"
check "html of an empty cohort" bash -c 'test $? -eq 0 && grep -q "0 knees entered" "$1"' _ "$T/empty.html"

# HTML, death as a competing risk: a curve is drawn only while at least 10
# knees are at risk. Eleven knees (site elm) indexed 2020-01-01: K1 replaced
# day 100 (11 at risk), K2's patient died day 200 (10 at risk), K3 replaced
# day 300 (9 at risk), K4..K11 last seen day 400. Aalen-Johansen: 1/11 at
# day 100; S = 10/11 * 9/10 = 9/11 after day 200; 1/11 + 9/11 * 1/9 = 2/11
# at day 300 (in the JSON). Drawn: one step up to 1/11 (at day 100), level
# through day 200, ending at day 300 where only 9 remain; 1 - KM alike.
cdb=$(new_registry comp)
{
  for i in $(seq 1 11); do
    echo "{\"type\":\"patient\",\"id\":\"K$i\",\"site\":\"elm\",\"sex\":\"female\",\"birth_year\":1950}"
    echo "{\"type\":\"treatment\",\"patient\":\"K$i\",\"knee\":\"left\",\"date\":\"2020-01-01\",\"kind\":\"prp\",\"sites\":[\"intra_articular\"]}"
    [ "$i" -ge 4 ] && echo "{\"type\":\"response\",\"patient\":\"K$i\",\"knee\":\"left\",\"date\":\"2021-02-04\",\"instrument\":\"nprs\",\"items\":{\"intensity\":3}}"
  done
  echo '{"type":"treatment","patient":"K1","knee":"left","date":"2020-04-10","kind":"total_knee_replacement"}'
  echo '{"type":"death","id":"DK2","patient":"K2","date":"2020-07-19"}'
  echo '{"type":"treatment","patient":"K3","knee":"left","date":"2020-10-27","kind":"total_knee_replacement"}'
} >"$T/comp.jsonl"
"$GENU" --db "$cdb" init >/dev/null || fail "init (competing)"
"$GENU" --db "$cdb" import "$T/comp.jsonl" >/dev/null || fail "import (competing)"
"$GENU" --db "$cdb" report --as-of 2022-01-01 --by site >"$T/comp.json"
check "competing: the JSON keeps every row (2/11 at day 300, 9 at risk)" python3 -c '
import json, sys
ci = json.load(open(sys.argv[1]))["survival"]["cumulative_incidence"]
rows = {round(p["time"]): p for p in ci["strata"][0]["curve"]}
assert rows[300]["n_risk"] == 9 and abs(rows[300]["cuminc"] - 2 / 11) < 1e-12, rows
assert abs(rows[200]["cuminc"] - 1 / 11) < 1e-12, rows
' "$T/comp.json"
"$GENU" --db "$cdb" report --as-of 2022-01-01 --by site --format html >"$T/comp.html"
check "competing: html draws the cumulative-incidence chart" grep -q 'cuminc-chart' "$T/comp.html"
check "competing: its caption says where curves stop" \
  grep -q 'competing event (solid) and 1 &minus; Kaplan-Meier (dotted). Each curve stops where fewer than 10 knees remain at risk' "$T/comp.html"
check "competing: both curves step once to 1/11 and end at day 300" python3 -c '
import re, sys
html = open(sys.argv[1]).read()
svg = html[html.index("cuminc-chart"):]
svg = svg[:svg.index("</svg>")]
paths = [d for d in re.findall(r"<path d=\"([^\"]*)\"", svg) if d.startswith("M")]
assert len(paths) == 2, paths
ends = set()
for d in paths:
    cmds = re.findall(r"([MHV])([-0-9.]+)", d)
    vs = [float(v) for c, v in cmds if c == "V"]
    # one level (1/11) after day 100 and day 200, none at day 300
    assert len(vs) == 2 and vs[0] == vs[1], d
    assert cmds[-1][0] == "H", d
    ends.add(cmds[-1][1])
    hs = [float(v) for c, v in cmds if c == "H"]
    x0 = float(cmds[0][1])
    # H at days 100, 200, 300: equal spacing from the origin
    assert abs((hs[1] - x0) - 2 * (hs[0] - x0)) < 0.2 and abs((hs[2] - x0) - 3 * (hs[0] - x0)) < 0.2, d
assert len(ends) == 1, paths
' "$T/comp.html"

# bad options: exit 2, nothing on stdout, a genu: error line
for args in "--format pdf" "--format" "--by colour" "--as-of 2022-13-01" "--unit hip" \
            "--kl 5" "--at 06m" "--at 3" "--responder mcid:eq_vas.score" \
            "--responder improvement_pct:koos.pain>=50" "--mcid eq_vas.foo=3" \
            "--mcid eq_vas.score=0" "--mcid eq_vas.score" "--bogus" "stray"; do
  # shellcheck disable=SC2086
  expect_status 2 "report $args" "$GENU" --db "$db" report $args
  check "report $args: stdout empty" test ! -s "$T/out"
  check "report $args: error message" grep -q '^genu: error: ' "$T/err"
done
finish
