#!/usr/bin/env bash
# compare_r: genu compare agrees with R — glm(family = binomial),
# sandwich::vcovCL(fit, cluster = ~patient, type = "HC0") and the
# standardised risks worked by hand in R — to 1e-6 relative (both iterate),
# and the crude Newcombe interval with a Python implementation of the
# formula to 1e-9. A seeded generator writes a registry as JSON Lines
# (patients with sex, birth year, height and weight, some missing; KL
# grades, some unknown; whole-knee, intra-articular-only and periarticular-
# only treatments; NPRS at baseline and 12 months; replacements before
# 12 months; bilateral patients whose knees share a patient effect, so that
# clustering matters); genu imports it; this script derives the analysis
# table from the records itself, independently of genu, and fits the model
# in R. Then the same through GET /api/v1/compare, and bad input.
# Rscript or sandwich missing is a failure, not a skip.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
command -v Rscript >/dev/null || { echo "FAIL: Rscript not found (install r-base-core r-cran-sandwich)"; exit 1; }
Rscript -e 'library(sandwich)' >/dev/null 2>&1 || { echo "FAIL: R package sandwich missing (r-cran-sandwich)"; exit 1; }
tmp=$T
AS_OF=2024-12-31
RESP='improvement_pct:nprs.intensity>=50'

# name|exposure|adjust|genu filter options|python filter (age range or -)
variants=(
  "a|whole_knee|age,female,bmi,kl,baseline,bilateral||-"
  "b|early_oa|age,female,bmi,whole_knee,bilateral|--age 50-75|50-75"
  "c|whole_knee|||-"
)

for seed in 3 17; do
python3 - "$tmp" "$seed" "$AS_OF" <<'PY'
import json, math, random, sys, datetime as dt
tmp, seed, as_of = sys.argv[1], int(sys.argv[2]), dt.date.fromisoformat(sys.argv[3])
rng = random.Random(seed)
recs = []
def d(x): return x.isoformat()
peri = ["mcl", "pes_anserine", "patellar_tendon", "lcl"]
for p in range(260):
    pid = "P%03d" % p
    pat = {"type": "patient", "id": pid, "site": rng.choice(["oak", "elm"]),
           "sex": rng.choices(["male", "female", "other"], [45, 50, 5])[0],
           "birth_year": rng.randint(1938, 1985)}
    if rng.random() < 0.93:
        pat["height_cm"] = round(rng.uniform(150, 195), 1)
    if rng.random() < 0.93:
        pat["weight_kg"] = round(rng.uniform(50, 120), 1)
    recs.append(pat)
    u = rng.gauss(0, 0.8)  # the patient's effect, shared by both knees
    knees = ["left", "right"] if rng.random() < 0.4 else [rng.choice(["left", "right"])]
    base_idx = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randint(0, 1250))
    for knee in knees:
        # the second knee sometimes a year later (another age at index)
        idx = base_idx + dt.timedelta(days=rng.choice([0, 0, 0, 400]))
        if rng.random() < 0.03:
            idx = dt.date(2024, 6, 1)  # window not closed by the as-of
        kl = None
        if rng.random() < 0.88:
            kl = rng.choices([0, 1, 2, 3, 4], [5, 15, 30, 30, 20])[0]
            recs.append({"type": "diagnosis", "patient": pid, "knee": knee,
                         "date": d(idx - dt.timedelta(days=rng.randint(0, 200))),
                         "condition": "osteoarthritis", "kl_grade": kl})
        if rng.random() < 0.2:  # a later grade never counts
            recs.append({"type": "diagnosis", "patient": pid, "knee": knee,
                         "date": d(idx + dt.timedelta(days=rng.randint(30, 300))),
                         "condition": "osteoarthritis", "kl_grade": 4})
        r = rng.random()
        sites = (["intra_articular"] if r < 0.5 else
                 ["intra_articular"] + rng.sample(peri, rng.randint(1, 3)) if r < 0.95 else
                 [rng.choice(peri)])
        recs.append({"type": "treatment", "patient": pid, "knee": knee, "date": d(idx),
                     "kind": rng.choice(["prp", "bone_marrow_aspirate"]), "sites": sites})
        b = None
        if rng.random() < 0.93:
            b = rng.randint(3, 10)
            recs.append({"type": "response", "patient": pid, "knee": knee,
                         "date": d(idx - dt.timedelta(days=rng.randint(0, 80))),
                         "instrument": "nprs", "items": {"intensity": b}})
        if rng.random() < 0.07:
            t = idx + dt.timedelta(days=rng.randint(60, 420))
            recs.append({"type": "treatment", "patient": pid, "knee": knee, "date": d(t),
                         "kind": "total_knee_replacement"})
            continue
        if b is None or rng.random() < 0.15:
            continue  # lost to follow-up (or nothing to improve on)
        whole = len(sites) > 1
        eta = (-0.3 + 0.6 * whole - 0.35 * ((kl if kl is not None else 2) - 2)
               - 0.015 * (idx.year - pat["birth_year"] - 60) + u)
        resp = rng.random() < 1 / (1 + math.exp(-eta))
        f = b // 2 if resp else (b + 2) // 2  # b - f >= b/2 exactly when a responder
        t = idx + dt.timedelta(days=365 + rng.randint(-85, 85))
        recs.append({"type": "response", "patient": pid, "knee": knee, "date": d(t),
                     "instrument": "nprs", "items": {"intensity": f}})
        if rng.random() < 0.2:  # another, farther from the nominal day
            t2 = idx + dt.timedelta(days=365 + rng.choice([-88, 89]))
            if abs((t2 - idx).days - 365) > abs((t - idx).days - 365):
                recs.append({"type": "response", "patient": pid, "knee": knee, "date": d(t2),
                             "instrument": "nprs", "items": {"intensity": 10}})
