/**
 * The gates' and the graph's property checks (graders/checks/gate-properties.ts,
 * graph-properties.ts, reuse.ts): through the whole engine on the sample class (each bug fails its own
 * property and no other export's), and directly, with an in-process CheckContext, for what a
 * failure carries (seed, path, counterexample) and that a rerun finds the same counterexample.
 */
import { beforeAll, describe, expect, it } from "@jest/globals";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Case } from "../../../graders/cases/case";
import type { Implementation } from "../../../graders/cases/run";
import type { Check, CheckContext } from "../../../graders/checks/context";
import { GATE_CHECKS } from "../../../graders/checks/gate-properties";
import { NUM_RUNS, fastCheckSeed } from "../../../graders/checks/property";
import { GRAPH_CHECKS } from "../../../graders/checks/graph-properties";
import { REUSE_CHECKS } from "../../../graders/checks/reuse";
import { gradeSubmission } from "../../../graders/grade";
import { loadGradedManifest } from "../../../graders/checks/registry";
import { loadManifest, testSpecs } from "../../../graders/manifest";
import { REFERENCE } from "../../../graders/reference/live-reference";
import { replayText } from "../../../graders/results/prose";
import type { Outcome, SubmissionResult, TestResult, TestSpec } from "../../../graders/result-model";
import * as referenceGates from "../../../reference/gates/gates";
import { checkContext, runInProcess } from "../../helpers/check-context";

const SECRET = "gate-props-test";
const CLASS = "fixtures/submissions/gates";
const students: Record<string, { expect: "correct" | "buggy" }> = JSON.parse(readFileSync(`${CLASS}/class.json`, "utf8")).students;

/**
 * The properties test each buggy student fails (by its check), and what the diagnosis says; and
 * whether its fresh objects are already wrong on the reuse test's samples (then that test fails
 * too, saying it is not about state: jo's bug needs a tie, hana's a shuffled order, which the
 * reuse samples never have).
 */
const FAILS: Record<string, { export: string; check: string; diagnosis: RegExp; freshWrong: boolean }> = {
  "dan-multiply-unswitched": { export: "MultiplyGate", check: "multiply-switches", diagnosis: /not switched: dx uses x instead of y/, freshWrong: true },
  "eli-max-routes-both": { export: "MaxGate", check: "max-routes", diagnosis: /goes to both inputs/, freshWrong: true },
  "jo-max-tie-to-y": { export: "MaxGate", check: "max-routes", diagnosis: /at a tie the gradient goes to y/, freshWrong: false },
  "ivy-sigmoid-no-dz": { export: "SigmoidGate", check: "gate-linear-repeatable", diagnosis: /ignores dz/, freshWrong: true },
  "kai-scale-forgets-a": { export: "ScaleGate", check: "scale-gate", diagnosis: /without multiplying it by a/, freshWrong: true },
  "gus-graph-overwrites": { export: "ComputationalGraph", check: "graph-branches-add", diagnosis: /overwrite instead of adding at a branch/, freshWrong: true },
  "hana-graph-given-order": {
    export: "ComputationalGraph",
    check: "graph-order-free",
    diagnosis: /order they are given, not sorted topologically/,
    freshWrong: false,
  },
  "lev-graph-keeps-grads": {
    export: "ComputationalGraph",
    check: "graph-reuse",
    diagnosis: /^the gradients were kept from the earlier call and added to/,
    freshWrong: false,
  },
  "mia-multiply-first-inputs": { export: "MultiplyGate", check: "gate-reuse", diagnosis: /used the inputs of an earlier forward\(\)/, freshWrong: false },
  "ned-graph-reverses-in-place": { export: "ComputationalGraph", check: "graph-reuse", diagnosis: /node order reversed in place/, freshWrong: false },
};
const isReuse = (t: TestResult) => t.test.check === "gate-reuse" || t.test.check === "graph-reuse";

const properties = (r: SubmissionResult): TestResult[] => r.tests.filter((t) => t.test.kind === "properties");
const failing = (r: SubmissionResult) => properties(r).filter((t) => t.outcome.status !== "passed");
const explain = (ts: TestResult[]) => ts.map((t) => `${t.test.name} [${t.test.check}]: ${t.outcome.status}: ${t.outcome.message}`).join("\n");

