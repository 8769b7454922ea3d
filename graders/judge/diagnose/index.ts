/**
 * Diagnoses: when an answer is wrong, compare it with a catalog of known wrong variants of the
 * reference (transposed, a missing or extra 1/N, reg·W for 2·reg·W, a sign flip, a bias summed
 * over the wrong axis, a ReLU mask on dout, a gradient that ignores dout …) and, when one matches,
 * name the likely cause in plain words.
 *
 * Each variant is data: { id, target, outputs, when?, compute(case) → the wrong outputs, text }.
 * compute is a pure function of the case's inputs, built from the reference (its answers on
 * transformed inputs, asked through the ReferenceAnswers it is given, or the case's expected values
 * transformed), so variants cost nothing until a test fails.
 *
 * A likely cause is a claim, not a hint. A variant determines the whole answer of the export (the
 * outputs it changes as compute gives them, every other output as the reference's), and an answer
 * matches it only when EVERY output matches, under the judge's own tolerance
 * (|yours − variant| ≤ atol·max(1, max|variant|) + rtol·|variant|, shapes equal: a transposed dw is
 * compared with the reference's dw transposed). A variant whose answer would pass the judge on the
 * case shows no bug there and is never a candidate. The text is shown only when one bug matches:
 * two different variants matching alike (not recorded as `equivalent`) name neither. An export
 * built on another one (a Composition: linearSoftmaxLoss on softmaxLoss) whose answer is what the
 * student's own inner export gives is told to fix the inner export first.
 * test/diagnose-confusion.test.ts proves every variant is named by itself only.
 */
import { type AssignmentName, type Case, type GateName, type GraphSpec, type Mat, type Target, type Value, GATE_NAMES, LAYER_NAMES, SIGNATURES, assignmentOf, isGate } from "../cases/case";
import { add, addRow, colSums, filled, map, mmul, rowSums, scale, sumSquares, transpose, zip } from "../cases/mat";
import { type Tolerance, toleranceRatio } from "./tolerance";
import { type ReferenceAnswers, UnrecordedAnswerError } from "../reference-answers";
import { judgeOutputs, outputsOf } from "./compare";

type Rec = Record<string, unknown>;

/** What a variant's text is given: which export failed, on which output, for which case. */
export interface DiagnosisContext {
  exportName: string;
  output: string;
  c: Case;
  /** The shape of the student's answer, "r×c", when it is a matrix. */
  actualShape?: string;
}

export interface WrongVariant {
  /** Short kebab-case name of the bug, e.g. "transposed", "missing-1/N". */
  id: string;
  target: Target;
  /** The outputs this bug changes. The variant determines every output of the export: these as
   *  compute gives them, the others as the reference's; an answer matches only on all of them. */
  outputs: readonly string[];
  /** Only on cases that can show it (a tie, nodes out of order, a regularized loss …). */
  when?: (c: Case) => boolean;
  /** The wrong answer on this case, as plain data, for (at least) the outputs it changes. */
  compute: (c: Case, reference: ReferenceAnswers) => Rec;
  /** "values" (default): equal within tolerance, entry by entry; "non-finite": where the variant's
   *  output has NaN/±Infinity, the answer's has one somewhere too (how a NaN spreads depends on the
   *  code), and otherwise equal within tolerance. */
  match?: "values" | "non-finite";
  /** The likely cause, in plain words, naming the export and the output. */
  text: (ctx: DiagnosisContext) => string;
  /** Outputs it changes on some cases only (maxout's dx when the two pieces are identical): the
   *  variant shows its bug even where they come out right. Every other output it changes must be
   *  wrong on a case for the variant to apply there. */
  sometimesRight?: readonly string[];
  /** Keys (variantKey) of other variants that are the same bug in other words: when both match, this one's text is shown. */
  equivalent?: readonly string[];
}

// ------------------------------------------------------------------------------ plain matrices

const isMat = (v: unknown): v is Mat => Array.isArray(v) && v.length > 0 && v.every((r) => Array.isArray(r));
const T = transpose;
const sumSq = sumSquares;
const ones = (a: Mat): Mat => filled(a, 1);
const shapeOf = (v: unknown): string | undefined => (isMat(v) ? `${v.length}×${v[0].length}` : undefined);

/** Negate any output value: a number, a gate's array, a graph's record, a matrix. */
function negate(v: unknown): unknown {
  if (typeof v === "number") return -v;
  if (isMat(v)) return scale(v, -1);
  if (Array.isArray(v)) return v.map((x) => -x);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, -(x as number)]));
  return v;
}

// ------------------------------------------------------------------------------ the reference

const assignment = (c: Case): AssignmentName => assignmentOf(c.target);

/** The reference's answer to the case with some inputs replaced (a fresh run: nothing is shared). */
function ref(reference: ReferenceAnswers, c: Case, inputs: Record<string, Value> = {}): Rec {
  return reference.run({ ...c, inputs: { ...c.inputs, ...inputs } });
}
/** The reference's answer to the case itself (the case's expected values). */
const expected = (c: Case): Rec => c.expected as Rec;
const inMat = (c: Case, name: string) => c.inputs[name] as Mat;
const N = (c: Case) => (c.inputs.X ?? c.inputs.scores ?? c.inputs.x) as Mat;

// ------------------------------------------------------------------------------ texts

/** What a gradient output should be, for the texts. */
const FORMULA: Partial<Record<Target, Record<string, string>>> = {
  affine: { dx: "dx = dout·wᵀ", dw: "dw = xᵀ·dout", db: "db = the sum of dout over the rows" },
  maxout: { dx: "dx = dz1·w1ᵀ + dz2·w2ᵀ", dw1: "dw1 = xᵀ·dz1", dw2: "dw2 = xᵀ·dz2", db1: "db1 = the sum of dz1 over the rows", db2: "db2 = the sum of dz2 over the rows" },
  linearSvmLoss: { dW: "dW = Xᵀ·dscores + 2·reg·W" },
  linearSoftmaxLoss: { dW: "dW = Xᵀ·dscores + 2·reg·W" },
  twoLayerNetLoss: { dW1: "dW1 = Xᵀ·dz1 + 2·reg·W1", db1: "db1 = the sum of dz1 over the rows", dW2: "dW2 = h1ᵀ·dscores + 2·reg·W2", db2: "db2 = the sum of dscores over the rows" },
};

/** The argument whose shape a gradient output has (dw ↔ w, dscores ↔ scores, dW1 ↔ W1). */
function twinOf(target: Target, output: string): string | undefined {
  if (isGate(target) || target === "ComputationalGraph") return undefined;
  const sig = SIGNATURES[target];
  const slot = sig.outputs.find((o) => o.name === output);
  if (!slot?.shape) return undefined;
  const dims = slot.shape.join("×");
  const alike = sig.args.filter((a) => a.kind === "matrix" && a.shape?.join("×") === dims);
  return (alike.find((a) => a.name === output.slice(1)) ?? alike[0])?.name;
}

/** "affineBackward: dw" or "MultiplyGate.backward" (a gate's gradients are one array). */
const who = ({ exportName, output }: DiagnosisContext) =>
  output === "grads" ? `${exportName}.backward` : output === "value" || output === "z" ? `${exportName}.forward` : `${exportName}: ${output}`;

// ------------------------------------------------------------------------------ the catalog

const V: WrongVariant[] = [];
const variant = (v: WrongVariant) => V.push(v);

/** Each layer's backward outputs (dx, dw, db …). */
const LAYER_BACKWARD = LAYER_NAMES.map((t) => [t, outputsOf({ target: t } as Case, `${t}Backward`)] as const);
const pointwiseTargets = ["relu", "sigmoid", "tanh", "leakyRelu", "elu"] as const;

// ---- gates (case: { ctor?, x: number[], dz } → { z, grads })
const gx = (c: Case) => c.inputs.x as number[];
const dz = (c: Case) => c.inputs.dz as number;
const isTie = (c: Case) => c.target === "MaxGate" && gx(c)[0] === gx(c)[1];

