/**
 * The layers assignment's wrong variants (case: { x, …, dout } → { out, dx, … }): each layer's own
 * bugs, then the ones every layer's backward can have (ignoring dout, a sign flip, a transpose).
 */
import { type Case, LAYER_NAMES, type Mat, outputsOf } from "../../cases/case";
import { add, addRow, colSums, filled, map, mmul, rowSums, transpose, zip } from "../../cases/mat";
import { expectedOf, matrixInput, referenceOn } from "./case-data";
import { FORMULA, subject, transposedText } from "./text";
import { negate } from "./values";
import type { Answer, WrongVariant } from "./variant";

const variants: WrongVariant[] = [];
const variant = (v: WrongVariant) => variants.push(v);

/** Each layer's backward outputs (dx, dw, db …). */
const LAYER_BACKWARD = LAYER_NAMES.map((target) => [target, outputsOf({ target } as Case, `${target}Backward`)] as const);
const pointwiseTargets = ["relu", "sigmoid", "tanh", "leakyRelu", "elu"] as const;

/** The layer's input x, its upstream gradient dout, and its forward's output out (expected). */
const layerX = (c: Case) => matrixInput(c, "x");
const layerDout = (c: Case) => matrixInput(c, "dout");
const layerOut = (c: Case) => expectedOf(c).out as Mat;

