/**
 * A small summary of a large answer, and the loose comparison of two summaries. The efficiency
 * check runs at 100×4096, where an answer is up to 409,600 numbers: the sandboxed child sends back
 * a summary (shape, every row and column sum, 4096 sampled entries) instead, made by `summarize`
 * (bundled into the runner, its built-ins captured before student code loads). The grader compares
 * the student's summary with the reference's with `summaryMismatch`, treating it as untrusted data.
 * A summary can be forged only by knowing the right answer's sums, which takes computing it.
 */
import { type Tolerance, withinTolerance } from "./tolerance";

/** A summary of one output; "invalid" says why the value is not an answer (not a matrix, NaN …). */
export type Summary =
  | { kind: "number"; value: number }
  | { kind: "matrix"; rows: number; cols: number; /** max |entry| */ scale: number; samples: number[]; rowSums: number[]; rowAbs: number[]; colSums: number[]; colAbs: number[] }
  | { kind: "invalid"; why: string };

/** Entries compared one by one per output, besides every row and column sum. */
export const SAMPLES = 4096;
/** The loose comparison (judge/tolerance.ts's rule): summed entries round differently in any order of summation. */
export const SUMMARY_TOLERANCE: Tolerance = { atol: 1e-8, rtol: 1e-6 };

// Captured when this module loads (in the sandbox: before any student code).
const { isArray } = Array;
const isFiniteNumber = Number.isFinite;
const { abs, max, floor } = Math;
const stringOf = String;

/** Which flat positions are sampled in a rows×cols matrix (the same on both sides). */
export function samplePosition(k: number, size: number): number {
  return size <= SAMPLES ? k : (k * 2654435761) % size; // exact: k·2654435761 < 2^53 for k < 4096
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
  const rowSums = new Array<number>(rows).fill(0);
  const rowAbs = new Array<number>(rows).fill(0);
  const colSums = new Array<number>(cols).fill(0);
  const colAbs = new Array<number>(cols).fill(0);
  let scale = 0;
  for (let i = 0; i < rows; i++) {
    const row = value[i] as unknown;
    if (!isArray(row) || row.length !== cols) return { kind: "invalid", why: `${name} is not rectangular (row ${i} ${isArray(row) ? `has ${row.length} entries, row 0 has ${cols}` : "is not an array"})` };
    for (let j = 0; j < cols; j++) {
      const v = row[j] as unknown;
      if (typeof v !== "number" || !isFiniteNumber(v)) return { kind: "invalid", why: `${name}[${i}][${j}] is ${what(v)}: every entry must be a finite number` };
      rowSums[i] += v;
      colSums[j] += v;
      rowAbs[i] += abs(v);
      colAbs[j] += abs(v);
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
  return { kind: "matrix", rows, cols, scale, samples, rowSums, rowAbs, colSums, colAbs };
}

const within = (a: number, e: number, scale: number) => withinTolerance(a, e, scale, SUMMARY_TOLERANCE);
const numbers = (v: unknown, length: number): v is number[] => Array.isArray(v) && v.length === length && v.every((x) => typeof x === "number" && Number.isFinite(x));

/**
 * Null when the student's summary (untrusted) agrees with the reference's; else what is wrong,
 * in one line naming the output, the entry or the row/column, and both values.
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
  if (a.rows !== expected.rows || a.cols !== expected.cols) return `${name} has shape ${String(a.rows)}×${String(a.cols)}, expected ${expected.rows}×${expected.cols}`;
  const { rows, cols } = expected;
  if (!numbers(a.samples, expected.samples.length) || !numbers(a.rowSums, rows) || !numbers(a.colSums, cols)) return `${name} could not be read back (a malformed summary from your process)`;
  const { scale } = expected;
  for (let k = 0; k < expected.samples.length; k++) {
    if (!within(a.samples[k], expected.samples[k], scale)) {
      const at = samplePosition(k, rows * cols);
      return `${name}[${floor(at / cols)}][${at % cols}] = ${a.samples[k]}, the reference ${expected.samples[k]}`;
    }
  }
  for (let i = 0; i < rows; i++) {
    if (!within(a.rowSums[i], expected.rowSums[i], expected.rowAbs[i])) return `row ${i} of ${name} sums to ${a.rowSums[i]}, the reference's to ${expected.rowSums[i]}`;
  }
  for (let j = 0; j < cols; j++) {
    if (!within(a.colSums[j], expected.colSums[j], expected.colAbs[j])) return `column ${j} of ${name} sums to ${a.colSums[j]}, the reference's to ${expected.colSums[j]}`;
  }
  return null;
}