variant({
  id: "max-tie-to-y", target: "MaxGate", outputs: ["grads"], when: isTie,
  compute: (c) => ({ grads: [0, dz(c)] }),
  text: (d) => `${who(d)} sends the gradient to y on a tie (x = y): the contract sends all of it to x on a tie (x wins when x >= y)`,
});
variant({
  id: "max-routes-both", target: "MaxGate", outputs: ["grads"],
  compute: (c) => ({ grads: [dz(c), dz(c)] }),
  text: (d) => `${who(d)} returns [dz, dz]: the gradient goes to both inputs, but max routes: all of dz goes to the larger input and 0 to the other`,
});
variant({
  id: "max-routes-to-smaller", target: "MaxGate", outputs: ["grads"], when: (c) => !isTie(c),
  compute: (c) => ({ grads: [...(expected(c).grads as number[])].reverse() }),
  text: (d) => `${who(d)} sends dz to the smaller input: max routes the whole gradient to the input that won (the larger one)`,
});
variant({
  id: "multiply-not-switched", target: "MultiplyGate", outputs: ["grads"],
  compute: (c) => ({ grads: [gx(c)[0] * dz(c), gx(c)[1] * dz(c)] }),
  text: (d) => `${who(d)} returns [x·dz, y·dz]: each input got its own value, but multiply switches: dx = y·dz and dy = x·dz`,
});
variant({
  id: "reciprocal-sign", target: "ReciprocalGate", outputs: ["grads"], equivalent: ["sign-flip:grads"],
  compute: (c) => ({ grads: [dz(c) / gx(c)[0] ** 2] }),
  text: (d) => `${who(d)} returns dz/x²: the minus sign is missing, d(1/x)/dx = −1/x², so the gradient is −dz/x²`,
});
variant({
  id: "reciprocal-no-square", target: "ReciprocalGate", outputs: ["grads"],
  compute: (c) => ({ grads: [-dz(c) / gx(c)[0]] }),
  text: (d) => `${who(d)} returns −dz/x: d(1/x)/dx = −1/x², so the gradient is −dz/x² (x squared)`,
});
variant({
  id: "scale-forgets-a", target: "ScaleGate", outputs: ["grads"],
  compute: (c) => ({ grads: [dz(c)] }),
  text: (d) => `${who(d)} returns [dz]: the factor a is missing, d(a·x)/dx = a, so the gradient is a·dz`,
});
variant({
  id: "offset-times-c", target: "OffsetGate", outputs: ["grads"],
  compute: (c) => ({ grads: [((c.inputs.ctor as number[]) ?? [0])[0] * dz(c)] }),
  text: (d) => `${who(d)} returns [c·dz]: d(c + x)/dx = 1, so dz passes through unchanged`,
});
variant({
  id: "sigmoid-uses-x", target: "SigmoidGate", outputs: ["grads"],
  compute: (c) => ({ grads: [gx(c)[0] * (1 - gx(c)[0]) * dz(c)] }),
  text: (d) => `${who(d)} uses x·(1 − x): the sigmoid's slope is σ(x)·(1 − σ(x)), computed from the forward's output, not from x`,
});
variant({
  id: "exp-uses-x", target: "ExpGate", outputs: ["grads"],
  compute: (c) => ({ grads: [gx(c)[0] * dz(c)] }),
  text: (d) => `${who(d)} returns x·dz: d(e^x)/dx = e^x (the forward's output), so the gradient is e^x·dz`,
});
for (const g of GATE_NAMES as readonly GateName[]) {
  variant({
    id: "ignores-dz", target: g, outputs: ["grads"],
    compute: (c, r) => ({ grads: ref(r, c, { dz: 1 }).grads }),
    text: (d) => `${who(d)} ignores dz: it returns the local gradient alone${g === "SigmoidGate" ? " σ(x)·(1 − σ(x))" : ""}; backward must multiply it by dz (the chain rule)`,
  });
  variant({
    id: "sign-flip", target: g, outputs: ["grads"],
    compute: (c) => ({ grads: negate(expected(c).grads) }),
    text: (d) => `${who(d)} has the wrong sign: every gradient is the negative of the right one`,
  });
}

// ---- the computational graph (case: { graph, values } → { value, grads })

/** Whether every node comes after the nodes it reads. */
function inGivenOrderIsTopological(spec: GraphSpec): boolean {
  const known = new Set(spec.inputs);
  for (const n of spec.nodes) {
    if (!n.inputs.every((i) => known.has(i))) return false;
    known.add(n.name);
  }
  return true;
}

variant({
  id: "graph-given-order", target: "ComputationalGraph", outputs: ["value", "grads"],
  when: (c) => !inGivenOrderIsTopological(c.inputs.graph as GraphSpec), match: "non-finite",
  compute: (c, r) => r.run(c, { walk: { order: "given", overwrite: false } }),
  text: (d) => `${d.exportName}: ${d.output} is what walking the nodes in the order given produces (a node read before its value exists gives NaN): nodes come in any order, so sort them topologically (each node after the nodes it reads) before forward and backward`,
});
for (const order of ["kahn", "dfs", "given"] as const) {
  variant({
    id: "graph-overwrites", target: "ComputationalGraph", outputs: ["grads"],
    when: (c) => order !== "given" || inGivenOrderIsTopological(c.inputs.graph as GraphSpec),
    compute: (c, r) => r.run(c, { walk: { order, overwrite: true } }),
    text: (d) => `${d.exportName}: grads overwrite instead of adding at a branch: a value that feeds several nodes (or one node twice) must get the SUM of their gradients (grad[name] += …, not grad[name] = …)`,
  });
}

// ---- layers (case: { x, …, dout } → { out, dx, … })
const x = (c: Case) => inMat(c, "x");
const dout = (c: Case) => inMat(c, "dout");
const out = (c: Case) => expected(c).out as Mat;

