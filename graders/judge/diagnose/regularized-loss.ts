/**
 * The wrong variants every regularized loss can have (linearSvmLoss, linearSoftmaxLoss, the
 * two-layer net's loss): the mean's 1/N missing or doubled, the reg term halved, missing or
 * doubled in the loss or the gradients, a sign flip of the data term, a transposed gradient.
 */
import type { Case, Mat, Target } from "../../cases/case";
import { add, scale, sumSquares, transpose } from "../../cases/mat";
import type { ReferenceAnswers } from "../../reference/reference-answers";
import { batchSize, expectedOf, matrixInput, referenceOn } from "./case-data";
import { FORMULA, subject, transposedText } from "./text";
import { negate } from "./values";
import type { Answer, DiagnosisContext, WrongVariant } from "./variant";

/** A regularized loss split into its data part (the reference at reg = 0) and its reg part. */
function regSplit(reference: ReferenceAnswers, c: Case, weightNames: string[]): { data: Answer; reg: number; regLoss: number; full: Answer } {
  const reg = c.inputs.reg as number;
  return {
    data: referenceOn(reference, c, { reg: 0 }),
    reg,
    regLoss: reg * weightNames.reduce((s, weight) => s + sumSquares(matrixInput(c, weight)), 0),
    full: expectedOf(c),
  };
}
/** Whether the case has a reg term to get wrong. */
const regularized = (c: Case) => (c.inputs.reg as number) > 0;

