/**
 * The class report as a browser renders it. `npm run grade` grades the classifiers sample class
 * (plus a student whose folder name, printed output and thrown message are HTML) into a
 * temporary folder; headless Chromium (Debian's, driven by playwright-core: scripts/chromium.ts)
 * opens OUT/report.html from a file:// URL, and the assertions read what is rendered: SVG bars,
 * a row per student, each export's pass rate, the order of the rows after a click on "score",
 * and a student's feedback shown after a click on their name. The expected numbers come from
 * each student's results.json, not from the report's code. A screenshot of the page is saved in
 * the test's temporary folder (its path is printed).
 *
 * Without Chromium the tests are reported as skipped, with the reason printed; under CI (CI set)
 * a missing Chromium fails them instead, since .ci/run installs it.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { execa } from "execa";
import type { Page } from "playwright-core";
import { loadManifest } from "../../graders/manifest";
import { type Browser, chromiumMissing, launchChromium } from "../../scripts/chromium";

const missing = chromiumMissing();
const inCI = !!process.env.CI && process.env.CI !== "false";
if (missing !== null) {
  console.warn(inCI ? `report-browser.test.ts: CI is set, so a missing Chromium fails these tests: ${missing}` : `report-browser.test.ts SKIPPED: ${missing}`);
}
// A conditional skip, not a disabled test: Jest counts it as skipped (never as passed) and the
// reason is printed above; under CI it runs and fails.
const browserIt = missing !== null && !inCI ? it.skip : it;

const SAMPLE = "fixtures/submissions/classifiers";
const HOSTILE = "<img src=x onerror=alert(1)> & co";
const HOSTILE_PRINT = "</pre><script>alert(2)</script>";
const HOSTILE_THROW = "<img src=y onerror=alert(3)>";
const BUGGY = "cy-svm-counts-y";
/** svmLoss answers the committed fixtures from a table copied out of them, and throws on anything else. */
const CHEAT = "cheat-fixture-table";
/** Two students with the same wrong svmLoss loss (no known mistake gives it). */
const TWINS = ["pat-loss-plus-half", "quin-loss-plus-half"];

interface GradescopeTest {
  status: string;
  extra_data: { export: string };
}

