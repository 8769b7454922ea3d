/**
 * The two-layer-net assignment's wrong variants: twoLayerNetScores ({ W1, b1, W2, b2, X } →
 * { scores }) and twoLayerNetLoss ({ W1, b1, W2, b2, X, y, reg } → { loss, dW1, db1, dW2, db2 }):
 * a forward without a bias or its ReLU, a backward with the wrong ReLU mask, bias gradients
 * summed wrongly, and the regularized loss's variants (regularized-loss.ts).
 */
import type { Case, Mat } from "../../cases/case";
import { add, addRow, colSums, map, mmul, rowSums, scale, sumSquares, transpose } from "../../cases/mat";
import type { ReferenceAnswers } from "../../reference/reference-answers";
import { batchSize, expectedOf, labelsOf, matrixInput } from "./case-data";
import { regularizedLossVariants } from "./regularized-loss";
import { FORMULA, subject } from "./text";
import { negate } from "./values";
import type { Answer, WrongVariant } from "./variant";

const variants: WrongVariant[] = [];
const variant = (v: WrongVariant) => variants.push(v);

/** The reference's own softmax loss (classifiers) on the net's scores and the case's labels: { loss, dscores }. */
function softmaxOn(reference: ReferenceAnswers, c: Case, scores: Mat): Answer {
  return reference.run({ id: "", target: "softmaxLoss", exports: ["softmaxLoss"], seed: "", inputs: { scores, y: labelsOf(c) }, expected: {} });
}

/** The net's forward on the case, and dscores and dh1 of its backward. */
interface NetParts {
  X: Mat;
  z1: Mat;
  h1: Mat;
  dscores: Mat;
  dh1: Mat;
  W1: Mat;
  W2: Mat;
  reg: number;
}
function netParts(reference: ReferenceAnswers, c: Case): NetParts {
  const [W1, b1, W2, b2, X] = ["W1", "b1", "W2", "b2", "X"].map((name) => matrixInput(c, name));
  const z1 = addRow(mmul(X, W1), b1);
  const h1 = map(z1, (v) => Math.max(0, v));
  const scores = addRow(mmul(h1, W2), b2);
  const dscores = softmaxOn(reference, c, scores).dscores as Mat;
  return { X, z1, h1, dscores, dh1: mmul(dscores, transpose(W2)), W1, W2, reg: c.inputs.reg as number };
}
/** dW1 and db1 when the ReLU's backward uses `mask` instead of z1 > 0. */
function netFirstLayer(reference: ReferenceAnswers, c: Case, mask: (parts: NetParts, i: number, j: number) => boolean): Answer {
  const parts = netParts(reference, c);
  const dz1 = map(parts.dh1, (g, i, j) => (mask(parts, i, j) ? g : 0));
  return { dW1: add(mmul(transpose(parts.X), dz1), scale(parts.W1, 2 * parts.reg)), db1: colSums(dz1) };
}
variant({
  id: "scores-no-b2",
  target: "twoLayerNetScores",
  outputs: ["scores"],
  compute: (c) => ({
    scores: mmul(
      map(addRow(mmul(matrixInput(c, "X"), matrixInput(c, "W1")), matrixInput(c, "b1")), (v) => Math.max(0, v)),
      matrixInput(c, "W2"),
    ),
  }),
  text: (ctx) => `${subject(ctx)} is relu(X·W1 + b1)·W2 without + b2: add the second layer's bias b2 to every row`,
});
variant({
  id: "scores-no-b1",
  target: "twoLayerNetScores",
  outputs: ["scores"],
  compute: (c) => ({
    scores: addRow(
      mmul(
        map(mmul(matrixInput(c, "X"), matrixInput(c, "W1")), (v) => Math.max(0, v)),
        matrixInput(c, "W2"),
      ),
      matrixInput(c, "b2"),
    ),
  }),
  text: (ctx) => `${subject(ctx)} is relu(X·W1)·W2 + b2 without + b1: add the first layer's bias b1 before the ReLU`,
});
variant({
  id: "scores-no-relu",
  target: "twoLayerNetScores",
  outputs: ["scores"],
  compute: (c) => ({
    scores: addRow(mmul(addRow(mmul(matrixInput(c, "X"), matrixInput(c, "W1")), matrixInput(c, "b1")), matrixInput(c, "W2")), matrixInput(c, "b2")),
  }),
  text: (ctx) => `${subject(ctx)} has no ReLU between the layers: scores = max(0, X·W1 + b1)·W2 + b2`,
});
variant({
  id: "relu-mask-missing",
  target: "twoLayerNetLoss",
  outputs: ["dW1", "db1"],
  compute: (c, reference) => netFirstLayer(reference, c, () => true),
  text: (ctx) =>
    `${subject(ctx)} is what the backward gives without the ReLU mask: the gradient reaching the first layer must be dh1 where z1 = X·W1 + b1 > 0 and 0 elsewhere`,
});
variant({
  id: "relu-mask-on-dout",
  target: "twoLayerNetLoss",
  outputs: ["dW1", "db1"],
  compute: (c, reference) => netFirstLayer(reference, c, (parts, i, j) => parts.dh1[i][j] > 0),
  text: (ctx) =>
    `${subject(ctx)} masks the ReLU's gradient with dh1 > 0 instead of z1 > 0: the gradient passes where the hidden layer's input X·W1 + b1 was positive`,
});
variant({
  id: "bias-not-summed",
  target: "twoLayerNetLoss",
  outputs: ["db1"],
  compute: (c, reference) => {
    const parts = netParts(reference, c);
    return { db1: map(parts.dh1, (g, i, j) => (parts.z1[i][j] > 0 ? g : 0)) };
  },
  text: (ctx) =>
    `${subject(ctx)} is dz1 itself (${ctx.actualShape}), not summed over the rows: b1 is added to every row, so db1 = the sum of dz1 over the rows, the shape of b1 (1×${matrixInput(ctx.c, "b1")[0].length})`,
});
variant({
  id: "bias-not-summed",
  target: "twoLayerNetLoss",
  outputs: ["db2"],
  compute: (c, reference) => ({ db2: netParts(reference, c).dscores }),
  text: (ctx) =>
    `${subject(ctx)} is dscores itself (${ctx.actualShape}), not summed over the rows: b2 is added to every row, so db2 = the sum of dscores over the rows, the shape of b2 (1×${matrixInput(ctx.c, "b2")[0].length})`,
});
for (const changed of [["db1"], ["db2"], ["db1", "db2"]])
  variant({
    id: "bias-wrong-axis",
    target: "twoLayerNetLoss",
    outputs: changed,
    compute: (c, reference) => {
      const parts = netParts(reference, c);
      return { db1: rowSums(map(parts.dh1, (g, i, j) => (parts.z1[i][j] > 0 ? g : 0))), db2: rowSums(parts.dscores) };
    },
    text: (ctx) =>
      `${changed.length === 2 ? `${ctx.exportName}: db1 and db2 are` : `${subject(ctx)} is`} summed over the wrong axis: ${changed.length === 2 ? "each has" : "it has"} one number per example (${ctx.actualShape}); ${changed.map((o) => `${FORMULA.twoLayerNetLoss![o]}, one number per column: the shape of ${o.slice(1)}`).join("; ")}`,
  });
