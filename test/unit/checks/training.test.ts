/**
 * The training check (graders/checks/training.ts): the grader's own gradient descent on the
 * spiral data with the student's twoLayerNetLoss gradients, run on sandboxed submissions as the
 * engine runs it (one sandbox per file, the manifest's limits): the reference and the correct
 * students learn, a wrong gradient does not, a twoLayerNetScores bug costs nothing here, and the
 * same seed gives the same curve. (That the engine copies an outcome's extra into the test
 * result is covered by test/unit/checks/efficiency.test.ts, through a whole grading.)
 */
import { afterAll, describe, expect, it } from "@jest/globals";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sparkline, training } from "../../../graders/checks/training";
import { readAnswer, spiral, TRAINING, trainingSetup } from "../../../graders/cases/train";
import { Random } from "../../../graders/cases/random";
import { loadManifest, testSpecs } from "../../../graders/manifest";
import { type GradingPolicy, KIT_POLICY, LIVE_POLICY } from "../../../graders/reference/grading-policy";
import type { Outcome } from "../../../graders/result-model";
import { Sandbox } from "../../../graders/sandbox/sandbox";
import { bundleFile } from "../../../graders/submission/bundle";
import { checkContext } from "../../helpers/check-context";

const manifest = loadManifest("two-layer-net");
const spec = testSpecs(manifest).find((t) => t.kind === "training")!;
const sandboxes: Sandbox[] = [];
afterAll(async () => {
  await Promise.all(sandboxes.map((s) => s.close()));
});

/** The training check on the submission in `dir`, its file sandboxed as in grading. */
async function train(dir: string, seed = `visible:${spec.name}`, policy: GradingPolicy = LIVE_POLICY): Promise<Outcome> {
  const file = readdirSync(dir).find((f) => /^two-layer-net\.(ts|js|mjs)$/.test(f))!;
  const bundle = await bundleFile(dir, join(dir, file));
  if (!bundle.ok) throw new Error(`${dir} does not compile`);
  const sandbox = new Sandbox(bundle.code, { memoryMb: manifest.limits.memoryMb, loadTimeoutMs: manifest.limits.callTimeoutMs });
  sandboxes.push(sandbox);
  const limit = spec.timeoutMs ?? manifest.limits.callTimeoutMs;
  const ctx = checkContext(
    { assignment: "two-layer-net", spec, manifest, run: (c, r = {}) => sandbox.run(c, r.timeoutMs ?? limit, r) },
    { seed, limitMs: limit, train: (s, timeoutMs) => sandbox.train(s, timeoutMs), policy },
  );
  return training(ctx);
}

/** The reference's two-layer-net.ts with `from` replaced by `to`, in a fresh folder. */
function variant(from: string, to: string): string {
  const text = readFileSync("reference/two-layer-net/two-layer-net.ts", "utf8");
  expect(text).toContain(from);
  const dir = mkdtempSync(join(tmpdir(), "training-"));
  writeFileSync(join(dir, "two-layer-net.ts"), text.replace(from, to));
  return dir;
}

type TrainingExtra = { training: { steps: number; accuracy: number; loss: number[]; lossEvery: number; sparkline: string; seed: string; durationMs: number } };
const extraOf = (o: Outcome) => (o.status === "passed" || o.status === "failed" ? (o.extra as TrainingExtra | undefined) : undefined);

describe("the pieces", () => {
  it("the spiral: 3 classes of 50 points in the unit disc, seeded", () => {
    const { X, y } = spiral(new Random("s"));
    expect(X).toHaveLength(150);
    expect(y.filter((c) => c === 2)).toHaveLength(50);
    expect(X.every(([a, b]) => Math.hypot(a, b) <= 1 + 1e-12)).toBe(true);
    expect(trainingSetup("s")).toEqual(trainingSetup("s"));
    expect(trainingSetup("s").params.W1).toHaveLength(2);
    expect(trainingSetup("s").params.W2[0]).toHaveLength(3);
  });

  it("a sparkline: 40 bars from high to low", () => {
    const line = sparkline(Array.from({ length: 120 }, (_, k) => 1 / (1 + k)));
    expect(line).toHaveLength(40);
    expect(line[0]).toBe("█");
    expect(line[39]).toBe("▁");
  });

  it("an answer of the wrong shape is named by its grads field", () => {
    const { params } = trainingSetup("s");
    const answer = { loss: 1, dW1: params.W1, db1: params.b1, dW2: params.W1, db2: params.b2 };
    expect(readAnswer(answer, params)).toEqual({ problem: "grads.W2 has shape 2×50, expected 50×3 (the shape of W2)" });
    expect(readAnswer({ ...answer, dW2: params.W2, loss: NaN }, params)).toEqual({ problem: "loss is NaN: it must be a finite number" });
  });
});

