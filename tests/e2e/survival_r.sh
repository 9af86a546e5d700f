#!/usr/bin/env bash
# survival_r: genu survival agrees with R's survival package to 1e-9.
# A seeded generator writes a registry as JSON Lines (ties, censor-only
# times, time-0 censoring, a stratum whose curve drops to 0, three KL
# strata); genu imports it and reports; this script derives each knee's
# (time, status, stratum) from the records itself, independently of genu,
# runs survfit/survdiff in R, and compares every field, the median and its
# interval (print.survfit's median, 0.95LCL, 0.95UCL) included. Rscript missing is
# a failure, not a skip.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
command -v Rscript >/dev/null || { echo "FAIL: Rscript not found (install r-base-core r-cran-survival)"; exit 1; }
Rscript -e 'library(survival)' >/dev/null 2>&1 || { echo "FAIL: R package survival missing"; exit 1; }
command -v python3 >/dev/null || { echo "FAIL: python3 not found"; exit 1; }
tmp=$T
AS_OF=2024-06-30

for seed in 7 11 23; do
python3 - "$tmp" "$seed" "$AS_OF" <<'PY'
import json, os, random, sys, datetime as dt
sys.path.insert(0, os.path.join(os.environ["GENU_SRC"], "tests/e2e"))
from records import write_registry
tmp, seed, as_of = sys.argv[1], int(sys.argv[2]), dt.date.fromisoformat(sys.argv[3])
rng = random.Random(seed)
base = dt.date(2020, 1, 1)
regen = ["prp", "bone_marrow_aspirate", "dextrose_prolotherapy", "adipose_msc"]
recs = []
def d(x): return x.isoformat()
for p in range(120):
    pid = "P%03d" % p
    recs.append({"type": "patient", "id": pid, "site": rng.choice(["oak", "elm"]),
                 "sex": rng.choice(["male", "female"]), "birth_year": rng.randint(1940, 1985)})
    for knee in rng.sample(["left", "right"], rng.choice([1, 1, 2])):
        idx = base + dt.timedelta(days=rng.randint(0, 1200))
        r = rng.random()
        if r < 0.4:
            recs.append({"type": "diagnosis", "patient": pid, "knee": knee,
                         "date": d(idx - dt.timedelta(days=rng.randint(0, 60))),
                         "condition": "osteoarthritis", "kl_grade": rng.randint(0, 2)})
        elif r < 0.8:
            dx = idx - dt.timedelta(days=rng.randint(0, 60))
            recs.append({"type": "diagnosis", "patient": pid, "knee": knee, "date": d(dx),
                         "condition": "osteoarthritis", "kl_grade": 2})
            recs.append({"type": "diagnosis", "patient": pid, "knee": knee, "date": d(dx),
                         "condition": "osteoarthritis", "kl_grade": rng.randint(3, 4)})
        # else: no radiograph -> stratum unknown
        # an older replacement-free history treatment and the index series
        recs.append({"type": "treatment", "patient": pid, "knee": knee,
                     "date": d(idx - dt.timedelta(days=400)), "kind": "exercise"})
        recs.append({"type": "treatment", "patient": pid, "knee": knee, "date": d(idx),
                     "kind": rng.choice(regen), "sites": ["intra_articular"]})
        if rng.random() < 0.1:
            continue  # nothing after the index day: censored at time 0
        # follow-up contacts on a coarse grid (ties), some after as-of
        for k in range(rng.randint(0, 6)):
            t = idx + dt.timedelta(days=30 * rng.randint(1, 50))
            recs.append({"type": "response", "patient": pid, "knee": knee, "date": d(t),
                         "instrument": "nprs", "items": {"intensity": rng.randint(0, 10)}})
        if rng.random() < 0.35:
            t = idx + dt.timedelta(days=30 * rng.randint(1, 40))
            recs.append({"type": "treatment", "patient": pid, "knee": knee, "date": d(t),
                         "kind": rng.choice(["total_knee_replacement", "partial_knee_replacement"])})
            if rng.random() < 0.3:  # a second replacement later never counts again
                recs.append({"type": "treatment", "patient": pid, "knee": knee,
                             "date": d(t + dt.timedelta(days=300)), "kind": "total_knee_replacement"})
    if rng.random() < 0.3:  # patient-level contact extends both knees' follow-up
        t = base + dt.timedelta(days=rng.randint(300, 1800))
        recs.append({"type": "response", "patient": pid, "date": d(t), "instrument": "eq_vas",
                     "items": {"score": rng.randint(0, 100)}})
