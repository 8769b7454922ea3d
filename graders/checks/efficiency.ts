/**
 * Efficiency as a GROWTH test. Its job is to catch code that is asymptotically wasteful (a full
 * Jacobian per row, per-entry allocations of growing size, a transpose redone per entry), not to
 * time a student's constant factors against the reference. Each layer's forward and backward
 * (run as forward + backward, which is how a layer case runs) and the net's scores and loss are
 * timed in the student's own sandbox at two sizes that differ 16× in the width D (cases/scale.ts:
 * 4×512 → 4×8192 for elementwise layers, 4×256 → 4×4096 with M = H = 16 for affine, maxout and
 * the net). Linear work grows about 16× in principle, more in practice at the affine and net
 * sizes: a correct net loss that allocates a matrix per step (the sample student
 * hal-scores-no-b2) measured 31–44× on a quiet machine and 58× once in CI, where the small
 * size's 2–3 ms is mostly fixed cost and the top size's 70–120 ms pays for allocation and
 * collection; a per-row Jacobian, or anything quadratic in D, grows 150× and more.
 *
 * The top size is timed first: at most FLOOR_MS passes, and nothing more is run (the common
 * case: one call per export). Above the floor, the small size is timed twice and the faster
 * counts, and the test passes when the time grew at most MAX_GROWTH (80×, five times linear:
 * above the worst correct code measured, 58×, and below the least quadratic code grows, 150×).
 * A failure is measured again, twice, top size included, before it counts (the top size's time
 * varies upward with the collector: 68–119 ms for the same call); a call still running after
 * the test's time limit (3 s) is stopped, and that is the verdict.
 *
 * Memory is the other sign of a Jacobian per row: a call whose memory grew by half a D×D matrix
 * (256 MB at 4×8192, by the kernel's count: sandbox/memory.ts), or that ran out of memory, fails
 * as such whether it then returned, was stopped at the time limit or died at the address-space
 * limit; which of those comes first varies from run to run for the same code, and the words
 * name only the size, the limits and the likely cause, so they are the same in every run.
 *
 * The floor, 50 ms of CPU time: far above the clock's resolution (the kernel's per-thread count,
 * in nanoseconds; 5 ticks where only /proc/<pid>/stat's 10 ms ticks are there), above what a
 * correct call costs at the top size on the grading machine (4–40 ms for the reference and the
 * sample students, the first call included, two gradings at once; a correct call above it is
 * judged by its growth, 5–15×, and passes too), yet below what wasteful code must cost there: a
 * per-row Jacobian of an elementwise layer is 4·8192² ≈ 2.7e8 multiply-adds (0.3 s for the
 * fastest we could write, a plain-array inner loop; 0.55 s with Matrix.get), a transpose or row
 * copy per entry of affine's dx 4·4096²·16 ≈ 1.1e9. So quadratic code is always judged by its
 * growth. (A student who deliberately slowed the small size down could game a growth test; it is
 * there to catch honest mistakes, and the values at both sizes must still be right.)
 *
 * The clock is one the student cannot fake: the kernel's CPU time of the main thread of the
 * sandboxed node, where the student's code runs, read by the grader before and after the call
 * (sandbox/cpu-time.ts; one request at a time, Sandbox.call), wall time where there is no /proc.
 * The case is built inside the sandbox from a seed, and the answer comes back as a summary
 * (cases/summarize.ts) that must match the expected one at each size timed (fixtures/efficiency/,
 * made from the reference; for a hidden test, the reference here): a fast wrong answer earns
 * nothing. No reference code runs in a sandbox, and nothing is timed but the student's calls.
 */
import { type Case, outputsOf } from "../cases/case";
import { efficiencySeed, expectedSummaries } from "../cases/expected-summaries";
import { GROWTH, type Sizes, efficiencyTarget, sizeLabel } from "../cases/scale";
import type { Summary } from "../cases/summarize";
import { SUMMARY_TOLERANCE, summaryMismatch } from "../judge/summary";
import { toleranceText } from "../judge/tolerance";
import type { Outcome } from "../result-model";
import type { Timed } from "../sandbox/protocol";
import type { CpuClock } from "../sandbox/cpu-time";
import { type MemoryUse, megabytes } from "../sandbox/memory";
import type { CallResult } from "../sandbox/sandbox";
import { type Check, type CheckContext, outcomeUnlessReturned } from "./context";

