/**
 * npm run check -- --assignment A --submission DIR
 * A student's self-check: the visible tests only, a readable report; exit 0 only when all pass.
 */
import { existsSync, statSync } from "node:fs";
import { ASSIGNMENTS } from "../graders/cases/case";
import { gradeSubmission } from "../graders/grade";
import { isAssignment, loadManifest } from "../graders/manifest";
import { toTerminal } from "../graders/results/terminal";
import { proveSandbox, requireSandbox } from "../graders/sandbox/canary";
import { hiddenSecret } from "../graders/secret";
import { UsageError, parseCommandLine, runMain } from "./cli";

const USAGE = `usage: npm run check -- --assignment A --submission DIR
assignments: ${ASSIGNMENTS.join(", ")}`;

await runMain(async () => {
  const { values } = parseCommandLine({ options: { assignment: { type: "string" }, submission: { type: "string" } } }, USAGE);
  const { assignment, submission } = values;
  if (!assignment || !submission) throw new UsageError("both --assignment and --submission are required", USAGE);
  if (!isAssignment(assignment)) throw new UsageError(`unknown assignment "${assignment}": choose one of ${ASSIGNMENTS.join(", ")}`, USAGE);
  if (!existsSync(submission) || !statSync(submission).isDirectory()) throw new UsageError(`--submission ${submission}: no such folder`, USAGE);
  await requireSandbox(proveSandbox({ memoryMb: loadManifest(assignment).limits.memoryMb }));
  const result = await gradeSubmission(assignment, submission, { secret: hiddenSecret(undefined).secret, visibleOnly: true });
  console.log(toTerminal(result, { color: process.stdout.isTTY === true, showHidden: false }));
  const allPassed = result.tests.every((t) => t.outcome.status === "passed");
  console.log(allPassed ? "All visible tests pass." : "Some visible tests do not pass yet: see above.");
  return allPassed ? 0 : 1;
});
