import { api, get, me, qs } from "../api";
import { h, humanize, dayNumber, fmt, uid } from "../dom";
import { trajectoryChart } from "../charts";
import { Form } from "../form";
import { STAGES, stageOf } from "../vocab";
import type { Instrument } from "../wording";
import { dateText, timepointLabel } from "../words";

type Rec = Record<string, any>;

const RECORD_TYPES: [string, string][] = [
  ["diagnosis", "Diagnosis"],
  ["treatment", "Treatment"],
  ["response", "Questionnaire answers"],
  ["adverse_event", "Adverse event"],
  ["exam", "Examination"],
];

export async function patientPage(main: HTMLElement, [id]: string[]): Promise<void> {
  const staff = me!.role !== "researcher";
  // genu's case history loads alongside, into its own card: the page does not wait for it.
  // A researcher reads the de-identified patient (by pseudonym, in days from
  // the index) and its case history in days; no advice, which speaks of identified records
  const history = caseHistory(id, !staff);
  const [data, advice, insts] = await Promise.all([
    get(`/api/v1/patients/${encodeURIComponent(id)}`),
    staff ? get(`/api/v1/patients/${encodeURIComponent(id)}/advice`).catch(() => null) : Promise.resolve(null),
    staff ? get<{ instruments: Instrument[] }>("/api/v1/instruments").catch(() => null) : Promise.resolve(null),
  ]);
  const p = data.patient, recs = data.records;
  if (!staff)
    for (const list of Object.values(recs) as Rec[][])
      for (const r of list) if (r.date === undefined && r.day !== undefined) r.date = `day ${r.day}`;
  main.appendChild(h("h1", {}, `Patient ${p.id}`));
  main.appendChild(
    h("dl", { class: "facts" },
      h("dt", {}, "Site"), h("dd", {}, p.site),
      h("dt", {}, "Sex"), h("dd", {}, p.sex),
      h("dt", {}, "Born"), h("dd", {}, p.birth_year ?? "–"),
      p.height_cm ? [h("dt", {}, "Height"), h("dd", {}, `${p.height_cm} cm`)] : null,
      p.weight_kg ? [h("dt", {}, "Weight"), h("dd", {}, `${p.weight_kg} kg`)] : null),
  );
  const ident: Rec | undefined = recs.identity?.[0];
  if (ident) {
    main.appendChild(
      h("section", { class: "identity card", "aria-labelledby": "p-ident" },
        h("h2", { id: "p-ident" }, "Identity (protected)"),
        h("dl", { class: "facts" }, ["name", "date_of_birth", "email", "phone", "language", "contact"].filter((k) => ident[k]).map((k) => [h("dt", {}, k === "contact" ? "contact by" : humanize(k)), h("dd", {}, k === "contact" ? CONTACT[ident[k]] ?? ident[k] : ident[k])]))),
    );
  }
  if (staff) {
    main.appendChild(
      h("nav", { class: "actions", "aria-label": "Add a record" },
        h("h2", { class: "visually-hidden" }, "Add a record"),
        h("ul", {}, RECORD_TYPES.concat(recs.death?.length ? [] : [["death", "Death"]]).map(([t, label]) => h("li", {}, h("a", { class: "button secondary", href: `#/patients/${encodeURIComponent(p.id)}/new/${t}` }, `+ ${label}`))))),
    );
  }
  const died: Rec | undefined = recs.death?.[0];
  if (died) main.appendChild(h("p", { class: "notice died", role: "note" }, h("strong", {}, `Died on ${died.date}`), died.cause ? ` (${died.cause})` : "", ". Follow-up has ended."));

  const knees = h("div", { class: "knees" });
  main.appendChild(knees);
  const adv: Rec[] = advice ? (Array.isArray(advice) ? advice : [advice]) : [];
  for (const knee of ["right", "left"]) {
    const col = h("section", { class: "knee card", "aria-labelledby": `k-${knee}` }, h("h2", { id: `k-${knee}` }, `${knee[0].toUpperCase()}${knee.slice(1)} knee`));
    knees.appendChild(col);
    kneeColumn(col, knee, recs, adv.find((a) => a.knee === knee));
  }

  const plevel = recs.response.filter((r: Rec) => !r.knee);
  if (plevel.length) {
    main.appendChild(
      h("section", { class: "card" }, h("h2", {}, "Patient-level answers"),
        h("table", {}, h("thead", {}, h("tr", {}, ["Date", "Instrument", "Scores"].map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", {}, plevel.map((r: Rec) => h("tr", {}, h("td", {}, dateText(r.date)), h("td", {}, humanize(r.instrument)), h("td", {}, scoreText(r))))))),
    );
  }
  if (staff) main.appendChild(surveyForm(p.id, recs, insts?.instruments ?? null));
  if (staff) main.appendChild(messages(recs.message ?? []));
  main.appendChild(history);
  main.appendChild(timeline(recs));
}

function scoreText(r: Rec): string {
  return Object.entries(r.scores ?? {})
    .filter(([, v]) => v !== null)
    .slice(0, 5)
    .map(([k, v]) => `${humanize(k)} ${fmt(v as number, 1)}`)
    .join(", ");
}

function kneeColumn(col: HTMLElement, knee: string, recs: Rec, advice: Rec | undefined): void {
  const mine = (t: string) => (recs[t] ?? []).filter((r: Rec) => r.knee === knee);
  const dx = mine("diagnosis"), tx = mine("treatment"), rs = mine("response"), ae = recs.adverse_event.filter((r: Rec) => r.knee === knee || !r.knee), ex = mine("exam");
  col.appendChild(h("h3", {}, "Diagnoses"));
  col.appendChild(dx.length ? h("ul", { class: "plain" }, dx.map((d: Rec) => h("li", {},
    h("strong", {}, humanize(d.condition)), d.kl_grade !== undefined ? h("span", { class: "badge kl" }, `KL ${d.kl_grade}`) : h("span", { class: "muted" }, " (no KL grade)"), ` · ${dateText(d.date)}`))) : h("p", { class: "muted" }, "None recorded."));

  col.appendChild(h("h3", {}, "Treatments along the staged pathway"));
  col.appendChild(tx.length ? pathway(tx, knee) : h("p", { class: "muted" }, "None recorded."));
  if (tx.length) {
    col.appendChild(h("details", {}, h("summary", {}, `All ${tx.length} treatments`),
      h("ul", { class: "plain" }, tx.map((t: Rec) => h("li", {}, `${dateText(t.date)}: ${humanize(t.kind)}`, t.sites?.length ? ` (${t.sites.map(humanize).join(", ")})` : "", t.protocol ? ` · ${t.protocol}` : "")))));
  }

  col.appendChild(h("h3", {}, "Pain and function"));
  const line = (inst: string, key: string, label: string, scale: string, max: number) => ({
    label, scale, max,
    points: rs.filter((r: Rec) => r.instrument === inst && r.scores?.[key] !== null && r.scores?.[key] !== undefined).map((r: Rec) => ({ day: dayNumber(r.date), value: r.scores[key] })),
  });
  const lines = [line("nprs", "intensity", "NPRS pain", "nprs", 10), line("koos", "pain", "KOOS pain", "koos", 100), line("koos", "adl", "KOOS ADL", "koos", 100)].filter((l) => l.points.length);
  if (lines.length) {
    const chartHost = h("div", { class: "traj" });
    col.appendChild(chartHost);
    const markers = tx.filter((t: Rec) => stageOf(t.kind) >= 2).map((t: Rec) => ({ day: dayNumber(t.date), label: shortKind(t.kind) }));
    requestAnimationFrame(() => trajectoryChart(chartHost, `${knee} knee: scores over time, dashed lines are treatments`, lines, markers));
    const latest = lines.map((l) => `${l.label} ${fmt(l.points[l.points.length - 1].value, l.scale === "nprs" ? 0 : 1)}`).join(" · ");
    col.appendChild(h("p", { class: "latest" }, "Latest: ", h("strong", {}, latest)));
    col.appendChild(h("details", {}, h("summary", {}, "Scores as a table"),
      h("table", {}, h("thead", {}, h("tr", {}, ["Date", "Instrument", "Scores"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, rs.map((r: Rec) => h("tr", {}, h("td", {}, dateText(r.date)), h("td", {}, humanize(r.instrument)), h("td", {}, scoreText(r))))))));
  } else {
    col.appendChild(h("p", { class: "muted" }, rs.length ? `${rs.length} answers, none NPRS or KOOS.` : "No answers yet."));
  }

  col.appendChild(h("h3", {}, "Adverse events"));
  col.appendChild(ae.length ? h("ul", { class: "plain" }, ae.map((a: Rec) => h("li", {}, `${dateText(a.date)}: ${humanize(a.kind)}, grade ${a.severity}${a.serious ? ", serious" : ""}${a.treatment ? ` (after ${a.treatment})` : ""}`))) : h("p", { class: "muted" }, "None recorded."));
  if (ex.length) {
    const last = ex[ex.length - 1];
    col.appendChild(h("p", { class: "muted" }, `Last examination ${dateText(last.date)}: `, Object.entries(last.findings).map(([k, v]) => `${humanize(k)} ${v === true ? "yes" : v === false ? "no" : v}`).join(", ")));
  }
  col.appendChild(advicePanel(advice));
}

function shortKind(k: string): string {
  const m: Record<string, string> = { dextrose_prolotherapy: "prolo", bone_marrow_aspirate: "BMA", bone_marrow_concentrate: "BMC", hyaluronic_acid_injection: "HA", corticosteroid_injection: "steroid", total_knee_replacement: "TKR", partial_knee_replacement: "UKR", culture_expanded_msc: "MSC", adipose_msc: "adipose", physical_therapy: "PT" };
  return m[k] ?? k.replace(/_/g, " ");
}

/* Treatments on a time axis, one lane per stage of the pathway. */
function pathway(tx: Rec[], knee: string): HTMLElement {
  const W = 440, L = 70, R = 12, lane = 26, top = 8;
  const H = top + STAGES.length * lane + 22;
  const d = tx.map((t) => dayNumber(t.date));
  const lo = Math.min(...d), hi = Math.max(...d, lo + 30);
  const x = (v: number) => L + ((v - lo) / (hi - lo)) * (W - L - R);
  const cap = `${knee} knee: ${tx.length} treatments from ${dateText(tx[0].date)} to ${dateText(tx[tx.length - 1].date)}, by stage`;
  const svgNS = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(svgNS, "svg");
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.setAttribute("class", "chart pathway");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", cap);
  const el = (tag: string, a: Record<string, string | number>, text?: string) => {
    const e = document.createElementNS(svgNS, tag);
    for (const [k, v] of Object.entries(a)) e.setAttribute(k, String(v));
    if (text) e.textContent = text;
    svg.appendChild(e);
    return e;
  };
  STAGES.forEach((st, i) => {
    const y = top + i * lane + lane / 2;
    el("line", { x1: L, x2: W - R, y1: y, y2: y, class: "lane" });
    el("text", { x: L - 6, y: y + 4, "text-anchor": "end", class: "label" }, st.name);
  });
  el("text", { x: L, y: H - 4, class: "tick" }, tx[0].date.slice(0, 4));
  el("text", { x: W - R, y: H - 4, "text-anchor": "end", class: "tick" }, tx[tx.length - 1].date.slice(0, 4));
  for (const t of tx) {
    const sIdx = Math.max(0, stageOf(t.kind));
    const y = top + sIdx * lane + lane / 2;
    const c = el("circle", { cx: x(dayNumber(t.date)), cy: y, r: 6, class: `tx stage${sIdx}` });
    const title = document.createElementNS(svgNS, "title");
    title.textContent = `${dateText(t.date)} ${humanize(t.kind)}`;
    c.appendChild(title);
  }
  return h("figure", { class: "pathway-fig" }, svg as unknown as HTMLElement, h("figcaption", { class: "visually-hidden" }, cap));
}

function advicePanel(a: Rec | undefined): HTMLElement {
  const sec = h("section", { class: "advice", "aria-label": "Decision support" }, h("h3", {}, "Decision support"));
  if (!a) {
    sec.appendChild(h("p", { class: "muted" }, "No decision support for this knee."));
    return sec;
  }
  if (!a.findings.length) sec.appendChild(h("p", {}, "No findings."));
  for (const f of a.findings) {
    sec.appendChild(
      h("div", { class: `finding ${f.level}` },
        h("p", {}, h("span", { class: `badge ${f.level}` }, f.level), " ", f.message),
        h("details", {}, h("summary", {}, "Why"),
          h("ul", { class: "plain small" }, f.facts.map((x: Rec) => h("li", {}, `${humanize(x.fact)} = ${x.text ?? (x.value === null ? "unknown" : String(x.value))}${x.records.length ? ` [${x.records.join(", ")}]` : ""}`))))),
    );
  }
  const s = a.similar_knees;
  if (s && !a.findings.some((f: Rec) => f.message.includes(s.summary))) sec.appendChild(h("p", { class: "small" }, s.summary + "."));
  sec.appendChild(h("p", { class: "disclaimer small" }, a.disclaimer));
  return sec;
}

const CONTACT: Record<string, string> = { email: "e-mail only", sms: "text message only", none: "no messages (opted out)" };

/* The follow-up messages of the patient (message records), newest first:
 * invitations, reminders and opt-outs, whatever their fate. */
function messages(list: Rec[]): HTMLElement {
  const sec = h("section", { class: "card", "aria-labelledby": "p-messages" }, h("h2", { id: "p-messages" }, "Follow-up messages"));
  if (!list.length) {
    sec.appendChild(h("p", { class: "muted" }, "No follow-up message has been sent to this patient."));
    return sec;
  }
  // newest first: by date, then last attempt, then the later entered
  const rows = list.map((m, i) => ({ m, i })).sort((a, b) => {
    const ka = `${a.m.date} ${a.m.last_attempt ?? ""}`, kb = `${b.m.date} ${b.m.last_attempt ?? ""}`;
    return ka < kb ? 1 : ka > kb ? -1 : b.i - a.i;
  }).map((x) => x.m);
  const optOut = rows.find((m) => m.kind === "opt_out");
  if (optOut) sec.appendChild(h("p", { class: "notice warn" }, h("strong", {}, `Opted out of follow-up messages on ${dateText(optOut.date)}`),
    optOut.channel === "staff" ? ", as recorded by staff." : optOut.channel === "web" ? ", on the survey page." : `, by ${CHANNEL[optOut.channel] ?? optOut.channel}.`));
  const about = (m: Rec) => m.kind === "opt_out" ? "all follow-ups" :
    (m.followups ?? []).map((f: Rec) => `${f.knee ? f.knee + " knee " : ""}${timepointLabel(f.timepoint)}${f.reminder ? ` (reminder ${f.reminder})` : ""}`).join(", ");
  const cols = ["Date", "Kind", "Channel", "Status", "About", "Attempts", "Error"];
  sec.appendChild(
    h("table", { class: "stack messages" },
      h("thead", {}, h("tr", {}, cols.map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, rows.map((m) => h("tr", { class: m.kind === "opt_out" ? "opt-out" : "" },
        h("td", { "data-label": cols[0] }, h("time", { datetime: m.date }, dateText(m.date))),
        h("td", { "data-label": cols[1] }, m.kind === "opt_out" ? h("strong", {}, "opt-out") : humanize(m.kind)),
        h("td", { "data-label": cols[2] }, CHANNEL[m.channel] ?? m.channel),
        h("td", { "data-label": cols[3] }, h("span", { class: `badge msg-${m.status}` }, m.status)),
        h("td", { "data-label": cols[4] }, about(m)),
        h("td", { "data-label": cols[5] }, m.attempts !== undefined ? `${m.attempts}${m.last_attempt ? `, last ${m.last_attempt.replace("T", " ").replace(/:\d\dZ$/, " UTC")}` : ""}` : "–"),
        h("td", { "data-label": cols[6] }, m.error ? h("span", { class: "error" }, m.error) : "–"))))),
  );
  return sec;
}
const CHANNEL: Record<string, string> = { email: "e-mail", sms: "text message", web: "web (survey page)", staff: "staff" };

function surveyForm(patient: string, recs: Rec, instruments: Instrument[] | null): HTMLElement {
  const out = h("div", { "aria-live": "polite" });
  const form = new Form("Send a survey link", async (f) => {
    const instruments = Array.from(f.el.querySelectorAll<HTMLInputElement>("input[name=instruments]:checked")).map((c) => c.value);
    const r = await api("POST", "/api/v1/surveys", {
      patient, knee: f.value("knee") || undefined, instruments,
      timepoint: f.value("timepoint") || undefined, expires_days: Number(f.value("expires_days")) || 14,
    });
    const url = new URL(r.url, location.origin).href;
    out.replaceChildren(h("div", { class: "notice" },
      h("p", {}, "Give the patient this link (it is shown only once):"),
      h("p", {}, h("a", { href: url, class: "survey-url", target: "_blank", rel: "noopener" }, url)),
      h("p", { class: "small muted" }, `Expires in ${f.value("expires_days") || 14} days; works once.`)));
  });
  const last = recs.treatment[recs.treatment.length - 1];
  const gid = uid("inst");
  // a patient can only be asked an instrument whose validated wording is installed
  const askable = instruments ? instruments.filter((i) => i.wording).map((i) => i.id) : ["nprs", "koos_jr", "global_improvement"];
  const missing = instruments ? instruments.filter((i) => !i.wording).map((i) => humanize(i.id)) : [];
  const inst = h("fieldset", { class: "inline-checks" }, h("legend", {}, "Questionnaires"),
    askable.map((i) => {
      const cid = `${gid}-${i}`;
      return h("span", {}, h("input", { type: "checkbox", id: cid, name: "instruments", value: i, checked: i === "nprs" }), h("label", { for: cid }, humanize(i)));
    }),
    missing.length ? h("p", { class: "hint" }, `Not offered, their validated wording is not installed: ${missing.join(", ")}.`) : null);
  const err = h("p", { class: "field-error" });
  inst.appendChild(err);
  form.group("instruments", inst, err);
  form.add(
    h("div", { class: "row" },
      form.select("knee", "Knee", ["left", "right"], { value: last?.knee ?? "left" }),
      form.select("timepoint", "Timepoint", ["", "6w", "3m", "6m", "12m", "24m"].map((t) => [t, t || "—"] as [string, string])),
      form.input("expires_days", "Expires after (days)", { type: "number", value: "14", attrs: { min: "1", max: "90" } })),
    inst,
    h("p", {}, h("button", { type: "submit" }, "Create survey link")),
  );
  return h("section", { class: "card", "aria-labelledby": "p-survey" }, h("h2", { id: "p-survey" }, "Send a survey"), form.el, out);
}

/* genu's case history (GET /case, docs/case.md): the narrative a clinician
 * would write, as of a date the user may change. Preformatted, because its
 * pain table is aligned in columns; a short live status says what is shown
 * (the narrative itself is not announced). Loads on its own, so the rest of
 * the page does not wait for it; a late answer to an older date is dropped.
 * A researcher's history (inDays) is as of today, in days from the index
 * date: no date to choose. */
function caseHistory(id: string, inDays: boolean): HTMLElement {
  const dateId = uid("case-as-of");
  const input = h("input", { id: dateId, name: "as_of", type: "date" });
  const status = h("p", { class: "muted small", "aria-live": "polite" });
  const body = h("div", { class: "case-body" });
  let seq = 0;
  const load = async (asOf: string) => {
    const n = ++seq;
    body.setAttribute("aria-busy", "true");
    status.textContent = "Loading the case history…";
    try {
      const c = await get(`/api/v1/patients/${encodeURIComponent(id)}/case${qs({ as_of: asOf })}`);
      if (n !== seq) return;
      if (inDays) {
        status.textContent = "In days from the index date (day 0), as of today.";
      } else {
        input.value = c.as_of;
        status.textContent = `As of ${dateText(c.as_of)}: records dated later are not in it.`;
      }
      body.replaceChildren(h("pre", { class: "narrative" }, c.narrative));
    } catch (e) {
      if (n !== seq) return;
      status.textContent = "";
      body.replaceChildren(h("p", { class: "error", role: "alert" }, `Could not load the case history: ${(e as Error).message}`));
    } finally {
      if (n === seq) body.removeAttribute("aria-busy");
    }
  };
  const form = h("form", { class: "inline", "aria-label": "Date of the case history" },
    h("label", { for: dateId }, "As of"), input, h("button", { type: "submit", class: "secondary" }, "Show"));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void load(input.value);
  });
  void load("");
  return h("section", { class: "card", "aria-labelledby": "p-case" }, h("h2", { id: "p-case" }, "Case history"), inDays ? null : form, status, body);
}

/* Every record by date, as entered: the raw material of the case history. */
function timeline(recs: Rec): HTMLElement {
  const all: Rec[] = ["diagnosis", "treatment", "response", "adverse_event", "exam", "death"].flatMap((t) => (recs[t] ?? []).map((r: Rec) => ({ ...r, _t: t })));
  // by day: a researcher's "day 728" must come before "day 1036", which text order does not give
  const at = (r: Rec) => { const n = dayNumber(String(r.date ?? "")); return Number.isNaN(n) ? Number.MAX_VALUE : n; };
  all.sort((a, b) => (at(a) < at(b) ? -1 : at(a) > at(b) ? 1 : 0));
  const text = (r: Rec) => {
    const k = r.knee ? `${r.knee} knee` : "patient";
    switch (r._t) {
      case "diagnosis": return `${k}: diagnosed ${humanize(r.condition)}${r.kl_grade !== undefined ? `, KL grade ${r.kl_grade}` : ""}`;
      case "treatment": return `${k}: ${humanize(r.kind)}${r.sites?.length ? ` at ${r.sites.map(humanize).join(", ")}` : ""}`;
      case "response": return `${k}: ${humanize(r.instrument)} — ${scoreText(r)}`;
      case "adverse_event": return `${k}: adverse event ${humanize(r.kind)}, grade ${r.severity}`;
      case "death": return `died${r.cause ? ` (${r.cause})` : ""}`;
      default: return `${k}: examination — ${Object.entries(r.findings).map(([f, v]) => `${humanize(f)} ${v}`).join(", ")}`;
    }
  };
  return h("section", { class: "card", "aria-labelledby": "p-timeline" }, h("h2", { id: "p-timeline" }, "Timeline"),
    all.length ? h("p", { class: "muted small" }, `Every record of this patient by date (${all.length}).`) : null,
    all.length ? h("ol", { class: "history" }, all.map((r) => h("li", {}, h("time", { datetime: r.date }, dateText(r.date)), " ", text(r), r.note ? h("span", { class: "muted" }, ` — ${r.note}`) : null))) : h("p", { class: "muted" }, "No records yet."));
}
