#!/usr/bin/env bash
# cox_r: genu survival --cox agrees with R's coxph(Surv(time, status) ~ …,
# ties = "efron", cluster = patient) and cox.zph(fit) to 1e-6 relative
# (both iterate). A seeded generator writes a registry (bilateral patients,
# so the clustering matters; event times on a coarse grid, so ties; missing
# sex, height and radiographs, so knees are left out; a replacement hazard
# that rises with the KL grade); this script derives each knee's time,
# status and covariates from the records itself, independently of genu,
# fits the model in R and compares every number. Also: the same through
# /api/v1/survival, and the errors of --cox. Rscript missing is a failure.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
command -v Rscript >/dev/null || { echo "FAIL: Rscript not found (install r-base-core r-cran-survival)"; exit 1; }
Rscript -e 'library(survival)' >/dev/null 2>&1 || { echo "FAIL: R package survival missing"; exit 1; }
tmp=$T
AS_OF=2024-06-30
COVS=whole_knee,kl,age,female,bmi,bilateral

for seed in 5 17; do
python3 - "$tmp" "$seed" "$AS_OF" <<'PY'
import json, math, os, random, sys, datetime as dt
sys.path.insert(0, os.path.join(os.environ["GENU_SRC"], "tests/e2e"))
from records import write_registry
tmp, seed, as_of = sys.argv[1], int(sys.argv[2]), dt.date.fromisoformat(sys.argv[3])
rng = random.Random(seed)
base = dt.date(2019, 1, 1)
regen = ["prp", "bone_marrow_aspirate", "dextrose_prolotherapy"]
peri = ["mcl", "lcl", "pes_anserine", "patellar_tendon"]
recs = []
def d(x): return x.isoformat()
for p in range(260):
    pid = "P%03d" % p
    pat = {"type": "patient", "id": pid, "site": rng.choice(["oak", "elm"]),
           "sex": rng.choice(["male", "female", "female", "other"] if rng.random() < 0.1 else ["male", "female"]),
           "birth_year": rng.randint(1940, 1985)}
    if rng.random() < 0.9:
        pat["height_cm"] = rng.randint(150, 195)
        pat["weight_kg"] = rng.randint(50, 120)
    recs.append(pat)
    for knee in rng.sample(["left", "right"], rng.choice([1, 2, 2])):
        idx = base + dt.timedelta(days=rng.randint(0, 1000))
        kl = None
        if rng.random() < 0.93:
            kl = rng.randint(0, 4)
            recs.append({"type": "diagnosis", "patient": pid, "knee": knee,
                         "date": d(idx - dt.timedelta(days=rng.randint(0, 60))),
                         "condition": "osteoarthritis", "kl_grade": kl})
        r = rng.random()
        sites = ["intra_articular"] if r < 0.5 else \
                ["intra_articular"] + rng.sample(peri, rng.randint(1, 2)) if r < 0.95 else [rng.choice(peri)]
        recs.append({"type": "treatment", "patient": pid, "knee": knee, "date": d(idx),
                     "kind": rng.choice(regen), "sites": sites})
        if rng.random() < 0.2:  # a second treatment the same day adds its sites
            recs.append({"type": "treatment", "patient": pid, "knee": knee, "date": d(idx),
                         "kind": "prp", "sites": [rng.choice(peri)]})
        rate = 0.00035 * math.exp(0.5 * (kl if kl is not None else 2))
        t = int(rng.expovariate(rate)) // 45 * 45 + 45  # a coarse grid: ties
        if idx + dt.timedelta(days=t) <= as_of + dt.timedelta(days=200):
            recs.append({"type": "treatment", "patient": pid, "knee": knee,
                         "date": d(idx + dt.timedelta(days=t)), "kind": "total_knee_replacement"})
        for k in range(rng.randint(0, 5)):
            recs.append({"type": "response", "patient": pid, "knee": knee,
                         "date": d(idx + dt.timedelta(days=30 * rng.randint(1, 50))),
                         "instrument": "nprs", "items": {"intensity": rng.randint(0, 10)}})
recs = write_registry(tmp + "/reg.jsonl", recs, rng)

# Independent derivation (docs/design.md, Analyses "Durability" and
# "Adjusted comparisons").
pats = {r["id"]: r for r in recs if r["type"] == "patient"}
knees = {}
for r in recs:
    if r["type"] == "patient" or dt.date.fromisoformat(r["date"]) > as_of:
        continue
    knees.setdefault((r["patient"], r.get("knee")), []).append((dt.date.fromisoformat(r["date"]), r))
