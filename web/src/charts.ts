// Charts: interval bars as plain SVG (a table carries the same numbers), and
// uPlot for Kaplan–Meier curves and score trajectories.
import uPlot from "uplot";
import { h, s, pct } from "./dom";

export const PALETTE = ["#1f5fa8", "#b2490f", "#2d7a3a", "#7b3fa0", "#8a6d00", "#a3224a"];

export interface Interval {
  label: string;
  value: number | null;
  lo: number | null;
  hi: number | null;
  note?: string;
}

/* Horizontal point-and-whisker chart on 0..1, with an optional reference line. */
export function intervalChart(rows: Interval[], opts: { title: string; ref?: number; refLabel?: string }): SVGElement {
  const W = 560, L = 150, R = 60, row = 30, top = 24;
  const H = top + rows.length * row + 26;
  const x = (v: number) => L + v * (W - L - R);
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart interval", role: "img", "aria-label": opts.title });
  svg.appendChild(s("title", {}, opts.title));
  for (let t = 0; t <= 1.0001; t += 0.25) {
    svg.appendChild(s("line", { x1: x(t), x2: x(t), y1: top - 6, y2: H - 22, class: "grid" }));
    svg.appendChild(s("text", { x: x(t), y: H - 6, "text-anchor": "middle", class: "tick" }, pct(t)));
  }
  if (opts.ref !== undefined) {
    svg.appendChild(s("line", { x1: x(opts.ref), x2: x(opts.ref), y1: top - 14, y2: H - 22, class: "ref" }));
    svg.appendChild(s("text", { x: x(opts.ref), y: top - 14, "text-anchor": "middle", class: "ref-label" }, opts.refLabel ?? pct(opts.ref)));
  }
  rows.forEach((r, i) => {
    const y = top + i * row + row / 2;
    svg.appendChild(s("text", { x: L - 8, y: y + 4, "text-anchor": "end", class: "label" }, r.label));
    if (r.value === null) {
      svg.appendChild(s("text", { x: L + 4, y: y + 4, class: "tick" }, r.note ?? "not estimable"));
      return;
    }
    if (r.lo !== null && r.hi !== null) {
      svg.appendChild(s("line", { x1: x(r.lo), x2: x(r.hi), y1: y, y2: y, class: "whisker" }));
      svg.appendChild(s("line", { x1: x(r.lo), x2: x(r.lo), y1: y - 6, y2: y + 6, class: "whisker" }));
      svg.appendChild(s("line", { x1: x(r.hi), x2: x(r.hi), y1: y - 6, y2: y + 6, class: "whisker" }));
    }
    svg.appendChild(s("circle", { cx: x(r.value), cy: y, r: 5, class: "point" }));
    svg.appendChild(s("text", { x: W - R + 6, y: y + 4, class: "value" }, pct(r.value)));
  });
  return svg;
}

function width(el: HTMLElement, fallback = 560): number {
  const w = el.getBoundingClientRect().width;
  return Math.max(260, Math.min(w || fallback, 900));
}

export interface KmCurve {
  stratum: string;
  curve: { time: number; n_risk: number; n_event: number; n_censor: number; surv: number }[];
}

/* A curve is drawn only while at least this many knees are at risk
 * (docs/analysis.md); the tables and the JSON keep every row. */
export const MIN_AT_RISK = 10;

/* The rows drawn: up to the first with fewer than MIN_AT_RISK at risk, which
 * only ends the curve, level, at its time. */
function shownRows<R extends { time: number; n_risk: number }>(st: { curve: R[] }): { rows: R[]; end: number } {
  const cut = st.curve.findIndex((p) => p.n_risk < MIN_AT_RISK);
  if (cut < 0) return { rows: st.curve, end: st.curve.length ? st.curve[st.curve.length - 1].time : 0 };
  return { rows: st.curve.slice(0, cut), end: st.curve[cut].time };
}

/* A step curve's value at each of times: `start` before its first row, the
 * last row's value at or before t, null after `end` (where it stops). */
