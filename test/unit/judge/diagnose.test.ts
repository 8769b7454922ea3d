/**
 * The diagnosis catalog (graders/judge/diagnose/), one bug at a time: each test is a buggy
 * implementation written here as a student would write it (the reference with ONE export
 * replaced), run on the golden cases and on a fresh draw of the case plan, and judged as the
 * grader does; the first case the judge fails must carry a diagnosis naming the bug. A correct
 * answer, an unrelated wrong answer and malformed answers get no diagnosis.
 */
import { describe, expect, it } from "@jest/globals";
import { Matrix } from "ml-matrix";
import { type AssignmentName, type Case, type Target, assignmentOf, isLayer, outputsOf } from "../../../graders/cases/case";
import { goldenPath } from "../../../graders/cases/golden";
import { loadCaseFile } from "../../../graders/cases/load";
import { planCases } from "../../../graders/cases/plan";
import { type Implementation, runCase } from "../../../graders/cases/run";
import { judgeOutputs } from "../../../graders/judge/compare";
import { CATALOG, diagnose, variantIds } from "../../../graders/judge/diagnose";
import type { Tolerance } from "../../../graders/judge/tolerance";
import { loadManifest } from "../../../graders/manifest";
import { REFERENCE, referenceAnswers } from "../../../graders/reference/live-reference";

type M = Matrix;
const tolerances = new Map<AssignmentName, Tolerance>();
const TOL = (a: AssignmentName): Tolerance => {
  if (!tolerances.has(a)) tolerances.set(a, loadManifest(a).tolerances.golden);
  return tolerances.get(a)!;
};
const POOLS = (a: AssignmentName): [string, Case[]][] => [
  ["golden", loadCaseFile(goldenPath(a)).cases],
  ["fresh", planCases(a, "hidden:diagnose-test")],
];

/** Run `impl` on the cases of `target` as the grader does; the first case the judge fails, with its diagnosis. */
function firstFailure(target: Target, exportName: string, impl: Implementation, cases: Case[]): { c: Case; diagnosis: string | undefined } {
  const a = assignmentOf(target);
  for (const c of cases.filter((x) => x.target === target && x.exports.includes(exportName))) {
    const forwardOnly = isLayer(target) && exportName.endsWith("Forward");
    const returned = runCase(impl, c, { forwardOnly, gates: REFERENCE.gates });
    const names = outputsOf(c, exportName);
    if (!judgeOutputs(c, returned, names, TOL(a)).ok) return { c, diagnosis: diagnose(c, exportName, returned, names, TOL(a), referenceAnswers) };
  }
  throw new Error(`the bug in ${exportName} never shows on these cases`);
}

interface Bug {
  name: string;
  target: Target;
  exportName: string;
  /** The export, written wrong. */
  code: unknown;
  /** What the diagnosis must say (a case-insensitive regex); null: no diagnosis expected. */
  says: RegExp | null;
}

function check(bug: Bug): void {
  const a = assignmentOf(bug.target);
  const impl = { ...REFERENCE[a], [bug.exportName]: bug.code };
  for (const [pool, cases] of POOLS(a)) {
    const { c, diagnosis } = firstFailure(bug.target, bug.exportName, impl, cases);
    const where = `${bug.name}, ${pool} case ${c.id}`;
    if (bug.says === null) {
      if (diagnosis !== undefined) throw new Error(`${where}: expected no diagnosis, got "${diagnosis}"`);
      continue;
    }
    if (diagnosis === undefined || !bug.says.test(diagnosis))
      throw new Error(`${where}: expected a diagnosis matching ${bug.says}, got ${diagnosis === undefined ? "none" : `"${diagnosis}"`}`);
    // every text names the export it is about
    expect(diagnosis.startsWith(bug.exportName)).toBe(true);
  }
}

// ------------------------------------------------------------------------------ helpers
const fresh = (a: M, f: (v: number, i: number, j: number) => number) => {
  const out = new Matrix(a.rows, a.columns);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.columns; j++) out.set(i, j, f(a.get(i, j), i, j));
  return out;
};
const refLayers = REFERENCE.layers as Record<string, (...a: never[]) => Record<string, M>>;

