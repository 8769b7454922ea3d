/**
 * Grading one submission: compile each contract file, load each in its own sandbox, run every
 * declared test's cases there, and judge the raw answers here, in the grader's process.
 * Whatever one export does (missing, not compiling, throwing, hanging, crashing) costs only the
 * tests of that export and of exports that need it (a layer's backward needs its forward's cache).
 */
import { basename, resolve } from "node:path";
import type { AssignmentName, Case } from "./cases/case";
import { goldenPath } from "./cases/golden";
import { loadCaseFile } from "./cases/load";
import { planCases } from "./cases/plan";
import { type Manifest, loadManifest, testSpecs } from "./manifest";
import { referenceAnswers } from "./reference";
import { type ReferenceAnswers, UnrecordedAnswerError } from "./reference-answers";
import { type Outcome, type SubmissionResult, type TestKind, type TestResult, type TestSpec, scoreOf } from "./results/result";
import { type CallResult, Sandbox } from "./sandbox/sandbox";
import { CHECKS, checkName } from "./checks/registry";
import { contractFile } from "./contract";
import { rootPath } from "./paths";
import { bundleFile, formatCompileError } from "./submission/bundle";
import { locateFiles } from "./submission/locate";

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
  /** Called as each test is graded, in order: a caller that may be stopped keeps what was earned. */
  onTest?: (result: TestResult) => void;
}

/** Where an export lives in this submission: a loaded sandbox, or why it cannot be tested. */
type Home = { sandbox: Sandbox; file: string } | { problem: string };

class SubmissionGrader {
  private readonly runs = new Map<string, Promise<CallResult>>();
  private hidden: Case[] | undefined;
  private readonly golden: Case[];
  private readonly deadline: number;
  private readonly referenceSandboxes = new Map<string, Promise<Sandbox>>();
  private readonly reference: ReferenceAnswers;

  /** Stop the reference's sandboxes (the student's are closed by whoever made them). */
  async close(): Promise<void> {
    await Promise.all([...this.referenceSandboxes.values()].map((p) => p.then((s) => s.close(), () => undefined)));
  }

  constructor(
    private readonly assignment: AssignmentName,
    private readonly manifest: Manifest,
    private readonly homes: Map<string, Home>,
    private readonly options: GradeOptions,
    /** How long loading a module may take: the manifest's call limit, whatever --timeout says. */
    private readonly loadTimeoutMs: number,
  ) {
    this.golden = loadCaseFile(goldenPath(assignment)).cases;
    this.reference = options.reference ?? referenceAnswers;
    this.deadline = performance.now() + manifest.limits.submissionTimeoutMs;
  }

  private hiddenCases(): Case[] {
    this.hidden ??= planCases(this.assignment, `hidden:${this.options.secret}`);
    return this.hidden;
  }

  /** One run of a case at the test's time limit in the export's sandbox, shared by every test that needs it. */
  private sharedRun(sandbox: Sandbox, c: Case, forwardOnly: boolean, timeoutMs: number): Promise<CallResult> {
    const key = `${c.seed}|${c.id}|${forwardOnly}|${timeoutMs}`;
    let r = this.runs.get(key);
    if (!r) {
      r = sandbox.run(c, timeoutMs, { forwardOnly });
      this.runs.set(key, r);
    }
    return r;
  }

  /** The reference, compiled and sandboxed like a submission: for checks that compare timings. */
  private referenceSandbox(file: string): Promise<Sandbox> {
    let p = this.referenceSandboxes.get(file);
    if (!p) {
      p = (async () => {
        const dir = `${rootPath("reference", this.assignment)}/`;
        const bundle = await bundleFile(dir, `${dir}${file}`);
        if (!bundle.ok) throw new Error(`the reference ${file} does not compile: ${bundle.errors.map(formatCompileError).join("; ")}`);
        const sandbox = new Sandbox(bundle.code, {
          memoryMb: this.manifest.limits.memoryMb,
          loadTimeoutMs: this.loadTimeoutMs,
          bwrap: this.options.bwrap,
          graderGates: file === "graph.ts",
        });
        return sandbox;
      })();
      this.referenceSandboxes.set(file, p);
    }
    return p;
  }

  async grade(spec: TestSpec): Promise<Outcome> {
    const home = this.homes.get(spec.export);
    if (!home) return { status: "grader-error", message: `no file provides ${spec.export} in the contract (grader bug)` };
    if ("problem" in home) return { status: "failed", message: home.problem };
    if (performance.now() > this.deadline) {
      return { status: "could-not-check", message: `the time budget of ${this.manifest.limits.submissionTimeoutMs / 1000} s for your whole submission ran out before this test`, end: { timedOut: true, outOfMemory: false } };
    }
    const limit = spec.timeoutMs ?? this.manifest.limits.callTimeoutMs;
    const registered = CHECKS[checkName(spec)]; // loadManifest refused unknown checks and exports they do not apply to
    if (!registered) return { status: "grader-error", message: `${spec.kind} check "${checkName(spec)}" is not implemented in this version of the grader.` };
    const { sandbox, file } = home;
    return registered.run({
      assignment: this.assignment,
      spec,
      manifest: this.manifest,
      file,
      run: (c, r = {}) => (r.shared ? this.sharedRun(sandbox, c, r.forwardOnly ?? false, limit) : sandbox.run(c, r.timeoutMs ?? limit, r)),
      batch: (c, inputs, r) => sandbox.batch(c, inputs, r.timeoutMs ?? limit, r),
      time: (seed, sizes, timeoutMs) => sandbox.time(spec.export, seed, sizes, timeoutMs),
      timeReference: async (seed, sizes, timeoutMs) => (await this.referenceSandbox(contractFile(this.assignment, spec.export))).time(spec.export, seed, sizes, timeoutMs),
      golden: this.golden.filter((c) => c.exports.includes(spec.export)),
      hiddenCases: () => this.hiddenCases(),
      reference: this.reference,
      seed: `${spec.visibility === "visible" ? "visible" : `hidden:${this.options.secret}`}:${spec.name}`,
      limitMs: limit,
    });
  }
}

