/**
 * Objects in use (graders/checks/reuse.ts): a gate, or a graph built once, called again and again
 * must answer as fresh objects of the same class do. At unit level, with an in-process
 * CheckContext: the case shape that runs one object's calls (cases/run.ts `sequences`), that
 * correct and stateless-but-wrong code passes, and that each kind of kept state fails with the
 * call that shows it and its likely cause. The sample class's stale students, graded through the
 * sandbox, are in test/e2e/sample-class/gates.test.ts and test/unit/checks/gate-properties.test.ts.
 */
import { describe, expect, it } from "@jest/globals";
import type { Call, Case } from "../../../graders/cases/case";
import { type Implementation, runCase } from "../../../graders/cases/run";
import type { CheckContext } from "../../../graders/checks/context";
import { NUM_RUNS } from "../../../graders/checks/property";
import { REUSE_CHECKS } from "../../../graders/checks/reuse";
import { loadManifest, testSpecs } from "../../../graders/manifest";
import { REFERENCE } from "../../../graders/reference/live-reference";
import { replayText } from "../../../graders/results/prose";
import type { Outcome } from "../../../graders/result-model";
import * as referenceGates from "../../../reference/gates/gates";
import { checkContext, runInProcess } from "../../helpers/check-context";

const manifest = loadManifest("gates");
const GATES = ["AddGate", "MultiplyGate", "MaxGate", "ExpGate", "ReciprocalGate", "ScaleGate", "OffsetGate", "SigmoidGate"];

/** The reuse test of `exportName`, run in this process on `impl` (graph cases with the reference gates). */
async function reuse(exportName: string, impl: Implementation, calls: Case[] = []): Promise<Outcome> {
  const spec = testSpecs(manifest).find((t) => t.export === exportName && (t.check === "gate-reuse" || t.check === "graph-reuse"))!;
  const ctx: CheckContext = checkContext({ assignment: "gates", spec, manifest, run: runInProcess(impl, referenceGates, calls) });
  return REUSE_CHECKS[spec.check!].run(ctx);
}

type GraphClass = new (
  inputs: string[],
  nodes: { name: string; gate: { forward(...x: number[]): number; backward(dz: number): number[] }; inputs: string[] }[],
  output: string,
) => {
  forward(values: Record<string, number>): number;
  backward(): Record<string, number>;
};
const Reference = REFERENCE.gates.ComputationalGraph as GraphClass;

const forward = (...args: Call["args"]): Call => ({ method: "forward", args });
const backward = (...args: Call["args"]): Call => ({ method: "backward", args });
const gateCase = (target: string, sequences: Call[][]): Case => ({
  id: "t",
  target: target as Case["target"],
  exports: [target],
  seed: "",
  inputs: { sequences },
  expected: {},
});

describe("a case with sequences (cases/run.ts)", () => {
  it("runs each sequence on ONE new gate, in order, and returns what every call returned", () => {
    const r = runCase(
      REFERENCE.gates,
      gateCase("MultiplyGate", [
        [forward(2, 3), backward(1), forward(4, 5), backward(2), backward(2)],
        [forward(4, 5), backward(2)],
      ]),
    );
    expect(r).toEqual({
      results: [
        [6, [3, 2], 20, [10, 8], [10, 8]],
        [20, [10, 8]],
      ],
    });
  });

  it("copies an answer when it is returned, so an object that refills one array is judged call by call", () => {
    class Refills {
      private grads = [0];
      private x = 0;
      forward(x: number) {
        this.x = x;
        return x;
      }
      backward(dz: number) {
        this.grads[0] = this.x * dz;
        return this.grads;
      }
    }
    const r = runCase({ ExpGate: Refills }, gateCase("ExpGate", [[forward(2), backward(1), forward(3), backward(1)]]));
    expect(r).toEqual({ results: [[2, [2], 3, [3]]] });
  });

  it("builds the graph once per sequence, from the gates it is given, and hands every call fresh arguments", () => {
    const built: unknown[] = [];
    const seen: Record<string, number>[] = [];
    class Counting extends Reference {
      constructor(...args: ConstructorParameters<GraphClass>) {
        super(...args);
        built.push(args);
      }
      override forward(values: Record<string, number>) {
        seen.push(values);
        const value = super.forward(values);
        values.x = 99; // must not reach the next call
        return value;
      }
    }
    const graph = { inputs: ["x", "y"], nodes: [{ name: "out", gate: { type: "MultiplyGate" as const }, inputs: ["x", "y"] }], output: "out" };
    const c: Case = {
      id: "t",
      target: "ComputationalGraph",
      exports: ["ComputationalGraph"],
      seed: "",
      inputs: {
        graph,
        sequences: [
          [forward({ x: 2, y: 3 }), backward(), forward({ x: 2, y: 5 }), backward()],
          [forward({ x: 2, y: 5 }), backward()],
        ],
      },
      expected: {},
    };
    const r = runCase({ ComputationalGraph: Counting }, c, { gates: referenceGates });
    expect(built).toHaveLength(2);
    expect(seen.map((v) => v.y)).toEqual([3, 5, 5]);
    expect(r).toEqual({
      results: [
        [6, { x: 3, y: 2 }, 10, { x: 5, y: 2 }],
        [10, { x: 5, y: 2 }],
      ],
    });
  });
});