variant({
  id: "affine-no-bias",
  target: "affine",
  outputs: ["out"],
  compute: (c) => ({ out: mmul(layerX(c), matrixInput(c, "w")) }),
  text: (ctx) => `${subject(ctx)} is x·w without + b: add the bias b (1×M) to every row`,
});
variant({
  id: "bias-wrong-axis",
  target: "affine",
  outputs: ["db"],
  compute: (c) => ({ db: rowSums(layerDout(c)) }),
  text: (ctx) =>
    `${subject(ctx)} sums dout over the wrong axis: it has one number per example (${ctx.actualShape}); b is added to every row, so db = the sum of dout over the rows (the minibatch), one number per column: the shape of b (1×${layerDout(ctx.c)[0].length})`,
});
variant({
  id: "bias-not-summed",
  target: "affine",
  outputs: ["db"],
  compute: (c) => ({ db: layerDout(c) }),
  text: (ctx) =>
    `${subject(ctx)} is dout itself (${ctx.actualShape}), never summed: b is added to every row, so db = the sum of dout over the rows, the shape of b (1×${layerDout(ctx.c)[0].length})`,
});
for (const which of ["first", "last"] as const) {
  variant({
    id: `bias-${which}-row`,
    target: "affine",
    outputs: ["db"],
    when: (c) => layerDout(c).length > 1,
    compute: (c) => ({ db: [layerDout(c)[which === "first" ? 0 : layerDout(c).length - 1]] }),
    text: (ctx) =>
      `${subject(ctx)} is the ${which} row of dout alone${which === "last" ? " (a loop that assigns db[j] = dout[i][j] instead of adding)" : ""}: b is added to every row, so db = the SUM of dout over all the rows`,
  });
}
variant({
  id: "relu-mask-on-dout",
  target: "relu",
  outputs: ["dx"],
  compute: (c) => ({ dx: map(layerDout(c), (g) => (g > 0 ? g : 0)) }),
  text: (ctx) =>
    `${subject(ctx)} masks with dout > 0 instead of x > 0: the gradient passes where the forward's input x was positive, whatever the sign of dout`,
});
variant({
  id: "relu-mask-missing",
  target: "relu",
  outputs: ["dx"],
  compute: (c) => ({ dx: layerDout(c) }),
  text: (ctx) => `${subject(ctx)} is dout unmasked: the ReLU passes the gradient only where x > 0 and gives 0 elsewhere`,
});
variant({
  id: "sigmoid-uses-x",
  target: "sigmoid",
  outputs: ["dx"],
  compute: (c) => ({ dx: zip(layerDout(c), layerX(c), (g, v) => g * v * (1 - v)) }),
  text: (ctx) => `${subject(ctx)} uses x·(1 − x): the slope is out·(1 − out) with out = σ(x) from the forward, so dx = dout·out·(1 − out)`,
});
variant({
  id: "tanh-one-minus-x2",
  target: "tanh",
  outputs: ["dx"],
  compute: (c) => ({ dx: zip(layerDout(c), layerX(c), (g, v) => g * (1 - v * v)) }),
  text: (ctx) => `${subject(ctx)} uses 1 − x² (the input squared): the slope of tanh is 1 − tanh(x)² = 1 − out², so dx = dout·(1 − out²)`,
});
variant({
  id: "tanh-no-square",
  target: "tanh",
  outputs: ["dx"],
  compute: (c) => ({ dx: zip(layerDout(c), layerOut(c), (g, t) => g * (1 - t)) }),
  text: (ctx) => `${subject(ctx)} uses 1 − out: the slope of tanh is 1 − out² (squared), so dx = dout·(1 − out²)`,
});
const leakySlope = (c: Case) => (c.inputs.slope as number | undefined) ?? 0.1;
const eluAlpha = (c: Case) => (c.inputs.alpha as number | undefined) ?? 1;
variant({
  id: "leaky-default-slope",
  target: "leakyRelu",
  outputs: ["dx"],
  when: (c) => c.inputs.slope !== undefined && c.inputs.slope !== 0.1,
  compute: (c) => ({ dx: zip(layerDout(c), layerX(c), (g, v) => (v > 0 ? g : 0.1 * g)) }),
  text: (ctx) =>
    `${subject(ctx)} uses the default slope 0.1 where x ≤ 0, not the slope ${leakySlope(ctx.c)} passed to the forward: keep the slope in the cache`,
});
variant({
  id: "leaky-zero-slope",
  target: "leakyRelu",
  outputs: ["dx"],
  compute: (c) => ({ dx: zip(layerDout(c), layerX(c), (g, v) => (v > 0 ? g : 0)) }),
  text: (ctx) => `${subject(ctx)} is 0 where x ≤ 0 (a plain ReLU): the leaky ReLU's slope there is slope·dout`,
});
variant({
  id: "leaky-mask-on-dout",
  target: "leakyRelu",
  outputs: ["dx"],
  compute: (c) => ({ dx: map(layerDout(c), (g) => (g > 0 ? g : leakySlope(c) * g)) }),
  text: (ctx) => `${subject(ctx)} chooses the slope by dout > 0 instead of x > 0: the slope is 1 where the forward's input x was positive, else slope`,
});
variant({
  id: "elu-minus-one",
  target: "elu",
  outputs: ["dx"],
  compute: (c) => ({ dx: zip(layerDout(c), layerX(c), (g, v) => (v > 0 ? g : g * (eluAlpha(c) * Math.exp(v) - 1))) }),
  text: (ctx) => `${subject(ctx)} uses alpha·e^x − 1 where x ≤ 0: the slope of alpha·(e^x − 1) is alpha·e^x (the −1 is a constant and drops out)`,
});
variant({
  id: "elu-uses-out",
  target: "elu",
  outputs: ["dx"],
  compute: (c) => ({ dx: zip(layerDout(c), layerOut(c), (g, o) => g * o) }),
  text: (ctx) => `${subject(ctx)} uses out where x ≤ 0: the slope there is alpha·e^x = out + alpha, not out`,
});
variant({
  id: "elu-forgets-alpha",
  target: "elu",
  outputs: ["dx"],
  when: (c) => eluAlpha(c) !== 1,
  compute: (c) => ({ dx: zip(layerDout(c), layerX(c), (g, v) => (v > 0 ? g : g * Math.exp(v))) }),
  text: (ctx) => `${subject(ctx)} uses e^x where x ≤ 0 without alpha = ${eluAlpha(ctx.c)}: the slope there is alpha·e^x (keep alpha in the cache)`,
});
// maxout: which piece won, then the two affine backward passes with the routing changed
/** The maxout case's two pieces: their weights and pre-activations z1 = x·w1 + b1 and z2 = x·w2 + b2. */
function maxoutPieces(c: Case): { w1: Mat; w2: Mat; z1: Mat; z2: Mat } {
  const [w1, b1, w2, b2] = ["w1", "b1", "w2", "b2"].map((name) => matrixInput(c, name));
  return { w1, w2, z1: addRow(mmul(layerX(c), w1), b1), z2: addRow(mmul(layerX(c), w2), b2) };
}
/** The two affine backward passes of maxout, given the gradient reaching each piece. */
function maxoutBackward(c: Case, { w1, w2 }: { w1: Mat; w2: Mat }, dz1: Mat, dz2: Mat): Answer {
  return {
    dx: add(mmul(dz1, transpose(w1)), mmul(dz2, transpose(w2))),
    dw1: mmul(transpose(layerX(c)), dz1),
    db1: colSums(dz1),
    dw2: mmul(transpose(layerX(c)), dz2),
    db2: colSums(dz2),
  };
}
/** maxout's gradients when each entry's dout goes to the pieces as `route` says (given whether the first piece won, tie → first). */
function maxoutGrads(c: Case, route: (firstWon: boolean) => [number, number]): Answer {
  const pieces = maxoutPieces(c);
  const { z1, z2 } = pieces;
  const dz1 = map(layerDout(c), (g, i, j) => g * route(z1[i][j] >= z2[i][j])[0]);
  const dz2 = map(layerDout(c), (g, i, j) => g * route(z1[i][j] >= z2[i][j])[1]);
  return maxoutBackward(c, pieces, dz1, dz2);
}
/** Whether some entry of the case is not a tie between the pieces (where every entry is a tie, routing to the loser is routing ties to the second piece). */
function maxoutHasWinner(c: Case): boolean {
  const { z1, z2 } = maxoutPieces(c);
  return z1.some((row, i) => row.some((v, j) => v !== z2[i][j]));
}
variant({
  id: "maxout-swapped-routing",
  target: "maxout",
  outputs: ["dx", "dw1", "db1", "dw2", "db2"],
  when: maxoutHasWinner,
  compute: (c) => maxoutGrads(c, (first) => (first ? [0, 1] : [1, 0])),
  text: (ctx) =>
    `${subject(ctx)} is what routing each entry's gradient to the piece that LOST gives: max routes dout to the piece that won (x·w1 + b1 where it is ≥ x·w2 + b2, else the second piece)`,
});
variant({
  id: "maxout-tie-to-second",
  target: "maxout",
  outputs: ["dx", "dw1", "db1", "dw2", "db2"],
  sometimesRight: ["dx"],
  compute: (c) => {
    const pieces = maxoutPieces(c);
    const { z1, z2 } = pieces;
    const dz1 = map(layerDout(c), (g, i, j) => (z1[i][j] > z2[i][j] ? g : 0));
    const dz2 = map(layerDout(c), (g, i, j) => (z1[i][j] > z2[i][j] ? 0 : g));
    return maxoutBackward(c, pieces, dz1, dz2);
  },
  text: (ctx) =>
    `${subject(ctx)} is what sending the gradient of a tie (x·w1 + b1 = x·w2 + b2) to the second piece gives: on a tie the whole gradient goes to the first piece (it wins when z1 >= z2)`,
});
variant({
  id: "maxout-routes-both",
  target: "maxout",
  outputs: ["dx", "dw1", "db1", "dw2", "db2"],
  compute: (c) => maxoutGrads(c, () => [1, 1]),
  text: (ctx) => `${subject(ctx)} is what sending dout to BOTH pieces gives: max routes each entry's gradient only to the piece that won`,
});
for (const [db, dz] of [
  ["db1", "dz1"],
  ["db2", "dz2"],
]) {
  const piece = db.slice(1);
  variant({
    id: "bias-wrong-axis",
    target: "maxout",
    outputs: [db],
    compute: (c) => ({ [db]: rowSums(maxoutDz(c, db === "db1")) }),
    text: (ctx) =>
      `${subject(ctx)} sums ${dz} over the wrong axis: it has one number per example (${ctx.actualShape}); ${piece} is added to every row, so ${db} = the sum of ${dz} over the rows (the minibatch), the shape of ${piece} (1×${layerDout(ctx.c)[0].length})`,
  });
  variant({
    id: "bias-not-summed",
    target: "maxout",
    outputs: [db],
    compute: (c) => ({ [db]: maxoutDz(c, db === "db1") }),
    text: (ctx) =>
      `${subject(ctx)} is ${dz} itself (${ctx.actualShape}), never summed: ${piece} is added to every row, so ${db} = the sum of ${dz} over the rows, the shape of ${piece} (1×${layerDout(ctx.c)[0].length})`,
  });
}
/** The gradient reaching piece 1 (first) or piece 2: dout where that piece won (tie → first), else 0. */
function maxoutDz(c: Case, first: boolean): Mat {
  const { z1, z2 } = maxoutPieces(c);
  return map(layerDout(c), (g, i, j) => (z1[i][j] >= z2[i][j] === first ? g : 0));
}
// a multi-output layer's backward that ignores dout, or has the wrong sign, in every gradient
for (const [target, outputs] of LAYER_BACKWARD) {
  if (outputs.length < 2) continue;
  variant({
    id: "ignores-dout-all",
    target,
    outputs,
    compute: (c, reference) => referenceOn(reference, c, { dout: filled(layerDout(c), 1) }),
    text: (ctx) =>
      `${ctx.exportName}: every gradient ignores dout: they are what dout = all ones would give; the chain rule multiplies by dout (${outputs.map((output) => FORMULA[target]?.[output] ?? output).join("; ")})`,
  });
  variant({
    id: "sign-flip-all",
    target,
    outputs,
    compute: (c) => Object.fromEntries(outputs.map((output) => [output, negate(expectedOf(c)[output])])),
    text: (ctx) => `${ctx.exportName}: every gradient has the wrong sign: each is exactly −1 times the right one`,
  });
}
// every layer backward: a gradient that ignores dout, a sign flip, a transpose
for (const [target, outputs] of LAYER_BACKWARD) {
  for (const output of outputs) {
    variant({
      id: "ignores-dout",
      target,
      outputs: [output],
      compute: (c, reference) => ({ [output]: referenceOn(reference, c, { dout: filled(layerDout(c), 1) })[output] }),
      text: (ctx) =>
        pointwiseTargets.includes(target as (typeof pointwiseTargets)[number])
          ? `${subject(ctx)} ignores dout: it is the local slope alone (what dout = all ones would give); the chain rule multiplies the local slope by dout, entry by entry`
          : `${subject(ctx)} ignores dout: it is what dout = all ones would give; ${FORMULA[target]?.[output] ?? `${output} must use dout`}`,
    });
    variant({
      id: "sign-flip",
      target,
      outputs: [output],
      compute: (c) => ({ [output]: negate(expectedOf(c)[output]) }),
      text: (ctx) =>
        `${subject(ctx)} has the wrong sign: it is exactly −1 times the right gradient${FORMULA[target]?.[output] ? ` (${FORMULA[target]![output]})` : ""}`,
    });
    variant({
      id: "transposed",
      target,
      outputs: [output],
      compute: (c) => ({ [output]: transpose(expectedOf(c)[output] as Mat) }),
      text: transposedText,
    });
  }
}

/** The layers' variants, in the order they are tried. */
export const LAYER_VARIANTS: readonly WrongVariant[] = variants;