rng.shuffle(recs)
with open(tmp + "/reg.jsonl", "w") as fh:
    for r in recs:
        fh.write(json.dumps(r) + "\n")

# Independent derivation (docs/design.md, Analyses: cohort, counts,
# adjusted comparisons): one row per analysed knee with every covariate.
pats = {r["id"]: r for r in recs if r["type"] == "patient"}
by = {}
for r in recs:
    if r["type"] != "patient" and dt.date.fromisoformat(r["date"]) <= as_of:
        by.setdefault((r["patient"], r["knee"]), []).append(r)
knees = []
for (pid, knee), lst in sorted(by.items()):
    day = lambda r: dt.date.fromisoformat(r["date"])
    tr = [r for r in lst if r["type"] == "treatment" and r["kind"] in ("prp", "bone_marrow_aspirate")]
    if not tr:
        continue
    idx = min(day(r) for r in tr)
    sites = set()
    for r in tr:
        if day(r) == idx:
            sites |= set(r["sites"])
    dx = [r for r in lst if r["type"] == "diagnosis" and day(r) <= idx]
    kl = None
    if dx:
        last = max(day(r) for r in dx)
        kl = max(r["kl_grade"] for r in dx if day(r) == last)
    repl = min((day(r) for r in lst if r["type"] == "treatment" and r["kind"] == "total_knee_replacement"
                and day(r) > idx), default=None)
    nprs = [r for r in lst if r["type"] == "response"]
    base = [r for r in nprs if idx - dt.timedelta(days=90) <= day(r) <= idx]
    b = max(base, key=day)["items"]["intensity"] if base else None
    lo, hi = idx + dt.timedelta(days=275), idx + dt.timedelta(days=455)
    fu = [r for r in nprs if lo <= day(r) <= hi and (repl is None or day(r) < repl)]
    f = min(fu, key=lambda r: (abs((day(r) - idx).days - 365), day(r)))["items"]["intensity"] if fu else None
    p = pats[pid]
    knees.append({"patient": pid, "knee": knee, "idx": idx, "eligible": hi <= as_of,
                  "age": idx.year - p["birth_year"], "sex": p["sex"],
                  "h": p.get("height_cm"), "w": p.get("weight_kg"), "kl": kl,
                  "sites": sites, "repl": repl, "b": b, "f": f, "hi": hi})