entered = {}
for (pid, knee), lst in knees.items():
    if knee is None:
        continue
    idx = min((day for day, r in lst if r["type"] == "treatment" and r["kind"] in regen), default=None)
    if idx is not None:
        entered[(pid, knee)] = idx
rows = []
for (pid, knee), idx in sorted(entered.items()):
    lst = knees[(pid, knee)]
    p = pats[pid]
    repl = min((day for day, r in lst if r["type"] == "treatment" and day > idx
                and r["kind"].endswith("knee_replacement")), default=None)
    contact = max([day for day, r in lst] + [day for day, r in knees.get((pid, None), [])])
    time, status = ((repl - idx).days, 1) if repl else ((contact - idx).days, 0)
    dxs = sorted((day, r["kl_grade"]) for day, r in lst if r["type"] == "diagnosis" and day <= idx)
    kl = max(k for day, k in dxs if day == dxs[-1][0]) if dxs else None
    sites = set()
    for day, r in lst:
        if r["type"] == "treatment" and day == idx:
            sites |= set(r.get("sites", []))
    whole = 1 if "intra_articular" in sites and sites - {"intra_articular"} else \
            0 if sites == {"intra_articular"} else None
    female = {"female": 1, "male": 0}.get(p["sex"])
    bmi = p["weight_kg"] / (p["height_cm"] / 100) ** 2 if "height_cm" in p else None
    other = "left" if knee == "right" else "right"
    bilateral = 1 if (pid, other) in entered else 0
    age = idx.year - p["birth_year"]
    rows.append((pid, time, status, whole, kl, age, female, bmi, bilateral))
def fmt(v): return "NA" if v is None else repr(v)
with open(tmp + "/data.tsv", "w") as f:
    f.write("patient\ttime\tstatus\twhole_knee\tkl\tage\tfemale\tbmi\tbilateral\n")
    for row in rows:
        f.write("\t".join(fmt(v) if not isinstance(v, str) else v for v in row) + "\n")
PY

db=$(new_registry "reg$seed")
"$GENU" --db "$db" init >/dev/null
"$GENU" --db "$db" import "$tmp/reg.jsonl" >/dev/null
"$GENU" --db "$db" survival --event replacement --cox $COVS --as-of "$AS_OF" --format json \
    >"$tmp/genu.json"

Rscript - "$tmp/data.tsv" "$COVS" >"$tmp/r.json" <<'RS'
suppressMessages(library(survival))
args <- commandArgs(trailingOnly = TRUE)
d <- read.delim(args[1], stringsAsFactors = FALSE)
covs <- strsplit(args[2], ",")[[1]]
cc <- d[complete.cases(d[, covs]), ]
f <- as.formula(paste("Surv(time, status) ~", paste(covs, collapse = " + ")))
fit <- coxph(f, data = cc, ties = "efron", cluster = patient)
z <- cox.zph(fit)$table
num <- function(x) sprintf("%.17g", x)
se <- sqrt(diag(fit$var)); se0 <- sqrt(diag(fit$naive.var)); b <- coef(fit)
terms <- sapply(seq_along(covs), function(i) sprintf(
  '{"term":"%s","coef":%s,"hazard_ratio":%s,"std_err":%s,"std_err_model":%s,"ci95":[%s,%s],"p":%s}',
  covs[i], num(b[i]), num(exp(b[i])), num(se[i]), num(se0[i]),
  num(exp(b[i] - qnorm(0.975) * se[i])), num(exp(b[i] + qnorm(0.975) * se[i])),
  num(pchisq((b[i] / se[i])^2, 1, lower.tail = FALSE))))
ph <- sapply(seq_len(nrow(z)), function(i) sprintf('{"term":"%s","chisq":%s,"df":%d,"p":%s}',
  if (i <= length(covs)) covs[i] else "global", num(z[i, "chisq"]), as.integer(z[i, "df"]),
  num(z[i, "p"])))
cat(sprintf('{"n":%d,"excluded_missing":%d,"events":%d,"loglik":[%s,%s],"terms":[%s],"ph_test":[%s]}\n',
  fit$n, nrow(d) - nrow(cc), fit$nevent, num(fit$loglik[1]), num(fit$loglik[2]),
  paste(terms, collapse = ","), paste(ph, collapse = ",")))
