#!/usr/bin/env bash
# competing_r: genu survival --competing death agrees with R to 1e-9: the
# cumulative incidence and its standard error per stratum as survival's
# survfit(Surv(time, state) ~ 1, id = knee) gives them for a factor state
# (censor, event, death), and Gray's test as cmprsk::cuminc(time, status,
# group)$Tests. A seeded generator writes a registry in which patients die
# (nothing recorded after a death; bilateral patients, so one death ends two
# knees; dates on coarse grids, so ties between events, deaths and
# censorings); this script derives each knee's time and state from the
# records itself, independently of genu. Without --competing the same data
# must give R's Kaplan-Meier with deaths censored at their date. Rscript or
# cmprsk missing is a failure, not a skip.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
command -v Rscript >/dev/null || { echo "FAIL: Rscript not found (install r-base-core r-cran-survival)"; exit 1; }
Rscript -e 'library(survival); library(cmprsk)' >/dev/null 2>&1 ||
  { echo "FAIL: R packages survival and cmprsk needed (r-cran-survival r-cran-cmprsk)"; exit 1; }
tmp=$T
AS_OF=2024-06-30

for seed in 3 19; do
python3 - "$tmp" "$seed" "$AS_OF" <<'PY'
import json, os, random, sys, datetime as dt
sys.path.insert(0, os.path.join(os.environ["GENU_SRC"], "tests/e2e"))
from records import write_registry
tmp, seed, as_of = sys.argv[1], int(sys.argv[2]), dt.date.fromisoformat(sys.argv[3])
rng = random.Random(seed)
base = dt.date(2019, 1, 7)
regen = ["prp", "bone_marrow_aspirate", "dextrose_prolotherapy"]
recs = []
def d(x): return x.isoformat()
for p in range(300):
    pid = "P%03d" % p
    prs = [{"type": "patient", "id": pid, "site": rng.choice(["oak", "elm"]),
            "sex": rng.choice(["male", "female"]), "birth_year": rng.randint(1935, 1975)}]
    # the death, on a 30-day grid; some after as-of (invisible then)
    death = base + dt.timedelta(days=30 * rng.randint(2, 70)) if rng.random() < 0.35 else None
    for knee in rng.sample(["left", "right"], rng.choice([1, 2])):
        idx = base + dt.timedelta(days=7 * rng.randint(0, 130))
        r = rng.random()
        if r < 0.45:
            prs.append({"type": "diagnosis", "patient": pid, "knee": knee, "date": d(idx),
                        "condition": "osteoarthritis", "kl_grade": rng.randint(0, 2)})
        elif r < 0.9:
            prs.append({"type": "diagnosis", "patient": pid, "knee": knee, "date": d(idx),
                        "condition": "osteoarthritis", "kl_grade": rng.randint(3, 4)})
        prs.append({"type": "treatment", "patient": pid, "knee": knee, "date": d(idx),
                    "kind": rng.choice(regen), "sites": ["intra_articular"]})
        for k in range(rng.randint(0, 5)):
            prs.append({"type": "response", "patient": pid, "knee": knee,
                        "date": d(idx + dt.timedelta(days=30 * rng.randint(1, 50))),
                        "instrument": "nprs", "items": {"intensity": rng.randint(0, 10)}})
        if rng.random() < 0.4:
            kind = "total_knee_replacement" if r >= 0.45 or rng.random() < 0.5 else "arthroscopy"
            prs.append({"type": "treatment", "patient": pid, "knee": knee,
                        "date": d(idx + dt.timedelta(days=30 * rng.randint(1, 40))), "kind": kind})
    if death is not None:
        first = min(dt.date.fromisoformat(r["date"]) for r in prs if "date" in r)
        if death < first:
            death = first + dt.timedelta(days=30 * rng.randint(0, 3))
        # nothing is recorded after a death
        prs = [r for r in prs if "date" not in r or dt.date.fromisoformat(r["date"]) <= death]
        if rng.random() < 0.3:  # a last contact on the day of death
            prs.append({"type": "response", "patient": pid, "date": d(death), "instrument": "eq_vas",
                        "items": {"score": rng.randint(0, 100)}})
        prs.append({"type": "death", "patient": pid, "date": d(death), "cause": "unknown"})
    recs += prs
recs = write_registry(tmp + "/reg.jsonl", recs, rng)

# Independent derivation (docs/design.md, Analyses "Durability" and
# "Competing risks").
knees, deaths = {}, {}
for r in recs:
    if r["type"] == "patient" or dt.date.fromisoformat(r["date"]) > as_of:
        continue
    day = dt.date.fromisoformat(r["date"])
    if r["type"] == "death":
        deaths[r["patient"]] = day
    knees.setdefault((r["patient"], r.get("knee")), []).append((day, r))
