/**
 * node --import tsx test/e2e/sample-class/gradebook-check.ts [OUT]
 *
 * After `npm run grade` (no arguments), each OUT/<assignment>/gradebook.csv (default OUT:
 * out/sample-class) must say what the assignment's class.json says: every student graded, every
 * correct one at full marks, each buggy one short on exactly the exports class.json names and at
 * full marks on every other. CI runs it under each Node line it tests (.ci/run), so a grader that
 * works on one Node and blames the students on another fails CI. Exit 0 when every gradebook
 * matches, else 1 with each mismatch and what the student was told.
 */
import { parse } from "csv-parse/sync";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FULL_RESULT } from "../../../graders/batch";
import { ASSIGNMENTS, type AssignmentName } from "../../../graders/cases/case";
import { loadManifest, testSpecs } from "../../../graders/manifest";
import type { SubmissionResult } from "../../../graders/result-model";
import { classOf, explain } from "../../helpers/sample-class/class";

const out = process.argv[2] ?? join("out", "sample-class");

/** The points each export is worth in the assignment's manifest. */
function pointsPerExport(a: AssignmentName): Map<string, number> {
  const points = new Map<string, number>();
  for (const t of testSpecs(loadManifest(a))) points.set(t.export, (points.get(t.export) ?? 0) + t.points);
  return points;
}

/** Every way `a`'s gradebook differs from its class.json, one line each. */
function mismatches(a: AssignmentName): string[] {
  const rows: Record<string, string>[] = parse(readFileSync(join(out, a, "gradebook.csv"), "utf8"), { columns: true });
  const students = classOf(a);
  const points = pointsPerExport(a);
  const problems: string[] = [];
  const graded = new Set(rows.map((r) => r.student));
  for (const id of Object.keys(students)) if (!graded.has(id)) problems.push(`${a}/${id}: not in the gradebook`);
  for (const row of rows) {
    const student = students[row.student];
    if (!student) {
      problems.push(`${a}/${row.student}: graded, but not in class.json`);
      continue;
    }
    const short = [...points].filter(([e, p]) => Math.abs(Number(row[e]) - p) > 1e-9).map(([e]) => e);
    const expected = student.expect === "correct" ? [] : (student.exports ?? []);
    const full = Math.abs(Number(row.score) - Number(row.max_score)) <= 1e-9;
    if (short.sort().join() === [...expected].sort().join() && full === (expected.length === 0)) continue;
    const result = JSON.parse(readFileSync(join(out, a, row.student, FULL_RESULT), "utf8")) as SubmissionResult;
    problems.push(
      `${a}/${row.student} (${student.expect}${expected.length ? ` on ${expected.join(", ")}` : ""}): scored ${row.score}/${row.max_score}, ` +
        `short on ${short.length ? short.join(", ") : "nothing"}\n${explain(result).replace(/^/gm, "    ")}`,
    );
  }
  return problems;
}

let students = 0;
const problems: string[] = [];
for (const a of ASSIGNMENTS) {
  students += Object.keys(classOf(a)).length;
  problems.push(...mismatches(a));
}
if (problems.length > 0) {
  console.error(`the sample class's gradebooks in ${out}/ do not match class.json (node ${process.version}):\n${problems.join("\n")}`);
  process.exitCode = 1;
} else {
  console.log(`the sample class's gradebooks in ${out}/ match class.json: ${students} students (node ${process.version})`);
}
