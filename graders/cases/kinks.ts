/**
 * Where a case sits near a kink: a ReLU-family input near 0, a hinge margin near 0, a max with a
 * near-tie (MaxGate, maxout, a MaxGate inside a graph), a net's hidden pre-activation near 0.
 * The generator redraws until there is none; a gradient check skips a case that has one, since
 * a finite difference across a kink says nothing about the student (CS231n's notes on gradient
 * checks, "kinks in the objective": cs231n.github.io/neural-networks-3/#gradcheck).
 */
import type { GateName, GraphSpec, Mat, Target, Value } from "./case";
import { addRow, mmul } from "./mat";

export { KINK_MARGIN } from "./case";

/** Every hinge margin s_j − s_y + 1 (j ≠ y). */
function hingeMargins(scores: Mat, y: number[]): number[] {
  return scores.flatMap((row, i) => row.filter((_, j) => j !== y[i]).map((s) => s - row[y[i]] + 1));
}

/**
 * A gate's value as docs/api.md defines it (the forward only: enough to find where a graph's
 * max nodes are near a tie). The grader's own, not the reference's: the starter kit, which has no
 * reference code, finds kinks too.
 */
const GATE_VALUE: Record<GateName, (args: number[], ctor: number[]) => number> = {
  AddGate: ([x, y]) => x + y,
  MultiplyGate: ([x, y]) => x * y,
  MaxGate: ([x, y]) => Math.max(x, y),
  ExpGate: ([x]) => Math.exp(x),
  ReciprocalGate: ([x]) => 1 / x,
  ScaleGate: ([x], [a]) => a * x,
  OffsetGate: ([x], [c]) => c + x,
  SigmoidGate: ([x]) => 1 / (1 + Math.exp(-x)),
};

/** The values at MaxGate inputs of a graph: the differences x − y of each max node. */
function graphMaxGaps(spec: GraphSpec, values: Record<string, number>): number[] {
  const known = new Map(Object.entries(values));
  const gaps: number[] = [];
  const pending = [...spec.nodes];
  while (pending.length > 0) {
    const k = pending.findIndex((n) => n.inputs.every((i) => known.has(i)));
    if (k < 0) break; // a malformed graph: the loader reports it
    const [node] = pending.splice(k, 1);
    const args = node.inputs.map((i) => known.get(i) as number);
    if (node.gate.type === "MaxGate") gaps.push(args[0] - args[1]);
    known.set(node.name, GATE_VALUE[node.gate.type](args, node.gate.ctor ?? []));
  }
  return gaps;
}

/** The arguments whose sign decides a branch, for a target's inputs (empty where there is none). */
export function kinkArguments(target: Target, inputs: Record<string, Value>): number[] {
  const m = (name: string) => inputs[name] as Mat;
  switch (target) {
    case "MaxGate": {
      const [a, b] = inputs.x as number[];
      return [a - b];
    }
    case "ComputationalGraph":
      return graphMaxGaps(inputs.graph as GraphSpec, inputs.values as Record<string, number>);
    case "relu":
    case "leakyRelu":
    case "elu":
      return m("x").flat();
    case "maxout": {
      const z1 = addRow(mmul(m("x"), m("w1")), m("b1")).flat();
      const z2 = addRow(mmul(m("x"), m("w2")), m("b2")).flat();
      return z1.map((z, k) => z - z2[k]);
    }
    case "svmLoss":
      return hingeMargins(m("scores"), inputs.y as number[]);
    case "linearSvmLoss":
      return hingeMargins(mmul(m("X"), m("W")), inputs.y as number[]);
    case "twoLayerNetScores":
    case "twoLayerNetLoss":
      return addRow(mmul(m("X"), m("W1")), m("b1")).flat();
    default:
      return [];
  }
}

/** The smallest distance of a case's inputs from a kink (Infinity when it has none). */
export function kinkDistance(target: Target, inputs: Record<string, Value>): number {
  return kinkArguments(target, inputs).reduce((m, v) => Math.min(m, Math.abs(v)), Infinity);
}

/**
 * Which side of its kink each kink argument is on (+, − or 0), as one string. Two inputs with the
 * same signature lie on the same smooth piece; a finite difference whose x ± h has another
 * signature than x crossed a kink (CS231n's "winner tracking"; Chainer's check_backward raises
 * NondifferentiableError for the same reason).
 */
export function branchSignature(target: Target, inputs: Record<string, Value>): string {
  return kinkArguments(target, inputs)
    .map((v) => (v > 0 ? "+" : v < 0 ? "-" : "0"))
    .join("");
}