describe("what passes", () => {
  it.each([...GATES, "ComputationalGraph"])("the reference %s, with one sandbox call per sample", async (name) => {
    const calls: Case[] = [];
    expect(await reuse(name, REFERENCE.gates, calls)).toMatchObject({
      status: "passed",
      message: expect.stringMatching(new RegExp(`^held on ${NUM_RUNS} random samples, ${NUM_RUNS} calls`)),
    });
    expect(calls).toHaveLength(NUM_RUNS);
    expect(calls.every((c) => (c.inputs.sequences as Call[][]).length === 5)).toBe(true);
  });

  it("the graph samples list their nodes in topological order (whether the order matters is graph-order-free's business)", async () => {
    const calls: Case[] = [];
    await reuse("ComputationalGraph", REFERENCE.gates, calls);
    for (const c of calls) {
      const graph = c.inputs.graph as { inputs: string[]; nodes: { name: string; inputs: string[] }[] };
      const known = new Set(graph.inputs);
      for (const n of graph.nodes) {
        expect(n.inputs.every((i) => known.has(i))).toBe(true);
        known.add(n.name);
      }
    }
  });
});

describe("what fails although it keeps no state: a fresh object is already wrong", () => {
  it("a wrong gate: reused or not it answers the same, and this test says so, with the catalog's likely cause", async () => {
    class RoutesBoth {
      forward(x: number, y: number) {
        return Math.max(x, y);
      }
      backward(dz: number) {
        return [dz, dz];
      }
    }
    const outcome = await reuse("MaxGate", { ...REFERENCE.gates, MaxGate: RoutesBoth });
    expect(outcome).toMatchObject({
      status: "failed",
      message: expect.stringMatching(
        /^MaxGate: a fresh MaxGate is already wrong, so this is not about state: gradient\[1\] = \S+, expected 0 \(1 of 2 entries differ\), for x = \S+, y = \S+, dz = \S+$/,
      ),
      diagnosis: expect.stringMatching(/goes to both inputs/),
    });
  });

  it("a gate that returns a constant keeps no state either, and earns nothing", async () => {
    class Constant {
      forward() {
        return 0.123456;
      }
      backward() {
        return [0.123456, 0.123456];
      }
    }
    expect(await reuse("AddGate", { ...REFERENCE.gates, AddGate: Constant })).toMatchObject({
      status: "failed",
      message: expect.stringMatching(/^AddGate: a fresh AddGate is already wrong, so this is not about state: /),
    });
    expect(
      await reuse("ComputationalGraph", {
        ...REFERENCE.gates,
        ComputationalGraph: class {
          forward = () => 1;
          backward = () => ({});
        },
      }),
    ).toMatchObject({
      status: "failed",
      message: expect.stringMatching(/^ComputationalGraph: a fresh graph is already wrong, so this is not about state: /),
    });
  });

  it("an answer not in the contract's form: the judge's message", async () => {
    class ScalarBackward {
      private z = 0;
      forward(x: number) {
        this.z = Math.exp(x);
        return this.z;
      }
      backward(dz: number) {
        return this.z * dz;
      }
    }
    const outcome = await reuse("ExpGate", { ...REFERENCE.gates, ExpGate: ScalarBackward });
    expect(outcome).toMatchObject({
      status: "failed",
      message: expect.stringMatching(
        /^ExpGate: a fresh ExpGate is already wrong, so this is not about state: backward returned number \S+, expected an array of 1 gradient \(one per input, in input order\), for x = /,
      ),
    });
  });
});

// ------------------------------------------------------------------------------- stale gates

