import { api, get } from "../api";
import { h, humanize, today } from "../dom";
import { Form, put } from "../form";
import { kneeDiagram } from "../knee";
import { contactFields } from "./patients";
import { wordingOf, wordedItems, plainItem, itemInput, type Instrument, type Wording } from "../wording";
import { CONDITIONS, STAGES, INJECTIONS, SWELLING, DEFORMITY, PAIN_AT_REST, EXAM_FLAGS } from "../vocab";

const TITLES: Record<string, string> = {
  diagnosis: "Record a diagnosis",
  treatment: "Record a treatment",
  response: "Record questionnaire answers",
  adverse_event: "Record an adverse event",
  exam: "Record an examination",
  identity: "Record identity",
  death: "Record a death",
};

export async function recordPage(main: HTMLElement, [patient, type]: string[]): Promise<void> {
  const title = TITLES[type];
  if (!title) {
    main.appendChild(h("h1", {}, "Unknown record type"));
    return;
  }
  main.appendChild(h("p", { class: "crumbs" }, h("a", { href: `#/patients/${encodeURIComponent(patient)}` }, `← Patient ${patient}`)));
  main.appendChild(h("h1", {}, `${title} for ${patient}`));
  const back = () => (location.hash = `#/patients/${encodeURIComponent(patient)}`);
  const base = (f: Form): Record<string, unknown> => {
    const r: Record<string, unknown> = { type, patient };
    put(r, "knee", f.value("knee"));
    put(r, "date", f.value("date"));
    return r;
  };
  const knee = (f: Form, required = true) =>
    f.select("knee", "Knee", ["left", "right"], { required, empty: required ? "Choose…" : "Both / patient-level" });
  const date = (f: Form) => f.input("date", "Date", { type: "date", required: true, value: today() });
  let form: Form;

  switch (type) {
    case "diagnosis":
      form = new Form(title, async (f) => {
        const r = base(f);
        put(r, "condition", f.value("condition"));
        put(r, "kl_grade", f.value("kl_grade"), true);
        put(r, "note", f.value("note"));
        await api("POST", "/api/v1/records", r);
        back();
      });
      form.add(knee(form), date(form),
        form.select("condition", "Condition", CONDITIONS, { required: true, empty: "Choose…" }),
        form.select("kl_grade", "Kellgren–Lawrence grade", [["", "not graded (no radiograph)"], ["0", "0 none"], ["1", "1 doubtful"], ["2", "2 minimal"], ["3", "3 moderate"], ["4", "4 severe"]]),
        form.textarea("note", "Note"));
      break;
    case "treatment": {
      const diagram = kneeDiagram("right");
      form = new Form(title, async (f) => {
        const r = base(f);
        put(r, "kind", f.value("kind"));
        put(r, "protocol", f.value("protocol"));
        const sites = diagram.values();
        if (sites.length) r.sites = sites;
        const product: Record<string, unknown> = {};
        put(product, "volume_ml", f.value("product.volume_ml"), true);
        put(product, "guidance", f.value("product.guidance"));
        put(product, "dextrose_pct", f.value("product.dextrose_pct"), true);
        if (Object.keys(product).length) r.product = product;
        if (f.value("cost.amount")) r.cost = { amount: Number(f.value("cost.amount")), currency: f.value("cost.currency") || "USD" };
        put(r, "clinician", f.value("clinician"));
        put(r, "note", f.value("note"));
        await api("POST", "/api/v1/records", r);
        back();
      });
      const kneeSel = knee(form);
      kneeSel.querySelector("select")!.addEventListener("change", (ev) => diagram.setKnee((ev.target as HTMLSelectElement).value || "right"));
      const kindSel = form.select("kind", "Kind", STAGES.map((s) => ({ group: s.name, options: s.kinds })), { required: true, empty: "Choose…" });
      const sel = kindSel.querySelector("select")!;
      const syncDiagram = () => { diagram.el.hidden = !!sel.value && !INJECTIONS.has(sel.value); };
      sel.addEventListener("change", syncDiagram);
      form.group("sites", diagram.el, diagram.errorEl);
      form.add(kneeSel, date(form), kindSel, form.input("protocol", "Protocol", { hint: "Your clinic's protocol name, e.g. prp-3x" }), diagram.el,
        h("fieldset", {}, h("legend", {}, "Product (injections)"),
          h("div", { class: "row" },
            form.input("product.volume_ml", "Volume (ml)", { type: "number", attrs: { step: "any" } }),
            form.input("product.dextrose_pct", "Dextrose (%)", { type: "number", attrs: { step: "any" } }),
            form.select("product.guidance", "Image guidance", [["", "—"], ["ultrasound", "ultrasound"], ["fluoroscopy", "fluoroscopy"], ["landmark", "landmark"]]))),
        h("fieldset", {}, h("legend", {}, "Cost"),
          h("div", { class: "row" }, form.input("cost.amount", "Amount", { type: "number", attrs: { step: "any" } }), form.input("cost.currency", "Currency", { value: "USD" }))),
        form.input("clinician", "Clinician"), form.textarea("note", "Note"));
      break;
    }
    case "response": {
      // from the who-to-call page: #/patients/P/new/response?knee=left&source=phone&timepoint=6w&from=…&to=…
      const q = new URLSearchParams(location.hash.split("?")[1] ?? "");
      const { instruments } = await get<{ instruments: Instrument[] }>("/api/v1/instruments");
      const itemsBox = h("div", { class: "items", "aria-live": "polite" });
      form = new Form(title, async (f) => {
        const r = base(f);
        const inst = instruments.find((i) => i.id === f.value("instrument"));
        r.instrument = f.value("instrument");
        put(r, "source", f.value("source"));
        const items: Record<string, unknown> = {};
        for (const it of inst?.items ?? []) {
          const v = itemInput(f, it.code);
          if (v === "") continue;
          items[it.code] = it.kind === "boolean" ? v === "true" : Number.isFinite(Number(v)) ? Number(v) : v;
        }
        r.items = items;
        await api("POST", "/api/v1/records", r);
        back();
      });
      const instSel = form.select("instrument", "Questionnaire",
        instruments.map((i) => [i.id, i.wording ? i.title : `${i.title} (wording not installed)`] as [string, string]),
        { required: true, empty: "Choose…", value: q.get("instrument") ?? undefined });
      const sel = instSel.querySelector("select")!;
      let shown = 0;
      const show = async () => {
        const n = ++shown;
        for (const k of Array.from(form.fields.keys())) if (k.startsWith("items.")) form.fields.delete(k);
        itemsBox.replaceChildren();
        const inst = instruments.find((i) => i.id === sel.value);
        if (!inst) return;
        itemsBox.setAttribute("aria-busy", "true");
        let w: Wording | null = null, failed: Error | null = null;
        try {
          w = await wordingOf(inst);
        } catch (e) {
          failed = e as Error;
        }
        if (n !== shown) return;
        itemsBox.removeAttribute("aria-busy");
        const level = inst.level === "knee" ? "Answers about one knee: choose the knee above." : "Answers about the patient as a whole: leave the knee empty.";
        if (w) {
          itemsBox.append(h("p", { class: "small muted" }, level), wordedItems(form, inst, w));
        } else if (failed) {
          itemsBox.append(
            h("p", { class: "error", role: "alert" }, `Could not load the validated wording of ${inst.title} (${failed.message}); genu's short item descriptions are shown instead.`),
            ...inst.items.map((it) => plainItem(form, it)));
        } else {
          itemsBox.append(
            h("p", { class: "notice warn", role: "note" },
              h("strong", {}, `The validated wording of ${inst.title} is not installed. `),
              "The fields below show genu's short description of each item, not the questions a patient is asked: enter the code values from the patient's completed form (an administrator installs the wording; docs/instruments.md)."),
            h("p", { class: "small muted" }, level),
            ...inst.items.map((it) => plainItem(form, it)));
        }
      };
      sel.addEventListener("change", () => void show());
      const context = q.get("timepoint")
        ? h("p", { class: "notice" }, `Follow-up ${q.get("timepoint")} of the ${q.get("knee") ?? ""} knee`,
            q.get("from") && q.get("to") ? `: its window is ${q.get("from")} to ${q.get("to")}; date the answers inside it.` : ".",
            " Answers to the questionnaires of the follow-up schedule close the window.")
        : null;
      form.add(...(context ? [context] : []),
        form.select("knee", "Knee", ["left", "right"], { empty: "Both / patient-level", value: q.get("knee") ?? undefined }),
        date(form),
        form.select("source", "Source", [["clinic", "clinic (answered at the clinic)"], ["paper", "paper form"], ["phone", "phone call"]], { value: q.get("source") ?? "clinic" }),
        instSel, itemsBox);
      if (sel.value) await show();
      break;
    }
    case "adverse_event": {
      const { records } = await get(`/api/v1/patients/${encodeURIComponent(patient)}`);
      form = new Form(title, async (f) => {
        const r = base(f);
        put(r, "kind", f.value("kind"));
        put(r, "severity", f.value("severity"), true);
        r.serious = f.checked("serious");
        put(r, "treatment", f.value("treatment"));
        put(r, "note", f.value("note"));
        await api("POST", "/api/v1/records", r);
        back();
      });
      form.add(knee(form, false), date(form),
        form.input("kind", "Kind", { required: true, hint: "A lower-case code, e.g. post_injection_flare, infection, effusion" }),
        form.select("severity", "Severity (CTCAE grade)", [["", "Choose…"], ["1", "1 mild"], ["2", "2 moderate"], ["3", "3 severe"], ["4", "4 life-threatening"], ["5", "5 death"]], { required: true }),
        form.checkbox("serious", "Serious adverse event"),
        form.select("treatment", "Related treatment", [["", "none / unknown"], ...records.treatment.map((t: any) => [t.id, `${t.date} ${t.knee} ${humanize(t.kind)}`] as [string, string])]),
        form.textarea("note", "Note"));
      break;
    }
    case "exam": {
      form = new Form(title, async (f) => {
        const r = base(f);
        const findings: Record<string, unknown> = {};
        for (const k of ["swelling", "deformity", "pain_at_rest"]) put(findings, k, f.value(`findings.${k}`));
        for (const k of EXAM_FLAGS) {
          const v = f.value(`findings.${k}`);
          if (v) findings[k] = v === "true";
        }
        r.findings = findings;
        put(r, "note", f.value("note"));
        await api("POST", "/api/v1/records", r);
        back();
      });
      const opt = (xs: string[]) => [["", "not examined"] as [string, string], ...xs.map((x) => [x, x] as [string, string])];
      form.add(knee(form), date(form),
        h("fieldset", {}, h("legend", {}, "Findings (leave “not examined” for anything not checked)"),
          h("div", { class: "row" },
            form.select("findings.swelling", "Swelling", opt(SWELLING)),
            form.select("findings.deformity", "Deformity", opt(DEFORMITY)),
            form.select("findings.pain_at_rest", "Pain at rest", opt(PAIN_AT_REST))),
          h("div", { class: "row" }, EXAM_FLAGS.map((k) => form.select(`findings.${k}`, humanize(k), [["", "not examined"], ["true", "yes"], ["false", "no"]])))),
        form.textarea("note", "Note"));
      break;
    }
    case "death": // the patient's, not a knee's: one per patient, nothing dated after it
      form = new Form(title, async (f) => {
        const r = base(f);
        put(r, "cause", f.value("cause"));
        await api("POST", "/api/v1/records", r);
        back();
      });
      form.add(form.input("date", "Date of death", { type: "date", required: true, hint: "A record dated after it is refused." }), form.input("cause", "Cause", { hint: "If known. Free text: left out of de-identified exports." }));
      break;
    default: {
      form = new Form(title, async (f) => {
        const r: Record<string, unknown> = { type: "identity", patient };
        for (const k of ["name", "date_of_birth", "email", "phone", "language", "contact"]) put(r, k, f.value(k));
        await api("POST", "/api/v1/records", r);
        back();
      });
      form.add(form.input("name", "Name"), form.input("date_of_birth", "Date of birth", { type: "date" }), form.input("email", "E-mail", { type: "email" }), form.input("phone", "Phone", { type: "tel" }), ...contactFields(form));
    }
  }
  form.add(h("p", { class: "buttons" }, h("button", { type: "submit" }, "Save"), " ", h("a", { href: `#/patients/${encodeURIComponent(patient)}` }, "Cancel")));
  main.appendChild(form.el);
}