variant({
  id: "affine-no-bias", target: "affine", outputs: ["out"],
  compute: (c) => ({ out: mmul(x(c), inMat(c, "w")) }),
  text: (d) => `${who(d)} is x·w without + b: add the bias b (1×M) to every row`,
});
variant({
  id: "bias-wrong-axis", target: "affine", outputs: ["db"],
  compute: (c) => ({ db: rowSums(dout(c)) }),
  text: (d) => `${who(d)} sums dout over the wrong axis: it has one number per example (${d.actualShape}); b is added to every row, so db = the sum of dout over the rows (the minibatch), one number per column: the shape of b (1×${dout(d.c)[0].length})`,
});
variant({
  id: "bias-not-summed", target: "affine", outputs: ["db"],
  compute: (c) => ({ db: dout(c) }),
  text: (d) => `${who(d)} is dout itself (${d.actualShape}), never summed: b is added to every row, so db = the sum of dout over the rows, the shape of b (1×${dout(d.c)[0].length})`,
});
for (const which of ["first", "last"] as const) {
  variant({
    id: `bias-${which}-row`, target: "affine", outputs: ["db"], when: (c) => dout(c).length > 1,
    compute: (c) => ({ db: [dout(c)[which === "first" ? 0 : dout(c).length - 1]] }),
    text: (d) => `${who(d)} is the ${which} row of dout alone${which === "last" ? " (a loop that assigns db[j] = dout[i][j] instead of adding)" : ""}: b is added to every row, so db = the SUM of dout over all the rows`,
  });
}
variant({
  id: "relu-mask-on-dout", target: "relu", outputs: ["dx"],
  compute: (c) => ({ dx: map(dout(c), (g) => (g > 0 ? g : 0)) }),
  text: (d) => `${who(d)} masks with dout > 0 instead of x > 0: the gradient passes where the forward's input x was positive, whatever the sign of dout`,
});
variant({
  id: "relu-mask-missing", target: "relu", outputs: ["dx"],
  compute: (c) => ({ dx: dout(c) }),
  text: (d) => `${who(d)} is dout unmasked: the ReLU passes the gradient only where x > 0 and gives 0 elsewhere`,
});
variant({
  id: "sigmoid-uses-x", target: "sigmoid", outputs: ["dx"],
  compute: (c) => ({ dx: zip(dout(c), x(c), (g, v) => g * v * (1 - v)) }),
  text: (d) => `${who(d)} uses x·(1 − x): the slope is out·(1 − out) with out = σ(x) from the forward, so dx = dout·out·(1 − out)`,
});
variant({
  id: "tanh-one-minus-x2", target: "tanh", outputs: ["dx"],
  compute: (c) => ({ dx: zip(dout(c), x(c), (g, v) => g * (1 - v * v)) }),
  text: (d) => `${who(d)} uses 1 − x² (the input squared): the slope of tanh is 1 − tanh(x)² = 1 − out², so dx = dout·(1 − out²)`,
});
variant({
  id: "tanh-no-square", target: "tanh", outputs: ["dx"],
  compute: (c) => ({ dx: zip(dout(c), out(c), (g, t) => g * (1 - t)) }),
  text: (d) => `${who(d)} uses 1 − out: the slope of tanh is 1 − out² (squared), so dx = dout·(1 − out²)`,
});
const leakySlope = (c: Case) => (c.inputs.slope as number | undefined) ?? 0.1;
const eluAlpha = (c: Case) => (c.inputs.alpha as number | undefined) ?? 1;
variant({
  id: "leaky-default-slope", target: "leakyRelu", outputs: ["dx"], when: (c) => c.inputs.slope !== undefined && c.inputs.slope !== 0.1,
  compute: (c) => ({ dx: zip(dout(c), x(c), (g, v) => (v > 0 ? g : 0.1 * g)) }),
  text: (d) => `${who(d)} uses the default slope 0.1 where x ≤ 0, not the slope ${leakySlope(d.c)} passed to the forward: keep the slope in the cache`,
});
variant({
  id: "leaky-zero-slope", target: "leakyRelu", outputs: ["dx"],
  compute: (c) => ({ dx: zip(dout(c), x(c), (g, v) => (v > 0 ? g : 0)) }),
  text: (d) => `${who(d)} is 0 where x ≤ 0 (a plain ReLU): the leaky ReLU's slope there is slope·dout`,
});
variant({
  id: "leaky-mask-on-dout", target: "leakyRelu", outputs: ["dx"],
  compute: (c) => ({ dx: map(dout(c), (g) => (g > 0 ? g : leakySlope(c) * g)) }),
  text: (d) => `${who(d)} chooses the slope by dout > 0 instead of x > 0: the slope is 1 where the forward's input x was positive, else slope`,
});
variant({
  id: "elu-minus-one", target: "elu", outputs: ["dx"],
  compute: (c) => ({ dx: zip(dout(c), x(c), (g, v) => (v > 0 ? g : g * (eluAlpha(c) * Math.exp(v) - 1))) }),
  text: (d) => `${who(d)} uses alpha·e^x − 1 where x ≤ 0: the slope of alpha·(e^x − 1) is alpha·e^x (the −1 is a constant and drops out)`,
});
variant({
  id: "elu-uses-out", target: "elu", outputs: ["dx"],
  compute: (c) => ({ dx: zip(dout(c), out(c), (g, o) => g * o) }),
  text: (d) => `${who(d)} uses out where x ≤ 0: the slope there is alpha·e^x = out + alpha, not out`,
});
variant({
  id: "elu-forgets-alpha", target: "elu", outputs: ["dx"], when: (c) => eluAlpha(c) !== 1,
  compute: (c) => ({ dx: zip(dout(c), x(c), (g, v) => (v > 0 ? g : g * Math.exp(v))) }),
  text: (d) => `${who(d)} uses e^x where x ≤ 0 without alpha = ${eluAlpha(d.c)}: the slope there is alpha·e^x (keep alpha in the cache)`,
});
// maxout: which piece won, then the two affine backward passes with the routing changed
function maxoutGrads(c: Case, route: (firstWon: boolean) => [number, number]): Rec {
  const [w1, b1, w2, b2] = ["w1", "b1", "w2", "b2"].map((n) => inMat(c, n));
  const z1 = addRow(mmul(x(c), w1), b1);
  const z2 = addRow(mmul(x(c), w2), b2);
  const dz1 = map(dout(c), (g, i, j) => g * route(z1[i][j] >= z2[i][j])[0]);
  const dz2 = map(dout(c), (g, i, j) => g * route(z1[i][j] >= z2[i][j])[1]);
  return { dx: add(mmul(dz1, T(w1)), mmul(dz2, T(w2))), dw1: mmul(T(x(c)), dz1), db1: colSums(dz1), dw2: mmul(T(x(c)), dz2), db2: colSums(dz2) };
}
/** Whether some entry of the case is not a tie between the pieces (where every entry is a tie, routing to the loser is routing ties to the second piece). */
function maxoutHasWinner(c: Case): boolean {
  const [w1, b1, w2, b2] = ["w1", "b1", "w2", "b2"].map((n) => inMat(c, n));
  const z1 = addRow(mmul(x(c), w1), b1);
  const z2 = addRow(mmul(x(c), w2), b2);
  return z1.some((r, i) => r.some((v, j) => v !== z2[i][j]));
}
variant({
  id: "maxout-swapped-routing", target: "maxout", outputs: ["dx", "dw1", "db1", "dw2", "db2"], when: maxoutHasWinner,
  compute: (c) => maxoutGrads(c, (first) => (first ? [0, 1] : [1, 0])),
  text: (d) => `${who(d)} is what routing each entry's gradient to the piece that LOST gives: max routes dout to the piece that won (x·w1 + b1 where it is ≥ x·w2 + b2, else the second piece)`,
});
variant({
  id: "maxout-tie-to-second", target: "maxout", outputs: ["dx", "dw1", "db1", "dw2", "db2"], sometimesRight: ["dx"],
  compute: (c) => {
    const [w1, b1, w2, b2] = ["w1", "b1", "w2", "b2"].map((n) => inMat(c, n));
    const z1 = addRow(mmul(x(c), w1), b1);
    const z2 = addRow(mmul(x(c), w2), b2);
    const dz1 = map(dout(c), (g, i, j) => (z1[i][j] > z2[i][j] ? g : 0));
    const dz2 = map(dout(c), (g, i, j) => (z1[i][j] > z2[i][j] ? 0 : g));
    return { dx: add(mmul(dz1, T(w1)), mmul(dz2, T(w2))), dw1: mmul(T(x(c)), dz1), db1: colSums(dz1), dw2: mmul(T(x(c)), dz2), db2: colSums(dz2) };
  },
  text: (d) => `${who(d)} is what sending the gradient of a tie (x·w1 + b1 = x·w2 + b2) to the second piece gives: on a tie the whole gradient goes to the first piece (it wins when z1 >= z2)`,
});
variant({
  id: "maxout-routes-both", target: "maxout", outputs: ["dx", "dw1", "db1", "dw2", "db2"],
  compute: (c) => maxoutGrads(c, () => [1, 1]),
  text: (d) => `${who(d)} is what sending dout to BOTH pieces gives: max routes each entry's gradient only to the piece that won`,
});
for (const [db, dz] of [["db1", "dz1"], ["db2", "dz2"]]) {
  const piece = db.slice(1);
  variant({
    id: "bias-wrong-axis", target: "maxout", outputs: [db],
    compute: (c) => ({ [db]: rowSums(maxoutDz(c, db === "db1")) }),
    text: (d) => `${who(d)} sums ${dz} over the wrong axis: it has one number per example (${d.actualShape}); ${piece} is added to every row, so ${db} = the sum of ${dz} over the rows (the minibatch), the shape of ${piece} (1×${dout(d.c)[0].length})`,
  });
  variant({
    id: "bias-not-summed", target: "maxout", outputs: [db],
    compute: (c) => ({ [db]: maxoutDz(c, db === "db1") }),
    text: (d) => `${who(d)} is ${dz} itself (${d.actualShape}), never summed: ${piece} is added to every row, so ${db} = the sum of ${dz} over the rows, the shape of ${piece} (1×${dout(d.c)[0].length})`,
  });
}
/** The gradient reaching piece 1 (first) or piece 2: dout where that piece won (tie → first), else 0. */
function maxoutDz(c: Case, first: boolean): Mat {
  const [w1, b1, w2, b2] = ["w1", "b1", "w2", "b2"].map((n) => inMat(c, n));
  const z1 = addRow(mmul(x(c), w1), b1);
  const z2 = addRow(mmul(x(c), w2), b2);
  return map(dout(c), (g, i, j) => ((z1[i][j] >= z2[i][j]) === first ? g : 0));
}
// a multi-output layer's backward that ignores dout, or has the wrong sign, in every gradient
for (const [t, outputs] of LAYER_BACKWARD) {
  if (outputs.length < 2) continue;
  variant({
    id: "ignores-dout-all", target: t, outputs,
    compute: (c, r) => ref(r, c, { dout: ones(dout(c)) }),
    text: (d) => `${d.exportName}: every gradient ignores dout: they are what dout = all ones would give; the chain rule multiplies by dout (${outputs.map((o) => FORMULA[t]?.[o] ?? o).join("; ")})`,
  });
  variant({
    id: "sign-flip-all", target: t, outputs,
    compute: (c) => Object.fromEntries(outputs.map((o) => [o, negate(expected(c)[o])])),
    text: (d) => `${d.exportName}: every gradient has the wrong sign: each is exactly −1 times the right one`,
  });
}
// every layer backward: a gradient that ignores dout, a sign flip, a transpose
for (const [t, outputs] of LAYER_BACKWARD) {
  for (const o of outputs) {
    variant({
      id: "ignores-dout", target: t, outputs: [o],
      compute: (c, r) => ({ [o]: ref(r, c, { dout: ones(dout(c)) })[o] }),
      text: (d) =>
        pointwiseTargets.includes(t as (typeof pointwiseTargets)[number])
          ? `${who(d)} ignores dout: it is the local slope alone (what dout = all ones would give); the chain rule multiplies the local slope by dout, entry by entry`
          : `${who(d)} ignores dout: it is what dout = all ones would give; ${FORMULA[t]?.[o] ?? `${o} must use dout`}`,
    });
    variant({
      id: "sign-flip", target: t, outputs: [o],
      compute: (c) => ({ [o]: negate(expected(c)[o]) }),
      text: (d) => `${who(d)} has the wrong sign: it is exactly −1 times the right gradient${FORMULA[t]?.[o] ? ` (${FORMULA[t]![o]})` : ""}`,
    });
    variant({
      id: "transposed", target: t, outputs: [o],
      compute: (c) => ({ [o]: T(expected(c)[o] as Mat) }),
      text: transposedText,
    });
  }
}

function transposedText(d: DiagnosisContext): string {
  const e = expected(d.c)[d.output] as Mat;
  const twin = twinOf(d.c.target, d.output);
  const formula = FORMULA[d.c.target]?.[d.output];
  const right = `${e.length}×${e[0].length}`;
  return `${who(d)} is transposed (${e[0].length}×${e.length}): ${formula ?? d.output}${twin ? ` has the shape of ${twin} (${right})` : ` is ${right}`}`;
}

