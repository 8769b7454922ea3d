/**
 * Training: the grader trains the student's two-layer net with its own full-batch gradient
 * descent, in the grader's process, on a seeded spiral data set (the cs231n one: 3 classes of
 * 100 points in 2-D, not linearly separable), and expects it to learn (CONTRACT.md §2).
 *
 * Each step is one call of the STUDENT's twoLayerNetLoss(params, X, y, reg) in their sandbox; its
 * answer is validated (a finite loss; grads of the params' shapes, every entry finite) and the
 * grader takes the step W ← W − lr·dW itself. The training accuracy at the end is computed here
 * with the REFERENCE forward on the learned params, so a twoLayerNetScores bug never costs this
 * test: only the gradients (and the loss, which must be finite) are the student's. The starter
 * kit has no reference code (offline): there the student's own twoLayerNetScores gives the scores,
 * and the messages say so.
 *
 * Hyperparameters, measured with the reference on 64 seeds: plain gradient descent from a 0.01
 * start sits on a plateau, then oscillates at any fixed step size that gets off it quickly (lr 2:
 * 78 % at step 200 on the worst seed, 89.7 % at 250; lr ≥ 2.5 oscillates; reg 1e-3 holds the net
 * at 90–94 %, since our reg multiplies ΣW², twice cs231n's ½·reg). A step size decaying linearly
 * from 3 to 0.3 over the run gets off the plateau fast and settles: at 250 steps the reference
 * reaches 93.7 % on the worst seed, 94.7 % on the 5th percentile, 96.5 % on average (300 steps:
 * 96.0 % worst, 97.6 % mean). 250 steps, since a step costs ~7 ms (the student's loss in the
 * sandbox, ~5 ms of it the reference's own computation): about 2 s for the whole check.
 * Parameters start at 0.01·N(0,1) (W1: 2×100, W2: 100×3), biases at 0.
 */
import type { Case, Mat } from "../cases/case";
import { Random } from "../cases/random";
import type { Outcome } from "../results/result";
import { readMatrix } from "./answers";
import { type Check, type CheckContext, unreturned } from "./context";

export const TRAINING = {
  classes: 3,
  perClass: 100,
  hidden: 100,
  /** The spiral's angular noise (cs231n: 0.2). */
  noise: 0.2,
  /** Initial weights: N(0, init²). */
  init: 0.01,
  /** The step size decays linearly from `from` (step 1) to `to` (the last step). */
  learningRate: { from: 3, to: 0.3 },
  reg: 1e-4,
  steps: 250,
  /** The training accuracy needed to pass. */
  needed: 0.9,
  /** Every how many steps the loss goes into extra. */
  every: 10,
} as const;

type Params = { W1: Mat; b1: Mat; W2: Mat; b2: Mat };

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
      X.push([radius[i] * Math.sin(angle[i]), radius[i] * Math.cos(angle[i])]);
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
  const params = { W1: r.matrix(2, H, TRAINING.init), b1: zeros(1, H), W2: r.matrix(H, C, TRAINING.init), b2: zeros(1, C) };
  return { X, y, params };
}

/** The fraction of rows whose highest score is their label. */
export function accuracy(scores: Mat, y: number[]): number {
  let right = 0;
  for (let i = 0; i < y.length; i++) {
    const row = scores[i];
    let best = 0;
    for (let j = 1; j < row.length; j++) if (row[j] > row[best]) best = j;
    if (best === y[i]) right++;
  }
  return right / y.length;
}

/**
 * The scores of the learned net on X: the reference's forward, or offline (the starter kit) the
 * student's own twoLayerNetScores, run in their sandbox and read as untrusted data.
 */
async function learnedScores(ctx: CheckContext, params: Params, X: Mat): Promise<Mat | string> {
  const c: Case = { id: "training/accuracy", target: "twoLayerNetScores", exports: ["twoLayerNetScores"], seed: ctx.seed, inputs: { ...params, X }, expected: {} };
  if (!ctx.reference.offline) return ctx.reference.run(c).scores as Mat;
  const r = await ctx.run(c);
  if (r.kind !== "returned") return r.kind === "threw" ? `threw ${r.error.name}: ${r.error.message}` : "did not return";
  const scores = readMatrix(r.value, "scores");
  if (!scores.ok) return scores.message;
  if (scores.value.length !== X.length || scores.value.some((row) => row.length !== TRAINING.classes || !row.every(Number.isFinite))) {
    return `returned scores that are not ${X.length}×${TRAINING.classes} finite numbers`;
  }
  return scores.value;
}