rows = []
for (pid, knee), lst in sorted(knees.items(), key=lambda x: (x[0][0], x[0][1] or "")):
    if knee is None:
        continue
    idx = min((day for day, r in lst if r["type"] == "treatment" and r["kind"] in regen), default=None)
    if idx is None:
        continue
    after = [(day, r) for day, r in lst if r["type"] == "treatment" and day > idx]
    repl = min((day for day, r in after if r["kind"].endswith("knee_replacement")), default=None)
    surg = min((day for day, r in after if r["kind"] in ("total_knee_replacement", "arthroscopy")), default=None)
    contact = max([day for day, r in lst] + [day for day, r in knees.get((pid, None), [])])
    dxs = sorted((day, r["kl_grade"]) for day, r in lst if r["type"] == "diagnosis" and day <= idx)
    kl = "unknown"
    if dxs:
        g = max(k for day, k in dxs if day == dxs[-1][0])
        kl = "0-2" if g <= 2 else "3-4"
    for ev, at in (("replacement", repl), ("surgery", surg)):
        if at is not None:
            rows.append((ev, pid + "/" + knee, (at - idx).days, 1, kl))
        elif pid in deaths:
            rows.append((ev, pid + "/" + knee, (deaths[pid] - idx).days, 2, kl))
        else:
            rows.append((ev, pid + "/" + knee, (contact - idx).days, 0, kl))
with open(tmp + "/data.tsv", "w") as f:
    f.write("event\tknee\ttime\tstate\tkl\n")
    for row in rows:
        f.write("%s\t%s\t%d\t%d\t%s\n" % row)
PY

db=$(new_registry "reg$seed")
"$GENU" --db "$db" init >/dev/null
"$GENU" --db "$db" import "$tmp/reg.jsonl" >/dev/null
for ev in replacement surgery; do
for by in kl none; do
byarg=(--by kl); [ $by = none ] && byarg=()
"$GENU" --db "$db" survival --event $ev --competing death "${byarg[@]}" --as-of "$AS_OF" \
    --format json >"$tmp/genu.json"
"$GENU" --db "$db" survival --event $ev "${byarg[@]}" --as-of "$AS_OF" --format json >"$tmp/km.json"

Rscript - "$tmp/data.tsv" $ev $by >"$tmp/r.txt" <<'RS'
suppressMessages({library(survival); library(cmprsk)})
args <- commandArgs(trailingOnly = TRUE)
d <- read.delim(args[1], stringsAsFactors = FALSE)
d <- d[d$event == args[2], ]
d$stratum <- if (args[3] == "none") "all" else d[[args[3]]]
d$fstate <- factor(d$state, 0:2, c("censor", "event", "death"))
f <- function(x) if (is.na(x) || !is.finite(x)) "null" else sprintf("%.17g", x)
for (s in sort(unique(d$stratum))) {
  x <- d[d$stratum == s, ]
  fit <- survfit(Surv(time, fstate) ~ 1, data = x, id = knee)
  e <- which(fit$states == "event"); k <- which(fit$states == "death")
  cat("stratum", s, nrow(x), sum(x$state == 1), sum(x$state == 2), "\n")
  for (i in seq_along(fit$time))
    cat("row", s, f(fit$time[i]), fit$n.risk[i, 1], fit$n.event[i, e], fit$n.event[i, k],
        fit$n.censor[i], f(fit$pstate[i, e]), f(fit$std.err[i, e]), "\n")
  km <- survfit(Surv(time, state == 1) ~ 1, data = x)
  for (i in seq_along(km$time))
    cat("km", s, f(km$time[i]), km$n.risk[i], km$n.event[i], km$n.censor[i], f(km$surv[i]),
        f(km$std.err[i]), "\n")
}
if (length(unique(d$stratum)) > 1) {
  g <- cuminc(d$time, d$state, d$stratum)$Tests
  cat("gray", f(g["1", "stat"]), g["1", "df"], f(g["1", "pv"]), "\n")
} else cat("gray null\n")
RS

python3 - "$tmp/genu.json" "$tmp/km.json" "$tmp/r.txt" "seed $seed $ev --by $by" <<'PY'
import json, os, sys
sys.path.insert(0, os.path.join(os.environ["GENU_SRC"], "tests/e2e"))
from records import Agreement
g, km = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
lines = [l.split() for l in open(sys.argv[3])]
what = sys.argv[4]
def num(s): return None if s == "null" else float(s)
ag = Agreement(1e-9)
same, fails = ag.same, ag.fails
if g.get("competing") != "death":
    fails.append("competing: %r" % g.get("competing"))
