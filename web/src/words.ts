// Words for people, as genu's model/words says them (docs/design.md, "Words
// for people"): vocabulary labels from GET /api/v1/vocabulary instead of
// codes, timepoints in years past 24 months ("3 y"), durations without day
// counts above 60, and dates as the reader's locale writes them
// (Intl.DateTimeFormat). The JSON keeps codes, numbers and ISO dates.
import { get } from "./api";

let labels: Record<string, string> = {};
let loading: Promise<void> | null = null;

/* Loads the vocabulary's labels once per page load (signed-in readers). */
export function loadLabels(): Promise<void> {
  if (!loading)
    loading = get<{ labels: Record<string, Record<string, string>> }>("/api/v1/vocabulary")
      .then((v) => {
        const all: Record<string, string> = {};
        for (const table of Object.values(v.labels)) for (const [code, label] of Object.entries(table)) if (!(code in all)) all[code] = label;
        labels = all;
      })
      .catch(() => {
        loading = null; // try again on the next page
      });
  return loading;
}

/* The label of a vocabulary code ("bone_marrow_aspirate" → "bone marrow
 * aspirate"), else the code with its underscores as spaces. */
export function label(code: string): string {
  return labels[code] ?? code.replace(/_/g, " ");
}

/* A timepoint for people: "6w", "6m", "24m", then whole years "3 y", "20 y". */
export function timepointLabel(t: string): string {
  const m = /^(\d+)([wmy])$/.exec(t);
  if (!m) return t;
  const n = Number(m[1]);
  const months = m[2] === "m" ? n : m[2] === "y" ? 12 * n : 0;
  if (m[2] === "w") return `${n}w`;
  return months > 24 && months % 12 === 0 ? `${months / 12} y` : `${months}m`;
}

/* A duration of `days`: days up to 13, weeks up to 60 days, months under a
 * year and a half, then years. */
export function duration(days: number): string {
  const d = Math.abs(days);
  const unit = (n: number, u: string) => `${n} ${u}${n === 1 ? "" : "s"}`;
  if (d <= 13) return unit(d, "day");
  if (d <= 60) return unit(Math.round(d / 7), "week");
  if (d < 548) return unit(Math.round(d / 30.4375), "month");
  return unit(Math.round(d / 365.25), "year");
}

const dateFormat = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });

/* An ISO date ("2010-12-30") as the reader's locale writes it; anything
 * else (a researcher's "day 12") as it is. */
export function dateText(iso: string | null | undefined): string {
  if (!iso) return "–";
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return iso;
  return dateFormat.format(new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))));
}