/** Offline, where the accuracy comes from and what to fix first. */
const OWN_SCORES = "the starter kit measures the training accuracy with your own twoLayerNetScores (it has no reference code; the course's grader uses its reference forward, so there only your gradients count): if twoLayerNetScores fails its own tests, fix it first (npm run check -- twoLayerNetScores)";

const BARS = "▁▂▃▄▅▆▇█";

/** A terminal sparkline of `values`, `width` characters: each the mean of its stretch, scaled min→▁ … max→█. */
export function sparkline(values: number[], width = 40): string {
  if (values.length === 0) return "";
  const n = Math.min(width, values.length);
  const points = Array.from({ length: n }, (_, k) => {
    const from = Math.floor((k * values.length) / n);
    const to = Math.max(from + 1, Math.floor(((k + 1) * values.length) / n));
    const part = values.slice(from, to);
    return part.reduce((s, v) => s + v, 0) / part.length;
  });
  const lo = Math.min(...points);
  const hi = Math.max(...points);
  return points.map((v) => BARS[hi > lo ? Math.round(((v - lo) / (hi - lo)) * (BARS.length - 1)) : 0]).join("");
}

/** What is wrong with one answer of twoLayerNetLoss, or null (then `grads` holds the gradients). */
export function readAnswer(value: unknown, params: Params): { problem: string } | { loss: number; grads: Params } {
  if (typeof value !== "object" || value === null) return { problem: "returned no { loss, grads }" };
  const v = value as Record<string, unknown>;
  if (typeof v.loss !== "number") return { problem: `loss is ${v.loss === null || v.loss === undefined ? "missing" : `a ${typeof v.loss}`}, expected a number` };
  if (!Number.isFinite(v.loss)) return { problem: `loss is ${v.loss}: it must be a finite number` };
  const grads = {} as Params;
  for (const name of ["W1", "b1", "W2", "b2"] as const) {
    const g = v[`d${name}`];
    const want = params[name];
    const shape = `${want.length}×${want[0].length}`;
    if (g === null || g === undefined) return { problem: `grads.${name} is missing: return { loss, grads: { W1, b1, W2, b2 } }` };
    if (!Array.isArray(g) || g.length === 0 || !g.every((row) => Array.isArray(row))) return { problem: `grads.${name} is not a matrix (return an ml-matrix Matrix or a number[][])` };
    const rows = g as unknown[][];
    const cols = rows[0].length;
    if (!rows.every((row) => row.length === cols)) return { problem: `grads.${name} is not rectangular` };
    if (rows.length !== want.length || cols !== want[0].length) return { problem: `grads.${name} has shape ${rows.length}×${cols}, expected ${shape} (the shape of ${name})` };
    for (let i = 0; i < rows.length; i++) {
      for (let j = 0; j < cols; j++) {
        const x = rows[i][j];
        if (typeof x !== "number" || !Number.isFinite(x)) return { problem: `grads.${name}[${i}][${j}] is ${typeof x === "number" ? x : typeof x}: every entry must be a finite number` };
      }
    }
    grads[name] = rows as Mat;
  }
  return { loss: v.loss, grads };
}

const fixed = (v: number, digits = 2) => (Math.abs(v) >= 1000 ? v.toExponential(2) : v.toFixed(digits));
const percent = (a: number) => `${(100 * a).toFixed(1)} %`;

