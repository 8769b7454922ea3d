/**
 * A failure's replay as data (graders/result-model.ts Replay): each kind in words (results/prose.ts
 * replayText), the same words in every report (the starter kit's self-check too), as data in
 * Gradescope's extra_data; the checks' replays (checks/replay.ts) never carry a seed drawn from
 * the secret; a property failure's fast-check seed and path draw its counterexample again.
 */
import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { Matrix } from "ml-matrix";
import type { Case } from "../../../graders/cases/case";
import { goldenPath } from "../../../graders/cases/golden";
import { loadCaseFile } from "../../../graders/cases/load";
import { planCases } from "../../../graders/cases/plan";
import type { Implementation } from "../../../graders/cases/run";
import { LOSS_CHECKS } from "../../../graders/checks/loss-properties";
import { type Property, checkProperty, fastCheckSeed } from "../../../graders/checks/property";
import { caseReplay, drawnGoldenReplay, goldenReplay } from "../../../graders/checks/replay";
import { golden as goldenCheck, hidden as hiddenCheck } from "../../../graders/checks/values";
import { loadManifest, testSpecs } from "../../../graders/manifest";
import { REFERENCE } from "../../../graders/reference/live-reference";
import { toClassroom } from "../../../graders/results/classroom";
import { toGradescope } from "../../../graders/results/gradescope";
import { toJUnit } from "../../../graders/results/junit";
import { markdownText } from "../../../graders/results/markdown";
import { replayText } from "../../../graders/results/prose";
import type { Outcome, Replay, SubmissionResult, TestSpec } from "../../../graders/result-model";
import { toSelfCheck } from "../../../graders/results/self-check";
import { toTerminal } from "../../../graders/results/terminal";
import { checkContext, runInProcess } from "../../helpers/check-context";

const SECRET = "replay-test-s3cret";

describe("replayText: every kind of replay in words", () => {
  const cases: [Replay, string][] = [
    [{ kind: "golden-case", file: "fixtures/golden/layers.json", id: "tanh/3x5/0" }, "case tanh/3x5/0 of fixtures/golden/layers.json"],
    [
      { kind: "golden-case", file: "fixtures/golden/classifiers.json", id: "linearSvmLoss/4x3x5/0", changed: "reg = 0.25 and reg = 0" },
      "case linearSvmLoss/4x3x5/0 of fixtures/golden/classifiers.json with reg = 0.25 and reg = 0",
    ],
    [
      {
        kind: "golden-case",
        file: "fixtures/golden/classifiers.json",
        id: "softmaxLoss/4x3/0",
        changed: "scores of order ±1e4",
        seed: "visible:softmaxLoss: stays finite",
      },
      'case softmaxLoss/4x3/0 of fixtures/golden/classifiers.json with scores of order ±1e4 drawn with seed "visible:softmaxLoss: stays finite"',
    ],
    [
      { kind: "drawn-case", id: "affine/6x12x10/larger", seed: "visible:affineBackward: x:affine/6x12x10/larger" },
      'case affine/6x12x10/larger drawn with seed "visible:affineBackward: x:affine/6x12x10/larger" (graders/cases/generate.ts makeCase)',
    ],
    [{ kind: "hidden-case", id: "affine/6x12x10/larger" }, "hidden case affine/6x12x10/larger"],
    [
      { kind: "fast-check", seed: -1234567, path: "3:0:1", counterexample: "x = 0.25, dz = -1.5" },
      'fast-check seed -1234567, path "3:0:1", counterexample x = 0.25, dz = -1.5',
    ],
    [{ kind: "inputs", inputs: { scores: [[1, 0, -5]], y: [0] } }, "scores = [[1,0,-5]], y = [0]"],
    [{ kind: "inputs", inputs: { x: [[0, -1.5]], dout: [[1.5, -0.5]] }, note: "default parameter" }, "x = [[0,-1.5]], dout = [[1.5,-0.5]] (default parameter)"],
  ];
  it.each(cases)("%j", (replay, words) => {
    expect(replayText(replay)).toBe(words);
  });

  it("covers every kind the result model has", () => {
    const kinds: Record<Replay["kind"], true> = { "golden-case": true, "drawn-case": true, "hidden-case": true, "fast-check": true, inputs: true };
    expect(new Set(cases.map(([r]) => r.kind))).toEqual(new Set(Object.keys(kinds)));
  });
});

