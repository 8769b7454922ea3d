/**
 * npm run check -- --assignment A --submission DIR
 * A student's self-check: the visible tests only, a readable report; exit 0 only when all pass.
 */
import { availableParallelism } from "node:os";
import { gradeStudent } from "../graders/batch";
import { ASSIGNMENTS } from "../graders/cases/case";
import { toTerminal } from "../graders/results/terminal";
import { loadManifest } from "../graders/manifest";
import { proveSandbox, requireSandbox } from "../graders/sandbox/canary";
import { UsageError, checkedAssignment, checkedFolder, checkedSecret, parseCommandLine, runMain } from "./cli";

const USAGE = `usage: npm run check -- --assignment A --submission DIR
assignments: ${ASSIGNMENTS.join(", ")}`;

await runMain(async () => {
  const { values } = parseCommandLine({ options: { assignment: { type: "string" }, submission: { type: "string" } } }, USAGE);
  const { assignment, submission } = values;
  if (!assignment || !submission) throw new UsageError("both --assignment and --submission are required", USAGE);
  const name = checkedAssignment(assignment, USAGE);
  checkedFolder("--submission", submission, USAGE);
  await requireSandbox(proveSandbox({ memoryMb: loadManifest(name).limits.memoryMb }));
  const result = await gradeStudent(name, submission, { secret: checkedSecret(undefined).secret, visibleOnly: true, timingChild: availableParallelism() > 1 });
  console.log(toTerminal(result, { color: process.stdout.isTTY === true, showHidden: false }));
  const allPassed = result.tests.every((t) => t.outcome.status === "passed");
  console.log(allPassed ? "All visible tests pass." : "Some visible tests do not pass yet: see above.");
  return allPassed ? 0 : 1;
});
