/**
 * The training run of the two-layer net (docs/api.md, two-layer-net: the grader trains the student's net with
 * its own gradient-descent loop): full-batch gradient descent on the cs231n spiral data set (3
 * classes of 50 points in 2-D, not linearly separable), each step's gradients from the
 * student's twoLayerNetLoss. The whole loop runs inside the student's sandbox, in one request
 * (sandbox/child.ts "train"): the child builds the data from the seed with this code, calls the
 * student's loss with fresh arguments each step, validates each answer (readAnswer), takes the
 * step itself, and sends back the final parameters and the loss curve, or the step where the
 * answer went wrong and why. The grader (checks/training.ts) treats what comes back as untrusted
 * data and judges the accuracy with the reference's forward. Why these hyperparameters:
 * assignments/two-layer-net/TRAINING.md. Bundled into the runner: no reference code here.
 */
import type { Mat } from "./case";
import { Random } from "./random";

export const TRAINING = {
  classes: 3,
  perClass: 50,
  hidden: 50,
  /** The spiral's angular noise (cs231n: 0.2). */
  noise: 0.2,
  /** Initial weights: N(0, init²) (W1 at the scale of its 2 inputs, W2 smaller); biases 0. */
  init: { W1: 1, W2: 0.2 },
  /** The step size decays linearly from `from` (step 1) to `to` (the last step). */
  learningRate: { from: 4, to: 0.4 },
  reg: 1e-4,
  steps: 120,
  /** The training accuracy needed to pass. */
  needed: 0.9,
  /** Every how many steps the loss goes into extra. */
  every: 10,
} as const;

export type Params = { W1: Mat; b1: Mat; W2: Mat; b2: Mat };
const PARAM_NAMES = ["W1", "b1", "W2", "b2"] as const;

// Captured when this module loads (in the sandbox: before any student code).
const { isArray } = Array;
const isView = ArrayBuffer.isView;
const isList = (v: unknown): v is ArrayLike<unknown> => isArray(v) || isView(v);
const isFiniteNumber = Number.isFinite;
const { sin, cos } = Math;

const linspace = (a: number, b: number, n: number) => Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));
const zeros = (rows: number, cols: number): Mat => Array.from({ length: rows }, () => new Array<number>(cols).fill(0));

/** The spiral data set (cs231n): class j has radii linspace(0, 1) and angles linspace(4j, 4j + 4) + noise·N(0,1). */
export function spiral(r: Random, classes: number = TRAINING.classes, perClass: number = TRAINING.perClass): { X: Mat; y: number[] } {
  const X: Mat = [];
  const y: number[] = [];
  for (let j = 0; j < classes; j++) {
    const radius = linspace(0, 1, perClass);
    const angle = linspace(4 * j, 4 * (j + 1), perClass).map((t) => t + TRAINING.noise * r.normal());
    for (let i = 0; i < perClass; i++) {
      X.push([radius[i] * sin(angle[i]), radius[i] * cos(angle[i])]);
      y.push(j);
    }
  }
  return { X, y };
}

/** The data and the initial parameters of a training run: a pure function of the seed. */
export function trainingSetup(seed: string): { X: Mat; y: number[]; params: Params } {
  const r = new Random(seed);
  const { X, y } = spiral(r);
  const H = TRAINING.hidden;
  const C = TRAINING.classes;
  const params = { W1: r.matrix(2, H, TRAINING.init.W1), b1: zeros(1, H), W2: r.matrix(H, C, TRAINING.init.W2), b2: zeros(1, C) };
  return { X, y, params };
}

/** The step size at step `step` (0-based): linear from learningRate.from to learningRate.to. */
function learningRate(step: number): number {
  const { from, to } = TRAINING.learningRate;
  return from + ((to - from) * step) / Math.max(1, TRAINING.steps - 1);
}

/**
 * What is wrong with one answer of twoLayerNetLoss (as runCase returns it: { loss, dW1, db1, dW2,
 * db2 }), or the loss and the gradients. Index loops and captured built-ins only.
 */
