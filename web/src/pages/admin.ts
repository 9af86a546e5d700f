import { get } from "../api";
import { h, clear } from "../dom";

export async function adminPage(main: HTMLElement): Promise<void> {
  main.appendChild(h("h1", {}, "Users and audit trail"));
  const { users } = await get("/api/v1/users");
  main.appendChild(h("section", { class: "card" }, h("h2", {}, "Users"),
    h("table", {}, h("thead", {}, h("tr", {}, ["Name", "Role", "Sites", "Status"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, users.map((u: any) => h("tr", {}, h("th", { scope: "row" }, u.name), h("td", {}, u.role), h("td", {}, u.sites || "all"), h("td", {}, u.disabled ? "disabled" : "active"))))),
    h("p", { class: "muted" }, "Add or disable users on the server: genu user add NAME --role R [--sites a,b] --password-stdin.")));
  const sec = h("section", { class: "card" }, h("h2", {}, "Audit trail"), h("p", { class: "muted" }, "Every change: who, when, what, before and after, chained by SHA-256 (genu audit verify checks it)."));
  main.appendChild(sec);
  const box = h("div", {});
  sec.appendChild(box);
  const more = h("button", { type: "button", class: "secondary" }, "Load more");
  sec.appendChild(more);
  let after = 0;
  const table = h("table", { class: "audit small" }, h("thead", {}, h("tr", {}, ["#", "When (UTC)", "Actor", "Action", "Record", "Change"].map((t) => h("th", { scope: "col" }, t)))));
  const tbody = h("tbody", {});
  table.appendChild(tbody);
  clear(box);
  box.appendChild(table);
  const load = async () => {
    const { rows } = await get(`/api/v1/audit?after=${after}&limit=100`);
    for (const r of rows) {
      after = Math.max(after, r.seq);
      const change = r.before && r.after ? diff(r.before, r.after) : r.after ? "created" : "deleted";
      tbody.appendChild(h("tr", {}, h("td", {}, r.seq), h("td", {}, new Date(r.at_us / 1000).toISOString().replace("T", " ").slice(0, 19)), h("td", {}, r.actor), h("td", {}, r.action), h("td", {}, `${r.type} ${r.id}`), h("td", {}, change)));
    }
    more.hidden = rows.length < 100;
  };
  more.addEventListener("click", load);
  await load();
}

function diff(a: any, b: any): string {
  if (typeof a !== "object" || typeof b !== "object" || !a || !b) return "changed";
  const keys = Array.from(new Set([...Object.keys(a), ...Object.keys(b)])).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
  return keys.length ? keys.map((k) => `${k}: ${JSON.stringify(a[k]) ?? "–"} → ${JSON.stringify(b[k]) ?? "–"}`).join("; ").slice(0, 200) : "no change";
}
