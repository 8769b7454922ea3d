/**
 * npm run grade                                   the bundled sample class, every assignment
 * npm run grade -- --assignment A --submissions DIR --out OUT   a class: OUT/<student>/results.json, OUT/gradebook.csv
 * npm run grade -- --assignment A --submission DIR --out OUT    one submission: OUT/results.json
 * Flags: --jobs N (default: cores), --seed S (hidden cases), --format terminal|json|junit,
 *        --timeout MS (per call), --resume (skip students already graded),
 *        --compare PREV_OUT (a class: what changed since an earlier grading), --no-similarity.
 * A class's staff files: OUT/staff-signals.csv, OUT/similarity.csv, OUT/changes.csv (--compare).
 * Exits 0 when grading ran, whatever the scores; 2 for a usage error; 1 for a harness error.
 */
import { existsSync, rmSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { isAbsolute, join, relative, resolve } from "node:path";
import { ASSIGNMENTS, type AssignmentName } from "../graders/cases/case";
import { contractExports } from "../graders/contract";
import { ASSIGNMENTS_DIR, loadManifest } from "../graders/manifest";
import { gradeBatch, gradeStudent, surveyClass, writeAtomically, writeResult } from "../graders/batch";
import { gradebookTable, toGradebookCsv } from "../graders/results/gradebook";
import { toGradescope } from "../graders/results/gradescope";
import { toJUnit } from "../graders/results/junit";
import type { ReportSection } from "../graders/results/report";
import type { SubmissionResult } from "../graders/result-model";
import { toTerminal } from "../graders/results/terminal";
import { NO_BWRAP_WARNING, bwrapAvailable } from "../graders/sandbox/bwrap";
import { proveSandbox, requireSandbox } from "../graders/sandbox/canary";
import { UsageError, checkedAssignment, checkedFolder, checkedSecret, commandLine, parseCommandLine, positiveInteger, progressReporter, runMain } from "./cli";
import { type OutputLock, lockOutputFolder } from "./lock-output-folder";
import { readPreviousGrading } from "../graders/staff/previous-grading";

const USAGE = `usage:
  npm run grade
  npm run grade -- --assignment A --submissions DIR --out OUT [--jobs N] [--resume] [--compare PREV_OUT] [--no-similarity]
  npm run grade -- --assignment A --submission DIR --out OUT
options: --seed S  --format terminal|json|junit  --timeout MS  --jobs N  --resume  --compare PREV_OUT  --no-similarity
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
        compare: { type: "string" },
        "no-similarity": { type: "boolean", default: false },
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
  const positive = (name: string, text: string | undefined, fallback: number, max?: number) => positiveInteger(name, text, fallback, USAGE, max);
  const format = (v.format ?? "terminal") as (typeof FORMATS)[number];
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(", ")}, got "${v.format}"`, USAGE);
  return {
    ...v,
    format,
    jobs: positive("jobs", v.jobs, availableParallelism()),
    // a longer delay is not a timer Node can set: it would fire after 1 ms (TimeoutOverflowWarning)
    timeout: v.timeout === undefined ? undefined : positive("timeout", v.timeout, 0, 2 ** 31 - 1),
  };
}

/**
 * A class folder fit to grade into `out`: at least one student folder, no links, `out` outside
 * it. Returns notes for the TA (students who handed in nothing), printed once grading starts.
 */
function checkedClass(flag: string, dir: string, out: string): string[] {
  checkedFolder(flag, dir, USAGE);
  let survey: ReturnType<typeof surveyClass>;
  try {
    survey = surveyClass(dir);
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    throw new UsageError(`${flag} ${dir}: ${e.path ?? dir} cannot be read (${e.code ?? e.message}); fix its permissions`);
  }
  const [link, ...moreLinks] = survey.links;
  if (link) {
    const others = moreLinks.length > 0 ? ` (and ${moreLinks.length} more: ${moreLinks.map((l) => l.name).join(", ")})` : "";
    throw new UsageError(
      `${flag} ${dir}: student folder "${link.name}" is a symbolic link (to ${link.target})${others}; links are refused because one can point anywhere, even at the reference: copy the real folder in its place`,
    );
  }
  if (survey.students.length === 0) {
    const { files } = survey;
    const holds =
      files.length === 0
        ? "is empty"
        : `holds ${files.length} file${files.length === 1 ? "" : "s"} (${files.slice(0, 3).join(", ")}${files.length > 3 ? ", …" : ""}) and no student folders`;
    throw new UsageError(`${flag} ${dir} ${holds}: each student is a subfolder, ${join(dir, "<student>")}/`);
  }
  const inside = relative(resolve(dir), resolve(out));
  if (!inside.startsWith("..") && !isAbsolute(inside)) {
    throw new UsageError(`--out ${out} is inside ${flag} ${dir}: its folders would be graded as students next time; choose an --out outside it`);
  }
  for (const student of survey.students) {
    const path = join(out, student);
    if (existsSync(path) && !statSync(path).isDirectory())
      throw new UsageError(`cannot write to ${out}: ${path} is a file, where student ${student}'s results go; move it away or choose another --out`);
  }
  const { empty } = survey;
  if (empty.length === 0) return [];
  return [
    `note: ${empty.length} student folder${empty.length === 1 ? " holds" : "s hold"} no files (${empty.join(", ")}): graded as handing in nothing, 0 points`,
  ];
}

