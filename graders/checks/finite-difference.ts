/**
 * Centered finite differences over a case's inputs: (L(x + h·e_i) − L(x − h·e_i)) / 2h for every
 * coordinate of one input, where L is a scalar objective of the case's outputs (for a layer
 * ⟨dout, out⟩, for a loss the loss, for a gate dz·z, for a graph its value). h = 1e-5 in float64
 * (notes/gradient-checks.md §8-A). The objective is evaluated by any implementation's forward.
 */
import type { Case, Mat, Value } from "../cases/case";

export const DEFAULT_STEP = 1e-5;

/** Every coordinate of inputs[name]: a number, number[] or number[][]; returns the same shape. */
export function numericGradient(
  objective: (inputs: Record<string, Value>) => number,
  c: Pick<Case, "inputs">,
  name: string,
  path: string[] = [],
  h = DEFAULT_STEP,
): Value {
  const at = (inputs: Record<string, Value>, delta: number, coords: (string | number)[]) => {
    const copy = structuredClone(inputs) as Record<string, unknown>;
    let holder: Record<string | number, unknown> = copy;
    const keys = [name, ...path, ...coords];
    for (const k of keys.slice(0, -1)) holder = holder[k] as Record<string | number, unknown>;
    const last = keys[keys.length - 1];
    holder[last] = (holder[last] as number) + delta;
    return objective(copy as Record<string, Value>);
  };
  const diff = (coords: (string | number)[]) => (at(c.inputs, h, coords) - at(c.inputs, -h, coords)) / (2 * h);
  let value: unknown = c.inputs[name];
  for (const k of path) value = (value as Record<string, unknown>)[k];
  if (typeof value === "number") return diff([]);
  if (Array.isArray(value) && value.every((v) => typeof v === "number")) return value.map((_, i) => diff([i]));
  return (value as Mat).map((row, i) => row.map((_, j) => diff([i, j])));
}

/**
 * The scale-aware rule of notes/gradient-checks.md §9.3: entry k passes when
 * |a−n| ≤ atol·max(1, max|a|) + rtol·max(|a|,|n|) (written so that NaN fails).
 * Returns whether every entry passes, and the entry that comes closest to failing (or fails most).
 */
export function worstViolation(
  analytic: number[],
  numeric: number[],
  atol = 1e-8,
  rtol = 1e-6,
): { ok: boolean; index: number; analytic: number; numeric: number; relError: number } {
  const scale = Math.max(1, ...analytic.map(Math.abs));
  let ok = true;
  let index = 0;
  let worstRatio = -1;
  analytic.forEach((a, k) => {
    const n = numeric[k];
    const err = Math.abs(a - n);
    const tol = atol * scale + rtol * Math.max(Math.abs(a), Math.abs(n));
    const pass = err <= tol;
    const ratio = pass ? err / tol : Infinity;
    ok &&= pass;
    if (ratio > worstRatio) [worstRatio, index] = [ratio, k];
  });
  const a = analytic[index];
  const n = numeric[index];
  return { ok, index, analytic: a, numeric: n, relError: cs231nRelError(a, n) };
}

/** The CS231n relative error |a−n| / max(|a|+|n|, 1e-8), shown to students (not graded on). */
export function cs231nRelError(a: number, n: number): number {
  return Math.abs(a - n) / Math.max(Math.abs(a) + Math.abs(n), 1e-8);
}
