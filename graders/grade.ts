/**
 * Grading one submission: compile each contract file, load each in its own sandbox, run every
 * declared test's cases there, and judge the raw answers here, in the grader's process.
 * Whatever one export does (missing, not compiling, throwing, hanging, crashing) costs only the
 * tests of that export and of exports that need it (a layer's backward needs its forward's cache).
 */
import { basename, resolve } from "node:path";
import { type AssignmentName, type Case, outputsOf } from "./cases/case";
import { goldenPath } from "./cases/golden";
import { loadCaseFile } from "./cases/load";
import { planCases } from "./cases/plan";
import { type Manifest, testSpecs } from "./manifest";
import { referenceAnswers } from "./reference/live-reference";
import { type ReferenceAnswers, UnrecordedAnswerError } from "./reference/reference-answers";
import { HIDDEN_SEED_PREFIX } from "./secret";
import { type Outcome, type SubmissionResult, type TestKind, type TestResult, type TestSpec, scoreOf } from "./results/result";
import { type CallResult, Sandbox } from "./sandbox/sandbox";
import { CHECKS, checkName, loadGradedManifest } from "./checks/registry";
import { valueRuns } from "./checks/values";
import { judgeOutputs } from "./judge/compare";
import { type AnswerFingerprints, type ExportAnswers, fingerprintAnswer } from "./staff/answer-fingerprints";
import { bwrapAvailable } from "./sandbox/bwrap";
import { prlimitAvailable } from "./sandbox/limits";
import { bundleFile, formatCompileError } from "./submission/bundle";
import { locateSubmission } from "./submission/locate";

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

/**
 * What the grader computes once per grading process, not once per student (a batch grades many
 * students on the same cases): the golden cases as loaded and validated, and the hidden cases of
 * each secret, whose expected values are the reference's answers. Cases are never modified.
 */
const goldenCases = new Map<AssignmentName, Case[]>();
const hiddenCases = new Map<string, Case[]>();
const HIDDEN_KEPT = 16;

function goldenOf(assignment: AssignmentName): Case[] {
  let cases = goldenCases.get(assignment);
  if (!cases) goldenCases.set(assignment, (cases = loadCaseFile(goldenPath(assignment)).cases));
  return cases;
}

function hiddenOf(assignment: AssignmentName, secret: string): Case[] {
  const key = `${assignment}|${secret}`;
  let cases = hiddenCases.get(key);
  if (!cases) {
    cases = planCases(assignment, `${HIDDEN_SEED_PREFIX}${secret}`);
    if (hiddenCases.size >= HIDDEN_KEPT) hiddenCases.delete(hiddenCases.keys().next().value as string);
    hiddenCases.set(key, cases);
  }
  return cases;
}

/**
 * Where an export runs in this submission: the sandbox of the file that holds it (and that file's
 * timing sandbox, if it has one) and the file's name as handed in, or why it cannot be tested
 * (the file is missing or does not compile).
 */
type ExportSandbox = { sandbox: Sandbox; timing?: Sandbox; file: string } | { problem: string };

/** A run's result from one item of a "cases" request (untrusted), or null when the item is not one. */
function itemResult(item: unknown, durationMs: number, sandbox: Sandbox): CallResult | null {
  if (typeof item !== "object" || item === null) return null;
  if ("value" in item) return { kind: "returned", value: (item as { value: unknown }).value, durationMs };
  if ("threw" in item) return { kind: "threw", error: sandbox.thrown((item as { threw: unknown }).threw), durationMs };
  return null;
}

class SubmissionGrader {
  private readonly runs = new Map<string, Promise<CallResult>>();
  private readonly prefetches = new Map<Sandbox, Promise<void>>();
  private readonly golden: Case[];
  private readonly deadline: number;
  private readonly reference: ReferenceAnswers;
  constructor(
    private readonly assignment: AssignmentName,
    private readonly manifest: Manifest,
    private readonly exportSandboxes: Map<string, ExportSandbox>,
    private readonly options: GradeOptions,
    /** The tests being graded (their value tests' runs are fetched together). */
    private readonly specs: TestSpec[],
  ) {
    this.golden = goldenOf(assignment);
    this.reference = options.reference ?? referenceAnswers;
    this.deadline = performance.now() + manifest.limits.submissionTimeoutMs;
  }

  private hiddenCases(): Case[] {
    return hiddenOf(this.assignment, this.options.secret);
  }

  private limitOf(spec: TestSpec): number {
    return spec.timeoutMs ?? this.manifest.limits.callTimeoutMs;
  }

