/**
 * Stack traces a student can use (graders/submission/stack.ts): the frames of their own code name
 * their own file, line and column, mapped by the grader through the bundle's source map; frames
 * of Node's internals, of the grader's runner (ml-matrix inside it) and the temporary folder the
 * bundle was written to never reach a report. Through the engine, with and without bubblewrap.
 */
import { describe, expect, it } from "@jest/globals";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { studentStack } from "../../../graders/checks/context";
import { gradeSubmission } from "../../../graders/grade";
import { bundleFile } from "../../../graders/submission/bundle";
import { BundleFrames } from "../../../graders/submission/stack";

/** A layers submission whose reluBackward calls, through Matrix.apply, a helper in helpers/slope.ts that throws. */
function submission(layersExtra = ""): string {
  const dir = mkdtempSync(join(tmpdir(), "stack-"));
  mkdirSync(join(dir, "helpers"));
  writeFileSync(
    join(dir, "layers.ts"),
    `import { Matrix } from "ml-matrix";
import { slope } from "./helpers/slope";
${layersExtra}
export function reluForward(x: Matrix) {
  return { out: x.clone(), cache: { x } };
}

export function reluBackward(dout: Matrix, cache: { x: Matrix }) {
  const dx = dout.clone();
  dx.apply((i: number, j: number) => {
    dx.set(i, j, dout.get(i, j) * slope(cache.x.get(i, j)));
  });
  return { dx };
}
`,
  );
  writeFileSync(
    join(dir, "helpers", "slope.ts"),
    `export function slope(v: number): number {
  if (Number.isNaN(v) || v > -100) {
    throw new Error("slope is not written yet");
  }
  return v > 0 ? 1 : 0;
}
`,
  );
  return dir;
}

const BUNDLE_LINE = (code: string, text: string) => code.split("\n").findIndex((l) => l.includes(text)) + 1;

describe("mapping a bundle's frames back to the student's files", () => {
  it("keeps the student's frames, mapped to file:line:column, and drops Node's, the runner's and anything else", async () => {
    const dir = submission();
    const b = await bundleFile(dir, join(dir, "layers.ts"));
    if (!b.ok) throw new Error("the submission does not compile");
    const at = (text: string, column: number) => `${BUNDLE_LINE(b.code, text)}:${column}`;
    const folder = "/tmp/backprop-grader-sub-Ab12Cd";
    const stack = [
      "Error: slope is not written yet",
      `    at slope (file://${folder}/submission.mjs:${at("throw new Error", 11)})`,
      `    at _Matrix.<anonymous> (file://${folder}/submission.mjs:${at("slope(cache.x.get", 35)})`,
      "    at _Matrix.apply (file:///tmp/backprop-grader-runner-0d65f8def0b6184b/runner.mjs:1294:22)",
      `    at reluBackward (file://${folder}/submission.mjs:${at("dx.apply(", 6)})`,
      "    at runCase (file:///tmp/backprop-grader-runner-0d65f8def0b6184b/runner.mjs:6060:33)",
      "    at Socket.emit (node:events:524:28)",
      "    at addChunk (node:internal/streams/readable:561:12)",
      "    at Array.map (<anonymous>)",
      `    at ${folder}/submission.mjs:1:1`, // a line of the bundle with no source (the ml-matrix shim)
    ].join("\n");
    const frames = new BundleFrames(b.code, "submission.mjs").frames(stack);
    expect(frames).toBe(
      ["    at slope (helpers/slope.ts:3:11)", "    at _Matrix.<anonymous> (layers.ts:11:35)", "    at reluBackward (layers.ts:10:6)"].join("\n"),
    );
    expect(new BundleFrames(b.code, "submission.mjs").frames("Error: no frames at all")).toBeUndefined();
  });

  it("shows a student only frames in their own files, even of a stack that was never mapped", () => {
    const stack = [
      "    at reluBackward (layers.ts:31:9)",
      "    at reluBackward (file:///tmp/backprop-grader-sub-x/layers.ts:31:9)",
      "    at reluBackward (/tmp/backprop-grader-sub-x/submission.mjs:31:9)",
      "    at Socket.emit (node:events:524:28)",
      "    at Array.map (<anonymous>)",
      "    at C:\\Users\\me\\AppData\\Local\\Temp\\x\\submission.mjs:3:4",
    ].join("\n");
    expect(studentStack({ name: "Error", message: "x", stack })).toBe("    at reluBackward (layers.ts:31:9)");
  });
});

describe("through the engine", () => {
  it.each([
    ["with bubblewrap where it works", undefined],
    ["without bubblewrap", false],
  ])(
    "a throw in a helper file, %s: the student's frames, their files and lines, nothing else",
    async (_mode, bwrap) => {
      const r = await gradeSubmission("layers", submission(), {
        secret: "stack-test",
        kinds: ["golden"],
        exports: ["reluBackward"],
        ...(bwrap === false ? { bwrap } : {}),
      });
      const o = r.tests[0].outcome;
      expect(o).toMatchObject({
        status: "failed",
        message: "reluBackward threw Error: slope is not written yet",
        details: ["    at slope (helpers/slope.ts:3:11)", "    at _Matrix.<anonymous> (layers.ts:11:35)", "    at reluBackward (layers.ts:10:6)"].join("\n"),
      });
    },
    60_000,
  );

  it("a throw while the file loads names the line of layers.ts", async () => {
    const r = await gradeSubmission("layers", submission(`const table = (null as unknown as number[]).length;\n`), {
      secret: "stack-test",
      kinds: ["golden"],
      exports: ["reluBackward"],
    });
    const o = r.tests[0].outcome;
    expect(o).toMatchObject({
      status: "failed",
      message: expect.stringMatching(/^layers\.ts threw while it was being loaded: TypeError: Cannot read properties of null/),
    });
    expect(o.status === "failed" && o.details).toBe("    at layers.ts:3:45");
  }, 60_000);
});
