/**
 * A test helper: the full numerical gradient of a scalar objective by centered differences,
 * coordinate by coordinate (CS231n's eval_numerical_gradient), to check the reference with.
 * The grader itself samples entries and directions (graders/checks/gradcheck.ts).
 */
import type { Case, Mat, Value } from "../../graders/cases/case";

/** Every coordinate of inputs[name] (a number, number[] or number[][], at `path` inside it); returns the same shape. */
export function numericGradient(
  objective: (inputs: Record<string, Value>) => number,
  c: Pick<Case, "inputs">,
  name: string,
  path: string[] = [],
  h = 1e-5,
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
