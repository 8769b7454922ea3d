/**
 * Loading a submission (graders/submission/bundle.ts: compiling and the import rule; the exports
 * themselves are checked in graders/grade.ts), through the whole engine: what a student is told
 * when a file does not compile, imports what it may not, lacks an export or uses a default
 * export; and that each such problem costs only the exports it touches.
 */
import { describe, expect, it } from "@jest/globals";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gradeSubmission } from "../../../graders/grade";
import type { SubmissionResult } from "../../../graders/result-model";

const SECRET = "engine-test";
const folder = (files: Record<string, string>) => {
  const dir = mkdtempSync(join(tmpdir(), "engine-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
};
const correct = (assignment: string, file: string) => readFileSync(`reference/${assignment}/${file}`, "utf8");
const byExport = (r: SubmissionResult, e: string) => r.tests.filter((t) => t.test.export === e && !t.outcome.message.includes("not implemented"));
const firstFailure = (r: SubmissionResult, e: string) => byExport(r, e).find((t) => t.outcome.status !== "passed")?.outcome;

describe("a file that does not compile", () => {
  it("reports file:line:column and the line, fails that file's exports only", async () => {
    const losses = correct("classifiers", "losses.ts").replace("const N = scores.rows;", "const N = scores.rows x;");
    const dir = folder({ "losses.ts": losses, "linear-classifier.ts": correct("classifiers", "linear-classifier.ts") });
    const r = await gradeSubmission("classifiers", dir, { secret: SECRET });
    expect(r.messages[0]).toMatch(/^losses\.ts does not compile:\nlosses\.ts:\d+:\d+: Expected ";" but found "x"\n {4}const N = scores\.rows x;/);
    expect(firstFailure(r, "svmLoss")).toMatchObject({ status: "failed" });
    // linear-classifier.ts imports ./losses, so it does not compile either: named as its own problem
    expect(r.messages[1]).toMatch(/^linear-classifier\.ts does not compile:\nlosses\.ts:\d+:\d+:/);
  });

  it("one missing file among two: the other file's exports still earn their points", async () => {
    const dir = folder({ "gates.ts": correct("gates", "gates.ts") });
    const r = await gradeSubmission("gates", dir, { secret: SECRET });
    expect(r.messages).toEqual([expect.stringMatching(/^graph\.ts is missing/)]);
    for (const e of ["AddGate", "MultiplyGate", "MaxGate", "SigmoidGate"]) expect(byExport(r, e).every((t) => t.outcome.status === "passed")).toBe(true);
    expect(firstFailure(r, "ComputationalGraph")?.message).toMatch(/^graph\.ts is missing/);
  });
});

describe("imports", () => {
  it.each([
    ["node:fs", `import { readFileSync } from "node:fs";`],
    ["lodash", `import _ from "lodash"; export const unused = _;`],
    ["/etc/passwd", `import "/etc/passwd";`],
  ])("refuses %s, naming the import and the file", async (spec, line) => {
    const dir = folder({ "two-layer-net.ts": `${line}\n${correct("two-layer-net", "two-layer-net.ts")}` });
    const r = await gradeSubmission("two-layer-net", dir, { secret: SECRET });
    expect(r.messages[0]).toContain(`import "${spec}" is not allowed in two-layer-net.ts: a submission may import only "ml-matrix" and its own files`);
    expect(r.score).toBe(0);
  });

  it("follows relative helper files, and refuses one outside the submission folder", async () => {
    const parent = mkdtempSync(join(tmpdir(), "engine-"));
    cpSync("fixtures/submissions/layers/ben-static-ts", join(parent, "student"), { recursive: true });
    writeFileSync(join(parent, "secret.ts"), "export const s = 1;");
    const ok = await gradeSubmission("layers", join(parent, "student"), { secret: SECRET });
    expect(ok.messages).toEqual([]);
    writeFileSync(
      join(parent, "student", "layers.ts"),
      `import { s } from "../secret";\nexport const leak = s;\n${readFileSync(join(parent, "student", "layers.ts"), "utf8")}`,
    );
    const bad = await gradeSubmission("layers", join(parent, "student"), { secret: SECRET });
    expect(bad.messages[0]).toMatch(/import "\.\.\/secret" in layers\.ts leaves the submission folder/);
  });
});

describe("exports", () => {
  it("a default export instead of named exports: says so, per export", async () => {
    const body = correct("two-layer-net", "two-layer-net.ts")
      .replace(/export function/g, "function")
      .replace("export interface", "interface");
    const dir = folder({ "two-layer-net.ts": `${body}\nexport default { twoLayerNetScores, twoLayerNetLoss };\n` });
    const r = await gradeSubmission("two-layer-net", dir, { secret: SECRET });
    expect(firstFailure(r, "twoLayerNetLoss")?.message).toBe(
      "two-layer-net.ts does not export twoLayerNetLoss. It has a default export: the contract needs named exports (export function twoLayerNetLoss …).",
    );
  });

  it("a missing export costs that export only; a misnamed one is pointed out", async () => {
    const dir = folder({
      "two-layer-net.ts": correct("two-layer-net", "two-layer-net.ts").replace("export function twoLayerNetScores", "export function twoLayerNetScore"),
    });
    const r = await gradeSubmission("two-layer-net", dir, { secret: SECRET });
    expect(firstFailure(r, "twoLayerNetScores")?.message).toBe(
      "two-layer-net.ts does not export twoLayerNetScores. It exports twoLayerNetLoss, twoLayerNetScore.",
    );
    expect(byExport(r, "twoLayerNetLoss").every((t) => t.outcome.status === "passed")).toBe(true);
  });

  it("both layers.ts and layers.js, each the student's own: neither is graded, and the student is told (test/unit/submission/locate.test.ts: the skeleton beside)", async () => {
    const dir = folder({ "layers.ts": correct("layers", "layers.ts"), "layers.js": "export const nothing = 1;" });
    const r = await gradeSubmission("layers", dir, { secret: SECRET });
    expect(r.messages).toEqual([
      "layers.ts and layers.js clash: each holds your own version of layers.ts, and only one may be handed in, so neither was graded; remove the one you do not want graded",
    ]);
  });
});