def rows(age_range):
    ks = [k for k in knees if age_range is None or age_range[0] <= k["age"] <= age_range[1]]
    cohort_pats = {}
    for k in ks:
        cohort_pats[k["patient"]] = cohort_pats.get(k["patient"], 0) + 1
    out = []
    for k in ks:
        if not k["eligible"]:
            continue
        converted = k["f"] is None and k["repl"] is not None and k["repl"] <= k["hi"]
        if converted:
            y = 0
        elif k["b"] is None or k["b"] <= 0 or k["f"] is None:
            continue
        else:
            y = int((k["b"] - k["f"]) / k["b"] * 100 >= 50 - 1e-9)
        s = k["sites"]
        whole = (1 if "intra_articular" in s and len(s) > 1 else
                 0 if s == {"intra_articular"} else None)
        na = lambda v: "NA" if v is None else v
        out.append({"patient": k["patient"], "y": y, "age": k["age"],
                    "female": na({"female": 1, "male": 0}.get(k["sex"])),
                    "bmi": na(k["w"] / (k["h"] / 100) ** 2 if k["h"] and k["w"] else None),
                    "kl": na(k["kl"]), "baseline": na(k["b"]),
                    "bilateral": int(cohort_pats[k["patient"]] == 2),
                    "whole_knee": na(whole),
                    "early_oa": na(None if k["kl"] is None else int(k["kl"] <= 2))})
    return out
for name, rng_ in (("all", None), ("age50_75", (50, 75))):
    with open("%s/rows_%s.tsv" % (tmp, name), "w") as fh:
        cols = ["patient", "y", "age", "female", "bmi", "kl", "baseline", "bilateral",
                "whole_knee", "early_oa"]
        fh.write("\t".join(cols) + "\n")
        for r in rows(rng_):
            fh.write("\t".join(repr(r[c]) if isinstance(r[c], float) else str(r[c]) for c in cols) + "\n")
PY

db=$(new_registry "reg$seed")
"$GENU" --db "$db" init >/dev/null
"$GENU" --db "$db" import "$tmp/reg.jsonl" >/dev/null

for v in "${variants[@]}"; do
IFS='|' read -r name exposure adjust gopts prange <<<"$v"
rows=$tmp/rows_all.tsv
[ "$prange" = 50-75 ] && rows=$tmp/rows_age50_75.tsv
# shellcheck disable=SC2086
"$GENU" --db "$db" compare --responder "$RESP" --at 12m --exposure "$exposure" \
    ${adjust:+--adjust "$adjust"} $gopts --as-of "$AS_OF" --format json >"$tmp/genu.json"

Rscript - "$rows" "$exposure" "$adjust" >"$tmp/r.txt" <<'RS'
suppressMessages(library(sandwich))
args <- commandArgs(trailingOnly = TRUE)
d0 <- read.delim(args[1], stringsAsFactors = FALSE, na.strings = "NA")
exposure <- args[2]
adjust <- if (length(args) < 3 || args[3] == "") character(0) else strsplit(args[3], ",")[[1]]
vars <- c(exposure, adjust)
d <- d0[complete.cases(d0[, vars, drop = FALSE]), ]
f <- function(x) if (is.na(x) || !is.finite(x)) "null" else sprintf("%.17g", x)
cat("counts", nrow(d0), nrow(d0) - nrow(d), nrow(d), "\n")
for (g in c(1, 0)) {
  s <- d[d[[exposure]] == g, ]
  cat("group", g, nrow(s), sum(s$y), "\n")
}
fit <- glm(reformulate(vars, "y"), family = binomial, data = d)
V <- vcovCL(fit, cluster = ~patient, type = "HC0")
b <- coef(fit)
se <- sqrt(diag(V))
sem <- sqrt(diag(vcov(fit)))
z <- qnorm(0.975)
for (j in seq_along(b)) {
  cat("term", c("intercept", vars)[j], f(b[j]), f(exp(b[j])), f(se[j]), f(sem[j]),
      f(exp(b[j] - z * se[j])), f(exp(b[j] + z * se[j])), f(2 * pnorm(-abs(b[j] / se[j]))), "\n")
}
X <- model.matrix(fit)
X1 <- X; X1[, exposure] <- 1
X0 <- X; X0[, exposure] <- 0
p1 <- plogis(drop(X1 %*% b)); p0 <- plogis(drop(X0 %*% b))
r1 <- mean(p1); r0 <- mean(p0)
g1 <- colMeans(p1 * (1 - p1) * X1); g0 <- colMeans(p0 * (1 - p0) * X0)
gd <- g1 - g0; sed <- sqrt(drop(t(gd) %*% V %*% gd))
gr <- g1 / r1 - g0 / r0; ser <- sqrt(drop(t(gr) %*% V %*% gr))
cat("std", f(r1), f(r0), f(r1 - r0), f(r1 - r0 - z * sed), f(r1 - r0 + z * sed), f(r1 / r0),
    f(exp(log(r1 / r0) - z * ser)), f(exp(log(r1 / r0) + z * ser)), "\n")
