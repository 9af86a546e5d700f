import { api, type User } from "../api";
import { h } from "../dom";
import { Form } from "../form";

export function signinPage(main: HTMLElement, done: (u: User, csrf: string) => Promise<void>): void {
  const form = new Form("Sign in", async (f) => {
    const r = await api<{ user: User; csrf: string }>("POST", "/api/v1/session", {
      name: f.value("name"),
      password: (f.fields.get("password")!.control as HTMLInputElement).value,
    });
    await done(r.user, r.csrf);
  });
  form.add(
    form.input("name", "Name", { required: true, attrs: { autocomplete: "username", autocapitalize: "none" } }),
    form.input("password", "Password", { type: "password", required: true, attrs: { autocomplete: "current-password" } }),
    h("p", {}, h("button", { type: "submit" }, "Sign in")),
  );
  main.appendChild(
    h("section", { class: "signin card" },
      h("h1", {}, "Sign in to genu"),
      h("p", { class: "muted" }, "The outcomes registry for knee treatments. Patients answer their surveys through the link their clinic sent them."),
      form.el),
  );
  (form.fields.get("name")!.control as HTMLInputElement).focus();
}