RS

python3 - "$tmp/genu.json" "$tmp/r.json" "$seed" <<'PY'
import json, os, sys
sys.path.insert(0, os.path.join(os.environ["GENU_SRC"], "tests/e2e"))
from records import Agreement
g = json.load(open(sys.argv[1]))["cox"]
r = json.load(open(sys.argv[2]))
ag = Agreement(1e-6, relative=True)
same, fails = ag.same, ag.fails
if not g["converged"]:
    fails.append("not converged: %r" % g["notes"])
for k in ("n", "excluded_missing", "events"):
    same(k, g[k], r[k], exact=True)
for i in range(2):
    same("loglik[%d]" % i, g["loglik"][i], r["loglik"][i])
if [t["term"] for t in g["terms"]] != [t["term"] for t in r["terms"]]:
    fails.append("terms: %r" % [t["term"] for t in g["terms"]])
for a, b in zip(g["terms"], r["terms"]):
    for k in ("coef", "hazard_ratio", "std_err", "std_err_model", "p"):
        same(a["term"] + " " + k, a[k], b[k])
    for i in range(2):
        same(a["term"] + " ci95", a["ci95"][i], b["ci95"][i])
if g["ph_test"] is None or len(g["ph_test"]) != len(r["ph_test"]):
    fails.append("ph_test: %r" % g["ph_test"])
else:
    for a, b in zip(g["ph_test"], r["ph_test"]):
        same("zph " + a["term"] + " term", a["term"], b["term"], exact=True)
        same("zph " + a["term"] + " df", a["df"], b["df"], exact=True)
        same("zph " + a["term"] + " chisq", a["chisq"], b["chisq"])
        same("zph " + a["term"] + " p", a["p"], b["p"])
ag.done("seed %s" % sys.argv[3])
print("seed %s: %d knees, %d events, %d terms agree with R; max relative difference %.3g"
      % (sys.argv[3], g["n"], g["events"], len(g["terms"]), ag.worst))
PY
done

# The same model through the API, byte for byte the command's answer.
echo "admin-password" | "$GENU" --db "$db" user add admin --role admin >/dev/null
start_server "$db"
curl -s -o /dev/null -c "$tmp/jar" -H 'Content-Type: application/json' \
  --data-binary '{"name":"admin","password":"admin-password"}' "$B/api/v1/session"
curl -s -b "$tmp/jar" "$B/api/v1/survival?event=replacement&cox=$COVS&as_of=$AS_OF" >"$tmp/api.json"
cmp -s "$tmp/api.json" "$tmp/genu.json" || fail "the API's --cox answer differs from the command's"
code=$(curl -s -o "$tmp/body" -w '%{http_code}' -b "$tmp/jar" "$B/api/v1/survival?event=replacement&cox=age,weight")
[ "$code" = 400 ] && grep -q '"field":"cox"' "$tmp/body" || fail "cox=age,weight: $code $(cat "$tmp/body")"
code=$(curl -s -o "$tmp/body" -w '%{http_code}' -b "$tmp/jar" "$B/api/v1/survival?event=replacement&cox=age&by=kl")
[ "$code" = 400 ] || fail "cox with by: $code"

# Errors name the option and change nothing.
expect_err() {
  local want=$1; shift
  if "$GENU" --db "$db" survival "$@" >"$tmp/out" 2>"$tmp/err"; then
    fail "survival $*: succeeded"
  elif ! grep -q -- "$want" "$tmp/err" || [ -s "$tmp/out" ]; then
    fail "survival $*: $(cat "$tmp/err")"
  fi
}
expect_err '--cox: unknown covariate "weight"' --event replacement --cox age,weight
expect_err '--cox' --event replacement --cox age,age
expect_err '--cox: one model' --event replacement --cox age --by kl
expect_err '--cox: not with competing' --event replacement --cox age --competing death
# a covariate the same for every knee: a note, not numbers
"$GENU" --db "$db" survival --event replacement --cox female --sex male --format json >"$tmp/male.json"
python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["cox"]
assert c["converged"] is False and c["terms"][0]["coef"] is None and c["ph_test"] is None, c
assert c["notes"] == ["female has the same value for every knee"], c["notes"]
' "$tmp/male.json" || fail "--cox female --sex male: $(cat "$tmp/male.json")"
finish
echo "cox_r: ok"