  private static runKey(c: Case, forwardOnly: boolean, timeoutMs: number): string {
    return `${c.seed}|${c.id}|${forwardOnly}|${timeoutMs}`;
  }

  /**
   * Every run the value tests (golden, hidden) of the exports in `sandbox` will share, made in
   * one request (Sandbox.cases) instead of one round trip each, and kept as if made one by one.
   * If that request does not come back whole (a timeout, a crash, an answer too large), nothing
   * is kept: each run is then made on its own, so an endless loop costs only its own export.
   */
  private prefetch(sandbox: Sandbox): Promise<void> {
    let p = this.prefetches.get(sandbox);
    if (!p) {
      p = (async () => {
        const wanted = new Map<string, { c: Case; forwardOnly: boolean }>();
        let limit = Infinity;
        for (const spec of this.specs) {
          const where = this.exportSandboxes.get(spec.export);
          if ((spec.kind !== "golden" && spec.kind !== "hidden") || !where || !("sandbox" in where) || where.sandbox !== sandbox) continue;
          const { cases, forwardOnly } = valueRuns(spec.kind === "hidden" ? this.hiddenCases() : this.golden, spec.export);
          for (const c of cases) wanted.set(SubmissionGrader.runKey(c, forwardOnly, this.limitOf(spec)), { c, forwardOnly });
          limit = Math.min(limit, this.limitOf(spec));
        }
        if (wanted.size < 2) return;
        const items = [...wanted];
        const r = await sandbox.cases(
          items.map(([, w]) => w),
          limit,
        );
        if (r.kind !== "returned" || !Array.isArray(r.value) || r.value.length !== items.length) return;
        const results = r.value.map((item) => itemResult(item, r.durationMs / items.length, sandbox));
        items.forEach(([key], k) => {
          const result = results[k];
          if (result && !this.runs.has(key)) this.runs.set(key, Promise.resolve(result));
        });
      })();
      this.prefetches.set(sandbox, p);
    }
    return p;
  }

  /** One run of a case at the test's time limit in the export's sandbox, shared by every test that needs it. */
  private async sharedRun(sandbox: Sandbox, c: Case, forwardOnly: boolean, timeoutMs: number): Promise<CallResult> {
    await this.prefetch(sandbox);
    const key = SubmissionGrader.runKey(c, forwardOnly, timeoutMs);
    let r = this.runs.get(key);
    if (!r) {
      r = sandbox.run(c, timeoutMs, { forwardOnly });
      this.runs.set(key, r);
    }
    return r;
  }

  /**
   * The fingerprint of the answers the hidden tests got, export by export, from the runs they
   * made (no new run): a case whose run never happened (a test stopped early and the runs were
   * not fetched together) or gave no answer counts as null.
   */
  async hiddenAnswers(): Promise<AnswerFingerprints> {
    const answers: AnswerFingerprints = {};
    for (const spec of this.specs) {
      if (spec.kind !== "hidden" || spec.export in answers) continue;
      const where = this.exportSandboxes.get(spec.export);
      if (!where || !("sandbox" in where)) continue;
      const { cases, forwardOnly } = valueRuns(this.hiddenCases(), spec.export);
      if (cases.length === 0) continue;
      const names = outputsOf(cases[0], spec.export);
      const entry: ExportAnswers = { cases: cases.map((c) => c.id), answers: [], wrong: 0 };
      for (const c of cases) {
        const run = this.runs.get(SubmissionGrader.runKey(c, forwardOnly, this.limitOf(spec)));
        const r = run ? await run : null;
        if (!r || r.kind !== "returned") {
          entry.answers.push(null);
          continue;
        }
        entry.answers.push(fingerprintAnswer(r.value, names));
        if (!judgeOutputs(c, r.value, names, this.manifest.tolerances.golden).ok) entry.wrong++;
      }
      answers[spec.export] = entry;
    }
    return answers;
  }