// ---- classifiers (svmLoss/softmaxLoss: { scores, y } → { loss, dscores };
//      linear*: { W, X, y, reg } → { loss, dW })
const y = (c: Case) => c.inputs.y as number[];
const rows = (c: Case) => N(c).length;
/** loss and dscores of softmax computed WITHOUT subtracting each row's max (overflows at large scores). */
function naiveSoftmax(scores: Mat, labels: number[]): { loss: number; dscores: Mat } {
  const n = scores.length;
  let loss = 0;
  const dscores = scores.map((r, i) => {
    const e = r.map(Math.exp);
    const sum = e.reduce((s, v) => s + v, 0);
    loss += -Math.log(e[labels[i]] / sum);
    return e.map((v, j) => (v / sum - (j === labels[i] ? 1 : 0)) / n);
  });
  return { loss: loss / n, dscores };
}
variant({
  id: "svm-counts-y", target: "svmLoss", outputs: ["loss"],
  compute: (c) => ({ loss: (expected(c).loss as number) + 1 }),
  text: (d) => `${who(d)} is exactly 1 too high: the j = y term is counted, and it always adds max(0, s_y − s_y + 1) = 1 per row; sum the margins over j ≠ y only`,
});
variant({
  id: "svm-no-y-gradient", target: "svmLoss", outputs: ["dscores"],
  compute: (c) => ({ dscores: map(expected(c).dscores as Mat, (v, i, j) => (j === y(c)[i] ? 0 : v)) }),
  text: (d) => `${who(d)} has no gradient at the label: every active margin s_j − s_y + 1 > 0 also pushes s_y down, so dscores[i][y_i] gets −(the number of active margins)/N`,
});
variant({
  id: "softmax-no-onehot", target: "softmaxLoss", outputs: ["dscores"],
  compute: (c) => ({ dscores: map(expected(c).dscores as Mat, (v, i, j) => (j === y(c)[i] ? v + 1 / rows(c) : v)) }),
  text: (d) => `${who(d)} is softmax/N without the −1 at the label: dscores = (softmax − one-hot)/N`,
});
variant({
  id: "no-max-subtraction", target: "softmaxLoss", outputs: ["loss", "dscores"], match: "non-finite",
  compute: (c) => naiveSoftmax(inMat(c, "scores"), y(c)),
  text: (d) => `${who(d)} is NaN or ±Infinity because e^s overflows at large scores (e^710 = Infinity): compute softmax on s − max(s), i.e. subtract each row's max before exponentiating (softmax(s − c) = softmax(s))`,
});
variant({
  id: "no-max-subtraction", target: "linearSoftmaxLoss", outputs: ["loss", "dW"], match: "non-finite",
  compute: (c) => {
    const s = naiveSoftmax(mmul(inMat(c, "X"), inMat(c, "W")), y(c));
    const reg = c.inputs.reg as number;
    return { loss: s.loss + reg * sumSq(inMat(c, "W")), dW: add(mmul(T(inMat(c, "X")), s.dscores), scale(inMat(c, "W"), 2 * reg)) };
  },
  text: (d) => `${who(d)} is NaN or ±Infinity because e^s overflows at large scores: subtract each row's max before exponentiating`,
});
/** The mean of −log p_y with p = softmax(s − max(s)) computed first: p_y underflows to 0 (and −log 0 = Infinity) when s_y is far below the row's max. */
function lossOfUnderflowedProbability(scores: Mat, labels: number[]): number {
  let loss = 0;
  scores.forEach((r, i) => {
    const m = Math.max(...r);
    const e = r.map((v) => Math.exp(v - m));
    const sum = e.reduce((s, v) => s + v, 0);
    loss += -Math.log(e[labels[i]] / sum);
  });
  return loss / scores.length;
}
const underflowText = (d: DiagnosisContext) =>
  `${who(d)} is Infinity: it subtracts each row's max, but then takes log(p_y) of a probability that underflows to 0 when s_y is far below the row's max (e^(−1e4) = 0 in float64); compute the row loss as log(Σ_j e^(s_j − max)) − (s_y − max), which stays finite (${d.c.target === "softmaxLoss" ? "dscores" : "dW"} is right)`;
variant({
  id: "log-of-underflow", target: "softmaxLoss", outputs: ["loss"],
  compute: (c) => ({ loss: lossOfUnderflowedProbability(inMat(c, "scores"), y(c)) }),
  text: underflowText,
});
variant({
  id: "log-of-underflow", target: "linearSoftmaxLoss", outputs: ["loss"],
  compute: (c) => ({ loss: lossOfUnderflowedProbability(mmul(inMat(c, "X"), inMat(c, "W")), y(c)) + (c.inputs.reg as number) * sumSq(inMat(c, "W")) }),
  text: underflowText,
});
for (const t of ["svmLoss", "softmaxLoss"] as const) {
  for (const outs of [["loss"], ["dscores"], ["loss", "dscores"]]) {
    const both = outs.length === 2;
    const what = (d: DiagnosisContext) => (both ? `${d.exportName}: loss and dscores are both` : `${who(d)} is`);
    const rest = (o: string) => (both ? "" : ` (${o === "loss" ? "dscores" : "the loss"} is right)`);
    variant({
      id: "missing-1/N", target: t, outputs: outs, when: (c) => rows(c) > 1,
      compute: (c) => ({ loss: (expected(c).loss as number) * rows(c), dscores: scale(expected(c).dscores as Mat, rows(c)) }),
      text: (d) => `${what(d)} N = ${rows(d.c)} times too large: the 1/N of the mean is missing (the loss is the MEAN over the rows, so ${both ? "divide the loss by N and give every row's gradient a factor 1/N" : d.output === "loss" ? "divide the sum of the row losses by N" : "every row's gradient carries a factor 1/N"})${rest(d.output)}`,
    });
    variant({
      id: "extra-1/N", target: t, outputs: outs, when: (c) => rows(c) > 1,
      compute: (c) => ({ loss: (expected(c).loss as number) / rows(c), dscores: scale(expected(c).dscores as Mat, 1 / rows(c)) }),
      text: (d) => `${what(d)} N = ${rows(d.c)} times too small: ${both ? "they are" : "it is"} divided by N twice (1/N is applied once, for the mean)${rest(d.output)}`,
    });
  }
  variant({
    id: "sign-flip", target: t, outputs: ["dscores"],
    compute: (c) => ({ dscores: negate(expected(c).dscores) }),
    text: (d) => `${who(d)} has the wrong sign: it is exactly −1 times the right gradient`,
  });
  variant({ id: "transposed", target: t, outputs: ["dscores"], compute: (c) => ({ dscores: T(expected(c).dscores as Mat) }), text: transposedText });
}

/** A regularized loss split into its data part (the reference at reg = 0) and its reg part. */
function regSplit(r: ReferenceAnswers, c: Case, weights: string[]): { data: Rec; reg: number; regLoss: number; full: Rec } {
  const reg = c.inputs.reg as number;
  return { data: ref(r, c, { reg: 0 }), reg, regLoss: reg * weights.reduce((s, w) => s + sumSq(inMat(c, w)), 0), full: expected(c) };
}
const regularized = (c: Case) => (c.inputs.reg as number) > 0;

