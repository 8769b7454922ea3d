/**
 * What fixtures/submissions/<assignment>/class.json says of each sample student, and where a
 * result lost points: shared by the Jest suite (suite.ts) and CI's check of `npm run grade`'s
 * gradebooks (test/e2e/sample-class/gradebook-check.ts), which runs outside Jest.
 */
import { readFileSync } from "node:fs";
import type { AssignmentName } from "../../../graders/cases/case";
import type { SubmissionResult } from "../../../graders/result-model";

export interface Student {
  expect: "correct" | "buggy";
  exports?: string[];
  cause?: string;
  diagnosis?: string;
  note: string;
}
export const classOf = (a: AssignmentName): Record<string, Student> => JSON.parse(readFileSync(`fixtures/submissions/${a}/class.json`, "utf8")).students;

/** The exports on which a result lost points. */
export const lostOn = (r: SubmissionResult) => [...new Set(r.tests.filter((t) => t.outcome.status !== "passed").map((t) => t.test.export))];
/** One line per test that did not pass: name, status, message. */
export const explain = (r: SubmissionResult) =>
  r.tests
    .filter((t) => t.outcome.status !== "passed")
    .map((t) => `${t.test.name}: ${t.outcome.status}: ${t.outcome.message}`)
    .join("\n");