/** At most this much (ms) at the top size passes whatever the growth. */
export const FLOOR_MS = 50;
/** The time may grow at most this many times from the small size to the top one. */
export const MAX_GROWTH = 5 * GROWTH;
/** Timed rounds at most (each: the top size, then, above the floor, the small one twice). */
const ROUNDS = 3;

/** How a call was timed: the kernel's CPU time (cpu-time.ts), else the round trip's wall time. */
export type Clock = CpuClock | "wall";
/** The smallest time a clock tells apart from 0 (ms): a small size's time is taken as at least this. */
const RESOLUTION_MS: Record<Clock, number> = { sched: 0.01, stat: 10, wall: 1 };
const CLOCK_TEXT: Record<Clock, string> = {
  sched: "CPU time of your sandbox's processes, counted by the kernel (a busy machine does not count against you)",
  stat: "CPU time of your sandbox's processes, counted by the kernel in 10 ms ticks",
  wall: "wall time of each call's round trip, by the grader's clock",
};

/** "4.2 s", "0.05 s", "0.004 s". */
function seconds(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(1)} s`;
  return ms >= 10 ? `${(ms / 1000).toFixed(2)} s` : `${(ms / 1000).toFixed(3)} s`;
}
const round2 = (ms: number) => Math.round(ms * 100) / 100;
const min = (xs: number[]) => xs.reduce((a, b) => Math.min(a, b), Infinity);

/** The best time of each size (ms), and how it grew. */
export interface Growth {
  topMs: number;
  /** Not measured when the top size was under the floor. */
  smallMs: number | null;
  /** topMs / max(smallMs, the clock's resolution). */
  growth: number | null;
  ok: boolean;
}

/** The verdict's numbers from the measured times (one entry per round, each size; the small size may not have run). */
export function growthOf(runs: { small: number[]; top: number[] }, clock: Clock): Growth {
  const topMs = min(runs.top);
  const smallMs = runs.small.length > 0 ? min(runs.small) : null;
  const growth = smallMs === null ? null : topMs / Math.max(smallMs, RESOLUTION_MS[clock]);
  return { topMs, smallMs, growth, ok: topMs <= FLOOR_MS || (growth !== null && growth <= MAX_GROWTH) };
}

function advice(exportName: string): string {
  return exportName.endsWith("Backward")
    ? "build no Jacobian and no loop over single entries; use matrix products and elementwise operations"
    : "use matrix products and elementwise operations, once per call, not work repeated per entry";
}

/** A child's answer to a time request, read as untrusted data; null when it is not one. */
export function readTimed(value: unknown): Timed | null {
  if (typeof value !== "object" || value === null) return null;
  const { summaries } = value as Record<string, unknown>;
  if (typeof summaries !== "object" || summaries === null || Array.isArray(summaries)) return null;
  return { summaries: summaries as Record<string, Summary> };
}

/** The first output of `names` whose summary differs from the expected one, as one line. */
function mismatch(names: string[], expected: Record<string, Summary>, actual: Timed): string | null {
  for (const name of names) {
    const e = expected[name];
    if (!e) throw new Error(`no expected summary of ${name} (grader bug)`);
    const wrong = summaryMismatch(name, e, actual.summaries[name] ?? { kind: "invalid", why: `${name} is missing` });
    if (wrong) return wrong;
  }
  return null;
}

function wrongAt(exportName: string, where: string, wrong: string): Outcome {
  return {
    status: "failed",
    message: `${exportName}: at ${where}, ${wrong}: speed is graded only for a correct result`,
    details: `compared with the reference: shapes, every entry finite, up to 32 sampled entries and 16 signed sums that cover every entry, ${toleranceText(SUMMARY_TOLERANCE, { actual: "yours", expected: "reference", scale: "max|reference|" })}`,
  };
}

function unreadable(exportName: string): Outcome {
  return {
    status: "failed",
    message: `${exportName}: your process sent back something that is not the grader's timing summary (did your code change built-in objects such as Array or Math?)`,
  };
}