/** Variants of a regularized loss: the loss's and each weight gradient's 1/N, reg term and sign. */
function regularizedLossVariants(t: Target, weights: { grad: string; w: string }[]): void {
  const ws = weights.map((w) => w.w);
  const biases = t === "twoLayerNetLoss" ? ["db1", "db2"] : [];
  const allGrads = [...weights.map((w) => w.grad), ...biases];
  /** Every gradient with its data term N times too large (no 1/N), the reg terms right. */
  const unaveraged = (c: Case, r: ReferenceAnswers): Rec => {
    const s = regSplit(r, c, ws);
    return Object.fromEntries([
      ...weights.map(({ grad, w }) => [grad, add(scale(s.data[grad] as Mat, rows(c)), scale(inMat(c, w), 2 * s.reg))]),
      ...biases.map((b) => [b, scale(s.data[b] as Mat, rows(c))]),
    ]);
  };
  const lossText = (d: DiagnosisContext, what: string) => `${who(d)} ${what}`;
  variant({
    id: "loss-summed", target: t, outputs: ["loss"], when: (c) => rows(c) > 1,
    compute: (c, r) => { const s = regSplit(r, c, ws); return { loss: (s.data.loss as number) * rows(c) + s.regLoss }; },
    text: (d) => lossText(d, `is the SUM of the row losses (N = ${rows(d.c)} times the mean) plus the reg term: the data loss is the MEAN over the rows, divide it by N`),
  });
  variant({
    id: "sum-not-mean", target: t, outputs: ["loss", ...allGrads], when: (c) => rows(c) > 1,
    compute: (c, r) => ({ loss: (regSplit(r, c, ws).data.loss as number) * rows(c) + regSplit(r, c, ws).regLoss, ...unaveraged(c, r) }),
    text: (d) => `${d.exportName}: the loss and ${allGrads.join(", ")} are the SUM over the rows, N = ${rows(d.c)} times the mean, in their data terms: divide the data loss by N, and give its gradient the 1/N too (the reg terms are right)`,
  });
  if (t === "twoLayerNetLoss") {
    variant({
      id: "grads-not-averaged", target: t, outputs: allGrads, when: (c) => rows(c) > 1,
      compute: unaveraged,
      text: (d) => `${d.exportName}: ${allGrads.join(", ")} are N = ${rows(d.c)} times too large in their data terms (the loss is right): the gradients are not averaged; dscores = (softmax − one-hot)/N carries the 1/N of the mean`,
    });
  }
  variant({
    id: "extra-1/N", target: t, outputs: ["loss"], when: (c) => rows(c) > 1,
    compute: (c, r) => { const s = regSplit(r, c, ws); return { loss: (s.data.loss as number) / rows(c) + s.regLoss }; },
    text: (d) => lossText(d, `has its data loss divided by N twice: the mean divides the sum of the row losses by N once`),
  });
  variant({
    id: "reg-loss-half", target: t, outputs: ["loss"], when: regularized,
    compute: (c, r) => { const s = regSplit(r, c, ws); return { loss: (s.data.loss as number) + s.regLoss / 2 }; },
    text: (d) => lossText(d, `has ½·reg·ΣW² as its reg term: this course's loss adds reg·ΣW² (no ½), whose gradient is 2·reg·W`),
  });
  variant({
    id: "reg-loss-missing", target: t, outputs: ["loss"], when: regularized,
    compute: (c, r) => ({ loss: regSplit(r, c, ws).data.loss }),
    text: (d) => lossText(d, `has no regularization term: the loss is the mean data loss + reg·ΣW²`),
  });
  if (t === "twoLayerNetLoss") {
    const biasSq = (c: Case) => (c.inputs.reg as number) * (sumSq(inMat(c, "b1")) + sumSq(inMat(c, "b2")));
    for (const [id, outs] of [["reg-on-bias-loss", ["loss"]], ["reg-on-bias-grads", ["db1", "db2"]]] as const) {
      variant({
        id, target: t, outputs: outs, when: regularized,
        compute: (c) => ({
          loss: (expected(c).loss as number) + biasSq(c),
          db1: add(expected(c).db1 as Mat, scale(inMat(c, "b1"), 2 * (c.inputs.reg as number))),
          db2: add(expected(c).db2 as Mat, scale(inMat(c, "b2"), 2 * (c.inputs.reg as number))),
        }),
        text: (d) => `${d.exportName}: ${outs.length === 1 ? "the loss includes reg·(Σb1² + Σb2²)" : "db1 and db2 include 2·reg·b1 and 2·reg·b2"}, so the biases are regularized there (${outs.length === 1 ? "their gradients are right" : "the loss is right"}): the contract regularizes W1 and W2 only, the biases are not regularized`,
      });
    }
    variant({
      id: "reg-on-bias", target: t, outputs: ["loss", "db1", "db2"], when: regularized,
      compute: (c) => ({
        loss: (expected(c).loss as number) + biasSq(c),
        db1: add(expected(c).db1 as Mat, scale(inMat(c, "b1"), 2 * (c.inputs.reg as number))),
        db2: add(expected(c).db2 as Mat, scale(inMat(c, "b2"), 2 * (c.inputs.reg as number))),
      }),
      text: (d) => `${who(d)} includes ${d.output === "loss" ? "reg·(Σb1² + Σb2²)" : `2·reg·${d.output.slice(1)}`}, so the biases are regularized too: the contract regularizes W1 and W2 only, the biases are not regularized`,
    });
  }
  // the same reg mistake written for every weight, with the loss's reg term wrong alike or right
  const withRegGrad = (c: Case, r: ReferenceAnswers, k: number): Rec => {
    const s = regSplit(r, c, ws);
    return Object.fromEntries(weights.map(({ grad, w }) => [grad, add(s.data[grad] as Mat, scale(inMat(c, w), k * s.reg))]));
  };
  const grads = weights.map((w) => w.grad);
  const all = (d: DiagnosisContext) => (grads.length > 1 ? `${d.exportName}: ${grads.join(" and ")}` : who({ ...d, output: grads[0] }));
  const wTerm = ws.length > 1 ? "W" : ws[0];
  for (const [k, lossK, id, says] of [
    [1, 0.5, "reg-half", `(and the loss has ½·reg·Σ${wTerm}²): this course's loss adds reg·Σ${wTerm}² (no ½), whose gradient is 2·reg·${wTerm}`],
    [0, 0, "reg-missing", "and the loss has no reg term: the loss is the mean data loss + reg·ΣW², and each weight's gradient gains 2·reg·W"],
    [1, 1, "reg-grad-half", `(the loss is right): the gradient of reg·Σ${wTerm}² is 2·reg·${wTerm}`],
    [0, 1, "reg-grad-missing", `(the loss is right): add 2·reg·${wTerm} to each weight's gradient`],
    [4, 1, "reg-grad-double", `(the loss is right): the gradient of reg·Σ${wTerm}² is 2·reg·${wTerm}, added once`],
  ] as const) {
    if (lossK === 1 && grads.length === 1) continue; // the per-weight variants below are these
    variant({
      id: lossK === 1 ? `${id}-all` : id, target: t, outputs: lossK === 1 ? grads : ["loss", ...grads], when: regularized,
      compute: (c, r) => { const s = regSplit(r, c, ws); return { loss: (s.data.loss as number) + lossK * s.regLoss, ...withRegGrad(c, r, k) }; },
      text: (d) => `${all(d)} ${k === 0 ? `ha${grads.length > 1 ? "ve" : "s"} no regularization gradient` : `add${grads.length > 1 ? "" : "s"} ${k === 1 ? "reg" : `${k}·reg`}·${wTerm}${k === 1 ? ` instead of 2·reg·${wTerm}` : ""}`} ${says}`,
    });
  }
  if (t === "twoLayerNetLoss") {
    variant({
      id: "dscores-sign-flip", target: t, outputs: allGrads,
      compute: (c, r) => {
        const s = regSplit(r, c, ws);
        return Object.fromEntries([
          ...weights.map(({ grad, w }) => [grad, add(scale(s.data[grad] as Mat, -1), scale(inMat(c, w), 2 * s.reg))]),
          ...biases.map((b) => [b, scale(s.data[b] as Mat, -1)]),
        ]);
      },
      text: (d) => `${d.exportName}: every gradient has its data term with the wrong sign (the reg terms are right): dscores = (softmax − one-hot)/N, not (one-hot − softmax)/N`,
    });
  }
  for (const { grad, w } of weights) {
    const R = (c: Case) => scale(inMat(c, w), 2 * (c.inputs.reg as number));
    const data = (c: Case, r: ReferenceAnswers) => regSplit(r, c, ws).data[grad] as Mat;
    const formula = FORMULA[t]![grad];
    variant({
      id: "reg-grad-half", target: t, outputs: [grad], when: regularized,
      compute: (c, r) => ({ [grad]: add(data(c, r), scale(R(c), 0.5)) }),
      text: (d) => `${who(d)} adds reg·${w} instead of 2·reg·${w}: the gradient of reg·Σ${w}² is 2·reg·${w}`,
    });
    variant({
      id: "reg-grad-missing", target: t, outputs: [grad], when: regularized,
      compute: (c, r) => ({ [grad]: data(c, r) }),
      text: (d) => `${who(d)} has no regularization gradient: add 2·reg·${w} (the gradient of reg·Σ${w}²)`,
    });
    variant({
      id: "reg-grad-double", target: t, outputs: [grad], when: regularized,
      compute: (c, r) => ({ [grad]: add(data(c, r), scale(R(c), 2)) }),
      text: (d) => `${who(d)} adds 4·reg·${w}: the gradient of reg·Σ${w}² is 2·reg·${w}, added once`,
    });
    variant({
      id: "missing-1/N", target: t, outputs: [grad], when: (c) => rows(c) > 1,
      compute: (c, r) => ({ [grad]: add(scale(data(c, r), rows(c)), R(c)) }),
      text: (d) => `${who(d)} has a data term N = ${rows(d.c)} times too large: the 1/N of the mean is missing (${formula}, where dscores already carries the 1/N)`,
    });
    variant({
      id: "extra-1/N", target: t, outputs: [grad], when: (c) => rows(c) > 1,
      compute: (c, r) => ({ [grad]: add(scale(data(c, r), 1 / rows(c)), R(c)) }),
      text: (d) => `${who(d)} has its data term divided by N twice (1/N twice): dscores already carries the 1/N of the mean, so ${formula} needs no further division`,
    });
    variant({
      id: "sign-flip-data", target: t, outputs: [grad], when: regularized,
      compute: (c, r) => ({ [grad]: add(scale(data(c, r), -1), R(c)) }),
      text: (d) => `${who(d)} has the data term with the wrong sign (the reg term is right): ${formula}`,
    });
    variant({
      id: "sign-flip", target: t, outputs: [grad],
      compute: (c) => ({ [grad]: negate(expected(c)[grad]) }),
      text: (d) => `${who(d)} has the wrong sign: it is exactly −1 times the right gradient (${formula})`,
    });
    variant({ id: "transposed", target: t, outputs: [grad], compute: (c) => ({ [grad]: T(expected(c)[grad] as Mat) }), text: transposedText });
  }
}
variant({
  id: "svm-counts-y", target: "linearSvmLoss", outputs: ["loss"],
  compute: (c) => ({ loss: (expected(c).loss as number) + 1 }),
  text: (d) => `${who(d)} is exactly 1 too high: the j = y term is counted (it always adds max(0, 1) = 1 per row); sum the margins over j ≠ y only`,
});
regularizedLossVariants("linearSvmLoss", [{ grad: "dW", w: "W" }]);
regularizedLossVariants("linearSoftmaxLoss", [{ grad: "dW", w: "W" }]);

