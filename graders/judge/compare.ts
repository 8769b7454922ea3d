/**
 * Judging one answer against the expected value, in the grader's process. First what the answer
 * is (a matrix of the right shape, finite numbers, the right keys), then how close it is:
 * entry k passes when |a_k − e_k| ≤ atol·max(1, max|e|) + rtol·|e_k| (written so NaN fails).
 * The verdict is data; its message names the output, expected versus actual, and the worst entry.
 */
import { type Case, type GraphSpec, type Mat, SIGNATURES, type Slot, isGate, isLayer } from "../cases/case";
import { ShapeBinder, describe as describeValue, matrixShape } from "../cases/shapes";
import { cs231nRelError } from "../checks/finite-difference";
import type { Tolerance } from "../manifest";

export type Verdict = { ok: true } | { ok: false; message: string; details?: string };

const num = (v: number) => (Number.isInteger(v) ? String(v) : v.toPrecision(6));

/** Which outputs of a case belong to `exportName` (a layer's out is its forward's, the rest its backward's). */
export function outputsOf(c: Case, exportName: string): string[] {
  if (isGate(c.target)) return ["z", "grads"];
  if (c.target === "ComputationalGraph") return ["value", "grads"];
  const names = SIGNATURES[c.target].outputs.map((o) => o.name);
  if (isLayer(c.target)) return exportName.endsWith("Forward") ? ["out"] : names.filter((n) => n !== "out");
  return names;
}

/** The entries of `actual` against `expected`, both flat; null when all pass. */
function worstEntry(name: string, labels: string[], actual: number[], expected: number[], tol: Tolerance): Verdict {
  const scale = expected.reduce((m, v) => Math.max(m, Math.abs(v)), 1);
  let bad = 0;
  let worst = -1;
  let worstRatio = -1;
  expected.forEach((e, k) => {
    const a = actual[k];
    const err = Math.abs(a - e);
    const limit = tol.atol * scale + tol.rtol * Math.abs(e);
    if (!(err <= limit)) bad++;
    const ratio = err <= limit ? err / limit : Number.isNaN(err) ? Infinity : err / limit;
    if (ratio > worstRatio) [worstRatio, worst] = [ratio, k];
  });
  if (bad === 0) return { ok: true };
  const a = actual[worst];
  const e = expected[worst];
  return {
    ok: false,
    message: `${name}${labels[worst]} = ${num(a)}, expected ${num(e)}${expected.length > 1 ? ` (${bad} of ${expected.length} entries differ)` : ""}`,
    details: [
      `worst entry ${name}${labels[worst]}: yours ${a}, reference ${e}`,
      `difference ${Math.abs(a - e).toExponential(2)}, CS231n relative error ${cs231nRelError(a, e).toExponential(2)}`,
      `tolerance: |yours − reference| ≤ ${tol.atol}·max(1, max|reference|) + ${tol.rtol}·|reference|`,
    ].join("\n"),
  };
}

const nonFinite = (name: string, labels: string[], values: number[]): Verdict | null => {
  const k = values.findIndex((v) => !Number.isFinite(v));
  if (k < 0) return null;
  const count = values.filter((v) => !Number.isFinite(v)).length;
  return {
    ok: false,
    message: `${name}${labels[k]} is ${values[k]}${count > 1 ? ` (${count} entries are NaN or ±Infinity)` : ""}: every entry must be a finite number`,
    details: "NaN or Infinity usually comes from exp() of a large number, 0/0, or log(0).",
  };
};

function notANumber(name: string, value: unknown): Verdict | null {
  return typeof value === "number" ? null : { ok: false, message: `${name} is ${describeValue(value)}, expected a number` };
}

/** A matrix answer: shape from the case's sizes, then finiteness, then values. */
function judgeMatrix(slot: Slot, binder: ShapeBinder, actual: unknown, expected: Mat, tol: Tolerance): Verdict {
  const shape = matrixShape(actual);
  if (typeof shape === "string") return { ok: false, message: `${slot.name} ${shape} (return an ml-matrix Matrix or a number[][])` };
  const before = binder.problems.length;
  binder.bind("expected", slot, actual);
  if (binder.problems.length > before) return { ok: false, message: binder.problems[before].message };
  const rows = actual as unknown[][];
  const flat = rows.flat();
  const k = flat.findIndex((v) => typeof v !== "number");
  const cols = expected[0].length;
  const labels = expected.flatMap((r, i) => r.map((_, j) => `[${i}][${j}]`));
  if (k >= 0) return { ok: false, message: `${slot.name}${labels[k] ?? `[${Math.floor(k / cols)}][${k % cols}]`} is ${describeValue(flat[k])}, expected a number` };
  const values = flat as number[];
  return nonFinite(slot.name, labels, values) ?? worstEntry(slot.name, labels, values, expected.flat(), tol);
}

