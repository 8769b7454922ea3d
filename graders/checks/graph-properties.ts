/**
 * Property checks of a student's ComputationalGraph, on graphs built from GateSpecs with random
 * values (here, or drawn by cases/graph-generators.ts; fast-check, fixed seed: see checkProperty in
 * property.ts). The sandbox
 * always builds a graph case from the grader's own gates, so only the graph's own logic is
 * tested: routing each gate's k-th gradient to the node's k-th input, adding at branches, sorting.
 *
 * The three lecture patterns (add distributes, max routes, multiply switches) and the branches
 * check list their nodes in topological order and compare with the reference graph run here;
 * the order check compares the student's graph with itself, on graphs without branches (where a
 * correct graph's answer cannot depend on the order, and a bug at branches cannot show up).
 * Each sample asks the reference its questions before it judges, the ones only a failure needs
 * too: they depend on the sample alone, so the starter kit's recording (made on a correct
 * graph) holds every answer a wrong graph's sample can ask for (graders/reference/reference-answers.ts).
 */
import fc from "fast-check";
import type { Case, GraphNodeSpec, GraphSpec } from "../cases/case";
import { type Values, branchGraph, node, orderGraph } from "../cases/graph-generators";
import { Random } from "../cases/random";
import { describe } from "../cases/shapes";
import { showGraph } from "../cases/show-graph";
import type { Check, CheckContext, RegisteredCheck } from "./context";
import { TOLERANCE_RULE, between, full, magnitude, short, subSeed, withinPropertyTol } from "./arbitraries";
import { type Broken, type RunStudentCase, checkProperty } from "./property";

interface GraphAnswer {
  value: number;
  grads: Values;
}

// ------------------------------------------------------------------------------- graphs as data

function graphCase(ctx: CheckContext, spec: GraphSpec, values: Values): Case {
  return {
    id: `ComputationalGraph/${ctx.spec.check ?? "properties"}`,
    target: "ComputationalGraph",
    exports: ["ComputationalGraph"],
    seed: ctx.seed,
    inputs: { graph: spec, values },
    expected: {},
  };
}

/** { value, grads } from an answer: a finite value and a finite gradient for every graph input. */
function readGraph(answer: unknown, spec: GraphSpec, where: string): GraphAnswer | Broken {
  const a = typeof answer === "object" && answer !== null ? (answer as Record<string, unknown>) : {};
  const at = where ? ` ${where}` : "";
  if (typeof a.value !== "number" || !Number.isFinite(a.value)) return { message: `forward returned ${describe(a.value)}, expected a finite number${at}` };
  const grads = a.grads;
  if (typeof grads !== "object" || grads === null || Array.isArray(grads)) {
    return { message: `backward() returned ${describe(grads)}, expected an object with one gradient per graph input (${spec.inputs.join(", ")})${at}` };
  }
  const g = grads as Record<string, unknown>;
  const bad = spec.inputs.find((i) => typeof g[i] !== "number" || !Number.isFinite(g[i] as number));
  if (bad !== undefined) return { message: `backward()'s "${bad}" is ${describe(g[bad])}, expected a finite number (d output / d ${bad})${at}` };
  return { value: a.value, grads: Object.fromEntries(spec.inputs.map((i) => [i, g[i] as number])) };
}

const isBroken = (v: GraphAnswer | Broken): v is Broken => "message" in v;

/** The reference graph with the reference gates, in the grader's process. */
function referenceGraph(ctx: CheckContext, spec: GraphSpec, values: Values): GraphAnswer {
  const r = ctx.reference.run(graphCase(ctx, spec, values)) as { value: number; grads: Values };
  return { value: r.value, grads: r.grads };
}

async function runGraph(ctx: CheckContext, run: RunStudentCase, spec: GraphSpec, values: Values, where: string): Promise<GraphAnswer | Broken> {
  return readGraph(await run(graphCase(ctx, spec, values)), spec, where);
}

const gradsLine = (g: Values, f: (v: number) => string = full) =>
  Object.entries(g)
    .map(([k, v]) => `${k}: ${f(v)}`)
    .join(", ");
function graphDetails(got: GraphAnswer, want: GraphAnswer): string {
  return [
    `returned: value ${full(got.value)}, grads {${gradsLine(got.grads)}}`,
    `reference: value ${full(want.value)}, grads {${gradsLine(want.grads)}}`,
    `rule: ${TOLERANCE_RULE}`,
  ].join("\n");
}

const WRONG_INPUTS = "the gradients go to the wrong inputs: the k-th entry of gate.backward(dz) belongs to node.inputs[k].";
const CHAIN =
  "each node's gate.backward must get d output / d (that node), the gradient that reached it from the nodes it feeds, and its result goes to the node's inputs, in order.";