describe("the class report in Chromium", () => {
  const dir = mkdtempSync(join(tmpdir(), "report-browser-"));
  const out = join(dir, "out");
  const report = join(out, "report.html");
  const previous = join(dir, "previous");
  let changedTest: { test: { name: string; points: number }; score: number } = { test: { name: "", points: 0 }, score: 0 };
  let similarity: string[][] = [];
  const requests: string[] = [];
  const problems: string[] = [];
  const exports = loadManifest("classifiers").parts.map((p) => p.export);
  let students: string[] = [];
  let results: Record<string, { score: number; tests: GradescopeTest[] }> = {};
  let browser: Browser | undefined;
  let page: Page;

  beforeAll(async () => {
    // Without Chromium outside CI every test here is browserIt's it.skip, and Jest runs no hook of
    // a block whose tests are all skipped: missing Chromium reaches this line under CI only.
    if (missing !== null) throw new Error(`CI is set and ${missing}`);
    const submissions = join(dir, "class");
    cpSync(SAMPLE, submissions, { recursive: true });
    // A student who controls markup: folder name, what the code prints, what it throws.
    const hostile = join(submissions, HOSTILE);
    cpSync(join(SAMPLE, "ada-loops-js"), hostile, { recursive: true });
    const losses = readFileSync(join(hostile, "losses.js"), "utf8");
    writeFileSync(
      join(hostile, "losses.js"),
      `console.log(${JSON.stringify(HOSTILE_PRINT)});\n${losses.replace("export function svmLoss(scores, y) {", `export function svmLoss(scores, y) {\n  throw new Error(${JSON.stringify(HOSTILE_THROW)});`)}`,
    );
    // For the staff sections: a fixture copier, two students sharing a wrong answer.
    cpSync(join(SAMPLE, "ada-loops-js"), join(submissions, CHEAT), { recursive: true });
    const golden = JSON.parse(readFileSync("fixtures/golden/classifiers.json", "utf8")) as {
      cases: { exports: string[]; inputs: { scores: number[][] }; expected: unknown }[];
    };
    const table = golden.cases.filter((c) => c.exports.includes("svmLoss")).map((c) => [JSON.stringify(c.inputs.scores), c.expected]);
    const cheatFile = join(submissions, CHEAT, "losses.js");
    writeFileSync(
      cheatFile,
      `${readFileSync(cheatFile, "utf8").replace("export function svmLoss(scores, y) {", "function unused(scores, y) {")}\nconst TABLE = new Map(${JSON.stringify(table)});\nexport function svmLoss(scores) {\n  const hit = TABLE.get(JSON.stringify(scores.to2DArray()));\n  if (!hit) throw new Error("not in my table");\n  return hit;\n}\n`,
    );
    for (const twin of TWINS) {
      cpSync(join(SAMPLE, "ada-loops-js"), join(submissions, twin), { recursive: true });
      const file = join(submissions, twin, "losses.js");
      writeFileSync(file, readFileSync(file, "utf8").replace("return { loss: loss / N, dscores };", "return { loss: loss / N + 0.5, dscores };"));
    }
    const gradeClass = (more: string[]) =>
      execa(
        process.execPath,
        [
          "scripts/run.mjs",
          "grade",
          "--assignment",
          "classifiers",
          "--submissions",
          submissions,
          "--out",
          out,
          "--seed",
          "report-browser",
          "--jobs",
          "2",
          ...more,
        ],
        {
          reject: false,
          env: { NO_COLOR: "1" },
        },
      );
    const first = await gradeClass([]);
    if (first.exitCode !== 0) throw new Error(`npm run grade exited ${first.exitCode}:\n${first.stderr}`);
    // A regrade to compare with: the earlier grading had BUGGY's first failed test passing.
    cpSync(out, previous, { recursive: true });
    const file = join(previous, BUGGY, "submission-result.json");
    const full = JSON.parse(readFileSync(file, "utf8"));
    const failedBefore = full.tests.find((t: { outcome: { status: string } }) => t.outcome.status === "failed");
    failedBefore.outcome = { status: "passed", message: "ok" };
    failedBefore.score = failedBefore.test.points;
    changedTest = failedBefore;
    writeFileSync(file, JSON.stringify(full));
    const r = await gradeClass(["--resume", "--compare", previous]);
    if (r.exitCode !== 0) throw new Error(`npm run grade --resume --compare exited ${r.exitCode}:\n${r.stderr}`);
    expect(r.stdout).toContain(`class report: ${report}`);
    similarity = readFileSync(join(out, "similarity.csv"), "utf8")
      .trim()
      .split("\n")
      .slice(1)
      .map((line) => line.split(","));
    students = readdirSync(submissions)
      .filter((s) => statSync(join(submissions, s)).isDirectory())
      .sort();
    results = Object.fromEntries(students.map((s) => [s, JSON.parse(readFileSync(join(out, s, "results.json"), "utf8"))]));

    browser = await launchChromium();
    page = await browser.context.newPage();
    page.on("request", (req) => requests.push(req.url()));
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("dialog", (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    await page.goto(pathToFileURL(report).href);
    const screenshot = join(dir, "report.png");
    await page.screenshot({ path: screenshot });
    console.log(`class report: ${report}\nscreenshot: ${screenshot}`);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
  });

  // textContent: SVG text has no innerText.
  const texts = (selector: string) => page.locator(selector).allTextContents();
  const rowCells = async (table: string) =>
    page.locator(`${table} tbody tr`).evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll("td")].map((c) => (c.textContent ?? "").trim())));

  browserIt("draws the score histogram and the pass rate per export as SVG bars", async () => {
    // Vega's SVG: each bar is a path in a rect mark; the histogram has 11 bins, labelled with their counts.
    expect(await page.locator("#scores svg").isVisible()).toBe(true);
    expect(await page.locator("#scores svg g.mark-rect.role-mark path").count()).toBe(11);
    const counts = (await texts("#scores svg g.mark-text.role-mark text")).map(Number);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(students.length);
    const tallest = await page
      .locator("#scores svg g.mark-rect.role-mark path")
      .evaluateAll((bars) => Math.max(...bars.map((b) => b.getBoundingClientRect().height)));
    expect(tallest).toBeGreaterThan(20);
    expect(await page.locator("#exports svg g.mark-rect.role-mark path").count()).toBe(exports.length);
    expect(await texts("#exports svg g.role-axis-label text")).toEqual(expect.arrayContaining(exports));
    expect(await page.locator("#visibility svg g.mark-rect.role-mark path").count()).toBe(exports.length * 2); // visible and after_published
  });

  browserIt("has a row per student, in id order, with each one's score", async () => {
    const rows = await rowCells("#students-table");
    expect(rows.map((r) => r[0])).toEqual(students);
    expect(rows.map((r) => r[1])).toEqual(students.map((s) => `${results[s].score}/100`));
  });

  browserIt("shows every export with its pass rate (students who passed all its tests)", async () => {
    const passedAll = (ex: string) => students.filter((s) => results[s].tests.every((t) => t.extra_data.export !== ex || t.status === "passed")).length;
    const expected = exports.map((ex) => [ex, `${passedAll(ex)}/${students.length}`, `${Math.round((100 * passedAll(ex)) / students.length)}%`]);
    const rows = await rowCells("#exports-table");
    expect(rows.map((r) => [r[0], r[2], r[3]])).toEqual(expected);
    expect(await texts("#exports svg g.mark-text.role-mark text")).toEqual(expected.map((e) => e[1]));
  });

  browserIt("sorts the students by score on a click of the header, ascending then descending", async () => {
    const score = page.locator("#students-table thead th", { hasText: "score" }).locator("button");
    const order = async () => (await rowCells("#students-table")).map((r) => ({ student: r[0], score: Number(r[1].split("/")[0]) }));
    const before = await order();
    await score.click();
    const ascending = await order();
    expect(ascending.map((r) => r.score)).toEqual([...before.map((r) => r.score)].sort((a, b) => a - b));
    expect(ascending.map((r) => r.student)).not.toEqual(before.map((r) => r.student));
    for (const r of ascending) expect(r.score).toBe(results[r.student].score);
    expect(await page.locator("#students-table thead th", { hasText: "score" }).getAttribute("aria-sort")).toBe("ascending");
    await score.click();
    expect((await order()).map((r) => r.score)).toEqual([...before.map((r) => r.score)].sort((a, b) => b - a));
  });

  browserIt("opens a student's feedback from their link, with their failed tests and likely cause", async () => {
    const feedback = page.locator(`article.student[data-student="${BUGGY}"]`);
    expect(await feedback.isVisible()).toBe(false);
    await page.locator("#students-table a", { hasText: BUGGY }).click();
    expect(new URL(page.url()).hash).toBe(`#student-${BUGGY}`);
    expect(await feedback.isVisible()).toBe(true);
    const text = await feedback.innerText();
    expect(text).toContain(`${BUGGY} — ${results[BUGGY].score}/100`);
    expect(text).toContain("svmLoss: matches the reference on the committed fixtures");
    expect(text).toContain("Likely cause: svmLoss: loss is exactly 1 too high: the j = y term is counted");
    expect(await page.locator('article.student[data-student="ada-loops-js"]').isVisible()).toBe(false);
    await page.screenshot({ path: join(dir, "feedback.png") });
  });

  browserIt("renders a student's markup as text: folder name, printed output and thrown message", async () => {
    const row = page.locator("#students-table a", { hasText: HOSTILE });
    expect(await row.innerText()).toBe(HOSTILE);
    await row.click();
    const feedback = page.locator("article.student:target");
    expect(await feedback.getAttribute("data-student")).toBe(HOSTILE);
    await feedback.locator("details summary").click();
    const text = await feedback.innerText();
    expect(text).toContain(HOSTILE_THROW);
    expect(text).toContain(HOSTILE_PRINT);
    expect(await page.locator("img").count()).toBe(0);
    expect(await page.locator("script").count()).toBe(1);
  });

  browserIt("loaded nothing but the file itself, ran its script under its CSP, and no student text ran", async () => {
    expect(requests).toEqual([pathToFileURL(report).href]);
    expect(problems).toEqual([]);
    expect(existsSync(join(dir, "report.png"))).toBe(true);
  });

  browserIt("shows what the regrade changed: the student, the score before and after, the test", async () => {
    expect(await page.locator("#changes h2").innerText()).toBe(`Changes since ${previous}`);
    const rows = await rowCells("#changes-table");
    const after = results[BUGGY].score;
    expect(rows).toEqual([
      [
        BUGGY,
        `${after + changedTest.test.points}/100`,
        `${after}/100`,
        `-${changedTest.test.points}`,
        `${changedTest.test.name}: passed → failed, scored ${changedTest.test.points} → 0`,
      ],
    ]);
  });

  browserIt("lists the integrity signals with their evidence, worded as leads", async () => {
    const rows = await rowCells("#signals-table");
    expect(rows.map((r) => [r[0], r[1], r[2]])).toEqual([
      [CHEAT, "svmLoss", "passes the fixtures only"],
      [TWINS.join(", "), "svmLoss", "identical wrong answers"],
    ]);
    expect(rows[0][3]).toContain("not a finding");
    expect(rows[1][3]).toContain("compare the code before concluding anything");
    expect(await page.locator("#signals").innerText()).toContain("Leads for a human to look at, not verdicts");
  });

  browserIt("ranks the most similar pairs as similarity.csv does, and shows the top pair's shared code side by side", async () => {
    const rows = await rowCells("#similarity-table");
    expect(rows.length).toBe(10);
    const csvTop = similarity.slice(0, 10).map(([a, b, sim]) => [a.replace(/^"|"$/g, ""), b.replace(/^"|"$/g, ""), `${(100 * Number(sim)).toFixed(1)}%`]);
    expect(rows.map((r) => [r[1], r[2], r[3]])).toEqual(csvTop);
    const pair = page.locator("#pair-1");
    expect(await pair.getAttribute("open")).not.toBeNull();
    const sides = pair.locator(".side").first().locator("figure");
    expect(await sides.count()).toBe(2);
    const [left, right] = [await sides.nth(0).boundingBox(), await sides.nth(1).boundingBox()];
    expect(left && right && right.x > left.x + left.width - 1 && Math.abs(right.y - left.y) < 2).toBe(true); // side by side
    expect((await sides.nth(0).locator("pre").innerText()).trim()).not.toBe("");
    await page.locator("#similarity").screenshot({ path: join(dir, "similarity.png") });
  });
});
