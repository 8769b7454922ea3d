/**
 * The result model: what grading produced, as data. Every report (Gradescope results.json,
 * JUnit XML, the terminal, gradebook.csv) is rendered from these types by a pure function.
 *
 * A test's outcome is one of four, and they mean different things to a student:
 *   passed           the check ran and the answer was right;
 *   failed           the check ran and the student's code is wrong (wrong value, wrong shape,
 *                    threw, missing export, syntax error …): the message says what and where;
 *   could-not-check  the student's code did not let the check finish (timeout, crash, out of
 *                    memory, process.exit): scores 0, and says so;
 *   grader-error     the harness itself failed (a bug of ours, inputs too close to kinks …):
 *                    scores 0 and tells the student to contact the staff, never blames them.
 */
import type { ProcessEnd } from "../sandbox/process-end";

/** How a run of student code ended (graders/sandbox/process-end.ts), re-exported for the reports. */
export type { ProcessEnd };

export type TestKind = "golden" | "hidden" | "gradcheck" | "properties" | "efficiency" | "training";
export type Visibility = "visible" | "hidden" | "after_due_date" | "after_published";

/** A test as declared in assignment.json, with its full name. */
export interface TestSpec {
  /** "<export>: <description>", or exports joined by "+" for a test of several exports. */
  name: string;
  /** The export whose part this test belongs to (its points are that export's). */
  export: string;
  kind: TestKind;
  description: string;
  points: number;
  visibility: Visibility;
  /** One output of the export this test is about (e.g. "dW1" of twoLayerNetLoss). */
  output?: string;
  timeoutMs?: number;
  /** Which registered check runs this test (graders/checks/registry.ts); default: its kind. */
  check?: string;
}

export type Outcome =
  | {
      status: "passed";
      message: string;
      /** Machine-readable data (e.g. a training loss curve, timings), copied to TestResult.extra. */
      extra?: Record<string, unknown>;
    }
  | {
      status: "failed";
      /** One line: what is wrong, naming the export and the argument or output. */
      message: string;
      /** Expected versus actual, the worst coordinate, the seed: several lines. */
      details?: string;
      /** The likely cause in plain words, when a known wrong variant matches. */
      diagnosis?: string;
      /** How to replay: the case id or seed. */
      replay?: string;
      /** Machine-readable data (e.g. a training loss curve, timings), copied to TestResult.extra. */
      extra?: Record<string, unknown>;
    }
  | { status: "could-not-check"; message: string; end: ProcessEnd }
  | { status: "grader-error"; message: string; cause?: string };

export type Status = Outcome["status"];

export interface TestResult {
  test: TestSpec;
  /** Points earned: test.points when passed, else 0 (no partial credit within one test). */
  score: number;
  outcome: Outcome;
  durationMs: number;
  /** Machine-readable extras (e.g. a training loss curve), copied to Gradescope's extra_data. */
  extra?: Record<string, unknown>;
}

export interface SubmissionResult {
  assignment: string;
  /** The student id (the submission folder's name). */
  student: string;
  score: number;
  maxScore: number;
  executionTimeMs: number;
  tests: TestResult[];
  /** What the student's code printed (capped), shown to them; never parsed. */
  studentOutput?: string;
  /** Problems with the submission as a whole (e.g. a file that does not compile). */
  messages: string[];
}

/** Points earned for an outcome: all of the test's points when it passed, none otherwise. */
export function scoreOf(test: TestSpec, outcome: Outcome): number {
  return outcome.status === "passed" ? test.points : 0;
}
