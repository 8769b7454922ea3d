/**
 * The Gradescope bundle of gates (see test/helpers/gradescope/suite.ts), and what run_autograder does when the grader
 * itself fails: it cannot start, it fails while grading, or it passes run_autograder's deadline.
 * Each of those ends with a valid results.json that tells the student it is not their fault.
 */
import { expect, it } from "@jest/globals";
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bundleSuite, validResults } from "../../helpers/gradescope/suite";

const ADA = join("fixtures", "submissions", "gates", "ada-classes-ts");

bundleSuite("gates", ({ bundle, grade }) => {
  /** A copy of the set-up bundle, broken by `breakIt`. */
  const brokenCopy = (name: string, breakIt: (source: string) => void) => {
    const copy = join(bundle().tmp, name);
    cpSync(bundle().source, copy, { recursive: true });
    breakIt(copy);
    return copy;
  };

  it("when the grader cannot start, the fallback results.json stays: 0 points, every test a grader error, not the student's fault", async () => {
    const source = brokenCopy("no-grader", (s) => rmSync(join(s, "grader", "autograder.mjs")));
    const run = await grade("grader-missing", { from: ADA }, { source });
    const r = validResults(run);
    expect(run.text).toBe(readFileSync(join(source, "fallback-results.json"), "utf8"));
    expect(r.score).toBe(0);
    expect(new Set(r.tests.map((t) => t.extra_data.status))).toEqual(new Set(["grader-error"]));
    expect(r.output).toContain("This is not your fault; please tell the course staff");
    expect(run.stdout).toMatch(/run_autograder: the grader exited with status 1/);
  }, 60_000);

  it("a bundle missing even its fallback still leaves a results.json Gradescope accepts: 0 points and a message for the staff", async () => {
    const source = brokenCopy("no-fallback", (s) => ["fallback-results.json", "grader/autograder.mjs"].forEach((f) => rmSync(join(s, f))));
    const run = await grade("no-fallback", { from: ADA }, { source });
    expect(run.results).toEqual({ score: 0, output: expect.stringContaining("This is not your fault; please tell the course staff."), tests: [] });
  }, 60_000);

  it("when the grader fails while grading (a corrupt golden file), results.json says grader error and keeps the cause for the staff only", async () => {
    const source = brokenCopy("corrupt-golden", (s) => writeFileSync(join(s, "fixtures", "golden", "gates.json"), "{ not json"));
    const run = await grade("grader-fails", { from: ADA }, { source });
    const r = validResults(run);
    expect(run.text).not.toBe(readFileSync(join(source, "fallback-results.json"), "utf8"));
    expect(r.score).toBe(0);
    for (const t of r.tests) {
      expect(t.extra_data.status).toBe("grader-error");
      expect(t.output).toContain("the grader failed while grading your submission");
      expect(t.output).not.toContain("gates.json");
      expect(String(t.extra_data.cause)).toContain("gates.json");
    }
    expect(run.stdout).toContain("autograder: the grader failed (a bug in the grader, not in the submission)");
  }, 60_000);

  it("when the sandbox fails its start-up check (a permission flag this Node refuses), no student code runs: 0 points, every test a grader error naming the cause for the staff", async () => {
    const run = await grade("canary-fails", { from: ADA }, { env: { BACKPROP_GRADER_TEST_PERMISSION_FLAG: "--no-such-flag" } });
    const r = validResults(run);
    expect(r.score).toBe(0);
    expect(r.tests.length).toBeGreaterThan(0);
    for (const t of r.tests) {
      expect(t.extra_data.status).toBe("grader-error");
      expect(t.output).toContain("the sandbox that isolates submitted code is not working on this machine, so your code was not run");
      expect(String(t.extra_data.cause)).toMatch(/start-up check on node v\d+.*--no-such-flag: bad option/);
    }
    expect(run.stdout).toContain("autograder: refusing to run student code");
  }, 60_000);

  it("at run_autograder's deadline the grader keeps the tests graded so far and marks the rest grader errors", async () => {
    // Correct gates, but SigmoidGate.forward never returns: each of its 5 tests waits for its 2 s call limit.
    const gates = readFileSync(join(ADA, "gates.ts"), "utf8");
    const run = await grade(
      "deadline",
      {
        files: {
          "correct-gates.ts": gates,
          "gates.ts": [
            'export { AddGate, MultiplyGate, MaxGate, ExpGate, ReciprocalGate, ScaleGate, OffsetGate } from "./correct-gates";',
            "export class SigmoidGate {",
            "  forward(x: number): number { for (;;) {} }",
            "  backward(dz: number): number[] { return [dz]; }",
            "}",
          ].join("\n"),
          "graph.ts": readFileSync(join(ADA, "graph.ts"), "utf8"),
        },
      },
      { env: { AUTOGRADER_DEADLINE_SECONDS: "6" } },
    );
    const r = validResults(run);
    const statuses = r.tests.map((t) => t.extra_data.status);
    const cut = statuses.indexOf("grader-error");
    expect(cut).toBeGreaterThan(0);
    expect(statuses.slice(0, cut)).toContain("passed");
    expect(new Set(statuses.slice(cut))).toEqual(new Set(["grader-error"]));
    expect(r.tests[cut].output).toContain("the grader ran out of its overall time");
    expect(r.score).toBeGreaterThan(0);
    expect(run.stdout).toContain("autograder: stopped by run_autograder's deadline");
    expect(run.stdout).toContain("run_autograder: the grader passed its deadline of 6 s");
    expect(run.seconds).toBeLessThan(6 + 15 + 10);
  }, 60_000);
});