function stepSeries(times: number[], rows: { time: number }[], val: (i: number) => number, end: number, start: number): (number | null)[] {
  let j = -1;
  return times.map((t) => {
    while (j + 1 < rows.length && rows[j + 1].time <= t) j++;
    if (t > end) return null;
    return j < 0 ? start : val(j);
  });
}

/* The figure of a curve over years since the index treatment (0..maxT days)
 * on a 0..ymax share axis; the caller adds the series, hooks and data. */
function yearsPlot(host: HTMLElement, cls: string, title: string, maxT: number, yLabel: string, ymax: number) {
  const fig = h("figure", { class: cls });
  const plotHost = h("div", { class: "plot", role: "img", "aria-label": title });
  fig.appendChild(plotHost);
  host.appendChild(fig);
  const years = (v: number) => Math.round(v / 365.25) + " y";
  const step = maxT > 3650 ? 2 : 1;
  const yearMarks: number[] = [];
  for (let y = 0; y * 365.25 <= maxT; y += step) yearMarks.push(Math.round(y * 365.25));
  const opts = {
    title,
    width: width(host),
    height: 300,
    legend: { live: false },
    scales: { x: { time: false, range: [0, maxT] as uPlot.Range.MinMax }, y: { range: [0, ymax] as uPlot.Range.MinMax } },
    axes: [
      { label: "Years since index treatment", splits: () => yearMarks, values: (_u: uPlot, vals: number[]) => vals.map(years), stroke: "#222", grid: { stroke: "#ddd" } },
      { label: yLabel, values: (_u: uPlot, vals: number[]) => vals.map((v) => pct(v)), stroke: "#222", grid: { stroke: "#ddd" } },
    ],
  };
  return { fig, plotHost, years, yearMarks, opts };
}

/* A stratum's step series in its colour, dashed thin or solid. */
function stepLine(label: string, colour: string, dash: boolean): uPlot.Series {
  return {
    label,
    stroke: colour,
    width: dash ? 1 : 2,
    dash: dash ? [3, 4] : undefined,
    paths: uPlot.paths.stepped!({ align: 1 }),
    value: (_u: uPlot, v: number | null) => (v === null ? "–" : pct(v, 1)),
  };
}

/* Kaplan–Meier step curves with censor ticks; numbers at risk as a table. */
export function kmChart(host: HTMLElement, strata: KmCurve[], title: string): void {
  const maxT = Math.max(1, ...strata.flatMap((s) => s.curve.map((p) => p.time)));
  const times = Array.from(new Set(strata.flatMap((s) => [0, ...s.curve.map((p) => p.time)]))).sort((a, b) => a - b);
  const shown = strata.map(shownRows);
  const series = shown.map((st) => stepSeries(times, st.rows, (j) => st.rows[j].surv, st.end, 1));
  const censor = shown.map((st) => {
    let prev = 1;
    return st.rows.map((p) => {
      const y = p.n_event ? p.surv : prev;
      prev = p.surv;
      return p.n_censor ? [p.time, y] : null;
    }).filter(Boolean) as number[][];
  });
  const { fig, plotHost, years, yearMarks, opts } = yearsPlot(host, "km", title, maxT, "Free of replacement", 1);
  new uPlot(
    {
      ...opts,
      series: [{ label: "days" }, ...strata.map((st, i) => stepLine(st.stratum, PALETTE[i % PALETTE.length], false))],
      hooks: {
        draw: [
          (u: uPlot) => {
            const ctx = u.ctx;
            ctx.save();
            censor.forEach((pts, i) => {
              ctx.strokeStyle = PALETTE[i % PALETTE.length];
              ctx.lineWidth = 1.5 * devicePixelRatio;
              for (const [t, y] of pts) {
                const cx = u.valToPos(t, "x", true), cy = u.valToPos(y, "y", true);
                ctx.beginPath();
                ctx.moveTo(cx, cy - 5 * devicePixelRatio);
                ctx.lineTo(cx, cy + 5 * devicePixelRatio);
                ctx.stroke();
              }
            });
            ctx.restore();
          },
        ],
      },
    },
    [times, ...series] as uPlot.AlignedData,
    plotHost,
  );
  // numbers at risk at yearly marks
  const marks = yearMarks;
  const atRisk = (st: KmCurve, t: number) => {
    const later = st.curve.filter((p) => p.time >= t);
    return later.length ? later[0].n_risk : 0;
  };
  fig.appendChild(
    h("table", { class: "at-risk" },
      h("caption", {}, `Numbers at risk (| marks a censored knee). Each curve stops where fewer than ${MIN_AT_RISK} knees remain at risk.`),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Stratum"), marks.map((t) => h("th", { scope: "col" }, years(t))))),
      h("tbody", {}, strata.map((st, i) =>
        h("tr", {}, h("th", { scope: "row" }, h("span", { class: "swatch", "data-c": String(i % PALETTE.length) }), " ", st.stratum), marks.map((t) => h("td", {}, String(atRisk(st, t)))))))),
  );
}

