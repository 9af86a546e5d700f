import { get } from "../api";
import { h, pct, fmt, clear } from "../dom";
import { intervalChart, kmChart, cumincChart } from "../charts";

const BY = [["", "no strata"], ["kl", "KL grade"], ["sites", "injection sites"], ["kind", "treatment kind"], ["sex", "sex"], ["site", "clinic site"], ["age_band", "age band"], ["protocol", "protocol"]];

export async function reportPage(main: HTMLElement): Promise<void> {
  const params = new URLSearchParams(location.hash.split("?")[1] ?? "");
  const by = params.get("by") ?? "kl";
  main.appendChild(h("h1", {}, "Cohort report"));
  const sel = h("select", { id: "r-by", name: "by" }, BY.map(([v, t]) => h("option", { value: v, selected: v === by }, t)));
  const form = h("form", { class: "inline" }, h("label", { for: "r-by" }, "Strata by"), sel, h("button", { type: "submit" }, "Show"));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    location.hash = `#/report?by=${sel.value}`;
  });
  main.appendChild(form);
  const body = h("div", { "aria-live": "polite" }, h("p", {}, "Computing…"));
  main.appendChild(body);
  const r = await get(`/api/v1/report${by ? `?by=${by}` : ""}`);
  clear(body);
  body.appendChild(h("p", {}, `As of ${r.as_of}: ${r.entered} ${r.unit}s entered (${r.strata.map((s: any) => `${s.stratum} ${s.entered}`).join(", ")}).`));

  // responder rates by stratum, one chart per definition at a chosen timepoint
  const ats: string[] = Array.from(new Set(r.responders.map((x: any) => x.at)));
  const defs: string[] = Array.from(new Set(r.responders.map((x: any) => x.definition)));
  const sec = h("section", { "aria-labelledby": "r-resp" }, h("h2", { id: "r-resp" }, "Responder rates by stratum"));
  body.appendChild(sec);
  const atSel = h("select", { id: "r-at" }, ats.map((a) => h("option", { value: a, selected: a === "12m" }, a)));
  sec.appendChild(h("p", { class: "inline" }, h("label", { for: "r-at" }, "At"), atSel));
  const charts = h("div", { class: "grid2" });
  sec.appendChild(charts);
  const draw = () => {
    clear(charts);
    for (const d of defs) {
      const x = r.responders.find((y: any) => y.definition === d && y.at === atSel.value);
      if (!x) continue;
      const rows = x.strata.map((s: any) => ({ label: `${s.stratum} (n=${s.counts.analysed})`, value: s.rate, lo: s.ci95?.[0] ?? null, hi: s.ci95?.[1] ?? null }));
      charts.appendChild(h("figure", { class: "card" }, h("figcaption", {}, h("strong", {}, d), ` at ${x.at}`), intervalChart(rows, { title: `${d} at ${x.at}` }),
        h("table", { class: "small" }, h("thead", {}, h("tr", {}, ["Stratum", "Analysed", "Resp.", "Missing", "Rate (95% CI)", "Worst–best"].map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", {}, x.strata.map((s: any) => h("tr", {}, h("th", { scope: "row" }, s.stratum), h("td", {}, s.counts.analysed), h("td", {}, s.counts.responders), h("td", {}, s.counts.missing),
            h("td", {}, `${pct(s.rate, 1)} (${s.ci95 ? `${pct(s.ci95[0], 1)}–${pct(s.ci95[1], 1)}` : "–"})`), h("td", {}, s.worst_case === null ? "–" : `${pct(s.worst_case)}–${pct(s.best_case)}`))))),
        x.comparisons?.some((c: any) => c.difference !== null) ? h("p", { class: "small muted" }, x.comparisons.filter((c: any) => c.difference !== null).map((c: any) => `${c.a} vs ${c.b}: difference ${pct(c.difference, 1)} (95% CI ${pct(c.ci95[0], 1)} to ${pct(c.ci95[1], 1)}), ${c.test === "fisher" ? "Fisher" : "χ²"} p ${pval(c.p)}`).join("; ")) : null));
    }
  };
  atSel.addEventListener("change", draw);
  draw();

  // change from baseline
  const ch: any[] = r.change;
  const measures = Array.from(new Set(ch.map((c) => c.measure)));
  body.appendChild(h("section", { "aria-labelledby": "r-change" }, h("h2", { id: "r-change" }, "Change from baseline"),
    h("p", { class: "muted" }, "Mean improvement (baseline minus follow-up for pain scales; positive is better) with 95% interval."),
    measures.map((m) => h("table", {}, h("caption", {}, m),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "At"), r.strata.map((s: any) => h("th", { scope: "col" }, s.stratum)))),
      h("tbody", {}, ats.map((a) => h("tr", {}, h("th", { scope: "row" }, a), r.strata.map((s: any) => {
        const c = ch.find((x) => x.measure === m && x.at === a && x.stratum === s.stratum);
        return h("td", {}, c && c.n ? `${fmt(c.mean)} (${c.ci95 ? `${fmt(c.ci95[0])} to ${fmt(c.ci95[1])}` : "–"}), n=${c.n}` : "–");
      }))))))));

  // survival
  const km = h("section", { "aria-labelledby": "r-km" }, h("h2", { id: "r-km" }, "Replacement-free survival"));
  body.appendChild(km);
  const sv = r.survival;
  km.appendChild(h("p", {}, sv.strata.map((s: any) => `${s.stratum}: ${s.events} replacements in ${s.n} knees, median ${years(s.median)} (95% CI ${years(s.median_ci95?.[0] ?? null)} to ${years(s.median_ci95?.[1] ?? null)})`).join("; ") +
    (sv.logrank ? `. Log-rank χ² = ${fmt(sv.logrank.chisq, 2)}, df ${sv.logrank.df}, p ${pval(sv.logrank.p)}.` : ".")));
  kmChart(km, sv.strata, "Kaplan–Meier: free of knee replacement");
  if (sv.cumulative_incidence) cumincTable(km, sv);
}

