import { get } from "../api";
import { h, pct } from "../dom";
import { Form, put } from "../form";
import { intervalChart } from "../charts";

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
