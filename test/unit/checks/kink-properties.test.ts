/**
 * The property checks that look where the golden cases never do (they are drawn kink-free and
 * O(1)): the sigmoid layer at |x| up to 800 (layer-properties.ts forward-properties), the ReLU
 * family's backward at x = 0 exactly with a non-zero dout (backward-properties), and the two-layer
 * net's ReLU mask at a pre-activation of exactly 0 (loss-properties.ts net-properties). Each bug
 * is one function of a correct sample (ada-loops-js) rewritten; it must fail its own export's
 * properties test only, saying what to check (or the likely cause the catalog matched), while the
 * untouched sample passes.
 */
import { afterAll, describe, expect, it } from "@jest/globals";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AssignmentName } from "../../../graders/cases/case";
import { gradeSubmission } from "../../../graders/grade";
import type { SubmissionResult, TestResult } from "../../../graders/result-model";

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A copy of fixtures/submissions/<assignment>/ada-loops-js with `from` replaced by `to` in `file`. */
function variant(assignment: AssignmentName, file: string, from: string, to: string): string {
  const dir = mkdtempSync(join(tmpdir(), `kink-${assignment}-`));
  made.push(dir);
  cpSync(`fixtures/submissions/${assignment}/ada-loops-js`, dir, { recursive: true });
  const source = readFileSync(join(dir, file), "utf8");
  if (source.split(from).length !== 2) throw new Error(`expected exactly one "${from}" in ${assignment}/ada-loops-js/${file}`);
  writeFileSync(join(dir, file), source.replace(from, to));
  return dir;
}

const grade = (assignment: AssignmentName, dir: string): Promise<SubmissionResult> => gradeSubmission(assignment, dir, { secret: "x", kinds: ["properties"] });
const failing = (r: SubmissionResult): TestResult[] => r.tests.filter((t) => t.outcome.status !== "passed");
const explain = (ts: TestResult[]) => ts.map((t) => `${t.test.name}: ${t.outcome.status}: ${t.outcome.message}`).join("\n");

const AT_ZERO = "at x = 0 exactly the contract takes the x ≤ 0 branch: use x > 0, not x >= 0, for the mask";

/** What the failure says besides its message: advice (hint, "What to check:") or a likely cause the catalog matched (diagnosis). */
type Said = { hint: string } | { diagnosis: string };
const BUGS: [string, AssignmentName, string, string, string, string, RegExp, Said][] = [
  // name, assignment, file, from, to, export, message, what else it says
  [
    "sigmoidForward as e^x/(1+e^x)",
    "layers",
    "layers.js",
    "elementwise(x, (v) => 1 / (1 + Math.exp(-v)))",
    "elementwise(x, (v) => Math.exp(v) / (1 + Math.exp(v)))",
    "sigmoidForward",
    /^sigmoidForward: cannot test its properties: out\[0\]\[0\] is .*NaN/,
    { hint: "compute 1/(1+e^-x): e^x/(1+e^x) is Infinity/Infinity = NaN for x > 709" },
  ],
  [
    "reluBackward with the mask x >= 0",
    "layers",
    "layers.js",
    "dx[i][j] = cache.x.get(i, j) > 0 ? dout.get(i, j) : 0;",
    "dx[i][j] = cache.x.get(i, j) >= 0 ? dout.get(i, j) : 0;",
    "reluBackward",
    /^reluBackward: dx\[0\]\[0\] = 1\.5\d* where x = 0 and dout = 1\.5\d*, expected 0$/,
    { hint: AT_ZERO },
  ],
  [
    "leakyReluBackward with x >= 0",
    "layers",
    "layers.js",
    "dx[i][j] = x.get(i, j) > 0 ? dout.get(i, j) : slope * dout.get(i, j);",
    "dx[i][j] = x.get(i, j) >= 0 ? dout.get(i, j) : slope * dout.get(i, j);",
    "leakyReluBackward",
    /^leakyReluBackward: dx\[0\]\[0\] = 1\.5\d* where x = 0 and dout = 1\.5\d*, expected 0\.15\d*$/,
    { hint: AT_ZERO },
  ],
  [
    "eluBackward with x >= 0",
    "layers",
    "layers.js",
    "dx[i][j] = v > 0 ? dout.get(i, j) : dout.get(i, j) * alpha * Math.exp(v);",
    "dx[i][j] = v >= 0 ? dout.get(i, j) : dout.get(i, j) * alpha * Math.exp(v);",
    // with the default alpha = 1 the two branches agree at x = 0: only alpha = 0.6 tells them apart
    "eluBackward",
    /^eluBackward: dx\[0\]\[0\] = 1\.5\d* where x = 0 and dout = 1\.5\d* \(alpha = 0\.6\), expected 0\.9\d*$/,
    { hint: AT_ZERO },
  ],
  [
    "twoLayerNetLoss with the ReLU mask z1 >= 0",
    "two-layer-net",
    "two-layer-net.js",
    "if (!(pre[i][k] > 0)) dh[i][k] = 0;",
    "if (!(pre[i][k] >= 0)) dh[i][k] = 0;",
    "twoLayerNetLoss",
    /^twoLayerNetLoss: with b1 = 0 and a row of X all 0 \(pre-activations exactly 0\), db1\[0\]\[\d+\] = \S+, expected \S+$/,
    // the catalog's variant (the mask z1 >= 0) matches the answer on that case: a likely cause
    {
      diagnosis:
        "twoLayerNetLoss: db1 lets the gradient through where the pre-activation z1 = X·W1 + b1 is exactly 0: the ReLU's mask is z1 > 0 (strictly), so the gradient is 0 where z1 = 0",
    },
  ],
];

describe("properties at the kink and far from 0", () => {
  it.each(["layers", "two-layer-net"] as const)(
    "the untouched sample %s/ada-loops-js and the reference pass every properties test",
    async (assignment) => {
      for (const dir of [`fixtures/submissions/${assignment}/ada-loops-js`, `reference/${assignment}`]) {
        const r = await grade(assignment, dir);
        expect(r.tests.length).toBeGreaterThan(0);
        if (failing(r).length > 0) throw new Error(`${dir}:\n${explain(failing(r))}`);
      }
    },
    60_000,
  );

  it("sigmoidForward's properties test exists and is worth 1 point", async () => {
    const r = await grade("layers", "reference/layers");
    const t = r.tests.filter((k) => k.test.export === "sigmoidForward" && k.test.kind === "properties");
    expect(t.map((k) => [k.test.check, k.test.points])).toEqual([["forward-properties", 1]]);
  }, 60_000);

  it.each(BUGS)(
    "%s fails its own export's properties test only, saying why",
    async (_name, assignment, file, from, to, exportName, message, said) => {
      const r = await grade(assignment, variant(assignment, file, from, to));
      const failed = failing(r);
      if (failed.length !== 1) throw new Error(`expected only ${exportName}'s properties test to fail:\n${explain(failed)}`);
      const [t] = failed;
      expect(t.test.export).toBe(exportName);
      expect(t.outcome.status).toBe("failed");
      if (t.outcome.status !== "failed") throw new Error(`expected a failure, got ${t.outcome.status}`);
      expect(t.outcome.message).toMatch(message);
      expect({ hint: t.outcome.hint, diagnosis: t.outcome.diagnosis }).toEqual({ hint: undefined, diagnosis: undefined, ...said });
      expect(t.outcome.replay).toBeDefined();
    },
    60_000,
  );
});