// ------------------------------------------------------------------------------ gates
/** A gate class with the reference's forward and a wrong backward(dz, inputs, z). */
function gate(name: string, backward: (dz: number, x: number[], z: number, ctor: number[]) => number[]) {
  const Ref = (REFERENCE.gates as Record<string, new (...c: number[]) => { forward: (...x: number[]) => number }>)[name];
  return class {
    private readonly inner: { forward: (...x: number[]) => number };
    private readonly ctor: number[];
    private x: number[] = [];
    private z = 0;
    constructor(...ctor: number[]) {
      this.inner = new Ref(...ctor);
      this.ctor = ctor;
    }
    forward(...x: number[]) {
      this.x = x;
      this.z = this.inner.forward(...x);
      return this.z;
    }
    backward(dz: number) {
      return backward(dz, this.x, this.z, this.ctor);
    }
  };
}

/** A graph that sorts by DFS post-order; `overwrite`: grad[src] = g; `givenOrder`: no sort at all. */
function graph({ overwrite = false, givenOrder = false }) {
  type Node = { name: string; gate: { forward: (...x: number[]) => number; backward: (d: number) => number[] }; inputs: string[] };
  return class {
    private order: Node[];
    private vals: Record<string, number> = {};
    constructor(
      private inputs: string[],
      nodes: Node[],
      private output: string,
    ) {
      if (givenOrder) this.order = nodes;
      else {
        const byName = new Map(nodes.map((n) => [n.name, n]));
        const done = new Set<string>();
        this.order = [];
        const visit = (n: Node) => {
          if (done.has(n.name)) return;
          done.add(n.name);
          n.inputs.forEach((i) => byName.has(i) && visit(byName.get(i)!));
          this.order.push(n);
        };
        nodes.forEach(visit);
      }
    }
    forward(values: Record<string, number>) {
      this.vals = { ...values };
      for (const n of this.order) this.vals[n.name] = n.gate.forward(...n.inputs.map((i) => this.vals[i]));
      return this.vals[this.output];
    }
    backward() {
      const g: Record<string, number> = { [this.output]: 1 };
      for (const n of [...this.order].reverse()) {
        const d = n.gate.backward(g[n.name] ?? 0);
        n.inputs.forEach((s, k) => (g[s] = overwrite ? d[k] : (g[s] ?? 0) + d[k]));
      }
      return Object.fromEntries(this.inputs.map((i) => [i, g[i] ?? 0]));
    }
  };
}

const GATE_BUGS: Bug[] = [
  {
    name: "multiply not switched",
    target: "MultiplyGate",
    exportName: "MultiplyGate",
    code: gate("MultiplyGate", (dz, [x, y]) => [x * dz, y * dz]),
    says: /multiply switches/i,
  },
  { name: "max routes to both", target: "MaxGate", exportName: "MaxGate", code: gate("MaxGate", (dz) => [dz, dz]), says: /both inputs/i },
  {
    name: "max routes to the smaller",
    target: "MaxGate",
    exportName: "MaxGate",
    code: gate("MaxGate", (dz, [x, y]) => (x >= y ? [0, dz] : [dz, 0])),
    says: /smaller input/i,
  },
  { name: "max tie to y", target: "MaxGate", exportName: "MaxGate", code: gate("MaxGate", (dz, [x, y]) => (x > y ? [dz, 0] : [0, dz])), says: /on a tie/i },
  {
    name: "reciprocal sign",
    target: "ReciprocalGate",
    exportName: "ReciprocalGate",
    code: gate("ReciprocalGate", (dz, [x]) => [dz / (x * x)]),
    says: /minus sign is missing/i,
  },
  {
    name: "reciprocal without the square",
    target: "ReciprocalGate",
    exportName: "ReciprocalGate",
    code: gate("ReciprocalGate", (dz, [x]) => [-dz / x]),
    says: /−dz\/x²/,
  },
  { name: "scale forgets a", target: "ScaleGate", exportName: "ScaleGate", code: gate("ScaleGate", (dz) => [dz]), says: /factor a is missing/i },
  {
    name: "offset multiplies by c",
    target: "OffsetGate",
    exportName: "OffsetGate",
    code: gate("OffsetGate", (dz, _x, _z, [c]) => [c * dz]),
    says: /passes through unchanged/i,
  },
  {
    name: "sigmoid ignores dz",
    target: "SigmoidGate",
    exportName: "SigmoidGate",
    code: gate("SigmoidGate", (_dz, _x, s) => [s * (1 - s)]),
    says: /ignores dz/i,
  },
  { name: "sigmoid uses x", target: "SigmoidGate", exportName: "SigmoidGate", code: gate("SigmoidGate", (dz, [x]) => [x * (1 - x) * dz]), says: /x·\(1 − x\)/ },
  { name: "exp uses x", target: "ExpGate", exportName: "ExpGate", code: gate("ExpGate", (dz, [x]) => [x * dz]), says: /e\^x·dz/ },
  { name: "exp sign flip", target: "ExpGate", exportName: "ExpGate", code: gate("ExpGate", (dz, _x, z) => [-z * dz]), says: /wrong sign/i },
  { name: "add ignores dz", target: "AddGate", exportName: "AddGate", code: gate("AddGate", () => [1, 1]), says: /ignores dz/i },
  {
    name: "multiply: unrelated wrong answer",
    target: "MultiplyGate",
    exportName: "MultiplyGate",
    code: gate("MultiplyGate", (dz, [x, y]) => [y * dz, 2 * x * dz]),
    says: null,
  },
];

