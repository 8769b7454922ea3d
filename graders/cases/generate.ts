/**
 * Case generation: seeded inputs for every target, kept away from kinks, with the expected values
 * computed by the reference. The committed golden fixtures (scripts/make-fixtures.ts) and the
 * hidden fresh cases (a secret seed) both come from here, so they have the same shape.
 */
import { referenceAnswers } from "../reference/live-reference";
import type { ReferenceAnswers } from "../reference/reference-answers";
import { type Case, type GraphNodeSpec, type GraphSpec, type Target, type Value, exportsOf, isGate, isLayer } from "./case";
import { KINK_MARGIN, kinkDistance } from "./kinks";
import { Random, drawUntil } from "./random";

/** Sizes of a case: N rows, D features, M / H hidden units, C classes, as the target needs. */
export type Dims = Partial<Record<"N" | "D" | "M" | "H" | "C", number>>;

/** What to draw, beyond the sizes. */
export interface Variant {
  /** A forward parameter (leakyRelu slope, elu alpha); absent: the contract's default is used. */
  param?: number;
  /** Regularization strength (linear classifiers, two-layer net). */
  reg?: number;
  /** Multiplies the scores of a loss case (1e4: the softmax must stay finite). */
  scoreScale?: number;
  /** MaxGate with x === y (the contract's tie rule: all to x). */
  tie?: boolean;
  /** Which graph (see GRAPHS). */
  graph?: GraphName;
  /** Give the graph's nodes in a shuffled order (the graph must sort them itself). */
  shuffled?: boolean;
  /** The lecture's own values x = −2, y = 5, z = −4 instead of random ones (graph "lecture"). */
  lectureValues?: boolean;
}

/** Whether drawn inputs keep every kink argument at least KINK_MARGIN away (see kinks.ts). */
const awayFromKinks = (target: Target) => (inputs: Record<string, Value>) => kinkDistance(target, inputs) >= KINK_MARGIN;

// ------------------------------------------------------------------------------- graphs
function node(name: string, type: GraphNodeSpec["gate"]["type"], inputs: string[], ctor?: number[]): GraphNodeSpec {
  return { name, gate: ctor ? { type, ctor } : { type }, inputs };
}

/** Graphs from the lecture, plus one where values feed several nodes (gradients add). */
export const GRAPHS = {
  /** f = (x + y)·z, the lecture's first example. */
  lecture: {
    inputs: ["x", "y", "z"],
    nodes: [node("q", "AddGate", ["x", "y"]), node("f", "MultiplyGate", ["q", "z"])],
    output: "f",
  },
  /** f(w, x) = 1/(1 + e^−(w0·x0 + w1·x1 + w2)), the lecture's sigmoid neuron, gate by gate. */
  neuron: {
    inputs: ["w0", "x0", "w1", "x1", "w2"],
    nodes: [
      node("a", "MultiplyGate", ["w0", "x0"]),
      node("b", "MultiplyGate", ["w1", "x1"]),
      node("c", "AddGate", ["a", "b"]),
      node("d", "AddGate", ["c", "w2"]),
      node("e", "ScaleGate", ["d"], [-1]),
      node("f", "ExpGate", ["e"]),
      node("g", "OffsetGate", ["f"], [1]),
      node("h", "ReciprocalGate", ["g"]),
    ],
    output: "h",
  },
  /** x feeds three nodes and y two: σ(0.5·((x·y + max(x, z)) + (x·x + y))). */
  branches: {
    inputs: ["x", "y", "z"],
    nodes: [
      node("p", "MultiplyGate", ["x", "y"]),
      node("m", "MaxGate", ["x", "z"]),
      node("s", "AddGate", ["p", "m"]),
      node("sq", "MultiplyGate", ["x", "x"]),
      node("t", "AddGate", ["sq", "y"]),
      node("u", "AddGate", ["s", "t"]),
      node("v", "ScaleGate", ["u"], [0.5]),
      node("o", "SigmoidGate", ["v"]),
    ],
    output: "o",
  },
} satisfies Record<string, GraphSpec>;
type GraphName = keyof typeof GRAPHS;

function graphInputs(r: Random, variant: Variant): Record<string, Value> {
  const name = variant.graph ?? "lecture";
  const spec = structuredClone(GRAPHS[name]) as GraphSpec;
  if (variant.shuffled) spec.nodes = r.shuffle(spec.nodes);
  let values: Record<string, number>;
  if (name === "lecture" && variant.lectureValues) values = { x: -2, y: 5, z: -4 };
  else {
    values = drawUntil(
      "graph input values",
      () => Object.fromEntries(spec.inputs.map((i) => [i, r.normal()])),
      (v) => name !== "branches" || Math.abs(v.x - v.z) >= KINK_MARGIN, // no max tie
    );
  }
  return { graph: spec as unknown as Value, values };
}