describe("every report says the replay in the same words", () => {
  const replay: Replay = { kind: "fast-check", seed: 42, path: "7:1", counterexample: "x = 0.5, y = -2" };
  const words = 'fast-check seed 42, path "7:1", counterexample x = 0.5, y = -2';
  const test: TestSpec = {
    name: "MultiplyGate: switches",
    export: "MultiplyGate",
    kind: "properties",
    description: "switches",
    points: 2,
    visibility: "visible",
  };
  const outcome: Outcome = { status: "failed", message: "MultiplyGate: dx is not y·dz", replay };
  const result: SubmissionResult = {
    assignment: "gates",
    student: "s",
    score: 0,
    maxScore: 2,
    executionTimeMs: 5,
    tests: [{ test, score: 0, outcome, durationMs: 1 }],
    messages: [],
  };

  it("terminal, JUnit, Gradescope text, GitHub Classroom, the starter kit's self-check: 'Replay: ' and the words", () => {
    expect(toSelfCheck(result, { color: false, rerun: (e) => `npm run check -- ${e}` })).toContain(`      Replay: ${words}\n`);
    expect(toTerminal(result, { color: false, showHidden: true })).toContain(`Replay: ${words}`);
    expect(toJUnit([result])).toContain(`Replay: ${words}`);
    expect(toGradescope(result).tests[0].output).toBe(`MultiplyGate: dx is not y·dz\nReplay: ${words}`);
    expect(toClassroom(result, { rerun: (e) => `npm run check -- ${e}` }).tests[0].message).toBe(`MultiplyGate: dx is not y·dz\nReplay: ${words}`);
  });

  it("Gradescope Markdown: the same words, escaped, after a bold label", () => {
    expect(toGradescope(result, { format: "md" }).tests[0].output).toContain(`**Replay:** ${markdownText(words)}`);
  });

  it("Gradescope's extra_data keeps the replay as data; a test without one has none", () => {
    expect(toGradescope(result).tests[0].extra_data.replay).toEqual(replay);
    const { replay: _, ...without } = outcome as Extract<Outcome, { status: "failed" }>;
    expect(toGradescope({ ...result, tests: [{ ...result.tests[0], outcome: without }] }).tests[0].extra_data).not.toHaveProperty("replay");
  });
});