cat("converged", fit$converged, fit$iter, "\n")
RS

python3 - "$tmp/genu.json" "$tmp/r.txt" "seed $seed variant $name ($exposure; ${adjust:-none}; ${gopts:-no filter})" <<'PY'
import json, math, sys
g = json.load(open(sys.argv[1]))
lines = [l.split() for l in open(sys.argv[2])]
what = sys.argv[3]
fails, worst = [], 0.0
def num(s): return None if s == "null" else float(s)
def same(k, a, b, rel=1e-6):
    global worst
    if a is None or b is None:
        if a is not None or b is not None:
            fails.append("%s: genu %r, R %r" % (k, a, b))
        return
    diff = abs(a - b) / max(abs(b), 1e-300)
    if abs(a - b) < 1e-13:
        diff = 0.0
    worst = max(worst, diff)
    if diff > rel:
        fails.append("%s: genu %r, R %r (relative %.3g)" % (k, a, b, diff))
L = {l[0]: l for l in lines if l[0] in ("counts", "std", "converged")}
c = g["counts"]
for k, i in (("analysed", 1), ("excluded_missing", 2), ("n", 3)):
    same(k, c[k], int(L["counts"][i]), 0)
gr = {l[1]: l for l in lines if l[0] == "group"}
for name, lvl in (("exposed", "1"), ("unexposed", "0")):
    same(name + " n", g["groups"][name]["n"], int(gr[lvl][2]), 0)
    same(name + " responders", g["groups"][name]["responders"], int(gr[lvl][3]), 0)
    same(name + " rate", g["groups"][name]["rate"], int(gr[lvl][3]) / int(gr[lvl][2]), 1e-12)
# Newcombe's hybrid score interval (method 10), from Wilson limits
z = 1.959963984540054
def wilson(x, n):
    c = (x + z * z / 2) / (n + z * z)
    h = z * math.sqrt(x * (n - x) / n + z * z / 4) / (n + z * z)
    return c - h, c + h
x1, n1, x2, n2 = int(gr["1"][3]), int(gr["1"][2]), int(gr["0"][3]), int(gr["0"][2])
p1, p2 = x1 / n1, x2 / n2
l1, u1 = wilson(x1, n1); l2, u2 = wilson(x2, n2)
dlt = p1 - p2
lo = dlt - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
hi = dlt + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
same("crude difference", g["crude"]["difference"], dlt, 1e-9)
same("crude lower", g["crude"]["ci95"][0], lo, 1e-9)
same("crude upper", g["crude"]["ci95"][1], hi, 1e-9)
if L["converged"][1] != "TRUE" or not g["logistic"]["converged"]:
    fails.append("converged: genu %r, R %s" % (g["logistic"]["converged"], L["converged"][1]))
terms = [l for l in lines if l[0] == "term"]
if [t["term"] for t in g["logistic"]["terms"]] != [l[1] for l in terms]:
    fails.append("terms: genu %r, R %r" % ([t["term"] for t in g["logistic"]["terms"]], [l[1] for l in terms]))
for t, l in zip(g["logistic"]["terms"], terms):
    for k, i in (("coef", 2), ("odds_ratio", 3), ("std_err", 4), ("std_err_model", 5), ("p", 8)):
        same(t["term"] + " " + k, t[k], num(l[i]))
    same(t["term"] + " ci95 lower", t["ci95"][0], num(l[6]))
    same(t["term"] + " ci95 upper", t["ci95"][1], num(l[7]))
s, r = g["standardised"], L["std"]
for k, i in (("risk_exposed", 1), ("risk_unexposed", 2), ("difference", 3), ("ratio", 6)):
    same("standardised " + k, s[k], num(r[i]))
same("difference lower", s["difference_ci95"][0], num(r[4]))
same("difference upper", s["difference_ci95"][1], num(r[5]))
same("ratio lower", s["ratio_ci95"][0], num(r[7]))
same("ratio upper", s["ratio_ci95"][1], num(r[8]))
if g["notes"]:
    fails.append("notes: %r" % g["notes"])
