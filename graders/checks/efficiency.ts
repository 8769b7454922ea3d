/**
 * Efficiency at the lecture's scale (cases/scale.ts: a minibatch of 100 × 4096). Each layer's
 * forward, each layer's backward (run as forward + backward, which is how a layer case runs) and
 * the two-layer net's scores and loss must finish within max(20 × the reference, the reference +
 * 200 ms), the reference timed in the same run, compiled and sandboxed like a submission.
 * This catches per-entry Jacobians and a "backward" computed by finite differences.
 *
 * What is timed. The case is built inside each sandbox from a seed and the answer comes back as a
 * summary (judge/summary.ts): a million numbers as JSON cost 0.3–4 s a call, more than the
 * computation. Building, summarizing and the round trip are the same work on both sides, so:
 *   overhead        = the reference's round trip − its call as timed by its own child (our code);
 *   the student's   = their round trip, by the grader's clock − that overhead.
 * The student's child reports a time too, but it runs student code: it is never trusted.
 *
 * Rounds: one tiny warm-up call on each side (loads both sandboxes, compiles the functions, and
 * checks the answer on a small case cheaply), then up to 3 rounds of one timed call each,
 * alternating who goes first; the best of each side counts. A pass stops after the first round,
 * as does a failure by more than the limit itself and more than 1 s (noise cannot explain it).
 * In a batch, the reference's CPU-timed runs of a case are kept for the later students' first round.
 *
 * A fast answer must also be right: the student's summary is compared with the reference's
 * (shape, every entry finite, 4096 sampled entries, every row and column sum), so a stub earns
 * nothing here. A call still running well past the limit is stopped and fails the test: too slow
 * is this check's verdict, not a "could not check".
 */
import { createHash } from "node:crypto";
import type { Case } from "../cases/case";
import { SCALE, type Sizes, efficiencyTarget, scaleLabel } from "../cases/scale";
import { outputsOf } from "../judge/compare";
import { SUMMARY_TOLERANCE, type Summary, summaryMismatch } from "../judge/summary";
import { toleranceText } from "../judge/tolerance";
import type { Outcome } from "../results/result";
import type { Timed } from "../sandbox/protocol";
import type { CallResult } from "../sandbox/sandbox";
import { type Check, type CheckContext, unreturned } from "./context";

/** The warm-up case: the same code paths at a size where every entry is compared. */
export const WARMUP: Sizes = { N: 4, D: 8, M: 3, H: 5, C: 3 };

/** The student's computation may take this many times the reference's … */
export const FACTOR = 20;
/** … or the reference's plus this much, whichever is more (ms). */
export const FLOOR_MS = 200;
/** Timed rounds at most (each: one call of the reference, one of the student). */
const ROUNDS = 3;
/** The reference's calls may take this many times the test's time limit before it is a grader error. */
const REFERENCE_TIMEOUT_FACTOR = 6;
/** Over the limit by more than the limit itself and more than this (ms): no more rounds. */
const CLEAR_MS = 1000;

/** The seed the sandboxes build the case from: a one-way hash of the test's (secret for hidden tests). */
export function efficiencySeed(testSeed: string): string {
  return createHash("sha256").update(`efficiency:${testSeed}`).digest("hex").slice(0, 24);
}

/** How a call was timed: CPU time of the sandbox's processes (Linux /proc), else wall time of the round trip. */
export type Clock = "cpu" | "wall";
const CLOCK_TEXT: Record<Clock, string> = {
  cpu: "CPU time of each sandbox during the call, kept by the kernel (a busy machine does not count against you)",
  wall: "round trips to the sandbox, by the grader's clock",
};

