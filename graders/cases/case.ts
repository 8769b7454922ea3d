/**
 * A case: one exercise of one or more contract exports, as plain JSON data.
 *
 * The same shape is used by the golden fixtures (fixtures/golden/<assignment>.json, made from the
 * reference), by the independent PyTorch oracle (fixtures/oracle/<assignment>.json), by the sample-class
 * regression tests and by the grader. `inputs` are what the student's code receives (matrices as
 * number[][], labels as number[]); `expected` is what a correct implementation returns.
 *
 * Per target (the names of `inputs` → `expected`):
 *   gates      AddGate, MultiplyGate, MaxGate, ExpGate, ReciprocalGate, SigmoidGate,
 *              ScaleGate, OffsetGate
 *                { ctor?: number[], x: number[], dz } → { z, grads: number[] }
 *              ComputationalGraph
 *                { graph: GraphSpec, values: {name: number} } → { value, grads: {name: number} }
 *              objects in use: instead of x/dz or values, `sequences` (Call[][]): each sequence's
 *              calls on ONE new gate (or graph), in order → { results: what each call returned }
 *                { ctor?, sequences } or { graph, sequences } → { results: unknown[][] }
 *   layers     affine     { x, w, b, dout }               → { out, dx, dw, db }
 *              relu, sigmoid, tanh  { x, dout }           → { out, dx }
 *              leakyRelu  { x, slope?, dout }             → { out, dx }
 *              elu        { x, alpha?, dout }             → { out, dx }
 *              maxout     { x, w1, b1, w2, b2, dout }     → { out, dx, dw1, db1, dw2, db2 }
 *   classifiers svmLoss, softmaxLoss   { scores, y }      → { loss, dscores }
 *              linearSvmLoss, linearSoftmaxLoss { W, X, y, reg } → { loss, dW }
 *   two-layer-net twoLayerNetScores { W1, b1, W2, b2, X } → { scores }
 *              twoLayerNetLoss   { W1, b1, W2, b2, X, y, reg } → { loss, dW1, db1, dW2, db2 }
 * An optional input that is absent (slope, alpha) means "call with the contract's default".
 */

export type Mat = number[][];

/** A gate inside a graph spec: the contract's gate class by name, with its constructor args. */
interface GateSpec {
  type: GateName;
  ctor?: number[];
}
export interface GraphNodeSpec {
  name: string;
  gate: GateSpec;
  inputs: string[];
}
export interface GraphSpec {
  inputs: string[];
  nodes: GraphNodeSpec[];
  output: string;
}

/** One call on a gate or a graph of an objects-in-use case: gates forward(...x) and backward(dz),
 *  the graph forward(values) and backward(). */
export interface Call {
  method: "forward" | "backward";
  args: (number | Record<string, number>)[];
}

export type Value = number | number[] | Mat | GraphSpec | Record<string, number> | Call[][];

export const GATE_NAMES = ["AddGate", "MultiplyGate", "MaxGate", "ExpGate", "ReciprocalGate", "ScaleGate", "OffsetGate", "SigmoidGate"] as const;
export type GateName = (typeof GATE_NAMES)[number];

/** How far every kink argument stays from its kink in generated cases (see kinks.ts). */
export const KINK_MARGIN = 1e-2;

export const LAYER_NAMES = ["affine", "relu", "sigmoid", "tanh", "leakyRelu", "elu", "maxout"] as const;
export type LayerName = (typeof LAYER_NAMES)[number];

const LOSS_NAMES = ["svmLoss", "softmaxLoss", "linearSvmLoss", "linearSoftmaxLoss"] as const;
export type LossName = (typeof LOSS_NAMES)[number];

export const NET_NAMES = ["twoLayerNetScores", "twoLayerNetLoss"] as const;
export type NetName = (typeof NET_NAMES)[number];

export type Target = GateName | "ComputationalGraph" | LayerName | LossName | NetName;

export const ASSIGNMENTS = ["gates", "layers", "classifiers", "two-layer-net"] as const;
export type AssignmentName = (typeof ASSIGNMENTS)[number];

export interface Case {
  /** Unique within its file, e.g. "affine/3x5x7/0". */
  id: string;
  target: Target;
  /** The contract exports this case calls, e.g. ["affineForward", "affineBackward"]. */
  exports: string[];
  /** How to replay the draw: "<prefix>:<id>" for our seedrandom generator (graders/cases/generate.ts),
   *  "numpy:<seed>:<id>" for the oracle (scripts/torch-oracle.py). */
  seed: string;
  inputs: Record<string, Value>;
  expected: Record<string, Value>;
}

export interface CaseFile {
  format: 1;
  assignment: AssignmentName;
  /** What wrote this file, e.g. "scripts/make-fixtures.ts" or "scripts/torch-oracle.py". */
  generator: string;
  cases: Case[];
}