describe("gates", () => {
  it.each(GATE_BUGS.map((b) => [b.name, b] as const))("%s", (_n, bug) => check(bug));

  it("a graph that overwrites instead of adding at a branch", () => {
    check({
      name: "graph overwrites",
      target: "ComputationalGraph",
      exportName: "ComputationalGraph",
      code: graph({ overwrite: true }),
      says: /overwrite instead of adding/i,
    });
  });
  it("a graph that walks the nodes in the order given", () => {
    check({
      name: "graph in given order",
      target: "ComputationalGraph",
      exportName: "ComputationalGraph",
      code: graph({ givenOrder: true }),
      says: /sort them topologically/i,
    });
  });
  it("a graph whose output gradient starts at 2 is not diagnosed", () => {
    const Base = graph({});
    const code = class extends Base {
      override backward() {
        return Object.fromEntries(Object.entries(super.backward()).map(([k, v]) => [k, 2 * v]));
      }
    };
    check({ name: "graph doubled", target: "ComputationalGraph", exportName: "ComputationalGraph", code, says: null });
  });
});

// ------------------------------------------------------------------------------ layers
type AffineCache = { x: M; w: M };
const affineRight = (dout: M, { x, w }: AffineCache) => ({
  dx: dout.mmul(w.transpose()),
  dw: x.transpose().mmul(dout),
  db: Matrix.rowVector(dout.sum("column")),
});
const onesLike = (m: M) => Matrix.ones(m.rows, m.columns);

