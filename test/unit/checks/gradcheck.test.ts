/**
 * The gradient check (graders/checks/gradcheck.ts, finite-difference.ts, the sandbox's "batch"
 * request): its numeric pieces on their own; the check in this process, on students made from the
 * reference with one change (kink skips, borderline retries, directions, hidden seeds); and whole
 * gradings through the sandbox (the reference passes everywhere, a forward bug costs only the
 * forward, a backward that ignores dout fails, the larger case's corners and a forward that throws
 * away from x). The sample class as a whole is test/e2e/sample-class/'s.
 */
import { afterAll, describe, expect, it } from "@jest/globals";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Matrix } from "ml-matrix";
import { ASSIGNMENTS, type AssignmentName, type Case, type Mat, type Value } from "../../../graders/cases/case";
import { goldenPath } from "../../../graders/cases/golden";
import { branchSignature, kinkDistance } from "../../../graders/cases/kinks";
import { loadCaseFile } from "../../../graders/cases/load";
import { Random } from "../../../graders/cases/random";
import { type Implementation, runCase } from "../../../graders/cases/run";
import type { BatchRequest, CheckContext } from "../../../graders/checks/context";
import {
  BORDERLINE,
  SAMPLED_ENTRIES,
  centeredDifference,
  entriesOf,
  selectEntries,
  shiftAlong,
  shiftEntry,
  unitDirection,
  valueAt,
} from "../../../graders/checks/finite-difference";
import { gradcheck, largerCases } from "../../../graders/checks/gradcheck";
import { toleranceRatio } from "../../../graders/judge/tolerance";
import { gradeSubmission } from "../../../graders/grade";
import { type Manifest, loadManifest, testSpecs } from "../../../graders/manifest";
import { REFERENCE, referenceAnswers } from "../../../graders/reference/live-reference";
import { replayText } from "../../../graders/results/prose";
import type { Outcome, SubmissionResult, TestSpec } from "../../../graders/result-model";
import type { BatchItem } from "../../../graders/sandbox/protocol";
import { Sandbox, type CallResult } from "../../../graders/sandbox/sandbox";
import { checkContext } from "../../helpers/check-context";
import { numericGradient } from "../../helpers/numeric-gradient";
import { bundleFile } from "../../../graders/submission/bundle";

const SECRET = "gradcheck-test";
const TOL = { atol: 1e-8, rtol: 1e-6 };
const temporary: string[] = [];
afterAll(() => temporary.forEach((d) => rmSync(d, { recursive: true, force: true })));

// ------------------------------------------------------------------------------- numeric pieces

