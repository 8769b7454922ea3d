/**
 * A graph as one line of text, for messages, details and replays: its nodes as formulas in the
 * order given, its output, and its input values.
 */
import type { GateName, GraphNodeSpec, GraphSpec } from "./case";
import type { Values } from "./graph-generators";
import { fullNumber as full } from "../format-number";

/** One node as a formula: "q = x + y", "o = σ(v)", "e = -1·d". */
function formula(n: GraphNodeSpec, f: (v: number) => string): string {
  const [a, b] = n.inputs;
  const k = n.gate.ctor?.[0] ?? NaN;
  const body: Record<GateName, string> = {
    AddGate: `${a} + ${b}`,
    MultiplyGate: `${a}·${b}`,
    MaxGate: `max(${a}, ${b})`,
    ExpGate: `exp(${a})`,
    ReciprocalGate: `1/${a}`,
    ScaleGate: `${f(k)}·${a}`,
    OffsetGate: `${f(k)} + ${a}`,
    SigmoidGate: `σ(${a})`,
  };
  return `${n.name} = ${body[n.gate.type]}`;
}

/** The graph as its nodes in the order given, and its values: one line. */
export function showGraph(spec: GraphSpec, values: Values, f: (v: number) => string = full): string {
  return `nodes [${spec.nodes.map((n) => formula(n, f)).join("; ")}], output ${spec.output}, values ${spec.inputs.map((i) => `${i} = ${f(values[i])}`).join(", ")}`;
}
