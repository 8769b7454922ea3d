/**
 * npm run report-screenshot [-- --assignment A --out FILE]
 *
 * The picture of the class report in docs/grading.md: grades the sample class of A (default classifiers)
 * with a fixed hidden seed into a temporary folder, writes its report.html, opens it in headless
 * Chromium (scripts/chromium.ts) and saves the top of the page, 1200×900, as FILE (default
 * graders/results/report-screenshot.png). Prints both paths.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { gradeBatch } from "../graders/batch";
import { isAssignment, loadManifest } from "../graders/manifest";
import { toReport } from "../graders/results/report";
import { chromiumMissing, launchChromium } from "./chromium";
import { UsageError, parseCommandLine, runMain } from "./cli";

const USAGE = "usage: npm run report-screenshot [-- --assignment A --out FILE.png]";

await runMain(async () => {
  const { values } = parseCommandLine(
    { options: { assignment: { type: "string", default: "classifiers" }, out: { type: "string", default: "graders/results/report-screenshot.png" } } },
    USAGE,
  );
  const assignment = values.assignment!;
  if (!isAssignment(assignment)) throw new UsageError(`unknown assignment "${assignment}"`, USAGE);
  const missing = chromiumMissing();
  if (missing) throw new UsageError(missing, USAGE);
  const dir = mkdtempSync(join(tmpdir(), "report-screenshot-"));
  const results = await gradeBatch(assignment, join("fixtures", "submissions", assignment), dir, {
    secret: "report-screenshot",
    jobs: availableParallelism(),
    resume: false,
  });
  const report = join(dir, "report.html");
  writeFileSync(report, await toReport(results, loadManifest(assignment)));
  const browser = await launchChromium();
  try {
    const page = await browser.context.newPage();
    await page.goto(pathToFileURL(report).href);
    await page.screenshot({ path: values.out! });
  } finally {
    await browser.close();
  }
  console.log(`class report: ${report}\nscreenshot: ${values.out}`);
});
