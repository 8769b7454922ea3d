/**
 * npm run grade                                   the bundled sample class, every assignment
 * npm run grade -- --assignment A --submissions DIR --out OUT   a class: OUT/<student>/results.json, OUT/gradebook.csv
 * npm run grade -- --assignment A --submission DIR --out OUT    one submission: OUT/results.json
 * Flags: --jobs N (default: cores), --seed S (hidden cases), --format terminal|json|junit,
 *        --timeout MS (per call), --resume (skip students already graded).
 * Exits 0 when grading ran, whatever the scores; 2 for a usage error; 1 for a harness error.
 */
import { existsSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, relative } from "node:path";
import { ASSIGNMENTS, type AssignmentName } from "../graders/cases/case";
import { contractExports } from "../graders/contract";
import { gradeBatch, writeAtomically, writeResult } from "../graders/batch";
import { gradeSubmission } from "../graders/grade";
import { isAssignment, loadManifest } from "../graders/manifest";
import { gradebookTable, toGradebookCsv } from "../graders/results/gradebook";
import { toGradescope } from "../graders/results/gradescope";
import { toJUnit } from "../graders/results/junit";
import type { SubmissionResult } from "../graders/results/result";
import { toTerminal } from "../graders/results/terminal";
import { NO_BWRAP_WARNING, bwrapAvailable } from "../graders/sandbox/bwrap";
import { proveSandbox, requireSandbox } from "../graders/sandbox/canary";
import { hiddenSecret } from "../graders/secret";
import { UsageError, parseCommandLine, positiveInteger, progressReporter, runMain } from "./cli";

const USAGE = `usage:
  npm run grade
  npm run grade -- --assignment A --submissions DIR --out OUT [--jobs N] [--resume]
  npm run grade -- --assignment A --submission DIR --out OUT
options: --seed S  --format terminal|json|junit  --timeout MS  --jobs N  --resume
assignments: ${ASSIGNMENTS.join(", ")}`;

const FORMATS = ["terminal", "json", "junit"] as const;

function parse() {
  const parsed = parseCommandLine(
    {
      options: {
        assignment: { type: "string" },
        submissions: { type: "string" },
        submission: { type: "string" },
        out: { type: "string" },
        jobs: { type: "string" },
        seed: { type: "string" },
        format: { type: "string" },
        timeout: { type: "string" },
        resume: { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
      allowPositionals: false,
    },
    USAGE,
  );
  const v = parsed.values;
  if (v.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const positive = (name: string, text: string | undefined, fallback: number) => positiveInteger(name, text, fallback, USAGE);
  const format = (v.format ?? "terminal") as (typeof FORMATS)[number];
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(", ")}, got "${v.format}"`, USAGE);
  return {
    ...v,
    format,
    jobs: positive("jobs", v.jobs, availableParallelism()),
    timeout: v.timeout === undefined ? undefined : positive("timeout", v.timeout, 0),
  };
}

function checkedAssignment(name: string | undefined): AssignmentName {
  if (!name) throw new UsageError("--assignment is required with --submission or --submissions", USAGE);
  if (!isAssignment(name)) throw new UsageError(`unknown assignment "${name}": choose one of ${ASSIGNMENTS.join(", ")}`, USAGE);
  loadManifest(name); // a malformed manifest is a usage error that names the file and the field
  return name;
}

function checkedFolder(flag: string, dir: string): string {
  if (!existsSync(dir)) throw new UsageError(`${flag} ${dir}: no such folder`, USAGE);
  if (!statSync(dir).isDirectory()) throw new UsageError(`${flag} ${dir}: not a folder`, USAGE);
  return dir;
}

function printResults(results: SubmissionResult[], format: (typeof FORMATS)[number]) {
  if (format === "json") console.log(JSON.stringify(results.length === 1 ? toGradescope(results[0]) : results.map(toGradescope), null, 1));
  else if (format === "junit") console.log(toJUnit(results));
}

async function batch(assignment: AssignmentName, dir: string, out: string, opts: ReturnType<typeof parse>, secret: string) {
  const progress = progressReporter(`grading ${assignment}`);
  const results = await gradeBatch(assignment, dir, out, {
    secret,
    jobs: opts.jobs,
    resume: opts.resume,
    callTimeoutMs: opts.timeout,
    onProgress: (p) => progress(p.done, p.total, `${p.student} ${p.result.score}/${p.result.maxScore}${p.resumed ? " (resumed)" : ""}`),
  });
  writeAtomically(join(out, "gradebook.csv"), toGradebookCsv(results, contractExports(assignment)));
  writeAtomically(join(out, "junit.xml"), toJUnit(results));
  if (opts.format === "terminal") {
    console.log(`\n${assignment}: ${results.length} students → ${relative(process.cwd(), out) || "."}/`);
    console.log(gradebookTable(results, contractExports(assignment)));
  } else printResults(results, opts.format);
  return results;
}

await runMain(async () => {
  const opts = parse();
  const { secret, source } = hiddenSecret(opts.seed);
  console.error(`hidden cases: seed from ${source}${source.startsWith("random") ? ` (${secret})` : ""}`);
  if (!(await bwrapAvailable())) console.error(NO_BWRAP_WARNING);
  if (opts.submission && opts.submissions) throw new UsageError("give either --submission (one student) or --submissions (a class), not both", USAGE);
  if (opts.submission || opts.submissions) {
    const assignment = checkedAssignment(opts.assignment);
    // The sandbox proves itself (canary.ts) while the folders are checked, before anyone is graded.
    const sandboxReady = proveSandbox({ memoryMb: loadManifest(assignment).limits.memoryMb });
    if (!opts.out) throw new UsageError("--out is required: where results.json (and gradebook.csv) are written", USAGE);
    const dir = opts.submissions ? checkedFolder("--submissions", opts.submissions) : checkedFolder("--submission", opts.submission!);
    await requireSandbox(sandboxReady);
    if (opts.submissions) {
      await batch(assignment, dir, opts.out, opts, secret);
      return;
    }
    const result = await gradeSubmission(assignment, dir, { secret, callTimeoutMs: opts.timeout });
    writeResult(opts.out, result);
    if (opts.format === "terminal") console.log(toTerminal(result, { color: process.stdout.isTTY === true, showHidden: true }));
    else printResults([result], opts.format);
    return;
  }
  if (opts.assignment || opts.out) throw new UsageError("--assignment and --out go with --submission or --submissions; with no arguments the sample class is graded", USAGE);
  // No arguments: the bundled sample class, every assignment, into out/sample-class/<assignment>/.
  for (const assignment of ASSIGNMENTS) await requireSandbox(proveSandbox({ memoryMb: loadManifest(assignment).limits.memoryMb }));
  for (const assignment of ASSIGNMENTS) {
    loadManifest(assignment);
    await batch(assignment, join("fixtures", "submissions", assignment), join("out", "sample-class", assignment), opts, secret);
  }
});
