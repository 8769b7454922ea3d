/**
 * The reference is the source of every golden value, so it is tested three independent ways:
 * the lecture's worked examples by hand, the contract's edge rules, and a finite-difference check
 * of every gradient against its own forward (test/unit/reference/oracle.test.ts adds PyTorch as a fourth).
 */
import { describe, expect, it } from "@jest/globals";
import { Matrix } from "ml-matrix";
import { ASSIGNMENTS, type Case, type GraphSpec, type Mat, SIGNATURES, type Value, isGate, isLayer } from "../../../graders/cases/case";
import { goldenPath } from "../../../graders/cases/golden";
import { loadCaseFile } from "../../../graders/cases/load";
import { runCase } from "../../../graders/cases/run";
import { toleranceRatio } from "../../../graders/judge/tolerance";
import { REFERENCE } from "../../../graders/reference/live-reference";
import * as gates from "../../../reference/gates/gates";
import { ComputationalGraph } from "../../../reference/gates/graph";
import * as layers from "../../../reference/layers/layers";
import * as losses from "../../../reference/classifiers/losses";
import * as linear from "../../../reference/classifiers/linear-classifier";
import * as net from "../../../reference/two-layer-net/two-layer-net";
import { numericGradient } from "../../helpers/numeric-gradient";

const close = (a: number, b: number, tol = 1e-12) => expect(Math.abs(a - b)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b)));

describe("the lecture's worked examples", () => {
  it("f = (x + y)·z at x=−2, y=5, z=−4: f = −12, df/dx = df/dy = −4, df/dz = 3", () => {
    const g = new ComputationalGraph(
      ["x", "y", "z"],
      [
        { name: "f", gate: new gates.MultiplyGate(), inputs: ["q", "z"] }, // out of order on purpose
        { name: "q", gate: new gates.AddGate(), inputs: ["x", "y"] },
      ],
      "f",
    );
    expect(g.forward({ x: -2, y: 5, z: -4 })).toBe(-12);
    expect(g.backward()).toEqual({ x: -4, y: -4, z: 3 });
  });

  it("sigmoid neuron w=[2,−3,−3], x=[−1,−2]: f ≈ 0.73, dw ≈ [−0.2, −0.39, 0.2], dx ≈ [0.39, −0.59]", () => {
    const nodes = [
      { name: "a", gate: new gates.MultiplyGate(), inputs: ["w0", "x0"] },
      { name: "b", gate: new gates.MultiplyGate(), inputs: ["w1", "x1"] },
      { name: "c", gate: new gates.AddGate(), inputs: ["a", "b"] },
      { name: "d", gate: new gates.AddGate(), inputs: ["c", "w2"] },
      { name: "e", gate: new gates.ScaleGate(-1), inputs: ["d"] },
      { name: "f", gate: new gates.ExpGate(), inputs: ["e"] },
      { name: "g", gate: new gates.OffsetGate(1), inputs: ["f"] },
      { name: "h", gate: new gates.ReciprocalGate(), inputs: ["g"] },
    ];
    const g = new ComputationalGraph(["w0", "x0", "w1", "x1", "w2"], nodes, "h");
    expect(g.forward({ w0: 2, x0: -1, w1: -3, x1: -2, w2: -3 })).toBeCloseTo(0.73, 2);
    const d = g.backward();
    expect([d.w0, d.w1, d.w2].map((v) => Number(v.toFixed(2)))).toEqual([-0.2, -0.39, 0.2]);
    expect([d.x0, d.x1].map((v) => Number(v.toFixed(2)))).toEqual([0.39, -0.59]);
    // the sigmoid gate collapses the last four gates: same value, same gradient (1 − σ)σ
    const s = new gates.SigmoidGate();
    close(s.forward(1), 0.7310585786300049);
    close(s.backward(1)[0], (1 - 0.7310585786300049) * 0.7310585786300049);
  });
});

