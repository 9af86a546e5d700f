import { me } from "../api";
import { h } from "../dom";

export function exportPage(main: HTMLElement): void {
  main.appendChild(h("h1", {}, "Export"));
  const res = me!.role === "researcher";
  main.appendChild(h("p", {}, res
    ? "As a researcher you receive the de-identified export: no identity records, no free text, ids replaced by keyed pseudonyms and dates by days from each knee's index date (docs/privacy.md)."
    : me!.role === "admin" ? "The whole registry as JSON Lines (the interchange format), identity included. Handle it as protected health information."
    : `The patients of your sites (${me!.sites || "all"}) as JSON Lines, identity included. Handle it as protected health information.`));
  main.appendChild(h("p", {}, h("a", { class: "button", href: "/api/v1/export", download: "genu-export.jsonl" }, res ? "Download the de-identified export" : "Download the export (JSON Lines)")));
  main.appendChild(h("p", { class: "muted" }, "CSV, REDCap and FHIR exports: genu export --format csv|redcap|fhir on the server."));
}