// ------------------------------------------------------------------------------- the check
export const efficiency: Check = async (ctx: CheckContext): Promise<Outcome> => {
  const exportName = ctx.spec.export;
  const plan = efficiencyTarget(exportName);
  if (!plan) return { status: "grader-error", message: `no efficiency case for ${exportName} (grader bug)` };
  const names = outputsOf({ target: plan.target } as Case, exportName);
  const seed = efficiencySeed(ctx.seed);
  const sizes = { small: plan.small, top: plan.top };
  const expected = {
    small: expectedSummaries(ctx.assignment, exportName, seed, plan.small, names, ctx.reference),
    top: expectedSummaries(ctx.assignment, exportName, seed, plan.top, names, ctx.reference),
  };
  if (!expected.small || !expected.top)
    return {
      status: "grader-error",
      message: `no expected answer for ${exportName}'s efficiency cases: fixtures/efficiency/${ctx.assignment}.json is out of date (grader bug)`,
    };

  // The top size first: at most the floor is a pass, and nothing else is run. Above it, the small
  // size twice after the top one, the faster counting: code the JIT has just optimized for one
  // size runs its first call at another partly unoptimized (a fast per-row Jacobian: 11–13 ms
  // at 4×512 right after the top size, 2.5–3 ms on the next call), which shrank the growth of
  // quadratic code to a fifth. A failure is measured again, top size included.
  const runs = { small: [] as number[], top: [] as number[] };
  let clock: Clock | undefined;
  let g: Growth | null = null;
  for (let round = 0; round < ROUNDS && !g?.ok; round++) {
    for (const [size, judge] of [
      ["top", true],
      ["small", false],
      ["small", true],
    ] as const) {
      const r = await ctx.time(seed, sizes[size], ctx.limitMs);
      if (neededTooMuchMemory(r, sizes[size])) return tooMuchMemory(exportName, plan, size, runs, clock ?? "wall", r, ctx);
      if (r.kind === "ended" && r.end.timedOut && !r.whileLoading) return stopped(exportName, plan, size, runs, clock ?? "wall", r.durationMs, ctx.limitMs);
      const problem = outcomeUnlessReturned(r, ctx);
      if (problem) return problem;
      const answer = readTimed((r as { value: unknown }).value);
      if (!answer) return unreadable(exportName);
      const wrong = mismatch(names, expected[size]!, answer);
      if (wrong) return wrongAt(exportName, sizeLabel(sizes[size]), wrong);
      const cpu = r as Extract<CallResult, { kind: "returned" }>;
      clock ??= cpu.cpuClock ?? "wall";
      runs[size].push(clock !== "wall" && cpu.cpuMs !== undefined ? cpu.cpuMs : cpu.durationMs);
      g = growthOf(runs, clock);
      if (judge && g.ok) break;
    }
  }
  return verdict(exportName, plan, g!, runs, clock!);
};

/** The extra every outcome of this check carries: sizes, clock, rule and what was measured. */
function extraOf(plan: { small: Sizes; top: Sizes }, runs: { small: number[]; top: number[] }, clock: Clock, more: Record<string, unknown>) {
  return {
    efficiency: {
      small: sizeLabel(plan.small),
      top: sizeLabel(plan.top),
      clock,
      measuredMs: { small: runs.small.map(round2), top: runs.top.map(round2) },
      floorMs: FLOOR_MS,
      maxGrowth: MAX_GROWTH,
      ...more,
    },
  };
}

/** The outcome from the measured times: passed under the floor or within the growth, else failed with what to do. */
export function verdict(exportName: string, plan: { small: Sizes; top: Sizes }, g: Growth, runs: { small: number[]; top: number[] }, clock: Clock): Outcome {
  const r10 = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
  const extra = extraOf(plan, runs, clock, { topMs: round2(g.topMs), smallMs: g.smallMs === null ? null : round2(g.smallMs), growth: r10(g.growth) });
  const top = sizeLabel(plan.top);
  const small = sizeLabel(plan.small);
  if (g.topMs <= FLOOR_MS) return { status: "passed", message: `${exportName}: ${seconds(g.topMs)} at ${top} (under the ${seconds(FLOOR_MS)} floor)`, extra };
  const times = `${seconds(g.topMs)} at ${top}, ${seconds(g.smallMs!)} at ${small}`;
  const grew = `${g.growth!.toFixed(1)}× for ${GROWTH}× the width`;
  if (g.ok) return { status: "passed", message: `${exportName}: ${times} (${grew}; linear work grows about ${GROWTH}×, the limit is ${MAX_GROWTH}×)`, extra };
  return {
    status: "failed",
    message: `${exportName}: ${times}: the time grew ${grew}, where linear work grows about ${GROWTH}× (limit ${MAX_GROWTH}×, or ${seconds(FLOOR_MS)} at ${top}): ${advice(exportName)}`,
    details: `${CLOCK_TEXT[clock]}, best of ${runs.top.length} at each size; work quadratic in the width (a Jacobian per row, a copy or transpose per entry) grows up to ${GROWTH * GROWTH}×`,
    extra,
  };
}

