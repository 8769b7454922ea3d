/**
 * The classifiers assignment's wrong variants: svmLoss and softmaxLoss ({ scores, y } → { loss,
 * dscores }), and linearSvmLoss and linearSoftmaxLoss ({ W, X, y, reg } → { loss, dW }), whose
 * reg term and weight gradient share their variants with the two-layer net (regularized-loss.ts).
 */
import type { Mat } from "../../cases/case";
import { add, map, mmul, scale, sumSquares, transpose } from "../../cases/mat";
import { batchSize, expectedOf, labelsOf, matrixInput } from "./case-data";
import { regularizedLossVariants } from "./regularized-loss";
import { subject, transposedText } from "./text";
import { negate } from "./values";
import type { DiagnosisContext, WrongVariant } from "./variant";

const variants: WrongVariant[] = [];
const variant = (v: WrongVariant) => variants.push(v);

/** loss and dscores of softmax computed WITHOUT subtracting each row's max (overflows at large scores). */
function naiveSoftmax(scores: Mat, labels: number[]): { loss: number; dscores: Mat } {
  const batch = scores.length;
  let loss = 0;
  const dscores = scores.map((row, i) => {
    const exps = row.map(Math.exp);
    const sum = exps.reduce((s, v) => s + v, 0);
    loss += -Math.log(exps[labels[i]] / sum);
    return exps.map((v, j) => (v / sum - (j === labels[i] ? 1 : 0)) / batch);
  });
  return { loss: loss / batch, dscores };
}
variant({
  id: "svm-counts-y",
  target: "svmLoss",
  outputs: ["loss"],
  compute: (c) => ({ loss: (expectedOf(c).loss as number) + 1 }),
  text: (ctx) =>
    `${subject(ctx)} is exactly 1 too high: the j = y term is counted, and it always adds max(0, s_y − s_y + 1) = 1 per row; sum the margins over j ≠ y only`,
});
variant({
  id: "svm-no-y-gradient",
  target: "svmLoss",
  outputs: ["dscores"],
  compute: (c) => ({ dscores: map(expectedOf(c).dscores as Mat, (v, i, j) => (j === labelsOf(c)[i] ? 0 : v)) }),
  text: (ctx) =>
    `${subject(ctx)} has no gradient at the label: every active margin s_j − s_y + 1 > 0 also pushes s_y down, so dscores[i][y_i] gets −(the number of active margins)/N`,
});
variant({
  id: "softmax-no-onehot",
  target: "softmaxLoss",
  outputs: ["dscores"],
  compute: (c) => ({ dscores: map(expectedOf(c).dscores as Mat, (v, i, j) => (j === labelsOf(c)[i] ? v + 1 / batchSize(c) : v)) }),
  text: (ctx) => `${subject(ctx)} is softmax/N without the −1 at the label: dscores = (softmax − one-hot)/N`,
});
variant({
  id: "no-max-subtraction",
  target: "softmaxLoss",
  outputs: ["loss", "dscores"],
  match: "non-finite",
  compute: (c) => naiveSoftmax(matrixInput(c, "scores"), labelsOf(c)),
  text: (ctx) =>
    `${subject(ctx)} is NaN or ±Infinity because e^s overflows at large scores (e^710 = Infinity): compute softmax on s − max(s), i.e. subtract each row's max before exponentiating (softmax(s − c) = softmax(s))`,
});
variant({
  id: "no-max-subtraction",
  target: "linearSoftmaxLoss",
  outputs: ["loss", "dW"],
  match: "non-finite",
  compute: (c) => {
    const naive = naiveSoftmax(mmul(matrixInput(c, "X"), matrixInput(c, "W")), labelsOf(c));
    const reg = c.inputs.reg as number;
    return {
      loss: naive.loss + reg * sumSquares(matrixInput(c, "W")),
      dW: add(mmul(transpose(matrixInput(c, "X")), naive.dscores), scale(matrixInput(c, "W"), 2 * reg)),
    };
  },
  text: (ctx) => `${subject(ctx)} is NaN or ±Infinity because e^s overflows at large scores: subtract each row's max before exponentiating`,
});
/** The mean of −log p_y with p = softmax(s − max(s)) computed first: p_y underflows to 0 (and −log 0 = Infinity) when s_y is far below the row's max. */
function lossOfUnderflowedProbability(scores: Mat, labels: number[]): number {
  let loss = 0;
  scores.forEach((row, i) => {
    const rowMax = Math.max(...row);
    const exps = row.map((v) => Math.exp(v - rowMax));
    const sum = exps.reduce((s, v) => s + v, 0);
    loss += -Math.log(exps[labels[i]] / sum);
  });
  return loss / scores.length;
}
const underflowText = (ctx: DiagnosisContext) =>
  `${subject(ctx)} is Infinity: it subtracts each row's max, but then takes log(p_y) of a probability that underflows to 0 when s_y is far below the row's max (e^(−1e4) = 0 in float64); compute the row loss as log(Σ_j e^(s_j − max)) − (s_y − max), which stays finite (${ctx.c.target === "softmaxLoss" ? "dscores" : "dW"} is right)`;