describe("numeric pieces", () => {
  it("coordinates: every entry of a small argument or of a bias; of a larger one the 4 corners and 16 seeded others", () => {
    const small = entriesOf(Array.from({ length: 8 }, () => Array(8).fill(0))); // 64 entries
    expect(selectEntries(small, { rows: 8, cols: 8, bias: false, random: new Random("s") })).toHaveLength(64);
    const bias = entriesOf([Array(100).fill(0)]);
    expect(selectEntries(bias, { rows: 1, cols: 100, bias: true, random: new Random("s") })).toHaveLength(100);

    const large = entriesOf(Array.from({ length: 6 }, () => Array(12).fill(0))); // 72 entries
    const pick = (seed: string) => selectEntries(large, { rows: 6, cols: 12, bias: false, random: new Random(seed) }).map((e) => e.label);
    const chosen = pick("a");
    expect(chosen).toHaveLength(4 + SAMPLED_ENTRIES);
    expect(new Set(chosen).size).toBe(chosen.length); // without replacement
    expect(chosen.slice(0, 4)).toEqual(["[0][0]", "[0][11]", "[5][0]", "[5][11]"]);
    expect(pick("a")).toEqual(chosen); // replayable from its seed
    expect(pick("b")).not.toEqual(chosen);
  });

  it("entries of numbers, arrays, matrices and named values, read and moved one at a time", () => {
    expect(entriesOf(2.5).map((e) => e.label)).toEqual([""]);
    expect(entriesOf([1, 2]).map((e) => e.label)).toEqual(["[0]", "[1]"]);
    expect(
      entriesOf([
        [1, 2],
        [3, 4],
      ]).map((e) => e.label),
    ).toEqual(["[0][0]", "[0][1]", "[1][0]", "[1][1]"]);
    expect(entriesOf({ x: 1, y: 2 }).map((e) => e.label)).toEqual([".x", ".y"]);
    const inputs: Record<string, Value> = {
      x: [
        [1, 2],
        [3, 4],
      ],
      dout: [
        [5, 6],
        [7, 8],
      ],
    };
    const moved = shiftEntry(inputs, "x", { path: [1, 0], label: "[1][0]" }, 0.5);
    expect(moved.x).toEqual([
      [1, 2],
      [3.5, 4],
    ]);
    expect(inputs.x).toEqual([
      [1, 2],
      [3, 4],
    ]); // the case itself is untouched
    expect(moved.dout).toBe(inputs.dout);
    expect(valueAt(moved.x, [1, 0])).toBe(3.5);
  });

  it("a random unit direction: norm 1, no entry below 0.1/√n, replayable from its seed", () => {
    const u = unitDirection(80, new Random("u"));
    expect(Math.abs(Math.hypot(...u) - 1)).toBeLessThan(1e-12);
    expect(Math.min(...u.map(Math.abs))).toBeGreaterThanOrEqual(0.1 / Math.sqrt(80) - 1e-15);
    expect(unitDirection(80, new Random("u"))).toEqual(u);
  });

  it("a directional derivative (f(x + h·u) − f(x − h·u)) / 2h equals ⟨gradient, u⟩, and sees one wrong entry", () => {
    const r = new Random("dir");
    const x = r.matrix(8, 10);
    const c = r.matrix(8, 10);
    const f = (i: Record<string, Value>) => (i.x as Mat).reduce((s, row, a) => s + row.reduce((t, v, b) => t + c[a][b] * Math.sin(v), 0), 0);
    const grad = x.map((row, a) => row.map((v, b) => c[a][b] * Math.cos(v)));
    const entries = entriesOf(x);
    const norm = Math.hypot(...grad.flat());
    for (let t = 0; t < 3; t++) {
      const u = unitDirection(entries.length, r);
      const h = 1e-5 * Math.max(1, ...x.flat().map(Math.abs));
      const numeric = centeredDifference(f(shiftAlong({ x }, "x", entries, u, h)), f(shiftAlong({ x }, "x", entries, u, -h)), h);
      const analytic = grad.flat().reduce((s, g, k) => s + g * u[k], 0);
      expect(toleranceRatio(analytic, numeric, norm, TOL)).toBeLessThanOrEqual(1);
      // one entry off by 1e-3·max|g| (what 10 sampled coordinates miss 91 % of the time)
      const wrong = grad.flat().map((g, k) => (k === 37 ? g + 1e-3 * Math.max(...grad.flat().map(Math.abs)) : g));
      const off = wrong.reduce((s, g, k) => s + g * u[k], 0);
      expect(toleranceRatio(off, numeric, norm, TOL)).toBeGreaterThan(1);
    }
  });

  it("the rule |a − n| ≤ atol·max(1, scale) + rtol·|n|, where NaN and ±Infinity fail", () => {
    expect(toleranceRatio(1 + 0.5e-6, 1, 1, TOL)).toBeLessThanOrEqual(1);
    expect(toleranceRatio(1 + 2e-6, 1, 1, TOL)).toBeGreaterThan(1);
    expect(toleranceRatio(1e-9, 0, 0, TOL)).toBeLessThanOrEqual(1); // atol·max(1, 0): a floor for zero gradients
    expect(toleranceRatio(100 + 1e-5, 100, 100, TOL)).toBeLessThanOrEqual(1); // atol scales with the gradient
    expect(toleranceRatio(NaN, 1, 1, TOL)).toBe(Infinity);
    expect(toleranceRatio(Infinity, 1, 1, TOL)).toBe(Infinity);
    expect(toleranceRatio(0, 0, 0, TOL)).toBe(0);
  });

  it("the branch signature changes exactly where x ± h crosses a kink", () => {
    const x = [
      [0.5, -2e-6],
      [1, -1],
    ];
    const base = branchSignature("relu", { x });
    const at = (i: number, j: number, d: number) => branchSignature("relu", shiftEntry({ x }, "x", { path: [i, j], label: "" }, d));
    expect(at(0, 1, 1e-5)).not.toBe(base); // −2e-6 + 1e-5 > 0
    expect(at(0, 1, -1e-5)).toBe(base);
    expect(at(1, 1, 1e-5)).toBe(base);
    expect(branchSignature("softmaxLoss", { scores: [[1, 2]], y: [0] })).toBe(""); // no kink at all
  });
});

