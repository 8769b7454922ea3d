/**
 * Wrong ways to run a computational graph, for the diagnosis catalog (judge/diagnose/gates.ts): forward then
 * backward with the reference's gates over an order a student's graph may use, adding gradients at
 * branches or overwriting them. They are questions to the reference (graders/reference/reference-answers.ts,
 * ReferenceRunOptions.walk), answered here by the live reference only: a walk that adds over a
 * topological order is a working graph, and the starter kit, which must hold no solution, gets
 * these answers recorded instead.
 */
import type { Case, GraphSpec } from "../cases/case";
import type { Implementation } from "../cases/run";
import type { GraphWalk } from "./reference-answers";

type Node = GraphSpec["nodes"][number];
type GateClass = new (...ctor: number[]) => { forward: (...x: number[]) => number; backward: (dz: number) => number[] };

/** The nodes in the order a walk takes: a ready-first scan (Kahn-like), a DFS post-order, or as given. */
function orderOf(spec: GraphSpec, order: GraphWalk["order"]): Node[] {
  if (order === "given") return spec.nodes;
  if (order === "kahn") {
    const out: Node[] = [];
    const ready = new Set(spec.inputs);
    const pending = [...spec.nodes];
    while (pending.length > 0) {
      const k = pending.findIndex((n) => n.inputs.every((i) => ready.has(i)));
      if (k < 0) break;
      const [n] = pending.splice(k, 1);
      out.push(n);
      ready.add(n.name);
    }
    return out;
  }
  const byName = new Map(spec.nodes.map((n) => [n.name, n]));
  const out: Node[] = [];
  const done = new Set<string>();
  const visit = (n: Node) => {
    if (done.has(n.name)) return;
    done.add(n.name);
    for (const i of n.inputs) if (byName.has(i)) visit(byName.get(i)!);
    out.push(n);
  };
  spec.nodes.forEach(visit);
  return out;
}

/**
 * The graph case run with `gates` (the reference's) over the walk's order; `overwrite`:
 * grad[src] = g instead of +=. A node read before its value exists reads undefined (NaN), as a
 * student's walk in the given order would.
 */
export function walkGraph(c: Case, walk: GraphWalk, gates: Implementation): Record<string, unknown> {
  const spec = c.inputs.graph as GraphSpec;
  const values = new Map<string, number>(Object.entries(c.inputs.values as Record<string, number>));
  const instances = orderOf(spec, walk.order).map((n) => ({ node: n, gate: new (gates[n.gate.type] as GateClass)(...(n.gate.ctor ?? [])) }));
  for (const { node, gate } of instances) values.set(node.name, gate.forward(...node.inputs.map((i) => values.get(i) as number)));
  const grad = new Map<string, number>([[spec.output, 1]]);
  for (const { node, gate } of [...instances].reverse()) {
    const g = gate.backward(grad.get(node.name) ?? 0);
    node.inputs.forEach((src, k) => grad.set(src, walk.overwrite ? g[k] : (grad.get(src) ?? 0) + g[k]));
  }
  return { value: values.get(spec.output), grads: Object.fromEntries(spec.inputs.map((n) => [n, grad.get(n) ?? 0])) };
}