const LAYER_BUGS: Bug[] = [
  {
    name: "affine forward without b",
    target: "affine",
    exportName: "affineForward",
    code: (x: M, w: M) => ({ out: x.mmul(w), cache: { x, w } }),
    says: /without \+ b/,
  },
  {
    name: "affine dw transposed",
    target: "affine",
    exportName: "affineBackward",
    code: (d: M, c: AffineCache) => ({ ...affineRight(d, c), dw: d.transpose().mmul(c.x) }),
    says: /dw is transposed \(7×5\): dw = xᵀ·dout has the shape of w \(5×7\)/,
  },
  {
    name: "affine db over the wrong axis",
    target: "affine",
    exportName: "affineBackward",
    code: (d: M, c: AffineCache) => ({ ...affineRight(d, c), db: Matrix.columnVector(d.sum("row")) }),
    says: /db sums dout over the wrong axis/,
  },
  {
    name: "affine db not summed",
    target: "affine",
    exportName: "affineBackward",
    code: (d: M, c: AffineCache) => ({ ...affineRight(d, c), db: d.clone() }),
    says: /db is dout itself/,
  },
  {
    name: "affine dx sign flip",
    target: "affine",
    exportName: "affineBackward",
    code: (d: M, c: AffineCache) => ({ ...affineRight(d, c), dx: Matrix.mul(affineRight(d, c).dx, -1) }),
    says: /dx has the wrong sign/,
  },
  {
    name: "affine dw ignores dout",
    target: "affine",
    exportName: "affineBackward",
    code: (d: M, c: AffineCache) => ({ ...affineRight(d, c), dw: c.x.transpose().mmul(onesLike(d)) }),
    says: /dw ignores dout/,
  },
  {
    name: "affine dw unrelated",
    target: "affine",
    exportName: "affineBackward",
    code: (d: M, c: AffineCache) => ({ ...affineRight(d, c), dw: fresh(affineRight(d, c).dw, (v, i, j) => v + 0.01 * (i - j)) }),
    says: null,
  },
  {
    name: "affine dw with an extra row",
    target: "affine",
    exportName: "affineBackward",
    code: (d: M, c: AffineCache) => {
      const r = affineRight(d, c);
      return { ...r, dw: new Matrix([...r.dw.to2DArray(), r.dw.getRow(0)]) };
    },
    says: null,
  },
  {
    name: "relu mask on dout",
    target: "relu",
    exportName: "reluBackward",
    code: (d: M) => ({ dx: fresh(d, (g) => (g > 0 ? g : 0)) }),
    says: /dout > 0 instead of x > 0/,
  },
  { name: "relu without a mask", target: "relu", exportName: "reluBackward", code: (d: M) => ({ dx: d.clone() }), says: /dout unmasked/ },
  {
    name: "sigmoid ignores dout",
    target: "sigmoid",
    exportName: "sigmoidBackward",
    code: (_d: M, c: { out: M }) => ({ dx: fresh(c.out, (s) => s * (1 - s)) }),
    says: /dx ignores dout/,
  },
  {
    name: "sigmoid uses x",
    target: "sigmoid",
    exportName: "sigmoidBackward",
    code: (d: M, c: { out: M }) => ({
      dx: fresh(d, (g, i, j) => {
        const x = Math.log(c.out.get(i, j) / (1 - c.out.get(i, j)));
        return g * x * (1 - x);
      }),
    }),
    says: /uses x·\(1 − x\)/,
  },
  {
    name: "tanh 1 − x²",
    target: "tanh",
    exportName: "tanhBackward",
    code: (d: M, c: { out: M }) => ({
      dx: fresh(d, (g, i, j) => {
        const x = Math.atanh(c.out.get(i, j));
        return g * (1 - x * x);
      }),
    }),
    says: /uses 1 − x²/,
  },
  {
    name: "tanh 1 − out",
    target: "tanh",
    exportName: "tanhBackward",
    code: (d: M, c: { out: M }) => ({ dx: fresh(d, (g, i, j) => g * (1 - c.out.get(i, j))) }),
    says: /uses 1 − out:/,
  },
  {
    name: "tanh dx × 1.5 (unrelated)",
    target: "tanh",
    exportName: "tanhBackward",
    code: (d: M, c: { out: M }) => ({ dx: fresh(d, (g, i, j) => 1.5 * g * (1 - c.out.get(i, j) ** 2)) }),
    says: null,
  },
  {
    name: "leaky ReLU ignores the slope passed",
    target: "leakyRelu",
    exportName: "leakyReluBackward",
    code: (d: M, c: { x: M }) => ({ dx: fresh(d, (g, i, j) => (c.x.get(i, j) > 0 ? g : 0.1 * g)) }),
    says: /default slope 0\.1/,
  },
  {
    name: "leaky ReLU with slope 0",
    target: "leakyRelu",
    exportName: "leakyReluBackward",
    code: (d: M, c: { x: M }) => ({ dx: fresh(d, (g, i, j) => (c.x.get(i, j) > 0 ? g : 0)) }),
    says: /plain ReLU/,
  },
  {
    name: "leaky ReLU slope chosen by dout",
    target: "leakyRelu",
    exportName: "leakyReluBackward",
    code: (d: M, c: { slope: number }) => ({ dx: fresh(d, (g) => (g > 0 ? g : c.slope * g)) }),
    says: /dout > 0 instead of x > 0/,
  },
  {
    name: "ELU alpha·e^x − 1",
    target: "elu",
    exportName: "eluBackward",
    code: (d: M, c: { x: M; alpha: number }) => ({
      dx: fresh(d, (g, i, j) => {
        const v = c.x.get(i, j);
        return v > 0 ? g : g * (c.alpha * Math.exp(v) - 1);
      }),
    }),
    says: /alpha·e\^x − 1/,
  },
  {
    name: "ELU uses out",
    target: "elu",
    exportName: "eluBackward",
    code: (d: M, c: { x: M; alpha: number }) => ({
      dx: fresh(d, (g, i, j) => {
        const v = c.x.get(i, j);
        return v > 0 ? g * v : g * c.alpha * Math.expm1(v);
      }),
    }),
    says: /uses out where x ≤ 0/,
  },
  {
    name: "ELU forgets alpha",
    target: "elu",
    exportName: "eluBackward",
    code: (d: M, c: { x: M }) => ({
      dx: fresh(d, (g, i, j) => {
        const v = c.x.get(i, j);
        return v > 0 ? g : g * Math.exp(v);
      }),
    }),
    says: /without alpha = 0\.5/,
  },
];

