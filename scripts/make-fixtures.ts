/**
 * npm run fixtures [-- --check]
 * Writes fixtures/golden/<assignment>.json and fixtures/efficiency/<assignment>.json (the expected
 * summaries of the visible efficiency tests) from the reference (seeded, byte-reproducible).
 * --check writes nothing: exits 1 if any committed file differs from what would be written.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { relative } from "node:path";
import { efficiencyFixtureText } from "../graders/cases/efficiency-fixture";
import { EFFICIENCY_DIR, expectedSummariesPath } from "../graders/cases/expected-summaries";
import { ASSIGNMENTS, GOLDEN_DIR, goldenPath, goldenText } from "../graders/cases/golden";

const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== "--check");
if (unknown.length > 0) {
  console.error(`make-fixtures: unknown argument ${unknown.join(" ")}\nusage: npm run fixtures [-- --check]`);
  process.exit(2);
}
const check = args.includes("--check");

/** Every fixture file: its path, its text, and what it holds. */
const fixtures = ASSIGNMENTS.flatMap((assignment) => {
  const golden = goldenText(assignment);
  const efficiency = efficiencyFixtureText(assignment);
  return [
    { path: goldenPath(assignment), text: golden, holds: `${(JSON.parse(golden) as { cases: unknown[] }).cases.length} cases` },
    ...(efficiency === null
      ? []
      : [
          {
            path: expectedSummariesPath(assignment),
            text: efficiency,
            holds: `${(JSON.parse(efficiency) as { entries: unknown[] }).entries.length} expected summaries`,
          },
        ]),
  ];
});

mkdirSync(GOLDEN_DIR, { recursive: true });
mkdirSync(EFFICIENCY_DIR, { recursive: true });
let stale = 0;
for (const { path, text, holds } of fixtures) {
  const shown = relative(process.cwd(), path);
  let current: string | null;
  try {
    current = readFileSync(path, "utf8");
  } catch {
    current = null;
  }
  if (check) {
    const same = current === text;
    if (!same) stale++;
    console.log(`${same ? "ok   " : "STALE"} ${shown} (${holds})`);
  } else {
    writeFileSync(path, text);
    console.log(`${current === text ? "same " : "wrote"} ${shown} (${holds}, ${text.length} bytes)`);
  }
}
if (check && stale > 0) {
  console.error(`${stale} fixture file(s) differ from the reference: run \`npm run fixtures\` and review the diff.`);
  process.exit(1);
}