variant({
  id: "log-of-underflow",
  target: "softmaxLoss",
  outputs: ["loss"],
  compute: (c) => ({ loss: lossOfUnderflowedProbability(matrixInput(c, "scores"), labelsOf(c)) }),
  text: underflowText,
});
variant({
  id: "log-of-underflow",
  target: "linearSoftmaxLoss",
  outputs: ["loss"],
  compute: (c) => ({
    loss:
      lossOfUnderflowedProbability(mmul(matrixInput(c, "X"), matrixInput(c, "W")), labelsOf(c)) + (c.inputs.reg as number) * sumSquares(matrixInput(c, "W")),
  }),
  text: underflowText,
});
for (const target of ["svmLoss", "softmaxLoss"] as const) {
  for (const changed of [["loss"], ["dscores"], ["loss", "dscores"]]) {
    const both = changed.length === 2;
    const what = (ctx: DiagnosisContext) => (both ? `${ctx.exportName}: loss and dscores are both` : `${subject(ctx)} is`);
    const rest = (output: string) => (both ? "" : ` (${output === "loss" ? "dscores" : "the loss"} is right)`);
    variant({
      id: "missing-1/N",
      target,
      outputs: changed,
      when: (c) => batchSize(c) > 1,
      compute: (c) => ({ loss: (expectedOf(c).loss as number) * batchSize(c), dscores: scale(expectedOf(c).dscores as Mat, batchSize(c)) }),
      text: (ctx) =>
        `${what(ctx)} N = ${batchSize(ctx.c)} times too large: the 1/N of the mean is missing (the loss is the MEAN over the rows, so ${both ? "divide the loss by N and give every row's gradient a factor 1/N" : ctx.output === "loss" ? "divide the sum of the row losses by N" : "every row's gradient carries a factor 1/N"})${rest(ctx.output)}`,
    });
    variant({
      id: "extra-1/N",
      target,
      outputs: changed,
      when: (c) => batchSize(c) > 1,
      compute: (c) => ({ loss: (expectedOf(c).loss as number) / batchSize(c), dscores: scale(expectedOf(c).dscores as Mat, 1 / batchSize(c)) }),
      text: (ctx) =>
        `${what(ctx)} N = ${batchSize(ctx.c)} times too small: ${both ? "they are" : "it is"} divided by N twice (1/N is applied once, for the mean)${rest(ctx.output)}`,
    });
  }
  variant({
    id: "sign-flip",
    target,
    outputs: ["dscores"],
    compute: (c) => ({ dscores: negate(expectedOf(c).dscores) }),
    text: (ctx) => `${subject(ctx)} has the wrong sign: it is exactly −1 times the right gradient`,
  });
  variant({ id: "transposed", target, outputs: ["dscores"], compute: (c) => ({ dscores: transpose(expectedOf(c).dscores as Mat) }), text: transposedText });
}

variant({
  id: "svm-counts-y",
  target: "linearSvmLoss",
  outputs: ["loss"],
  compute: (c) => ({ loss: (expectedOf(c).loss as number) + 1 }),
  text: (ctx) => `${subject(ctx)} is exactly 1 too high: the j = y term is counted (it always adds max(0, 1) = 1 per row); sum the margins over j ≠ y only`,
});
variants.push(...regularizedLossVariants("linearSvmLoss", [{ grad: "dW", weight: "W" }]));
variants.push(...regularizedLossVariants("linearSoftmaxLoss", [{ grad: "dW", weight: "W" }]));

/** The classifiers' variants, in the order they are tried. */
export const CLASSIFIER_VARIANTS: readonly WrongVariant[] = variants;