/** maxout's backward with `route(firstWon)` → [to piece 1, to piece 2], and db1 summed by `sum`. */
function maxout(route: (first: boolean) => [number, number], sum: (m: M) => M = (m) => Matrix.rowVector(m.sum("column"))) {
  return (d: M, c: { x: M; w1: M; w2: M; firstWins: M }) => {
    const dz1 = fresh(d, (g, i, j) => g * route(c.firstWins.get(i, j) === 1)[0]);
    const dz2 = fresh(d, (g, i, j) => g * route(c.firstWins.get(i, j) === 1)[1]);
    const one = affineRight(dz1, { x: c.x, w: c.w1 });
    const two = affineRight(dz2, { x: c.x, w: c.w2 });
    return { dx: Matrix.add(one.dx, two.dx), dw1: one.dw, db1: sum(dz1), dw2: two.dw, db2: two.db };
  };
}
LAYER_BUGS.push(
  { name: "maxout routing swapped", target: "maxout", exportName: "maxoutBackward", code: maxout((f) => (f ? [0, 1] : [1, 0])), says: /piece that LOST/ },
  { name: "maxout routes to both", target: "maxout", exportName: "maxoutBackward", code: maxout(() => [1, 1]), says: /BOTH pieces/ },
  {
    name: "maxout db1 over the wrong axis",
    target: "maxout",
    exportName: "maxoutBackward",
    code: maxout(
      (f) => (f ? [1, 0] : [0, 1]),
      (m) => Matrix.columnVector(m.sum("row")),
    ),
    says: /db1 sums dz1 over the wrong axis/,
  },
);

describe("layers", () => {
  it.each(LAYER_BUGS.map((b) => [b.name, b] as const))("%s", (_n, bug) => check(bug));
  it("the reference's own layers are never diagnosed", () => {
    for (const c of loadCaseFile(goldenPath("layers")).cases) {
      const returned = runCase(refLayers, c);
      expect(diagnose(c, c.exports[1], returned, outputsOf(c, c.exports[1]), TOL("layers"), referenceAnswers)).toBeUndefined();
    }
  });
});

// ------------------------------------------------------------------------------ classifiers
type LossFn = (s: M, y: number[]) => { loss: number; dscores: M };
const refSvm = REFERENCE.classifiers.svmLoss as LossFn;
const refSoftmax = REFERENCE.classifiers.softmaxLoss as LossFn;
/** softmax cross-entropy, with or without the max shift and the one-hot, scaled by `k`/N. */
function softmax({ shift = true, onehot = true, k = 1, sign = 1 }): LossFn {
  return (s, y) => {
    const N = s.rows;
    let loss = 0;
    const d = new Matrix(N, s.columns);
    for (let i = 0; i < N; i++) {
      const c = shift ? s.maxRow(i) : 0;
      const e = s.getRow(i).map((v) => Math.exp(v - c));
      const sum = e.reduce((a, b) => a + b, 0);
      loss += Math.log(sum) - (s.get(i, y[i]) - c);
      e.forEach((v, j) => d.set(i, j, (sign * k * (v / sum - (onehot && j === y[i] ? 1 : 0))) / N));
    }
    return { loss: loss / N, dscores: d };
  };
}
/** A linear classifier: scores = X·W, then `dataLoss`, with the data gradient scaled by `k` and `regGrad`·reg·W, `regLoss`·reg·ΣW². */
function linear(dataLoss: LossFn, { k = 1, regGrad = 2, regLoss = 1, lossRows = false, transpose = false } = {}) {
  return (W: M, X: M, y: number[], reg: number) => {
    const { loss, dscores } = dataLoss(X.mmul(W), y);
    const dW = Matrix.add(Matrix.mul(X.transpose().mmul(dscores), k), Matrix.mul(W, regGrad * reg));
    return { loss: (lossRows ? loss * X.rows : loss) + regLoss * reg * W.norm("frobenius") ** 2, dW: transpose ? dW.transpose() : dW };
  };
}
const svmPlus1: LossFn = (s, y) => ({ ...refSvm(s, y), loss: refSvm(s, y).loss + 1 });

