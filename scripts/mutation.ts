/**
 * npm run mutation                      mutation-test the grader on every assignment
 * npm run mutation -- layers gates      on these assignments only
 * npm run mutation -- --summary         re-read reports/mutation/*.json (after editing the
 *                                       equivalents list) without running Stryker again
 * Flags: --concurrency N (default 2: mutants graded at once).
 *
 * Grader sensitivity: Stryker mutates reference/<assignment>/ and each mutant is graded as a
 * submission (scripts/mutant-grade.ts, test kinds MUTATION_KINDS); a mutant that still earns
 * full marks survived. Each assignment is judged by a snapshot of this project taken when its
 * Stryker run starts (edits made meanwhile change nothing). Prints per assignment: mutants, killed, timed out, survived, recorded
 * equivalents (scripts/equivalent-mutants.json), gaps (unrecorded survivors), the score and the
 * wall time; writes reports/mutation/<assignment>.{json,html} and reports/mutation/summary.json.
 * Exits 0 when every assignment reaches TARGET % with the recorded equivalents left out and no
 * mutant ended in an error; 1 otherwise; 2 for a usage error.
 */
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ASSIGNMENTS } from "../graders/cases/case";
import { isAssignment } from "../graders/manifest";
import { UsageError, parseCommandLine, positiveInteger, runMain } from "./cli";
import {
  type AssignmentSummary,
  type EquivalentEntry,
  type MutationReport,
  HARNESS_MARK,
  MUTATION_KINDS,
  describeMutant,
  formatDuration,
  formatTable,
  summarize,
} from "./mutation-report";

const TARGET = 95;
const ROOT = fileURLToPath(new URL("../", import.meta.url));
const REPORTS = `${ROOT}reports/mutation/`;
const EQUIVALENTS = fileURLToPath(new URL("./equivalent-mutants.json", import.meta.url));
const STRYKER = fileURLToPath(new URL("../node_modules/@stryker-mutator/core/bin/stryker.js", import.meta.url));

const USAGE = `usage: npm run mutation [-- [ASSIGNMENT…] [--concurrency N] [--summary]]
assignments: ${ASSIGNMENTS.join(", ")} (default: all)`;