/** The bias gradients from one row (first or last) of what reaches them: db1 from dz1, db2 from dscores. */
const dz1Of = (parts: NetParts): Mat => map(parts.dh1, (g, i, j) => (parts.z1[i][j] > 0 ? g : 0));
const rowOf = (m: Mat, which: "first" | "last"): Mat => [m[which === "first" ? 0 : m.length - 1]];
for (const which of ["first", "last"] as const) {
  for (const changed of [["db1"], ["db2"], ["db1", "db2"]]) {
    variant({
      id: `bias-${which}-row`,
      target: "twoLayerNetLoss",
      outputs: changed,
      when: (c) => batchSize(c) > 1,
      compute: (c, reference) => {
        const parts = netParts(reference, c);
        return { db1: rowOf(dz1Of(parts), which), db2: rowOf(parts.dscores, which) };
      },
      text: (ctx) =>
        `${changed.length === 2 ? `${ctx.exportName}: db1 and db2 are each` : `${subject(ctx)} is`} the ${which} row alone of ${changed.map((o) => (o === "db1" ? "dz1" : "dscores")).join(" and ")}${which === "last" ? " (a loop that assigns db[j] = … instead of adding)" : ""}: a bias is added to every row, so its gradient is the SUM over all the rows (${changed.map((o) => FORMULA.twoLayerNetLoss![o]).join("; ")})`,
    });
  }
}
/** A net whose forward lacks a part (its ReLU, b1 or b2), and a backward that follows that forward: with the mask z1 > 0 or none, dW2 from the hidden layer it used or from z1. */
function wrongNet(reference: ReferenceAnswers, c: Case, how: { relu?: boolean; b1?: boolean; b2?: boolean; masked?: boolean; dW2FromZ1?: boolean }): Answer {
  const [W1, b1, W2, b2, X] = ["W1", "b1", "W2", "b2", "X"].map((name) => matrixInput(c, name));
  const { relu = true, masked = true } = how;
  const reg = c.inputs.reg as number;
  const z1 = how.b1 === false ? mmul(X, W1) : addRow(mmul(X, W1), b1);
  const h1 = relu ? map(z1, (v) => Math.max(0, v)) : z1;
  const scores = how.b2 === false ? mmul(h1, W2) : addRow(mmul(h1, W2), b2);
  const soft = softmaxOn(reference, c, scores);
  const dscores = soft.dscores as Mat;
  const dz1 = map(mmul(dscores, transpose(W2)), (g, i, j) => (!masked || z1[i][j] > 0 ? g : 0));
  return {
    loss: (soft.loss as number) + reg * (sumSquares(W1) + sumSquares(W2)),
    dW1: add(mmul(transpose(X), dz1), scale(W1, 2 * reg)),
    db1: colSums(dz1),
    dW2: add(mmul(transpose(how.dW2FromZ1 ? z1 : h1), dscores), scale(W2, 2 * reg)),
    db2: colSums(dscores),
  };
}
const linearNet = (reference: ReferenceAnswers, c: Case, masked: boolean): Answer => wrongNet(reference, c, { relu: false, masked });
variant({
  id: "z1-in-dW2",
  target: "twoLayerNetLoss",
  outputs: ["dW2"],
  compute: (c, reference) => wrongNet(reference, c, { dW2FromZ1: true }),
  text: (ctx) => `${subject(ctx)} uses the pre-activation z1 = X·W1 + b1 instead of the hidden layer h1 = max(0, z1): ${FORMULA.twoLayerNetLoss!.dW2}`,
});
for (const bias of ["b1", "b2"] as const) {
  variant({
    id: `no-${bias}`,
    target: "twoLayerNetLoss",
    outputs: ["loss", "dW1", "db1", "dW2", "db2"],
    compute: (c, reference) => wrongNet(reference, c, { [bias]: false }),
    text: (ctx) =>
      `${ctx.exportName}: the loss and every gradient are those of the net without + ${bias} in its forward (${bias === "b1" ? "z1 = X·W1" : "scores = h1·W2"}): add the bias ${bias} to every row`,
  });
}
variant({
  id: "no-relu",
  target: "twoLayerNetLoss",
  outputs: ["loss", "dW1", "db1", "dW2", "db2"],
  compute: (c, reference) => linearNet(reference, c, false),
  text: (ctx) =>
    `${ctx.exportName}: the loss and every gradient are those of the net WITHOUT its ReLU (scores = (X·W1 + b1)·W2 + b2): the hidden layer is h1 = max(0, X·W1 + b1), in the forward, and its mask z1 > 0 in the backward`,
});
variant({
  id: "no-relu-forward",
  target: "twoLayerNetLoss",
  outputs: ["loss", "dW1", "db1", "dW2", "db2"],
  compute: (c, reference) => linearNet(reference, c, true),
  text: (ctx) =>
    `${ctx.exportName}: the loss is that of the net WITHOUT its ReLU in the forward (h1 = X·W1 + b1 instead of max(0, X·W1 + b1)), and the backward follows it: apply the ReLU to the hidden layer before W2`,
});
variant({
  id: "relu-mask-ge",
  target: "twoLayerNetLoss",
  outputs: ["dW1", "db1"],
  sometimesRight: ["dW1"],
  compute: (c, reference) => netFirstLayer(reference, c, (parts, i, j) => parts.z1[i][j] >= 0),
  text: (ctx) =>
    `${subject(ctx)} lets the gradient through where the pre-activation z1 = X·W1 + b1 is exactly 0: the ReLU's mask is z1 > 0 (strictly), so the gradient is 0 where z1 = 0`,
});
variants.push(
  ...regularizedLossVariants("twoLayerNetLoss", [
    { grad: "dW1", weight: "W1" },
    { grad: "dW2", weight: "W2" },
  ]),
);
for (const output of ["db1", "db2"]) {
  variant({
    id: "missing-1/N",
    target: "twoLayerNetLoss",
    outputs: [output],
    when: (c) => batchSize(c) > 1,
    compute: (c) => ({ [output]: scale(expectedOf(c)[output] as Mat, batchSize(c)) }),
    text: (ctx) => `${subject(ctx)} is N = ${batchSize(ctx.c)} times too large: the 1/N of the mean is missing (dscores carries it)`,
  });
  variant({
    id: "sign-flip",
    target: "twoLayerNetLoss",
    outputs: [output],
    compute: (c) => ({ [output]: negate(expectedOf(c)[output]) }),
    text: (ctx) => `${subject(ctx)} has the wrong sign: it is exactly −1 times the right gradient (${FORMULA.twoLayerNetLoss![output]})`,
  });
}

/** The two-layer net's variants, in the order they are tried. */
export const TWO_LAYER_NET_VARIANTS: readonly WrongVariant[] = variants;
