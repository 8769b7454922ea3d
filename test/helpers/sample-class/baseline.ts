/**
 * The sample class's committed results (fixtures/sample-class-results/): what every sample
 * student, the reference and the skeleton are given under the suite's secret, as the results.json
 * `npm run grade` would write, in its comparable form (graders/results/result-differences.ts
 * `comparableResult`: no run times, no efficiency verdicts, which the clock decides). A change
 * that restructures the grader must leave every file as it is, byte for byte: the Jest suite
 * (suite.ts) compares each grading it already does with its file, so the class is not graded a
 * second time; `npm run baseline` (make-baseline.ts) rewrites them, for an intended change of
 * verdicts or messages only. No Jest import here: make-baseline.ts runs outside Jest.
 */
import type { ValidateFunction } from "ajv";
import stringify from "json-stringify-pretty-compact";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { makeAjv } from "../../../graders/ajv";
import type { AssignmentName } from "../../../graders/cases/case";
import { toGradescope } from "../../../graders/results/gradescope";
import { type Json, comparableResult, jsonDifferences } from "../../../graders/results/result-differences";
import type { SubmissionResult } from "../../../graders/result-model";
import { assertValidResults } from "../../../graders/results/validate-results";
import { sortedKeys } from "../../../graders/sorted-keys";
import { classOf } from "./class";

/** The hidden cases' secret of every sample-class grading in the suite, and of the baseline. */
export const SECRET = "sample-class-test";
export const BASELINE_DIR = join("fixtures", "sample-class-results");
export const BASELINE_SCHEMA = join(BASELINE_DIR, "baseline.schema.json");
/** The command that rewrites the baseline (of one assignment with `-- --assignment A`). */
export const BASELINE_COMMAND = "npm run baseline";
/** How many differences a failure shows: the first ones say what changed; the command shows them all. */
const SHOWN = 5;
/** How much of a changed message a difference shows on either side of the change. */
export const CONTEXT = 40;

/** One graded folder and its baseline file. */
export interface Baselined {
  /** The submission folder, as the suite grades it (its name is the student id in the result). */
  dir: string;
  /** Its baseline file. */
  file: string;
}

/** What the suite grades with the suite's secret: each student of class.json, the reference, the skeleton. */
export function baselined(assignment: AssignmentName): Baselined[] {
  const at = (...path: string[]) => join(BASELINE_DIR, assignment, ...path);
  return [
    ...Object.keys(classOf(assignment))
      .sort()
      .map((id) => ({ dir: `fixtures/submissions/${assignment}/${id}`, file: at("students", `${id}.json`) })),
    { dir: `reference/${assignment}`, file: at("reference.json") },
    { dir: `assignments/${assignment}/skeleton`, file: at("skeleton.json") },
  ];
}

/** The files in the baseline folder of `assignment` (the .json files at any depth), as `baselined` names them. */
export function baselineFiles(assignment: AssignmentName): string[] {
  const dir = join(BASELINE_DIR, assignment);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith(".json"))
    .map((d) => join(d.parentPath, d.name));
}

/** The baseline file of the folder `dir` (one of `baselined(assignment)`). */
export function baselineFile(assignment: AssignmentName, dir: string): string {
  const found = baselined(assignment).find((b) => b.dir === dir);
  if (!found) throw new Error(`${dir} is not graded into the baseline of ${assignment} (test/helpers/sample-class/baseline.ts baselined)`);
  return found.file;
}

/** A baseline file: which grading it records, and the result's comparable form. */
export interface BaselineFile {
  format: 1;
  generator: typeof BASELINE_COMMAND;
  assignment: AssignmentName;
  submission: string;
  secret: string;
  result: Json;
}

/** The comparable form of the results.json `npm run grade` writes for `result` (validated first, as it does). */
export function comparableOf(result: SubmissionResult): Json {
  const gradescope = toGradescope(result);
  assertValidResults(gradescope);
  return sortedKeys(comparableResult(JSON.parse(JSON.stringify(gradescope)) as Json));
}

let validate: ValidateFunction | undefined;
/** What is wrong with a baseline file's parsed contents (BASELINE_SCHEMA), none when it is one. */
function fileProblems(data: unknown): string | null {
  validate ??= makeAjv({ allErrors: true, strict: true, schemaFile: true }).compile(JSON.parse(readFileSync(BASELINE_SCHEMA, "utf8")));
  return validate(data) ? null : JSON.stringify(validate.errors);
}

/** The exact bytes of the baseline file of `dir` graded into `result`, checked against its schema. */
export function baselineText(assignment: AssignmentName, dir: string, result: SubmissionResult): string {
  const file: BaselineFile = { format: 1, generator: BASELINE_COMMAND, assignment, submission: dir, secret: SECRET, result: comparableOf(result) };
  const text = `${stringify(file, { maxLength: 120 })}\n`;
  const problems = fileProblems(JSON.parse(text));
  if (problems) throw new Error(`the baseline of ${dir} (generated) is not valid against ${BASELINE_SCHEMA}: ${problems}`);
  return text;
}

/**
 * Why `result` (the grading of `dir` with SECRET) is not what the committed baseline holds, as a
 * failure message: the first differences (baseline → now) and what to do; null when it is.
 */
export function baselineMismatch(assignment: AssignmentName, dir: string, result: SubmissionResult): string | null {
  const file = baselineFile(assignment, dir);
  const regenerate = `${BASELINE_COMMAND} -- --assignment ${assignment}`;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return `${dir}: no baseline of its results (${file} is missing): make it with \`${regenerate}\`, read it, and commit it.`;
  }
  const committed = JSON.parse(text) as unknown;
  const problems = fileProblems(committed);
  if (problems) return `${file} is not a baseline file (${BASELINE_SCHEMA}): ${problems}\nRewrite it with \`${regenerate}\`.`;
  const found = jsonDifferences((committed as BaselineFile).result, comparableOf(result), CONTEXT);
  if (found.length === 0) return null;
  return [
    `${dir}: its results differ from the committed baseline ${file} in ${found.length} place${found.length === 1 ? "" : "s"} (baseline → now)` +
      `${found.length > SHOWN ? `, the first ${SHOWN} (\`${BASELINE_COMMAND} -- --check --assignment ${assignment}\` prints every one)` : ""}:`,
    ...found.slice(0, SHOWN).map((d) => `  ${d}`),
    `The baseline is the sample class's verdicts and messages before your change (run times and efficiency verdicts left out). ` +
      `A restructuring must not change them: fix the change. Only for an intended change of verdicts or messages, ` +
      `rewrite the baseline with \`${regenerate}\` and commit the diff with the change.`,
  ].join("\n");
}