// ------------------------------------------------------------------------------- inputs per target
function gateInputs(target: Target, r: Random, variant: Variant): Record<string, Value> {
  const dz = r.normal();
  switch (target) {
    case "AddGate":
    case "MultiplyGate":
      return { x: [r.normal(), r.normal()], dz };
    case "MaxGate": {
      if (variant.tie) {
        const v = r.normal();
        return { x: [v, v], dz };
      }
      const x = drawUntil(
        "MaxGate inputs",
        () => [r.normal(), r.normal()],
        (v) => awayFromKinks("MaxGate")({ x: v }),
      );
      return { x, dz };
    }
    case "ReciprocalGate":
      return { x: [(r.uniform() < 0.5 ? -1 : 1) * r.uniform(0.5, 2)], dz }; // |x| in [0.5, 2]
    case "ScaleGate":
    case "OffsetGate":
      return { ctor: [r.uniform(-3, 3)], x: [r.normal()], dz };
    default: // ExpGate, SigmoidGate
      return { x: [r.normal()], dz };
  }
}

function layerInputs(target: Target, r: Random, d: Required<Pick<Dims, "N" | "D">> & Dims, variant: Variant): Record<string, Value> {
  const { N, D } = d;
  const M = d.M ?? D;
  const param = variant.param === undefined ? {} : { [target === "elu" ? "alpha" : "slope"]: variant.param };
  switch (target) {
    case "affine":
      return { x: r.matrix(N, D), w: r.matrix(D, M), b: r.matrix(1, M), dout: r.matrix(N, M) };
    case "relu":
    case "leakyRelu":
    case "elu":
      return { x: r.matrixAwayFromZero(N, D), ...param, dout: r.matrix(N, D) };
    case "maxout": {
      const drawn = drawUntil(
        "maxout inputs",
        () => ({ x: r.matrix(N, D), w1: r.matrix(D, M), b1: r.matrix(1, M), w2: r.matrix(D, M), b2: r.matrix(1, M) }),
        awayFromKinks("maxout"), // no ties between the two branches
      );
      return { ...drawn, dout: r.matrix(N, M) };
    }
    default: // sigmoid, tanh
      return { x: r.matrix(N, D), dout: r.matrix(N, D) };
  }
}

function lossInputs(target: Target, r: Random, d: Dims, variant: Variant): Record<string, Value> {
  const N = d.N ?? 3;
  const C = d.C ?? 4;
  const scale = variant.scoreScale ?? 1;
  if (target === "svmLoss" || target === "softmaxLoss") {
    const drawn = drawUntil("loss scores", () => ({ scores: r.matrix(N, C, scale), y: r.labels(N, C) }), awayFromKinks(target));
    return drawn;
  }
  const D = d.D ?? 5;
  const drawn = drawUntil(
    "linear classifier inputs",
    () => ({ W: r.matrix(D, C, scale / Math.sqrt(D)), X: r.matrix(N, D), y: r.labels(N, C) }),
    awayFromKinks(target),
  );
  return { ...drawn, reg: variant.reg ?? 0 };
}

function netInputs(target: Target, r: Random, d: Dims, variant: Variant): Record<string, Value> {
  const N = d.N ?? 4;
  const D = d.D ?? 5;
  const H = d.H ?? 7;
  const C = d.C ?? 3;
  const drawn = drawUntil(
    "two-layer net inputs",
    () => ({
      W1: r.matrix(D, H, 1 / Math.sqrt(D)),
      b1: r.matrix(1, H, 0.1),
      W2: r.matrix(H, C, 1 / Math.sqrt(H)),
      b2: r.matrix(1, C, 0.1),
      X: r.matrix(N, D),
    }),
    awayFromKinks(target), // no ReLU input near 0
  );
  if (target === "twoLayerNetScores") return drawn;
  return { ...drawn, y: r.labels(N, C), reg: variant.reg ?? 0 };
}

/** The inputs of one case: a pure function of (target, dims, variant, seed). */
function drawInputs(target: Target, dims: Dims, variant: Variant, seed: string): Record<string, Value> {
  const r = new Random(seed);
  if (isGate(target)) return gateInputs(target, r, variant);
  if (target === "ComputationalGraph") return graphInputs(r, variant);
  if (isLayer(target)) return layerInputs(target, r, { N: dims.N ?? 3, D: dims.D ?? 5, ...dims }, variant);
  if (target === "twoLayerNetScores" || target === "twoLayerNetLoss") return netInputs(target, r, dims, variant);
  return lossInputs(target, r, dims, variant);
}

/** A whole case: seeded inputs, and the reference's outputs as `expected`. */
export function makeCase(id: string, target: Target, dims: Dims, variant: Variant, seed: string, reference: ReferenceAnswers = referenceAnswers): Case {
  const inputs = drawInputs(target, dims, variant, seed);
  const partial: Case = { id, target, exports: exportsOf(target), seed, inputs, expected: {} };
  const expected = reference.run(partial) as Record<string, Value>;
  return { ...partial, expected };
}