# a tiny stratum whose curve reaches 0 (every knee replaced)
for p in range(3):
    pid = "Z%d" % p
    recs.append({"type": "patient", "id": pid, "site": "zz", "sex": "female", "birth_year": 1950})
    recs.append({"type": "diagnosis", "patient": pid, "knee": "left", "date": "2021-01-01",
                 "condition": "osteoarthritis", "kl_grade": 4})
    recs.append({"type": "treatment", "patient": pid, "knee": "left", "date": "2021-01-01",
                 "kind": "prp", "sites": ["intra_articular"]})
    recs.append({"type": "treatment", "patient": pid, "knee": "left",
                 "date": d(dt.date(2021, 1, 1) + dt.timedelta(days=100 * (p + 1))),
                 "kind": "total_knee_replacement"})
# a site whose curve and both its bounds cross 0.5 (a median interval with
# two finite ends): 40 knees, most replaced, on a grid of ties
for p in range(40):
    pid = "Y%02d" % p
    recs.append({"type": "patient", "id": pid, "site": "yy", "sex": "male", "birth_year": 1955})
    recs.append({"type": "treatment", "patient": pid, "knee": "right", "date": "2021-02-01",
                 "kind": "prp", "sites": ["intra_articular"]})
    t = dt.date(2021, 2, 1) + dt.timedelta(days=60 * (1 + rng.randint(0, 12)))
    if p % 5:
        recs.append({"type": "treatment", "patient": pid, "knee": "right", "date": d(t),
                     "kind": "total_knee_replacement"})
    else:
        recs.append({"type": "response", "patient": pid, "knee": "right", "date": d(t),
                     "instrument": "nprs", "items": {"intensity": 5}})
recs = write_registry(tmp + "/reg.jsonl", recs, rng)

# Independent derivation of (time, status, stratum) per knee (docs/design.md,
# Analyses "Durability").
knees = {}
for r in recs:
    if r["type"] == "patient":
        continue
    day = dt.date.fromisoformat(r["date"])
    if day > as_of:
        continue
    knees.setdefault((r["patient"], r.get("knee")), []).append((day, r))
site = {r["id"]: r["site"] for r in recs if r["type"] == "patient"}
rows = []
for (pid, knee), lst in knees.items():
    if knee is None:
        continue
    idx = min((day for day, r in lst if r["type"] == "treatment" and r["kind"] in regen), default=None)
    if idx is None:
        continue
    repl = min((day for day, r in lst if r["type"] == "treatment" and day > idx
                and r["kind"].endswith("knee_replacement")), default=None)
    contact = [day for day, r in lst] + [day for day, r in knees.get((pid, None), [])]
    kl = None
    dxs = sorted((day, r["kl_grade"]) for day, r in lst if r["type"] == "diagnosis" and day <= idx)
    if dxs:
        last = dxs[-1][0]
        g = max(k for day, k in dxs if day == last)
        kl = "0-2" if g <= 2 else "3-4"
    stratum = kl or "unknown"
    if repl is not None:
        rows.append(((repl - idx).days, 1, stratum, site[pid]))
    else:
        rows.append(((max(contact) - idx).days, 0, stratum, site[pid]))
with open(tmp + "/data.tsv", "w") as f:
    f.write("time\tstatus\tkl\tsite\n")
    for row in rows:
        f.write("%d\t%d\t%s\t%s\n" % row)
PY

db=$(new_registry reg)
"$GENU" --db "$db" init >/dev/null
"$GENU" --db "$db" import "$tmp/reg.jsonl" >/dev/null
for by in kl site; do
"$GENU" --db "$db" survival --event replacement --by $by --as-of "$AS_OF" --format json \
    >"$tmp/genu.json"

