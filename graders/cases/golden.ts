/**
 * The golden fixtures: each assignment's case plan drawn with the seed prefix "golden", the
 * expected values computed by the reference, serialized deterministically. The same function
 * writes the files (npm run fixtures) and proves the committed ones are reproducible (tests).
 */
import stringify from "json-stringify-pretty-compact";
import { ASSIGNMENTS, type AssignmentName, type CaseFile } from "./case";
import { CaseFileError, caseFileProblems } from "./load";
import { planCases } from "./plan";
import { rootPath } from "../paths";

const GOLDEN_SEED_PREFIX = "golden";
export const GOLDEN_DIR = `${rootPath("fixtures", "golden")}/`;

export function goldenPath(assignment: AssignmentName): string {
  return `${GOLDEN_DIR}${assignment}.json`;
}

/** The exact bytes of fixtures/golden/<assignment>.json, validated before they are returned. */
export function goldenText(assignment: AssignmentName): string {
  const file: CaseFile = {
    format: 1,
    assignment,
    generator: "scripts/make-fixtures.ts",
    cases: planCases(assignment, GOLDEN_SEED_PREFIX),
  };
  // Round-trip through JSON first: exactly what a reader of the file will see is what we validate.
  const text = `${stringify(file, { maxLength: 120 })}\n`;
  const problems = caseFileProblems(JSON.parse(text));
  if (problems.length > 0) throw new CaseFileError(`golden ${assignment} (generated)`, problems);
  return text;
}

export { ASSIGNMENTS };
