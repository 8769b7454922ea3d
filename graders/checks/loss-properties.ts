/**
 * Property checks of the losses and the two-layer net: what must hold whatever the values.
 *   svm-properties        loss ≥ 0; 0 (and no gradient) when every margin is met; a margin of
 *                          exactly 0 gives no gradient; the loss is a mean over rows
 *   softmax-properties    invariant to adding a constant to a row; dscores rows sum to 0; finite
 *                          at scores of ±1e4
 *   linear-reg-properties loss(reg) − loss(0) = reg·ΣW², dW(reg) − dW(0) = 2·reg·W (apart from the data term)
 *   net-properties        biases are not regularized; zero weights give loss log(C); the ReLU
 *                          mask is z1 > 0 (no gradient where the pre-activation is exactly 0)
 * and every one: the arguments are unchanged after the call.
 */
import type { Case, LossName, Mat, Value } from "../cases/case";
import { SIGNATURES } from "../cases/case";
import { sumSquares } from "../cases/mat";
import { Random } from "../cases/random";
import type { Outcome, Replay } from "../result-model";
import { closeTo } from "../judge/tolerance";
import { formatNumber as fmt } from "../format-number";
import { firstChange, inputsAfter, readMatrix, readNumber, worstGap } from "./answers";
import { type Check, type CheckContext, type RegisteredCheck, outcomeUnlessReturned } from "./context";
import { diagnoseBuiltCase, prepareBuiltCase } from "./diagnosis";
import { drawnGoldenReplay, goldenReplay } from "./replay";

const fail = (message: string, extra: { details?: string; diagnosis?: string; hint?: string; replay?: Replay } = {}): Outcome => ({
  status: "failed",
  message,
  ...extra,
});
/** The loss checks' rule: |a − b| ≤ LOSS_ATOL·max(1, |b|) for one number, and per entry for a matrix (RULE). */
const LOSS_ATOL = 1e-9;
const RULE = { atol: LOSS_ATOL, rtol: 0 };

type Answer = { ok: true; returned: unknown } | { ok: false; outcome: Outcome };

/** Run a variant of a case (inputs replaced), asking for the arguments back. */
async function answer(ctx: CheckContext, c: Case, inputs: Record<string, Value>, replay: Replay): Promise<Answer> {
  const run = { ...c, inputs: { ...c.inputs, ...inputs } };
  const r = await ctx.run(run, { reportInputs: true });
  const problem = outcomeUnlessReturned(r, ctx, replay);
  if (problem) return { ok: false, outcome: problem };
  const returned = (r as { value: unknown }).value;
  const after = inputsAfter(returned);
  for (const a of SIGNATURES[c.target as LossName | "twoLayerNetLoss"].args) {
    if (!(a.name in after)) continue;
    const d = firstChange(run.inputs[a.name], after[a.name]);
    if (d) {
      return {
        ok: false,
        outcome: fail(`${ctx.spec.export} changed its argument ${a.name}: ${a.name}${d}`, {
          diagnosis:
            "a function must not modify its arguments: ml-matrix instance methods (m.mul(k), m.add(n), m.sub(n), m.subColumnVector(v), m.exp()) change m itself; use the static Matrix.mul(m, k) … or m.clone() first",
          replay,
        }),
      };
    }
  }
  return { ok: true, returned };
}

function need<T>(read: { ok: true; value: T } | { ok: false; message: string }, ctx: CheckContext): T | Outcome {
  return read.ok ? read.value : fail(`${ctx.spec.export}: cannot test its properties: ${read.message}`);
}
const isOutcome = (v: unknown): v is Outcome => typeof v === "object" && v !== null && "status" in v;

function baseCase(ctx: CheckContext): Case | null {
  return ctx.golden.find((c) => c.target === ctx.spec.export && !c.id.includes("scoreScale")) ?? null;
}

/** The loss's golden base case, the student's answer on it, and its loss: what every loss property starts from. */
async function lossOnBaseCase(ctx: CheckContext): Promise<{ c: Case; replay: Replay; returned: unknown; loss: number } | Outcome> {
  const c = baseCase(ctx);
  if (!c) return { status: "grader-error", message: `no golden ${ctx.spec.export} case` };
  const replay = goldenReplay(ctx, c);
  const first = await answer(ctx, c, {}, replay);
  if (!first.ok) return first.outcome;
  const loss = need(readNumber(first.returned, "loss"), ctx);
  if (isOutcome(loss)) return loss;
  return { c, replay, returned: first.returned, loss };
}