export const training: Check = async (ctx: CheckContext): Promise<Outcome> => {
  const name = ctx.spec.export;
  if (ctx.assignment !== "two-layer-net" || name !== "twoLayerNetLoss") {
    return { status: "grader-error", message: `the training check trains twoLayerNetLoss of two-layer-net, not ${name} of ${ctx.assignment} (manifest error)` };
  }
  const { steps, learningRate, reg, every, needed } = TRAINING;
  const lr = (step: number) => learningRate.from + ((learningRate.to - learningRate.from) * step) / Math.max(1, steps - 1);
  const { X, y, params } = trainingSetup(ctx.seed);
  const losses: number[] = [];
  const started = performance.now();
  const deadline = started + ctx.limitMs;
  const shownSeed = ctx.spec.visibility === "visible" ? ctx.seed : "(hidden)";
  const curve = () => `loss over the steps: ${sparkline(losses)}${losses.length > 0 ? ` (${fixed(losses[0])} → ${fixed(losses[losses.length - 1])})` : ""}`;
  const setting = `full-batch gradient descent on the spiral data (${TRAINING.classes} classes × ${TRAINING.perClass} points, 2-D), H = ${TRAINING.hidden}, step size ${learningRate.from} → ${learningRate.to} (linear), reg ${reg}, seed ${shownSeed}`;

  for (let step = 0; step < steps; step++) {
    const c: Case = {
      id: `training/step-${step}`,
      target: "twoLayerNetLoss",
      exports: ["twoLayerNetLoss"],
      seed: ctx.seed,
      inputs: { W1: params.W1, b1: params.b1, W2: params.W2, b2: params.b2, X, y, reg },
      expected: {},
    };
    const left = deadline - performance.now();
    const r = left > 0 ? await ctx.run(c, { timeoutMs: left }) : null;
    if (r === null || (r.kind === "ended" && r.end.timedOut)) {
      return {
        status: "could-not-check",
        message: `Training did not finish within ${ctx.limitMs / 1000} s: it was at step ${step + 1} of ${steps}. One step (300 points, H = ${TRAINING.hidden}) should take milliseconds: look for an endless loop, or code far slower than it needs to be.`,
        end: r?.kind === "ended" ? r.end : { timedOut: true, outOfMemory: false },
      };
    }
    const problem = unreturned(r, ctx);
    if (problem) {
      if (problem.status !== "failed") return problem;
      return { ...problem, message: `${problem.message} (at training step ${step + 1} of ${steps})` };
    }
    const answer = readAnswer((r as { value: unknown }).value, params);
    if ("problem" in answer) {
      const rose = losses.length >= 10 && losses[losses.length - 1] > losses[0];
      return {
        status: "failed",
        message: `${name}: at training step ${step + 1} of ${steps}, ${answer.problem}`,
        details: losses.length > 0 ? `${curve()}\n${setting}` : setting,
        ...(rose ? { diagnosis: `the loss rose from ${fixed(losses[0])} to ${fixed(losses[losses.length - 1])} over the steps before: your gradients lead uphill (a sign, or a term counted wrong) until the numbers overflow` } : {}),
      };
    }
    losses.push(answer.loss);
    const rate = lr(step);
    for (const k of ["W1", "b1", "W2", "b2"] as const) {
      const p = params[k];
      const g = answer.grads[k];
      for (let i = 0; i < p.length; i++) for (let j = 0; j < p[i].length; j++) p[i][j] -= rate * g[i][j];
    }
  }

  const scores = await learnedScores(ctx, params, X);
  if (typeof scores === "string") {
    return { status: "failed", message: `${name}: trained ${steps} steps, but the accuracy cannot be measured: your twoLayerNetScores ${scores} on the learned parameters`, details: [curve(), setting, OWN_SCORES].join("\n") };
  }
  const acc = accuracy(scores, y);
  const spark = sparkline(losses);
  const extra = {
    training: {
      steps,
      learningRate: { ...learningRate, schedule: "linear" },
      reg,
      hidden: TRAINING.hidden,
      seed: shownSeed,
      accuracy: Math.round(acc * 10000) / 10000,
      needed,
      lossEvery: every,
      loss: losses.filter((_, k) => k % every === 0 || k === losses.length - 1).map((v) => Number(v.toPrecision(6))),
      sparkline: spark,
      durationMs: Math.round(performance.now() - started),
    },
  };
  const summary = `${name}: trained ${steps} steps, training accuracy ${percent(acc)} (needs ≥ ${percent(needed).replace(".0 ", " ")}); loss ${fixed(losses[0])} → ${fixed(losses[losses.length - 1])}`;
  if (acc >= needed) return { status: "passed", message: `${summary}\n${curve()}${ctx.reference.offline ? "\nmeasured with your own twoLayerNetScores (the starter kit has no reference code)" : ""}`, extra };
  return {
    status: "failed",
    message: summary,
    details: [
      curve(),
      setting,
      ctx.reference.offline ? OWN_SCORES : "training accuracy is measured with the reference forward on the parameters your gradients led to",
    ].join("\n"),
    diagnosis: "the gradients do not lead downhill: check each of grads.W1, b1, W2, b2 against the gradient-check tests (the ReLU mask, the 1/N of the mean, the reg term 2·reg·W)",
    extra,
  };
};