/** Grade the submission in `dir` for `assignment`. Never throws for anything the student did. */
export async function gradeSubmission(assignment: AssignmentName, dir: string, options: GradeOptions): Promise<SubmissionResult> {
  const started = performance.now();
  const declared = loadManifest(assignment);
  const manifest = options.callTimeoutMs ? { ...declared, limits: { ...declared.limits, callTimeoutMs: options.callTimeoutMs } } : declared;
  const specs = testSpecs(manifest).filter(
    (t) => (!options.visibleOnly || t.visibility === "visible") && (!options.kinds || options.kinds.includes(t.kind)) && (!options.exports || options.exports.includes(t.export)),
  );
  const offline = (options.reference ?? referenceAnswers).offline;
  const contractFiles = locateFiles(dir, assignment);
  const files = contractFiles.filter((f) => !options.exports || f.exports.some((e) => options.exports!.includes(e)));
  /** Offline (the starter kit has no reference gates), a graph's nodes are the student's own gates: gates.ts compiled into the graph's bundle. */
  const gatesFile = offline ? contractFiles.find((f) => f.exports.includes("AddGate")) : undefined;
  const homes = new Map<string, Home>();
  const messages: string[] = [];
  const sandboxes: Sandbox[] = [];
  for (const located of files) {
    if (!located.found) {
      messages.push(located.message);
      for (const e of located.exports) homes.set(e, { problem: located.message });
      continue;
    }
    const shown = basename(located.path);
    if (located.alsoPresent.length > 0) messages.push(`${shown} is graded; ${located.alsoPresent.join(", ")} ${located.alsoPresent.length > 1 ? "are" : "is"} ignored`);
    const isGraph = located.exports.includes("ComputationalGraph");
    if (isGraph && gatesFile && !gatesFile.found) {
      const text = `the starter kit builds its graphs from your own gates (the course's grader uses its own): ${gatesFile.message}`;
      for (const e of located.exports) homes.set(e, { problem: text });
      continue;
    }
    const withGates = isGraph && gatesFile?.found ? gatesFile.path : undefined;
    const bundle = await bundleFile(dir, located.path, withGates);
    if (!bundle.ok) {
      const text = `${shown}${withGates ? ` (with ${basename(withGates)}, whose gates the starter kit builds its graphs from)` : ""} does not compile:\n${bundle.errors.slice(0, 5).map(formatCompileError).join("\n")}`;
      messages.push(text);
      for (const e of located.exports) homes.set(e, { problem: text });
      continue;
    }
    const sandbox = new Sandbox(bundle.code, {
      memoryMb: manifest.limits.memoryMb,
      loadTimeoutMs: declared.limits.callTimeoutMs, // --timeout shortens calls, never loading
      bwrap: options.bwrap,
      graderGates: isGraph && !offline,
    });
    sandboxes.push(sandbox);
    for (const e of located.exports) homes.set(e, { sandbox, file: shown });
  }
  // Exports the file does not have: found out once the sandbox has loaded (the first run loads it).
  const grader = new SubmissionGrader(assignment, manifest, homes, options, declared.limits.callTimeoutMs);
  const tests: TestResult[] = [];
  try {
    for (const spec of specs) {
      const t0 = performance.now();
      let outcome: Outcome;
      try {
        const home = homes.get(spec.export);
        const missing = home && "sandbox" in home ? await missingExport(home.sandbox, home.file, spec.export) : null;
        outcome = missing ?? (await grader.grade(spec));
      } catch (error) {
        outcome =
          error instanceof UnrecordedAnswerError
            ? { status: "grader-error", message: error.message, cause: error.stack }
            : { status: "grader-error", message: `the grader failed on this test: ${(error as Error).message}.`, cause: (error as Error).stack };
      }
      if (offline && spec.export === "ComputationalGraph" && outcome.status === "failed") outcome = { ...outcome, details: [outcome.details, OWN_GATES].filter(Boolean).join("\n") };
      const extra = "extra" in outcome ? outcome.extra : undefined;
      const graded: TestResult = { test: spec, score: scoreOf(spec, outcome), outcome, durationMs: performance.now() - t0, ...(extra ? { extra } : {}) };
      tests.push(graded);
      options.onTest?.(graded);
    }
  } finally {
    await Promise.all([...sandboxes.map((s) => s.close()), grader.close()]);
  }
  const studentOutput = sandboxes.map((s) => s.studentOutput).filter((o) => o.length > 0).join("\n");
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
  const hint = "default" in exports
    ? ` It has a default export: the contract needs named exports (export function ${name} …).`
    : others.length > 0
      ? ` It exports ${others.slice(0, 8).join(", ")}${others.length > 8 ? " …" : ""}.`
      : "";
  const what = kind === undefined ? "does not export" : `exports ${name} as a ${kind}, not a function or class:`;
  return { status: "failed", message: `${file} ${what} ${name}.${hint}` };
}