/** The exports a target's case calls, in call order. */
export function exportsOf(target: Target): string[] {
  if ((LAYER_NAMES as readonly string[]).includes(target)) return [`${target}Forward`, `${target}Backward`];
  return [target];
}

/** Which assignment a target belongs to. */
export function assignmentOf(target: Target): AssignmentName {
  if ((GATE_NAMES as readonly string[]).includes(target) || target === "ComputationalGraph") return "gates";
  if ((LAYER_NAMES as readonly string[]).includes(target)) return "layers";
  if ((LOSS_NAMES as readonly string[]).includes(target)) return "classifiers";
  return "two-layer-net";
}

/** How a value is passed to (or returned by) student code. */
export type Kind = "matrix" | "labels" | "number";

/** A dimension: a size symbol bound by the inputs (N, D, M, H, C) or a literal (bias rows are 1). */
export type Dim = "N" | "D" | "M" | "H" | "C" | 1;

export interface Slot {
  name: string;
  kind: Kind;
  /** Matrices: rows × columns. Labels: [length]; their values lie in [0, C). */
  shape?: Dim[];
  /** May be absent from a case (then the contract's default is used). */
  optional?: true;
}

/** The arguments and results of a target, by name, in call order (see the table at the top). */
export interface Signature {
  /** Arguments of the (forward) call, in order. */
  args: Slot[];
  /** Layers only: the upstream gradient passed to the backward, shaped like `out`. */
  upstream?: Slot;
  /** What `expected` holds. */
  outputs: Slot[];
}

const M = (name: string, rows: Dim, cols: Dim): Slot => ({ name, kind: "matrix", shape: [rows, cols] });
const N = (name: string): Slot => ({ name, kind: "number" });
const Y: Slot = { name: "y", kind: "labels", shape: ["N"] };
const pointwise = (extra: Slot[] = []): Signature => ({
  args: [M("x", "N", "D"), ...extra],
  upstream: M("dout", "N", "D"),
  outputs: [M("out", "N", "D"), M("dx", "N", "D")],
});
const affine = (w: string, b: string): Slot[] => [M(w, "D", "M"), M(b, 1, "M")];
const netParams: Slot[] = [M("W1", "D", "H"), M("b1", 1, "H"), M("W2", "H", "C"), M("b2", 1, "C")];

export const SIGNATURES: Record<LayerName | LossName | NetName, Signature> = {
  affine: {
    args: [M("x", "N", "D"), ...affine("w", "b")],
    upstream: M("dout", "N", "M"),
    outputs: [M("out", "N", "M"), M("dx", "N", "D"), ...affine("dw", "db")],
  },
  relu: pointwise(),
  sigmoid: pointwise(),
  tanh: pointwise(),
  leakyRelu: pointwise([{ ...N("slope"), optional: true }]),
  elu: pointwise([{ ...N("alpha"), optional: true }]),
  maxout: {
    args: [M("x", "N", "D"), ...affine("w1", "b1"), ...affine("w2", "b2")],
    upstream: M("dout", "N", "M"),
    outputs: [M("out", "N", "M"), M("dx", "N", "D"), ...affine("dw1", "db1"), ...affine("dw2", "db2")],
  },
  svmLoss: { args: [M("scores", "N", "C"), Y], outputs: [N("loss"), M("dscores", "N", "C")] },
  softmaxLoss: { args: [M("scores", "N", "C"), Y], outputs: [N("loss"), M("dscores", "N", "C")] },
  linearSvmLoss: { args: [M("W", "D", "C"), M("X", "N", "D"), Y, N("reg")], outputs: [N("loss"), M("dW", "D", "C")] },
  linearSoftmaxLoss: { args: [M("W", "D", "C"), M("X", "N", "D"), Y, N("reg")], outputs: [N("loss"), M("dW", "D", "C")] },
  twoLayerNetScores: { args: [...netParams, M("X", "N", "D")], outputs: [M("scores", "N", "C")] },
  twoLayerNetLoss: {
    args: [...netParams, M("X", "N", "D"), Y, N("reg")],
    outputs: [N("loss"), M("dW1", "D", "H"), M("db1", 1, "H"), M("dW2", "H", "C"), M("db2", 1, "C")],
  },
};

export function isLayer(target: Target): target is LayerName {
  return (LAYER_NAMES as readonly string[]).includes(target);
}
export function isGate(target: Target): target is GateName {
  return (GATE_NAMES as readonly string[]).includes(target);
}

/** Which outputs of a case belong to `exportName` (a layer's out is its forward's, the rest its backward's). */
export function outputsOf(c: Case, exportName: string): string[] {
  if (isGate(c.target)) return ["z", "grads"];
  if (c.target === "ComputationalGraph") return ["value", "grads"];
  const names = SIGNATURES[c.target].outputs.map((o) => o.name);
  if (isLayer(c.target)) return exportName.endsWith("Forward") ? ["out"] : names.filter((n) => n !== "out");
  return names;
}