function parse() {
  const parsed = parseCommandLine(
    {
      options: { concurrency: { type: "string" }, summary: { type: "boolean", default: false }, help: { type: "boolean", default: false } },
      allowPositionals: true,
    },
    USAGE,
  );
  if (parsed.values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const unknown = parsed.positionals.filter((a) => !isAssignment(a));
  if (unknown.length > 0) throw new UsageError(`unknown assignment ${unknown.map((a) => `"${a}"`).join(", ")}: choose from ${ASSIGNMENTS.join(", ")}`, USAGE);
  const concurrency = positiveInteger("concurrency", parsed.values.concurrency, 2, USAGE);
  const assignments = parsed.positionals.length > 0 ? [...new Set(parsed.positionals)] : [...ASSIGNMENTS];
  return { assignments, concurrency, summaryOnly: parsed.values.summary };
}

/** What the judge snapshot leaves out: big, or nothing the grader reads. */
const NOT_JUDGE = new Set(["node_modules", ".git", "out", "reports", ".stryker-tmp", "results"]);

/**
 * A copy of this project (node_modules linked) to judge the mutants with: a run takes minutes
 * per assignment, and the working tree may change meanwhile; every mutant of an assignment is
 * judged by the same grader and reference, the ones Stryker's sandbox was copied from.
 */
function snapshotJudge(): string {
  const dir = mkdtempSync(join(tmpdir(), "backprop-mutation-judge-"));
  for (const name of readdirSync(ROOT)) {
    if (!NOT_JUDGE.has(name)) cpSync(join(ROOT, name), join(dir, name), { recursive: true });
  }
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  return dir;
}

function runStryker(assignment: string, concurrency: number): Promise<number> {
  const judge = snapshotJudge();
  // Stryker SIGKILLs a mutant's grading at its timeout, so nothing it made in the temporary
  // folder (submission copy, sandbox runners) is cleaned up by it: give the run its own one.
  const scratch = mkdtempSync(join(tmpdir(), "backprop-mutation-tmp-"));
  return new Promise<number>((done, fail) => {
    const child = spawn(process.execPath, [STRYKER, "run", "stryker.config.mjs"], {
      cwd: ROOT,
      stdio: "inherit",
      env: { ...process.env, MUTATION_ASSIGNMENT: assignment, MUTATION_CONCURRENCY: String(concurrency), MUTATION_JUDGE: judge, TMPDIR: scratch },
    });
    child.on("error", fail);
    child.on("exit", (code, signal) => done(code ?? (signal ? 128 : 1)));
  }).finally(() => {
    rmSync(judge, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  });
}

function loadEquivalents(): EquivalentEntry[] {
  if (!existsSync(EQUIVALENTS)) return [];
  return (JSON.parse(readFileSync(EQUIVALENTS, "utf8")) as { mutants: EquivalentEntry[] }).mutants;
}

await runMain(async () => {
  const { assignments, concurrency, summaryOnly } = parse();
  const equivalents = loadEquivalents();
  const rows: (AssignmentSummary & { seconds?: number })[] = [];
  const failures: string[] = [];
  const stale: EquivalentEntry[] = [];
  const started = performance.now();
  mkdirSync(REPORTS, { recursive: true });
  for (const assignment of assignments) {
    const report = `${REPORTS}${assignment}.json`;
    let seconds: number | undefined;
    if (!summaryOnly) {
      console.error(`\n=== mutation testing ${assignment}: grading each mutant with ${MUTATION_KINDS.join(", ")} (not efficiency), concurrency ${concurrency}`);
      const t0 = performance.now();
      const code = await runStryker(assignment, concurrency);
      seconds = (performance.now() - t0) / 1000;
      if (code !== 0) {
        failures.push(
          `${assignment}: Stryker exited with ${code} after ${formatDuration(seconds)} (see its output above; a failed dry run means the reference itself lost points)`,
        );
        continue;
      }
      console.error(`=== ${assignment}: ${formatDuration(seconds)}`);
    } else if (!existsSync(report)) {
      failures.push(`${assignment}: no ${report} yet (run npm run mutation -- ${assignment})`);
      continue;
    }
    const result = summarize(JSON.parse(readFileSync(report, "utf8")) as MutationReport, equivalents);
    stale.push(...result.stale);
    for (const s of result.summaries) rows.push({ ...s, ...(seconds !== undefined && s.assignment === assignment ? { seconds } : {}) });
  }
  const total = (performance.now() - started) / 1000;

  console.log(`\nMutation testing of the grader (graded kinds: ${MUTATION_KINDS.join(", ")}; target ≥ ${TARGET} % without recorded equivalents)\n`);
  if (rows.length > 0) console.log(formatTable(rows));
  if (!summaryOnly) console.log(`\ntotal wall time: ${formatDuration(total)}`);
  for (const r of rows) {
    for (const g of r.gaps) console.log(`  GAP         ${describeMutant(g)}`);
    for (const e of r.errors.slice(0, 10)) {
      const lines = (e.statusReason ?? "").split("\n");
      const why = lines.find((l) => l.includes(HARNESS_MARK)) ?? lines.find((l) => l.trim()) ?? "";
      console.log(`  ERROR       ${describeMutant(e)} (${e.status}${why ? `: ${why.trim().slice(0, 200)}` : ""})`);
    }
    if (r.errors.length > 10) console.log(`  …           ${r.errors.length - 10} more errors in ${r.assignment} (reports/mutation/${r.assignment}.json)`);
  }
  for (const e of stale)
    console.log(
      `  stale entry in scripts/equivalent-mutants.json (no surviving mutant matches): ${e.file}:${e.line} ${e.mutator} \`${e.original}\` → \`${e.replacement}\``,
    );
  for (const f of failures) console.log(`  FAILED      ${f}`);

  writeFileSync(
    `${REPORTS}summary.json`,
    `${JSON.stringify({ kinds: MUTATION_KINDS, target: TARGET, totalSeconds: summaryOnly ? undefined : total, assignments: rows, stale, failures }, null, 1)}\n`,
  );
  const below = rows.filter((r) => r.scoreWithoutEquivalent < TARGET);
  const errors = rows.reduce((n, r) => n + r.errors.length, 0);
  if (below.length > 0) console.log(`\nbelow the ${TARGET} % target: ${below.map((r) => r.assignment).join(", ")}`);
  if (errors > 0) console.log(`\n${errors} mutant(s) ended in an error (the grader's fault, not the mutant's): rerun them`);
  return below.length > 0 || errors > 0 || failures.length > 0 ? 1 : 0;
});
