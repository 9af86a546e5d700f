#!/usr/bin/env bash
# synth_effects (issue 6): the effects built into the synthetic model
# (docs/synth.md, "The model") are visible in genu's own analyses of a
# synthetic registry. 3000 patients, seed 1, a fixed as-of date: the data
# are the same every run, so the comparisons below are not flaky; they
# fail when the model or the analyses stop showing the effect.
#   - peak relief by KL grade (0.50 for 0-2, 0.35/0.15 for 3/4): the 12-month
#     NPRS >= 50% responder rate is higher in KL 0-2 than in KL 3-4;
#   - the whole-knee bonus (+0.12): higher at 12 months for whole_knee than
#     for intra_articular_only;
#   - waning after 1-3 years: lower at 48 months than at 12;
#   - replacement hazard by KL (0.004/year versus 0.025-0.07): more
#     replacements per knee and lower replacement-free survival at 48
#     months in KL 3-4, and a log-rank p below 0.001.
. "$(dirname "$0")/lib.sh"
AS_OF=2024-06-30
DEF='improvement_pct:nprs.intensity>=50'
DB=$(new_registry reg)

"$GENU" --db "$DB" synth --patients 3000 --seed 1 --as-of "$AS_OF" --import >out 2>err ||
    { cat err; fail "synth --import"; finish; }

claim() { # claim OUT ARGS...: genu claim --format json into OUT
  local out=$1; shift
  "$GENU" --db "$DB" claim --responder "$DEF" --expect 0.5 --as-of "$AS_OF" --format json "$@" >"$out"
}
claim kl02.json --at 12m --kl 0-2
claim kl34.json --at 12m --kl 3-4
claim whole.json --at 12m --sites whole_knee
claim ia.json --at 12m --sites intra_articular_only
claim m12.json --at 12m
claim m48.json --at 48m
"$GENU" --db "$DB" survival --event replacement --by kl --as-of "$AS_OF" --format json >surv.json

# rate_above HIGH.json LOW.json: both analysed >= 100 knees, HIGH's rate above LOW's
rate_above() {
  python3 - "$1" "$2" <<'PY'
import json, sys
hi, lo = (json.load(open(f)) for f in sys.argv[1:3])
for g in (hi, lo):
    if g["counts"]["analysed"] < 100:
        sys.exit("only %d knees analysed" % g["counts"]["analysed"])
print("    %.3f (%d analysed) > %.3f (%d analysed)?" % (hi["rate"], hi["counts"]["analysed"],
      lo["rate"], lo["counts"]["analysed"]))
sys.exit(0 if hi["rate"] > lo["rate"] else 1)
PY
}
check "12m responder rate: KL 0-2 above KL 3-4" rate_above kl02.json kl34.json
check "12m responder rate: whole_knee above intra_articular_only" rate_above whole.json ia.json
check "responder rate: 12m above 48m (waning)" rate_above m12.json m48.json

replacement_by_kl() {
  python3 - surv.json <<'PY'
import json, sys
g = json.load(open(sys.argv[1]))
s = {x["stratum"]: x for x in g["strata"]}
if "0-2" not in s or "3-4" not in s:
    sys.exit("strata %r" % sorted(s))
def at48(x):  # S(t) at 48 months (1461 days): the last row at or before it
    return [r["surv"] for r in x["curve"] if r["time"] <= 1461][-1]
rate = {k: s[k]["events"] / s[k]["n"] for k in ("0-2", "3-4")}
print("    events per knee 0-2 %.4f, 3-4 %.4f; S(48m) 0-2 %.4f, 3-4 %.4f; log-rank p %.3g"
      % (rate["0-2"], rate["3-4"], at48(s["0-2"]), at48(s["3-4"]), g["logrank"]["p"]))
ok = (rate["3-4"] > rate["0-2"] and at48(s["3-4"]) < at48(s["0-2"])
      and g["logrank"]["p"] is not None and g["logrank"]["p"] < 1e-3)
sys.exit(0 if ok else 1)
PY
}
check "replacement: more per knee and lower 48m survival in KL 3-4" replacement_by_kl
finish
