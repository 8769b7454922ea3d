/**
 * graph.ts: a computational graph of gates, with forward and backward.
 *
 * It must work with ANY object that has forward(...numbers) and backward(dz) => number[],
 * not only with the gates of gates.ts, so this file imports nothing.
 */

/** Anything with the forward/backward API. backward returns one gradient per input, in order. */
export interface Gate {
  forward(...inputs: number[]): number;
  backward(dz: number): number[];
}

/**
 * One node: its name, its own gate instance, and the names of its inputs. An input name is
 * either a graph input or the name of another node.
 */
export interface GraphNode {
  name: string;
  gate: Gate;
  inputs: string[];
}

export class ComputationalGraph {
  readonly inputs: string[];
  readonly nodes: GraphNode[];
  readonly output: string;

  /**
   * @param inputs the graph's input names, e.g. ["x", "y", "z"]
   * @param nodes  the nodes, in ANY order (you must order them yourself)
   * @param output the name of the node (or input) whose value forward returns
   */
  constructor(inputs: string[], nodes: GraphNode[], output: string) {
    this.inputs = inputs;
    this.nodes = nodes;
    this.output = output;
    // TODO (here or in forward): sort the nodes topologically, so that every node comes
    //       after the nodes it reads. Sort a copy ([...nodes]): never modify an argument.
    //       Do not throw here for a well-formed graph.
  }

  /** Runs every gate's forward in topological order; returns the value of `output`. */
  forward(values: Record<string, number>): number {
    // forward pass
    // 1. TODO: start a table name -> value with the graph inputs from `values`
    // 2. TODO: for (const node of nodes_topologically_sorted):
    //            value[node.name] = node.gate.forward(...node.inputs.map((i) => value[i]))
    // 3. TODO: return value[output]  // the final gate outputs the result
    throw new Error("ComputationalGraph: not implemented yet (TODO in graph.ts)");
  }

  /** d output / d each graph input, after a forward. One entry per graph input (0 if unused). */
  backward(): Record<string, number> {
    // backward pass
    // 1. TODO: grad[output] = 1  (d output / d output)
    // 2. TODO: for (const node of reversed(nodes_topologically_sorted)):
    //            const dins = node.gate.backward(grad[node.name] ?? 0);
    //            node.inputs.forEach((i, k) => grad[i] = (grad[i] ?? 0) + dins[k]);
    //          gradients ADD at branches: a value read by several nodes sums their gradients
    // 3. TODO: return { [input]: grad[input] ?? 0 } for every graph input
    // A second call to backward() must return the same result: start from a fresh table.
    throw new Error("ComputationalGraph: not implemented yet (TODO in graph.ts)");
  }
}