// ------------------------------------------------------------------------------- lecture patterns

/** out = (x + y)·w, w·(x + y) or σ((x + y)·w): d out/dx = d out/dy. */
function addGraph(variant: number): GraphSpec {
  const q = node("q", "AddGate", ["x", "y"]);
  if (variant === 0) return { inputs: ["x", "y", "w"], nodes: [q, node("out", "MultiplyGate", ["q", "w"])], output: "out" };
  if (variant === 1) return { inputs: ["x", "y", "w"], nodes: [q, node("out", "MultiplyGate", ["w", "q"])], output: "out" };
  return { inputs: ["x", "y", "w"], nodes: [q, node("p", "MultiplyGate", ["q", "w"]), node("out", "SigmoidGate", ["p"])], output: "out" };
}

const graphAddDistributes: Check = (ctx) =>
  checkProperty(ctx, {
    arbitrary: fc.record({ x: magnitude(0.25, 2), y: magnitude(0.25, 2), w: magnitude(0.25, 2), variant: fc.integer({ min: 0, max: 2 }) }),
    show: ({ x, y, w, variant }) => showGraph(addGraph(variant), { x, y, w }),
    async holds({ x, y, w, variant }, run) {
      const spec = addGraph(variant);
      const values = { x, y, w };
      const where = `for ${showGraph(spec, values, short)}`;
      const got = await runGraph(ctx, run, spec, values, where);
      if (isBroken(got)) return got;
      const want = referenceGraph(ctx, spec, values);
      const [dx, dy] = [got.grads.x, got.grads.y];
      if (withinPropertyTol(dx, dy) && withinPropertyTol(dx, want.grads.x) && withinPropertyTol(dy, want.grads.y)) return null;
      let diagnosis: string | undefined;
      if ((dx === 0) !== (dy === 0))
        diagnosis = `only ${dx === 0 ? "y" : "x"} gets a gradient from the add node: every input of a node gets its entry of gate.backward(dz).`;
      else if (withinPropertyTol(dx, 1) && withinPropertyTol(dy, 1)) diagnosis = CHAIN;
      const message = !withinPropertyTol(dx, dy)
        ? `an add node does not give both inputs the same gradient: d out/dx = ${short(dx)}, d out/dy = ${short(dy)} (both should be ${short(want.grads.x)}) ${where}`
        : `an add node's inputs get ${short(dx)}, expected d out/d q = ${short(want.grads.x)} ${where}`;
      return { message, details: graphDetails(got, want), ...(diagnosis ? { diagnosis } : {}) };
    },
  });

/** out = max(x, y)·w or w·max(x, y), no tie: the smaller input's gradient is exactly 0. */
function maxGraph(variant: number): GraphSpec {
  const m = node("m", "MaxGate", ["x", "y"]);
  return { inputs: ["x", "y", "w"], nodes: [m, node("out", "MultiplyGate", variant === 0 ? ["m", "w"] : ["w", "m"])], output: "out" };
}

const graphMaxRoutes: Check = (ctx) =>
  checkProperty(ctx, {
    arbitrary: fc
      .record({ x: between(-2, 2), y: between(-2, 2), w: magnitude(0.25, 2), variant: fc.integer({ min: 0, max: 1 }) })
      .filter(({ x, y }) => Math.abs(x - y) >= 1e-2),
    show: ({ x, y, w, variant }) => showGraph(maxGraph(variant), { x, y, w }),
    async holds({ x, y, w, variant }, run) {
      const spec = maxGraph(variant);
      const values = { x, y, w };
      const where = `for ${showGraph(spec, values, short)}`;
      const got = await runGraph(ctx, run, spec, values, where);
      if (isBroken(got)) return got;
      const want = referenceGraph(ctx, spec, values);
      const [winner, loser] = x > y ? ["x", "y"] : ["y", "x"];
      const [gw, gl] = [got.grads[winner], got.grads[loser]];
      if (gl === 0 && withinPropertyTol(gw, want.grads[winner])) return null;
      let diagnosis: string | undefined;
      if (gw === 0 && gl !== 0) diagnosis = WRONG_INPUTS;
      else if (withinPropertyTol(gw, want.grads[winner]) && withinPropertyTol(gl, want.grads[winner]))
        diagnosis = "both inputs of the max node get its gradient: pass on exactly what gate.backward returns, entry k to node.inputs[k].";
      const message =
        gl !== 0
          ? `the smaller input of a max node got d out/d${loser} = ${short(gl)}, expected exactly 0 ${where}`
          : `the larger input of a max node got d out/d${winner} = ${short(gw)}, expected ${short(want.grads[winner])} ${where}`;
      return { message, details: graphDetails(got, want), ...(diagnosis ? { diagnosis } : {}) };
    },
  });