/** "4.2 s", "0.05 s", "< 0.01 s". */
export function seconds(ms: number): string {
  if (ms < 5) return "< 0.01 s";
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 1000).toFixed(2)} s`;
}
const round1 = (ms: number) => Math.round(ms * 10) / 10;

export interface Timing {
  /** The reference's call, timed by its own child (ms, best round). */
  referenceMs: number;
  /** Best round trips to each sandbox, by the grader's clock (ms). */
  referenceRoundTripMs: number;
  studentRoundTripMs: number;
  /** Building the case, summarizing the answer and the round trip: reference's round trip − its call. */
  overheadMs: number;
  /** The student's computation: their round trip − the overhead. */
  studentMs: number;
  /** max(FACTOR × reference, reference + FLOOR_MS). */
  limitMs: number;
}

const min = (xs: number[]) => xs.reduce((a, b) => Math.min(a, b), Infinity);

/** The verdict's numbers from the measurements (one entry per round, each side). */
export function timing(reference: { ms: number[]; trips: number[] }, studentTrips: number[]): Timing {
  const referenceMs = min(reference.ms);
  const overheadMs = Math.max(0, min(reference.trips.map((t, k) => t - reference.ms[k])));
  const studentRoundTripMs = min(studentTrips);
  return {
    referenceMs,
    referenceRoundTripMs: min(reference.trips),
    studentRoundTripMs,
    overheadMs,
    studentMs: Math.max(0, studentRoundTripMs - overheadMs),
    limitMs: Math.max(FACTOR * referenceMs, referenceMs + FLOOR_MS),
  };
}

function limitText(limitMs: number, referenceMs: number): string {
  return FACTOR * referenceMs >= referenceMs + FLOOR_MS
    ? `limit ${seconds(limitMs)} = ${FACTOR}× the reference`
    : `limit ${seconds(limitMs)} = the reference + ${seconds(FLOOR_MS)}`;
}

function advice(exportName: string): string {
  return exportName.endsWith("Backward")
    ? "build no Jacobian and no loop over single entries; use matrix products and elementwise operations"
    : "use matrix products and elementwise operations, once per call, not work repeated per entry";
}

/** A child's answer to a time request, read as untrusted data; null when it is not one. */
export function readTimed(value: unknown): Timed | null {
  if (typeof value !== "object" || value === null) return null;
  const { ms, cpuMs, summaries } = value as Record<string, unknown>;
  const time = (t: unknown): t is number => typeof t === "number" && Number.isFinite(t) && t >= 0;
  if (!time(ms) || !time(cpuMs)) return null;
  if (typeof summaries !== "object" || summaries === null || Array.isArray(summaries)) return null;
  return { ms, cpuMs, summaries: summaries as Record<string, Summary> };
}

/** The first output of `names` whose summary differs from the reference's, as one line. */
function mismatch(names: string[], expected: Timed, actual: Timed): string | null {
  for (const name of names) {
    const e = expected.summaries[name];
    if (!e) throw new Error(`the reference's answer has no ${name} (grader bug)`);
    const wrong = summaryMismatch(name, e, actual.summaries[name] ?? { kind: "invalid", why: `${name} is missing` });
    if (wrong) return wrong;
  }
  return null;
}

function wrongAt(exportName: string, where: string, wrong: string): Outcome {
  return {
    status: "failed",
    message: `${exportName}: at ${where}, ${wrong}: speed is graded only for a correct result`,
    details: `compared with the reference: shapes, every entry finite, up to 4096 sampled entries and every row and column sum, ${toleranceText(SUMMARY_TOLERANCE, { actual: "yours", expected: "reference", scale: "max|reference|" })}`,
  };
}

// ------------------------------------------------------------------------------- the reference's runs
/** One timed call of the reference at scale: its answer's summaries and its time by `clock`. */
interface ReferenceRun {
  expected: Timed;
  clock: Clock;
  /** The call itself (its own child's clock: ours). */
  ms: number;
  /** The whole request (CPU time of its sandbox, or the round trip). */
  trip: number;
}

/**
 * Reference runs kept for the later submissions of one grading process (a batch grades many
 * students on the same efficiency cases): the same code on the same case, timed in CPU time, which
 * does not depend on how busy the machine is, so the first round of each later student is timed
 * against it instead of a new reference run. Wall-time runs are never kept. A student over the
 * limit still gets fresh reference runs in the later rounds.
 */
