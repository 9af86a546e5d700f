// Browser end-to-end test of genu's web interface: playwright-core driving
// Debian's chromium (never a downloaded browser). Expects a running server
// at $GENU_URL with users admin/admin-password and res/research-password,
// and a patient-less site "oak". Screenshots go to $ARTIFACTS.
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
    await page.getByText("intra articular, mcl, pes anserine").first().waitFor();
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
    await page.getByRole("checkbox", { name: "koos" }).check();
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
    await card.getByText("As of 2009-06-30: records dated later are not in it.").waitFor();
    await card.scrollIntoViewIfNeeded();
    await card.screenshot({ path: join(OUT, "11b-patient-CH1-case-history.png") });
  });
  await step("cohort report with KM curves", async () => {
    await page.goto(BASE + "/#/report?by=kl");
    await page.getByRole("heading", { name: "Replacement-free survival" }).waitFor();
    await page.getByText("Numbers at risk").waitFor();
    await page.waitForTimeout(300);
    await shot(page, "12-report");
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
  await step("a researcher sees no identity", async () => {
    await page.getByLabel("Name").fill("res");
    await page.getByLabel("Password").fill("research-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    await page.goto(BASE + `/#/patients/${pid}`);
    await page.getByRole("heading", { name: `Patient ${pid}` }).waitFor();
    const text = await page.locator("main").innerText();
    if (text.includes("Wilhelmina") || text.includes("Identity")) throw new Error("identity shown to a researcher");
    if (await page.getByRole("link", { name: "+ Diagnosis" }).count()) throw new Error("researcher offered a form");
    await shot(page, "16-researcher-patient");
  });
  await step("a page left while it loads leaves nothing on the next one", async () => {
    // the dashboard's report answers late; the user is on a patient page by then
    await page.route("**/api/v1/report*", async (route) => {
      await new Promise((r) => setTimeout(r, 1500));
      await route.continue();
    });
    await page.goto(BASE + "/#/");
    await page.goto(BASE + `/#/patients/${pid}`);
    await page.getByRole("heading", { name: `Patient ${pid}` }).waitFor();
    await page.waitForTimeout(2500); // the late answer has arrived meanwhile
    await page.unroute("**/api/v1/report*");
    const h1s = await page.locator("main h1").allInnerTexts();
    if (h1s.length !== 1 || h1s[0] !== `Patient ${pid}`) throw new Error(`headings on the page: ${h1s.join(" | ")}`);
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