describe("training, the check on sandboxed submissions", () => {
  let first: TrainingExtra["training"] | undefined;
  it("the reference learns the spiral: ≥ 95 %, the curve in the message and in extra", async () => {
    const o = await train("reference/two-layer-net");
    expect(o.status).toBe("passed");
    expect(o.message).toMatch(
      /^twoLayerNetLoss: trained 120 steps, training accuracy (9\d|100)\.\d % \(needs ≥ 90 %\); loss 1\.\d\d → 0\.\d\d\nloss over the steps: [▁▂▃▄▅▆▇█]{40} \(1\.\d\d → 0\.\d\d\)$/,
    );
    first = extraOf(o)!.training;
    expect(first).toMatchObject({
      steps: TRAINING.steps,
      lossEvery: 10,
      seed: `visible:${spec.name}`,
      learningRate: { from: 4, to: 0.4, schedule: "linear" },
      reg: 1e-4,
    });
    expect(first.accuracy).toBeGreaterThanOrEqual(0.95);
    expect(first.loss).toHaveLength(13); // steps 1, 11, …, 111 and the last
    expect(Math.abs(first.loss[0] - Math.log(3))).toBeLessThan(0.5); // near chance: the scores start small
    expect(first.loss[12]).toBeLessThan(first.loss[0] / 2);
    console.log(`${o.message}\n(the check took ${(first.durationMs / 1000).toFixed(2)} s)`);
  }, 30_000);

  it("is deterministic: the same seed gives the same curve (and another seed other data)", async () => {
    const again = extraOf(await train("reference/two-layer-net"))!.training;
    expect(again.loss).toEqual(first!.loss);
    expect(again.accuracy).toBe(first!.accuracy);
    expect(trainingSetup("visible:another seed").X).not.toEqual(trainingSetup(`visible:${spec.name}`).X);
  }, 30_000);

  it.each(["ada-loops-js", "ben-static-ts"])(
    "%s (correct) learns it",
    async (id) => {
      const o = await train(`fixtures/submissions/two-layer-net/${id}`);
      expect(o.status).toBe("passed");
      expect(extraOf(o)!.training.accuracy).toBeGreaterThanOrEqual(0.9);
    },
    30_000,
  );

  it("a twoLayerNetScores bug costs nothing here (accuracy uses the reference forward)", async () => {
    expect((await train("fixtures/submissions/two-layer-net/hal-scores-no-b2")).status).toBe("passed");
  }, 30_000);

  it("negated scores: live they cost nothing; under the starter kit's policy the student's own twoLayerNetScores measures the accuracy, and says so", async () => {
    const dir = variant("return forward(params, X).scores;", "return forward(params, X).scores.mul(-1);");
    expect(await train(dir)).toMatchObject({ status: "passed", message: expect.not.stringMatching(/your own twoLayerNetScores/) });
    expect(await train(dir, undefined, KIT_POLICY)).toMatchObject({
      status: "failed",
      details: expect.stringMatching(/the starter kit measures the training accuracy with your own twoLayerNetScores/),
    });
  }, 60_000);

  it("a sign-flipped dW1 (gradient ascent on W1) fails, with the curve and what to check", async () => {
    const dir = variant(
      "const dW1 = X.transpose().mmul(dz1).add(Matrix.mul(W1, 2 * reg));",
      "const dW1 = X.transpose().mmul(dz1).add(Matrix.mul(W1, 2 * reg)).mul(-1);",
    );
    const o = await train(dir);
    expect(o).toMatchObject({
      status: "failed",
      message: expect.stringMatching(/^twoLayerNetLoss: trained 120 steps, training accuracy \d+\.\d % \(needs ≥ 90 %\); loss \d\.\d\d → /),
    });
    if (o.status !== "failed") throw new Error(`expected a failure, got ${o.status}`);
    expect(o.details).toMatch(/^loss over the steps: [▁▂▃▄▅▆▇█]{40} \(\d\.\d\d → [\d.e+]+\)\nfull-batch gradient descent on the spiral data/);
    expect(extraOf(o)!.training.accuracy).toBeLessThan(0.9);
  }, 30_000);

  it("a gradient of the wrong shape fails at the first step, naming the step and the field", async () => {
    const dir = variant('const db1 = Matrix.rowVector(dz1.sum("column"));', "const db1 = dz1;");
    const o = await train(dir);
    expect(o).toMatchObject({
      status: "failed",
      message: "twoLayerNetLoss: at training step 1 of 120, grads.b1 has shape 150×50, expected 1×50 (the shape of b1)",
    });
  }, 30_000);
});