/** Variants of a regularized loss: the loss's and each weight gradient's 1/N, reg term and sign. */
export function regularizedLossVariants(target: Target, weights: { grad: string; weight: string }[]): WrongVariant[] {
  const variants: WrongVariant[] = [];
  const variant = (v: WrongVariant) => variants.push(v);
  const weightNames = weights.map(({ weight }) => weight);
  const biases = target === "twoLayerNetLoss" ? ["db1", "db2"] : [];
  const allGrads = [...weights.map(({ grad }) => grad), ...biases];
  /** Every gradient with its data term N times too large (no 1/N), the reg terms right. */
  const unaveraged = (c: Case, reference: ReferenceAnswers): Answer => {
    const split = regSplit(reference, c, weightNames);
    return Object.fromEntries([
      ...weights.map(({ grad, weight }) => [grad, add(scale(split.data[grad] as Mat, batchSize(c)), scale(matrixInput(c, weight), 2 * split.reg))]),
      ...biases.map((b) => [b, scale(split.data[b] as Mat, batchSize(c))]),
    ]);
  };
  /** The loss with its data term summed over the rows instead of averaged (the reg term right). */
  const summedLoss = (c: Case, reference: ReferenceAnswers): number => {
    const split = regSplit(reference, c, weightNames);
    return (split.data.loss as number) * batchSize(c) + split.regLoss;
  };
  const lossText = (ctx: DiagnosisContext, what: string) => `${subject(ctx)} ${what}`;
  variant({
    id: "loss-summed",
    target,
    outputs: ["loss"],
    when: (c) => batchSize(c) > 1,
    compute: (c, reference) => ({ loss: summedLoss(c, reference) }),
    text: (ctx) =>
      lossText(
        ctx,
        `is the SUM of the row losses (N = ${batchSize(ctx.c)} times the mean) plus the reg term: the data loss is the MEAN over the rows, divide it by N`,
      ),
  });
  variant({
    id: "sum-not-mean",
    target,
    outputs: ["loss", ...allGrads],
    when: (c) => batchSize(c) > 1,
    compute: (c, reference) => ({ loss: summedLoss(c, reference), ...unaveraged(c, reference) }),
    text: (ctx) =>
      `${ctx.exportName}: the loss and ${allGrads.join(", ")} are the SUM over the rows, N = ${batchSize(ctx.c)} times the mean, in their data terms: divide the data loss by N, and give its gradient the 1/N too (the reg terms are right)`,
  });
  if (target === "twoLayerNetLoss") {
    variant({
      id: "grads-not-averaged",
      target,
      outputs: allGrads,
      when: (c) => batchSize(c) > 1,
      compute: unaveraged,
      text: (ctx) =>
        `${ctx.exportName}: ${allGrads.join(", ")} are N = ${batchSize(ctx.c)} times too large in their data terms (the loss is right): the gradients are not averaged; dscores = (softmax − one-hot)/N carries the 1/N of the mean`,
    });
  }
  variant({
    id: "extra-1/N",
    target,
    outputs: ["loss"],
    when: (c) => batchSize(c) > 1,
    compute: (c, reference) => {
      const split = regSplit(reference, c, weightNames);
      return { loss: (split.data.loss as number) / batchSize(c) + split.regLoss };
    },
    text: (ctx) => lossText(ctx, `has its data loss divided by N twice: the mean divides the sum of the row losses by N once`),
  });
  variant({
    id: "reg-loss-half",
    target,
    outputs: ["loss"],
    when: regularized,
    compute: (c, reference) => {
      const split = regSplit(reference, c, weightNames);
      return { loss: (split.data.loss as number) + split.regLoss / 2 };
    },
    text: (ctx) => lossText(ctx, `has ½·reg·ΣW² as its reg term: this course's loss adds reg·ΣW² (no ½), whose gradient is 2·reg·W`),
  });
  variant({
    id: "reg-loss-missing",
    target,
    outputs: ["loss"],
    when: regularized,
    compute: (c, reference) => ({ loss: regSplit(reference, c, weightNames).data.loss }),
    text: (ctx) => lossText(ctx, `has no regularization term: the loss is the mean data loss + reg·ΣW²`),
  });
  if (target === "twoLayerNetLoss") {
    const biasSq = (c: Case) => (c.inputs.reg as number) * (sumSquares(matrixInput(c, "b1")) + sumSquares(matrixInput(c, "b2")));
    for (const [id, outs] of [
      ["reg-on-bias-loss", ["loss"]],
      ["reg-on-bias-grads", ["db1", "db2"]],
    ] as const) {
      variant({
        id,
        target,
        outputs: outs,
        when: regularized,
        compute: (c) => ({
          loss: (expectedOf(c).loss as number) + biasSq(c),
          db1: add(expectedOf(c).db1 as Mat, scale(matrixInput(c, "b1"), 2 * (c.inputs.reg as number))),
          db2: add(expectedOf(c).db2 as Mat, scale(matrixInput(c, "b2"), 2 * (c.inputs.reg as number))),
        }),
        text: (ctx) =>
          `${ctx.exportName}: ${outs.length === 1 ? "the loss includes reg·(Σb1² + Σb2²)" : "db1 and db2 include 2·reg·b1 and 2·reg·b2"}, so the biases are regularized there (${outs.length === 1 ? "their gradients are right" : "the loss is right"}): the contract regularizes W1 and W2 only, the biases are not regularized`,
      });
    }
    variant({
      id: "reg-on-bias",
      target,
      outputs: ["loss", "db1", "db2"],
      when: regularized,
      compute: (c) => ({
        loss: (expectedOf(c).loss as number) + biasSq(c),
        db1: add(expectedOf(c).db1 as Mat, scale(matrixInput(c, "b1"), 2 * (c.inputs.reg as number))),
        db2: add(expectedOf(c).db2 as Mat, scale(matrixInput(c, "b2"), 2 * (c.inputs.reg as number))),
      }),
      text: (ctx) =>
        `${subject(ctx)} includes ${ctx.output === "loss" ? "reg·(Σb1² + Σb2²)" : `2·reg·${ctx.output.slice(1)}`}, so the biases are regularized too: the contract regularizes W1 and W2 only, the biases are not regularized`,
    });
  }
  // the same reg mistake written for every weight, with the loss's reg term wrong alike or right
  const withRegGrad = (c: Case, reference: ReferenceAnswers, factor: number): Answer => {
    const split = regSplit(reference, c, weightNames);
    return Object.fromEntries(weights.map(({ grad, weight }) => [grad, add(split.data[grad] as Mat, scale(matrixInput(c, weight), factor * split.reg))]));
  };
  const grads = weights.map(({ grad }) => grad);
  const all = (ctx: DiagnosisContext) => (grads.length > 1 ? `${ctx.exportName}: ${grads.join(" and ")}` : subject({ ...ctx, output: grads[0] }));
  const wTerm = weightNames.length > 1 ? "W" : weightNames[0];
  for (const [gradFactor, lossFactor, id, says] of [
    [1, 0.5, "reg-half", `(and the loss has ½·reg·Σ${wTerm}²): this course's loss adds reg·Σ${wTerm}² (no ½), whose gradient is 2·reg·${wTerm}`],
    [0, 0, "reg-missing", "and the loss has no reg term: the loss is the mean data loss + reg·ΣW², and each weight's gradient gains 2·reg·W"],
    [1, 1, "reg-grad-half", `(the loss is right): the gradient of reg·Σ${wTerm}² is 2·reg·${wTerm}`],
    [0, 1, "reg-grad-missing", `(the loss is right): add 2·reg·${wTerm} to each weight's gradient`],
    [4, 1, "reg-grad-double", `(the loss is right): the gradient of reg·Σ${wTerm}² is 2·reg·${wTerm}, added once`],
  ] as const) {
    if (lossFactor === 1 && grads.length === 1) continue; // the per-weight variants below are these
    variant({
      id: lossFactor === 1 ? `${id}-all` : id,
      target,
      outputs: lossFactor === 1 ? grads : ["loss", ...grads],
      when: regularized,
      compute: (c, reference) => {
        const split = regSplit(reference, c, weightNames);
        return { loss: (split.data.loss as number) + lossFactor * split.regLoss, ...withRegGrad(c, reference, gradFactor) };
      },
      text: (ctx) =>
        `${all(ctx)} ${gradFactor === 0 ? `ha${grads.length > 1 ? "ve" : "s"} no regularization gradient` : `add${grads.length > 1 ? "" : "s"} ${gradFactor === 1 ? "reg" : `${gradFactor}·reg`}·${wTerm}${gradFactor === 1 ? ` instead of 2·reg·${wTerm}` : ""}`} ${says}`,
    });
  }
  if (target === "twoLayerNetLoss") {
    variant({
      id: "dscores-sign-flip",
      target,
      outputs: allGrads,
      compute: (c, reference) => {
        const split = regSplit(reference, c, weightNames);
        return Object.fromEntries([
          ...weights.map(({ grad, weight }) => [grad, add(scale(split.data[grad] as Mat, -1), scale(matrixInput(c, weight), 2 * split.reg))]),
          ...biases.map((b) => [b, scale(split.data[b] as Mat, -1)]),
        ]);
      },
      text: (ctx) =>
        `${ctx.exportName}: every gradient has its data term with the wrong sign (the reg terms are right): dscores = (softmax − one-hot)/N, not (one-hot − softmax)/N`,
    });
  }
  for (const { grad, weight } of weights) {
    const regGrad = (c: Case) => scale(matrixInput(c, weight), 2 * (c.inputs.reg as number));
    const data = (c: Case, reference: ReferenceAnswers) => regSplit(reference, c, weightNames).data[grad] as Mat;
    const formula = FORMULA[target]![grad];
    variant({
      id: "reg-grad-half",
      target,
      outputs: [grad],
      when: regularized,
      compute: (c, reference) => ({ [grad]: add(data(c, reference), scale(regGrad(c), 0.5)) }),
      text: (ctx) => `${subject(ctx)} adds reg·${weight} instead of 2·reg·${weight}: the gradient of reg·Σ${weight}² is 2·reg·${weight}`,
    });
    variant({
      id: "reg-grad-missing",
      target,
      outputs: [grad],
      when: regularized,
      compute: (c, reference) => ({ [grad]: data(c, reference) }),
      text: (ctx) => `${subject(ctx)} has no regularization gradient: add 2·reg·${weight} (the gradient of reg·Σ${weight}²)`,
    });
    variant({
      id: "reg-grad-double",
      target,
      outputs: [grad],
      when: regularized,
      compute: (c, reference) => ({ [grad]: add(data(c, reference), scale(regGrad(c), 2)) }),
      text: (ctx) => `${subject(ctx)} adds 4·reg·${weight}: the gradient of reg·Σ${weight}² is 2·reg·${weight}, added once`,
    });
    variant({
      id: "missing-1/N",
      target,
      outputs: [grad],
      when: (c) => batchSize(c) > 1,
      compute: (c, reference) => ({ [grad]: add(scale(data(c, reference), batchSize(c)), regGrad(c)) }),
      text: (ctx) =>
        `${subject(ctx)} has a data term N = ${batchSize(ctx.c)} times too large: the 1/N of the mean is missing (${formula}, where dscores already carries the 1/N)`,
    });
    variant({
      id: "extra-1/N",
      target,
      outputs: [grad],
      when: (c) => batchSize(c) > 1,
      compute: (c, reference) => ({ [grad]: add(scale(data(c, reference), 1 / batchSize(c)), regGrad(c)) }),
      text: (ctx) =>
        `${subject(ctx)} has its data term divided by N twice (1/N twice): dscores already carries the 1/N of the mean, so ${formula} needs no further division`,
    });
    variant({
      id: "sign-flip-data",
      target,
      outputs: [grad],
      when: regularized,
      compute: (c, reference) => ({ [grad]: add(scale(data(c, reference), -1), regGrad(c)) }),
      text: (ctx) => `${subject(ctx)} has the data term with the wrong sign (the reg term is right): ${formula}`,
    });
    variant({
      id: "sign-flip",
      target,
      outputs: [grad],
      compute: (c) => ({ [grad]: negate(expectedOf(c)[grad]) }),
      text: (ctx) => `${subject(ctx)} has the wrong sign: it is exactly −1 times the right gradient (${formula})`,
    });
    variant({ id: "transposed", target, outputs: [grad], compute: (c) => ({ [grad]: transpose(expectedOf(c)[grad] as Mat) }), text: transposedText });
  }
  return variants;
}