export interface CumincCurve {
  stratum: string;
  curve: { time: number; n_risk: number; cuminc: number }[];
}

/* The cumulative incidence of replacement with death competing (solid) and
 * 1 − Kaplan–Meier (thin, dashed) per stratum, each drawn only while at
 * least MIN_AT_RISK knees are at risk, as kmChart. */
export function cumincChart(host: HTMLElement, ci: CumincCurve[], km: KmCurve[], title: string): void {
  const curves = ci.flatMap((c, i) => {
    const k = km.find((x) => x.stratum === c.stratum);
    const a = shownRows(c);
    const one = { label: c.stratum, colour: PALETTE[i % PALETTE.length], dash: false, end: a.end, rows: a.rows.map((p) => ({ time: p.time, v: p.cuminc })) };
    if (!k) return [one];
    const b = shownRows(k);
    return [one, { label: `${c.stratum}, 1 − KM`, colour: one.colour, dash: true, end: b.end, rows: b.rows.map((p) => ({ time: p.time, v: 1 - p.surv })) }];
  });
  const maxT = Math.max(1, ...ci.flatMap((s) => s.curve.map((p) => p.time)), ...km.flatMap((s) => s.curve.map((p) => p.time)));
  const times = Array.from(new Set([0, ...curves.flatMap((c) => c.rows.map((p) => p.time)), ...curves.map((c) => c.end)])).sort((a, b) => a - b);
  const top = Math.max(0, ...curves.flatMap((c) => c.rows.map((p) => p.v)));
  const ymax = top > 0.5 ? 1 : top > 0.25 ? 0.5 : 0.25;
  const series = curves.map((c) => stepSeries(times, c.rows, (j) => c.rows[j].v, c.end, 0));
  const { fig, plotHost, opts } = yearsPlot(host, "km cuminc-chart", title, maxT, "Replaced", ymax);
  new uPlot(
    { ...opts, series: [{ label: "days" }, ...curves.map((c) => stepLine(c.label, c.colour, c.dash))] },
    [times, ...series] as uPlot.AlignedData,
    plotHost,
  );
  fig.appendChild(h("figcaption", {}, `Share of knees replaced: cumulative incidence with death as a competing event (solid) and 1 − Kaplan–Meier (dashed). Each curve stops where fewer than ${MIN_AT_RISK} knees remain at risk.`));
}

export interface Point { day: number; value: number }
export interface Marker { day: number; label: string }

