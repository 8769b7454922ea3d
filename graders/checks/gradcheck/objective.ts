/**
 * What a gradient check differentiates, per target: the forward's output, the scalar f whose
 * gradient the backward returns (Σ out·dout, z·dz, the graph's value, the loss), computed here from
 * the forward's raw answer, and the argument each gradient output belongs to.
 */
import { type Case, type Mat, type Target, isGate, isLayer } from "../../cases/case";
import { readMatrix, readNumber } from "../answers";

/** What the forward produces for a target, and the scalar f whose gradient the backward returns. */
export function forwardOutput(target: Target): "out" | "z" | "value" | "loss" {
  if (isLayer(target)) return "out";
  if (isGate(target)) return "z";
  if (target === "ComputationalGraph") return "value";
  return "loss";
}

/** How f is computed from the forward, for the failure's details. */
export function objectiveText(target: Target): string {
  if (isLayer(target)) return "f = Σ out·dout, with the case's random dout";
  if (isGate(target)) return "f = z·dz, with the case's random dz";
  if (target === "ComputationalGraph") return "f = the graph's value";
  return "f = the loss";
}

/** The forward differentiated, as the student's messages name it. */
export function forwardName(target: Target, exportName: string): string {
  if (isLayer(target)) return `your ${target}Forward`;
  if (isGate(target)) return `your ${target}.forward`;
  if (target === "ComputationalGraph") return "your graph's forward";
  return `the loss of your ${exportName}`;
}

/** The argument a gradient output belongs to: dx → x, dW1 → W1, a gate's grads → x, a graph's → values. */
export function argumentOf(target: Target, output: string): string {
  if (output === "grads") return isGate(target) ? "x" : "values";
  return output.slice(1);
}

/** f from a forward's raw answer (untrusted), or why it cannot be read. */
export function objective(c: Case, value: unknown): number | string {
  if (isLayer(c.target)) {
    const out = readMatrix(value, "out");
    if (!out.ok) return out.message;
    const dout = c.inputs.dout as Mat;
    if (out.value.length !== dout.length || out.value.some((row, i) => row.length !== dout[i].length)) return "out does not have the shape of dout";
    let f = 0;
    for (let i = 0; i < dout.length; i++) for (let j = 0; j < dout[i].length; j++) f += out.value[i][j] * dout[i][j];
    return f;
  }
  const key = forwardOutput(c.target);
  const v = readNumber(value, key);
  if (!v.ok) return v.message;
  return isGate(c.target) ? v.value * (c.inputs.dz as number) : v.value;
}