if fails:
    print("FAIL %s\n  " % what + "\n  ".join(fails[:20]))
    sys.exit(1)
print("ok   %s: %d knees, %d terms agree with R (%s iterations); max relative difference %.3g"
      % (what, c["n"], len(terms), L["converged"][2], worst))
PY
done
done

# The API answers the same JSON; bad input names its field and exit 2 / 400.
# From here on failures are counted (check, expect_status), not fatal.
set +e
db=$(new_registry "reg17")
"$GENU" --db "$db" init >/dev/null
"$GENU" --db "$db" import "$tmp/reg.jsonl" >/dev/null
echo "admin-password" | "$GENU" --db "$db" user add admin --role admin >/dev/null
start_server "$db" --threads 2
curl -s -o /dev/null -c "$T/admin.jar" -H 'Content-Type: application/json' \
  --data-binary '{"name":"admin","password":"admin-password"}' "$B/api/v1/session"
"$GENU" --db "$db" compare --responder "$RESP" --at 12m --exposure whole_knee \
  --adjust age,kl,baseline --kl 0-3 --as-of "$AS_OF" --format json >"$T/cli.json"
q='responder=improvement_pct:nprs.intensity%3E%3D50&at=12m&exposure=whole_knee&adjust=age,kl,baseline&kl=0-3&as_of='$AS_OF
code=$(curl -s -o "$T/api.json" -w '%{http_code}' -b "$T/admin.jar" "$B/api/v1/compare?$q")
check "GET /api/v1/compare answers 200" test "$code" = 200
check "the API's JSON is the CLI's" same_json "$T/cli.json" "$T/api.json"
code=$(curl -s -o "$T/bad.json" -w '%{http_code}' -b "$T/admin.jar" \
  "$B/api/v1/compare?responder=improvement_pct:nprs.intensity%3E%3D50&at=12m&exposure=early_oa&adjust=age,kl")
check "adjust repeating the exposure: 400 naming adjust" python3 -c '
import json, sys
e = json.load(open(sys.argv[1]))["error"]
sys.exit(0 if sys.argv[2] == "400" and e["field"] == "adjust" and "repeat the exposure" in e["message"] else 1)' "$T/bad.json" "$code"
code=$(curl -s -o "$T/bad.json" -w '%{http_code}' -b "$T/admin.jar" \
  "$B/api/v1/compare?responder=improvement_pct:nprs.intensity%3E%3D50&at=12m&exposure=age")
check "a bad exposure: 400 naming exposure" python3 -c '
import json, sys
e = json.load(open(sys.argv[1]))["error"]
sys.exit(0 if sys.argv[2] == "400" and e["field"] == "exposure" else 1)' "$T/bad.json" "$code"
expect_status 2 "--adjust with an unknown covariate" "$GENU" --db "$db" compare \
  --responder "$RESP" --at 12m --exposure whole_knee --adjust age,height
check "  ... names the option and the name" grep -q -- '--adjust: unknown covariate "height"' "$T/err"
check "  ... and prints nothing on stdout" test ! -s "$T/out"
expect_status 2 "--exposure missing" "$GENU" --db "$db" compare --responder "$RESP" --at 12m
check "  ... says --exposure is required" grep -q -- '--exposure is required' "$T/err"
expect_status 2 "baseline with global_improvement" "$GENU" --db "$db" compare \
  --responder 'global_improvement>=50' --at 12m --exposure whole_knee --adjust baseline
# a cohort of KL 4 knees only has no knee with early_oa = 1
"$GENU" --db "$db" compare --responder "$RESP" --at 12m --exposure early_oa --kl 4 \
  --as-of "$AS_OF" --format json >"$T/none.json"
check "an exposure with one level: converged false, null estimates, a note" python3 -c '
import json, sys
g = json.load(open(sys.argv[1]))
ok = (g["logistic"]["converged"] is False and g["groups"]["exposed"]["n"] == 0
      and all(t["coef"] is None and t["ci95"] is None for t in g["logistic"]["terms"])
      and g["standardised"]["difference"] is None and g["notes"])
sys.exit(0 if ok else 1)' "$T/none.json"
finish
