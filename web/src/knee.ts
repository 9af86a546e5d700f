// The knee diagram: a front view of one knee with a marker per injection
// site. The real controls are the checkboxes beside it (keyboard and screen
// readers use those); the drawing mirrors them and clicking a marker toggles
// its checkbox.
import { h, s, uid } from "./dom";
import { SITES, SITE_LABELS } from "./vocab";

// Marker positions for a RIGHT knee seen from the front (the patient's
// lateral side on the viewer's left); a left knee is the mirror image.
// x: 0 lateral .. 200 medial (right knee), y: 0 thigh .. 300 shin.
const POS: Record<string, [number, number]> = {
  quadriceps_tendon: [100, 58],
  lateral_retinaculum: [62, 110],
  medial_retinaculum: [138, 110],
  intra_articular: [100, 160],
  patellar_tendon: [100, 205],
  iliotibial_band: [40, 135],
  lcl: [34, 170],
  mcl: [166, 165],
  coronary_ligaments: [132, 178],
  fibular_head: [44, 218],
  hamstring_insertions: [60, 245],
  pes_anserine: [152, 228],
};

export interface KneeDiagram {
  el: HTMLElement;
  values(): string[];
  setKnee(k: string): void;
  errorEl: HTMLElement;
}

export function kneeDiagram(initialKnee: string): KneeDiagram {
  const id = uid("knee");
  const boxes = new Map<string, HTMLInputElement>();
  const markers = new Map<string, SVGElement>();
  const flip = s("g", {});
  const title = s("title", {}, "");
  const svg = s("svg", { viewBox: "0 0 200 300", class: "knee-svg", role: "img", "aria-labelledby": id + "-cap" }, title, flip);
  // thigh, patella, shin and fibula outlines
  flip.appendChild(s("path", { class: "bone", d: "M45 0 L155 0 L160 130 Q165 160 150 170 L50 170 Q35 160 40 130 Z" }));
  flip.appendChild(s("path", { class: "bone", d: "M55 176 L145 176 Q150 190 140 205 L132 300 L78 300 L68 205 Q50 190 55 176 Z" }));
  flip.appendChild(s("path", { class: "bone fibula", d: "M30 200 L48 200 L46 300 L36 300 Z" }));
  flip.appendChild(s("ellipse", { class: "patella", cx: 100, cy: 110, rx: 30, ry: 36 }));
  flip.appendChild(s("line", { class: "jointline", x1: 40, y1: 173, x2: 160, y2: 173 }));
  const sideL = s("text", { class: "side", x: 6, y: 292 }, "");
  const sideR = s("text", { class: "side", x: 194, y: 292, "text-anchor": "end" }, "");
  svg.appendChild(sideL);
  svg.appendChild(sideR);

  const list = h("ul", { class: "site-list" });
  SITES.forEach((site, i) => {
    const cid = `${id}-${site}`;
    const cb = h("input", { type: "checkbox", id: cid, name: "sites", value: site });
    boxes.set(site, cb);
    list.appendChild(h("li", {}, cb, h("label", { for: cid }, h("span", { class: "num", "aria-hidden": "true" }, String(i + 1)), " ", SITE_LABELS[site])));
    const [x, y] = POS[site];
    const g = s("g", { class: "marker", "data-site": site });
    g.appendChild(s("circle", { cx: x, cy: y, r: 11 }));
    g.appendChild(s("text", { x, y: y + 4, "text-anchor": "middle" }, String(i + 1)));
    g.addEventListener("click", () => {
      cb.checked = !cb.checked;
      cb.dispatchEvent(new Event("change", { bubbles: true }));
      cb.focus();
    });
    markers.set(site, g);
    flip.appendChild(g);
    cb.addEventListener("change", update);
  });

  const summary = h("p", { class: "site-summary", "aria-live": "polite" });
  const errorEl = h("p", { class: "field-error" });
  const cap = h("figcaption", { id: id + "-cap" });
  const wholeBtn = h("button", { type: "button", class: "secondary" }, "Whole knee: joint + MCL, LCL, coronary ligaments");
  wholeBtn.addEventListener("click", () => {
    for (const k of ["intra_articular", "mcl", "lcl", "coronary_ligaments"]) boxes.get(k)!.checked = true;
    update();
  });
  const clearBtn = h("button", { type: "button", class: "secondary" }, "Clear");
  clearBtn.addEventListener("click", () => {
    for (const b of boxes.values()) b.checked = false;
    update();
  });

  let knee = initialKnee;
  function update(): void {
    for (const [site, g] of markers) g.classList.toggle("on", boxes.get(site)!.checked);
    const v = values();
    const peri = v.filter((x) => x !== "intra_articular").length;
    const ia = v.includes("intra_articular");
    summary.textContent =
      v.length === 0 ? "No injection sites marked."
      : ia && peri > 0 ? `Whole-knee treatment: intra-articular and ${peri} periarticular structure${peri > 1 ? "s" : ""}.`
      : ia ? "Intra-articular only."
      : `${peri} periarticular structure${peri > 1 ? "s" : ""}, no intra-articular injection.`;
  }
  function values(): string[] {
    return SITES.filter((x) => boxes.get(x)!.checked);
  }
  function setKnee(k: string): void {
    knee = k === "left" ? "left" : "right";
    // a left knee seen from the front has its lateral side on the viewer's right
    flip.setAttribute("transform", knee === "left" ? "translate(200 0) scale(-1 1)" : "");
    for (const g of markers.values()) {
      const t = g.querySelector("text")!;
      t.setAttribute("transform", knee === "left" ? `translate(${2 * Number(t.getAttribute("x"))} 0) scale(-1 1)` : "");
    }
    sideL.textContent = knee === "left" ? "medial" : "lateral";
    sideR.textContent = knee === "left" ? "lateral" : "medial";
    cap.textContent = `Front view of the ${knee} knee (${knee === "left" ? "medial side left" : "lateral side left"}); numbers match the list.`;
    title.textContent = cap.textContent;
  }
  setKnee(knee);
  update();

  const el = h("fieldset", { class: "knee-diagram" },
    h("legend", {}, "Injection sites"),
    h("div", { class: "knee-grid" }, h("figure", {}, svg, cap), h("div", {}, list, h("p", { class: "buttons" }, wholeBtn, " ", clearBtn))),
    summary, errorEl);
  return { el, values, setKnee, errorEl };
}