// ------------------------------------------------------------------------------- the check, in this process

const manifests = Object.fromEntries(ASSIGNMENTS.map((a) => [a, loadManifest(a)])) as Record<AssignmentName, Manifest>;
const specOf = (a: AssignmentName, exportName: string, output?: string): TestSpec =>
  testSpecs(manifests[a]).find((t) => t.kind === "gradcheck" && t.export === exportName && (!output || t.output === output))!;
const goldenOf = (a: AssignmentName, exportName: string) => loadCaseFile(goldenPath(a)).cases.filter((c) => c.exports.includes(exportName));
const plain = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;
const thrown = (e: unknown) => ({ name: (e as Error).name ?? "Error", message: (e as Error).message ?? String(e) });

interface Options {
  golden?: Case[];
  batch?: boolean;
  output?: string;
  spec?: Partial<TestSpec>;
  seed?: string;
  /** Called for every perturbed input (batch), with the implementation to use. */
  perturbed?: Implementation;
}

/** A CheckContext running `impl` in this process; `calls` counts what would be sandbox round trips. */
function context(a: AssignmentName, exportName: string, impl: Implementation, o: Options = {}): CheckContext & { calls: number } {
  const spec = { ...specOf(a, exportName, o.output), ...o.spec };
  const ctx: CheckContext & { calls: number } = Object.assign(
    checkContext(
      {
        assignment: a,
        spec,
        manifest: manifests[a],
        run: async (c, r = {}): Promise<CallResult> => {
          ctx.calls++;
          try {
            return { kind: "returned", value: plain(runCase(impl, c, { forwardOnly: r.forwardOnly, gates: REFERENCE.gates })), durationMs: 0 };
          } catch (e) {
            return { kind: "threw", error: thrown(e), durationMs: 0 };
          }
        },
      },
      {
        ...(o.batch === false
          ? {}
          : {
              batch: async (c: Case, inputs: Record<string, Value>[], r: BatchRequest): Promise<CallResult> => {
                ctx.calls++;
                const items: BatchItem[] = inputs.map((i) => {
                  try {
                    const out = runCase(o.perturbed ?? impl, { ...c, inputs: i }, { forwardOnly: r.forwardOnly, gates: REFERENCE.gates });
                    return { value: Object.fromEntries(r.keep.map((k) => [k, out[k]])) };
                  } catch (e) {
                    return { threw: thrown(e) };
                  }
                });
                return { kind: "returned", value: plain(items), durationMs: 0 };
              },
            }),
        golden: o.golden ?? goldenOf(a, exportName),
        ...(o.seed ? { seed: o.seed } : {}),
        limitMs: 2000,
      },
    ),
    { calls: 0 },
  );
  return ctx;
}

type Grads = Record<string, Matrix>;
const layers = REFERENCE.layers as Record<string, (...a: unknown[]) => unknown>;
/** The reference layers with affineBackward's answer changed by `change` (dx, dw, db as Matrices). */
function affineWith(change: (g: Grads) => void): Implementation {
  return {
    ...REFERENCE.layers,
    affineBackward: (dout: unknown, cache: unknown) => {
      const g = layers.affineBackward(dout, cache) as Grads;
      change(g);
      return g;
    },
  };
}

