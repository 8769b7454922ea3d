/**
 * The loose comparison of two summaries of an answer (cases/summarize.ts): the grader compares
 * the summary a sandboxed child sent back (untrusted data) with the expected one (committed in
 * fixtures/efficiency/, or computed from the reference) with `summaryMismatch`, naming the output,
 * the entry or the check sum that differs.
 */
import { BUCKETS, type Summary, samplePosition } from "../cases/summarize";
import { type Tolerance, withinTolerance } from "./tolerance";

/** The loose comparison (judge/tolerance.ts's rule): summed entries round differently in any order of summation. */
export const SUMMARY_TOLERANCE: Tolerance = { atol: 1e-8, rtol: 1e-6 };

const { abs, floor } = Math;

const within = (a: number, e: number, scale: number) => withinTolerance(a, e, scale, SUMMARY_TOLERANCE);
const numbers = (v: unknown, length: number): v is number[] =>
  Array.isArray(v) && v.length === length && v.every((x) => typeof x === "number" && Number.isFinite(x));

/**
 * Null when the student's summary (untrusted) agrees with the expected one; else what is wrong,
 * in one line naming the output, the entry or the bucket, and both values.
 */
export function summaryMismatch(name: string, expected: Summary, actual: unknown): string | null {
  if (expected.kind === "invalid") throw new Error(`the reference's ${name} is invalid: ${expected.why} (grader bug)`);
  const a = (typeof actual === "object" && actual !== null ? actual : {}) as Record<string, unknown>;
  if (a.kind === "invalid") return typeof a.why === "string" ? a.why.slice(0, 300) : `${name} is not a valid answer`;
  if (expected.kind === "number") {
    if (a.kind !== "number" || typeof a.value !== "number" || !Number.isFinite(a.value)) return `${name} is not a finite number`;
    return within(a.value, expected.value, abs(expected.value)) ? null : `${name} = ${a.value}, the reference ${expected.value}`;
  }
  if (a.kind !== "matrix") return `${name} is ${a.kind === "number" ? "a number" : "not a matrix"}, expected a ${expected.rows}×${expected.cols} matrix`;
  if (a.rows !== expected.rows || a.cols !== expected.cols)
    return `${name} has shape ${String(a.rows)}×${String(a.cols)}, expected ${expected.rows}×${expected.cols}`;
  const { rows, cols } = expected;
  if (!numbers(a.samples, expected.samples.length) || !numbers(a.sums, BUCKETS))
    return `${name} could not be read back (a malformed summary from your process)`;
  const { scale } = expected;
  for (let k = 0; k < expected.samples.length; k++) {
    if (!within(a.samples[k], expected.samples[k], scale)) {
      const at = samplePosition(k, rows * cols);
      return `${name}[${floor(at / cols)}][${at % cols}] = ${a.samples[k]}, the reference ${expected.samples[k]}`;
    }
  }
  for (let b = 0; b < BUCKETS; b++) {
    if (!within(a.sums[b], expected.sums[b], expected.abs[b])) {
      return `the entries of ${name} in check sum ${b + 1} of ${BUCKETS} (a signed sum over a scattered sixteenth of them) add up to ${a.sums[b]}, the reference's to ${expected.sums[b]}`;
    }
  }
  return null;
}