describe("gate and graph properties through the engine, on the sample class", () => {
  const results = new Map<string, SubmissionResult>();
  beforeAll(async () => {
    for (const dir of [...Object.keys(students).map((id) => `${CLASS}/${id}`), "reference/gates"]) {
      results.set(dir, await gradeSubmission("gates", dir, { secret: SECRET }));
    }
  }, 180_000);

  it("every properties test of the manifest names a registered check", () => {
    const specs = testSpecs(loadManifest("gates")).filter((t) => t.kind === "properties");
    expect(specs).toHaveLength(23);
    for (const t of specs) expect({ ...GATE_CHECKS, ...GRAPH_CHECKS, ...REUSE_CHECKS }[t.check ?? ""]).toBeDefined();
  });

  it.each([
    ...Object.entries(students)
      .filter(([, s]) => s.expect === "correct")
      .map(([id]) => `${CLASS}/${id}`),
    "reference/gates",
  ])("%s passes every properties test", (dir) => {
    const r = results.get(dir)!;
    expect(properties(r)).toHaveLength(23);
    if (failing(r).length > 0) throw new Error(explain(failing(r)));
  });

  it.each(Object.entries(FAILS))(
    "%s fails its own property only (and its reuse test where a fresh object is wrong), with a diagnosis and a replay",
    (id, want) => {
      const all = failing(results.get(`${CLASS}/${id}`)!);
      const freshWrong = all.filter((t) => isReuse(t) && t.test.check !== want.check);
      expect(freshWrong.map((t) => t.test.export)).toEqual(want.freshWrong ? [want.export] : []);
      for (const t of freshWrong) expect(t.outcome.message).toMatch(new RegExp(`^${want.export}: a fresh \\w+ is already wrong, so this is not about state: `));
      const failed = all.filter((t) => !freshWrong.includes(t));
      if (failed.length !== 1) throw new Error(`expected only ${want.check} to fail:\n${explain(failed)}`);
      const [t] = failed;
      expect(t.test.export).toBe(want.export);
      expect(t.test.check).toBe(want.check);
      expect(t.outcome.status).toBe("failed");
      if (t.outcome.status !== "failed") throw new Error(`expected a failure, got ${t.outcome.status}`);
      expect(t.outcome.message.startsWith(`${want.export}: `)).toBe(true);
      expect(t.outcome.message).not.toMatch(/\n/);
      expect(t.outcome.diagnosis).toMatch(want.diagnosis);
      expect(t.outcome.details).toMatch(/counterexample: /);
      expect(t.outcome.replay && replayText(t.outcome.replay)).toMatch(/^fast-check seed -?\d+, path "\d+(:\d+)*", counterexample /);
    },
  );

  it("finn (reciprocal sign flipped) keeps every property: linear, repeatable, zero for dz = 0 (only the reuse test fails: a fresh ReciprocalGate is already wrong)", () => {
    const failed = failing(results.get(`${CLASS}/finn-reciprocal-sign`)!);
    expect(failed.map((t) => [t.test.export, t.test.check])).toEqual([["ReciprocalGate", "gate-reuse"]]);
    expect(failed[0].outcome.message).toMatch(/^ReciprocalGate: a fresh ReciprocalGate is already wrong, so this is not about state: /);
  });

  it("the checks stay cheap: 950 sandbox calls for all 23 properties tests of a correct submission (one per sample for the 9 reuse tests)", () => {
    const calls = properties(results.get("reference/gates")!).map((t) => Number(/(\d+) calls/.exec(t.outcome.message)?.[1]));
    expect(calls.reduce((s, n) => s + n, 0)).toBe(NUM_RUNS * (29 + 9));
  });
});

// ------------------------------------------------------------------------------- unit level

const manifest = loadManifest("gates");
const specOf = (check: string): TestSpec => testSpecs(manifest).find((t) => t.check === check)!;

/** A CheckContext that runs cases in this process, on `impl` (graph cases with the reference gates). */
function context(check: string, impl: Implementation, seed = `visible:${specOf(check).name}`, calls: Case[] = []): CheckContext {
  return checkContext({ assignment: "gates", spec: specOf(check), manifest, run: runInProcess(impl, referenceGates, calls) }, { seed, limitMs: 2000 });
}