class ExpKeepsGradient {
  private z = 0;
  private dx = 0;
  forward(x: number) {
    this.z = Math.exp(x);
    return this.z;
  }
  backward(dz: number) {
    this.dx += this.z * dz;
    return [this.dx];
  }
}
class MaxComparesOnce {
  private xWins?: boolean;
  forward(x: number, y: number) {
    this.xWins ??= x >= y;
    return Math.max(x, y);
  }
  backward(dz: number) {
    return this.xWins ? [dz, 0] : [0, dz];
  }
}
class SigmoidCachesZ {
  private z?: number;
  forward(x: number) {
    this.z ??= 1 / (1 + Math.exp(-x));
    return this.z;
  }
  backward(dz: number) {
    return [(1 - this.z!) * this.z! * dz];
  }
}
class ReciprocalFirstInput {
  private x?: number;
  forward(x: number) {
    if (this.x === undefined) this.x = x;
    return 1 / x;
  }
  backward(dz: number) {
    return [-dz / (this.x! * this.x!)];
  }
}

describe("a gate that keeps state between calls fails its reuse test, told which call and why", () => {
  it.each([
    [
      "ExpGate",
      ExpKeepsGradient,
      /^ExpGate: the second backward\(\) on the same gate, right after the first \(no forward\(\) between\), returned dx = \S+; a fresh ExpGate gives \S+, for x = \S+, dz = \S+$/,
      /kept from the earlier call and added to/,
    ],
    [
      "MaxGate",
      MaxComparesOnce,
      /^MaxGate: the third backward\(\) on the same gate, after that second forward\(\), returned d[xy] = \S+; a fresh MaxGate gives \S+, for x = \S+, y = \S+, dz = \S+$/,
      /used the inputs of an earlier forward\(\)/,
    ],
    [
      "SigmoidGate",
      SigmoidCachesZ,
      /^SigmoidGate: the second forward\(\) on the same gate, on new values, returned z = \S+; a fresh SigmoidGate gives \S+, for x = \S+, dz = \S+$/,
      /returned the value of an earlier call/,
    ],
    ["ReciprocalGate", ReciprocalFirstInput, /^ReciprocalGate: the third backward\(\) on the same gate/, /used the inputs of an earlier forward\(\)/],
  ] as const)("%s", async (name, Stale, message, diagnosis) => {
    const outcome = await reuse(name, { ...REFERENCE.gates, [name]: Stale });
    expect(outcome).toMatchObject({ status: "failed", message: expect.stringMatching(message), diagnosis: expect.stringMatching(diagnosis) });
    if (outcome.status !== "failed") throw new Error(`expected a failure, got ${outcome.status}`);
    // every call up to the one that differs, what a fresh object and the reference give, the replay
    expect(outcome.details).toMatch(/^calls on one gate, and what they returned:\n {2}1\. forward\(/);
    expect(outcome.details).toMatch(new RegExp(`\\na fresh ${name}, forward\\(\\) then backward\\(\\) on the values of call \\d: \\w+\\(\\) → `));
    expect(outcome.details).toMatch(/\nthe reference, the same: \w+\(\) → /);
    expect(outcome.replay && replayText(outcome.replay)).toMatch(/^fast-check seed -?\d+, path "\d+(:\d+)*", counterexample /);
    expect(await reuse(name, { ...REFERENCE.gates, [name]: Stale })).toEqual(outcome);
  });

  it("ScaleGate and OffsetGate keep their constant: the sample shows it", async () => {
    class ScaleKeepsGradient {
      private g = 0;
      constructor(private readonly a: number) {}
      forward(x: number) {
        return this.a * x;
      }
      backward(dz: number) {
        this.g += this.a * dz;
        return [this.g];
      }
    }
    const outcome = await reuse("ScaleGate", { ...REFERENCE.gates, ScaleGate: ScaleKeepsGradient });
    expect(outcome).toMatchObject({
      status: "failed",
      message: expect.stringMatching(/, for a = \S+, x = \S+, dz = \S+$/),
      replay: { kind: "fast-check", counterexample: expect.stringMatching(/^a = \S+; \(a = /) },
    });
  });
});

// ------------------------------------------------------------------------------- stale graphs

/** Adds every call's input gradients into a field (PyTorch's .grad, never zeroed): exactly the sum. */
class AddsUpInputGradients extends Reference {
  private total: Record<string, number> = {};
  override backward() {
    const g = super.backward();
    for (const k of Object.keys(g)) this.total[k] = (this.total[k] ?? 0) + g[k];
    return { ...this.total };
  }
}

type Node = ConstructorParameters<GraphClass>[1][number];

/** A plain graph over nodes given in topological order (as the samples give them). */
class PlainGraph {
  private values = new Map<string, number>();
  constructor(
    private inputs: string[],
    protected nodes: Node[],
    private output: string,
  ) {}
  forward(values: Record<string, number>) {
    for (const i of this.inputs) this.values.set(i, values[i]);
    for (const n of this.nodes) this.values.set(n.name, n.gate.forward(...n.inputs.map((i) => this.values.get(i)!)));
    return this.values.get(this.output)!;
  }
  protected gradients(): Map<string, number> {
    return new Map();
  }
  protected backwardOrder(): Node[] {
    return [...this.nodes].reverse();
  }
  backward() {
    const grad = this.gradients();
    grad.set(this.output, 1);
    for (const n of this.backwardOrder()) n.gate.backward(grad.get(n.name) ?? 0).forEach((g, k) => grad.set(n.inputs[k], (grad.get(n.inputs[k]) ?? 0) + g));
    return Object.fromEntries(this.inputs.map((i) => [i, grad.get(i) ?? 0]));
  }
}

/** Keeps the whole gradient map in a field: intermediate nodes' old gradients flow on too (not a plain sum). */
class KeepsGradientMap extends PlainGraph {
  private kept = new Map<string, number>();
  protected override gradients() {
    return this.kept;
  }
}

/** Walks this.nodes.reverse() in backward: the order is reversed in place, every other call. */
class ReversesInPlace extends PlainGraph {
  protected override backwardOrder() {
    return this.nodes.reverse();
  }
}

/** Remembers the first forward's value. */
class CachesValue extends Reference {
  private value?: number;
  override forward(values: Record<string, number>) {
    const v = super.forward(values);
    this.value ??= v;
    return this.value;
  }
}

describe("a graph that keeps state between calls fails its reuse test, told which call and why", () => {
  const SECOND_BACKWARD =
    /^ComputationalGraph: the second backward\(\) on the same graph, right after the first \(no forward\(\) between\), returned d out\/d\w+ = \S+; a fresh graph gives \S+, for nodes \[.*\], output \w+, values /;
  it.each([
    [
      "gradients added into a field that is never reset",
      AddsUpInputGradients,
      SECOND_BACKWARD,
      /^the gradients were kept from the earlier call and added to: reset them at the start of every backward\(\)/,
    ],
    [
      "the whole gradient map kept in a field",
      KeepsGradientMap,
      SECOND_BACKWARD,
      /^a second backward\(\) right after the first gave a different result, .*the gradients kept from the earlier call and added to/,
    ],
    ["the node order reversed in place", ReversesInPlace, SECOND_BACKWARD, /the node order reversed in place \(Array\.prototype\.reverse\(\)/],
    [
      "the first forward's value cached",
      CachesValue,
      /^ComputationalGraph: the second forward\(\) on the same graph, on new values, returned value = \S+; a fresh graph gives \S+, for nodes \[/,
      /^forward\(\) returned the value of an earlier forward\(\)/,
    ],
  ] as const)("%s", async (_, Stale, message, diagnosis) => {
    const outcome = await reuse("ComputationalGraph", { ...REFERENCE.gates, ComputationalGraph: Stale });
    expect(outcome).toMatchObject({ status: "failed", message: expect.stringMatching(message), diagnosis: expect.stringMatching(diagnosis) });
    if (outcome.status !== "failed") throw new Error(`expected a failure, got ${outcome.status}`);
    expect(outcome.message).not.toMatch(/\n/);
    expect(outcome.details).toMatch(/^calls on one graph, and what they returned:\n {2}1\. forward\(\{\w+: /);
    expect(outcome.details).toMatch(/\n {2}2\. backward\(\) → \{/);
  });

  it("accumulated gradients: the second backward() returns exactly twice a fresh graph's", async () => {
    const outcome = await reuse("ComputationalGraph", { ...REFERENCE.gates, ComputationalGraph: AddsUpInputGradients });
    if (outcome.status !== "failed") throw new Error(outcome.message);
    const [, got, want] = /returned d out\/d\w+ = (\S+); a fresh graph gives (\S+),/.exec(outcome.message)!.map(Number);
    expect(got).toBeCloseTo(2 * want, 4);
  });

  it("a call that throws on the reused graph ends the test as the export's failure, with the replay", async () => {
    class ThrowsSecondTime extends Reference {
      private calls = 0;
      override forward(values: Record<string, number>) {
        if (++this.calls === 2) throw new RangeError("already used");
        return super.forward(values);
      }
    }
    const outcome = await reuse("ComputationalGraph", { ...REFERENCE.gates, ComputationalGraph: ThrowsSecondTime });
    expect(outcome).toMatchObject({
      status: "failed",
      message: "ComputationalGraph threw RangeError: already used",
      replay: { kind: "fast-check", seed: expect.any(Number), path: "0", counterexample: expect.stringMatching(/^nodes \[/) },
    });
  });
});
