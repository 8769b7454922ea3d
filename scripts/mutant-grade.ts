/**
 * node --import tsx <project>/scripts/mutant-grade.ts ASSIGNMENT
 *
 * Stryker's command test runner runs this once per mutant, in its sandbox (the cwd), with the
 * mutant's id in __STRYKER_ACTIVE_MUTANT__ (unset for the dry run). It grades the sandbox's
 * instrumented reference/ASSIGNMENT/ as a student submission and exits 0 only for full marks
 * (the mutant survived).
 *
 * The judge is this file's own project, not the sandbox: graders/reference/live-reference.ts imports the
 * reference next to it, and in the sandbox that reference is the mutated one (a mutant would be
 * compared with itself). Only the submission files come from the sandbox, copied to a temporary
 * folder with the mutant's id written into them (the child runs with an empty environment, see
 * withActiveMutant).
 */
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { AssignmentName } from "../graders/cases/case";
import { gradeSubmission } from "../graders/grade";
import { isAssignment } from "../graders/manifest";
import { EXIT_CODE, HARNESS_MARK, MUTATION_KINDS, MUTATION_SECRET, verdictOf, withActiveMutant } from "./mutation-report";

const ACTIVE_MUTANT_ENV = "__STRYKER_ACTIVE_MUTANT__";

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(m?ts|m?js)$/.test(name) ? [path] : [];
  });
}

async function main(): Promise<number> {
  const assignment = process.argv[2];
  if (!assignment || !isAssignment(assignment)) {
    console.error(`usage: node --import tsx scripts/mutant-grade.ts ASSIGNMENT (run by Stryker, see stryker.config.mjs); got "${assignment ?? ""}"`);
    return 2;
  }
  const mutant = process.env[ACTIVE_MUTANT_ENV];
  const source = resolve(process.cwd(), "reference", assignment);
  const pristine = fileURLToPath(new URL(`../reference/${assignment}/`, import.meta.url));
  if (mutant !== undefined && resolve(source) === resolve(pristine)) {
    console.error(`${HARNESS_MARK}: ${source} is the judge's own reference; run this from Stryker's sandbox`);
    return EXIT_CODE["harness-error"];
  }
  const submission = mkdtempSync(join(tmpdir(), `mutant-${assignment}-`));
  try {
    cpSync(source, submission, { recursive: true });
    for (const file of sourceFiles(submission)) writeFileSync(file, withActiveMutant(readFileSync(file, "utf8"), mutant));
    const result = await gradeSubmission(assignment as AssignmentName, submission, { secret: MUTATION_SECRET, kinds: [...MUTATION_KINDS] });
    const tests = result.tests.map((t) => ({ score: t.score, points: t.test.points, status: t.outcome.status, name: t.test.name, message: t.outcome.message }));
    const verdict = verdictOf(tests);
    if (verdict === "harness-error") {
      const first = tests.find((t) => t.status === "grader-error")!;
      console.log(`${HARNESS_MARK}: ${first.name} — ${first.message.split("\n")[0].slice(0, 300)}`);
    }
    console.log(`mutant ${mutant ?? "(none: dry run)"} of ${assignment}: ${result.score}/${result.maxScore} → ${verdict}`);
    for (const t of tests.filter((x) => x.score < x.points)) console.log(`  ${t.status}: ${t.name} — ${t.message.split("\n")[0].slice(0, 300)}`);
    for (const m of result.messages) console.log(`  note: ${m.split("\n")[0]}`);
    return EXIT_CODE[verdict];
  } finally {
    rmSync(submission, { recursive: true, force: true });
  }
}

try {
  process.exitCode = await main();
} catch (error) {
  console.log(`${HARNESS_MARK}: ${(error as Error).stack ?? error}`);
  process.exitCode = EXIT_CODE["harness-error"];
}
