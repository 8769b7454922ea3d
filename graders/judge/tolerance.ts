/**
 * The one closeness rule every judgment uses (value comparisons, gradient checks, property
 * checks, the diagnosis catalog): `actual` passes against `expected` when
 *
 *     |actual − expected| ≤ atol·max(1, scale) + rtol·|expected|
 *
 * where `scale` is the magnitude of what is compared (max|expected| over an output's entries for
 * a value or a coordinate check, ‖gradient‖₂ for a directional check, |expected| for one number).
 * The max(1, ·) keeps a floor for outputs near 0; the rtol term follows large entries. This is the
 * scale-aware rule of PyTorch's gradcheck and numpy's allclose (atol + rtol·|b|) with the absolute
 * part scaled by the output's magnitude, so that float64 rounding of O(1)…O(1e4) values never fails.
 * Written so that NaN and ±Infinity fail.
 */
import { scientific } from "../format-number";

export interface Tolerance {
  atol: number;
  rtol: number;
}

/**
 * How far `actual` is from `expected`, in units of the rule: ≤ 1 passes. NaN or ±Infinity on
 * either side give Infinity (unless both are the same value: then 0).
 */
export function toleranceRatio(actual: number, expected: number, scale: number, tol: Tolerance): number {
  const err = Math.abs(actual - expected);
  const limit = tol.atol * Math.max(1, scale) + tol.rtol * Math.abs(expected);
  const ratio = err / limit;
  return Number.isFinite(ratio) ? ratio : err === 0 ? 0 : Infinity;
}

/** Whether `actual` passes against `expected` under the rule (false for NaN). */
export function withinTolerance(actual: number, expected: number, scale: number, tol: Tolerance): boolean {
  return toleranceRatio(actual, expected, scale, tol) <= 1;
}

/** One number against another at the absolute-only rule |a − e| ≤ atol·max(1, |e|) (false for NaN). */
export function closeTo(actual: number, expected: number, atol: number): boolean {
  return withinTolerance(actual, expected, Math.abs(expected), { atol, rtol: 0 });
}

/** The rule as students read it, e.g. "|yours − reference| ≤ 1e-12·max(1, max|reference|) + 1e-9·|reference|". */
export function toleranceText(tol: Tolerance, names: { actual: string; expected: string; scale: string }): string {
  const rel = tol.rtol > 0 ? ` + ${scientific(tol.rtol)}·|${names.expected}|` : "";
  return `|${names.actual} − ${names.expected}| ≤ ${scientific(tol.atol)}·max(1, ${names.scale})${rel}`;
}

/** The CS231n relative error |a − n| / max(|a| + |n|, 1e-8): shown to students, never graded on. */
export function cs231nRelError(a: number, n: number): number {
  return Math.abs(a - n) / Math.max(Math.abs(a) + Math.abs(n), 1e-8);
}