  async grade(spec: TestSpec): Promise<Outcome> {
    const where = this.exportSandboxes.get(spec.export);
    if (!where) return { status: "grader-error", message: `no file provides ${spec.export} in the contract (grader bug)` };
    if ("problem" in where) return { status: "failed", message: where.problem };
    if (performance.now() > this.deadline) {
      return {
        status: "could-not-check",
        message: `the time budget of ${this.manifest.limits.submissionTimeoutMs / 1000} s for your whole submission ran out before this test`,
        end: { timedOut: true, outOfMemory: false },
      };
    }
    const limit = this.limitOf(spec);
    const registered = CHECKS[checkName(spec)]; // loadGradedManifest refused unknown checks and exports they do not apply to
    if (!registered) return { status: "grader-error", message: `${spec.kind} check "${checkName(spec)}" is not implemented in this version of the grader.` };
    const { sandbox, timing, file } = where;
    return registered.run({
      assignment: this.assignment,
      spec,
      manifest: this.manifest,
      file,
      run: (c, r = {}) => (r.shared ? this.sharedRun(sandbox, c, r.forwardOnly ?? false, limit) : sandbox.run(c, r.timeoutMs ?? limit, r)),
      batch: (c, inputs, r) => sandbox.batch(c, inputs, r.timeoutMs ?? limit, r),
      runExport: async (exportName, c) => {
        const other = this.exportSandboxes.get(exportName);
        return other && "sandbox" in other ? other.sandbox.run(c, this.manifest.limits.callTimeoutMs) : undefined;
      },
      time: (seed, sizes, timeoutMs) => (timing ?? sandbox).time(spec.export, seed, sizes, timeoutMs),
      train: (seed, timeoutMs) => sandbox.train(seed, timeoutMs),
      golden: this.golden.filter((c) => c.exports.includes(spec.export)),
      hiddenCases: () => this.hiddenCases(),
      reference: this.reference,
      seed: `${spec.visibility === "visible" ? "visible" : `${HIDDEN_SEED_PREFIX}${this.options.secret}`}:${spec.name}`,
      limitMs: limit,
    });
  }
}