// ---- the two-layer net ({ W1, b1, W2, b2, X[, y, reg] } → { scores } | { loss, dW1, db1, dW2, db2 })
interface NetParts { X: Mat; z1: Mat; h1: Mat; dscores: Mat; dh1: Mat; W1: Mat; W2: Mat; reg: number }
function netParts(r: ReferenceAnswers, c: Case): NetParts {
  const [W1, b1, W2, b2, X] = ["W1", "b1", "W2", "b2", "X"].map((n) => inMat(c, n));
  const z1 = addRow(mmul(X, W1), b1);
  const h1 = map(z1, (v) => Math.max(0, v));
  const scores = addRow(mmul(h1, W2), b2);
  // dscores from the reference's own softmax loss (classifiers), on these scores
  const ds = r.run({ id: "", target: "softmaxLoss", exports: ["softmaxLoss"], seed: "", inputs: { scores, y: y(c) }, expected: {} }).dscores as Mat;
  return { X, z1, h1, dscores: ds, dh1: mmul(ds, T(W2)), W1, W2, reg: c.inputs.reg as number };
}
/** dW1 and db1 when the ReLU's backward uses `mask` instead of z1 > 0. */
function netFirstLayer(r: ReferenceAnswers, c: Case, mask: (p: NetParts, i: number, j: number) => boolean): Rec {
  const p = netParts(r, c);
  const dz1 = map(p.dh1, (g, i, j) => (mask(p, i, j) ? g : 0));
  return { dW1: add(mmul(T(p.X), dz1), scale(p.W1, 2 * p.reg)), db1: colSums(dz1) };
}
variant({
  id: "scores-no-b2", target: "twoLayerNetScores", outputs: ["scores"],
  compute: (c) => ({ scores: mmul(map(addRow(mmul(inMat(c, "X"), inMat(c, "W1")), inMat(c, "b1")), (v) => Math.max(0, v)), inMat(c, "W2")) }),
  text: (d) => `${who(d)} is relu(X·W1 + b1)·W2 without + b2: add the second layer's bias b2 to every row`,
});
variant({
  id: "scores-no-b1", target: "twoLayerNetScores", outputs: ["scores"],
  compute: (c) => ({ scores: addRow(mmul(map(mmul(inMat(c, "X"), inMat(c, "W1")), (v) => Math.max(0, v)), inMat(c, "W2")), inMat(c, "b2")) }),
  text: (d) => `${who(d)} is relu(X·W1)·W2 + b2 without + b1: add the first layer's bias b1 before the ReLU`,
});
variant({
  id: "scores-no-relu", target: "twoLayerNetScores", outputs: ["scores"],
  compute: (c) => ({ scores: addRow(mmul(addRow(mmul(inMat(c, "X"), inMat(c, "W1")), inMat(c, "b1")), inMat(c, "W2")), inMat(c, "b2")) }),
  text: (d) => `${who(d)} has no ReLU between the layers: scores = max(0, X·W1 + b1)·W2 + b2`,
});
variant({
  id: "relu-mask-missing", target: "twoLayerNetLoss", outputs: ["dW1", "db1"],
  compute: (c, r) => netFirstLayer(r, c, () => true),
  text: (d) => `${who(d)} is what the backward gives without the ReLU mask: the gradient reaching the first layer must be dh1 where z1 = X·W1 + b1 > 0 and 0 elsewhere`,
});
variant({
  id: "relu-mask-on-dout", target: "twoLayerNetLoss", outputs: ["dW1", "db1"],
  compute: (c, r) => netFirstLayer(r, c, (p, i, j) => p.dh1[i][j] > 0),
  text: (d) => `${who(d)} masks the ReLU's gradient with dh1 > 0 instead of z1 > 0: the gradient passes where the hidden layer's input X·W1 + b1 was positive`,
});
variant({
  id: "bias-not-summed", target: "twoLayerNetLoss", outputs: ["db1"],
  compute: (c, r) => { const p = netParts(r, c); return { db1: map(p.dh1, (g, i, j) => (p.z1[i][j] > 0 ? g : 0)) }; },
  text: (d) => `${who(d)} is dz1 itself (${d.actualShape}), not summed over the rows: b1 is added to every row, so db1 = the sum of dz1 over the rows, the shape of b1 (1×${inMat(d.c, "b1")[0].length})`,
});
variant({
  id: "bias-not-summed", target: "twoLayerNetLoss", outputs: ["db2"],
  compute: (c, r) => ({ db2: netParts(r, c).dscores }),
  text: (d) => `${who(d)} is dscores itself (${d.actualShape}), not summed over the rows: b2 is added to every row, so db2 = the sum of dscores over the rows, the shape of b2 (1×${inMat(d.c, "b2")[0].length})`,
});
for (const outs of [["db1"], ["db2"], ["db1", "db2"]]) variant({
  id: "bias-wrong-axis", target: "twoLayerNetLoss", outputs: outs,
  compute: (c, r) => { const p = netParts(r, c); return { db1: rowSums(map(p.dh1, (g, i, j) => (p.z1[i][j] > 0 ? g : 0))), db2: rowSums(p.dscores) }; },
  text: (d) => `${outs.length === 2 ? `${d.exportName}: db1 and db2 are` : `${who(d)} is`} summed over the wrong axis: ${outs.length === 2 ? "each has" : "it has"} one number per example (${d.actualShape}); ${outs.map((o) => `${FORMULA.twoLayerNetLoss![o]}, one number per column: the shape of ${o.slice(1)}`).join("; ")}`,
});
/** The bias gradients from one row (first or last) of what reaches them: db1 from dz1, db2 from dscores. */
const dz1Of = (p: NetParts): Mat => map(p.dh1, (g, i, j) => (p.z1[i][j] > 0 ? g : 0));
const rowOf = (m: Mat, which: "first" | "last"): Mat => [m[which === "first" ? 0 : m.length - 1]];
for (const which of ["first", "last"] as const) {
  for (const outs of [["db1"], ["db2"], ["db1", "db2"]]) {
    variant({
      id: `bias-${which}-row`, target: "twoLayerNetLoss", outputs: outs, when: (c) => rows(c) > 1,
      compute: (c, r) => { const p = netParts(r, c); return { db1: rowOf(dz1Of(p), which), db2: rowOf(p.dscores, which) }; },
      text: (d) => `${outs.length === 2 ? `${d.exportName}: db1 and db2 are each` : `${who(d)} is`} the ${which} row alone of ${outs.map((o) => (o === "db1" ? "dz1" : "dscores")).join(" and ")}${which === "last" ? " (a loop that assigns db[j] = … instead of adding)" : ""}: a bias is added to every row, so its gradient is the SUM over all the rows (${outs.map((o) => FORMULA.twoLayerNetLoss![o]).join("; ")})`,
    });
  }
}
/** A net whose forward lacks a part (its ReLU, b1 or b2), and a backward that follows that forward: with the mask z1 > 0 or none, dW2 from the hidden layer it used or from z1. */
function wrongNet(r: ReferenceAnswers, c: Case, how: { relu?: boolean; b1?: boolean; b2?: boolean; masked?: boolean; dW2FromZ1?: boolean }): Rec {
  const [W1, b1, W2, b2, X] = ["W1", "b1", "W2", "b2", "X"].map((n) => inMat(c, n));
  const { relu = true, masked = true } = how;
  const reg = c.inputs.reg as number;
  const z1 = how.b1 === false ? mmul(X, W1) : addRow(mmul(X, W1), b1);
  const h1 = relu ? map(z1, (v) => Math.max(0, v)) : z1;
  const scores = how.b2 === false ? mmul(h1, W2) : addRow(mmul(h1, W2), b2);
  const soft = r.run({ id: "", target: "softmaxLoss", exports: ["softmaxLoss"], seed: "", inputs: { scores, y: y(c) }, expected: {} });
  const ds = soft.dscores as Mat;
  const dz1 = map(mmul(ds, T(W2)), (g, i, j) => (!masked || z1[i][j] > 0 ? g : 0));
  return {
    loss: (soft.loss as number) + reg * (sumSq(W1) + sumSq(W2)),
    dW1: add(mmul(T(X), dz1), scale(W1, 2 * reg)), db1: colSums(dz1),
    dW2: add(mmul(T(how.dW2FromZ1 ? z1 : h1), ds), scale(W2, 2 * reg)), db2: colSums(ds),
  };
}
const linearNet = (r: ReferenceAnswers, c: Case, masked: boolean): Rec => wrongNet(r, c, { relu: false, masked });
variant({
  id: "z1-in-dW2", target: "twoLayerNetLoss", outputs: ["dW2"],
  compute: (c, r) => wrongNet(r, c, { dW2FromZ1: true }),
  text: (d) => `${who(d)} uses the pre-activation z1 = X·W1 + b1 instead of the hidden layer h1 = max(0, z1): ${FORMULA.twoLayerNetLoss!.dW2}`,
});
for (const bias of ["b1", "b2"] as const) {
  variant({
    id: `no-${bias}`, target: "twoLayerNetLoss", outputs: ["loss", "dW1", "db1", "dW2", "db2"],
    compute: (c, r) => wrongNet(r, c, { [bias]: false }),
    text: (d) => `${d.exportName}: the loss and every gradient are those of the net without + ${bias} in its forward (${bias === "b1" ? "z1 = X·W1" : "scores = h1·W2"}): add the bias ${bias} to every row`,
  });
}
variant({
  id: "no-relu", target: "twoLayerNetLoss", outputs: ["loss", "dW1", "db1", "dW2", "db2"],
  compute: (c, r) => linearNet(r, c, false),
  text: (d) => `${d.exportName}: the loss and every gradient are those of the net WITHOUT its ReLU (scores = (X·W1 + b1)·W2 + b2): the hidden layer is h1 = max(0, X·W1 + b1), in the forward, and its mask z1 > 0 in the backward`,
});
variant({
  id: "no-relu-forward", target: "twoLayerNetLoss", outputs: ["loss", "dW1", "db1", "dW2", "db2"],
  compute: (c, r) => linearNet(r, c, true),
  text: (d) => `${d.exportName}: the loss is that of the net WITHOUT its ReLU in the forward (h1 = X·W1 + b1 instead of max(0, X·W1 + b1)), and the backward follows it: apply the ReLU to the hidden layer before W2`,
});
variant({
  id: "relu-mask-ge", target: "twoLayerNetLoss", outputs: ["dW1", "db1"], sometimesRight: ["dW1"],
  compute: (c, r) => netFirstLayer(r, c, (p, i, j) => p.z1[i][j] >= 0),
  text: (d) => `${who(d)} lets the gradient through where the pre-activation z1 = X·W1 + b1 is exactly 0: the ReLU's mask is z1 > 0 (strictly), so the gradient is 0 where z1 = 0`,
});
regularizedLossVariants("twoLayerNetLoss", [{ grad: "dW1", w: "W1" }, { grad: "dW2", w: "W2" }]);
for (const o of ["db1", "db2"]) {
  variant({
    id: "missing-1/N", target: "twoLayerNetLoss", outputs: [o], when: (c) => rows(c) > 1,
    compute: (c) => ({ [o]: scale(expected(c)[o] as Mat, rows(c)) }),
    text: (d) => `${who(d)} is N = ${rows(d.c)} times too large: the 1/N of the mean is missing (dscores carries it)`,
  });
  variant({
    id: "sign-flip", target: "twoLayerNetLoss", outputs: [o],
    compute: (c) => ({ [o]: negate(expected(c)[o]) }),
    text: (d) => `${who(d)} has the wrong sign: it is exactly −1 times the right gradient (${FORMULA.twoLayerNetLoss![o]})`,
  });
}