const svmProperties: Check = async (ctx) => {
  const base = await lossOnBaseCase(ctx);
  if (isOutcome(base)) return base;
  const { c, replay, loss } = base;
  if (!(loss >= 0)) return fail(`svmLoss: loss = ${fmt(loss)} < 0: a sum of max(0, …) terms cannot be negative`, { replay });
  // every margin met by far: loss 0, no gradient
  const met: Mat = [
    [3, 0, -1],
    [0, 0.5, 2.5],
  ];
  const y = [0, 2];
  const metReplay: Replay = { kind: "inputs", inputs: { scores: met, y } };
  const metAnswer = await answer(ctx, c, { scores: met, y }, metReplay);
  if (!metAnswer.ok) return metAnswer.outcome;
  const metLoss = need(readNumber(metAnswer.returned, "loss"), ctx);
  if (isOutcome(metLoss)) return metLoss;
  const metGrad = need(readMatrix(metAnswer.returned, "dscores"), ctx);
  if (isOutcome(metGrad)) return metGrad;
  if (metLoss !== 0 || metGrad.flat().some((v) => v !== 0)) {
    return fail(
      `svmLoss: every margin is met (s_y ≥ s_j + 1), yet loss = ${fmt(metLoss)}${metGrad.flat().some((v) => v !== 0) ? " and dscores is not 0" : ""}`,
      {
        ...(metLoss === 1 * 1
          ? { diagnosis: "the j = y term is counted (it always contributes max(0, 1) = 1): skip j = y" }
          : { hint: "only margins s_j − s_y + 1 > 0 contribute, for j ≠ y" }),
        replay: metReplay,
      },
    );
  }
  // a margin of exactly 0: s_1 − s_0 + 1 = 0
  const edge: Mat = [[1, 0, -5]];
  const edgeReplay: Replay = { kind: "inputs", inputs: { scores: edge, y: [0] } };
  const edgeAnswer = await answer(ctx, c, { scores: edge, y: [0] }, edgeReplay);
  if (!edgeAnswer.ok) return edgeAnswer.outcome;
  const edgeGrad = need(readMatrix(edgeAnswer.returned, "dscores"), ctx);
  if (isOutcome(edgeGrad)) return edgeGrad;
  if (edgeGrad.flat().some((v) => v !== 0)) {
    return fail(`svmLoss: a margin of exactly 0 gave dscores = ${JSON.stringify(edgeGrad)}, expected all 0`, {
      hint: "a margin counts only when it is > 0 (the contract: a margin of exactly 0 contributes no gradient); use > 0, not >= 0",
      replay: edgeReplay,
    });
  }
  // mean over rows: the same rows twice give the same loss
  const scores = c.inputs.scores as Mat;
  const labels = c.inputs.y as number[];
  const twiceReplay = goldenReplay(ctx, c, "every row twice");
  const twice = await answer(ctx, c, { scores: [...scores, ...scores], y: [...labels, ...labels] }, twiceReplay);
  if (!twice.ok) return twice.outcome;
  const twiceLoss = need(readNumber(twice.returned, "loss"), ctx);
  if (isOutcome(twiceLoss)) return twiceLoss;
  if (!closeTo(twiceLoss, loss, LOSS_ATOL)) {
    return fail(`svmLoss: with every row given twice the loss changed from ${fmt(loss)} to ${fmt(twiceLoss)}: it must be the mean over rows`, {
      diagnosis: Math.abs(twiceLoss - 2 * loss) < 1e-9 * Math.max(1, loss) ? "the loss is a sum over the rows: divide by N" : undefined,
      replay: twiceReplay,
    });
  }
  return {
    status: "passed",
    message: "loss ≥ 0; 0 with no gradient when margins are met; none at a margin of exactly 0; a mean over rows; arguments unchanged",
  };
};

