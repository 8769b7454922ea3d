/**
 * The result of a grading that did not finish because of the grader (a crash, a missing file, the
 * overall time running out): the tests graded so far keep their outcome, and every other test of
 * the manifest is a grader error (0 points, "not your fault, please tell the course staff"). The
 * Gradescope bundle renders one before grading starts, so that Gradescope never finds an empty
 * results folder, and another whenever the grader fails or is stopped.
 */
import type { SubmissionResult, TestResult, TestSpec } from "../result-model";

export interface GraderFailure {
  assignment: string;
  student: string;
  /** Every test of the manifest, in order. */
  specs: TestSpec[];
  /** Why the tests were not graded, one sentence shown to the student ("the grader failed while grading your submission."). */
  message: string;
  /** The internal cause (a stack trace): kept in extra_data for the staff, never in the output. */
  cause?: string;
  /** Tests graded before the failure. */
  graded?: TestResult[];
  executionTimeMs?: number;
}

export function graderFailureResult(f: GraderFailure): SubmissionResult {
  const graded = new Map((f.graded ?? []).map((t) => [t.test.name, t]));
  const tests = f.specs.map(
    (spec): TestResult =>
      graded.get(spec.name) ?? {
        test: spec,
        score: 0,
        outcome: { status: "grader-error", message: f.message, ...(f.cause !== undefined ? { cause: f.cause } : {}) },
        durationMs: 0,
      },
  );
  return {
    assignment: f.assignment,
    student: f.student,
    score: tests.reduce((s, t) => s + t.score, 0),
    maxScore: tests.reduce((s, t) => s + t.test.points, 0),
    executionTimeMs: f.executionTimeMs ?? 0,
    tests,
    messages: [`Grader error: ${f.message} This is not your fault; please tell the course staff.`],
  };
}
