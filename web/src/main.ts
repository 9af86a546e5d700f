// genu's web interface: a hash-routed single page over the JSON API.
import "uplot/dist/uPlot.min.css";
import "./style.css";
import { api, get, me, setSession, ApiError, type User } from "./api";
import { h, clear, announce } from "./dom";
import { loadLabels } from "./words";
import { signinPage } from "./pages/signin";
import { dashboardPage } from "./pages/dashboard";
import { patientsPage, enrolPage } from "./pages/patients";
import { patientPage } from "./pages/patient";
import { recordPage } from "./pages/records";
import { reportPage } from "./pages/report";
import { claimPage } from "./pages/claim";
import { exportPage } from "./pages/export";
import { adminPage } from "./pages/admin";
import { callsPage } from "./pages/calls";

type Page = (main: HTMLElement, params: string[]) => Promise<void> | void;
const routes: [RegExp, Page, string, string[]?][] = [
  [/^\/$/, dashboardPage, "Dashboard"],
  [/^\/patients$/, patientsPage, "Patients"],
  [/^\/patients\/new$/, enrolPage, "Enrol a patient", ["admin", "clinician"]],
  [/^\/patients\/([^/]+)$/, patientPage, "Patient"],
  [/^\/patients\/([^/]+)\/new\/([a-z_]+)$/, recordPage, "New record", ["admin", "clinician"]],
  [/^\/calls$/, callsPage, "Who to call", ["admin", "clinician"]],
  [/^\/report$/, reportPage, "Cohort report"],
  [/^\/claim$/, claimPage, "Claim audit"],
  [/^\/export$/, exportPage, "Export"],
  [/^\/admin$/, adminPage, "Users and audit trail", ["admin"]],
];

const nav: [string, string, string[]?][] = [
  ["#/", "Dashboard"],
  ["#/patients", "Patients"],
  ["#/calls", "Who to call", ["admin", "clinician"]],
  ["#/report", "Cohort report"],
  ["#/claim", "Claim audit"],
  ["#/export", "Export"],
  ["#/admin", "Admin", ["admin"]],
];

function header(): void {
  const top = document.getElementById("top")!;
  clear(top);
  const brand = h("a", { href: "#/", class: "brand" }, "genu");
  if (!me) {
    top.appendChild(h("div", { class: "bar" }, brand));
    return;
  }
  const here = location.hash || "#/";
  const links = nav
    .filter(([, , roles]) => !roles || roles.includes(me!.role))
    .map(([href, label]) => {
      const active = href === "#/" ? here === "#/" : here.startsWith(href);
      return h("li", {}, h("a", { href, "aria-current": active ? "page" : null }, label));
    });
  const out = h("button", { type: "button", class: "link" }, "Sign out");
  out.addEventListener("click", async () => {
    try {
      await api("DELETE", "/api/v1/session");
    } catch {
      /* signed out either way */
    }
    setSession(null, "");
    location.hash = "#/";
    render();
  });
  top.appendChild(
    h("div", { class: "bar" }, brand,
      h("nav", { "aria-label": "Main" }, h("ul", {}, links)),
      h("p", { class: "who" }, `${me.name} (${me.role}${me.sites ? ", " + me.sites : ""}) `, out)),
  );
}

// Each render draws into a view of its own inside <main>: a page still
// loading when the user moves on keeps writing into its view, which the
// next render has already taken out of the document, so nothing of it shows
// on the new page.
let rendering = 0;
export async function render(): Promise<void> {
  const n = ++rendering;
  const main = document.getElementById("main")!;
  const hash = location.hash.startsWith("#/") ? location.hash.slice(1) : "/";
  const path = hash.split("?")[0];
  header();
  clear(main);
  const view = h("div", { class: "view" });
  main.appendChild(view);
  if (!me) {
    document.title = "Sign in · genu";
    signinPage(view, async (u: User, token: string) => {
      setSession(u, token);
      await render();
    });
    return;
  }
  for (const [re, page, title, roles] of routes) {
    const m = re.exec(path);
    if (!m) continue;
    document.title = `${title} · genu`;
    if (roles && !roles.includes(me.role)) {
      view.appendChild(h("h1", {}, title));
      view.appendChild(h("p", {}, `Your role (${me.role}) cannot use this page.`));
      return;
    }
    try {
      await loadLabels(); // vocabulary labels for people, once (words.ts)
      await page(view, m.slice(1).map(decodeURIComponent));
    } catch (e) {
      if (n !== rendering) return;
      if (e instanceof ApiError && e.status === 401) {
        setSession(null, "");
        return render();
      }
      view.appendChild(h("p", { class: "error", role: "alert" }, `Could not load this page: ${(e as Error).message}`));
    }
    return;
  }
  view.appendChild(h("h1", {}, "Not found"));
  view.appendChild(h("p", {}, "There is no such page. ", h("a", { href: "#/" }, "Go to the dashboard")));
}

window.addEventListener("hashchange", async () => {
  if (!location.hash.startsWith("#/") && location.hash !== "") {
    // the skip link
    document.getElementById(location.hash.slice(1))?.focus();
    return;
  }
  await render();
  const main = document.getElementById("main")!;
  const h1 = main.querySelector("h1");
  announce(h1?.textContent ?? document.title);
  main.focus({ preventScroll: false });
});

async function start(): Promise<void> {
  try {
    const r = await get<{ user: User; csrf: string }>("/api/v1/me");
    setSession(r.user, r.csrf);
  } catch {
    setSession(null, "");
  }
  await render();
}
start();