rs = [l for l in lines if l[0] == "stratum"]
if [s["stratum"] for s in g["strata"]] != [l[1] for l in rs]:
    fails.append("strata: genu %r, R %r" % ([s["stratum"] for s in g["strata"]], [l[1] for l in rs]))
kms = {s["stratum"]: s for s in km["strata"]}
nrows = 0
for s, l in zip(g["strata"], rs):
    name = l[1]
    same(name + " n", s["n"], int(l[2]))
    same(name + " events", s["events"], int(l[3]))
    same(name + " competing_events", s["competing_events"], int(l[4]))
    rows = [x for x in lines if x[0] == "row" and x[1] == name]
    if len(rows) != len(s["curve"]):
        fails.append("%s: %d rows, R %d" % (name, len(s["curve"]), len(rows)))
        continue
    for c, x in zip(s["curve"], rows):
        w = "%s t=%s " % (name, x[2])
        same(w + "time", c["time"], num(x[2]))
        for k, i in (("n_risk", 3), ("n_event", 4), ("n_competing", 5), ("n_censor", 6)):
            same(w + k, c[k], int(x[i]))
        same(w + "cuminc", c["cuminc"], num(x[7]))
        same(w + "std_err", c["std_err"], num(x[8]))
        nrows += 1
    kr = [x for x in lines if x[0] == "km" and x[1] == name]
    kc = kms.get(name, {"curve": []})["curve"]
    if len(kr) != len(kc):
        fails.append("%s Kaplan-Meier: %d rows, R %d" % (name, len(kc), len(kr)))
        continue
    for c, x in zip(kc, kr):
        w = "%s KM t=%s " % (name, x[2])
        same(w + "time", c["time"], num(x[2]))
        for k, i in (("n_risk", 3), ("n_event", 4), ("n_censor", 5)):
            same(w + k, c[k], int(x[i]))
        same(w + "surv", c["surv"], num(x[6]))
        same(w + "std_err", c["std_err"], num(x[7]))
gl = [l for l in lines if l[0] == "gray"][0]
if gl[1] == "null":
    if g["gray"] is not None:
        fails.append("gray: genu %r, R none" % g["gray"])
else:
    same("gray statistic", g["gray"]["statistic"], num(gl[1]))
    same("gray df", g["gray"]["df"], int(gl[2]))
    same("gray p", g["gray"]["p"], num(gl[3]))
ag.done(what)
print("%s: %d strata, %d rows, %d competing events agree with R; max abs difference %.3g"
      % (what, len(rs), nrows, sum(s["competing_events"] for s in g["strata"]), ag.worst))
PY
done
done
done

# The same through the API, byte for byte the command's answer.
"$GENU" --db "$db" survival --event replacement --competing death --by kl --as-of "$AS_OF" \
    --format json >"$tmp/genu.json"
echo "admin-password" | "$GENU" --db "$db" user add admin --role admin >/dev/null
start_server "$db"
curl -s -o /dev/null -c "$tmp/jar" -H 'Content-Type: application/json' \
  --data-binary '{"name":"admin","password":"admin-password"}' "$B/api/v1/session"
curl -s -b "$tmp/jar" "$B/api/v1/survival?event=replacement&competing=death&by=kl&as_of=$AS_OF" \
  >"$tmp/api.json"
cmp -s "$tmp/api.json" "$tmp/genu.json" || fail "the API's competing answer differs from the command's"
code=$(curl -s -o "$tmp/body" -w '%{http_code}' -b "$tmp/jar" "$B/api/v1/survival?event=replacement&competing=life")
[ "$code" = 400 ] && grep -q '"field":"competing"' "$tmp/body" || fail "competing=life: $code $(cat "$tmp/body")"

expect_err() {
  local want=$1; shift
  if "$GENU" --db "$db" survival "$@" >"$tmp/out" 2>"$tmp/err"; then
    fail "survival $*: succeeded"
  elif ! grep -q -- "$want" "$tmp/err" || [ -s "$tmp/out" ]; then
    fail "survival $*: $(cat "$tmp/err")"
  fi
}
expect_err '--competing: expected death, not "life"' --event replacement --competing life
expect_err '--competing: only for event replacement or surgery' --event loss_of_response \
  --responder 'improvement_pct:nprs.intensity>=50' --competing death
finish
echo "competing_r: ok"