/**
 * Once every input is checked: lock the output folders, then say where the hidden cases come from.
 * `graded` runs the grading; the locks are released when it ends, however it ends (and by the
 * lock's exit handler if the process is stopped first).
 */
async function startGrading<T>(outs: string[], seed: string | undefined, notes: string[], graded: (secret: string) => Promise<T>): Promise<T> {
  const { secret, source } = checkedSecret(seed);
  const locks: OutputLock[] = [];
  try {
    for (const out of outs) locks.push(lockOutputFolder(out, commandLine()));
    return await graded(await announce(secret, source, notes));
  } finally {
    for (const lock of locks) lock.release();
  }
}

/** Say where the hidden cases come from, whether bubblewrap runs here, and the notes on the class. */
async function announce(secret: string, source: string, notes: string[]): Promise<string> {
  console.error(`hidden cases: seed from ${source}${source.startsWith("random") ? ` (${secret})` : ""}`);
  if (!(await bwrapAvailable())) console.error(NO_BWRAP_WARNING);
  for (const note of notes) console.error(note);
  return secret;
}

function printResults(results: SubmissionResult[], format: (typeof FORMATS)[number]) {
  if (format === "json") console.log(JSON.stringify(results.length === 1 ? toGradescope(results[0]) : results.map((r) => toGradescope(r)), null, 1));
  else if (format === "junit") console.log(toJUnit(results));
}

/** An earlier grading for --compare, read before grading (it may be the folder --out overwrites). */
function checkedPrevious(prev: string, assignment: AssignmentName): { dir: string; results: SubmissionResult[] } {
  const read = readPreviousGrading(prev, assignment);
  if (!read.ok) throw new UsageError(read.problem);
  return { dir: prev, results: read.results };
}

/**
 * The staff's files of a class (never the students'): the integrity signals, the code
 * similarity (unless --no-similarity), what changed since --compare; returned as the report's
 * staff sections. A line on the terminal says where each is.
 */
async function staffFiles(
  assignment: AssignmentName,
  dir: string,
  out: string,
  results: SubmissionResult[],
  opts: ReturnType<typeof parse>,
  previous?: { dir: string; results: SubmissionResult[] },
) {
  // loaded only here, for a class: one submission's grading never needs them
  const [sections, { readAnswerFingerprints }, { regradeDiff, regradeSummary, toChangesCsv }, { staffSignals, toSignalsCsv }] = await Promise.all([
    import("../graders/staff/report-sections"),
    import("../graders/staff/answer-fingerprints"),
    import("../graders/staff/regrade-diff"),
    import("../graders/staff/signals"),
  ]);
  const say = opts.format === "terminal" ? console.log : console.error;
  const shown: ReportSection[] = [];
  // a file of an earlier run that this one does not make would be taken for this run's
  if (!previous) rmSync(join(out, "changes.csv"), { force: true });
  if (opts["no-similarity"]) rmSync(join(out, "similarity.csv"), { force: true });
  if (previous) {
    const diff = regradeDiff(previous.dir, previous.results, results);
    writeAtomically(join(out, "changes.csv"), toChangesCsv(diff));
    say(regradeSummary(diff));
    shown.push(sections.changesSection(diff));
  }
  const signals = staffSignals(results, new Map(results.map((r) => [r.student, readAnswerFingerprints(join(out, r.student))])));
  writeAtomically(join(out, "staff-signals.csv"), toSignalsCsv(signals));
  shown.push(sections.signalsSection(signals));
  const noFingerprints =
    signals.withoutFingerprints.length > 0
      ? ` (${signals.withoutFingerprints.length} resumed without answer fingerprints: no identical-outputs signal for them)`
      : "";
  say(
    `staff signals: ${signals.signals.length} lead${signals.signals.length === 1 ? "" : "s"} to look at → ${join(out, "staff-signals.csv")}${noFingerprints}`,
  );
  if (!opts["no-similarity"]) {
    const { classSimilarity, toSimilarityCsv } = await import("../graders/staff/similarity");
    const sim = await classSimilarity(
      dir,
      results.map((r) => r.student),
      { template: join(ASSIGNMENTS_DIR, assignment, "skeleton") },
    );
    writeAtomically(join(out, "similarity.csv"), toSimilarityCsv(sim));
    shown.push(sections.similaritySection(sim));
    const top = sim.pairs[0];
    say(
      `code similarity: ${sim.pairs.length} pairs in ${(sim.ms / 1000).toFixed(1)} s${top ? `, most similar ${top.a} and ${top.b} (${(100 * top.similarity).toFixed(1)}%)` : ""} → ${join(out, "similarity.csv")}`,
    );
  }
  return shown;
}

