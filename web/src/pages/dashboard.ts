import { get, me } from "../api";
import { h, pct, fmt } from "../dom";
import { intervalChart } from "../charts";
import { dateText, timepointLabel } from "../words";

export async function dashboardPage(main: HTMLElement): Promise<void> {
  main.appendChild(h("h1", {}, "Dashboard"));
  const staff = me!.role !== "researcher";
  // follow-up capture is staff business: researchers get 403 and are not asked
  const [patients, report, due, overdue, calls, rates] = await Promise.all([
    get("/api/v1/patients?limit=1"),
    get("/api/v1/report"),
    staff ? get("/api/v1/followups?status=due") : Promise.resolve(null),
    staff ? get("/api/v1/followups?status=overdue") : Promise.resolve(null),
    staff ? get("/api/v1/followup/calls") : Promise.resolve(null),
    staff ? get("/api/v1/followup/rates") : Promise.resolve(null),
  ]);
  const tiles = h("ul", { class: "tiles" },
    h("li", {}, h("span", { class: "big" }, String(patients.total)), " patients enrolled"),
    h("li", {}, h("span", { class: "big" }, String(report.entered)), ` ${report.unit}s in the cohort (regenerative index treatment)`),
    due && h("li", {}, h("span", { class: "big" }, String(due.count)), " follow-ups due now"),
    overdue && h("li", { class: recentOverdue(overdue).length ? "warn" : "" }, h("span", { class: "big" }, String(recentOverdue(overdue).length)), ` follow-ups overdue (closed in the last ${overdue.lost_after_days ?? 90} days)`),
    overdue && h("li", {}, h("span", { class: "big" }, String(overdue.lost ?? 0)), " follow-ups lost (closed earlier, never answered)"),
    calls && h("li", { class: calls.count ? "warn" : "" },
      h("a", { href: "#/calls", class: "tile-link" }, h("span", { class: "big" }, String(calls.count)), " ", h("span", { class: "u" }, `knee${calls.count === 1 ? "" : "s"} to call`))),
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
      return { label: timepointLabel(r.at), value: st.rate, lo: st.ci95?.[0] ?? null, hi: st.ci95?.[1] ?? null, n: st.counts };
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
          return h("tr", {}, h("th", { scope: "row" }, timepointLabel(f.at)), h("td", {}, f.due), h("td", {}, f.done),
            h("td", { class: "wide" }, r === null ? "–" : h("meter", { min: 0, max: 1, value: r, "aria-label": `${timepointLabel(f.at)}: ${pct(r)} complete` }), " ", pct(r)));
        })))),
  );

  if (rates) main.appendChild(responseCard(rates));

  if (due) {
    // windows open now or closed in the last 90 days (older ones are lost,
    // counted apart), what closes first at the top
    const list = [...recentOverdue(overdue).map((x: any) => ({ ...x, st: "overdue" })), ...due.followups.map((x: any) => ({ ...x, st: "due" }))]
      .sort((a: any, b: any) => (a.window[1] < b.window[1] ? -1 : a.window[1] > b.window[1] ? 1 : a.patient < b.patient ? -1 : a.patient > b.patient ? 1 : 0))
      .slice(0, 16);
    main.appendChild(
      h("section", { class: "card", id: "chase" },
        h("h2", {}, "Follow-ups to chase"),
        h("p", { class: "muted" }, `Windows open now or closed in the last ${overdue?.lost_after_days ?? 90} days, what closes first at the top.`,
          overdue ? ` ${overdue.lost ?? 0} older unanswered window${overdue.lost === 1 ? " is" : "s are"} counted as lost.` : ""),
        list.length === 0 ? h("p", {}, "Nothing due.") :
        h("table", {},
          h("thead", {}, h("tr", {}, ["Patient", "Knee", "Timepoint", "Window", "Status"].map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", {}, list.map((f: any) => h("tr", {},
            h("td", {}, h("a", { href: `#/patients/${encodeURIComponent(f.patient)}` }, f.patient)),
            h("td", {}, f.knee), h("td", {}, timepointLabel(f.timepoint)), h("td", {}, `${dateText(f.window[0])} to ${dateText(f.window[1])}`),
            h("td", {}, h("span", { class: `badge ${f.st}` }, f.st))))))),
    );
  }
  const ch = report.change?.[0];
  if (ch) main.appendChild(h("p", { class: "muted" }, `Mean change in ${ch.measure} at ${timepointLabel(ch.at)}: ${ch.mean === null || ch.mean === undefined ? "–" : ch.mean === 0 ? "no change" : `${fmt(Math.abs(ch.mean))} ${ch.mean > 0 ? "better" : "worse"}`} (n = ${ch.n}). See the `, h("a", { href: "#/report" }, "cohort report"), " for strata and survival."));
}

/* The overdue windows worth chasing: closed within the last 90 days (the
 * server marks older ones lost). */
function recentOverdue(o: any): any[] {
  return (o?.followups ?? []).filter((x: any) => !x.lost);
}

interface Rate {
  timepoint: string;
  site: string;
  closed: number;
  invited: number;
  answered: number;
  answered_invited: number;
  rate: number | null;
  rate_invited: number | null;
}

/* Response to follow-up messages (GET /api/v1/followup/rates): per
 * timepoint and site, the windows that have closed, how many were invited,
 * how many answered; the first timepoints in view, later ones folded. */
function responseCard(r: { as_of: string; rates: Rate[] }): HTMLElement {
  const card = h("section", { class: "card", "aria-labelledby": "d-response" },
    h("h2", { id: "d-response" }, "Follow-up response"),
    h("p", { class: "muted" }, `Follow-up windows closed by ${dateText(r.as_of)}, per timepoint and site: how many knees were invited by e-mail or text message, and how many answered in the window (rate among all closed windows, and among those invited).`));
  if (!r.rates.length) {
    card.appendChild(h("p", {}, "No follow-up window has closed yet."));
    return card;
  }
  const tps: string[] = [];
  for (const x of r.rates) if (!tps.includes(x.timepoint)) tps.push(x.timepoint);
  const table = (rows: Rate[], caption: string) =>
    h("div", { class: "table-scroll" },
      h("table", { class: "rates" },
        h("caption", { class: "visually-hidden" }, caption),
        h("thead", {}, h("tr", {}, ["Timepoint", "Site", "Closed", "Invited", "Answered", "Rate", "Rate among invited"].map((t, i) => h("th", { scope: "col", class: i >= 2 ? "num" : null }, t)))),
        h("tbody", {}, rows.map((x) => h("tr", {},
          h("th", { scope: "row" }, timepointLabel(x.timepoint)), h("td", {}, x.site),
          h("td", { class: "num" }, x.closed), h("td", { class: "num" }, x.invited), h("td", { class: "num" }, x.answered),
          h("td", { class: "num" }, pct(x.rate)),
          h("td", { class: "num" }, x.rate_invited === null ? h("span", { title: "nobody was invited" }, "–") : `${pct(x.rate_invited)} (${x.answered_invited} of ${x.invited})`))))));
  const first = tps.slice(0, 5), later = tps.slice(5);
  card.appendChild(table(r.rates.filter((x) => first.includes(x.timepoint)), `Follow-up response, ${first.map(timepointLabel).join(", ")}`));
  if (later.length) {
    card.appendChild(h("details", {}, h("summary", {}, later.length === 1 ? `Later timepoint (${timepointLabel(later[0])})` : `Later timepoints (${timepointLabel(later[0])} to ${timepointLabel(later[later.length - 1])})`),
      table(r.rates.filter((x) => later.includes(x.timepoint)), "Follow-up response, later timepoints")));
  }
  return card;
}