const softmaxProperties: Check = async (ctx) => {
  const base = await lossOnBaseCase(ctx);
  if (isOutcome(base)) return base;
  const { c, replay, loss } = base;
  const d = need(readMatrix(base.returned, "dscores"), ctx);
  if (isOutcome(d)) return d;
  const rowSum = d.map((row) => row.reduce((s, v) => s + v, 0));
  const worstRow = rowSum.reduce((k, v, i) => (Math.abs(v) > Math.abs(rowSum[k]) ? i : k), 0);
  if (!(Math.abs(rowSum[worstRow]) <= 1e-12)) {
    return fail(`softmaxLoss: row ${worstRow} of dscores sums to ${fmt(rowSum[worstRow])}, expected 0`, {
      hint: "each row of dscores is (softmax − one-hot)/N, whose entries sum to 0: check the −1 at the label",
      replay,
    });
  }
  const random = new Random(ctx.seed);
  const scores = c.inputs.scores as Mat;
  const shifts = scores.map(() => random.uniform(-30, 30));
  const shifted = scores.map((row, i) => row.map((v) => v + shifts[i]));
  const shiftedReplay = drawnGoldenReplay(ctx, c, "each row shifted by a random constant");
  const s = await answer(ctx, c, { scores: shifted }, shiftedReplay);
  if (!s.ok) return s.outcome;
  const sLoss = need(readNumber(s.returned, "loss"), ctx);
  if (isOutcome(sLoss)) return sLoss;
  const sGrad = need(readMatrix(s.returned, "dscores"), ctx);
  if (isOutcome(sGrad)) return sGrad;
  const gap = worstGap(sGrad, d, RULE);
  if (!closeTo(sLoss, loss, LOSS_ATOL) || !gap.ok) {
    return fail(
      `softmaxLoss: adding a constant to each row changed ${closeTo(sLoss, loss, LOSS_ATOL) ? `dscores${gap.at} from ${fmt(gap.want)} to ${fmt(gap.got)}` : `the loss from ${fmt(loss)} to ${fmt(sLoss)}`}`,
      { hint: "softmax(s + c) = softmax(s): compute it on s − max(s) per row", replay: shiftedReplay },
    );
  }
  const big = scores.map((row) => row.map(() => 1e4 * random.normal()));
  const bigReplay = drawnGoldenReplay(ctx, c, "scores of order ±1e4");
  const bigCase: Case = { ...c, id: `${c.id}/scores-1e4`, inputs: { ...c.inputs, scores: big }, expected: {} };
  prepareBuiltCase(ctx, bigCase);
  const b = await answer(ctx, c, { scores: big }, bigReplay);
  if (!b.ok) return b.outcome;
  const bLoss = readNumber(b.returned, "loss");
  const bGrad = readMatrix(b.returned, "dscores");
  if (!bLoss.ok || !bGrad.ok) {
    const diagnosis = await diagnoseBuiltCase(ctx, bigCase, b.returned);
    return fail(`softmaxLoss: at scores of order ±1e4, ${!bLoss.ok ? bLoss.message : (bGrad as { message: string }).message}`, {
      ...(diagnosis
        ? { diagnosis }
        : {
            hint: "the loss and dscores must stay finite at scores of ±1e4: softmax on s − max(s) (e^s overflows for large s), and the row loss as log(Σ_j e^(s_j − max)) − (s_y − max) (log of a probability that underflows to 0 is Infinity)",
          }),
      replay: bigReplay,
    });
  }
  return { status: "passed", message: "dscores rows sum to 0; invariant to a constant per row; finite at ±1e4; arguments unchanged" };
};

/** The student's answers on case `c` with `reg` and with reg = 0, and both losses: the regularization apart from the data term. */
async function withAndWithoutReg(
  ctx: CheckContext,
  c: Case,
  reg: number,
  replay: Replay,
): Promise<{ withReg: unknown; without: unknown; l1: number; l0: number } | Outcome> {
  const withReg = await answer(ctx, c, { reg }, replay);
  if (!withReg.ok) return withReg.outcome;
  const without = await answer(ctx, c, { reg: 0 }, replay);
  if (!without.ok) return without.outcome;
  const l1 = need(readNumber(withReg.returned, "loss"), ctx);
  if (isOutcome(l1)) return l1;
  const l0 = need(readNumber(without.returned, "loss"), ctx);
  if (isOutcome(l0)) return l0;
  return { withReg: withReg.returned, without: without.returned, l1, l0 };
}