async function batch(
  assignment: AssignmentName,
  dir: string,
  out: string,
  opts: ReturnType<typeof parse>,
  secret: string,
  previous?: { dir: string; results: SubmissionResult[] },
) {
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
  const sections = await staffFiles(assignment, dir, out, results, opts, previous);
  // loaded only here: Vega and Vega-Lite cost about 0.1 s of CPU to load, which a single grading never needs
  const { toReport } = await import("../graders/results/report");
  writeAtomically(join(out, "report.html"), await toReport(results, loadManifest(assignment), sections));
  (opts.format === "terminal" ? console.log : console.error)(`class report: ${join(out, "report.html")}`);
  return results;
}

// Every input is checked before any grading starts; a mistake exits 2 having written nothing.
await runMain(async () => {
  const opts = parse();
  if (opts.submission && opts.submissions) throw new UsageError("give either --submission (one student) or --submissions (a class), not both", USAGE);
  if (opts.submission || opts.submissions) {
    if (!opts.assignment) throw new UsageError("--assignment is required with --submission or --submissions", USAGE);
    const assignment = checkedAssignment(opts.assignment, USAGE);
    // The sandbox proves itself (canary.ts) while the folders are checked, before anyone is graded.
    const sandboxReady = proveSandbox({ memoryMb: loadManifest(assignment).limits.memoryMb });
    if (!opts.out) throw new UsageError("--out is required: where results.json (and gradebook.csv) are written", USAGE);
    if (opts.submissions) {
      const notes = checkedClass("--submissions", opts.submissions, opts.out);
      const previous = opts.compare === undefined ? undefined : checkedPrevious(opts.compare, assignment);
      await requireSandbox(sandboxReady);
      await startGrading([opts.out], opts.seed, notes, (secret) => batch(assignment, opts.submissions!, opts.out!, opts, secret, previous));
      return;
    }
    if (opts.compare !== undefined)
      throw new UsageError("--compare goes with --submissions (a class): it compares a class with an earlier grading of it", USAGE);
    const dir = checkedFolder("--submission", opts.submission!, USAGE);
    await requireSandbox(sandboxReady);
    const out = opts.out;
    const result = await startGrading([out], opts.seed, [], async (secret) => {
      const graded = await gradeStudent(assignment, dir, { secret, callTimeoutMs: opts.timeout });
      writeResult(out, graded, null); // one submission: no staff fingerprints, and an older file from a class's grading goes
      return graded;
    });
    if (opts.format === "terminal") console.log(toTerminal(result, { color: process.stdout.isTTY === true, showHidden: true }));
    else printResults([result], opts.format);
    return;
  }
  if (opts.assignment || opts.out)
    throw new UsageError("--assignment and --out go with --submission or --submissions; with no arguments the sample class is graded", USAGE);
  if (opts.compare !== undefined)
    throw new UsageError("--compare goes with --assignment A --submissions DIR --out OUT: it compares one class with an earlier grading of it", USAGE);
  // No arguments: the bundled sample class, every assignment, into out/sample-class/<assignment>/.
  const classes = ASSIGNMENTS.map((assignment) => ({
    assignment: checkedAssignment(assignment),
    dir: join("fixtures", "submissions", assignment),
    out: join("out", "sample-class", assignment),
  }));
  const sandboxReady = Promise.all(classes.map((c) => requireSandbox(proveSandbox({ memoryMb: loadManifest(c.assignment).limits.memoryMb }))));
  const notes = classes.flatMap((c) => checkedClass("the sample class", c.dir, c.out));
  await sandboxReady;
  await startGrading(
    classes.map((c) => c.out),
    opts.seed,
    notes,
    async (secret) => {
      for (const { assignment, dir, out } of classes) await batch(assignment, dir, out, opts, secret);
    },
  );
});