/* A knee's scores over time (days since 1970) with treatment markers. */
export function trajectoryChart(host: HTMLElement, title: string, lines: { label: string; points: Point[]; max: number; scale: string }[], markers: Marker[]): void {
  const days = Array.from(new Set(lines.flatMap((l) => l.points.map((p) => p.day)).concat(markers.map((m) => m.day)))).sort((a, b) => a - b);
  if (!days.length) return;
  const data: (number | null)[][] = [days.map((d) => d * 86400)];
  for (const l of lines) {
    const m = new Map(l.points.map((p) => [p.day, p.value]));
    data.push(days.map((d) => (m.has(d) ? m.get(d)! : null)));
  }
  const plotHost = h("div", { class: "plot", role: "img", "aria-label": title });
  host.appendChild(plotHost);
  new uPlot(
    {
      title,
      width: width(host, 420),
      height: 240,
      legend: { live: false },
      scales: { nprs: { range: [0, 10] }, koos: { range: [0, 100] } },
      axes: [
        { stroke: "#222", grid: { stroke: "#eee" } },
        { scale: "nprs", label: "NPRS 0–10 (lower better)", stroke: PALETTE[0], grid: { stroke: "#eee" }, size: 40 },
        { scale: "koos", side: 1, label: "KOOS 0–100 (higher better)", stroke: PALETTE[1], grid: { show: false }, size: 50 },
      ],
      series: [
        {},
        ...lines.map((l, i) => ({ label: l.label, scale: l.scale, stroke: PALETTE[i % PALETTE.length], width: 2, spanGaps: true, points: { size: 7 } })),
      ],
      hooks: {
        draw: [
          (u: uPlot) => {
            const ctx = u.ctx;
            ctx.save();
            ctx.strokeStyle = "#555";
            ctx.fillStyle = "#333";
            ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
            ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
            markers.forEach((m, i) => {
              const x = u.valToPos(m.day * 86400, "x", true);
              ctx.beginPath();
              ctx.moveTo(x, u.bbox.top);
              ctx.lineTo(x, u.bbox.top + u.bbox.height);
              ctx.stroke();
              ctx.fillText(m.label, x + 3 * devicePixelRatio, u.bbox.top + (12 + (i % 3) * 12) * devicePixelRatio);
            });
            ctx.restore();
          },
        ],
      },
    },
    data as uPlot.AlignedData,
    plotHost,
  );
}

export interface ForestRow {
  label: string;
  value: number | null; // a ratio (odds ratio), null when not estimable
  lo: number | null;
  hi: number | null;
}

/* Forest plot of ratios with 95% intervals on a log scale, a line at 1. */
export function forestChart(rows: ForestRow[], title: string): SVGElement {
  const W = 600, L = 130, R = 150, row = 28, top = 14;
  const H = top + rows.length * row + 30;
  const vals = rows.flatMap((r) => [r.value, r.lo, r.hi]).filter((v): v is number => v !== null && v > 0 && isFinite(v));
  const span = Math.max(2, ...vals.map((v) => Math.max(v, 1 / v)));
  const lmax = Math.log(Math.min(span * 1.1, 1e6));
  const x = (v: number) => L + ((Math.log(v) + lmax) / (2 * lmax)) * (W - L - R);
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart interval forest", role: "img", "aria-label": title });
  svg.appendChild(s("title", {}, title));
  const ticks = [0.1, 0.25, 0.5, 1, 2, 4, 10, 100].filter((t) => Math.abs(Math.log(t)) <= lmax);
  for (const t of ticks) {
    svg.appendChild(s("line", { x1: x(t), x2: x(t), y1: top - 6, y2: H - 24, class: t === 1 ? "ref" : "grid" }));
    svg.appendChild(s("text", { x: x(t), y: H - 8, "text-anchor": "middle", class: "tick" }, String(t)));
  }
  const fmt3 = (v: number) => (v >= 100 ? v.toFixed(0) : v.toPrecision(3));
  rows.forEach((r, i) => {
    const y = top + i * row + row / 2;
    svg.appendChild(s("text", { x: L - 8, y: y + 4, "text-anchor": "end", class: "label" }, r.label));
    if (r.value === null) {
      svg.appendChild(s("text", { x: L + 4, y: y + 4, class: "tick" }, "not estimable"));
      return;
    }
    const clamp = (v: number) => Math.min(Math.max(v, Math.exp(-lmax)), Math.exp(lmax));
    if (r.lo !== null && r.hi !== null) {
      svg.appendChild(s("line", { x1: x(clamp(r.lo)), x2: x(clamp(r.hi)), y1: y, y2: y, class: "whisker" }));
    }
    svg.appendChild(s("rect", { x: x(clamp(r.value)) - 5, y: y - 5, width: 10, height: 10, class: "point" }));
    svg.appendChild(s("text", { x: W - R + 6, y: y + 4, class: "value" },
      r.lo !== null && r.hi !== null ? `${fmt3(r.value)} (${fmt3(r.lo)}–${fmt3(r.hi)})` : fmt3(r.value)));
  });
  return svg;
}
