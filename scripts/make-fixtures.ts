/**
 * npm run fixtures [-- --check]
 * Writes fixtures/golden/<assignment>.json from the reference (seeded, byte-reproducible).
 * --check writes nothing: exits 1 if any committed file differs from what would be written.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { relative } from "node:path";
import { ASSIGNMENTS, GOLDEN_DIR, goldenPath, goldenText } from "../graders/cases/golden";

const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== "--check");
if (unknown.length > 0) {
  console.error(`make-fixtures: unknown argument ${unknown.join(" ")}\nusage: npm run fixtures [-- --check]`);
  process.exit(2);
}
const check = args.includes("--check");

mkdirSync(GOLDEN_DIR, { recursive: true });
let stale = 0;
for (const assignment of ASSIGNMENTS) {
  const path = goldenPath(assignment);
  const shown = relative(process.cwd(), path);
  const text = goldenText(assignment);
  const cases = (JSON.parse(text) as { cases: unknown[] }).cases.length;
  let current: string | null = null;
  try {
    current = readFileSync(path, "utf8");
  } catch {
    current = null;
  }
  if (check) {
    const same = current === text;
    if (!same) stale++;
    console.log(`${same ? "ok   " : "STALE"} ${shown} (${cases} cases)`);
  } else {
    writeFileSync(path, text);
    console.log(`${current === text ? "same " : "wrote"} ${shown} (${cases} cases, ${text.length} bytes)`);
  }
}
if (check && stale > 0) {
  console.error(`${stale} golden file(s) differ from the reference: run \`npm run fixtures\` and review the diff.`);
  process.exit(1);
}
