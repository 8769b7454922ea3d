/**
 * Grading one test of a submission through its check (checks/registry.ts), with what the checks
 * share: the runs of committed and hidden cases that several tests of one export make (one run
 * each, fetched together in one request per sandbox), and the submission's time budget.
 */
import { type AssignmentName, type Case, outputsOf } from "../cases/case";
import { CHECKS, checkName } from "../checks/registry";
import { valueRuns } from "../checks/values";
import { judgeOutputs } from "../judge/compare";
import type { Manifest } from "../manifest";
import type { GradingPolicy } from "../reference/grading-policy";
import type { ReferenceAnswers } from "../reference/reference-answers";
import type { Outcome, TestSpec } from "../result-model";
import type { CallResult, Sandbox } from "../sandbox/sandbox";
import { HIDDEN_SEED_PREFIX } from "../secret";
import { type AnswerFingerprints, type ExportAnswers, fingerprintAnswer } from "../staff/answer-fingerprints";
import type { ExportSandbox } from "./export-sandboxes";
import { goldenOf, hiddenOf } from "./graded-cases";

/** A run's result from one item of a "cases" request (untrusted), or null when the item is not one. */
function itemResult(item: unknown, durationMs: number, sandbox: Sandbox): CallResult | null {
  if (typeof item !== "object" || item === null) return null;
  if ("value" in item) return { kind: "returned", value: (item as { value: unknown }).value, durationMs };
  if ("threw" in item) return { kind: "threw", error: sandbox.thrown((item as { threw: unknown }).threw), durationMs };
  return null;
}

/** What a SubmissionGrader hands every check besides the submission's sandboxes. */
export interface SubmissionGraderOptions {
  /** Seed prefix of the hidden cases (secret). */
  secret: string;
  /** Where the reference's answers come from (the live reference, or the starter kit's recording). */
  reference: ReferenceAnswers;
  /** Where this grading differs from the course's grader (graders/reference/grading-policy.ts). */
  policy: GradingPolicy;
}

/**
 * The tests of one submission, graded one at a time through their registered checks: each test's
 * CheckContext, the runs its value tests share (made once, fetched together per sandbox), the
 * submission's time budget, and the fingerprint of the hidden answers those runs gave.
 */
export class SubmissionGrader {
  private readonly runs = new Map<string, Promise<CallResult>>();
  private readonly prefetches = new Map<Sandbox, Promise<void>>();
  private readonly golden: Case[];
  private readonly deadline: number;
  constructor(
    private readonly assignment: AssignmentName,
    private readonly manifest: Manifest,
    private readonly exportSandboxes: Map<string, ExportSandbox>,
    private readonly options: SubmissionGraderOptions,
    /** The tests being graded (their value tests' runs are fetched together). */
    private readonly specs: TestSpec[],
  ) {
    this.golden = goldenOf(assignment);
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
      reference: this.options.reference,
      policy: this.options.policy,
      seed: `${spec.visibility === "visible" ? "visible" : `${HIDDEN_SEED_PREFIX}${this.options.secret}`}:${spec.name}`,
      limitMs: limit,
    });
  }
}
