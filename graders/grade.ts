/**
 * Grading one submission: compile each contract file, load each in its own sandbox, run every
 * declared test's cases there, and judge the raw answers here, in the grader's process.
 * Whatever one export does (missing, not compiling, throwing, hanging, crashing) costs only the
 * tests of that export and of exports that need it (a layer's backward needs its forward's cache).
 *
 * The steps, each in graders/grading/: the tests selected here; each file's sandboxes started
 * (export-sandboxes.ts, the kit's gates in graph-gates.ts); each test graded (grade-test.ts,
 * through submission-grader.ts) in two lanes (lanes.ts); every child closed; the result assembled.
 */
import { basename, resolve } from "node:path";
import type { AssignmentName } from "./cases/case";
import { type Manifest, testSpecs } from "./manifest";
import { LIVE_POLICY, type GradingPolicy } from "./reference/grading-policy";
import { referenceAnswers } from "./reference/live-reference";
import type { ReferenceAnswers } from "./reference/reference-answers";
import type { SubmissionResult, TestKind, TestResult, TestSpec } from "./result-model";
import { loadGradedManifest } from "./checks/registry";
import { bwrapAvailable } from "./sandbox/bwrap";
import { prlimitAvailable } from "./sandbox/limits";
import type { AnswerFingerprints } from "./staff/answer-fingerprints";
import { locateSubmission } from "./submission/locate";
import { type SubmissionSandboxes, closeSandboxes, noSandboxes, startSandboxes } from "./grading/export-sandboxes";
import { gradeTest } from "./grading/grade-test";
import { inTwoLanes } from "./grading/lanes";
import { SubmissionGrader } from "./grading/submission-grader";

export interface GradeOptions {
  /** Seed prefix of the hidden cases (secret: students never see it). */
  secret: string;
  /** Only tests whose visibility is "visible" (the students' self-check). */
  visibleOnly?: boolean;
  /** Use bubblewrap where it works (default: yes). */
  bwrap?: boolean;
  /** Student id; default: the submission folder's name. */
  student?: string;
  /** Overrides the manifest's per-call time limit (ms). */
  callTimeoutMs?: number;
  /** Grade only the tests of these kinds (e.g. a containment suite that skips timing and training). */
  kinds?: TestKind[];
  /** Grade only the tests of these exports (a student's `npm run check -- affineBackward`). */
  exports?: string[];
  /** Where the reference's answers come from (default: the live reference; the starter kit: its recording). */
  reference?: ReferenceAnswers;
  /**
   * Where this grading differs from the course's grader (graders/reference/grading-policy.ts;
   * default: LIVE_POLICY). The starter kit's self-check, and the grading that records its answers,
   * pass KIT_POLICY: a recorded reference cannot answer the live policy's questions.
   */
  policy?: GradingPolicy;
  /** Called as each test is graded (in the order they finish): a caller that may be stopped keeps what was earned. */
  onTest?: (result: TestResult) => void;
  /**
   * Time the efficiency tests in a second child of the same file, beside the one that runs every
   * other test, so the two lanes run on two cores instead of taking turns in one child. For one
   * interactive grading (`npm run check`, the starter kit's self-check) on a machine with a core to
   * spare; a batch already keeps every core busy with other students.
   */
  timingChild?: boolean;
  /**
   * Called once the tests are graded with a fingerprint of the answers on the hidden cases
   * (staff/answer-fingerprints.ts): staff-only data for the identical-outputs signal, kept out
   * of the result the student receives. Not called when no hidden test ran.
   */
  onHiddenAnswers?: (answers: AnswerFingerprints) => void;
}

/** The manifest graded (`--timeout` shortens its per-call limit) and the tests of it the options select, in manifest order. */
function testsToGrade(assignment: AssignmentName, options: GradeOptions): { declared: Manifest; manifest: Manifest; specs: TestSpec[] } {
  const declared = loadGradedManifest(assignment);
  const manifest = options.callTimeoutMs ? { ...declared, limits: { ...declared.limits, callTimeoutMs: options.callTimeoutMs } } : declared;
  const specs = testSpecs(manifest).filter(
    (t) =>
      (!options.visibleOnly || t.visibility === "visible") &&
      (!options.kinds || options.kinds.includes(t.kind)) &&
      (!options.exports || options.exports.includes(t.export)),
  );
  return { declared, manifest, specs };
}

/** Grade the submission in `dir` for `assignment`. Never throws for anything the student did. */
export async function gradeSubmission(assignment: AssignmentName, dir: string, options: GradeOptions): Promise<SubmissionResult> {
  const started = performance.now();
  // What every sandbox start waits for, probed once per process: begun now, while we compile.
  void bwrapAvailable();
  void prlimitAvailable();
  const { declared, manifest, specs } = testsToGrade(assignment, options);
  const policy = options.policy ?? LIVE_POLICY;
  // The folder graded: the submission, or the one folder below it that holds the files (locate.ts).
  const intake = locateSubmission(dir, assignment);
  const files = intake.files.filter((f) => !options.exports || f.exports.some((e) => options.exports!.includes(e)));
  const messages: string[] = [...intake.notes];
  const children = noSandboxes();
  const tests: TestResult[] = new Array(specs.length);
  // Every child started here is stopped, also when the grader itself fails (a corrupt golden file):
  // a child left running would keep this process alive.
  try {
    const setup = { manifest, loadTimeoutMs: declared.limits.callTimeoutMs, specs, policy, bwrap: options.bwrap, timingChild: options.timingChild };
    await startSandboxes(children, intake, files, setup, messages);
    const reference = options.reference ?? referenceAnswers;
    const grader = new SubmissionGrader(assignment, manifest, children.exports, { secret: options.secret, reference, policy }, specs);
    await inTwoLanes(specs, async (k) => {
      tests[k] = await gradeTest(specs[k], children.exports.get(specs[k].export), grader, policy);
      options.onTest?.(tests[k]);
    });
    if (options.onHiddenAnswers && specs.some((s) => s.kind === "hidden")) await reportHiddenAnswers(grader, options.onHiddenAnswers);
  } finally {
    await closeSandboxes(children);
  }
  return {
    assignment,
    student: options.student ?? basename(resolve(dir)),
    score: tests.reduce((s, t) => s + t.score, 0),
    maxScore: tests.reduce((s, t) => s + t.test.points, 0),
    executionTimeMs: performance.now() - started,
    tests,
    ...studentOutputOf(children),
    messages,
  };
}

/** Hand the hidden answers' fingerprint to the staff's callback: a failure here costs the signal, never the student's grade. */
async function reportHiddenAnswers(grader: SubmissionGrader, onHiddenAnswers: NonNullable<GradeOptions["onHiddenAnswers"]>): Promise<void> {
  try {
    onHiddenAnswers(await grader.hiddenAnswers());
  } catch {
    // staff-only data: a failure here costs the signal, never the student's grade
  }
}

/** What the student's code printed, file by file (the timing children print the same): none when it printed nothing. */
function studentOutputOf(children: SubmissionSandboxes): { studentOutput?: string } {
  const studentOutput = children.sandboxes
    .map((s) => s.studentOutput)
    .filter((o) => o.length > 0)
    .join("\n");
  return studentOutput ? { studentOutput } : {};
}
