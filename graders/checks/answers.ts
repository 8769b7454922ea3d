/**
 * Reading numbers out of an answer the sandbox sent back (untrusted data) for a property check:
 * a matrix, or a number, or a one-line reason why it cannot be read. The value tests (golden)
 * judge correctness; a property check only needs well-formed numbers to test its property on.
 * A matrix is checked by the judge's walk of the answer's form (judge/answer-form.ts), at the
 * shape it has.
 */
import type { Mat } from "../cases/case";
import { describe, matrixShape } from "../cases/shapes";
import { matrixProblems } from "../judge/answer-form";
import { type Tolerance, toleranceRatio } from "../judge/tolerance";

export type Read<T> = { ok: true; value: T } | { ok: false; message: string };

export function readMatrix(returned: unknown, name: string): Read<Mat> {
  const v = typeof returned === "object" && returned !== null ? (returned as Record<string, unknown>)[name] : undefined;
  const shape = matrixShape(v);
  if (typeof shape === "string") return { ok: false, message: `${name} ${shape}` };
  const entry = matrixProblems(v, ...shape)[0]; // of its own shape: only an entry can be wrong
  if (entry) {
    const [i, j] = entry.path;
    return { ok: false, message: `${name}[${i}][${j}] is ${describe((v as unknown[][])[Number(i)][Number(j)])}, expected a finite number` };
  }
  return { ok: true, value: v as Mat };
}

export function readNumber(returned: unknown, name: string): Read<number> {
  const v = typeof returned === "object" && returned !== null ? (returned as Record<string, unknown>)[name] : undefined;
  if (typeof v !== "number" || !Number.isFinite(v)) return { ok: false, message: `${name} is ${describe(v)}, expected a finite number` };
  return { ok: true, value: v };
}

/** The arguments as they were after the call ($inputs, when the run asked for them). */
export function inputsAfter(returned: unknown): Record<string, unknown> {
  const v = typeof returned === "object" && returned !== null ? (returned as Record<string, unknown>).$inputs : undefined;
  return typeof v === "object" && v !== null ? (v as Record<string, unknown>) : {};
}

/** The first entry where two values differ (=== on numbers, so −0 equals 0), as "[i][j]: a → b". */
export function firstChange(before: unknown, after: unknown, path = ""): string | null {
  if (typeof before === "number") return before === after ? null : `${path}: ${before} → ${typeof after === "number" ? after : describe(after)}`;
  if (Array.isArray(before)) {
    if (!Array.isArray(after) || after.length !== before.length) return `${path}: ${describe(before)} → ${describe(after)}`;
    for (let i = 0; i < before.length; i++) {
      const d = firstChange(before[i], after[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  return before === after ? null : `${path}: changed`;
}

/**
 * The entry of `a` farthest from `b` (same shapes) under the judge's rule with scale max|b|
 * (judge/tolerance.ts): `ok` when every entry passes; `gap` is |a − b| / max(1, max|b|) there.
 */
export function worstGap(a: Mat, b: Mat, tol: Tolerance): { ok: boolean; gap: number; at: string; got: number; want: number } {
  const scale = b.flat().reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  let worst = { ratio: -1, at: "[0][0]", got: a[0]?.[0] ?? NaN, want: b[0]?.[0] ?? NaN };
  a.forEach((row, i) =>
    row.forEach((v, j) => {
      const ratio = toleranceRatio(v, b[i][j], scale, tol);
      if (ratio > worst.ratio) worst = { ratio, at: `[${i}][${j}]`, got: v, want: b[i][j] };
    }),
  );
  const gap = Math.abs(worst.got - worst.want) / Math.max(1, scale);
  return { ok: worst.ratio <= 1, gap: Number.isNaN(gap) ? Infinity : gap, at: worst.at, got: worst.got, want: worst.want };
}