/** A call still running at the time limit: stopped, and failed (too slow is this check's verdict).
 *  The words name the limit, not the time it was stopped after (that varies with the machine's load). */
function stopped(
  exportName: string,
  plan: { small: Sizes; top: Sizes },
  size: "small" | "top",
  runs: { small: number[]; top: number[] },
  clock: Clock,
  afterMs: number,
  limitMs: number,
): Outcome {
  const at = sizeLabel(plan[size]);
  return {
    status: "failed",
    message: `${exportName}: had not finished at ${at} within the test's time limit (${seconds(limitMs)}): ${advice(exportName)}`,
    details: `a correct ${exportName} takes milliseconds at ${at}; your call was stopped at the test's time limit`,
    extra: extraOf(plan, runs, clock, { stoppedAt: at, stoppedAfterMs: Math.round(afterMs) }),
  };
}

/** The bytes of one D×D matrix of float64 at `sizes`. */
const squareBytes = (sizes: Sizes) => sizes.D * sizes.D * 8;

/**
 * How much a call's address space may grow before it is judged a memory blow-up: half a D×D
 * matrix of float64 at its size, and at least 256 MB (256 MB at 4×8192). A correct call needs a
 * few MB at the top size (a handful of N×D matrices); a Jacobian per row needs a D×D one, 512 MB
 * at 4×8192 (a loop over single entries allocates nothing, and is judged by its time). The floor
 * keeps clear of what the process may add on its own during any call: a new malloc arena
 * reserves 64 MB, V8 grows its young generation by tens of MB.
 */
export const memoryThreshold = (sizes: Sizes) => Math.max(squareBytes(sizes) / 2, 256 * 1024 * 1024);

/**
 * Whether a call needed more memory than linear code does: its address space grew by the
 * threshold, whether it then returned, was stopped at the time limit or died (by the kernel's
 * count, memory.ts), or the child ran out of memory (V8's report, or a signal at the
 * address-space limit: process-end.ts), or it threw the RangeError of an allocation the OS
 * refused. Which of a return, a time limit, an abort and a SIGSEGV comes first varies from run
 * to run for code that allocates a D×D matrix per row (measured: the same reluBackward met three
 * of them), so all of them are one verdict, in the same words.
 */
export function neededTooMuchMemory(r: CallResult, sizes: Sizes): boolean {
  if (r.kind === "threw" && r.error.name === "RangeError" && /Array buffer allocation failed/i.test(r.error.message)) return true;
  if (r.kind === "ended" && r.whileLoading) return false;
  if (r.kind === "ended" && r.end.outOfMemory) return true;
  return (r.kind === "returned" || r.kind === "threw" || r.kind === "ended") && r.memory !== undefined && r.memory.grownBytes >= memoryThreshold(sizes);
}

/**
 * A call that needed more memory than the sandbox allows, or than linear code does: failed,
 * with the size, the limits and the likely cause. Nothing in the words is measured: the same code
 * reads the same in every run (what was measured is in `extra`).
 */
function tooMuchMemory(
  exportName: string,
  plan: { small: Sizes; top: Sizes },
  size: "small" | "top",
  runs: { small: number[]; top: number[] },
  clock: Clock,
  r: CallResult,
  ctx: Pick<CheckContext, "limitMs" | "manifest">,
): Outcome {
  const sizes = plan[size];
  const at = sizeLabel(sizes);
  const memory: MemoryUse | undefined = "memory" in r ? r.memory : undefined;
  const inAll = memory?.limitBytes ? `, ${megabytes(memory.limitBytes)} of address space in all (Node itself takes part of it)` : "";
  const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
  return {
    status: "failed",
    message: `${exportName}: at ${at}, your call needed more than ${megabytes(memoryThreshold(sizes))} of memory, where a correct one needs a few MB: ${advice(exportName)}`,
    details: `the sandbox's limits per call: ${seconds(ctx.limitMs)} of time, ${ctx.manifest.limits.memoryMb} MB for JavaScript objects${inAll}`,
    diagnosis: `an N×D×D or D×D intermediate: one D×D matrix of numbers is ${megabytes(squareBytes(sizes))} at ${at}`,
    extra: extraOf(plan, runs, clock, {
      tooMuchMemoryAt: at,
      ...(memory ? { grownMb: mb(memory.grownBytes), peakMb: mb(memory.peakBytes), limitMb: memory.limitBytes === null ? null : mb(memory.limitBytes) } : {}),
    }),
  };
}
