// Form building blocks: labelled fields whose server-side validation
// messages (error.field) are shown next to the field and in a summary.
import { ApiError } from "./api";
import { h, uid, clear, announce, humanize } from "./dom";

export interface Field {
  name: string; // the record's field (dotted for nested: "cost.amount")
  wrap: HTMLElement;
  control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement | null;
  error: HTMLElement;
}

export class Form {
  el: HTMLFormElement;
  summary: HTMLElement;
  fields = new Map<string, Field>();
  constructor(label: string, onsubmit: (f: Form) => Promise<void>) {
    this.summary = h("div", { class: "error-summary", role: "alert", tabindex: "-1", hidden: true });
    this.el = h("form", { "aria-label": label, novalidate: true }, this.summary);
    this.el.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      this.clearErrors();
      const btn = this.el.querySelector<HTMLButtonElement>("button[type=submit]");
      if (btn) btn.disabled = true;
      try {
        await onsubmit(this);
      } catch (e) {
        this.showError(e);
      } finally {
        if (btn) btn.disabled = false;
      }
    });
  }

  add(...nodes: Node[]): this {
    for (const n of nodes) this.el.appendChild(n);
    return this;
  }

  private register(name: string, wrap: HTMLElement, control: Field["control"], error: HTMLElement): Field {
    const f = { name, wrap, control, error };
    this.fields.set(name, f);
    return f;
  }

  input(name: string, label: string, opts: { type?: string; required?: boolean; value?: string; hint?: string; attrs?: Record<string, string> } = {}): HTMLElement {
    const id = uid("f");
    const err = h("p", { class: "field-error", id: id + "-err" });
    const hint = opts.hint ? h("p", { class: "hint", id: id + "-hint" }, opts.hint) : null;
    const input = h("input", {
      id, name, type: opts.type ?? "text", required: !!opts.required, value: opts.value ?? "",
      "aria-describedby": [hint ? id + "-hint" : "", id + "-err"].join(" ").trim(),
      ...(opts.attrs ?? {}),
    });
    const wrap = h("div", { class: "field" }, h("label", { for: id }, label, opts.required ? h("span", { class: "req" }, " (required)") : null), hint, input, err);
    this.register(name, wrap, input, err);
    return wrap;
  }

  textarea(name: string, label: string): HTMLElement {
    const id = uid("f");
    const err = h("p", { class: "field-error", id: id + "-err" });
    const ta = h("textarea", { id, name, rows: 2, "aria-describedby": id + "-err" });
    const wrap = h("div", { class: "field" }, h("label", { for: id }, label), ta, err);
    this.register(name, wrap, ta, err);
    return wrap;
  }

  select(name: string, label: string, options: (string | [string, string])[] | { group: string; options: string[] }[], opts: { required?: boolean; empty?: string; value?: string } = {}): HTMLElement {
    const id = uid("f");
    const err = h("p", { class: "field-error", id: id + "-err" });
    const sel = h("select", { id, name, required: !!opts.required, "aria-describedby": id + "-err" });
    if (opts.empty !== undefined) sel.appendChild(h("option", { value: "" }, opts.empty));
    for (const o of options as any[]) {
      if (o && typeof o === "object" && "group" in o) {
        sel.appendChild(h("optgroup", { label: o.group }, o.options.map((k: string) => h("option", { value: k }, humanize(k)))));
      } else {
        const [v, t] = Array.isArray(o) ? o : [o, humanize(o)];
        sel.appendChild(h("option", { value: v }, t));
      }
    }
    if (opts.value !== undefined) sel.value = opts.value;
    const wrap = h("div", { class: "field" }, h("label", { for: id }, label, opts.required ? h("span", { class: "req" }, " (required)") : null), sel, err);
    this.register(name, wrap, sel, err);
    return wrap;
  }

  checkbox(name: string, label: string): HTMLElement {
    const id = uid("f");
    const err = h("p", { class: "field-error", id: id + "-err" });
    const cb = h("input", { id, name, type: "checkbox", "aria-describedby": id + "-err" });
    const wrap = h("div", { class: "field check" }, cb, h("label", { for: id }, label), err);
    this.register(name, wrap, cb, err);
    return wrap;
  }

  /* A group (fieldset) registered under name, for errors like "sites". */
  group(name: string, wrap: HTMLElement, error: HTMLElement): void {
    this.register(name, wrap, null, error);
  }

  value(name: string): string {
    const c = this.fields.get(name)?.control;
    return c ? c.value.trim() : "";
  }

  checked(name: string): boolean {
    const c = this.fields.get(name)?.control;
    return c instanceof HTMLInputElement ? c.checked : false;
  }

  clearErrors(): void {
    this.summary.hidden = true;
    clear(this.summary);
    for (const f of this.fields.values()) {
      f.error.textContent = "";
      f.wrap.classList.remove("invalid");
      f.control?.removeAttribute("aria-invalid");
    }
  }

  /* Shows an error: next to its field when the server named one we have. */
  showError(e: unknown): void {
    const msg = e instanceof Error ? e.message : String(e);
    let field: Field | undefined;
    if (e instanceof ApiError && e.field) {
      field = this.fields.get(e.field);
      if (!field) {
        // "items.P3" or "product.volume_ml": try the longest registered prefix
        const parts = e.field.split(".");
        while (!field && parts.length > 1) {
          parts.pop();
          field = this.fields.get(parts.join("."));
        }
      }
    }
    this.summary.hidden = false;
    clear(this.summary);
    this.summary.appendChild(h("h2", {}, "Not saved"));
    if (field) {
      field.error.textContent = msg;
      field.wrap.classList.add("invalid");
      field.control?.setAttribute("aria-invalid", "true");
      const target = field.control ?? field.wrap.querySelector("input");
      const link = h("a", { href: "#" }, msg);
      link.addEventListener("click", (ev) => {
        ev.preventDefault();
        (target as HTMLElement | null)?.focus();
      });
      this.summary.appendChild(h("p", {}, link));
      (target as HTMLElement | null)?.focus();
    } else {
      this.summary.appendChild(h("p", {}, msg));
      this.summary.focus();
    }
    announce("Not saved: " + msg);
  }
}

/* Sets o[k] = v unless v is empty; numbers parsed when asked. A value that
 * is not a number is sent as given so the server names the field. */
export function put(o: Record<string, unknown>, k: string, v: string, num = false): void {
  if (v === "") return;
  if (num) {
    const n = Number(v);
    o[k] = Number.isFinite(n) && /^-?\d+(\.\d+)?$/.test(v) ? n : v;
  } else o[k] = v;
}
