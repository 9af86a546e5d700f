// The items of a questionnaire for staff to enter answers: the validated
// wording (GET /api/v1/instruments/{id}/wording) when one is installed, each
// item with its own text and its answer labels as radio buttons whose values
// are the item's code values; genu's short item labels as plain inputs when
// none is (licensed instruments such as KOOS ship without their wording).
import { get, ApiError } from "./api";
import { h, uid } from "./dom";
import type { Form } from "./form";

export interface Item {
  code: string;
  kind: "integer" | "number" | "boolean" | string;
  min?: number;
  max?: number;
  allowed?: number[];
  label: string;
}

export interface Instrument {
  id: string;
  title: string;
  level: "knee" | "patient";
  items: Item[];
  wording: string | null;
}

export interface WordingItem {
  text: string;
  help?: string;
  labels?: string[];
  anchors?: { low: string; high: string };
}

export interface Wording {
  instrument: string;
  language: string;
  title: string;
  version: string;
  recall: string | null;
  instructions: string | null;
  source: string;
  sections: { title: string | null; instructions: string | null; items: string[] }[];
  items: Record<string, WordingItem>;
}

const cache = new Map<string, Promise<Wording | null>>();

/* The installed wording of an instrument, or null when none is (404
 * no_wording: it may have been removed since /instruments was read). */
export function wordingOf(inst: Instrument): Promise<Wording | null> {
  if (!inst.wording) return Promise.resolve(null);
  let p = cache.get(inst.id);
  if (!p) {
    p = get<Wording>(`/api/v1/instruments/${encodeURIComponent(inst.id)}/wording`).catch((e) => {
      cache.delete(inst.id);
      if (e instanceof ApiError && e.status === 404) return null;
      throw e;
    });
    cache.set(inst.id, p);
  }
  return p;
}

/* The answer values of an item in the order of its wording's labels:
 * boolean true then false, the allowed list, or min..max. */
export function itemValues(it: Item): (number | boolean)[] {
  if (it.kind === "boolean") return [true, false];
  if (it.allowed) return it.allowed;
  const out: number[] = [];
  if (it.min !== undefined && it.max !== undefined && Number.isInteger(it.min) && Number.isInteger(it.max) && it.max - it.min <= 100)
    for (let v = it.min; v <= it.max; v++) out.push(v);
  return out;
}

/* One item as a radio group (labels) or a number input (anchors). */
function wordedItem(form: Form, it: Item, w: WordingItem): HTMLElement {
  const name = `items.${it.code}`;
  const values = itemValues(it);
  if (w.labels && w.labels.length && values.length >= w.labels.length) {
    const id = uid("q");
    const err = h("p", { class: "field-error", id: id + "-err" });
    const help = w.help ? h("p", { class: "hint", id: id + "-help" }, w.help) : null;
    const fs = h("fieldset", { class: "q", "data-item": it.code, "aria-describedby": [help ? id + "-help" : "", id + "-err"].join(" ").trim() },
      h("legend", {}, h("span", { class: "qtext" }, w.text), " ", h("span", { class: "code" }, `(${it.code})`)),
      help,
      h("div", { class: "opts" }, w.labels.map((label, i) =>
        h("label", {}, h("input", { type: "radio", name, value: String(values[i]) }), h("span", {}, label)))),
      err);
    form.group(name, fs, err);
    return fs;
  }
  const range = it.min !== undefined && it.max !== undefined ? `${it.min}–${it.max}` : "";
  const anchors = w.anchors ? `${it.min ?? ""} = ${w.anchors.low}; ${it.max ?? ""} = ${w.anchors.high}` : "";
  const hint = [w.help, anchors].filter(Boolean).join(" ");
  return form.input(name, `${w.text} (${it.code}${range ? ", " + range : ""})`, {
    type: "number", hint: hint || undefined,
    attrs: { min: String(it.min ?? ""), max: String(it.max ?? ""), step: it.kind === "integer" ? "1" : "any", inputmode: it.kind === "integer" ? "numeric" : "decimal", "data-item": it.code },
  });
}

/* An item without wording: genu's short label, as before. */
export function plainItem(form: Form, it: Item): HTMLElement {
  const name = `items.${it.code}`;
  if (it.kind === "boolean") return form.select(name, `${it.label} (${it.code})`, [["", "—"], ["true", "yes"], ["false", "no"]]);
  if (it.allowed) return form.select(name, `${it.label} (${it.code})`, [["", "—"], ...it.allowed.map((a) => [String(a), String(a)] as [string, string])]);
  return form.input(name, `${it.label} (${it.code}, ${it.min}–${it.max})`, { type: "number", attrs: { min: String(it.min), max: String(it.max), step: it.kind === "integer" ? "1" : "any", inputmode: "numeric" } });
}

/* Every item of inst, grouped by the wording's sections with their
 * instructions; items the wording does not place come last, plain. */
export function wordedItems(form: Form, inst: Instrument, w: Wording): HTMLElement {
  const box = h("div", { class: "wording", lang: w.language });
  box.appendChild(h("p", { class: "small muted" }, `Validated wording: ${w.title}, ${w.version} (${w.language}). Read each question and its answers to the patient as written.`));
  if (w.instructions) box.appendChild(h("p", { class: "instructions" }, w.instructions));
  if (w.recall) box.appendChild(h("p", { class: "recall" }, `Recall period: ${w.recall}.`));
  const byCode = new Map(inst.items.map((it) => [it.code, it]));
  const placed = new Set<string>();
  for (const s of w.sections) {
    const sec = h("section", { class: "wsection" });
    if (s.title) sec.appendChild(h("h3", {}, s.title));
    if (s.instructions) sec.appendChild(h("p", { class: "instructions" }, s.instructions));
    for (const code of s.items) {
      const it = byCode.get(code), wi = w.items[code];
      if (!it || !wi || placed.has(code)) continue;
      placed.add(code);
      sec.appendChild(wordedItem(form, it, wi));
    }
    box.appendChild(sec);
  }
  const rest = inst.items.filter((it) => !placed.has(it.code));
  if (rest.length) {
    box.appendChild(h("section", { class: "wsection" }, h("h3", {}, "Items not in the wording"), rest.map((it) => plainItem(form, it))));
  }
  return box;
}

/* The value entered for an item: its checked radio, or its control's
 * value; "" when none. */
export function itemInput(form: Form, code: string): string {
  const name = `items.${code}`;
  const checked = form.el.querySelector<HTMLInputElement>(`input[type=radio][name="${CSS.escape(name)}"]:checked`);
  if (checked) return checked.value;
  return form.value(name);
}