describe("the contract's edge rules", () => {
  it("MaxGate: a tie sends all the gradient to x", () => {
    const m = new gates.MaxGate();
    m.forward(1.5, 1.5);
    expect(m.backward(2)).toEqual([2, 0]);
  });

  it("a value feeding several nodes sums their gradients (x·x gives 2x)", () => {
    const g = new ComputationalGraph(["x"], [{ name: "sq", gate: new gates.MultiplyGate(), inputs: ["x", "x"] }], "sq");
    g.forward({ x: 3 });
    expect(g.backward()).toEqual({ x: 6 });
  });

  it("ComputationalGraph refuses a cycle and an unknown input, naming them", () => {
    const cyc = [
      { name: "a", gate: new gates.AddGate(), inputs: ["x", "b"] },
      { name: "b", gate: new gates.AddGate(), inputs: ["x", "a"] },
    ];
    expect(() => new ComputationalGraph(["x"], cyc, "b")).toThrow(/cycle through "a", "b"/);
    expect(() => new ComputationalGraph(["x"], [{ name: "a", gate: new gates.AddGate(), inputs: ["x", "nope"] }], "a")).toThrow(/unknown "nope"/);
  });

  it("ReLU slope is 1 only where x > 0 (0 at x = 0); leaky ReLU and ELU defaults are 0.1 and 1", () => {
    const x = new Matrix([[0, -2, 3]]);
    const dout = new Matrix([[5, 7, 11]]);
    expect(layers.reluBackward(dout, layers.reluForward(x).cache).dx.to2DArray()).toEqual([[0, 0, 11]]);
    const leaky = layers.leakyReluForward(x);
    expect(leaky.out.to2DArray()).toEqual([[0, -0.2, 3]]);
    expect(layers.leakyReluBackward(dout, leaky.cache).dx.to2DArray()).toEqual([[0.5, 0.7000000000000001, 11]]);
    const elu = layers.eluForward(x);
    close(elu.out.get(0, 1), Math.exp(-2) - 1);
    close(layers.eluBackward(dout, elu.cache).dx.get(0, 1), 7 * Math.exp(-2));
  });

  it("maxout: a tie goes to the first affine", () => {
    const x = new Matrix([[1, 2]]);
    const w = new Matrix([[1], [1]]);
    const b = new Matrix([[0]]);
    const { out, cache } = layers.maxoutForward(x, w, b, w, b);
    const g = layers.maxoutBackward(new Matrix([[1]]), cache);
    expect(out.get(0, 0)).toBe(3);
    expect(g.db1.get(0, 0)).toBe(1);
    expect(g.db2.get(0, 0)).toBe(0);
  });

  it("svmLoss: a margin of exactly 0 contributes no loss and no gradient", () => {
    const { loss, dscores } = losses.svmLoss(new Matrix([[1, 0, -5]]), [0]); // margin of class 1: 0 − 1 + 1 = 0
    expect(loss).toBe(0);
    expect(dscores.to2DArray()).toEqual([[0, 0, 0]]);
  });

  it("softmaxLoss stays finite for scores of ±1e4 and its dscores rows sum to 0", () => {
    const { loss, dscores } = losses.softmaxLoss(
      new Matrix([
        [1e4, -1e4, 0],
        [-1e4, 1e4, 5],
      ]),
      [1, 1],
    );
    close(loss, 1e4); // row 0: −log p_1 = 2e4 (mean with row 1's ≈0)
    for (const row of dscores.to2DArray()) {
      expect(row.every(Number.isFinite)).toBe(true);
      expect(Math.abs(row.reduce((s, v) => s + v, 0))).toBeLessThan(1e-15);
    }
  });

  it("linear classifiers: the regularization gradient is 2·reg·W, apart from the data term", () => {
    const W = new Matrix([
      [0.5, -1],
      [2, 0.25],
      [-0.3, 1.2],
    ]);
    const X = new Matrix([
      [1, 2, 3],
      [-1, 0.5, 2],
    ]);
    for (const f of [linear.linearSvmLoss, linear.linearSoftmaxLoss]) {
      const a = f(W, X, [0, 1], 0);
      const b = f(W, X, [0, 1], 0.3);
      close(b.loss - a.loss, 0.3 * W.norm("frobenius") ** 2);
      const dReg = Matrix.sub(b.dW, a.dW).to2DArray().flat();
      Matrix.mul(W, 0.6)
        .to2DArray()
        .flat()
        .forEach((v, k) => close(dReg[k], v));
    }
  });

  it("two-layer net: zero weights give loss log(C), and biases are not regularized", () => {
    const z = (r: number, c: number) => Matrix.zeros(r, c);
    const X = new Matrix([
      [1, -2, 0.5],
      [0.3, 0.1, -1],
    ]);
    const { loss } = net.twoLayerNetLoss({ W1: z(3, 4), b1: z(1, 4), W2: z(4, 5), b2: z(1, 5) }, X, [0, 3], 0.7);
    close(loss, Math.log(5));
    const withBias = { W1: z(3, 4), b1: Matrix.ones(1, 4), W2: z(4, 5), b2: Matrix.ones(1, 5) };
    const r = net.twoLayerNetLoss(withBias, X, [0, 3], 0.7);
    close(r.loss, Math.log(5)); // all-equal scores, and no reg term from the biases
  });
});

