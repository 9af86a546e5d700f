import { get, me } from "../api";
import { h, pct, fmt } from "../dom";
import { intervalChart } from "../charts";

export async function dashboardPage(main: HTMLElement): Promise<void> {
  main.appendChild(h("h1", {}, "Dashboard"));
  const staff = me!.role !== "researcher";
  const [patients, report, due, overdue] = await Promise.all([
    get("/api/v1/patients?limit=1"),
    get("/api/v1/report"),
    staff ? get("/api/v1/followups?status=due") : Promise.resolve(null),
    staff ? get("/api/v1/followups?status=overdue") : Promise.resolve(null),
  ]);
  const tiles = h("ul", { class: "tiles" },
    h("li", {}, h("span", { class: "big" }, String(patients.total)), " patients enrolled"),
    h("li", {}, h("span", { class: "big" }, String(report.entered)), ` ${report.unit}s in the cohort (regenerative index treatment)`),
    due && h("li", {}, h("span", { class: "big" }, String(due.count)), " follow-ups due now"),
    overdue && h("li", { class: overdue.count ? "warn" : "" }, h("span", { class: "big" }, String(overdue.count)), " follow-ups overdue"),
  );
  main.appendChild(h("section", { "aria-labelledby": "d-enrol" }, h("h2", { id: "d-enrol", class: "visually-hidden" }, "Enrolment and follow-up"), tiles));

  const grid = h("div", { class: "grid2" });
  main.appendChild(grid);

  // headline responder rates: the first definition at every timepoint
  const def = report.responders[0]?.definition;
  const rows = report.responders
    .filter((r: any) => r.definition === def)
    .map((r: any) => {
      const st = r.strata[0];
      return { label: r.at, value: st.rate, lo: st.ci95?.[0] ?? null, hi: st.ci95?.[1] ?? null, n: st.counts };
    });
  grid.appendChild(
    h("section", { class: "card" },
      h("h2", {}, "Responder rates"),
      h("p", { class: "muted" }, `Definition ${def ?? "–"}; dot = rate among analysed knees, bar = 95% interval (Wilson).`),
      intervalChart(rows, { title: `Responder rate by timepoint, ${def}` }),
      h("details", {}, h("summary", {}, "Numbers"),
        h("table", {}, h("thead", {}, h("tr", {}, ["At", "Analysed", "Responders", "Rate", "95% CI"].map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", {}, rows.map((r: any) => h("tr", {}, h("th", { scope: "row" }, r.label), h("td", {}, r.n.analysed), h("td", {}, r.n.responders), h("td", {}, pct(r.value, 1)), h("td", {}, r.lo === null ? "–" : `${pct(r.lo, 1)}–${pct(r.hi, 1)}`))))))),
  );

  // completeness per timepoint
  const fu: any[] = report.followup;
  grid.appendChild(
    h("section", { class: "card" },
      h("h2", {}, "Follow-up completeness"),
      h("p", { class: "muted" }, "Knees whose window has closed, and how many answered in it."),
      h("table", { class: "bars" },
        h("thead", {}, h("tr", {}, ["At", "Due", "Answered", ""].map((t, i) => h("th", { scope: "col", class: i === 3 ? "wide" : "" }, t)))),
        h("tbody", {}, fu.map((f) => {
          const r = f.due ? f.done / f.due : null;
          return h("tr", {}, h("th", { scope: "row" }, f.at), h("td", {}, f.due), h("td", {}, f.done),
            h("td", { class: "wide" }, r === null ? "–" : h("meter", { min: 0, max: 1, value: r, "aria-label": `${f.at}: ${pct(r)} complete` }), " ", pct(r)));
        })))),
  );

  if (due) {
    const list = [...(overdue?.followups ?? []).slice(0, 6).map((x: any) => ({ ...x, st: "overdue" })), ...due.followups.slice(0, 10).map((x: any) => ({ ...x, st: "due" }))];
    main.appendChild(
      h("section", { class: "card" },
        h("h2", {}, "Follow-ups to chase"),
        list.length === 0 ? h("p", {}, "Nothing due.") :
        h("table", {},
          h("thead", {}, h("tr", {}, ["Patient", "Knee", "Timepoint", "Window", "Status"].map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", {}, list.map((f: any) => h("tr", {},
            h("td", {}, h("a", { href: `#/patients/${encodeURIComponent(f.patient)}` }, f.patient)),
            h("td", {}, f.knee), h("td", {}, f.timepoint), h("td", {}, `${f.window[0]} to ${f.window[1]}`),
            h("td", {}, h("span", { class: `badge ${f.st}` }, f.st))))))),
    );
  }
  const ch = report.change?.[0];
  if (ch) main.appendChild(h("p", { class: "muted" }, `Mean change in ${ch.measure} at ${ch.at}: ${fmt(ch.mean)} (n = ${ch.n}). See the `, h("a", { href: "#/report" }, "cohort report"), " for strata and survival."));
}
