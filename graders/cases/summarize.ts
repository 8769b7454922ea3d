/**
 * A small summary of a large answer. The efficiency check times calls whose answers hold up to
 * tens of thousands of numbers: the sandboxed child sends back a summary instead, made by
 * `summarize` (bundled into the runner, its built-ins captured before student code loads); the
 * expected summaries are made the same way from the reference (cases/expected-summaries.ts), and
 * the grader compares the two (judge/summary.ts), treating the child's as untrusted data.
 *
 * A matrix's summary: its shape, every entry finite, max|entry|, SAMPLES entries at fixed
 * scattered positions, and BUCKETS signed sums that together cover every entry: entry k (row-major)
 * goes, with sign ±1, to the bucket picked by the top bits of a multiplicative hash of k
 * (Knuth's 2654435761), so every row and column is spread over all buckets. Forging a summary
 * that matches takes every entry of the right answer, that is, computing it. Small enough (about
 * 70 numbers an output) to be committed as a fixture.
 */

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
export const BUCKETS = 16;

// Captured when this module loads (in the sandbox: before any student code).
const { isArray } = Array;
const isFiniteNumber = Number.isFinite;
const { abs, max, floor, imul } = Math;
const stringOf = String;

/** Which flat positions are sampled in a matrix of `size` entries (the same on both sides). */
export function samplePosition(k: number, size: number): number {
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