class UnswitchedMultiply {
  private x = 0;
  private y = 0;
  forward(x: number, y: number) {
    [this.x, this.y] = [x, y];
    return x * y;
  }
  backward(dz: number) {
    return [dz * this.x, dz * this.y];
  }
}

const checkOf = (name: string): Check => ({ ...GATE_CHECKS, ...GRAPH_CHECKS })[name].run;

describe("a property failure, at unit level", () => {
  it("carries the fast-check seed (from the test's seed), the path and the counterexample; a rerun finds the same", async () => {
    const impl = { ...REFERENCE.gates, MultiplyGate: UnswitchedMultiply };
    const ctx = context("multiply-switches", impl);
    const first = await checkOf("multiply-switches")(ctx);
    const again = await checkOf("multiply-switches")(context("multiply-switches", impl));
    expect(first.status).toBe("failed");
    if (first.status !== "failed") throw new Error(`expected a failure, got ${first.status}`);
    const seed = fastCheckSeed(ctx.seed);
    expect(first.replay).toMatchObject({ kind: "fast-check", seed, path: expect.stringMatching(/^\d+$/) });
    expect(first.replay && replayText(first.replay)).toMatch(
      new RegExp(`^fast-check seed ${seed}, path "\\d+", counterexample x = -?[\\d.e-]+, y = -?[\\d.e-]+, dz = -?[\\d.e-]+$`),
    );
    expect(first.message).toMatch(/^MultiplyGate: dx is not y·dz: dx = \S+ for x = \S+, y = \S+, dz = \S+ \(expected \S+\)$/);
    expect(again).toEqual(first);
  });

  it("a different test seed draws different samples; the same seed the same ones", async () => {
    const draws = async (seed: string) => {
      const calls: Case[] = [];
      await checkOf("add-distributes")(context("add-distributes", REFERENCE.gates, seed, calls));
      return calls.map((c) => c.inputs);
    };
    const a = await draws("visible:one");
    expect(a).toHaveLength(NUM_RUNS);
    expect(await draws("visible:one")).toEqual(a);
    expect(await draws("visible:two")).not.toEqual(a);
    expect(fastCheckSeed("visible:one")).not.toBe(fastCheckSeed("visible:two"));
  });

  it("samples are O(1), never integers, dz never ±1, and MaxGate gets exact ties", async () => {
    const calls: Case[] = [];
    await checkOf("max-routes")(context("max-routes", REFERENCE.gates, undefined, calls));
    expect(calls).toHaveLength(2 * NUM_RUNS);
    for (const c of calls) {
      const [x, y] = c.inputs.x as number[];
      const dz = c.inputs.dz as number;
      for (const v of [x, y, dz]) expect(Number.isInteger(v) || Math.abs(v) > 3).toBe(false);
      expect(Math.abs(dz)).not.toBe(1);
      if (x !== y) expect(Math.abs(x - y)).toBeGreaterThanOrEqual(1e-2);
    }
    expect(calls.filter((c) => (c.inputs.x as number[])[0] === (c.inputs.x as number[])[1])).toHaveLength(NUM_RUNS);
  });

  it("a call that throws ends the check at once as the export's failure, with the replay", async () => {
    class Throws {
      forward() {
        return 0;
      }
      backward(): number[] {
        throw new TypeError("nope");
      }
    }
    const calls: Case[] = [];
    const outcome: Outcome = await checkOf("add-distributes")(context("add-distributes", { ...REFERENCE.gates, AddGate: Throws }, undefined, calls));
    expect(calls).toHaveLength(1);
    expect(outcome).toMatchObject({
      status: "failed",
      message: "AddGate threw TypeError: nope",
      replay: { kind: "fast-check", seed: expect.any(Number), path: "0", counterexample: expect.stringMatching(/^x = /) },
    });
  });

  it("a graph that overwrites at branches is diagnosed, with each path's part of the gradient", async () => {
    class Overwrites {
      private values = new Map<string, number>();
      constructor(
        private inputs: string[],
        private nodes: { name: string; gate: { forward(...x: number[]): number; backward(dz: number): number[] }; inputs: string[] }[],
        private output: string,
      ) {}
      forward(values: Record<string, number>) {
        this.values = new Map(Object.entries(values));
        for (const n of this.nodes) this.values.set(n.name, n.gate.forward(...n.inputs.map((i) => this.values.get(i)!)));
        return this.values.get(this.output)!;
      }
      backward() {
        const grad = new Map([[this.output, 1]]);
        for (const n of [...this.nodes].reverse()) n.gate.backward(grad.get(n.name) ?? 0).forEach((g, k) => grad.set(n.inputs[k], g));
        return Object.fromEntries(this.inputs.map((i) => [i, grad.get(i) ?? 0]));
      }
    }
    const outcome = await checkOf("graph-branches-add")(context("graph-branches-add", { ...REFERENCE.gates, ComputationalGraph: Overwrites }));
    expect(outcome).toMatchObject({
      status: "failed",
      message: expect.stringMatching(/^ComputationalGraph: gradients do not add at a branch: d out\/d\w+ = /),
      diagnosis: expect.stringMatching(/overwrite/),
    });
    if (outcome.status === "failed") expect(outcome.details).toMatch(/each path's part of the gradient: \{\w+#1: /);
  });

  it("sigmoid-saturates: e^x/(1+e^x) is NaN past x = 709.78 and fails, with what to check; the reference and 1/(1+e^-x) pass", async () => {
    class RatioSigmoid {
      private z = 0;
      forward(x: number) {
        this.z = Math.exp(x) / (1 + Math.exp(x));
        return this.z;
      }
      backward(dz: number) {
        return [(1 - this.z) * this.z * dz];
      }
    }
    class PlainSigmoid {
      private z = 0;
      forward(x: number) {
        this.z = 1 / (1 + Math.exp(-x));
        return this.z;
      }
      backward(dz: number) {
        return [dz * this.z * (1 - this.z)];
      }
    }
    const calls: Case[] = [];
    expect(await checkOf("sigmoid-saturates")(context("sigmoid-saturates", REFERENCE.gates, undefined, calls))).toMatchObject({ status: "passed" });
    expect(calls).toHaveLength(NUM_RUNS);
    const xs = calls.map((c) => (c.inputs.x as number[])[0]);
    expect(xs.filter((x) => x > 709.78).length).toBeGreaterThan(0);
    expect(xs.filter((x) => x < -709.78).length).toBeGreaterThan(0);
    expect(xs.filter((x) => Math.abs(x) <= 3).length).toBeGreaterThan(0);
    expect(await checkOf("sigmoid-saturates")(context("sigmoid-saturates", { ...REFERENCE.gates, SigmoidGate: PlainSigmoid }))).toMatchObject({
      status: "passed",
    });
    const outcome = await checkOf("sigmoid-saturates")(context("sigmoid-saturates", { ...REFERENCE.gates, SigmoidGate: RatioSigmoid }));
    expect(outcome).toMatchObject({
      status: "failed",
      message: expect.stringMatching(/^SigmoidGate: forward is not 1\/\(1\+e\^-x\): z = \S+ for x = \d{3}(\.\d+)? \(expected 1\)$/),
      hint: expect.stringMatching(/e\^x\/\(1\+e\^x\) is Infinity\/Infinity = NaN for x > 709/),
      replay: { kind: "fast-check", seed: expect.any(Number), path: expect.stringMatching(/^\d+$/), counterexample: expect.stringMatching(/^x = /) },
    });
  });

  it("a check named by a test of another export is refused when the manifest loads, never run on a student", () => {
    const m = JSON.parse(readFileSync("assignments/gates/assignment.json", "utf8")) as { parts: { export: string; tests: { check?: string }[] }[] };
    m.parts.find((p) => p.export === "ScaleGate")!.tests.find((t) => t.check === "scale-gate")!.check = "add-distributes";
    const file = join(mkdtempSync(join(tmpdir(), "manifest-")), "assignment.json");
    writeFileSync(file, JSON.stringify(m));
    expect(() => loadGradedManifest("gates", file)).toThrow(/check "add-distributes" does not apply to ScaleGate \(it checks AddGate\)/);
  });
});