const linearRegProperties: Check = async (ctx) => {
  const c = ctx.golden.find((k) => k.target === ctx.spec.export && (k.inputs.reg as number) > 0) ?? baseCase(ctx);
  if (!c) return { status: "grader-error", message: `no golden ${ctx.spec.export} case` };
  const reg = Math.max(c.inputs.reg as number, 0.25);
  const replay = goldenReplay(ctx, c, `reg = ${reg} and reg = 0`);
  const pair = await withAndWithoutReg(ctx, c, reg, replay);
  if (isOutcome(pair)) return pair;
  const { l1, l0 } = pair;
  const g1 = need(readMatrix(pair.withReg, "dW"), ctx);
  const g0 = need(readMatrix(pair.without, "dW"), ctx);
  for (const v of [g1, g0]) if (isOutcome(v)) return v;
  const W = c.inputs.W as Mat;
  const wantLoss = reg * sumSquares(W);
  if (!closeTo((l1 as number) - (l0 as number), wantLoss, LOSS_ATOL)) {
    return fail(`${ctx.spec.export}: the regularization adds ${fmt((l1 as number) - (l0 as number))} to the loss, expected reg·ΣW² = ${fmt(wantLoss)}`, {
      diagnosis: closeTo((l1 as number) - (l0 as number), wantLoss / 2, LOSS_ATOL) ? "the loss term is reg·ΣW² (no ½ in this course's convention)" : undefined,
      replay,
    });
  }
  const diff = (g1 as Mat).map((row, i) => row.map((v, j) => v - (g0 as Mat)[i][j]));
  const want = W.map((row) => row.map((v) => 2 * reg * v));
  const gap = worstGap(diff, want, RULE);
  if (!gap.ok) {
    const half = worstGap(
      diff,
      W.map((row) => row.map((v) => reg * v)),
      RULE,
    ).ok;
    return fail(`${ctx.spec.export}: the regularization adds ${fmt(gap.got)} to dW${gap.at}, expected 2·reg·W${gap.at} = ${fmt(gap.want)}`, {
      diagnosis: half ? "the gradient of reg·ΣW² is 2·reg·W, not reg·W" : undefined,
      replay,
    });
  }
  return { status: "passed", message: "adds reg·ΣW² to the loss and 2·reg·W to dW; arguments unchanged" };
};

