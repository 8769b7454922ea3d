/**
 * Training: the grader trains the student's two-layer net with its own full-batch gradient
 * descent on a seeded spiral data set (cases/train.ts: after the cs231n one, 3 classes of 50 points in
 * 2-D, not linearly separable), and expects it to learn (docs/api.md, two-layer-net).
 *
 * The whole run happens in the student's sandbox in one request (Sandbox.train): each step is one
 * call of the STUDENT's twoLayerNetLoss(params, X, y, reg) on fresh arguments, its answer
 * validated there (a finite loss; grads of the params' shapes, every entry finite) and the step
 * W ← W − lr·dW taken by the grader's code in the child. What comes back (the final parameters and
 * the loss curve, or the step that went wrong and why) is untrusted data, validated here; the
 * training accuracy is computed here with the REFERENCE forward on the learned params, so a
 * twoLayerNetScores bug never costs this test: only the gradients (and the loss, which must be
 * finite) are the student's. The starter kit has no reference code (its policy's
 * trainingForward, graders/reference/grading-policy.ts): there the student's own
 * twoLayerNetScores gives the scores, and the messages say so. The
 * hyperparameters, and how they were chosen: assignments/two-layer-net/TRAINING.md.
 */
import type { Case, Mat } from "../cases/case";
import { type Params, TRAINING, readParams, trainingSetup } from "../cases/train";
import type { Outcome } from "../result-model";
import { type Thrown } from "../sandbox/protocol";
import { sanitizeThrown } from "../sandbox/sandbox";
import { readMatrix } from "./answers";
import { type Check, type CheckContext, outcomeUnlessReturned, studentStack, thrownText } from "./context";

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
 * The scores of the learned net on X: the reference's forward, or under the kit's policy the
 * student's own twoLayerNetScores, run in their sandbox and read as untrusted data.
 */
async function learnedScores(ctx: CheckContext, params: Params, X: Mat): Promise<Mat | string> {
  const c: Case = {
    id: "training/accuracy",
    target: "twoLayerNetScores",
    exports: ["twoLayerNetScores"],
    seed: ctx.seed,
    inputs: { ...params, X },
    expected: {},
  };
  if (ctx.policy.trainingForward === "reference") return ctx.reference.run(c).scores as Mat;
  const r = await ctx.run(c);
  if (r.kind !== "returned") return r.kind === "threw" ? `threw ${thrownText(r.error)}` : "did not return";
  const scores = readMatrix(r.value, "scores");
  if (!scores.ok) return scores.message;
  if (scores.value.length !== X.length || scores.value.some((row) => row.length !== TRAINING.classes || !row.every(Number.isFinite))) {
    return `returned scores that are not ${X.length}×${TRAINING.classes} finite numbers`;
  }
  return scores.value;
}

/** Offline, where the accuracy comes from and what to fix first. */
const OWN_SCORES =
  "the starter kit measures the training accuracy with your own twoLayerNetScores (it has no reference code; the course's grader uses its reference forward, so there only your gradients count): if twoLayerNetScores fails its own tests, fix it first (npm run check -- twoLayerNetScores)";

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

/** A run as the child sent it back, validated: every step taken, or where it stopped and why. */
type Run = { losses: number[]; params: Params } | { losses: number[]; step: number; problem: string } | { losses: number[]; step: number; threw: Thrown };

/** The child's `Trained` read as untrusted data (shapes of `initial`, finite numbers, a step in range); null when it is not one. */
export function readRun(value: unknown, initial: Params): Run | null {
  if (typeof value !== "object" || value === null) return null;
  const v = value as Record<string, unknown>;
  const losses = v.losses;
  if (!Array.isArray(losses) || losses.length > TRAINING.steps || !losses.every((l) => typeof l === "number" && Number.isFinite(l))) return null;
  if ("step" in v) {
    if (!Number.isInteger(v.step) || v.step !== losses.length) return null;
    if (typeof v.problem === "string") return { losses, step: v.step as number, problem: v.problem.slice(0, 500) };
    if ("threw" in v) return { losses, step: v.step as number, threw: sanitizeThrown(v.threw) };
    return null;
  }
  if (losses.length !== TRAINING.steps || typeof v.params !== "object" || v.params === null) return null;
  const params = readParams(v.params as Record<string, unknown>, initial);
  return "problem" in params ? null : { losses, params };
}