export function readAnswer(value: unknown, params: Params): { problem: string } | { loss: number; grads: Params } {
  if (typeof value !== "object" || value === null) return { problem: "returned no { loss, grads }" };
  const v = value as Record<string, unknown>;
  if (typeof v.loss !== "number")
    return { problem: `loss is ${v.loss === null || v.loss === undefined ? "missing" : `a ${typeof v.loss}`}, expected a number` };
  if (!isFiniteNumber(v.loss)) return { problem: `loss is ${v.loss}: it must be a finite number` };
  const grads = readParams(v, params, "d", "grads.");
  return "problem" in grads ? grads : { loss: v.loss, grads };
}

/** The four matrices `${prefix}W1` … of `v`, shaped like `params` with every entry finite, or what is wrong (named `${shown}W1` …).
 *  The grader reads back the parameters a run sends with it too (no prefix). */
export function readParams(v: Record<string, unknown>, params: Params, prefix = "", shown = ""): Params | { problem: string } {
  const out = {} as Params;
  for (let n = 0; n < PARAM_NAMES.length; n++) {
    const name = PARAM_NAMES[n];
    const g = v[`${prefix}${name}`];
    const want = params[name];
    const rows = want.length;
    const cols = want[0].length;
    if (g === null || g === undefined)
      return { problem: `${shown}${name} is missing${shown === "grads." ? ": return { loss, grads: { W1, b1, W2, b2 } }" : ""}` };
    if (!isList(g) || g.length === 0) return { problem: `${shown}${name} is not a matrix (return an ml-matrix Matrix or a number[][])` };
    for (let i = 0; i < g.length; i++) if (!isList(g[i])) return { problem: `${shown}${name} is not a matrix (return an ml-matrix Matrix or a number[][])` };
    const m = g as ArrayLike<ArrayLike<unknown>>;
    const c = m[0].length;
    for (let i = 0; i < m.length; i++) if (m[i].length !== c) return { problem: `${shown}${name} is not rectangular` };
    if (m.length !== rows || c !== cols) return { problem: `${shown}${name} has shape ${m.length}×${c}, expected ${rows}×${cols} (the shape of ${name})` };
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const x = m[i][j];
        if (typeof x !== "number" || !isFiniteNumber(x))
          return { problem: `${shown}${name}[${i}][${j}] is ${typeof x === "number" ? x : typeof x}: every entry must be a finite number` };
      }
    }
    out[name] = m as unknown as Mat;
  }
  return out;
}

/** How a run ended: every step taken, or the step (0-based) whose answer could not be used, and why, or what it threw. */
export type Trained =
  { losses: number[]; params: Params } | { losses: number[]; step: number; problem: string } | { losses: number[]; step: number; threw: unknown };

/**
 * The training run from `seed`: `loss(inputs)` is one call of twoLayerNetLoss on fresh arguments
 * made from `inputs` (W1, b1, W2, b2, X, y, reg as plain data), returning its answer as plain data.
 */
export function train(seed: string, loss: (inputs: Record<string, unknown>) => unknown): Trained {
  const { X, y, params } = trainingSetup(seed);
  const losses: number[] = [];
  for (let step = 0; step < TRAINING.steps; step++) {
    let value: unknown;
    try {
      value = loss({ W1: params.W1, b1: params.b1, W2: params.W2, b2: params.b2, X, y, reg: TRAINING.reg });
    } catch (error) {
      return { losses, step, threw: error };
    }
    let answer: ReturnType<typeof readAnswer>;
    try {
      answer = readAnswer(value, params); // a hostile answer (a throwing getter) throws here
    } catch (error) {
      return { losses, step, threw: error };
    }
    if ("problem" in answer) return { losses, step, problem: answer.problem };
    losses[losses.length] = answer.loss;
    const rate = learningRate(step);
    for (let n = 0; n < PARAM_NAMES.length; n++) {
      const p = params[PARAM_NAMES[n]];
      const g = answer.grads[PARAM_NAMES[n]];
      for (let i = 0; i < p.length; i++) for (let j = 0; j < p[i].length; j++) p[i][j] -= rate * g[i][j];
    }
  }
  return { losses, params };
}
