/**
 * Shape checks from a target's Signature: bind the size symbols (N, D, M, H, C) from the
 * arguments, then check every other value against them. Messages say what was expected and
 * whose shape that is: "dw has shape 7×5, expected 5×7 (the shape of w)".
 * Used on fixtures when they load, and on students' results before they are judged.
 */
import type { Dim, Signature, Slot } from "./case";

export interface Problem {
  /** Where, as a JSON-pointer-like path inside the case: "inputs/w", "expected/dw". */
  path: string;
  message: string;
}

/** rows × columns of a rectangular array of arrays of numbers, or a description of what is wrong. */
export function matrixShape(value: unknown): [number, number] | string {
  if (!Array.isArray(value)) return `is ${describe(value)}, not a matrix`;
  if (value.length === 0) return "is an empty array, not a matrix";
  const cols = Array.isArray(value[0]) ? value[0].length : -1;
  for (let i = 0; i < value.length; i++) {
    const row = value[i];
    if (!Array.isArray(row)) return `has row ${i} that is ${describe(row)}, not an array`;
    if (row.length !== cols) return `is not rectangular: row 0 has ${cols} entries, row ${i} has ${row.length}`;
  }
  return [value.length, cols];
}

export function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === "object") return `an object (${Object.prototype.toString.call(value)})`;
  return `${typeof value} ${String(value)}`;
}

const fmt = (shape: readonly (number | string)[]) => shape.join("×");

export class ShapeBinder {
  readonly dims = new Map<Dim, { size: number; by: string }>();
  readonly problems: Problem[] = [];

  /** `declared`: the argument slots, whose names explain an expected shape in messages. */
  constructor(private readonly declared: Slot[]) {}

  /** Bind each still-unbound dim of `slot` from `value`, check the bound ones; record problems. */
  bind(section: "inputs" | "expected", slot: Slot, value: unknown): void {
    const path = `${section}/${slot.name}`;
    if (slot.kind === "number") {
      if (typeof value !== "number") this.problems.push({ path, message: `${slot.name} is ${describe(value)}, expected a number` });
      return;
    }
    if (slot.kind === "labels") {
      if (!Array.isArray(value) || !value.every((v) => Number.isInteger(v) && v >= 0)) {
        this.problems.push({ path, message: `${slot.name} must be an array of integer labels ≥ 0` });
        return;
      }
      this.check(path, slot.name, [value.length], slot.shape ?? [], "length");
      return;
    }
    const shape = matrixShape(value);
    if (typeof shape === "string") {
      this.problems.push({ path, message: `${slot.name} ${shape}` });
      return;
    }
    this.check(path, slot.name, shape, slot.shape ?? [], "shape");
  }

  private check(path: string, name: string, actual: number[], dims: Dim[], word: string): void {
    const expected = dims.map((d) => (typeof d === "number" ? d : (this.dims.get(d)?.size ?? d)));
    const mismatch = dims.some((d, k) => typeof expected[k] === "number" && expected[k] !== actual[k]);
    if (mismatch) {
      this.problems.push({ path, message: `${name} has ${word} ${fmt(actual)}, expected ${fmt(expected)}${this.why(name, dims, actual)}` });
      return;
    }
    dims.forEach((d, k) => {
      if (typeof d !== "number" && !this.dims.has(d)) this.dims.set(d, { size: actual[k], by: name });
    });
  }

  /** Why that shape: "(the shape of w)" if another input is declared alike, else "(M = 7, from w)". */
  private why(name: string, dims: Dim[], actual: number[]): string {
    const twin = this.declared.find((s) => s.name !== name && s.kind !== "labels" && s.shape && fmt(s.shape) === fmt(dims));
    if (twin) return ` (the shape of ${twin.name})`;
    const k = dims.findIndex((d, i) => typeof d !== "number" && this.dims.get(d)?.size !== actual[i]);
    const bound = k >= 0 ? this.dims.get(dims[k]) : undefined;
    return bound ? ` (${String(dims[k])} = ${bound.size}, from ${bound.by})` : "";
  }
}

/**
 * A binder holding the sizes (N, D, M, H, C) a call's arguments fix: each argument (and the
 * upstream gradient) bound in order, an optional one only when given. `declared` names the slots
 * whose shapes explain an expected shape in messages.
 */
export function inputBinder(
  sig: Signature,
  inputs: Record<string, unknown>,
  declared: Slot[] = [...sig.args, ...(sig.upstream ? [sig.upstream] : [])],
): ShapeBinder {
  const binder = new ShapeBinder(declared);
  for (const slot of [...sig.args, ...(sig.upstream ? [sig.upstream] : [])]) {
    if (slot.optional && !(slot.name in inputs)) continue;
    binder.bind("inputs", slot, inputs[slot.name]);
  }
  return binder;
}

/** All shape problems of a case's inputs and expected values under a signature. */
export function signatureProblems(sig: Signature, inputs: Record<string, unknown>, expected: Record<string, unknown>): Problem[] {
  const binder = inputBinder(sig, inputs);
  const y = inputs.y;
  const C = binder.dims.get("C")?.size;
  if (Array.isArray(y) && C !== undefined) {
    const bad = y.findIndex((v) => !(v < C));
    if (bad >= 0) binder.problems.push({ path: "inputs/y", message: `y[${bad}] = ${y[bad]} is not a class in [0, ${C})` });
  }
  for (const slot of sig.outputs) binder.bind("expected", slot, expected[slot.name]);
  return binder.problems;
}