const fixed = (v: number, digits = 2) => (Math.abs(v) >= 1000 ? v.toExponential(2) : v.toFixed(digits));
const percent = (a: number) => `${(100 * a).toFixed(1)} %`;

export const training: Check = async (ctx: CheckContext): Promise<Outcome> => {
  const name = ctx.spec.export;
  if (ctx.assignment !== "two-layer-net" || name !== "twoLayerNetLoss") {
    return { status: "grader-error", message: `the training check trains twoLayerNetLoss of two-layer-net, not ${name} of ${ctx.assignment} (manifest error)` };
  }
  const { steps, learningRate, reg, every, needed } = TRAINING;
  const { X, y, params: initial } = trainingSetup(ctx.seed);
  const started = performance.now();
  const shownSeed = ctx.spec.visibility === "visible" ? ctx.seed : "(hidden)";
  const setting = `full-batch gradient descent on the spiral data (${TRAINING.classes} classes × ${TRAINING.perClass} points, 2-D), H = ${TRAINING.hidden}, step size ${learningRate.from} → ${learningRate.to} (linear), reg ${reg}, seed ${shownSeed}`;

  const r = await ctx.train(ctx.seed, ctx.limitMs);
  if (r.kind === "ended" && r.end.timedOut && !r.whileLoading) {
    return {
      status: "could-not-check",
      message: `Training did not finish within ${ctx.limitMs / 1000} s (${steps} steps). One step (${TRAINING.classes * TRAINING.perClass} points, H = ${TRAINING.hidden}) should take milliseconds: look for an endless loop, or code far slower than it needs to be.`,
      end: r.end,
    };
  }
  const problem = outcomeUnlessReturned(r, ctx);
  if (problem) return problem;
  const run = readRun((r as { value: unknown }).value, initial);
  if (!run)
    return {
      status: "failed",
      message: `${name}: your process sent back something that is not the grader's training run (did your code change built-in objects such as Array or Math?)`,
    };
  const losses = run.losses;
  const curve = () => `loss over the steps: ${sparkline(losses)}${losses.length > 0 ? ` (${fixed(losses[0])} → ${fixed(losses[losses.length - 1])})` : ""}`;

  if ("threw" in run) {
    return {
      status: "failed",
      message: `${name} threw ${thrownText(run.threw)} (at training step ${run.step + 1} of ${steps})`,
      details: studentStack(run.threw),
    };
  }
  if ("problem" in run) {
    const rose = losses.length >= 10 && losses[losses.length - 1] > losses[0];
    return {
      status: "failed",
      message: `${name}: at training step ${run.step + 1} of ${steps}, ${run.problem}`,
      details: losses.length > 0 ? `${curve()}\n${setting}` : setting,
      ...(rose
        ? {
            hint: `the loss rose from ${fixed(losses[0])} to ${fixed(losses[losses.length - 1])} over the steps before: your gradients lead uphill (a sign, or a term counted wrong) until the numbers overflow`,
          }
        : {}),
    };
  }

  const scores = await learnedScores(ctx, run.params, X);
  if (typeof scores === "string") {
    return {
      status: "failed",
      message: `${name}: trained ${steps} steps, but the accuracy cannot be measured: your twoLayerNetScores ${scores} on the learned parameters`,
      details: [curve(), setting, OWN_SCORES].join("\n"),
    };
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
  if (acc >= needed)
    return {
      status: "passed",
      message: `${summary}\n${curve()}${ctx.policy.trainingForward === "student" ? "\nmeasured with your own twoLayerNetScores (the starter kit has no reference code)" : ""}`,
      extra,
    };
  return {
    status: "failed",
    message: summary,
    details: [
      curve(),
      setting,
      ctx.policy.trainingForward === "student"
        ? OWN_SCORES
        : "training accuracy is measured with the reference forward on the parameters your gradients led to",
    ].join("\n"),
    hint: "the gradients do not lead downhill: check each of grads.W1, b1, W2, b2 against the gradient-check tests (the ReLU mask, the 1/N of the mean, the reg term 2·reg·W)",
    extra,
  };
};
