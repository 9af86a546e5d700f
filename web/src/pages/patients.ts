import { api, get, me } from "../api";
import { h, clear } from "../dom";
import { Form, put } from "../form";
import { SEXES } from "../vocab";

/* How follow-up messages reach the patient (identity language and contact). */
export function contactFields(form: Form): HTMLElement[] {
  return [
    form.input("language", "Language", { hint: "Of follow-up messages and surveys: a language tag such as en or de." }),
    form.select("contact", "Follow-up messages by", [["", "e-mail or text message, whichever reaches the patient"], ["email", "e-mail only"], ["sms", "text message only"], ["none", "no messages (opted out)"]]),
  ];
}

export async function patientsPage(main: HTMLElement): Promise<void> {
  const params = new URLSearchParams(location.hash.split("?")[1] ?? "");
  const search = params.get("search") ?? "";
  const offset = Number(params.get("offset") ?? 0) || 0;
  main.appendChild(h("h1", {}, "Patients"));
  const input = h("input", { type: "search", id: "psearch", name: "search", value: search, autocomplete: "off" });
  const form = h("form", { role: "search", class: "inline" },
    h("label", { for: "psearch" }, "Patient id starts with"), input, h("button", { type: "submit" }, "Search"));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    location.hash = `#/patients?search=${encodeURIComponent(input.value.trim())}`;
  });
  main.appendChild(form);
  if (me!.role !== "researcher") main.appendChild(h("p", {}, h("a", { href: "#/patients/new", class: "button" }, "Enrol a patient")));
  const box = h("div", { "aria-live": "polite" });
  main.appendChild(box);
  const r = await get(`/api/v1/patients?search=${encodeURIComponent(search)}&offset=${offset}&limit=50`);
  clear(box);
  box.appendChild(h("p", {}, `${r.total} patient${r.total === 1 ? "" : "s"}${search ? ` whose id starts with “${search}”` : ""}.`));
  if (!r.patients.length) return;
  box.appendChild(
    h("table", {},
      h("thead", {}, h("tr", {}, ["Id", "Site", "Sex", "Born"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, r.patients.map((p: any) => h("tr", {},
        h("th", { scope: "row" }, h("a", { href: `#/patients/${encodeURIComponent(p.id)}` }, p.id)),
        h("td", {}, p.site), h("td", {}, p.sex), h("td", {}, p.birth_year ?? "–"))))),
  );
  const pager = h("p", { class: "pager" });
  const link = (o: number, t: string) => h("a", { href: `#/patients?search=${encodeURIComponent(search)}&offset=${o}` }, t);
  if (offset > 0) pager.appendChild(link(Math.max(0, offset - 50), "← Previous"));
  if (offset + 50 < r.total) pager.appendChild(link(offset + 50, "Next →"));
  box.appendChild(pager);
}

export function enrolPage(main: HTMLElement): void {
  main.appendChild(h("h1", {}, "Enrol a patient"));
  const sites = me!.sites ? me!.sites.split(",") : [];
  const form = new Form("Enrol a patient", async (f) => {
    const p: Record<string, unknown> = { type: "patient" };
    put(p, "id", f.value("id"));
    put(p, "site", f.value("site"));
    put(p, "sex", f.value("sex"));
    put(p, "birth_year", f.value("birth_year"), true);
    put(p, "height_cm", f.value("height_cm"), true);
    put(p, "weight_kg", f.value("weight_kg"), true);
    const ident: Record<string, unknown> = { type: "identity", patient: p.id };
    for (const k of ["name", "date_of_birth", "email", "phone", "language", "contact"]) put(ident, k, f.value(k));
    await api("POST", "/api/v1/records", p);
    if (Object.keys(ident).length > 2) {
      try {
        await api("POST", "/api/v1/records", ident);
      } catch (e) {
        location.hash = `#/patients/${encodeURIComponent(String(p.id))}`;
        throw e;
      }
    }
    location.hash = `#/patients/${encodeURIComponent(String(p.id))}`;
  });
  form.add(
    h("fieldset", {}, h("legend", {}, "Clinical record"),
      form.input("id", "Patient id", { required: true, hint: "Your clinic's own id, e.g. OAK-0042." }),
      sites.length > 1 ? form.select("site", "Site", sites, { required: true }) : form.input("site", "Site", { required: true, value: sites[0] ?? "" }),
      form.select("sex", "Sex", SEXES, { required: true, empty: "Choose…" }),
      form.input("birth_year", "Birth year", { required: true, type: "number", attrs: { inputmode: "numeric" } }),
      form.input("height_cm", "Height (cm)", { type: "number" }),
      form.input("weight_kg", "Weight (kg)", { type: "number" })),
    h("fieldset", {}, h("legend", {}, "Identity (protected; never shown to researchers)"),
      form.input("name", "Name", { attrs: { autocomplete: "off" } }),
      form.input("date_of_birth", "Date of birth", { type: "date" }),
      form.input("email", "E-mail", { type: "email" }),
      form.input("phone", "Phone", { type: "tel" }),
      ...contactFields(form)),
    h("p", {}, h("button", { type: "submit" }, "Enrol")),
  );
  main.appendChild(form.el);
}