const kept = new Map<string, { warm: Timed; big: ReferenceRun; at: number }>();
const KEEP_MS = 15 * 60_000;

function keep(key: string, run: { warm: Timed; big: ReferenceRun; at: number }): void {
  if (kept.size >= 256) kept.delete(kept.keys().next().value as string);
  kept.set(key, run);
}

/** Forget the kept reference runs (tests). */
export function forgetReferenceRuns(): void {
  kept.clear();
}

// ------------------------------------------------------------------------------- the check
export const efficiency: Check = async (ctx: CheckContext): Promise<Outcome> => {
  const exportName = ctx.spec.export;
  const plan = efficiencyTarget(exportName);
  if (!plan) return { status: "grader-error", message: `no efficiency case for ${exportName} (grader bug)` };
  const names = outputsOf({ target: plan.target } as Case, exportName);
  const seed = efficiencySeed(ctx.seed);
  const referenceTimeout = REFERENCE_TIMEOUT_FACTOR * ctx.limitMs;

  // The reference's runs of this case from an earlier submission of this grading process (a batch).
  const key = `${ctx.assignment}|${exportName}|${seed}`;
  const earlier = kept.get(key);
  const reuse = earlier && performance.now() - earlier.at < KEEP_MS ? earlier : undefined;

  // Warm-up (not timed): load both sandboxes, compile, and check the answer on a small case.
  let warmExpected: Timed;
  if (reuse) warmExpected = reuse.warm;
  else {
    const warmRef = await ctx.timeReference(seed, WARMUP, referenceTimeout);
    const read = warmRef.kind === "returned" ? readTimed(warmRef.value) : null;
    if (!read) return referenceFailed(exportName, warmRef, "on a tiny case");
    warmExpected = read;
  }
  const warm = await ctx.time(seed, WARMUP, ctx.limitMs);
  const warmProblem = unreturned(warm, ctx);
  if (warmProblem) return warmProblem;
  const warmTimed = readTimed((warm as { value: unknown }).value);
  if (!warmTimed) return unreadable(exportName);
  const warmWrong = mismatch(names, warmExpected, warmTimed);
  if (warmWrong) return wrongAt(exportName, `${WARMUP.N}×${WARMUP.D}`, warmWrong);

  const reference = { ms: [] as number[], trips: [] as number[] };
  const trips: number[] = [];
  let t: Timing | null = null;
  let clock: Clock | undefined = reuse?.big.clock;
  for (let round = 0; round < ROUNDS; round++) {
    // Once the student's call is well past any limit it is stopped: that is the verdict.
    let timeoutMs = ctx.limitMs;
    const studentCall = () => {
      const known = reference.ms.length > 0 ? timing(reference, [Infinity]) : null;
      timeoutMs = Math.max(ctx.limitMs, known ? 1.5 * known.limitMs : 0) + (known?.overheadMs ?? 0);
      return ctx.time(seed, SCALE, timeoutMs);
    };
    let mine: CallResult | null = round % 2 === 1 ? await studentCall() : null;
    let run: ReferenceRun;
    if (round === 0 && reuse) run = reuse.big;
    else {
      const ref = await ctx.timeReference(seed, SCALE, referenceTimeout);
      const expected = ref.kind === "returned" ? readTimed(ref.value) : null;
      if (!expected) return referenceFailed(exportName, ref, `at ${scaleLabel}`);
      // CPU time where the kernel keeps it (Linux): a busy machine then costs nobody a point
      clock ??= (ref as { cpuMs?: number }).cpuMs !== undefined ? "cpu" : "wall";
      run = { expected, clock, ms: clock === "cpu" ? expected.cpuMs : expected.ms, trip: clock === "cpu" ? (ref as { cpuMs: number }).cpuMs : ref.durationMs };
      if (round === 0 && clock === "cpu") keep(key, { warm: warmExpected, big: run, at: performance.now() });
    }
    reference.ms.push(run.ms);
    reference.trips.push(run.trip);
    mine ??= await studentCall();
    if (mine.kind === "ended" && mine.end.timedOut && !mine.whileLoading) {
      return verdict(exportName, { ...timing(reference, [Infinity]), studentRoundTripMs: mine.durationMs, studentMs: Infinity }, { student: [...trips, mine.durationMs], reference: reference.trips }, clock!, timeoutMs);
    }
    const problem = unreturned(mine, ctx);
    if (problem) return problem;
    const answer = readTimed((mine as { value: unknown }).value);
    if (!answer) return unreadable(exportName);
    if (round === 0) {
      const wrong = mismatch(names, run.expected, answer);
      if (wrong) return wrongAt(exportName, scaleLabel, wrong);
    }
    trips.push(clock === "cpu" ? ((mine as { cpuMs?: number }).cpuMs ?? mine.durationMs) : mine.durationMs);
    t = timing(reference, trips);
    if (t.studentMs <= t.limitMs || t.studentMs - t.limitMs > Math.max(t.limitMs, CLEAR_MS)) break;
  }
  return verdict(exportName, t!, { student: trips, reference: reference.trips }, clock ?? "wall");
};