/** out = x·y: grads {x: y, y: x}. */
const MULTIPLY: GraphSpec = { inputs: ["x", "y"], nodes: [node("out", "MultiplyGate", ["x", "y"])], output: "out" };

const graphMultiplySwitches: Check = (ctx) =>
  checkProperty(ctx, {
    arbitrary: fc.record({ x: magnitude(0.25, 2), y: magnitude(0.25, 2) }).filter(({ x, y }) => Math.abs(x - y) >= 1e-2),
    show: ({ x, y }) => showGraph(MULTIPLY, { x, y }),
    async holds({ x, y }, run) {
      const values = { x, y };
      const where = `for out = x·y, x = ${short(x)}, y = ${short(y)}`;
      const got = await runGraph(ctx, run, MULTIPLY, values, where);
      if (isBroken(got)) return got;
      const want = referenceGraph(ctx, MULTIPLY, values);
      const [dx, dy] = [got.grads.x, got.grads.y];
      if (withinPropertyTol(dx, y) && withinPropertyTol(dy, x)) return null;
      let diagnosis: string | undefined;
      if (withinPropertyTol(dx, x) && withinPropertyTol(dy, y)) diagnosis = WRONG_INPUTS;
      else if (withinPropertyTol(dx, 1) && withinPropertyTol(dy, 1))
        diagnosis = "every input gets the output's gradient 1: the graph must call gate.backward(dz) and give its entry k to node.inputs[k].";
      const message = !withinPropertyTol(dx, y)
        ? `d out/dx is not y: d out/dx = ${short(dx)} ${where} (expected ${short(y)})`
        : `d out/dy is not x: d out/dy = ${short(dy)} ${where} (expected ${short(x)})`;
      return { message, details: graphDetails(got, want), ...(diagnosis ? { diagnosis } : {}) };
    },
  });

// ------------------------------------------------------------------------------- branches

/**
 * The graph unshared into a tree: every use of a graph input reads its own copy ("x#2"), every
 * use of a node its own copy of that node. The copies' gradients are each use's contribution.
 */
function unshare(spec: GraphSpec, values: Values): { spec: GraphSpec; values: Values; copies: Record<string, string[]> } {
  const byName = new Map(spec.nodes.map((n) => [n.name, n]));
  const nodes: GraphNodeSpec[] = [];
  const inputs: string[] = [];
  const aliasValues: Values = {};
  const copies: Record<string, string[]> = Object.fromEntries(spec.inputs.map((i) => [i, []]));
  const count = new Map<string, number>();
  const expand = (name: string): string => {
    const k = (count.get(name) ?? 0) + 1;
    count.set(name, k);
    const copy = `${name}#${k}`;
    const n = byName.get(name);
    if (!n) {
      inputs.push(copy);
      aliasValues[copy] = values[name];
      copies[name].push(copy);
      return copy;
    }
    const ins = n.inputs.map(expand);
    nodes.push({ name: copy, gate: n.gate, inputs: ins });
    return copy;
  };
  const output = expand(spec.output);
  return { spec: { inputs, nodes, output }, values: aliasValues, copies };
}

const graphBranchesAdd: Check = (ctx) =>
  checkProperty(ctx, {
    arbitrary: subSeed.map((n) => branchGraph(new Random(`${ctx.seed}:branches:${n}`))),
    show: ({ spec, values }) => showGraph(spec, values),
    async holds({ spec, values, source, uses }, run) {
      const where = `for ${showGraph(spec, values, short)}`;
      const got = await runGraph(ctx, run, spec, values, where);
      if (isBroken(got)) return got;
      const want = referenceGraph(ctx, spec, values);
      // each use's part of the gradient: which wrong gradient is the gradient through one use only (what overwriting leaves)?
      const tree = unshare(spec, values);
      const parts = referenceGraph(ctx, tree.spec, tree.values).grads;
      const wrong = spec.inputs.filter((i) => !withinPropertyTol(got.grads[i], want.grads[i]));
      if (wrong.length === 0 && withinPropertyTol(got.value, want.value)) return null;
      if (wrong.length === 0)
        return { message: `forward returned ${short(got.value)}, expected ${short(want.value)} ${where}`, details: graphDetails(got, want) };
      const overwritten = wrong.find((i) => tree.copies[i].length > 1 && tree.copies[i].some((c) => withinPropertyTol(got.grads[i], parts[c])));
      const v = overwritten ?? wrong[0];
      const diagnosis = overwritten
        ? `gradients overwrite instead of adding at a branch: d out/d${v} = ${short(got.grads[v])} is the gradient through only one of its ${tree.copies[v].length} paths to the output. A value that feeds several nodes gets the SUM of their gradients (grad[name] += …, not =).`
        : "a value that feeds several nodes gets the SUM of their gradients, and a node may pass its gradient on only once all the nodes it feeds have added theirs (visit the nodes in reverse topological order).";
      const fed = `${source} is used ${uses} times`;
      return {
        message: `gradients do not add at a branch: d out/d${v} = ${short(got.grads[v])}, expected ${short(want.grads[v])} (${fed}) ${where}`,
        details: [graphDetails(got, want), `each path's part of the gradient: {${gradsLine(parts)}}`].join("\n"),
        diagnosis,
      };
    },
  });

