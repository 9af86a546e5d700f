// Browser end-to-end test of genu's web interface: playwright-core driving
// Debian's chromium (never a downloaded browser). Expects a running server
// at $GENU_URL with users admin/admin-password and res/research-password,
// a patient-less site "oak", and the follow-up seed of tests/e2e/web.sh at
// site "elm": WCALL (a phone, no e-mail, a right knee treated 45 days ago:
// to call) and WMSG (a treated left knee, three follow-up messages).
// Screenshots go to $ARTIFACTS.
import { chromium } from "playwright-core";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const BASE = process.env.GENU_URL ?? "http://127.0.0.1:8080";
const OUT = process.env.ARTIFACTS ?? "artifacts/web";
mkdirSync(OUT, { recursive: true });
const profile = mkdtempSync(join(tmpdir(), "genu-chromium-"));
let fails = 0;
const ok = (name) => console.log(`ok   ${name}`);
const fail = (name, e) => { fails++; console.log(`FAIL ${name}: ${e?.message ?? e}`); };
async function step(name, fn) {
  try { await fn(); ok(name); } catch (e) { fail(name, e); }
}

const browser = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  viewport: { width: 1280, height: 900 },
});
const consoleErrors = [];
function watch(page, who) {
  page.setDefaultTimeout(10000);
  // 4xx answers are the API's way of saying "sign in" or "invalid field"
  // (which the test provokes); chromium logs each as a failed load.
  page.on("console", (m) => {
    if (m.type() === "error" && !/status of 4\d\d/.test(m.text())) consoleErrors.push(`${who}: ${m.text()}`);
  });
  page.on("pageerror", (e) => consoleErrors.push(`${who}: ${e.message}`));
}
const shot = (page, name) => page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
const pid = "WEB-" + Date.now().toString(36).toUpperCase();
let researcherPatient = ""; // a patient's pseudonym, as the researcher steps see it
// The JSON API with the browser's session (the context's cookies).
let csrf = "";
async function api(method, path, body) {
  if (!csrf && method !== "GET") csrf = (await (await browser.request.get(BASE + "/api/v1/me")).json()).csrf;
  const r = await browser.request.fetch(BASE + path, {
    method, headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, data: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: r.status(), json, text };
}
// The answer values of an item in the order of its wording's labels.
const itemValues = (it) => it.kind === "boolean" ? [true, false] : it.allowed ?? Array.from({ length: it.max - it.min + 1 }, (_, i) => it.min + i);
const eq = (a, b) => JSON.stringify(a) === JSON.stringify(b);
let surveyUrl = "";

try {
  const page = browser.pages()[0] ?? (await browser.newPage());
  watch(page, "admin");
  await step("sign-in page shows", async () => {
    await page.goto(BASE + "/");
    await page.getByRole("heading", { name: "Sign in to genu" }).waitFor();
    await shot(page, "01-signin");
  });
  await step("a wrong password is refused next to the form", async () => {
    await page.getByLabel("Name").fill("admin");
    await page.getByLabel("Password").fill("wrong-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("invalid name or password").first().waitFor();
  });
  await step("admin signs in and sees the dashboard", async () => {
    await page.getByLabel("Password").fill("admin-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    await page.getByText("patients enrolled").waitFor();
    await page.getByRole("heading", { name: "Follow-up completeness" }).waitFor();
    await shot(page, "02-dashboard");
  });
  await step("patient list searches", async () => {
    await page.getByRole("link", { name: "Patients" }).first().click();
    await page.getByLabel("Patient id starts with").fill("CH");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByRole("link", { name: "CH1" }).waitFor();
    await shot(page, "03-patients");
  });
  await step("enrol: the server's validation message is shown by its field", async () => {
    await page.getByRole("link", { name: "Enrol a patient" }).click();
    await page.getByLabel("Patient id").fill(pid);
    await page.getByLabel("Site").fill("oak");
    await page.getByLabel("Sex").selectOption("female");
    await page.getByLabel("Birth year").fill("1790");
    await page.getByLabel("Name", { exact: true }).fill("Wilhelmina Testperson");
    await page.getByRole("button", { name: "Enrol" }).click();
    await page.locator(".field.invalid").getByText("birth_year").waitFor();
    const invalid = await page.getByLabel("Birth year").getAttribute("aria-invalid");
    if (invalid !== "true") throw new Error("birth year not marked invalid");
    await shot(page, "04-enrol-error");
  });
  await step("enrol a patient", async () => {
    await page.getByLabel("Birth year").fill("1956");
    await page.getByRole("button", { name: "Enrol" }).click();
    await page.getByRole("heading", { name: `Patient ${pid}` }).waitFor();
    await page.getByText("Wilhelmina Testperson").waitFor();
  });
  await step("record a diagnosis with KL grade", async () => {
    await page.getByRole("link", { name: "+ Diagnosis" }).click();
    await page.locator("select[name=knee]").selectOption("left");
    await page.getByLabel("Date").fill("2026-01-10");
    await page.getByLabel("Condition").selectOption("osteoarthritis");
    await page.getByLabel("Kellgren–Lawrence grade").selectOption("2");
    await shot(page, "05-diagnosis-form");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("KL 2", { exact: true }).waitFor();
  });
  await step("record a whole-knee treatment with the knee diagram", async () => {
    await page.getByRole("link", { name: "+ Treatment" }).click();
    await page.locator("select[name=knee]").selectOption("left");
    await page.getByLabel("Date").fill("2026-01-20");
    await page.getByLabel("Kind").selectOption("prp");
    // the diagram: click a marker, and use the keyboard on a checkbox
    await page.locator('.marker[data-site="intra_articular"]').click();
    await page.getByRole("checkbox", { name: "Medial collateral ligament" }).focus();
    await page.keyboard.press("Space");
    await page.locator('.marker[data-site="pes_anserine"]').click();
    await page.getByText("Whole-knee treatment: intra-articular and 2 periarticular structures.").waitFor();
    if (!(await page.getByRole("checkbox", { name: "Intra-articular (joint space)" }).isChecked())) throw new Error("marker click did not check the box");
    await page.getByLabel("Volume (ml)").fill("6");
    await shot(page, "06-treatment-diagram");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("heading", { name: `Patient ${pid}` }).waitFor();
    await page.getByText("All 1 treatments").click();
    await page.getByText("intra-articular, MCL, pes anserine").first().waitFor();
  });
  await step("a bad record shows the server's message by its field", async () => {
    await page.getByRole("link", { name: "+ Adverse event" }).click();
    await page.getByLabel("Kind").fill("Bad Kind!");
    await page.getByLabel("Severity (CTCAE grade)").selectOption("2");
    await page.getByRole("button", { name: "Save" }).click();
    await page.locator(".field.invalid").first().waitFor();
    await shot(page, "07-adverse-event-error");
    await page.getByRole("link", { name: "Cancel" }).click();
  });
  await step("create a survey link", async () => {
    await page.getByRole("heading", { name: `Patient ${pid}` }).waitFor();
    // KOOS ships without its validated wording, so it is not offered
    if (await page.getByRole("checkbox", { name: "koos", exact: true }).count()) throw new Error("koos offered without wording");
    await page.getByText("Not offered, their validated wording is not installed").waitFor();
    await page.getByRole("checkbox", { name: "koos jr", exact: true }).check();
    await page.getByRole("button", { name: "Create survey link" }).click();
    surveyUrl = await page.locator("a.survey-url").getAttribute("href");
    if (!surveyUrl || !surveyUrl.includes("/s/")) throw new Error("no survey url");
  });

  // the patient, on a phone
  const phone = await browser.newPage();
  watch(phone, "patient");
  await phone.setViewportSize({ width: 360, height: 740 });
  await step("the patient answers the survey on a 360 px phone", async () => {
    await phone.goto(surveyUrl);
    await phone.getByRole("heading", { name: "Your follow-up survey" }).waitFor();
    const sw = await phone.evaluate(() => document.documentElement.scrollWidth);
    if (sw > 360) throw new Error(`page is ${sw}px wide at 360`);
    await shot(phone, "08-survey-phone");
    await phone.screenshot({ path: join(OUT, "08-survey-phone-screen.png") });
    await phone.getByRole("radiogroup").first().getByRole("radio", { name: "3", exact: true }).check();
    const groups = phone.getByRole("radiogroup");
    const n = await groups.count();
    for (let i = 1; i < n; i++) await groups.nth(i).getByRole("radio").nth(1).check();
    await phone.getByRole("button", { name: "Send my answers" }).click();
    await phone.getByRole("heading", { name: "Thank you" }).waitFor();
    await phone.getByText("Your progress").waitFor();
    await shot(phone, "09-survey-done");
  });
  await step("a used link says so", async () => {
    const r = await phone.goto(surveyUrl);
    if (r.status() !== 410) throw new Error(`status ${r.status()}`);
  });
  await phone.close();

  await step("the score shows on the patient page", async () => {
    await page.reload();
    await page.getByRole("heading", { name: `Patient ${pid}` }).waitFor();
    await page.getByText(/Latest: NPRS pain 3/).waitFor();
    await page.waitForTimeout(300);
    await shot(page, "10-patient");
  });
  await step("dashboard: follow-up response per timepoint and site, and knees to call", async () => {
    await page.goto(BASE + "/#/");
    const card = page.getByRole("region", { name: "Follow-up response" });
    await card.getByRole("columnheader", { name: "Rate among invited" }).waitFor();
    const { json: rates } = await api("GET", "/api/v1/followup/rates");
    const r0 = rates.rates[0];
    const row = card.getByRole("row").filter({ has: page.getByRole("rowheader", { name: r0.timepoint, exact: true }) })
      .filter({ has: page.getByRole("cell", { name: r0.site, exact: true }) });
    const cells = await row.getByRole("cell").allInnerTexts();
    if (!eq(cells.slice(0, 4), [r0.site, String(r0.closed), String(r0.invited), String(r0.answered)])) throw new Error(`row ${r0.timepoint} ${r0.site}: ${cells.join(" | ")}`);
    const { json: calls } = await api("GET", "/api/v1/followup/calls");
    const tile = page.getByRole("link", { name: new RegExp(`^${calls.count} knees? to call$`) });
    await tile.waitFor();
    await shot(page, "17-dashboard-followup");
    await tile.click();
    await page.getByRole("heading", { name: "Who to call", level: 1 }).waitFor();
  });
  await step("who to call lists the knee no message can reach, with its phone", async () => {
    await page.goto(BASE + "/#/calls");
    const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: "WCALL", exact: true }) });
    await row.waitFor();
    const text = await row.innerText();
    for (const want of ["elm", "right", "6w", "Not messaged"]) if (!text.includes(want)) throw new Error(`row lacks ${want}: ${text}`);
    const tel = await row.getByRole("link", { name: "+1 555 0123" }).getAttribute("href");
    if (tel !== "tel:+15550123") throw new Error(`phone link ${tel}`);
    // the site filter: elm keeps it, fort-myers (no call there) says so
    await page.getByLabel("Site", { exact: true }).selectOption("elm");
    await page.getByRole("button", { name: "Show" }).click();
    await page.waitForURL(/#\/calls\?site=elm$/);
    await page.getByRole("heading", { name: "1 knee to call at elm" }).waitFor();
    await shot(page, "18-who-to-call");
    await page.setViewportSize({ width: 360, height: 740 });
    const sw = await page.evaluate(() => document.documentElement.scrollWidth);
    await shot(page, "18b-who-to-call-phone");
    await page.setViewportSize({ width: 1280, height: 900 });
    if (sw > 360) throw new Error(`who-to-call page is ${sw}px wide at 360`);
  });
  await step("enter answers by phone: KOOS JR in its validated wording, stored as code values", async () => {
    await page.goto(BASE + "/#/calls?site=elm");
    await page.getByRole("link", { name: "Enter answers for WCALL, right knee, 6w" }).click();
    await page.getByRole("heading", { name: "Record questionnaire answers for WCALL" }).waitFor();
    if ((await page.locator("select[name=source]").inputValue()) !== "phone") throw new Error("source phone not preselected");
    if ((await page.locator("select[name=knee]").inputValue()) !== "right") throw new Error("knee not preselected");
    // without wording: the short labels, and a note saying so
    await page.locator("select[name=instrument]").selectOption("koos");
    await page.getByText("The validated wording of Knee injury and Osteoarthritis Outcome Score is not installed.").waitFor();
    await page.locator("select[name=instrument]").selectOption("koos_jr");
    const { json: w } = await api("GET", "/api/v1/instruments/koos_jr/wording");
    const { json: all } = await api("GET", "/api/v1/instruments");
    const inst = all.instruments.find((i) => i.id === "koos_jr");
    // KOOS JR has no item P1 (its pain items are P2, P3, P6, P9): its first item, S6, and its first pain item, P2
    for (const code of ["S6", "P2"]) {
      const q = page.locator(`fieldset[data-item="${code}"]`);
      await q.getByText(w.items[code].text, { exact: true }).waitFor();
      for (const label of w.items[code].labels) if (!(await q.getByRole("radio", { name: label, exact: true }).isVisible())) throw new Error(`${code}: label ${label} not shown`);
    }
    await page.getByText(w.sections[1].instructions).waitFor();
    const want = {};
    inst.items.forEach((it, j) => {
      const labels = w.items[it.code].labels, k = (j + 1) % labels.length;
      want[it.code] = { label: labels[k], value: itemValues(it)[k] };
    });
    for (const [code, x] of Object.entries(want)) await page.locator(`fieldset[data-item="${code}"]`).getByRole("radio", { name: x.label, exact: true }).check();
    await page.setViewportSize({ width: 360, height: 740 });
    const sw = await page.evaluate(() => document.documentElement.scrollWidth);
    await shot(page, "19-answers-by-phone-phone");
    await page.setViewportSize({ width: 1280, height: 900 });
    if (sw > 360) throw new Error(`answers form is ${sw}px wide at 360`);
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("heading", { name: "Patient WCALL" }).waitFor();
    const { json: p } = await api("GET", "/api/v1/patients/WCALL");
    const r = p.records.response.find((x) => x.instrument === "koos_jr");
    if (!r) throw new Error("no koos_jr response stored");
    const items = Object.fromEntries(Object.entries(want).map(([c, x]) => [c, x.value]));
    if (!eq(Object.entries(r.items).sort(), Object.entries(items).sort())) throw new Error(`items ${JSON.stringify(r.items)}, wanted ${JSON.stringify(items)}`);
    if (r.knee !== "right" || r.extra?.source !== "phone") throw new Error(`knee ${r.knee}, extra ${JSON.stringify(r.extra)}`);
  });
  await step("an NPRS answer by phone closes the window: nobody to call at elm", async () => {
    await page.goto(BASE + "/#/calls?site=elm");
    await page.getByRole("link", { name: "Enter answers for WCALL, right knee, 6w" }).click();
    await page.locator("select[name=instrument]").selectOption("nprs");
    await page.locator('fieldset[data-item="intensity"]').getByRole("radio", { name: "4", exact: true }).check();
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("heading", { name: "Patient WCALL" }).waitFor();
    await page.goto(BASE + "/#/calls?site=elm");
    await page.getByRole("heading", { name: "Nobody to call at elm" }).waitFor();
    await page.getByText(/every open follow-up window at elm has been answered/).waitFor();
    const { json: p } = await api("GET", "/api/v1/patients/WCALL");
    const r = p.records.response.find((x) => x.instrument === "nprs");
    if (r?.items?.intensity !== 4 || r.extra?.source !== "phone") throw new Error(`nprs stored as ${JSON.stringify(r)}`);
  });
  await step("every instrument with wording: its survey shows every answer label at 360 px", async () => {
    const { json: all } = await api("GET", "/api/v1/instruments");
    const worded = all.instruments.filter((i) => i.wording !== null);
    if (worded.length < 2) throw new Error(`only ${worded.length} instruments with wording`);
    const phone = await browser.newPage();
    watch(phone, "patient");
    await phone.setViewportSize({ width: 360, height: 740 });
    const bad = [];
    try {
      for (const inst of worded) {
        const { json: w } = await api("GET", `/api/v1/instruments/${inst.id}/wording`);
        const s = await api("POST", "/api/v1/surveys", { patient: "WMSG", knee: inst.level === "knee" ? "left" : undefined, instruments: [inst.id] });
        if (s.status !== 201) { bad.push(`${inst.id}: POST /api/v1/surveys ${s.status} ${s.text}`); continue; }
        await phone.goto(BASE + s.json.url);
        await phone.getByRole("heading", { name: "Your follow-up survey" }).waitFor();
        for (const it of inst.items) {
          const wi = w.items[it.code];
          if (!wi) { bad.push(`${inst.id}.${it.code}: not in the wording`); continue; }
          const name = `${inst.id}.${it.code}`;
          const inputs = phone.locator(`input[name="${name}"]`);
          if (!(await inputs.count())) { bad.push(`${name}: no input`); continue; }
          const labels = wi.labels ?? [wi.anchors.low, wi.anchors.high];
          const values = wi.labels ? itemValues(it) : null;
          for (let i = 0; i < labels.length; i++) {
            // a labelled radio of the right value, or the anchors by the number input
            const el = values ? phone.locator(`label:has(input[name="${name}"][value="${values[i]}"])`) : phone.locator(`label:has(input[name="${name}"])`);
            const text = (await el.count()) === 1 ? (await el.innerText()).replace(/\s+/g, " ").trim() : "";
            const box = text && (await el.isVisible()) ? await el.boundingBox() : null;
            if (!(values ? text === labels[i] : text.includes(labels[i]))) bad.push(`${name}[${values ? values[i] : i}]: "${labels[i]}" not shown (got "${text}")`);
            else if (!box || box.x < 0 || box.x + box.width > 360) bad.push(`${name}: "${labels[i]}" not visible within 360 px`);
          }
        }
        const sw = await phone.evaluate(() => document.documentElement.scrollWidth);
        if (sw > 360) bad.push(`${inst.id}: page is ${sw}px wide at 360`);
        await shot(phone, `20-survey-${inst.id}`);
      }
    } finally {
      await phone.close();
    }
    if (bad.length) throw new Error(`${bad.length} problems:\n  ${bad.slice(0, 30).join("\n  ")}`);
    console.log(`     (${worded.length} instruments: ${worded.map((i) => i.id).join(", ")})`);
  });
  await step("a survey of an instrument without wording (womac) is refused: 422 no_wording", async () => {
    const r = await api("POST", "/api/v1/surveys", { patient: "WMSG", knee: "left", instruments: ["womac"] });
    if (r.status !== 422 || r.json?.error?.code !== "no_wording") throw new Error(`${r.status} ${r.text}`);
  });
  await step("the patient page lists follow-up messages, newest first, opt-out and failure shown", async () => {
    await page.goto(BASE + "/#/patients/WMSG");
    const sec = page.getByRole("region", { name: "Follow-up messages" });
    await sec.getByText(/^Opted out of follow-up messages on .+$/).waitFor();
    const rows = sec.locator("tbody tr");
    const kinds = await rows.evaluateAll((trs) => trs.map((tr) => tr.children[1].textContent));
    if (!eq(kinds, ["opt-out", "reminder", "invitation"])) throw new Error(`order ${kinds.join(", ")}`);
    const rem = await rows.nth(1).innerText();
    for (const want of ["e-mail", "failed", "left knee 6w (reminder 1)", "550 mailbox unavailable"]) if (!rem.includes(want)) throw new Error(`reminder row lacks ${want}: ${rem}`);
    await sec.scrollIntoViewIfNeeded();
    await sec.screenshot({ path: join(OUT, "21-patient-messages.png") });
  });
  await step("the patient page says the advice in words: the same findings as genu advise, no codes, no day counts", async () => {
    await page.goto(BASE + "/#/patients/CH3");
    await page.getByRole("heading", { name: "Decision support" }).first().waitFor();
    await page.locator(".finding").first().waitFor();
    const { json: adv } = await api("GET", "/api/v1/patients/CH3/advice");
    const shown = (await page.locator(".advice").allInnerTexts()).join("\n");
    for (const k of adv) for (const f of k.findings) if (!shown.includes(f.message)) throw new Error(`finding ${f.rule} not shown as ${f.message}`);
    // CH3's course, as docs/sources.md#002 tells it: relief, pain back a year later, relief again
    if (!shown.includes("Pain came back after dextrose prolotherapy (pain improved from 4/10 to 2/10")) throw new Error(`CH3's course not told: ${shown}`);
    const messages = adv.flatMap((k) => k.findings.map((f) => f.message)).join("\n");
    if (/\d{3,} days|\b[a-z]+_[a-z_]+\b|change -\d/.test(messages)) throw new Error(`a code, a day count or an undirected change: ${messages}`);
    // the "Why" details give each fact's value in words too
    const why = await page.locator(".advice details").first().evaluate((d) => { d.open = true; return d.innerText; });
    if (/\d{3,} days|= -\d/.test(why) || !why.includes("yes")) throw new Error(`why: ${why}`);
    // dates in the reader's locale: the treatment list is not ISO
    const tx = (await page.locator("li").filter({ hasText: "bone marrow aspirate" }).allTextContents()).join("\n");
    const want = await page.evaluate(() => new Intl.DateTimeFormat(undefined, { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" }).format(new Date(Date.UTC(2009, 10, 30))));
    if (!tx.includes(want) || tx.includes("2009-11-30")) throw new Error(`no locale date ${want}: ${tx}`);
    await shot(page, "11c-patient-CH3-advice");
  });
  await step("the chase list: open or recently closed windows, soonest first, older ones counted as lost", async () => {
    await page.goto(BASE + "/#/");
    const card = page.locator("#chase");
    await card.getByRole("heading", { name: "Follow-ups to chase" }).waitFor();
    const { json: over } = await api("GET", "/api/v1/followups?status=overdue");
    await card.getByText(`${over.lost} older unanswered window`, { exact: false }).waitFor();
    const { json: due } = await api("GET", "/api/v1/followups?status=due");
    const rows = await card.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
    // the same list worked from the API: recent overdue and due, by window end
    const want = [...over.followups.filter((f) => !f.lost).map((f) => ({ ...f, st: "overdue" })), ...due.followups.map((f) => ({ ...f, st: "due" }))]
      .sort((a, b) => (a.window[1] < b.window[1] ? -1 : a.window[1] > b.window[1] ? 1 : a.patient < b.patient ? -1 : a.patient > b.patient ? 1 : 0))
      .slice(0, 16).map((f) => [f.patient, f.knee, f.label, f.st]);
    const got = rows.map((r) => [r[0], r[1], r[2], r[4]]);
    if (!eq(got, want)) throw new Error(`chase list ${JSON.stringify(got)} != ${JSON.stringify(want)}`);
    for (const r of rows) if (/^(2[5-9]|[3-9]\d|\d{3,})m$/.test(r[2])) throw new Error(`timepoint not in years: ${r[2]}`);
    if (over.followups.some((f) => !f.lost && f.window[1] < new Date(Date.now() - 91 * 864e5).toISOString().slice(0, 10))) throw new Error("an old window not marked lost");
    await shot(page, "17b-dashboard-chase");
  });
  await step("a case-history patient with decision support", async () => {
    await page.goto(BASE + "/#/patients/CH1");
    await page.getByRole("heading", { name: "Decision support" }).first().waitFor();
    await page.locator(".finding").first().waitFor();
    await page.waitForTimeout(300);
    await shot(page, "11-patient-CH1");
  });
  await step("the patient page shows genu's case history, as of a chosen date", async () => {
    // still on CH1: the narrative of GET /case, and the records as a timeline
    const card = page.getByRole("region", { name: "Case history" });
    await card.getByText(/^Case history CH1 \(as of \d{4}-\d{2}-\d{2}\)/).waitFor();
    await card.getByText("A 69-year-old male, first seen on 2009-03-02 at oak-park, with pain in both knees.").waitFor();
    await page.getByRole("heading", { name: "Timeline" }).waitFor();
    await card.getByLabel("As of").fill("2009-06-30");
    await card.getByRole("button", { name: "Show" }).click();
    await card.getByText("Case history CH1 (as of 2009-06-30)").waitFor();
    await card.getByText("1. Two bone marrow aspirate treatments (protocol bma+dextrose)").waitFor();
    await card.getByText(/^As of .*2009.*: records dated later are not in it\.$/).waitFor();
    await card.scrollIntoViewIfNeeded();
    await card.screenshot({ path: join(OUT, "11b-patient-CH1-case-history.png") });
  });
  await step("record a death: a date before the patient's records is refused by its field, then the page shows it", async () => {
    const did = pid + "-D"; // a patient of its own, seeded through the API
    for (const r of [{ type: "patient", id: did, site: "oak", sex: "male", birth_year: 1938 },
      { type: "treatment", patient: did, knee: "right", date: "2025-03-01", kind: "prp", sites: ["intra_articular"] }]) {
      const a = await api("POST", "/api/v1/records", r);
      if (a.status !== 201) throw new Error(`seeding ${r.type}: ${a.status} ${a.text}`);
    }
    await page.goto(BASE + `/#/patients/${did}`);
    await page.getByRole("link", { name: "+ Death" }).click();
    await page.getByLabel("Date of death").fill("2025-02-01");
    await page.getByLabel("Cause").fill("heart failure");
    await page.getByRole("button", { name: "Save" }).click();
    await page.locator(".field.invalid").getByText("after this death").waitFor();
    if ((await page.getByLabel("Date of death").getAttribute("aria-invalid")) !== "true") throw new Error("the date is not marked invalid");
    await shot(page, "11c-death-error");
    await page.getByLabel("Date of death").fill("2025-09-15");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("heading", { name: `Patient ${did}` }).waitFor();
    await page.getByText("Died on 2025-09-15").first().waitFor();
    await page.getByRole("region", { name: "Timeline" }).getByText("died (heart failure)").waitFor();
    await page.getByRole("region", { name: "Case history" }).getByText("Died on 2025-09-15 (heart failure).").waitFor();
    if (await page.getByRole("link", { name: "+ Death" }).count()) throw new Error("a second death is offered");
    await shot(page, "11d-patient-died");
  });
  await step("cohort report with KM curves", async () => {
    await page.goto(BASE + "/#/report?by=kl");
    await page.getByRole("heading", { name: "Replacement-free survival" }).waitFor();
    await page.getByText(/Numbers at risk.*fewer than 10 knees remain at risk/).waitFor();
    await page.waitForTimeout(300);
    await shot(page, "12-report");
  });
  await step("cohort report: with deaths, the cumulative incidence of replacement beside 1 − KM", async () => {
    // the demo registry has patients who died (and the step above recorded one)
    const r = await api("GET", "/api/v1/report?by=kl");
    if (r.status !== 200 || !r.json?.survival?.cumulative_incidence) throw new Error(`the report has no cumulative incidence: ${r.status}`);
    await page.goto(BASE + "/#/report?by=kl");
    await page.getByRole("heading", { name: "Death as a competing risk" }).waitFor();
    const chart = page.getByRole("img", { name: "Cumulative incidence of replacement, death competing" });
    await chart.locator("canvas").waitFor();
    const fig = page.locator("figure.cuminc-chart");
    await fig.getByText("0-2, 1 − KM").first().waitFor();
    await fig.getByText(/competing event \(solid\) and 1 − Kaplan–Meier \(dashed\)\. Each curve stops where fewer than 10 knees remain at risk\./).waitFor();
    await page.getByRole("table", { name: /Replaced by year/ }).waitFor();
    await fig.scrollIntoViewIfNeeded();
    await page.waitForTimeout(300);
    await fig.screenshot({ path: join(OUT, "12b-report-cuminc.png") });
  });
  await step("claim audit explains the verdict", async () => {
    await page.goto(BASE + "/#/claim");
    await page.getByRole("button", { name: "Audit the claim" }).click();
    await page.getByRole("heading", { name: /^Verdict: / }).waitFor();
    await page.getByText(/responded: /).waitFor();
    await shot(page, "13-claim");
  });
  await step("claim audit: a bad definition is shown by its field", async () => {
    await page.getByLabel("Responder definition").fill("nonsense");
    await page.getByRole("button", { name: "Audit the claim" }).click();
    await page.locator(".field.invalid").first().waitFor();
  });
  await step("claim audit: compare whole-knee with intra-articular only, adjusted", async () => {
    await page.goto(BASE + "/#/claim");
    await page.getByRole("button", { name: "Compare", exact: true }).click();
    await page.getByRole("heading", { name: /whole-knee vs intra-articular only/ }).waitFor();
    await page.getByText(/Crude difference/).waitFor();
    await page.locator("svg.forest").waitFor();
    await page.getByRole("rowheader", { name: "whole_knee" }).waitFor();
    await shot(page, "13b-compare");
  });
  await step("export and admin pages", async () => {
    await page.goto(BASE + "/#/export");
    await page.getByRole("link", { name: /Download the export/ }).waitFor();
    await shot(page, "14-export");
    await page.goto(BASE + "/#/admin");
    await page.getByRole("heading", { name: "Audit trail", exact: true }).waitFor();
    await page.getByRole("cell", { name: "user:cli:import" }).or(page.getByRole("cell", { name: /^cli:/ })).first().waitFor();
    await shot(page, "15-admin");
  });
  await step("sign out", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in to genu" }).waitFor();
  });
  const followupRequests = [];
  page.on("request", (r) => { if (r.url().includes("/api/v1/followup")) followupRequests.push(r.url()); });
  await step("a researcher sees no identity, and the case history in days", async () => {
    await page.getByLabel("Name").fill("res");
    await page.getByLabel("Password").fill("research-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    // researchers list and read patients by pseudonym
    const list = await page.evaluate(async () => (await fetch("/api/v1/patients?limit=500")).json());
    if (list.patients.some((x) => x.id === pid)) throw new Error("a registry id shown to a researcher");
    const pseud = list.patients[0].id;
    researcherPatient = pseud;
    await page.goto(BASE + `/#/patients/${pseud}`);
    await page.getByRole("heading", { name: `Patient ${pseud}` }).waitFor();
    // the case history, in days from the index date, with no date to choose
    await page.getByText("In days from the index date (day 0), as of today.").waitFor();
    if (await page.getByLabel("As of").count()) throw new Error("a researcher offered a date for the case history");
    const text = await page.locator("main").innerText();
    if (!text.includes(`Case history ${pseud} (in days from the index date)`)) throw new Error("no case history in days for a researcher");
    // the timeline in day order (text order would put "day 1036" before "day 728")
    const days = (await page.locator("ol.history time").allInnerTexts()).map((t) => Number(/^day (-?\d+)$/.exec(t)?.[1]));
    if (!days.length || days.some((d, i) => Number.isNaN(d) || (i > 0 && d < days[i - 1]))) throw new Error(`the timeline is not in day order: ${days.join(" ")}`);
    if (/\d{4}-\d{2}-\d{2}/.test(text)) throw new Error("a date shown to a researcher");
    if (text.includes("Wilhelmina") || text.includes("Identity")) throw new Error("identity shown to a researcher");
    if (await page.getByRole("link", { name: "+ Diagnosis" }).count()) throw new Error("researcher offered a form");
    await shot(page, "16-researcher-patient");
  });
  await step("a researcher gets no follow-up data: no calls, no rates, no messages", async () => {
    await page.goto(BASE + "/#/");
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    await page.getByRole("heading", { name: "Follow-up completeness" }).waitFor();
    await page.waitForLoadState("networkidle");
    if (await page.getByRole("heading", { name: "Follow-up response" }).count()) throw new Error("follow-up response shown to a researcher");
    if (await page.getByRole("link", { name: "Who to call" }).count()) throw new Error("who to call offered to a researcher");
    const all = await page.evaluate(async () => (await fetch("/api/v1/patients?limit=500")).json());
    for (const x of all.patients) {
      const one = await page.evaluate(async (i) => (await fetch(`/api/v1/patients/${i}`)).json(), x.id);
      if (one.records.message) throw new Error("messages sent to a researcher");
    }
    await page.goto(BASE + "/#/calls");
    await page.getByText("Your role (researcher) cannot use this page.").waitFor();
    if (followupRequests.length) throw new Error(`asked for follow-up data: ${followupRequests.join(", ")}`);
  });
  await step("a page left while it loads leaves nothing on the next one", async () => {
    // the dashboard's report answers late; the user is on a patient page by then
    await page.route("**/api/v1/report*", async (route) => {
      await new Promise((r) => setTimeout(r, 1500));
      await route.continue();
    });
    await page.goto(BASE + "/#/");
    await page.goto(BASE + `/#/patients/${researcherPatient}`); // signed in as the researcher
    await page.getByRole("heading", { name: `Patient ${researcherPatient}` }).waitFor();
    await page.waitForTimeout(2500); // the late answer has arrived meanwhile
    await page.unroute("**/api/v1/report*");
    const h1s = await page.locator("main h1").allInnerTexts();
    if (h1s.length !== 1 || h1s[0] !== `Patient ${researcherPatient}`) throw new Error(`headings on the page: ${h1s.join(" | ")}`);
    if ((await page.locator("main").innerText()).includes("in the cohort")) throw new Error("the dashboard's figures leaked onto the patient page");
  });
  await step("keyboard: focus is visible on the skip link", async () => {
    await page.goto(BASE + "/#/");
    // a fresh load, so sequential focus starts at the top of the document
    // (a hash route change alone keeps the previous focus position)
    await page.reload();
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    // the dashboard fills in as its requests return; Tab once it is settled,
    // so a late re-render cannot take the focus back to the body
    await page.waitForLoadState("networkidle");
    await page.keyboard.press("Tab");
    await page.waitForFunction(() => document.activeElement?.classList.contains("skip"),
                               null, { timeout: 5000 })
      .catch(() => { throw new Error("Tab did not reach the skip link"); });
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    if (outline === "none") throw new Error("no visible focus");
  });
  await step("no console errors", async () => {
    if (consoleErrors.length) throw new Error(consoleErrors.join("\n"));
  });
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(fails ? `${fails} failed` : "all passed");
process.exit(fails ? 1 : 0);
