import { get } from "../api";
import { h, pct, uid } from "../dom";
import { Form, put } from "../form";
import { forestChart, intervalChart } from "../charts";

export function claimPage(main: HTMLElement): void {
  main.appendChild(h("h1", {}, "Claim audit"));
  main.appendChild(h("p", { class: "muted" }, "Test a claim such as “over 75% of patients reported at least 50% improvement in pain at 48 months” against the registry."));
  const out = h("div", { class: "claim-result", "aria-live": "polite" });
  const form = new Form("Claim audit", async (f) => {
    const q: Record<string, unknown> = {};
    put(q, "responder", f.value("responder"));
    put(q, "at", f.value("at"));
    const e = f.value("expect");
    put(q, "expect", e === "" ? "" : String(Number(e) > 1 ? Number(e) / 100 : Number(e)));
    for (const k of ["kl", "site", "kind", "sites"]) put(q, k, f.value(k));
    const c = await get("/api/v1/claim?" + new URLSearchParams(q as Record<string, string>).toString());
    out.replaceChildren(verdict(c));
    (out.querySelector("h2") as HTMLElement | null)?.focus();
  });
  form.add(
    form.input("responder", "Responder definition", { required: true, value: "improvement_pct:nprs.intensity>=50", hint: "e.g. improvement_pct:nprs.intensity>=50, mcid:koos.pain, omeract_oarsi" }),
    h("div", { class: "row" },
      form.input("at", "At", { required: true, value: "48m", hint: "6w, 3m, 12m, 48m…" }),
      form.input("expect", "Claimed rate (%)", { required: true, type: "number", value: "75", attrs: { min: "0", max: "100", step: "any" } })),
    h("fieldset", {}, h("legend", {}, "Cohort (optional)"),
      h("div", { class: "row" },
        form.select("kl", "KL grade", [["", "any"], ["0-2", "0–2"], ["3-4", "3–4"]]),
        form.select("sites", "Injection sites", [["", "any"], ["whole_knee", "whole knee"], ["intra_articular_only", "intra-articular only"]]),
        form.input("kind", "Treatment kind", { hint: "e.g. prp" }),
        form.input("site", "Clinic site"))),
    h("p", {}, h("button", { type: "submit" }, "Audit the claim")),
  );
  main.appendChild(form.el);
  main.appendChild(out);
  compareSection(main);
}

const COVARIATES: [string, string][] = [
  ["age", "age"], ["female", "sex (female)"], ["bmi", "BMI"], ["kl", "KL grade"],
  ["baseline", "baseline score"], ["bilateral", "both knees treated"], ["whole_knee", "whole-knee treatment"],
];
const EXPOSURES: Record<string, [string, string]> = {
  whole_knee: ["whole-knee", "intra-articular only"],
  early_oa: ["KL 0–2", "KL 3–4"],
};

/* Whole-knee vs intra-articular only, or KL 0–2 vs 3–4: crude and adjusted
 * (GET /api/v1/compare, docs/analysis.md "Adjusted comparisons"). */
function compareSection(main: HTMLElement): void {
  const sec = h("section", { "aria-labelledby": "cmp-h" }, h("h2", { id: "cmp-h" }, "Compare"));
  sec.appendChild(h("p", { class: "muted" }, "Whole-knee patients differ from the others in age, weight and KL grade, so a crude difference mixes the treatment with who received it. This compares the responder rate crude and adjusted by logistic regression (standard errors clustered by patient), with standardised risks."));
  const out = h("div", { class: "compare-result", "aria-live": "polite" });
  const form = new Form("Compare", async (f) => {
    const q: Record<string, unknown> = {};
    put(q, "responder", f.value("responder"));
    put(q, "at", f.value("at"));
    const e = f.value("exposure");
    put(q, "exposure", e);
    const adj = COVARIATES.map(([c]) => c).filter((c) => f.checked("adj_" + c) && c !== e && !(c === "kl" && e === "early_oa"));
    if (adj.length) put(q, "adjust", adj.join(","));
    for (const k of ["site", "kind"]) put(q, k, f.value(k));
    const c = await get("/api/v1/compare?" + new URLSearchParams(q as Record<string, string>).toString());
    out.replaceChildren(compareResult(c));
    (out.querySelector("h3") as HTMLElement | null)?.focus();
  });
  const covErr = h("p", { class: "field-error", id: uid("f") + "-err" });
  const covs = h("fieldset", {}, h("legend", {}, "Adjusted for (the exposure itself and KL with KL 0–2 vs 3–4 are left out)"),
    h("div", { class: "row" }, COVARIATES.map(([c, label]) => form.checkbox("adj_" + c, label))), covErr);
  form.group("adjust", covs, covErr);
  form.add(
    form.input("responder", "Outcome (definition of a responder)", { required: true, value: "improvement_pct:nprs.intensity>=50" }),
    h("div", { class: "row" },
      form.input("at", "Timepoint", { required: true, value: "12m" }),
      form.select("exposure", "Compare", [["whole_knee", "whole-knee vs intra-articular only"], ["early_oa", "KL 0–2 vs KL 3–4"]]),
      form.input("kind", "Treatment kind", { hint: "e.g. prp" }),
      form.input("site", "Clinic site")),
    covs,
    h("p", {}, h("button", { type: "submit" }, "Compare")),
  );
  for (const c of ["age", "female", "bmi", "kl", "baseline", "bilateral"]) {
    const cb = form.el.querySelector(`input[name="adj_${c}"]`) as HTMLInputElement | null;
    if (cb) cb.checked = true;
  }
  sec.appendChild(form.el);
  sec.appendChild(out);
  main.appendChild(sec);
}