const CLASSIFIER_BUGS: Bug[] = [
  { name: "svm counts j = y", target: "svmLoss", exportName: "svmLoss", code: svmPlus1, says: /j = y term is counted/ },
  {
    name: "svm without the gradient at y",
    target: "svmLoss",
    exportName: "svmLoss",
    code: ((s, y) => {
      const r = refSvm(s, y);
      return { ...r, dscores: fresh(r.dscores, (v, i, j) => (j === y[i] ? 0 : v)) };
    }) as LossFn,
    says: /no gradient at the label/,
  },
  {
    name: "svm dscores without 1/N",
    target: "svmLoss",
    exportName: "svmLoss",
    code: ((s, y) => {
      const r = refSvm(s, y);
      return { ...r, dscores: Matrix.mul(r.dscores, s.rows) };
    }) as LossFn,
    says: /1\/N of the mean is missing/,
  },
  {
    name: "svm loss + 0.37 (unrelated)",
    target: "svmLoss",
    exportName: "svmLoss",
    code: ((s, y) => ({ ...refSvm(s, y), loss: refSvm(s, y).loss + 0.37 })) as LossFn,
    says: null,
  },
  {
    name: "softmax without 1/N",
    target: "softmaxLoss",
    exportName: "softmaxLoss",
    code: ((s, y) => softmax({ k: s.rows })(s, y)) as LossFn,
    says: /dscores is N = \d+ times too large/,
  },
  {
    name: "softmax with an extra 1/N",
    target: "softmaxLoss",
    exportName: "softmaxLoss",
    code: ((s, y) => {
      const r = refSoftmax(s, y);
      return { ...r, dscores: Matrix.div(r.dscores, s.rows) };
    }) as LossFn,
    says: /too small: it is divided by N twice/,
  },
  {
    name: "softmax without the one-hot",
    target: "softmaxLoss",
    exportName: "softmaxLoss",
    code: softmax({ onehot: false }),
    says: /without the −1 at the label/,
  },
  { name: "softmax without the max shift", target: "softmaxLoss", exportName: "softmaxLoss", code: softmax({ shift: false }), says: /subtract each row's max/ },
  { name: "softmax sign flip", target: "softmaxLoss", exportName: "softmaxLoss", code: softmax({ sign: -1 }), says: /dscores has the wrong sign/ },
  {
    name: "linear softmax reg·W",
    target: "linearSoftmaxLoss",
    exportName: "linearSoftmaxLoss",
    code: linear(refSoftmax, { regGrad: 1 }),
    says: /reg·W instead of 2·reg·W/,
  },
  {
    name: "linear softmax without the reg gradient",
    target: "linearSoftmaxLoss",
    exportName: "linearSoftmaxLoss",
    code: linear(refSoftmax, { regGrad: 0 }),
    says: /no regularization gradient/,
  },
  { name: "linear softmax 4·reg·W", target: "linearSoftmaxLoss", exportName: "linearSoftmaxLoss", code: linear(refSoftmax, { regGrad: 4 }), says: /4·reg·W/ },
  {
    name: "linear svm extra 1/N",
    target: "linearSvmLoss",
    exportName: "linearSvmLoss",
    code: (W: M, X: M, y: number[], reg: number) => linear(refSvm, { k: 1 / X.rows })(W, X, y, reg),
    says: /divided by N twice/,
  },
  {
    name: "linear svm missing 1/N",
    target: "linearSvmLoss",
    exportName: "linearSvmLoss",
    code: (W: M, X: M, y: number[], reg: number) => linear(refSvm, { k: X.rows })(W, X, y, reg),
    says: /N = \d+ times too large: the 1\/N of the mean is missing/,
  },
  { name: "linear svm data term sign", target: "linearSvmLoss", exportName: "linearSvmLoss", code: linear(refSvm, { k: -1 }), says: /wrong sign/ },
  {
    name: "linear svm dW transposed",
    target: "linearSvmLoss",
    exportName: "linearSvmLoss",
    code: linear(refSvm, { transpose: true }),
    says: /dW is transposed \(\d×\d\): dW = Xᵀ·dscores \+ 2·reg·W has the shape of W/,
  },
  { name: "linear svm counts j = y", target: "linearSvmLoss", exportName: "linearSvmLoss", code: linear(svmPlus1), says: /j = y term is counted/ },
  {
    name: "linear softmax loss summed",
    target: "linearSoftmaxLoss",
    exportName: "linearSoftmaxLoss",
    code: linear(refSoftmax, { lossRows: true }),
    says: /SUM of the row losses/,
  },
  {
    name: "linear softmax ½·reg·ΣW²",
    target: "linearSoftmaxLoss",
    exportName: "linearSoftmaxLoss",
    code: linear(refSoftmax, { regLoss: 0.5 }),
    says: /½·reg·ΣW²/,
  },
  {
    name: "linear softmax without the reg loss",
    target: "linearSoftmaxLoss",
    exportName: "linearSoftmaxLoss",
    code: linear(refSoftmax, { regLoss: 0 }),
    says: /no regularization term/,
  },
  {
    name: "linear softmax dW × 0.9 (unrelated)",
    target: "linearSoftmaxLoss",
    exportName: "linearSoftmaxLoss",
    code: linear(refSoftmax, { k: 0.9, regGrad: 1.8 }),
    says: null,
  },
];

describe("classifiers", () => {
  it.each(CLASSIFIER_BUGS.map((b) => [b.name, b] as const))("%s", (_n, bug) => check(bug));
});

// ------------------------------------------------------------------------------ the two-layer net
interface NetBug {
  mask?: "z1" | "none" | "dh1";
  db1?: "sum" | "none" | "rows";
  regBias?: boolean;
  lossSum?: boolean;
  regHalf?: boolean;
  dW2T?: boolean;
  db1Sign?: number;
}
type Params = { W1: M; b1: M; W2: M; b2: M };
/** A two-layer net written from scratch, with the bugs `bug` switches on. */
function net(bug: NetBug) {
  return (p: Params, X: M, y: number[], reg: number) => {
    const N = X.rows;
    const z1 = X.mmul(p.W1).addRowVector(p.b1);
    const h1 = fresh(z1, (v) => Math.max(0, v));
    const scores = h1.mmul(p.W2).addRowVector(p.b2);
    const { loss, dscores } = refSoftmax(scores, y);
    let regLoss = reg * (p.W1.norm("frobenius") ** 2 + p.W2.norm("frobenius") ** 2);
    if (bug.regBias) regLoss += reg * (p.b1.norm("frobenius") ** 2 + p.b2.norm("frobenius") ** 2);
    const dW2 = Matrix.add(h1.transpose().mmul(dscores), Matrix.mul(p.W2, (bug.regHalf ? 1 : 2) * reg));
    let db2 = Matrix.rowVector(dscores.sum("column"));
    const dh1 = dscores.mmul(p.W2.transpose());
    const dz1 = fresh(dh1, (g, i, j) => (bug.mask === "none" || (bug.mask === "dh1" ? g > 0 : z1.get(i, j) > 0) ? g : 0));
    const dW1 = Matrix.add(X.transpose().mmul(dz1), Matrix.mul(p.W1, 2 * reg));
    let db1 = bug.db1 === "none" ? dz1 : bug.db1 === "rows" ? Matrix.columnVector(dz1.sum("row")) : Matrix.rowVector(dz1.sum("column"));
    if (bug.regBias) {
      db1 = Matrix.add(db1, Matrix.mul(p.b1, 2 * reg));
      db2 = Matrix.add(db2, Matrix.mul(p.b2, 2 * reg));
    }
    if (bug.db1Sign) db1 = Matrix.mul(db1, bug.db1Sign);
    return { loss: (bug.lossSum ? loss * N : loss) + regLoss, grads: { W1: dW1, b1: db1, W2: bug.dW2T ? dW2.transpose() : dW2, b2: db2 } };
  };
}
const relu = (m: M) => fresh(m, (v) => Math.max(0, v));
const NET_BUGS: Bug[] = [
  {
    name: "scores without b2",
    target: "twoLayerNetScores",
    exportName: "twoLayerNetScores",
    code: (p: Params, X: M) => relu(X.mmul(p.W1).addRowVector(p.b1)).mmul(p.W2),
    says: /without \+ b2/,
  },
  {
    name: "scores without b1",
    target: "twoLayerNetScores",
    exportName: "twoLayerNetScores",
    code: (p: Params, X: M) => relu(X.mmul(p.W1)).mmul(p.W2).addRowVector(p.b2),
    says: /without \+ b1/,
  },
  {
    name: "scores without the ReLU",
    target: "twoLayerNetScores",
    exportName: "twoLayerNetScores",
    code: (p: Params, X: M) => X.mmul(p.W1).addRowVector(p.b1).mmul(p.W2).addRowVector(p.b2),
    says: /no ReLU between the layers/,
  },
  {
    name: "no ReLU mask in the backward",
    target: "twoLayerNetLoss",
    exportName: "twoLayerNetLoss",
    code: net({ mask: "none" }),
    says: /dW1 is what the backward gives without the ReLU mask/,
  },
  { name: "ReLU mask on dh1", target: "twoLayerNetLoss", exportName: "twoLayerNetLoss", code: net({ mask: "dh1" }), says: /dh1 > 0 instead of z1 > 0/ },
  {
    name: "db1 not summed",
    target: "twoLayerNetLoss",
    exportName: "twoLayerNetLoss",
    code: net({ db1: "none" }),
    says: /db1 is dz1 itself \(\d×\d\), not summed over the rows/,
  },
  {
    name: "db1 over the wrong axis",
    target: "twoLayerNetLoss",
    exportName: "twoLayerNetLoss",
    code: net({ db1: "rows" }),
    says: /db1 is summed over the wrong axis/,
  },
  { name: "biases regularized", target: "twoLayerNetLoss", exportName: "twoLayerNetLoss", code: net({ regBias: true }), says: /biases are not regularized/ },
  { name: "loss summed", target: "twoLayerNetLoss", exportName: "twoLayerNetLoss", code: net({ lossSum: true }), says: /SUM of the row losses/ },
  {
    name: "dW2 transposed",
    target: "twoLayerNetLoss",
    exportName: "twoLayerNetLoss",
    code: net({ dW2T: true }),
    says: /dW2 is transposed \(\d×\d\): dW2 = h1ᵀ·dscores \+ 2·reg·W2 has the shape of W2/,
  },
  { name: "dW2 reg·W2", target: "twoLayerNetLoss", exportName: "twoLayerNetLoss", code: net({ regHalf: true }), says: /dW2 adds reg·W2 instead of 2·reg·W2/ },
  { name: "db1 sign flip", target: "twoLayerNetLoss", exportName: "twoLayerNetLoss", code: net({ db1Sign: -1 }), says: /db1 has the wrong sign/ },
  { name: "db1 × 2 (unrelated)", target: "twoLayerNetLoss", exportName: "twoLayerNetLoss", code: net({ db1Sign: 2 }), says: null },
];

describe("the two-layer net", () => {
  it.each(NET_BUGS.map((b) => [b.name, b] as const))("%s", (_n, bug) => check(bug));
});

// ------------------------------------------------------------------------------ the catalog itself
describe("the catalog", () => {
  it("knows the bugs the brief lists, per target", () => {
    expect(variantIds("affine")).toEqual(expect.arrayContaining(["transposed", "bias-wrong-axis", "sign-flip", "ignores-dout"]));
    expect(variantIds("relu")).toEqual(expect.arrayContaining(["relu-mask-on-dout", "relu-mask-missing"]));
    expect(variantIds("softmaxLoss")).toEqual(expect.arrayContaining(["missing-1/N", "extra-1/N", "no-max-subtraction"]));
    expect(variantIds("linearSoftmaxLoss")).toEqual(expect.arrayContaining(["reg-grad-half", "missing-1/N", "extra-1/N", "sign-flip"]));
    expect(variantIds("twoLayerNetLoss")).toEqual(expect.arrayContaining(["relu-mask-missing", "reg-on-bias", "loss-summed", "transposed"]));
    for (const v of CATALOG) expect(v.id).toMatch(/^[a-z0-9]+([-/][a-zA-Z0-9]+)*$/);
  });

  it("a correct answer gets no diagnosis, and a malformed one neither (no throw)", () => {
    for (const a of ["gates", "layers", "classifiers", "two-layer-net"] as const) {
      for (const c of loadCaseFile(goldenPath(a)).cases) {
        for (const e of c.exports) {
          const names = outputsOf(c, e);
          expect(diagnose(c, e, runCase(REFERENCE[a], c, { gates: REFERENCE.gates }), names, TOL(a), referenceAnswers)).toBeUndefined();
          for (const junk of [null, 7, "text", {}, Object.fromEntries(names.map((n) => [n, "x"])), Object.fromEntries(names.map((n) => [n, [[1, 2], [3]]]))]) {
            expect(diagnose(c, e, junk, names, TOL(a), referenceAnswers)).toBeUndefined();
          }
        }
      }
    }
  });
});