function judgeNumber(name: string, actual: unknown, expected: number, tol: Tolerance): Verdict {
  return notANumber(name, actual) ?? nonFinite(name, [""], [actual as number]) ?? worstEntry(name, [""], [actual as number], [expected], tol);
}

/** A gate's or a graph's gradients: one number per input, as an array or by input name. */
function judgeGrads(c: Case, actual: unknown, expected: number[] | Record<string, number>, tol: Tolerance): Verdict {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return { ok: false, message: `backward returned ${describeValue(actual)}, expected an array of ${expected.length} gradient${expected.length > 1 ? "s" : ""} (one per input, in input order)` };
    if (actual.length !== expected.length) return { ok: false, message: `backward returned ${actual.length} gradient${actual.length === 1 ? "" : "s"} for ${expected.length} input${expected.length > 1 ? "s" : ""}: return one per input, in input order` };
    const labels = expected.map((_, i) => `[${i}]`);
    const k = actual.findIndex((v) => typeof v !== "number");
    if (k >= 0) return { ok: false, message: `backward's gradient [${k}] is ${describeValue(actual[k])}, expected a number` };
    return nonFinite("gradient", labels, actual as number[]) ?? worstEntry("gradient", labels, actual as number[], expected, tol);
  }
  const inputs = (c.inputs.graph as GraphSpec).inputs;
  if (typeof actual !== "object" || actual === null || Array.isArray(actual)) {
    return { ok: false, message: `backward() returned ${describeValue(actual)}, expected an object with one gradient per graph input (${inputs.join(", ")})` };
  }
  const got = actual as Record<string, unknown>;
  const missing = inputs.filter((n) => typeof got[n] !== "number");
  if (missing.length > 0) return { ok: false, message: `backward() has no number for ${missing.map((m) => `"${m}"`).join(", ")}: return d output / d input for every graph input` };
  const labels = inputs.map((n) => `.${n}`);
  const values = inputs.map((n) => got[n] as number);
  return nonFinite("grads", labels, values) ?? worstEntry("grads", labels, values, inputs.map((n) => expected[n]), tol);
}

/**
 * Judge the outputs `names` of one run of a case. `returned` is what the sandbox sent back:
 * untrusted data, validated here before any comparison.
 */
export function judgeOutputs(c: Case, returned: unknown, names: string[], tol: Tolerance): Verdict {
  if (typeof returned !== "object" || returned === null) return { ok: false, message: `returned ${describeValue(returned)}` };
  const got = returned as Record<string, unknown>;
  let binder: ShapeBinder | null = null;
  if (!isGate(c.target) && c.target !== "ComputationalGraph") {
    const sig = SIGNATURES[c.target];
    const argSlots = [...sig.args, ...(sig.upstream ? [sig.upstream] : [])];
    binder = new ShapeBinder(sig.args); // the inputs fix N, D, M …; only the forward's arguments explain a shape
    for (const slot of argSlots) if (!slot.optional || slot.name in c.inputs) binder.bind("inputs", slot, c.inputs[slot.name]);
  }
  for (const name of names) {
    const expected = c.expected[name];
    const actual = got[name];
    let v: Verdict;
    if (name === "grads") v = judgeGrads(c, actual, expected as number[] | Record<string, number>, tol);
    else if (typeof expected === "number") v = judgeNumber(name, actual, expected, tol);
    else {
      const sig = SIGNATURES[c.target as keyof typeof SIGNATURES];
      const slot = sig.outputs.find((o) => o.name === name)!;
      if (actual === undefined) v = { ok: false, message: `${name} is missing: the result must have ${sig.outputs.map((o) => o.name).join(", ")}` };
      else v = judgeMatrix(slot, binder!, actual, expected as Mat, tol);
    }
    if (!v.ok) return v;
  }
  return { ok: true };
}
