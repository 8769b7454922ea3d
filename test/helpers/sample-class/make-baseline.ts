/**
 * npm run baseline [-- --assignment A] [-- --check]
 *
 * Grades the sample class (every student of each class.json, the reference and the skeleton)
 * exactly as the Jest suite does (gradeSubmission with its secret), one submission at a time, and
 * writes each result's comparable form to fixtures/sample-class-results/ (baseline.ts says what
 * the files hold and why). Files of students no longer in class.json are removed.
 * --assignment A (repeatable): only those assignments. --check writes nothing: exits 1 if any
 * file differs from the fresh grading (each difference printed, committed → fresh), or is missing
 * or extra (a second run right after a first is how to see that grading is deterministic).
 * For an intended change of verdicts or messages only: review the diff and commit it with the change.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { ASSIGNMENTS, type AssignmentName } from "../../../graders/cases/case";
import { gradeSubmission } from "../../../graders/grade";
import { jsonDifferences } from "../../../graders/results/result-differences";
import { checkedAssignment, parseCommandLine, runMain } from "../../../scripts/cli";
import { type BaselineFile, CONTEXT, SECRET, baselineFiles, baselineText, baselined } from "./baseline";

const USAGE = "usage: npm run baseline [-- --assignment A ...] [-- --check]";
const read = (path: string) => {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
};

/** What differs between a committed file and a fresh one: the result's differences (committed → fresh), else that only the bytes do. */
function staleness(committed: string, fresh: string): string[] {
  let before: BaselineFile;
  try {
    before = JSON.parse(committed) as BaselineFile;
  } catch (e) {
    return [`not JSON: ${(e as Error).message}`];
  }
  const found = jsonDifferences(before.result, (JSON.parse(fresh) as BaselineFile).result, CONTEXT);
  return found.length > 0 ? found : ["the same result, other bytes (the header or the layout)"];
}

await runMain(async () => {
  const { values } = parseCommandLine({ options: { assignment: { type: "string", multiple: true }, check: { type: "boolean" } } }, USAGE);
  const assignments: AssignmentName[] = values.assignment ? values.assignment.map((a) => checkedAssignment(a, USAGE)) : [...ASSIGNMENTS];
  const check = values.check === true;
  let stale = 0;
  let files = 0;
  const started = performance.now();
  for (const assignment of assignments) {
    const planned = baselined(assignment);
    for (const { dir, file } of planned) {
      const result = await gradeSubmission(assignment, dir, { secret: SECRET });
      const text = baselineText(assignment, dir, result);
      const current = read(file);
      files++;
      const holds = `${result.score}/${result.maxScore}`;
      if (check) {
        if (current !== text) stale++;
        console.log(`${current === text ? "ok     " : current === null ? "MISSING" : "STALE  "} ${file} (${holds})`);
        if (current !== null && current !== text) for (const line of staleness(current, text)) console.log(`          ${line}`);
      } else {
        mkdirSync(dirname(file), { recursive: true });
        if (current !== text) writeFileSync(file, text);
        console.log(`${current === text ? "same " : "wrote"} ${file} (${holds}, ${text.length} bytes)`);
      }
    }
    const wanted = new Set(planned.map((p) => p.file));
    for (const extra of baselineFiles(assignment).filter((f) => !wanted.has(f))) {
      if (check) {
        stale++;
        console.log(`EXTRA   ${extra} (graded by no test)`);
      } else {
        rmSync(extra);
        console.log(`removed ${extra} (graded by no test)`);
      }
    }
  }
  console.log(`${files} submissions graded with secret "${SECRET}" in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (check && stale > 0) {
    console.error(
      `${stale} baseline file(s) differ from a fresh grading: run \`npm run baseline${values.assignment ? ` -- ${assignments.map((a) => `--assignment ${a}`).join(" ")}` : ""}\`, and commit the diff only for an intended change.`,
    );
    return 1;
  }
  return 0;
});
