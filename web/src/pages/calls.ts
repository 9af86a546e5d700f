// Who to call (GET /api/v1/followup/calls): the knees whose follow-up window
// is open and unanswered after the last reminder, or that no message can
// reach but whose patient has a phone. Each row opens the answers form for
// that patient and knee with the source "phone" chosen.
import { get, me, qs } from "../api";
import { h, clear, humanize } from "../dom";
import { dateText, timepointLabel } from "../words";

export interface Window {
  patient: string;
  site: string;
  knee: string;
  timepoint: string;
  index_date: string;
  window: [string, string];
  status: string;
  answered: string | null;
  invited: string | null;
  reminders: number;
  last_message: string | null;
  skipped?: string;
  phone: string | null;
}

const SKIPPED: Record<string, string> = {
  no_address: "no e-mail or text message can reach the patient",
  opted_out: "the patient opted out of messages",
  deceased: "the patient has died",
};

/* Why this knee is on the list, in words. */
export function whyCall(w: Window): string {
  if (w.skipped) return `Not messaged: ${SKIPPED[w.skipped] ?? humanize(w.skipped)}.`;
  if (w.reminders) return `No answer after the invitation and ${w.reminders} reminder${w.reminders === 1 ? "" : "s"}.`;
  if (w.invited) return "No answer to the invitation.";
  return "Not answered.";
}

export async function callsPage(main: HTMLElement): Promise<void> {
  const params = new URLSearchParams(location.hash.split("?")[1] ?? "");
  const site = params.get("site") ?? "";
  main.appendChild(h("h1", {}, "Who to call"));
  main.appendChild(h("p", { class: "muted" },
    "Knees whose follow-up window is open and still unanswered after the last reminder, and knees no e-mail or text message can reach whose patient has a phone number. Call the patient, then enter the answers."));

  // the sites to filter by: the user's own, else those with calls today
  const all = site ? get<{ windows: Window[] }>("/api/v1/followup/calls") : null;
  const r = await get<{ as_of: string; windows: Window[]; count: number }>(`/api/v1/followup/calls${qs({ site })}`);
  const everyone = all ? (await all).windows : r.windows;
  const sites = Array.from(new Set([...(me!.sites ? me!.sites.split(",") : []), ...everyone.map((w) => w.site), ...(site ? [site] : [])])).sort();

  const sel = h("select", { id: "calls-site", name: "site" },
    h("option", { value: "" }, "every site"),
    sites.map((s) => h("option", { value: s, selected: s === site }, s)));
  const form = h("form", { class: "inline", "aria-label": "Filter by site" },
    h("label", { for: "calls-site" }, "Site"), sel, h("button", { type: "submit", class: "secondary" }, "Show"));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    location.hash = `#/calls${qs({ site: sel.value })}`;
  });
  main.appendChild(form);

  const box = h("section", { "aria-labelledby": "calls-count" });
  main.appendChild(box);
  clear(box);
  const where = site ? ` at ${site}` : "";
  box.appendChild(h("h2", { id: "calls-count" }, r.count ? `${r.count} knee${r.count === 1 ? "" : "s"} to call${where}` : `Nobody to call${where}`));
  if (!r.count) {
    box.appendChild(h("p", { class: "empty" }, `As of ${dateText(r.as_of)} every open follow-up window${where} has been answered, or is still waiting for its invitation and reminders.`));
    return;
  }
  box.appendChild(h("p", { class: "muted small" }, `As of ${dateText(r.as_of)}; most urgent first (the window closing soonest).`));
  const rows = [...r.windows].sort((a, b) => (a.window[1] < b.window[1] ? -1 : a.window[1] > b.window[1] ? 1 : a.patient < b.patient ? -1 : 1));
  const cols = ["Patient", "Site", "Knee", "Timepoint", "Window", "Reminders sent", "Last message", "Phone", "Why", ""];
  box.appendChild(
    h("table", { class: "stack calls" },
      h("thead", {}, h("tr", {}, cols.map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, rows.map((w) => {
        const enter = `#/patients/${encodeURIComponent(w.patient)}/new/response${qs({ knee: w.knee, source: "phone", timepoint: w.timepoint, from: w.window[0], to: w.window[1] })}`;
        const cell = (i: number, ...c: (Node | string)[]) => h("td", { "data-label": cols[i] }, ...c);
        return h("tr", {},
          h("th", { scope: "row", "data-label": cols[0] }, h("a", { href: `#/patients/${encodeURIComponent(w.patient)}` }, w.patient)),
          cell(1, w.site), cell(2, w.knee), cell(3, timepointLabel(w.timepoint)),
          cell(4, `${dateText(w.window[0])} to ${dateText(w.window[1])}`),
          cell(5, String(w.reminders)),
          cell(6, w.last_message ? dateText(w.last_message) : "none"),
          cell(7, w.phone ? h("a", { href: `tel:${w.phone.replace(/[^+\d]/g, "")}` }, w.phone) : h("span", { class: "muted" }, "no phone")),
          cell(8, whyCall(w)),
          h("td", { class: "act" }, h("a", { class: "button secondary", href: enter, "aria-label": `Enter answers for ${w.patient}, ${w.knee} knee, ${timepointLabel(w.timepoint)}` }, "Enter answers")));
      }))),
  );
}
