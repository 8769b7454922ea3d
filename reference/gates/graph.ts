/**
 * A computational graph over ANY gates with forward(...numbers) / backward(dz) => number[].
 * forward: visit nodes in topological order, each gate computes its value from its inputs' values.
 * backward: visit them in reverse, each gate turns d output/d(its value) into its inputs' gradients
 * (chain rule); a value that feeds several nodes gets the SUM of their gradients (branches add).
 */

export interface Gate {
  forward(...inputs: number[]): number;
  backward(dz: number): number[];
}

export interface GraphNode {
  name: string;
  gate: Gate;
  inputs: string[]; // graph inputs or node names
}

export class ComputationalGraph {
  private readonly order: GraphNode[];
  private values = new Map<string, number>();

  constructor(
    private readonly inputs: string[],
    nodes: GraphNode[],
    private readonly output: string,
  ) {
    this.order = topologicalSort(inputs, nodes);
    if (!this.order.some((n) => n.name === output) && !inputs.includes(output)) {
      throw new Error(`ComputationalGraph: output "${output}" is neither a node nor a graph input`);
    }
  }

  forward(values: Record<string, number>): number {
    this.values = new Map();
    for (const name of this.inputs) {
      if (typeof values[name] !== "number") throw new Error(`ComputationalGraph.forward: no value for input "${name}"`);
      this.values.set(name, values[name]);
    }
    for (const node of this.order) {
      const args = node.inputs.map((i) => this.values.get(i) as number);
      this.values.set(node.name, node.gate.forward(...args));
    }
    return this.values.get(this.output) as number;
  }

  backward(): Record<string, number> {
    const grad = new Map<string, number>([[this.output, 1]]); // d output / d output
    for (const node of [...this.order].reverse()) {
      const dz = grad.get(node.name) ?? 0;
      const dInputs = node.gate.backward(dz);
      node.inputs.forEach((name, k) => grad.set(name, (grad.get(name) ?? 0) + dInputs[k])); // branches add
    }
    return Object.fromEntries(this.inputs.map((name) => [name, grad.get(name) ?? 0]));
  }
}

/** Nodes may come in any order: repeatedly take one whose inputs are all known. A cycle or an
 *  unknown input is an error. */
function topologicalSort(inputs: string[], nodes: GraphNode[]): GraphNode[] {
  const known = new Set([...inputs, ...nodes.map((n) => n.name)]);
  for (const node of nodes) {
    for (const i of node.inputs) {
      if (!known.has(i)) throw new Error(`ComputationalGraph: node "${node.name}" reads unknown "${i}"`);
    }
  }
  const ready = new Set(inputs);
  const pending = [...nodes];
  const order: GraphNode[] = [];
  while (pending.length > 0) {
    const k = pending.findIndex((n) => n.inputs.every((i) => ready.has(i)));
    if (k < 0) throw new Error(`ComputationalGraph: cycle through ${pending.map((n) => `"${n.name}"`).join(", ")}`);
    const [node] = pending.splice(k, 1);
    order.push(node);
    ready.add(node.name);
  }
  return order;
}