// ------------------------------------------------------------------------------- node order

/** Whether every node comes after the nodes it reads. */
function isTopological(spec: GraphSpec, nodes: GraphNodeSpec[]): boolean {
  const seen = new Set(spec.inputs);
  for (const n of nodes) {
    if (!n.inputs.every((i) => seen.has(i))) return false;
    seen.add(n.name);
  }
  return true;
}

/** k orders of the graph's nodes that are not topological (where the graph allows one). */
function shuffledOrders(r: Random, spec: GraphSpec, k: number): GraphSpec[] {
  return Array.from({ length: k }, () => {
    let nodes = r.shuffle(spec.nodes);
    for (let t = 0; t < 50 && isTopological(spec, nodes); t++) nodes = r.shuffle(spec.nodes);
    return { ...spec, nodes };
  });
}

const ORDERS = 2;
const GIVEN_ORDER =
  "the nodes are processed in the order they are given, not sorted topologically: a node listed before the nodes it reads sees values that do not exist yet. Sort the nodes in the constructor (Kahn's algorithm or a depth-first search) and walk that order forward, and its reverse backward.";

const graphOrderFree: Check = (ctx) =>
  checkProperty(ctx, {
    arbitrary: subSeed.map((n) => {
      const r = new Random(`${ctx.seed}:order:${n}`);
      const { spec, values } = orderGraph(r);
      return { spec, values, orders: shuffledOrders(r, spec, ORDERS) };
    }),
    show: ({ spec, values, orders }) =>
      `${showGraph(spec, values)}; shuffled: ${orders.map((o) => `[${o.nodes.map((n) => n.name).join(", ")}]`).join(" and ")}`,
    async holds({ spec, values, orders }, run) {
      const where = `for ${showGraph(spec, values, short)}`;
      const base = await runGraph(ctx, run, spec, values, `with the nodes in topological order, ${where}`);
      if (isBroken(base)) return base;
      for (const shuffled of orders) {
        const given = `[${shuffled.nodes.map((n) => n.name).join(", ")}]`;
        const got = await runGraph(ctx, run, shuffled, values, "");
        if (isBroken(got)) {
          return {
            message: `the result depends on the order of the nodes: with the nodes given as ${given}, ${got.message} (in topological order: value ${short(base.value)}) ${where}`,
            details: [
              `graph, topological order: ${showGraph(spec, values)}`,
              `topological order: value ${full(base.value)}, grads {${gradsLine(base.grads)}}`,
            ].join("\n"),
            diagnosis: GIVEN_ORDER,
          };
        }
        const differs = [["value", got.value, base.value] as const, ...spec.inputs.map((i) => [`d out/d${i}`, got.grads[i], base.grads[i]] as const)].find(
          ([, a, e]) => !withinPropertyTol(a, e),
        );
        if (!differs) continue;
        const [what, a, e] = differs;
        return {
          message: `the result depends on the order of the nodes: with the nodes given as ${given}, ${what} = ${short(a)}; in topological order ${short(e)} ${where}`,
          details: [
            `graph, topological order: ${showGraph(spec, values)}`,
            `topological order: value ${full(base.value)}, grads {${gradsLine(base.grads)}}`,
            `nodes given as ${given}: value ${full(got.value)}, grads {${gradsLine(got.grads)}}`,
            `rule: ${TOLERANCE_RULE}`,
          ].join("\n"),
          diagnosis: GIVEN_ORDER,
        };
      }
      return null;
    },
  });

const GRAPH = ["ComputationalGraph"];

export const GRAPH_CHECKS: Record<string, RegisteredCheck> = {
  "graph-add-distributes": { run: graphAddDistributes, exports: GRAPH },
  "graph-max-routes": { run: graphMaxRoutes, exports: GRAPH },
  "graph-multiply-switches": { run: graphMultiplySwitches, exports: GRAPH },
  "graph-branches-add": { run: graphBranchesAdd, exports: GRAPH },
  "graph-order-free": { run: graphOrderFree, exports: GRAPH },
};
