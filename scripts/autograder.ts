/**
 * The grader inside Gradescope's container. `npm run bundle` prebuilds it (grader/autograder.mjs in
 * autograder.zip, beside one assignment's manifest, fixtures and reference), and run_autograder
 * starts it as
 *   node grader/autograder.mjs --assignment A --root AUTOGRADER_ROOT
 * to grade ROOT/submission into ROOT/results/results.json: Markdown output, every test with the
 * visibility its manifest gives it, the hidden cases drawn from the bundle's secret (graders/secret.ts
 * gradescopeSecret), the training accuracy on the leaderboard.
 *
 * results.json is valid whatever happens: run_autograder copies a fallback there before this
 * starts (every test a grader error), and this replaces it, atomically, with the grading's
 * results; with a grader-error result when the grader itself fails or refuses to run student
 * code; with the tests graded so far when run_autograder's deadline stops it (SIGTERM).
 * What it prints goes to Gradescope's stdout, which students are not shown (stdout_visibility:
 * hidden); it is written as if they were: never the secret, never a hidden case's inputs.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ASSIGNMENTS, type AssignmentName } from "../graders/cases/case";
import { writeAtomically } from "../graders/batch";
import { gradeSubmission } from "../graders/grade";
import { loadGradedManifest } from "../graders/checks/registry";
import { isAssignment, loadManifest, testSpecs } from "../graders/manifest";
import { rootPath } from "../graders/paths";
import { type GraderFailure, graderFailureResult } from "../graders/results/grader-failure";
import { toGradescope } from "../graders/results/gradescope";
import type { SubmissionResult, TestResult } from "../graders/result-model";
import { toTerminal } from "../graders/results/terminal";
import { assertValidResults } from "../graders/results/validate-results";
import { bwrapAvailable } from "../graders/sandbox/bwrap";
import { proveSandbox } from "../graders/sandbox/canary";
import { BUNDLE_SECRET_FILE, gradescopeSecret } from "../graders/secret";
import { UsageError, parseCommandLine, runMain } from "./cli";

const USAGE = `usage: node grader/autograder.mjs --assignment A --root AUTOGRADER_ROOT   (run_autograder starts it)
assignments: ${ASSIGNMENTS.join(", ")}`;

/**
 * The sandbox canary (graders/sandbox/canary.ts), as `grade` and `check` run it: a child started
 * as a student's must start, load a trivial module, answer, and be refused a file read. Its
 * problem, or null when the sandbox is in force: then no student code runs at all.
 */
async function sandboxNotInForce(assignment: AssignmentName): Promise<string | null> {
  const proof = await proveSandbox({ memoryMb: loadManifest(assignment).limits.memoryMb });
  return proof.ok ? null : proof.problem;
}

/** Gradescope's id of this submission (submission_metadata.json), for extra_data. */
function submissionId(metadataFile: string): string {
  try {
    const id = (JSON.parse(readFileSync(metadataFile, "utf8")) as { id?: unknown }).id;
    if ((typeof id === "number" && Number.isSafeInteger(id)) || (typeof id === "string" && /^\d+$/.test(id))) return `submission-${id}`;
  } catch {
    // no metadata (a local run): the generic name
  }
  return "submission";
}

/** Validate, then replace results.json atomically: a reader sees the old file or the new one. */
function writeResults(file: string, result: SubmissionResult): void {
  const results = toGradescope(result, { format: "md", staffOutput: false });
  assertValidResults(results);
  writeAtomically(file, `${JSON.stringify(results, null, 1)}\n`);
}

await runMain(async () => {
  const started = performance.now();
  const { values } = parseCommandLine({ options: { assignment: { type: "string" }, root: { type: "string" } } }, USAGE);
  if (!values.assignment || !values.root) throw new UsageError("both --assignment and --root are required", USAGE);
  if (!isAssignment(values.assignment)) throw new UsageError(`unknown assignment "${values.assignment}": choose one of ${ASSIGNMENTS.join(", ")}`, USAGE);
  const assignment: AssignmentName = values.assignment;
  const root = resolve(values.root);
  const submission = join(root, "submission");
  const metadata = join(root, "submission_metadata.json");
  const resultsFile = join(root, "results", "results.json");
  mkdirSync(join(root, "results"), { recursive: true });

  const specs = testSpecs(loadGradedManifest(assignment));
  const student = submissionId(metadata);
  const graded: TestResult[] = [];
  const fail = (f: Pick<GraderFailure, "message" | "cause">) =>
    writeResults(resultsFile, graderFailureResult({ assignment, student, specs, graded, executionTimeMs: performance.now() - started, ...f }));

  // run_autograder's deadline: keep what was graded, the rest is the grader's failure, not the student's.
  process.once("SIGTERM", () => {
    console.log("autograder: stopped by run_autograder's deadline; results.json keeps the tests graded so far");
    fail({ message: "the grader ran out of its overall time before it finished grading your submission." });
    process.exit(1);
  });

  console.log(`autograder: ${assignment}, grading ${submission}`);
  const { secret, source } = gradescopeSecret(rootPath(BUNDLE_SECRET_FILE), metadata);
  console.log(`hidden cases: seed from ${source}`);
  if (!existsSync(submission)) console.log(`autograder: ${submission} does not exist: every file counts as missing`);
  const refusal = await sandboxNotInForce(assignment);
  if (refusal) {
    console.log(`autograder: refusing to run student code: ${refusal}`);
    fail({ message: "the sandbox that isolates submitted code is not working on this machine, so your code was not run.", cause: refusal });
    return 1;
  }
  if (!(await bwrapAvailable())) {
    console.log(
      "autograder: bubblewrap cannot run here (Gradescope's containers usually allow no user namespaces): student code runs under " +
        "Node's permission model (no file reads but its own bundle, no writes, no processes, an empty environment) and the runner's " +
        "wall-off of signals and the network (graders/sandbox/lockdown.ts), with no kernel boundary behind them.",
    );
  }
  try {
    const result = await gradeSubmission(assignment, submission, { secret, student, onTest: (t) => graded.push(t) });
    writeResults(resultsFile, result);
    console.log(toTerminal(result, { color: false, showHidden: true }));
    console.log(`autograder: ${result.score}/${result.maxScore} in ${(result.executionTimeMs / 1000).toFixed(1)} s → ${resultsFile}`);
    return 0;
  } catch (error) {
    const cause = (error as Error).stack ?? String(error);
    console.log(`autograder: the grader failed (a bug in the grader, not in the submission):\n${cause}`);
    fail({ message: "the grader failed while grading your submission.", cause });
    return 1;
  }
});