/** Every known wrong variant, in the order they are tried (specific ones before generic ones). */
export const CATALOG: readonly WrongVariant[] = V;

// ------------------------------------------------------------------------------ matching

/** Whether `actual` equals the variant's `wrong` within the judge's tolerance (shapes equal). */
function matchesWrongVariant(actual: unknown, wrong: unknown, tol: Tolerance, mode: "values" | "non-finite"): boolean {
  const flat = (v: unknown): number[] | null => {
    if (typeof v === "number") return [v];
    if (isMat(v)) return v.flat() as number[];
    if (Array.isArray(v)) return v as number[];
    return null;
  };
  let a: unknown[] | null;
  let w: number[] | null;
  if (wrong && typeof wrong === "object" && !Array.isArray(wrong)) {
    // a graph's gradients, by input name
    if (!actual || typeof actual !== "object" || Array.isArray(actual)) return false;
    const keys = Object.keys(wrong);
    a = keys.map((k) => (actual as Rec)[k]);
    w = keys.map((k) => (wrong as Record<string, number>)[k]);
  } else {
    if (isMat(wrong) && shapeOf(actual) !== shapeOf(wrong)) return false;
    if (isMat(wrong) && !(actual as unknown[][]).every((r) => r.length === wrong[0].length)) return false;
    a = flat(actual);
    w = flat(wrong);
  }
  if (!a || !w || a.length !== w.length || !a.every((v) => typeof v === "number")) return false;
  const nums = a as number[];
  // where the variant has NaN or ±Infinity, only that the answer has one too (how a NaN spreads depends on the code)
  if (mode === "non-finite" && w.some((v) => !Number.isFinite(v))) return nums.some((v) => !Number.isFinite(v));
  const scaleOf = Math.max(1, ...w.filter(Number.isFinite).map(Math.abs));
  return w.every((e, k) => {
    if (!Number.isFinite(e)) return !Number.isFinite(nums[k]);
    return toleranceRatio(nums[k], e, scaleOf, tol) <= 1;
  });
}

/** A variant's key: its id and the outputs it changes ("sign-flip:dx"), unique within a target
 *  except for variants that are one bug computed several ways (graph-overwrites per walk order). */
export const variantKey = (v: WrongVariant): string => `${v.id}:${v.outputs.join("+")}`;

/** Whether two variants are the same bug for the student: one key, or recorded as equivalent. */
function sameBug(a: WrongVariant, b: WrongVariant): boolean {
  if (a.target !== b.target) return false;
  const [ka, kb] = [variantKey(a), variantKey(b)];
  return ka === kb || (a.equivalent ?? []).includes(kb) || (b.equivalent ?? []).includes(ka);
}

/** The outputs of `exportName` a diagnosis compares: every one the case has (a layer's forward: out; its backward: the gradients). */
function exportOutputs(c: Case, exportName: string): string[] {
  return outputsOf(c, exportName).filter((o) => c.expected[o] !== undefined);
}

/**
 * The whole answer variant `v` gives on case `c` for the outputs `outputs`: the outputs it
 * changes as it computes them, every other one the reference's (the case's expected value).
 * null when the variant does not apply to the case (its `when`, or it cannot be computed on it).
 */
export function variantAnswer(v: WrongVariant, c: Case, outputs: string[], reference: ReferenceAnswers): Rec | null {
  if (v.when && !v.when(c)) return null;
  const wrong = v.compute(c, reference);
  const answer: Rec = {};
  for (const o of outputs) {
    answer[o] = v.outputs.includes(o) ? wrong[o] : c.expected[o];
    if (answer[o] === undefined) return null;
  }
  return answer;
}

/** Whether variant `v`'s answer shows its bug on case `c`: every output it changes is wrong there (judged as the judge does). */
export function shows(v: WrongVariant, c: Case, answer: Rec, outputs: string[], tol: Tolerance): boolean {
  const changed = v.outputs.filter((o) => outputs.includes(o));
  const wrong = changed.filter((o) => !judgeOutputs(c, answer, [o], tol).ok);
  return wrong.length > 0 && changed.every((o) => wrong.includes(o) || (v.sometimesRight ?? []).includes(o));
}

/** What the catalog found for an answer: the variants it matches, and whether some could not be computed (offline, unrecorded). */
interface Matches {
  variants: WrongVariant[];
  unknown: boolean;
}

/**
 * Every catalogued variant of `c.target` that the answer `returned` of `exportName` matches:
 * on EVERY output of the export (the loss and each gradient), within `tol`, the outputs the
 * variant changes as it computes them and the others as the reference's. A variant whose own
 * answer would pass the judge on this case shows no bug here and is not a candidate.
 */
export function matchingVariants(c: Case, exportName: string, returned: unknown, tol: Tolerance, reference: ReferenceAnswers, catalog: readonly WrongVariant[] = CATALOG): Matches {
  const found: Matches = { variants: [], unknown: false };
  if (typeof returned !== "object" || returned === null) return found;
  const outputs = exportOutputs(c, exportName);
  const known = candidates(c, `${exportName}|${tol.atol}|${tol.rtol}`, reference);
  for (const v of catalog) {
    if (v.target !== c.target || !v.outputs.some((o) => outputs.includes(o))) continue;
    let candidate = known.get(v);
    if (candidate === undefined) {
      candidate = candidateOf(v, c, outputs, tol, memoized(reference));
      known.set(v, candidate);
    }
    if (candidate === "unknown") found.unknown = true;
    else if (candidate !== null && outputs.every((o) => matchesWrongVariant((returned as Rec)[o], candidate[o], tol, candidate.modes[o]))) found.variants.push(v);
  }
  return found;
}

