/**
 * What a check gets to work with, and what it returns. A check is a function from a
 * CheckContext to an Outcome: it builds cases, runs them in the student's sandbox through
 * `run` (the answers come back as untrusted data) and judges them here. Checks are registered by
 * name in checks/registry.ts; a manifest test names its check (`"check": "…"`).
 */
import type { AssignmentName, Case, Value } from "../cases/case";
import type { Sizes } from "../cases/scale";
import type { Manifest } from "../manifest";
import type { GradingPolicy } from "../reference/grading-policy";
import type { ReferenceAnswers } from "../reference/reference-answers";
import type { Outcome, ProcessEnd, Replay, TestSpec } from "../result-model";
import { megabytes } from "../sandbox/memory";
import { endedHow } from "../sandbox/process-end";
import type { Thrown } from "../sandbox/protocol";
import type { CallResult } from "../sandbox/sandbox";

export interface RunRequest {
  /** Layers: the forward only. */
  forwardOnly?: boolean;
  /** Also return the arguments as they are after the call, under "$inputs". */
  reportInputs?: boolean;
  /** Time limit of this call (default: the test's). */
  timeoutMs?: number;
  /** A run of a committed or hidden case (same id, same inputs) that other tests of this export may
   *  share instead of calling the student's code again; never for checks that count calls. */
  shared?: boolean;
}

export interface BatchRequest {
  /** Layers: the forward only. */
  forwardOnly?: boolean;
  /** The outputs to send back per input (e.g. ["out"]). */
  keep: string[];
  /** Time limit of the whole batch (default: the test's per-call limit). */
  timeoutMs?: number;
}

export interface CheckContext {
  assignment: AssignmentName;
  spec: TestSpec;
  manifest: Manifest;
  /** The file handed in that holds spec.export, as the student named it ("layers.js"). */
  file: string;
  /** Run a case in the sandbox that holds spec.export. */
  run(c: Case, request?: RunRequest): Promise<CallResult>;
  /** Run `c`'s target on each of `inputs` in one round trip (Sandbox.batch): the value returned is
   *  the child's untrusted BatchItem[]. Optional: without it, a check runs the inputs one by one. */
  batch?(c: Case, inputs: Record<string, Value>[], request: BatchRequest): Promise<CallResult>;
  /** Efficiency: time `exportName` on the case built in the sandbox from `seed` at `sizes`
   *  (Sandbox.time); the returned value is the child's untrusted `Timed`, the times are the grader's. */
  time(seed: string, sizes: Sizes, timeoutMs: number): Promise<CallResult>;
  /** Training: the two-layer net's whole training run from `seed` in the sandbox (Sandbox.train);
   *  the returned value is the child's untrusted `Trained`. */
  train(seed: string, timeoutMs: number): Promise<CallResult>;
  /** Run case `c` of another export of the contract in the sandbox of the file that holds it:
   *  the diagnosis of an export built on another one (judge/diagnose/composition.ts COMPOSITIONS) asks the
   *  student's own inner export. Optional: without it, no composition is diagnosed. */
  runExport?(exportName: string, c: Case): Promise<CallResult | undefined>;
  /** The committed golden cases that exercise spec.export. */
  golden: Case[];
  /** The hidden cases of the assignment: the case plan drawn from the secret seed (every export's). */
  hiddenCases(): Case[];
  /** The reference's answers (graders/reference/reference-answers.ts): live in the grader, recorded in the starter kit. */
  reference: ReferenceAnswers;
  /** Where this grading differs from the course's grader (graders/reference/grading-policy.ts): the live policy, or the starter kit's. */
  policy: GradingPolicy;
  /** A seed for this test's random draws: replayable, secret for hidden tests. */
  seed: string;
  /** The per-call time limit of this test (ms). */
  limitMs: number;
}

export type Check = (ctx: CheckContext) => Promise<Outcome>;