/* When patients died: the cumulative incidence of replacement with death as
 * a competing event beside 1 − Kaplan–Meier, as a chart and at yearly marks. */
function cumincTable(host: HTMLElement, sv: any): void {
  const ci = sv.cumulative_incidence;
  const at = (rows: any[], t: number, key: string, start: number) => {
    let v = start;
    for (const p of rows) if (p.time <= t) v = p[key];
    return v;
  };
  const maxT = Math.max(0, ...ci.strata.flatMap((s: any) => s.curve.map((p: any) => p.time)));
  const years: number[] = [];
  for (let y = 1; y * 365.25 <= maxT; y++) years.push(y);
  host.appendChild(h("h3", {}, "Death as a competing risk"));
  host.appendChild(h("p", {}, "1 − Kaplan–Meier treats a knee whose patient died as if it might still be replaced; the cumulative incidence (Aalen–Johansen) counts the death as the end of its risk." +
    (ci.gray ? ` Gray's test χ² = ${fmt(ci.gray.statistic, 2)}, df ${ci.gray.df}, p ${pval(ci.gray.p)}.` : "")));
  cumincChart(host, ci.strata, sv.strata, "Cumulative incidence of replacement, death competing");
  host.appendChild(h("table", { class: "cuminc" },
    h("caption", {}, "Replaced by year: cumulative incidence (1 − Kaplan–Meier)"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Stratum"), h("th", { scope: "col" }, "Deaths first"), years.map((y) => h("th", { scope: "col" }, `${y} y`)))),
    h("tbody", {}, ci.strata.map((s: any) => {
      const km = sv.strata.find((k: any) => k.stratum === s.stratum);
      return h("tr", {}, h("th", { scope: "row" }, s.stratum), h("td", {}, String(s.competing_events)),
        years.map((y) => h("td", {}, `${pct(at(s.curve, y * 365.25, "cuminc", 0), 1)} (${km ? pct(1 - at(km.curve, y * 365.25, "surv", 1), 1) : "–"})`)));
    }))));
}

function years(d: number | null): string {
  return d === null ? "not reached" : `${(d / 365.25).toFixed(1)} years`;
}

function pval(p: number | null): string {
  return p === null ? "–" : p < 0.001 ? "< 0.001" : `= ${fmt(p, 3)}`;
}