/** A variant's whole answer on a case, with how each output is matched; null: it shows no bug there; "unknown": offline, its reference answers were not recorded. */
type Candidate = (Rec & { modes: Record<string, "values" | "non-finite"> }) | null | "unknown";

function candidateOf(v: WrongVariant, c: Case, outputs: string[], tol: Tolerance, reference: ReferenceAnswers): Candidate {
  try {
    const answer = variantAnswer(v, c, outputs, reference);
    if (!answer || !shows(v, c, answer, outputs, tol)) return null;
    return Object.assign(answer, { modes: Object.fromEntries(outputs.map((o) => [o, v.outputs.includes(o) ? (v.match ?? "values") : "values"])) });
  } catch (error) {
    // a variant that cannot be computed on this case says nothing; offline, one whose reference
    // answers were not recorded might have matched: then no claim is made at all
    return error instanceof UnrecordedAnswerError ? "unknown" : null;
  }
}

/** The variants' answers already computed, per reference, case object, export and tolerance (a case is never changed once built; a diagnosis, and the confusion matrix, ask again and again). */
const computed = new WeakMap<ReferenceAnswers, WeakMap<Case, Map<string, Map<WrongVariant, Candidate>>>>();
function candidates(c: Case, exportName: string, reference: ReferenceAnswers): Map<WrongVariant, Candidate> {
  // exportName: the export, and the tolerance, as one key
  let byCase = computed.get(reference);
  if (!byCase) computed.set(reference, (byCase = new WeakMap()));
  let byExport = byCase.get(c);
  if (!byExport) byCase.set(c, (byExport = new Map()));
  let known = byExport.get(exportName);
  if (!known) byExport.set(exportName, (known = new Map()));
  return known;
}

/** The reference's answers, each question asked once (the variants of one target ask the same ones: the data part at reg = 0, the softmax on the net's scores). */
const memos = new WeakMap<ReferenceAnswers, ReferenceAnswers>();
function memoized(reference: ReferenceAnswers): ReferenceAnswers {
  let m = memos.get(reference);
  if (!m) {
    const answers = new Map<string, Rec>();
    m = {
      offline: reference.offline,
      run(c, options = {}) {
        const key = JSON.stringify([c.target, c.inputs, options]);
        let a = answers.get(key);
        if (!a) {
          a = reference.run(c, options);
          if (answers.size > 4096) answers.clear();
          answers.set(key, a);
        }
        return a;
      },
    };
    memos.set(reference, m);
  }
  return m;
}

/** The one bug the matches name: every match is the same bug (or recorded as equivalent); otherwise none. */
function theOneBug(m: Matches): WrongVariant | undefined {
  if (m.unknown || m.variants.length === 0) return undefined;
  const [first, ...rest] = m.variants;
  return rest.every((v) => sameBug(first, v)) ? first : undefined;
}

/**
 * The likely cause of a wrong answer of `exportName` on case `c`: the text of the one known wrong
 * variant the whole answer matches (matchingVariants), about `output` (the first output the judge
 * fails); undefined when none matches, or when variants that are different bugs match alike.
 * Never throws.
 */
export function diagnoseOutput(c: Case, exportName: string, output: string, returned: unknown, tol: Tolerance, reference: ReferenceAnswers): string | undefined {
  try {
    const v = theOneBug(matchingVariants(c, exportName, returned, tol, reference));
    return v && variantText(v, c, exportName, output, returned);
  } catch {
    return undefined;
  }
}

/** A variant's text about `output` of the answer (or about the first output it changes, when it leaves `output` alone). */
export function variantText(v: WrongVariant, c: Case, exportName: string, output: string, returned: unknown): string {
  const shown = v.outputs.includes(output) ? output : v.outputs.find((o) => exportOutputs(c, exportName).includes(o))!;
  return v.text({ exportName, output: shown, c, actualShape: shapeOf((returned as Rec)[shown]) });
}

/**
 * Compute every variant of the catalog that applies to case `c`, as a diagnosis of any failure
 * on it would: the starter kit's build runs this with a recording reference, so that the kit can
 * diagnose offline whatever a student gets wrong on the case (a composition asks the student, not
 * the reference).
 */
export function computeCatalog(c: Case, reference: ReferenceAnswers): void {
  for (const v of CATALOG) {
    if (v.target !== c.target) continue;
    try {
      if (!v.when || v.when(c)) v.compute(c, reference);
    } catch {
      // as diagnoseOutput: such a variant says nothing
    }
  }
}

// ------------------------------------------------------------------------------ composition

/**
 * An export that calls another export of the contract (linearSvmLoss → svmLoss, linearSoftmaxLoss
 * → softmaxLoss): when the outer answer is what the reference's outer computation gives on the
 * student's OWN inner answer, the outer code is right and the bug is the inner one's.
 */
export interface Composition {
  outer: Target;
  /** The inner export (and target). */
  inner: Target & string;
  /** The inner case the outer case makes (the scores X·W, the labels y). */
  innerCase(c: Case): Case;
  /** The outer answer built from the inner answer (untrusted data), as the reference's outer code does; null when it cannot be read. */
  compose(c: Case, inner: unknown): Rec | null;
}

function linearOn(loss: "svmLoss" | "softmaxLoss"): Composition {
  return {
    outer: loss === "svmLoss" ? "linearSvmLoss" : "linearSoftmaxLoss",
    inner: loss,
    innerCase: (c) => ({ id: `${c.id}/scores`, target: loss, exports: [loss], seed: c.seed, inputs: { scores: mmul(inMat(c, "X"), inMat(c, "W")), y: y(c) }, expected: {} }),
    compose: (c, inner) => {
      if (typeof inner !== "object" || inner === null) return null;
      const { loss: l, dscores } = inner as Rec;
      const X = inMat(c, "X");
      const W = inMat(c, "W");
      if (typeof l !== "number" || !isMat(dscores) || dscores.length !== X.length || !dscores.every((r) => Array.isArray(r) && r.length === W[0].length && r.every((v) => typeof v === "number"))) return null;
      const reg = c.inputs.reg as number;
      return { loss: l + reg * sumSq(W), dW: add(mmul(T(X), dscores as Mat), scale(W, 2 * reg)) };
    },
  };
}

/** Every composition the catalog knows, by outer target. */
export const COMPOSITIONS: Partial<Record<Target, Composition>> = { linearSvmLoss: linearOn("svmLoss"), linearSoftmaxLoss: linearOn("softmaxLoss") };

/** The student's own answer of the inner export on the composition's inner case (untrusted data). */
export interface InnerAnswer {
  exportName: string;
  answer: unknown;
}

/** "<outer> matches what your <inner> gives", when the outer answer is the outer computation on the student's own inner answer and that is wrong. */
function composedText(c: Case, exportName: string, returned: unknown, tol: Tolerance, inner: InnerAnswer): string | undefined {
  const comp = COMPOSITIONS[c.target];
  if (!comp || comp.inner !== inner.exportName || typeof returned !== "object" || returned === null) return undefined;
  const composed = comp.compose(c, inner.answer);
  if (!composed) return undefined;
  const outputs = exportOutputs(c, exportName);
  if (judgeOutputs(c, composed, outputs, tol).ok) return undefined; // the inner answer is right here: it explains no failure
  if (!outputs.every((o) => matchesWrongVariant((returned as Rec)[o], composed[o], tol, "values"))) return undefined;
  return `${exportName} matches what your ${comp.inner} gives: fix ${comp.inner} first (${exportName} is right on top of it: its loss and dW are what your ${comp.inner} gives on the scores X·W, plus the reg term, and your ${comp.inner} is wrong on those scores)`;
}

/**
 * Diagnose a failed comparison: `returned` is what the student's code returned for case `c`,
 * `names` the outputs the test judged (in the judge's order). When one of them fails under `tol`,
 * the whole answer is compared with the catalog (matchingVariants), whose variants ask
 * `reference`; `inner`, the student's own answer of the export `exportName` calls (a
 * Composition), comes first: when it explains the answer, the inner export is named instead.
 * Pure; cheap (called only after a failure); never throws.
 */
export function diagnose(c: Case, exportName: string, returned: unknown, names: string[], tol: Tolerance, reference: ReferenceAnswers, inner?: InnerAnswer): string | undefined {
  try {
    if (typeof returned !== "object" || returned === null) return undefined;
    const output = names.find((n) => !judgeOutputs(c, returned, [n], tol).ok);
    if (output === undefined) return undefined;
    const composed = inner ? composedText(c, exportName, returned, tol, inner) : undefined;
    return composed ?? diagnoseOutput(c, exportName, output, returned, tol, reference);
  } catch {
    return undefined;
  }
}

/** Which variant ids the catalog knows for a target (for reports and tests). */
export function variantIds(target: Target): string[] {
  return [...new Set(CATALOG.filter((v) => v.target === target).map((v) => v.id))];
}