/** A check as the registry (checks/registry.ts) holds it: what it runs and which exports it applies to. */
export interface RegisteredCheck {
  run: Check;
  /** The contract exports it can check; a manifest test of another export is refused at load. */
  exports: readonly string[];
}

/** "TypeError: x is undefined", or "a string: oops" for a thrown value that is not an Error. */
export function thrownText(t: Thrown): string {
  return /Error$|^Error/.test(t.name) ? `${t.name}: ${t.message}` : `a ${t.name}: ${t.message}`;
}

/**
 * Student-facing lines of a stack: the frames in their own files, as the sandbox mapped them
 * (`at reluBackward (layers.ts:31:9)`: submission/stack.ts). A frame that still names a path,
 * a URL or a `node:` module was never mapped (a stack the sandbox did not see) and is left out:
 * no temporary folder, no Node internals, no grader runner reaches a student.
 */
export function studentStack(t: Thrown): string | undefined {
  const frames = (t.stack ?? "")
    .split("\n")
    .filter((l) => /^\s+at /.test(l) && !/[a-z]+:\/\/|node:|\/(tmp|var|private|home|Users)\/|[A-Za-z]:\\|\(<anonymous>\)|\(\//.test(l));
  return frames.length > 0 ? frames.slice(0, 6).join("\n") : undefined;
}

/** What to look for when the student's process ended: the reason itself is rendered from `end`.
 *  `addressSpaceBytes`: the OS limit the child ran under (limits.ts), where the grader could read it. */
export function advice(end: ProcessEnd, limitMs: number, memoryMb: number, whileLoading = false, addressSpaceBytes: number | null = null): string {
  const loading = whileLoading ? " while your file was being loaded" : "";
  if (end.timedOut) {
    return whileLoading
      ? `Loading your file did not finish within ${limitMs} ms: look for an endless loop or a top-level await that never settles.`
      : `No answer within ${limitMs} ms: look for an endless loop, or code far slower than it needs to be.`;
  }
  if (end.outOfMemory) {
    const inAll = addressSpaceBytes ? `, ${megabytes(addressSpaceBytes)} of address space in all` : "";
    return `Your code ran out of memory${loading} (the limits: ${memoryMb} MB for JavaScript objects${inAll}): look for a matrix far larger than the inputs, such as an N×D×D or D×D intermediate.`;
  }
  if (end.protocolError)
    return `Your code wrote to the grader's private channel to its process (${end.protocolError})${loading}; leave file descriptor 3 alone.`;
  if (end.signal) return `Your process was killed by ${end.signal}${loading} (process.kill, process.abort, or a crash).`;
  if (end.exitCode !== undefined)
    return `Your code ended its process with exit code ${end.exitCode}${loading}: do not call process.exit; return your result instead.`;
  return `Your process ended unexpectedly${loading}.`;
}

/**
 * The outcome of a call that did not return normally (threw, ended, or the file did not load),
 * or null when it returned and its value can be judged.
 */
export function outcomeUnlessReturned(r: CallResult, ctx: Pick<CheckContext, "spec" | "manifest" | "limitMs" | "file">, replay?: Replay): Outcome | null {
  if (r.kind === "returned") return null;
  if (r.kind === "ended") {
    const ms = r.whileLoading ? ctx.manifest.limits.callTimeoutMs : ctx.limitMs;
    return { status: "could-not-check", message: advice(r.end, ms, ctx.manifest.limits.memoryMb, r.whileLoading, r.memory?.limitBytes ?? null), end: r.end };
  }
  if (r.kind === "sandbox-failed")
    return { status: "grader-error", message: `the grader's sandbox ${endedHow(r.end)} before your file was loaded`, cause: r.stderr };
  if (r.kind === "load-failed")
    return { status: "failed", message: `${ctx.file} threw while it was being loaded: ${thrownText(r.error)}`, details: studentStack(r.error) };
  return { status: "failed", message: `${ctx.spec.export} threw ${thrownText(r.error)}`, details: studentStack(r.error), ...(replay ? { replay } : {}) };
}
