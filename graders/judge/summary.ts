/**
 * A small summary of a large answer, and the loose comparison of two summaries. The efficiency
 * check times calls whose answers hold up to tens of thousands of numbers: the sandboxed child
 * sends back a summary instead, made by `summarize` (bundled into the runner, its built-ins
 * captured before student code loads), and the grader compares it with the expected one (committed
 * in fixtures/efficiency/, or computed from the reference) with `summaryMismatch`, treating it as
 * untrusted data.
 *
 * A matrix's summary: its shape, every entry finite, max|entry|, SAMPLES entries at fixed
 * scattered positions, and BUCKETS signed sums that together cover every entry: entry k (row-major)
 * goes, with sign ±1, to the bucket picked by the top bits of a multiplicative hash of k
 * (Knuth's 2654435761), so every row and column is spread over all buckets. Forging a summary
 * that matches takes every entry of the right answer, that is, computing it. Small enough (about
 * 70 numbers an output) to be committed as a fixture.
 */
import { type Tolerance, withinTolerance } from "./tolerance";

/** A summary of one output; "invalid" says why the value is not an answer (not a matrix, NaN …). */
export type Summary =
  | { kind: "number"; value: number }
  | {
      kind: "matrix";
      rows: number;
      cols: number;
      /** max |entry| */ scale: number;
      samples: number[];
      /** signed bucket sums */ sums: number[];
      /** Σ|entry| per bucket */ abs: number[];
    }
  | { kind: "invalid"; why: string };

/** Entries compared one by one per output (all of them below this many). */
const SAMPLES = 32;
/** Signed sums per output, covering every entry. */
const BUCKETS = 16;
/** The loose comparison (judge/tolerance.ts's rule): summed entries round differently in any order of summation. */
export const SUMMARY_TOLERANCE: Tolerance = { atol: 1e-8, rtol: 1e-6 };

// Captured when this module loads (in the sandbox: before any student code).
const { isArray } = Array;
const isFiniteNumber = Number.isFinite;
const { abs, max, floor, imul } = Math;
const stringOf = String;

/** Which flat positions are sampled in a matrix of `size` entries (the same on both sides). */
function samplePosition(k: number, size: number): number {
  return size <= SAMPLES ? k : (k * 2654435761) % size; // exact: k·2654435761 < 2^53 for k < 2^21
}

function what(v: unknown): string {
  return typeof v === "number" ? stringOf(v) : v === null ? "null" : v === undefined ? "missing" : `a ${typeof v}`;
}

/** The summary of one output, from whatever the implementation returned (matrices already plain). */
export function summarize(name: string, value: unknown): Summary {
  if (typeof value === "number") return isFiniteNumber(value) ? { kind: "number", value } : { kind: "invalid", why: `${name} is ${stringOf(value)}` };
  if (!isArray(value)) return { kind: "invalid", why: `${name} is ${what(value)}, not a matrix` };
  const rows = value.length;
  const first = rows > 0 ? value[0] : undefined;
  if (!isArray(first)) return { kind: "invalid", why: `${name} is not a matrix (${rows === 0 ? "no rows" : "its rows are not arrays"})` };
  const cols = first.length;
  const sums = new Array<number>(BUCKETS).fill(0);
  const absSums = new Array<number>(BUCKETS).fill(0);
  let scale = 0;
  for (let i = 0; i < rows; i++) {
    const row = value[i] as unknown;
    if (!isArray(row) || row.length !== cols)
      return {
        kind: "invalid",
        why: `${name} is not rectangular (row ${i} ${isArray(row) ? `has ${row.length} entries, row 0 has ${cols}` : "is not an array"})`,
      };
    for (let j = 0; j < cols; j++) {
      const v = row[j] as unknown;
      if (typeof v !== "number" || !isFiniteNumber(v))
        return { kind: "invalid", why: `${name}[${i}][${j}] is ${what(v)}: every entry must be a finite number` };
      const h = imul(i * cols + j, 2654435761) >>> 27; // the top 5 bits: the bucket (4) and the sign (1)
      const b = h >>> 1;
      sums[b] += (h & 1) === 1 ? -v : v;
      absSums[b] += abs(v);
      scale = max(scale, abs(v));
    }
  }
  const size = rows * cols;
  const count = size < SAMPLES ? size : SAMPLES;
  const samples = new Array<number>(count);
  for (let k = 0; k < count; k++) {
    const at = samplePosition(k, size);
    samples[k] = (value[floor(at / cols)] as number[])[at % cols];
  }
  return { kind: "matrix", rows, cols, scale, samples, sums, abs: absSums };
}

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