function compareResult(c: any): HTMLElement {
  const [ex, unex] = EXPOSURES[c.compare.exposure] ?? ["exposed", "unexposed"];
  const g = c.groups, lg = c.logistic, st = c.standardised;
  const pts = (v: number | null) => (v === null ? "–" : `${v >= 0 ? "+" : ""}${(v * 100).toFixed(1)} points`);
  const ci = (v: number[] | null, f: (x: number | null) => string) => (v ? `${f(v[0])} to ${f(v[1])}` : "not estimable");
  const adjusted = c.compare.adjust.length ? `adjusted for ${c.compare.adjust.join(", ")}` : "the exposure alone";
  return h("section", { class: "card" },
    h("h3", { tabindex: "-1" }, `${ex} vs ${unex}: ${c.compare.responder} at ${c.compare.at}`),
    h("p", {}, `${c.counts.analysed} knees analysed; ${c.counts.excluded_missing} left out for a missing exposure or covariate; ${c.counts.n} compared.`),
    h("table", { class: "small" }, h("thead", {}, h("tr", {}, ["", "Knees", "Responders", "Rate"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, [[ex, g.exposed], [unex, g.unexposed]].map(([label, x]: any) => h("tr", {}, h("th", { scope: "row" }, label), h("td", {}, String(x.n)), h("td", {}, String(x.responders)), h("td", {}, pct(x.rate, 1)))))),
    h("p", {}, `Crude difference ${pts(c.crude.difference)} (95% CI ${ci(c.crude.ci95, pts)}).`),
    lg.converged
      ? [h("p", {}, `Standardised (${adjusted}): ${pct(st.risk_exposed, 1)} if every knee were ${ex}, ${pct(st.risk_unexposed, 1)} if none were; difference ${pts(st.difference)} (95% CI ${ci(st.difference_ci95, pts)}), ratio ${st.ratio.toFixed(2)} (95% CI ${ci(st.ratio_ci95, (x) => (x === null ? "–" : x.toFixed(2)))}).`),
        forestChart(lg.terms.filter((t: any) => t.term !== "intercept").map((t: any) => ({ label: t.term, value: t.odds_ratio, lo: t.ci95?.[0] ?? null, hi: t.ci95?.[1] ?? null })),
          `Odds ratios of responding with 95% intervals (${adjusted})`),
        h("table", { class: "small" }, h("caption", {}, "Logistic regression (robust SE clustered by patient)"),
          h("thead", {}, h("tr", {}, ["Term", "Odds ratio (95% CI)", "p", "SE", "SE model"].map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", {}, lg.terms.map((t: any) => h("tr", {}, h("th", { scope: "row" }, t.term),
            h("td", {}, `${t.odds_ratio.toPrecision(3)} (${t.ci95[0].toPrecision(3)}–${t.ci95[1].toPrecision(3)})`),
            h("td", {}, t.p < 0.001 ? "< 0.001" : t.p.toFixed(3)), h("td", {}, t.std_err.toPrecision(3)), h("td", {}, t.std_err_model.toPrecision(3))))))]
      : h("p", { class: "lead" }, "No adjusted estimate: the model could not be fitted meaningfully."),
    c.notes.length ? h("ul", {}, c.notes.map((n: string) => h("li", {}, n))) : null);
}

function verdict(c: any): HTMLElement {
  const n = c.counts, exp = c.claim.expect;
  const words: Record<string, string> = {
    supported: "Supported: the whole 95% interval lies at or above the claimed rate.",
    contradicted: "Contradicted: the whole 95% interval lies below the claimed rate.",
    consistent: "Consistent but not shown: the claimed rate lies inside the 95% interval, so the registry neither confirms nor refutes it.",
    insufficient: "Insufficient data: fewer than 10 knees could be analysed at this timepoint.",
  };
  const ci = c.ci95 ? `${pct(c.ci95[0], 1)} to ${pct(c.ci95[1], 1)}` : "not estimable";
  return h("section", { class: `card verdict ${c.verdict}` },
    h("h2", { tabindex: "-1" }, `Verdict: ${c.verdict}`),
    h("p", { class: "lead" }, words[c.verdict] ?? c.verdict),
    h("p", {}, `Of ${n.entered} knees entered, ${n.eligible} were followed long enough to reach ${c.claim.at}. `,
      `${n.analysed} could be analysed (${n.converted} converted to replacement count as non-responders), ${n.missing} have no answer in the window and ${n.not_evaluable} lack a baseline. `,
      `${n.responders} of ${n.analysed} responded: ${pct(c.rate, 1)} (95% interval ${ci}), against the claimed ${pct(exp)}.`),
    h("p", {}, `If every missing knee had failed, the rate would be ${pct(c.worst_case, 1)}; if every one had responded, ${pct(c.best_case, 1)}.`),
    intervalChart([
      { label: "Observed", value: c.rate, lo: c.ci95?.[0] ?? null, hi: c.ci95?.[1] ?? null },
      { label: "Worst case", value: c.worst_case, lo: null, hi: null },
      { label: "Best case", value: c.best_case, lo: null, hi: null },
    ], { title: `Responder rate against the claimed ${pct(exp)}`, ref: exp, refLabel: `claimed ${pct(exp)}` }),
    h("table", { class: "small" }, h("caption", {}, "Counts"), h("tbody", {}, Object.entries(n).map(([k, v]) => h("tr", {}, h("th", { scope: "row" }, k.replace(/_/g, " ")), h("td", {}, String(v)))))));
}