function expectFailed(o: Outcome): asserts o is Extract<Outcome, { status: "failed" }> {
  if (o.status !== "failed") throw new Error(`expected a failure, got ${o.status}: ${o.message}`);
}
function expectPassed(o: Outcome): void {
  if (o.status !== "passed") throw new Error(`expected a pass, got ${o.status}: ${o.message}\n${"details" in o ? o.details : ""}`);
}
const extraOf = (o: Outcome) => (("extra" in o ? o.extra : undefined)?.gradcheck ?? {}) as Record<string, number & string[]>;

describe("the check in this process", () => {
  it("the reference passes, batched in one request per case: golden entries all, the larger case's sampled + directions", async () => {
    const batched = context("layers", "affineBackward", REFERENCE.layers);
    const o = await gradcheck(batched);
    expectPassed(o);
    expect(o.message).toMatch(
      /^4 cases passed \(3 golden, 1 larger\): \d+ entries and 6 random directions agree with centered differences of your affineForward, h = 1e-5$/,
    );
    // golden: every entry of x, w, b; larger (6×12·12×10): 20 of x, 20 of w, all 10 of b
    const goldenEntries = [
      [3, 5, 7],
      [1, 4, 2],
      [6, 3, 5],
    ].reduce((s, [N, D, M]) => s + N * D + D * M + M, 0);
    expect(extraOf(o).entries).toBe(goldenEntries + 20 + 20 + 10);
    expect(extraOf(o).sandboxCalls).toBe(3 * 4); // per case: backward, forward, one batch
    // the same without the batch request: one round trip per perturbed forward
    const single = context("layers", "affineBackward", REFERENCE.layers, { batch: false });
    expectPassed(await gradcheck(single));
    expect(single.calls).toBe(2 * 4 + extraOf(o).evaluations);
    expect(single.calls).toBeGreaterThan(300);
  });

  it("an entry the sampled coordinates miss is caught by a directional check", async () => {
    const spec = specOf("layers", "affineBackward");
    const seed = `visible:${spec.name}`;
    const [larger] = largerCases(goldenOf("layers", "affineBackward"), seed, referenceAnswers);
    // the dx entries the check samples on the larger case (its first draws): pick one it does not
    const x = larger.inputs.x as Mat;
    const sampled = selectEntries(entriesOf(x), { rows: x.length, cols: x[0].length, bias: false, random: new Random(`${seed}:${larger.id}`) }).map(
      (e) => e.label,
    );
    const missed = entriesOf(x).find((e) => !sampled.includes(e.label) && e.path[0] !== 0 && e.path[0] !== x.length - 1)!;
    const [i, j] = missed.path as number[];
    const student = affineWith((g) => {
      if (g.dx.rows === x.length && g.dx.columns === x[0].length) g.dx.set(i, j, g.dx.get(i, j) + 1e-3 * Math.max(...g.dx.to1DArray().map(Math.abs)));
    });
    const o = await gradcheck(context("layers", "affineBackward", student));
    expectFailed(o);
    expect(o.message).toMatch(/^affineBackward: dx fails a directional check: ⟨dx, u⟩ = -?[\d.e-]+, but centered differences along u give -?[\d.e-]+$/);
    expect(o.details).toMatch(/directional check #\d: u is a random unit Gaussian direction over all 72 entries of x/);
    expect(o.details).toMatch(/CS231n relative error/);
    expect(o.details).toContain(`entries and directions drawn with seed "${seed}:${larger.id}"`);
    expect(o.replay).toEqual({ kind: "drawn-case", id: larger.id, seed: larger.seed });
    expect(replayText(o.replay!)).toBe(`case ${larger.id} drawn with seed "${larger.seed}" (graders/cases/generate.ts makeCase)`);
  });

  it("a borderline failure at h = 1e-5 (rounding of a large offset) is retried and passes at h = 1e-4", async () => {
    // z = c + x with c ≈ 1.2e6 rounds at ulp(c) ≈ 2.3e-10: at h = 1e-5 that is ≈ 3.5× the tolerance
    const drawn: Case = {
      id: "OffsetGate/large-offset",
      target: "OffsetGate",
      exports: ["OffsetGate"],
      seed: "fixed",
      inputs: { ctor: [1192921], x: [2.512], dz: 1.25 },
      expected: {},
    };
    const c = { ...drawn, expected: runCase(REFERENCE.gates, drawn) as Record<string, Value> };
    const o = await gradcheck(context("gates", "OffsetGate", REFERENCE.gates, { golden: [c] }));
    expectPassed(o);
    expect(o.message).toMatch(/borderline at h = 1e-5 on OffsetGate\/large-offset \(passes at h = 1e-4\)/);
    expect(extraOf(o).retried).toEqual([{ case: "OffsetGate/large-offset", passedAtH: 1e-4 }]);
  });

  it("a gradient a few tolerances off fails after the retries, saying what each step gave", async () => {
    const student = {
      ...REFERENCE.gates,
      SigmoidGate: class extends (REFERENCE.gates.SigmoidGate as new () => { backward(dz: number): number[] }) {
        override backward(dz: number) {
          return super.backward(dz).map((g) => g * (1 + 4e-6));
        }
      },
    };
    const o = await gradcheck(context("gates", "SigmoidGate", student));
    expectFailed(o);
    expect(o.message).toMatch(/^SigmoidGate: grads\[0\] = [\d.e-]+, but centered differences of the forward give [\d.e-]+$/);
    expect(o.details).toMatch(
      /borderline at h = 1e-5 \([\d.]+× the tolerance\), retried: h = 1e-4: worst grads\[0\] at [\d.]+× the tolerance; h = 1e-6: worst grads\[0\] at [\d.]+× the tolerance/,
    );
    const ratio = Number(/borderline at h = 1e-5 \(([\d.]+)×/.exec(o.details!)![1]);
    expect(ratio).toBeGreaterThan(1);
    expect(ratio).toBeLessThanOrEqual(BORDERLINE);
    expect(o.details).toMatch(/CS231n relative error [12]\.\d\de-6/);
    expect(o.details).toContain("h = 1e-5·max(1, |x|)");
    expect(o.details).toContain("the numeric gradient differentiates your own forward");
  });

  /** A two-layer-net case with X[0][0] = 1000: moving W1[0][0] by h moves z1[0][0] by 1e-2. */
  function kinkyNet(zs: number[]): Case {
    const X = [[1000, -700, 800]];
    const W1 = [
      [0.5, -0.3, 0.2, 0.4],
      [0.1, 0.2, -0.6, 0.3],
      [-0.2, 0.5, 0.1, -0.7],
    ];
    // b1 puts every hidden pre-activation z1[0][j] at zs[j] (a few 1e-3 from the ReLU's kink)
    const b1 = [zs.map((z, j) => z - X[0].reduce((s, v, i) => s + v * W1[i][j], 0))];
    const inputs: Record<string, Value> = {
      W1,
      b1,
      W2: [
        [0.3, -0.2],
        [0.1, 0.4],
        [-0.5, 0.2],
        [0.3, 0.3],
      ],
      b2: [[0.05, -0.05]],
      X,
      y: [1],
      reg: 0,
    };
    const c: Case = { id: "twoLayerNetLoss/kinky", target: "twoLayerNetLoss", exports: ["twoLayerNetLoss"], seed: "fixed", inputs, expected: {} };
    return { ...c, expected: runCase(REFERENCE["two-layer-net"], c) as Record<string, Value> };
  }

  it("a check whose x ± h crosses a kink is skipped and counted, never failed (without the skip the reference would fail)", async () => {
    const c = kinkyNet([4e-3, 0.8, -0.9, 1.1]);
    expect(kinkDistance(c.target, c.inputs)).toBeGreaterThanOrEqual(1e-3); // passes the case-level margin of 100·h
    // across the kink the centered difference is half the slope: the reference "fails" there
    const f = (i: Record<string, Value>) => runCase(REFERENCE["two-layer-net"], { ...c, inputs: i }).loss as number;
    const across = numericGradient(f, c, "W1", [], 1e-5) as Mat;
    expect(toleranceRatio((c.expected.dW1 as Mat)[0][0], across[0][0], 1, TOL)).toBeGreaterThan(1);

    const o = await gradcheck(context("two-layer-net", "twoLayerNetLoss", REFERENCE["two-layer-net"], { output: "dW1", golden: [c] }));
    expectPassed(o);
    // X[0][1] = −700 and X[0][2] = 800 move z1[0][0] by 7e-3 and 8e-3 too: W1[0..2][0] are skipped
    expect(o.message).toMatch(/; 3 checks skipped where x ± h crosses a kink$/);
    expect(extraOf(o).skippedAtKinks).toBe(3);
  });

  it("when most checks of a case cross a kink, the student passes and is told too few were left", async () => {
    const c = kinkyNet([4e-3, -5e-3, 6e-3, -4e-3]);
    const o = await gradcheck(context("two-layer-net", "twoLayerNetLoss", REFERENCE["two-layer-net"], { output: "dW1", golden: [c] }));
    expectPassed(o);
    expect(o.message).toMatch(
      /12 checks skipped where x ± h crosses a kink; on twoLayerNetLoss\/kinky most checks crossed a kink, too few were left to be sure: not counted against you/,
    );
  });

  it("a forward that throws away from x: the numeric gradient falls back to the reference's forward, and says why", async () => {
    const broken = {
      ...REFERENCE.layers,
      affineForward: () => {
        throw new TypeError("x.foo is not a function");
      },
    };
    const o = await gradcheck(context("layers", "affineBackward", REFERENCE.layers, { perturbed: broken }));
    expectPassed(o);
    expect(o.message).toMatch(
      /agree with centered differences of the reference's forward, h = 1e-5; on every case, your affineForward threw TypeError: x\.foo is not a function on an input moved by ±h, so the numeric gradient there uses the reference's forward/,
    );
  });

  it("a hidden test never shows its seed: a failure on the larger case names the hidden case only", async () => {
    const student = affineWith((g) => {
      if (g.dw.rows >= 12) g.dw.set(3, 4, 0); // wrong only at the larger case's size
    });
    const seed = `hidden:${SECRET}:affineBackward`;
    const o = await gradcheck(context("layers", "affineBackward", student, { spec: { visibility: "after_published" }, seed }));
    expectFailed(o);
    expect(o.message).toMatch(/^affineBackward: dw/);
    expect(o.replay).toEqual({ kind: "hidden-case", id: "affine/6x12x10/larger" });
    expect(replayText(o.replay!)).toBe("hidden case affine/6x12x10/larger");
    expect(o.details).toMatch(/\nhidden case affine\/6x12x10\/larger$/);
    expect(`${o.message}\n${o.details}\n${JSON.stringify(o.replay)}`).not.toContain(SECRET);
  });
});

// ------------------------------------------------------------------------------- the sandbox's batch request

describe("the batch request", () => {
  it("runs one target on many inputs in one round trip: per item the kept outputs, or what it threw", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gradcheck-batch-"));
    temporary.push(dir);
    writeFileSync(
      join(dir, "layers.ts"),
      `import { Matrix } from "ml-matrix";
export function reluForward(x: Matrix) {
  if (x.get(0, 0) < 0) throw new RangeError("negative corner");
  const out = x.clone();
  for (let i = 0; i < out.rows; i++) for (let j = 0; j < out.columns; j++) if (out.get(i, j) < 0) out.set(i, j, 0);
  return { out, cache: { x } };
}
export function reluBackward(dout: Matrix, cache: { x: Matrix }) {
  return { dx: dout.clone() };
}
`,
    );
    const bundle = await bundleFile(dir, join(dir, "layers.ts"));
    if (!bundle.ok) throw new Error("the test's student does not compile");
    const sandbox = new Sandbox(bundle.code, { memoryMb: 256, loadTimeoutMs: 10_000 });
    try {
      const c: Case = { id: "relu/batch", target: "relu", exports: ["reluForward", "reluBackward"], seed: "", inputs: {}, expected: {} };
      const inputs = [
        { x: [[1, -2]], dout: [[1, 1]] },
        { x: [[-1, 2]], dout: [[1, 1]] },
        { x: [[3, 4]], dout: [[1, 1]] },
      ];
      const r = await sandbox.batch(c, inputs, 5000, { forwardOnly: false, keep: ["out"] });
      expect(r.kind).toBe("returned");
      const items = (r as { value: BatchItem[] }).value;
      expect(items).toHaveLength(3);
      expect(items[0]).toEqual({ value: { out: [[1, 0]] } }); // only `out`: not dx
      expect(items[1]).toMatchObject({ threw: { name: "RangeError", message: "negative corner" } });
      expect(items[2]).toEqual({ value: { out: [[3, 4]] } });
    } finally {
      await sandbox.close();
    }
  });
});

// ------------------------------------------------------------------------------- whole gradings

const gradecheckOnly = (a: AssignmentName, dir: string, kinds: ("gradcheck" | "golden")[] = ["gradcheck"]) =>
  gradeSubmission(a, dir, { secret: SECRET, kinds });
const explain = (r: SubmissionResult) =>
  r.tests
    .filter((t) => t.outcome.status !== "passed")
    .map((t) => `${t.test.name}: ${t.outcome.status}: ${t.outcome.message}`)
    .join("\n");

/** The reference's layers.ts as a submission folder, its exported affineForward replaced by `forward`
 *  (the reference's own kept as affineCore, which maxoutForward goes on using). */
function layersWithAffine(name: string, forward: string, replace: [string, string][] = []): string {
  let source = readFileSync("reference/layers/layers.ts", "utf8");
  const swaps: [string, string][] = [
    ["export function affineForward(", "function affineCore("],
    ["affineForward(x, w1, b1)", "affineCore(x, w1, b1)"],
    ["affineForward(x, w2, b2)", "affineCore(x, w2, b2)"],
    ...replace,
  ];
  for (const [from, to] of swaps) {
    if (!source.includes(from)) throw new Error(`reference/layers/layers.ts no longer contains ${from}`);
    source = source.replace(from, to);
  }
  const dir = mkdtempSync(join(tmpdir(), `gradcheck-${name}-`));
  temporary.push(dir);
  writeFileSync(join(dir, "layers.ts"), `${source}\nexport function affineForward(x: Matrix, w: Matrix, b: Matrix) {\n${forward}\n}\n`);
  return dir;
}

describe("whole gradings", () => {
  it.each(ASSIGNMENTS)("the reference passes every gradcheck of %s, differentiating its own forward", async (a) => {
    const r = await gradecheckOnly(a, `reference/${a}`);
    if (r.score !== r.maxScore) throw new Error(explain(r));
    expect(r.tests.length).toBeGreaterThan(0);
    for (const t of r.tests) {
      expect(t.test.kind).toBe("gradcheck");
      // (a machine so loaded that one tiny call takes 500 ms makes the check use the reference's forward: said so)
      expect(t.outcome.message).toMatch(/agree with centered differences of (your|the loss of your) |too slow to run/);
      expect(t.outcome.message).not.toMatch(/skipped|borderline/);
    }
  });

  it("a backward that ignores dout fails its gradcheck, and only that one (random dout, never all ones)", async () => {
    const r = await gradecheckOnly("layers", "fixtures/submissions/layers/fay-sigmoid-ignores-dout");
    expect(r.tests.filter((t) => t.outcome.status !== "passed").map((t) => t.test.export)).toEqual(["sigmoidBackward"]);
    const o = r.tests.find((t) => t.test.export === "sigmoidBackward")!.outcome;
    expectFailed(o);
    expect(o.message).toMatch(
      /^sigmoidBackward: dx\[\d\]\[\d\] = [\d.e-]+, but centered differences of the forward give -?[\d.e-]+ \(\d+ of 15 checked entries differ\)$/,
    );
    expect(o.details).toMatch(
      /worst entry dx\[\d\]\[\d\]: analytic \(yours\) [\d.e-]+, numeric -?[\d.e-]+\ndifference [\d.e+-]+, CS231n relative error [\d.e+-]+\nrule: \|analytic − numeric\| ≤ 1e-8·max\(1, max\|numeric\|\) \+ 1e-6·\|numeric\|/,
    );
    expect(o.details).toMatch(/f = Σ out·dout, with the case's random dout/);
    expect(o.details).toContain("case sigmoid/3x5/0 (seed golden:sigmoid/3x5/0)");
    expect(o.replay && replayText(o.replay)).toBe("case sigmoid/3x5/0 of fixtures/golden/layers.json");
    expect(o.diagnosis).toMatch(/ignores dout/);
  });

  it("a wrong forward with a right backward loses only the forward's points: the backward is differentiated through the reference", async () => {
    // out = x·w + 2b: its own derivative in b is 2·Σdout, which the (right) backward does not give
    const dir = layersWithAffine("forward-2b", "const { out, cache } = affineCore(x, w, b);\n  return { out: out.clone().addRowVector(b), cache };");
    const r = await gradecheckOnly("layers", dir, ["golden", "gradcheck"]);
    const lost = r.tests.filter((t) => t.outcome.status !== "passed").map((t) => `${t.test.export} ${t.test.kind}`);
    expect(lost).toEqual(["affineForward golden"]);
    const o = r.tests.find((t) => t.test.export === "affineBackward" && t.test.kind === "gradcheck")!.outcome;
    expect(o.message).toMatch(
      /centered differences of the reference's forward, h = 1e-5; on every case, your affineForward does not match the reference, so the numeric gradient there uses the reference's forward/,
    );
  });

  it("the larger case reaches what golden sizes cannot: an off-by-one at the last row, caught at a corner", async () => {
    const dir = layersWithAffine("last-row", "return affineCore(x, w, b);", [
      [
        "const dw = x.transpose().mmul(dout); // ∂out/∂w = x:  D×N · N×M",
        "const dw = x.transpose().mmul(dout);\n  if (dw.rows >= 12) for (let j = 0; j < dw.columns; j++) dw.set(dw.rows - 1, j, 0);",
      ],
    ]);
    const r = await gradecheckOnly("layers", dir, ["golden", "gradcheck"]);
    expect(r.tests.filter((t) => t.outcome.status !== "passed").map((t) => `${t.test.export} ${t.test.kind}`)).toEqual(["affineBackward gradcheck"]);
    const o = r.tests.find((t) => t.test.export === "affineBackward" && t.test.kind === "gradcheck")!.outcome;
    expectFailed(o);
    expect(o.message).toMatch(
      /^affineBackward: dw\[11\]\[\d\] = 0, but centered differences of the forward give -?[\d.e-]+ \(\d+ of 20 checked entries differ\)$/,
    );
    expect(o.replay && replayText(o.replay)).toMatch(/^case affine\/6x12x10\/larger drawn with seed "visible:affineBackward: /);
  });

  it("a forward that throws on inputs moved by ±h (in the sandbox's batch) costs nothing: the reference's forward is used", async () => {
    const spec = specOf("layers", "affineBackward");
    const cases = [...goldenOf("layers", "affineBackward"), ...largerCases(goldenOf("layers", "affineBackward"), `visible:${spec.name}`, referenceAnswers)];
    const known = cases.map((c) => (c.inputs.x as Mat)[0][0]);
    const dir = layersWithAffine(
      "throws-away",
      `if (!${JSON.stringify(known)}.includes(x.get(0, 0))) throw new Error("only the cases I have seen");\n  return affineCore(x, w, b);`,
    );
    const r = await gradecheckOnly("layers", dir);
    if (r.score !== r.maxScore) throw new Error(explain(r));
    const o = r.tests.find((t) => t.test.export === "affineBackward")!.outcome;
    expect(o.message).toMatch(
      /your affineForward threw Error: only the cases I have seen on an input moved by ±h, so the numeric gradient there uses the reference's forward/,
    );
  });

  it("a loss that sums instead of averaging, with the mean's gradients: every gradcheck passes through the reference's loss", async () => {
    const r = await gradecheckOnly("two-layer-net", "fixtures/submissions/two-layer-net/gil-loss-sum");
    if (r.score !== r.maxScore) throw new Error(explain(r));
    for (const t of r.tests) expect(t.outcome.message).toMatch(/the loss of your twoLayerNetLoss does not match the reference/);
  });
});
