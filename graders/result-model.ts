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
/** How a run of student code ended when it did not return normally (execa-style flags; judged by graders/sandbox/process-end.ts). */
export interface ProcessEnd {
  timedOut: boolean;
  /** e.g. "SIGKILL". */
  signal?: string;
  exitCode?: number;
  /** Out of memory (V8 heap limit or the OS limit). */
  outOfMemory: boolean;
  /** The child broke the grader's channel protocol (wrote to it, or sent an oversized message). */
  protocolError?: string;
  /**
   * execa's result (or error) for the child, kept in memory for a grader-error's cause. It is set
   * non-enumerable (as Error's own `cause` is), so JSON.stringify and object spreads leave it out:
   * results.json and submission-result.json never carry the command line or the child's output.
   */
  cause?: unknown;
}

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

/**
 * How to run a failure again, as data (as fast-check's RunDetails carries seed, path and
 * counterexample): what a TA or a student needs to reproduce the call that failed. Rendered to
 * words by replayText (results/prose.ts), the same in every report. A seed drawn from the hidden
 * tests' secret is never put here: a secret draw is replayed by the staff from its id.
 */
export type Replay =
  /** A committed case of fixtures/golden/<assignment>.json, as it is or with some inputs changed. */
  | {
      kind: "golden-case";
      /** The fixture file, from the project root ("fixtures/golden/layers.json"). */
      file: string;
      id: string;
      /** How the run changed the case's inputs, in words ("reg = 0.25 and reg = 0"). */
      changed?: string;
      /** The seed the changed inputs were drawn from (graders/cases/random.ts Random). */
      seed?: string;
    }
  /** A case drawn from a seed the student may know (graders/cases/generate.ts makeCase). */
  | { kind: "drawn-case"; id: string; seed: string }
  /** A case drawn from the secret seed: its id only, the staff replay it with the secret. */
  | { kind: "hidden-case"; id: string }
  /** A fast-check counterexample: fc.check with this seed and path draws it again. */
  | {
      kind: "fast-check";
      seed: number;
      /** fast-check's counterexamplePath ("3" or "3:0:1"). */
      path: string;
      /** The sample on one line, at full precision. */
      counterexample: string;
    }
  /** The arguments themselves (small hand-made inputs), by name. */
  | {
      kind: "inputs";
      inputs: Record<string, unknown>;
      /** What the inputs leave unsaid ("default parameter"). */
      note?: string;
    };

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
      /** The likely cause in plain words: a claim, shown only when the answer matches a known wrong
       *  variant (graders/judge/diagnose/) or a check has measured that very bug. */
      diagnosis?: string;
      /** What to check, in plain words: general advice about what the test looks at (a checklist),
       *  never a claim about this answer; shown under its own label, never as the likely cause. */
      hint?: string;
      /** How to run the failing call again. */
      replay?: Replay;
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
