/**
 * The pieces of a centered-difference gradient check, (f(x + h·u) − f(x − h·u)) / 2h, that
 * graders/checks/gradcheck/ puts together: which entries of an argument to compare, random unit
 * directions, moved copies of the inputs, the step. The design follows PyTorch's gradcheck (fast
 * mode: random vector–Jacobian products), JAX's check_grads and CS231n's grad_check_sparse.
 */
import type { Value } from "../cases/case";
import type { Random } from "../cases/random";

/** The steps a borderline result is retried with (CS231n, Theano: change h, never the tolerance). */
export const RETRY_STEPS = [1e-4, 1e-6] as const;
/** A failure at most this many times the tolerance is borderline: retried at RETRY_STEPS first. */
export const BORDERLINE = 10;
/** An argument with at most this many entries has every entry checked. */
const SMALL_ARGUMENT = 64;
/** Larger arguments: this many entries drawn at random beyond the corners (and every bias entry)… */
export const SAMPLED_ENTRIES = 16;
/** …plus this many random directional (vector–Jacobian) checks. */
export const DIRECTIONS = 3;

/** One entry of an argument: where it is inside the argument's value, and how it is shown ("[2][3]", "[1]", ".x"). */
export interface Entry {
  path: (string | number)[];
  label: string;
}

/** Every entry of a number, number[], number[][] or {name: number}, in row-major order. */
export function entriesOf(value: unknown): Entry[] {
  if (typeof value === "number") return [{ path: [], label: "" }];
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === "number")) return value.map((_, i) => ({ path: [i], label: `[${i}]` }));
    return (value as unknown[][]).flatMap((row, i) => row.map((_, j) => ({ path: [i, j], label: `[${i}][${j}]` })));
  }
  return Object.keys(value as Record<string, number>).map((k) => ({ path: [k], label: `.${k}` }));
}

/** The number at `path` inside `value` (NaN when there is none). */
export function valueAt(value: unknown, path: (string | number)[]): number {
  let v = value;
  for (const k of path) v = typeof v === "object" && v !== null ? (v as Record<string | number, unknown>)[k] : undefined;
  return typeof v === "number" ? v : NaN;
}

/** A copy of the argument `value` with `delta` added at `path` (the other entries untouched). */
function shiftedAt(value: unknown, path: (string | number)[], delta: number): unknown {
  if (path.length === 0) return (value as number) + delta;
  const [k, ...rest] = path;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, unknown>;
  copy[k] = shiftedAt(copy[k], rest, delta);
  return copy;
}

/** The case's inputs with inputs[name] moved by `delta` at one entry. */
export function shiftEntry(inputs: Record<string, Value>, name: string, entry: Entry, delta: number): Record<string, Value> {
  return { ...inputs, [name]: shiftedAt(inputs[name], entry.path, delta) as Value };
}

/** The case's inputs with inputs[name] moved by t·u, u one weight per entry of `entries`. */
export function shiftAlong(inputs: Record<string, Value>, name: string, entries: Entry[], u: number[], t: number): Record<string, Value> {
  let value: unknown = inputs[name];
  entries.forEach((e, k) => (value = shiftedAt(value, e.path, t * u[k])));
  return { ...inputs, [name]: value as Value };
}

/** The step at an entry of size |x|: h·max(1, |x|), so large inputs are not differenced below their rounding. */
export function stepAt(h: number, x: number): number {
  return h * Math.max(1, Math.abs(x));
}

/** (f(x + h·u) − f(x − h·u)) / 2h. */
export function centeredDifference(plus: number, minus: number, h: number): number {
  return (plus - minus) / (2 * h);
}

/**
 * Which entries of a rows×cols argument a gradient check compares: every entry of a small one
 * (≤ SMALL_ARGUMENT) or of a bias; otherwise the corners (first and last along each axis, where
 * off-by-one loops go wrong) and SAMPLED_ENTRIES others drawn without replacement.
 */
export function selectEntries(entries: Entry[], options: { rows: number; cols: number; bias: boolean; random: Random }): Entry[] {
  if (entries.length <= SMALL_ARGUMENT || options.bias) return entries;
  const { rows, cols } = options;
  const corners = [...new Set([0, cols - 1, (rows - 1) * cols, rows * cols - 1])];
  const rest = options.random.shuffle(entries.map((_, k) => k).filter((k) => !corners.includes(k))).slice(0, SAMPLED_ENTRIES);
  return [...corners, ...rest.sort((a, b) => a - b)].map((k) => entries[k]);
}

/**
 * A random unit direction with Chainer's floor: u_i = sign(d_i)·sqrt(0.99·d_i²/‖d‖² + 0.01/n),
 * d ~ N(0, I). Exactly unit norm, and no entry weighs less than 0.1/√n.
 */
export function unitDirection(n: number, random: Random): number[] {
  const d = Array.from({ length: n }, () => random.normal());
  const norm2 = d.reduce((s, v) => s + v * v, 0) || 1;
  return d.map((v) => (v < 0 ? -1 : 1) * Math.sqrt((0.99 * v * v) / norm2 + 0.01 / n));
}