Rscript - "$tmp/data.tsv" $by >"$tmp/r.txt" <<'RS'
suppressMessages(library(survival))
args <- commandArgs(trailingOnly = TRUE)
d <- read.delim(args[1], stringsAsFactors = FALSE)
d$stratum <- d[[args[2]]]
d$stratum <- factor(d$stratum, levels = sort(unique(d$stratum)))
f <- function(x) if (is.na(x) || !is.finite(x)) "null" else sprintf("%.17g", x)
for (s in levels(d$stratum)) {
  fit <- survfit(Surv(time, status) ~ 1, data = d[d$stratum == s, ])
  tab <- summary(fit)$table
  cat("stratum", s, sum(d$stratum == s), sum(d$status[d$stratum == s]), f(tab[["median"]]),
      f(tab[["0.95LCL"]]), f(tab[["0.95UCL"]]), "\n")
  for (i in seq_along(fit$time))
    cat("row", s, f(fit$time[i]), fit$n.risk[i], fit$n.event[i], fit$n.censor[i],
        f(fit$surv[i]), f(fit$std.err[i]), f(fit$lower[i]), f(fit$upper[i]), "\n")
}
sd <- survdiff(Surv(time, status) ~ stratum, data = d)
df <- sum(sd$exp > 0) - 1
cat("logrank", f(sd$chisq), df, f(pchisq(sd$chisq, df, lower.tail = FALSE)), "\n")
RS

python3 - "$tmp/genu.json" "$tmp/r.txt" "$seed --by $by" <<'PY'
import json, os, sys
sys.path.insert(0, os.path.join(os.environ["GENU_SRC"], "tests/e2e"))
from records import Agreement
g = json.load(open(sys.argv[1]))
lines = [l.split() for l in open(sys.argv[2])]
seed = sys.argv[3]
def num(s): return None if s == "null" else float(s)
ag = Agreement(1e-9)
same, fails = ag.same, ag.fails
medians = []
strata = {s["stratum"]: s for s in g["strata"]}
rstrata = [l for l in lines if l[0] == "stratum"]
if sorted(strata) != [l[1] for l in rstrata] or [s["stratum"] for s in g["strata"]] != [l[1] for l in rstrata]:
    fails.append("strata: genu %r, R %r" % ([s["stratum"] for s in g["strata"]], [l[1] for l in rstrata]))
for l in rstrata:
    s = strata.get(l[1])
    if not s:
        continue
    same(l[1] + " n", s["n"], int(l[2]))
    same(l[1] + " events", s["events"], int(l[3]))
    same(l[1] + " median", s["median"], num(l[4]))
    same(l[1] + " median 0.95LCL", s["median_ci95"][0], num(l[5]))
    same(l[1] + " median 0.95UCL", s["median_ci95"][1], num(l[6]))
    medians.append(tuple(l[4:7]))
    rows = [x for x in lines if x[0] == "row" and x[1] == l[1]]
    if len(rows) != len(s["curve"]):
        fails.append("%s: %d rows, R %d" % (l[1], len(s["curve"]), len(rows)))
        continue
    for c, x in zip(s["curve"], rows):
        w = "%s t=%s " % (l[1], x[2])
        same(w + "time", c["time"], num(x[2]))
        for k, i in (("n_risk", 3), ("n_event", 4), ("n_censor", 5)):
            same(w + k, c[k], int(x[i]))
        for k, i in (("surv", 6), ("std_err", 7), ("lower", 8), ("upper", 9)):
            same(w + k, c[k], num(x[i]))
lr = [l for l in lines if l[0] == "logrank"][0]
same("logrank chisq", g["logrank"]["chisq"], num(lr[1]))
same("logrank df", g["logrank"]["df"], int(lr[2]))
same("logrank p", g["logrank"]["p"], num(lr[3]))
nrows = sum(len(s["curve"]) for s in g["strata"])
ag.done("seed %s" % seed)
print("seed %s: %d strata, %d curve rows agree with R; max abs difference %.3g; medians (LCL, UCL) %s"
      % (seed, len(strata), nrows, ag.worst, " ".join("%s (%s, %s)" % m for m in medians)))
PY
done
done
echo "survival_r: ok"