describe("the checks' replays never carry a seed drawn from the secret", () => {
  const layers = loadManifest("layers");
  const specOf = (name: string, visibility: TestSpec["visibility"] = "visible"): TestSpec => ({
    ...testSpecs(layers).find((t) => t.name.startsWith(name))!,
    visibility,
  });
  const golden = loadCaseFile(goldenPath("layers")).cases;
  const hidden = planCases("layers", `hidden:${SECRET}`);
  const drawn: Case = { ...golden[0], id: "affine/6x12x10/larger", seed: "visible:affineBackward: x:affine/6x12x10/larger" };

  it("caseReplay: a golden case by file and id, a visible draw with its seed, anything else by its id only", () => {
    const visible = { assignment: "layers" as const, spec: specOf("affineBackward: matches"), golden };
    expect(caseReplay(visible, golden[0])).toEqual({ kind: "golden-case", file: "fixtures/golden/layers.json", id: golden[0].id });
    expect(caseReplay(visible, drawn)).toEqual({ kind: "drawn-case", id: drawn.id, seed: drawn.seed });
    // a hidden test's draw, and a hidden case even under a test declared visible: the seed holds the secret
    expect(caseReplay({ ...visible, spec: specOf("affineBackward: matches", "after_published") }, drawn)).toEqual({ kind: "hidden-case", id: drawn.id });
    expect(caseReplay(visible, hidden[0])).toEqual({ kind: "hidden-case", id: hidden[0].id });
  });

  it("drawnGoldenReplay: the test's seed for a visible test only", () => {
    const ctx = { assignment: "layers" as const, spec: specOf("affineBackward: matches"), seed: "visible:affineBackward: matches" };
    expect(drawnGoldenReplay(ctx, golden[0], "dout drawn")).toEqual({ ...goldenReplay(ctx, golden[0], "dout drawn"), seed: ctx.seed });
    const secret = { ...ctx, spec: specOf("affineBackward: matches", "after_published"), seed: `hidden:${SECRET}:affineBackward: matches` };
    expect(drawnGoldenReplay(secret, golden[0], "dout drawn")).toEqual(goldenReplay(ctx, golden[0], "dout drawn"));
  });

  it("a hidden value test's failure names the hidden case by its id, and nothing in it holds the secret", async () => {
    const wrong: Implementation = { ...REFERENCE.layers, tanhForward: (x: Matrix) => ({ out: x.clone(), cache: { x } }) };
    const spec = testSpecs(layers).find((t) => t.export === "tanhForward" && t.kind === "hidden")!;
    const ctx = checkContext(
      { assignment: "layers", spec, manifest: layers, run: runInProcess(wrong, REFERENCE.gates) },
      { hiddenCases: () => hidden, seed: `hidden:${SECRET}:${spec.name}` },
    );
    const o = await hiddenCheck(ctx);
    expect(o.status).toBe("failed");
    if (o.status !== "failed") throw new Error(`expected a failure, got ${o.status}`);
    expect(o.replay).toEqual({ kind: "hidden-case", id: expect.stringMatching(/^tanh\//) });
    expect(hidden.find((c) => c.id === (o.replay as { id: string }).id)!.seed).toContain(SECRET); // what is left out
    expect(JSON.stringify(o)).not.toContain(SECRET);
    const words = toGradescope({
      assignment: "layers",
      student: "s",
      score: 0,
      maxScore: 1,
      executionTimeMs: 1,
      tests: [{ test: spec, score: 0, outcome: o, durationMs: 1 }],
      messages: [],
    });
    expect(JSON.stringify(words)).not.toContain(SECRET);
    // the same student on the committed cases: the golden case, by file and id
    const g = await goldenCheck({
      ...ctx,
      spec: testSpecs(layers).find((t) => t.export === "tanhForward" && t.kind === "golden")!,
      golden: golden.filter((c) => c.exports.includes("tanhForward")),
    });
    expect(g).toMatchObject({ status: "failed", replay: { kind: "golden-case", file: "fixtures/golden/layers.json" } });
  });

  it("softmax-properties: the seed of the ±1e4 scores in a visible test's replay, never in a hidden one's", async () => {
    // e^s without the shift by the row max: Infinity/Infinity = NaN at scores of ±1e4
    const naive = (scores: Matrix, y: number[]) => {
      const e = scores.to2DArray().map((row) => row.map(Math.exp));
      const p = e.map((row) => row.map((v) => v / row.reduce((a, b) => a + b, 0)));
      const n = p.length;
      const loss = -p.reduce((s, row, i) => s + Math.log(row[y[i]]), 0) / n;
      return { loss, dscores: new Matrix(p.map((row, i) => row.map((v, j) => (v - (j === y[i] ? 1 : 0)) / n))) };
    };
    const classifiers = loadManifest("classifiers");
    const spec = testSpecs(classifiers).find((t) => t.check === "softmax-properties")!;
    const cases = loadCaseFile(goldenPath("classifiers")).cases.filter((c) => c.exports.includes("softmaxLoss"));
    const run = runInProcess({ ...REFERENCE.classifiers, softmaxLoss: naive }, REFERENCE.gates);
    const base = { assignment: "classifiers" as const, manifest: classifiers, run };
    const visible = await LOSS_CHECKS["softmax-properties"].run(checkContext({ ...base, spec }, { golden: cases }));
    expect(visible).toMatchObject({ status: "failed", replay: { kind: "golden-case", changed: "scores of order ±1e4", seed: `visible:${spec.name}` } });
    const hiddenSpec = { ...spec, visibility: "after_published" as const };
    const secret = await LOSS_CHECKS["softmax-properties"].run(
      checkContext({ ...base, spec: hiddenSpec }, { golden: cases, seed: `hidden:${SECRET}:${spec.name}` }),
    );
    expect(secret).toMatchObject({ status: "failed", replay: { kind: "golden-case", changed: "scores of order ±1e4" } });
    expect((secret as { replay: Replay }).replay).not.toHaveProperty("seed");
    expect(JSON.stringify(secret)).not.toContain(SECRET);
  });
});

describe("a property failure's replay", () => {
  it("carries fast-check's seed (from the test's seed) and path, and they draw the same counterexample again", async () => {
    const gates = loadManifest("gates");
    const spec = testSpecs(gates).find((t) => t.check === "add-distributes")!;
    const ctx = checkContext({ assignment: "gates", spec, manifest: gates, run: runInProcess(REFERENCE.gates, REFERENCE.gates) });
    const arbitrary = fc.double({ min: -10, max: 10, noNaN: true });
    const show = (x: number) => `x = ${x}`;
    const property: Property<number> = { arbitrary, show, holds: async (x) => (x > 3 ? { message: `${x} > 3` } : null) };
    const o = await checkProperty(ctx, property);
    expect(o.status).toBe("failed");
    if (o.status !== "failed" || o.replay?.kind !== "fast-check") throw new Error(`expected a fast-check replay, got ${JSON.stringify(o)}`);
    const { seed, path, counterexample } = o.replay;
    expect(seed).toBe(fastCheckSeed(ctx.seed));
    expect(replayText(o.replay)).toBe(`fast-check seed ${seed}, path "${path}", counterexample ${counterexample}`);
    // fast-check's own replay: the seed and path, and the property fails at once on the counterexample
    const again = fc.check(
      fc.property(arbitrary, (x) => x <= 3),
      { seed, path, endOnFailure: true },
    );
    expect(again.failed).toBe(true);
    expect(again.numRuns).toBe(1);
    expect(show(again.counterexample![0])).toBe(counterexample);
  });
});