/** The scalar whose gradient a case's expected values are, evaluated by the reference forward. */
function objective(c: Case): ((inputs: Record<string, Value>) => number) | null {
  const impl = REFERENCE[assignmentFor(c)];
  const run = (inputs: Record<string, Value>) => runCase(impl, { ...c, inputs });
  if (isGate(c.target)) return (i) => (run(i).z as number) * (c.inputs.dz as number);
  if (c.target === "ComputationalGraph") return (i) => run(i).value as number;
  if (isLayer(c.target)) {
    const dout = (c.inputs.dout as Mat).flat();
    return (i) => (run(i).out as Mat).flat().reduce((s, v, k) => s + v * dout[k], 0);
  }
  if (c.target === "twoLayerNetScores") return null; // no gradient to check
  return (i) => run(i).loss as number;
}
const assignmentFor = (c: Case) => ASSIGNMENTS.find((a) => REFERENCE[a][c.exports[0]] !== undefined)!;

/** (input to perturb, path inside it, the live reference's gradient) for every differentiable input. */
function gradientPairs(c: Case): { name: string; path: string[]; analytic: Value }[] {
  const live = runCase(REFERENCE[assignmentFor(c)], c) as Record<string, Value>;
  if (isGate(c.target)) return [{ name: "x", path: [], analytic: live.grads }];
  if (c.target === "ComputationalGraph") {
    const grads = live.grads as Record<string, number>;
    return (c.inputs.graph as GraphSpec).inputs.map((n) => ({ name: "values", path: [n], analytic: grads[n] }));
  }
  if (c.target === "twoLayerNetScores") return [];
  const sig = SIGNATURES[c.target];
  const outputs = new Set(sig.outputs.map((o) => o.name));
  return sig.args
    .filter((a) => outputs.has(`d${a.name}`)) // X of the classifiers and the net has no gradient to check
    .map((a) => ({ name: a.name, path: [], analytic: live[`d${a.name}`] }));
}

describe.each(ASSIGNMENTS)("reference gradients of %s agree with centered differences of its forward", (assignment) => {
  const cases = loadCaseFile(goldenPath(assignment)).cases.filter((c) => !c.id.includes("tie") && !c.id.includes("scoreScale"));
  it.each(cases.map((c) => [c.id, c] as const))("%s", (_id, c) => {
    const f = objective(c);
    for (const { name, path, analytic } of gradientPairs(c)) {
      expect(analytic).toBeDefined();
      const numeric = numericGradient(f!, c, name, path);
      const flat = (v: Value) => (typeof v === "number" ? [v] : (v as number[] | Mat).flat());
      // the grader's gradcheck rule (assignments' manifests): scale max|numeric|, atol 1e-8, rtol 1e-6
      const a = flat(analytic);
      const n = flat(numeric);
      const scale = n.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const k = a.findIndex((v, i) => !(toleranceRatio(v, n[i], scale, { atol: 1e-8, rtol: 1e-6 }) <= 1));
      if (a.length !== n.length || k >= 0) throw new Error(`${c.id}: d${name}${path.join(".")} entry ${k}: analytic ${a[k]} vs numeric ${n[k]}`);
    }
  });
});

describe("the reference never modifies its arguments", () => {
  it.each(ASSIGNMENTS)("%s: inputs are unchanged after every call", (assignment) => {
    for (const c of loadCaseFile(goldenPath(assignment)).cases) {
      if (isGate(c.target) || c.target === "ComputationalGraph") continue;
      const sig = SIGNATURES[c.target];
      const args = sig.args
        .filter((a) => !a.optional || a.name in c.inputs)
        .map((a) => (a.kind === "matrix" ? new Matrix(c.inputs[a.name] as Mat) : a.kind === "labels" ? [...(c.inputs[a.name] as number[])] : c.inputs[a.name]));
      const before = args.map((a) => (a instanceof Matrix ? a.to2DArray() : structuredClone(a)));
      const impl = REFERENCE[assignment] as Record<string, (...a: unknown[]) => unknown>;
      if (isLayer(c.target)) {
        const dout = new Matrix(c.inputs.dout as Mat);
        const { cache } = impl[`${c.target}Forward`](...args) as { cache: unknown };
        impl[`${c.target}Backward`](dout, cache);
        expect(dout.to2DArray()).toEqual(c.inputs.dout);
      } else if (c.target.startsWith("twoLayerNet")) {
        const [W1, b1, W2, b2, ...rest] = args;
        impl[c.target]({ W1, b1, W2, b2 }, ...rest);
      } else impl[c.target](...args);
      expect(args.map((a) => (a instanceof Matrix ? a.to2DArray() : a))).toEqual(before);
    }
  });
});