const netProperties: Check = async (ctx) => {
  const c = ctx.golden.find((k) => k.target === "twoLayerNetLoss");
  if (!c) return { status: "grader-error", message: "no golden twoLayerNetLoss case" };
  const reg = 0.3;
  const replay = goldenReplay(ctx, c, `reg = ${reg} and reg = 0`);
  const pair = await withAndWithoutReg(ctx, c, reg, replay);
  if (isOutcome(pair)) return pair;
  const { l1, l0 } = pair;
  const withReg = { returned: pair.withReg };
  const without = { returned: pair.without };
  const W1 = c.inputs.W1 as Mat;
  const W2 = c.inputs.W2 as Mat;
  const wantLoss = reg * (sumSquares(W1) + sumSquares(W2));
  if (!closeTo(l1 - l0, wantLoss, LOSS_ATOL)) {
    const withBiases = reg * (sumSquares(W1) + sumSquares(W2) + sumSquares(c.inputs.b1 as Mat) + sumSquares(c.inputs.b2 as Mat));
    return fail(`twoLayerNetLoss: the regularization adds ${fmt(l1 - l0)} to the loss, expected reg·(ΣW1² + ΣW2²) = ${fmt(wantLoss)}`, {
      diagnosis: closeTo(l1 - l0, withBiases, LOSS_ATOL) ? "the biases are regularized too: the contract regularizes W1 and W2 only" : undefined,
      replay,
    });
  }
  for (const [name, weight] of [
    ["db1", null],
    ["db2", null],
    ["dW1", W1],
    ["dW2", W2],
  ] as const) {
    const a = need(readMatrix(withReg.returned, name), ctx);
    const b = need(readMatrix(without.returned, name), ctx);
    if (isOutcome(a)) return a;
    if (isOutcome(b)) return b;
    const diff = a.map((row, i) => row.map((v, j) => v - b[i][j]));
    const want = weight ? weight.map((row) => row.map((v) => 2 * reg * v)) : diff.map((row) => row.map(() => 0));
    if (diff.length !== want.length || diff[0].length !== want[0].length)
      return fail(`twoLayerNetLoss: cannot test its properties: ${name} has shape ${diff.length}×${diff[0].length}`, { replay });
    const gap = worstGap(diff, want, RULE);
    if (!gap.ok) {
      return fail(
        `twoLayerNetLoss: reg = ${reg} changes ${name}${gap.at} by ${fmt(gap.got)}, expected ${weight ? `2·reg·${name.slice(1)}${gap.at} = ${fmt(gap.want)}` : "0 (biases are not regularized)"}`,
        { diagnosis: weight ? undefined : "the biases are regularized: the contract regularizes W1 and W2 only", replay },
      );
    }
  }
  // zero weights: every score is its bias; equal biases give uniform probabilities, loss log(C)
  const zeros = (m: Mat) => m.map((row) => row.map(() => 0));
  const C = (W2[0] ?? []).length;
  const zeroReplay = goldenReplay(ctx, c, "all weights and biases 0 and reg = 0");
  const z = await answer(ctx, c, { W1: zeros(W1), b1: zeros(c.inputs.b1 as Mat), W2: zeros(W2), b2: zeros(c.inputs.b2 as Mat), reg: 0 }, zeroReplay);
  if (!z.ok) return z.outcome;
  const zl = need(readNumber(z.returned, "loss"), ctx);
  if (isOutcome(zl)) return zl;
  if (!closeTo(zl, Math.log(C), 1e-12)) {
    return fail(`twoLayerNetLoss: with all weights 0 the loss is ${fmt(zl)}, expected log(C) = log(${C}) = ${fmt(Math.log(C))}`, {
      diagnosis: closeTo(zl, Math.log(C) * (c.inputs.X as Mat).length, LOSS_ATOL) ? "the loss is a sum over the rows: divide by N" : undefined,
      replay: zeroReplay,
    });
  }
  // the ReLU mask at exactly 0: b1 = 0 and a row of X all 0 make that row's z1 exactly 0
  const X = c.inputs.X as Mat;
  const kinked: Record<string, Value> = { X: X.map((row, i) => (i === 0 ? row.map(() => 0) : row)), b1: zeros(c.inputs.b1 as Mat) };
  const kinkReplay = goldenReplay(ctx, c, "b1 = 0 and row 0 of X all 0 (its hidden pre-activations z1 are exactly 0)");
  const kinkCase: Case = { ...c, id: `${c.id}/z1=0`, inputs: { ...c.inputs, ...kinked }, expected: {} };
  prepareBuiltCase(ctx, kinkCase);
  const k = await answer(ctx, c, kinked, kinkReplay);
  if (!k.ok) return k.outcome;
  const kdb1 = need(readMatrix(k.returned, "db1"), ctx);
  if (isOutcome(kdb1)) return kdb1;
  const wantDb1 = ctx.reference.run({ ...c, inputs: { ...c.inputs, ...kinked } }).db1 as Mat;
  if (kdb1.length !== wantDb1.length || kdb1[0].length !== wantDb1[0].length)
    return fail(`twoLayerNetLoss: cannot test its properties: db1 has shape ${kdb1.length}×${kdb1[0]?.length ?? 0}`, { replay: kinkReplay });
  for (let j = 0; j < wantDb1[0].length; j++) {
    if (closeTo(kdb1[0][j], wantDb1[0][j], 1e-12)) continue;
    const diagnosis = await diagnoseBuiltCase(ctx, kinkCase, k.returned);
    return fail(
      `twoLayerNetLoss: with b1 = 0 and a row of X all 0 (pre-activations exactly 0), db1[0][${j}] = ${fmt(kdb1[0][j])}, expected ${fmt(wantDb1[0][j])}`,
      {
        ...(diagnosis
          ? { diagnosis }
          : { hint: "the ReLU mask must be z1 > 0: where the pre-activation is exactly 0 the gradient is 0; and db1 is the sum of dz1 over every row" }),
        replay: kinkReplay,
      },
    );
  }
  return {
    status: "passed",
    message: "biases unregularized; 2·reg·W in dW; loss log(C) at zero weights; no gradient through a pre-activation of exactly 0; arguments unchanged",
  };
};

export const LOSS_CHECKS: Record<string, RegisteredCheck> = {
  "svm-properties": { run: svmProperties, exports: ["svmLoss"] },
  "softmax-properties": { run: softmaxProperties, exports: ["softmaxLoss"] },
  "linear-reg-properties": { run: linearRegProperties, exports: ["linearSvmLoss", "linearSoftmaxLoss"] },
  "net-properties": { run: netProperties, exports: ["twoLayerNetLoss"] },
};
