/**
 * Random computational graphs for the graph checks (checks/graph-properties.ts, checks/reuse.ts):
 * graphs as data (GraphSpecs of the grader's own gates), drawn with the case generator's seeded
 * Random, and values for their inputs kept away from every kink (a max tie), so a correct graph's
 * gradient is defined at every sample.
 */
import type { GateName, GraphNodeSpec, GraphSpec } from "./case";
import { GRAPHS } from "./generate";
import { KINK_MARGIN, kinkDistance } from "./kinks";
import { type Random, drawUntil } from "./random";

/** A value for every graph input (or a gradient for every graph input), by name. */
export type Values = Record<string, number>;

/** One node of a graph: `name` = gate `type` (constructed with `ctor`) applied to `inputs`. */
export function node(name: string, type: GateName, inputs: string[], ctor?: number[]): GraphNodeSpec {
  return { name, gate: ctor ? { type, ctor } : { type }, inputs };
}

const pick = <T>(r: Random, items: readonly T[]): T => items[r.int(items.length)];
const sign = (r: Random) => (r.uniform() < 0.5 ? -1 : 1);

export interface BranchGraph {
  spec: GraphSpec;
  values: Values;
  /** The value that feeds several nodes, and how many times it is used. */
  source: string;
  uses: number;
}

/**
 * A graph where one value s (the input x, or a node q computed from x) is used k ∈ {2, 3, 4}
 * times, by nodes that use it once (s·y, z + s, max(s, y), σ(s) …) or twice (s·s, s + s); their
 * outputs are combined by adds and multiplies and scaled. Nodes in topological order; no max tie.
 */
export function branchGraph(r: Random): BranchGraph {
  const nodes: GraphNodeSpec[] = [];
  let s = "x";
  if (r.uniform() < 0.4) {
    const q = pick(r, [
      () => node("q", "AddGate", ["x", "y"]),
      () => node("q", "MultiplyGate", ["x", "y"]),
      () => node("q", "ScaleGate", ["x"], [sign(r) * r.uniform(0.5, 2)]),
      () => node("q", "OffsetGate", ["x"], [r.uniform(-1, 1)]),
      () => node("q", "SigmoidGate", ["x"]),
    ])();
    nodes.push(q);
    s = "q";
  }
  const uses = 2 + r.int(3);
  const consumers: string[] = [];
  for (let left = uses; left > 0;) {
    const name = `b${consumers.length + 1}`;
    if (left >= 2 && r.uniform() < 0.35) {
      nodes.push(node(name, pick(r, ["MultiplyGate", "AddGate"] as const), [s, s]));
      left -= 2;
    } else {
      nodes.push(
        pick(r, [
          () => node(name, "MultiplyGate", [s, "y"]),
          () => node(name, "MultiplyGate", ["z", s]),
          () => node(name, "AddGate", [s, "z"]),
          () => node(name, "AddGate", ["y", s]),
          () => node(name, "MaxGate", [s, "y"]),
          () => node(name, "MaxGate", ["z", s]),
          () => node(name, "SigmoidGate", [s]),
          () => node(name, "ExpGate", [s]),
          () => node(name, "ScaleGate", [s], [sign(r) * r.uniform(0.5, 2)]),
        ])(),
      );
      left -= 1;
    }
    consumers.push(name);
  }
  let acc = consumers[0];
  consumers.slice(1).forEach((c, k) => {
    nodes.push(node(`c${k + 1}`, pick(r, ["AddGate", "MultiplyGate"] as const), [acc, c]));
    acc = `c${k + 1}`;
  });
  nodes.push(node("out", "ScaleGate", [acc], [sign(r) * r.uniform(0.5, 2)]));
  const spec: GraphSpec = { inputs: ["x", "y", "z"], nodes, output: "out" };
  const values = drawUntil(
    "branch graph values",
    () => ({ x: sign(r) * r.uniform(0.25, 1.5), y: sign(r) * r.uniform(0.25, 1.5), z: sign(r) * r.uniform(0.25, 1.5) }),
    (v) => kinkDistance("ComputationalGraph", { graph: spec, values: v }) >= KINK_MARGIN,
  );
  return { spec, values, source: s, uses };
}

/**
 * A graph without branches (every value used once), in topological order: the lecture's f = (x + y)·z,
 * its sigmoid neuron, or a random expression tree over 3-5 inputs.
 */
export function orderGraph(r: Random): { spec: GraphSpec; values: Values } {
  const kind = r.int(4);
  let spec: GraphSpec;
  if (kind === 0) spec = structuredClone(GRAPHS.lecture) as GraphSpec;
  else if (kind === 1) spec = structuredClone(GRAPHS.neuron) as GraphSpec;
  else {
    const inputs = Array.from({ length: 3 + r.int(3) }, (_, i) => `x${i}`);
    const pool = [...inputs];
    const nodes: GraphNodeSpec[] = [];
    const take = () => pool.splice(r.int(pool.length), 1)[0];
    while (pool.length > 1 || nodes.length < 4) {
      const name = `n${nodes.length + 1}`;
      if (pool.length > 1 && r.uniform() < 0.7) {
        const [a, b] = [take(), take()];
        nodes.push(node(name, pick(r, ["AddGate", "MultiplyGate", "MaxGate"] as const), [a, b]));
      } else {
        const a = take();
        nodes.push(
          pick(r, [
            () => node(name, "ScaleGate", [a], [sign(r) * r.uniform(0.5, 2)]),
            () => node(name, "OffsetGate", [a], [r.uniform(-1, 1)]),
            () => node(name, "SigmoidGate", [a]),
          ])(),
        );
      }
      pool.push(name);
    }
    spec = { inputs, nodes, output: pool[0] };
  }
  return { spec, values: graphValues(r, spec) };
}

/** Values for every input of the graph: N(0, 1), at least KINK_MARGIN from 0 and from every kink. */
export function graphValues(r: Random, spec: GraphSpec): Values {
  return drawUntil(
    "graph values",
    () => Object.fromEntries(spec.inputs.map((i) => [i, r.normalAwayFrom(0)])) as Values,
    (v) => kinkDistance("ComputationalGraph", { graph: spec, values: v }) >= KINK_MARGIN,
  );
}