/**
 * The outcome from the measurements: passed within the limit, else failed with what to do.
 * `stoppedAfterMs`: the student's call was stopped after this long (studentMs is Infinity).
 */
export function verdict(exportName: string, t: Timing, trips: { student: number[]; reference: number[] }, clock: Clock, stoppedAfterMs?: number): Outcome {
  const extra = {
    efficiency: {
      scale: scaleLabel,
      clock,
      studentMs: Number.isFinite(t.studentMs) ? round1(t.studentMs) : null,
      referenceMs: round1(t.referenceMs),
      limitMs: round1(t.limitMs),
      overheadMs: round1(t.overheadMs),
      measuredMs: { student: trips.student.map(round1), reference: trips.reference.map(round1) },
      factor: FACTOR,
      floorMs: FLOOR_MS,
      ...(stoppedAfterMs !== undefined ? { stoppedAfterMs } : {}),
    },
  };
  const limit = limitText(t.limitMs, t.referenceMs);
  if (t.studentMs <= t.limitMs) {
    return { status: "passed", message: `${exportName}: ${seconds(t.studentMs)} at ${scaleLabel}, the reference ${seconds(t.referenceMs)} (${limit})`, extra };
  }
  const took = stoppedAfterMs !== undefined ? `had not finished after ${seconds(stoppedAfterMs)}` : `took ${seconds(t.studentMs)}`;
  return {
    status: "failed",
    message: `${exportName}: ${took} at ${scaleLabel}, the reference ${seconds(t.referenceMs)} (${limit}): ${advice(exportName)}`,
    details: [
      stoppedAfterMs !== undefined
        ? `your call was stopped after ${seconds(stoppedAfterMs)}, well past the limit`
        : `${CLOCK_TEXT[clock]} (best of ${trips.student.length}): yours ${seconds(t.studentRoundTripMs)}, the reference's ${seconds(t.referenceRoundTripMs)}`,
      `building the ${scaleLabel} case in the sandbox and summarizing the answer take about ${seconds(t.overheadMs)} per call, the same for both: they are left out of the times above`,
    ].join("\n"),
    extra,
  };
}

function unreadable(exportName: string): Outcome {
  return { status: "failed", message: `${exportName}: your process sent back something that is not the grader's timing summary (did your code change built-in objects such as Array or Math?)` };
}

function referenceFailed(exportName: string, r: CallResult, where: string): Outcome {
  const why = r.kind === "ended" ? (r.end.timedOut ? "timed out" : "ended") : r.kind === "threw" ? `threw ${r.error.name}: ${r.error.message}` : r.kind === "load-failed" ? "did not load" : "sent back no timing";
  return { status: "grader-error", message: `the reference's ${exportName} ${why} ${where} in its sandbox, so there is no time to compare with` };
}