/** Grade the submission in `dir` for `assignment`. Never throws for anything the student did. */
export async function gradeSubmission(assignment: AssignmentName, dir: string, options: GradeOptions): Promise<SubmissionResult> {
  const started = performance.now();
  // What every sandbox start waits for, probed once per process: begun now, while we compile.
  void bwrapAvailable();
  void prlimitAvailable();
  const declared = loadGradedManifest(assignment);
  const manifest = options.callTimeoutMs ? { ...declared, limits: { ...declared.limits, callTimeoutMs: options.callTimeoutMs } } : declared;
  const specs = testSpecs(manifest).filter(
    (t) =>
      (!options.visibleOnly || t.visibility === "visible") &&
      (!options.kinds || options.kinds.includes(t.kind)) &&
      (!options.exports || options.exports.includes(t.export)),
  );
  const offline = (options.reference ?? referenceAnswers).offline;
  // The folder graded: the submission, or the one folder below it that holds the files (locate.ts).
  const intake = locateSubmission(dir, assignment);
  const contractFiles = intake.files;
  const files = contractFiles.filter((f) => !options.exports || f.exports.some((e) => options.exports!.includes(e)));
  /** Offline (the starter kit has no reference gates), a graph's nodes are the student's own gates: gates.ts compiled into the graph's bundle. */
  const gatesFile = offline ? contractFiles.find((f) => f.exports.includes("AddGate")) : undefined;
  const exportSandboxes = new Map<string, ExportSandbox>();
  const messages: string[] = [...intake.notes];
  const sandboxes: Sandbox[] = [];
  /** The timing children (timingChild): closed with the others; what they print is the same as their file's. */
  const timingSandboxes: Sandbox[] = [];
  const tests: TestResult[] = new Array(specs.length);
  // Every child started here is stopped, also when the grader itself fails (a corrupt golden file):
  // a child left running would keep this process alive.
  try {
    for (const located of files) {
      if (!located.found) {
        if (!messages.includes(located.message)) messages.push(located.message); // one folder list for every file, said once
        for (const e of located.exports) exportSandboxes.set(e, { problem: located.message });
        continue;
      }
      const shown = basename(located.path);
      const isGraph = located.exports.includes("ComputationalGraph");
      if (isGraph && gatesFile && !gatesFile.found) {
        const text = `the starter kit builds its graphs from your own gates (the course's grader uses its own): ${gatesFile.message}`;
        for (const e of located.exports) exportSandboxes.set(e, { problem: text });
        continue;
      }
      const withGates = isGraph && gatesFile?.found ? gatesFile.path : undefined;
      const bundle = await bundleFile(intake.root, located.path, withGates);
      if (!bundle.ok) {
        const text = `${shown}${withGates ? ` (with ${basename(withGates)}, whose gates the starter kit builds its graphs from)` : ""} does not compile:\n${bundle.errors.slice(0, 5).map(formatCompileError).join("\n")}`;
        messages.push(text);
        for (const e of located.exports) exportSandboxes.set(e, { problem: text });
        continue;
      }
      const sandboxOptions = {
        memoryMb: manifest.limits.memoryMb,
        loadTimeoutMs: declared.limits.callTimeoutMs, // --timeout shortens calls, never loading
        bwrap: options.bwrap,
        graderGates: isGraph && !offline,
      };
      const sandbox = new Sandbox(bundle.code, sandboxOptions);
      sandboxes.push(sandbox);
      sandbox.load().catch(() => undefined); // its child starts while the next file compiles; the first test waits for it
      const timed = options.timingChild && specs.some((t) => t.kind === "efficiency" && located.exports.includes(t.export));
      const timing = timed ? new Sandbox(bundle.code, sandboxOptions) : undefined;
      if (timing) {
        timingSandboxes.push(timing);
        timing.load().catch(() => undefined);
      }
      for (const e of located.exports) exportSandboxes.set(e, { sandbox, ...(timing ? { timing } : {}), file: shown });
    }
    // Exports the file does not have: found out once the sandbox has loaded (the first run loads it).
    const grader = new SubmissionGrader(assignment, manifest, exportSandboxes, options, specs);
    const gradeAt = async (k: number) => {
      const spec = specs[k];
      const t0 = performance.now();
      let outcome: Outcome;
      try {
        const where = exportSandboxes.get(spec.export);
        const missing = where && "sandbox" in where ? await missingExport(where.sandbox, where.file, spec.export) : null;
        outcome = missing ?? (await grader.grade(spec));
      } catch (error) {
        outcome =
          error instanceof UnrecordedAnswerError
            ? { status: "grader-error", message: error.message, cause: error.stack }
            : { status: "grader-error", message: `the grader failed on this test: ${(error as Error).message}.`, cause: (error as Error).stack };
      }
      if (offline && spec.export === "ComputationalGraph" && outcome.status === "failed")
        outcome = { ...outcome, details: [outcome.details, OWN_GATES].filter(Boolean).join("\n") };
      const extra = "extra" in outcome ? outcome.extra : undefined;
      tests[k] = { test: spec, score: scoreOf(spec, outcome), outcome, durationMs: performance.now() - t0, ...(extra ? { extra } : {}) };
      options.onTest?.(tests[k]);
    };
    // Two lanes, each in manifest order: the efficiency tests, which keep the child busy (their
    // calls are timed in the child's own CPU time, one request at a time: Sandbox.call), beside
    // every other test, whose answers the grader judges meanwhile. Results stay in manifest order.
    const lanes = [specs.flatMap((s, k) => (s.kind === "efficiency" ? [] : [k])), specs.flatMap((s, k) => (s.kind === "efficiency" ? [k] : []))];
    await Promise.all(
      lanes.map(async (lane) => {
        for (const k of lane) await gradeAt(k);
      }),
    );
    if (options.onHiddenAnswers && specs.some((s) => s.kind === "hidden")) {
      try {
        options.onHiddenAnswers(await grader.hiddenAnswers());
      } catch {
        // staff-only data: a failure here costs the signal, never the student's grade
      }
    }
  } finally {
    await Promise.all([...sandboxes, ...timingSandboxes].map((s) => s.close()));
  }
  const studentOutput = sandboxes
    .map((s) => s.studentOutput)
    .filter((o) => o.length > 0)
    .join("\n");
  return {
    assignment,
    student: options.student ?? basename(resolve(dir)),
    score: tests.reduce((s, t) => s + t.score, 0),
    maxScore: tests.reduce((s, t) => s + t.test.points, 0),
    executionTimeMs: performance.now() - started,
    tests,
    ...(studentOutput ? { studentOutput } : {}),
    messages,
  };
}

/** Offline, what every failed graph test adds: the graph ran with the student's own gates. */
const OWN_GATES =
  "the starter kit builds these graphs from your own gates.ts (it has no reference code; the course's grader uses its own gates, so that a gate bug never costs a graph test there): if a gate's tests fail too, fix that gate first";

/** A failed outcome when the loaded file does not export `name` as the contract says. */
async function missingExport(sandbox: Sandbox, file: string, name: string): Promise<Outcome | null> {
  if (!sandbox.exports) await sandbox.load();
  const exports = sandbox.exports;
  if (!exports) return null; // it did not load: the test's run reports why
  const kind = exports[name];
  if (kind === "function") return null;
  const others = Object.keys(exports).filter((k) => k !== "default");
  const hint =
    "default" in exports
      ? ` It has a default export: the contract needs named exports (export function ${name} …).`
      : others.length > 0
        ? ` It exports ${others.slice(0, 8).join(", ")}${others.length > 8 ? " …" : ""}.`
        : "";
  const what = kind === undefined ? "does not export" : `exports ${name} as a ${kind}, not a function or class:`;
  return { status: "failed", message: `${file} ${what} ${name}.${hint}` };
}
