/**
 * The Gradescope bundle of layers (see suite.ts), and the hostile submission that signals the
 * grader (fixtures/hostile/kill-parent): without bubblewrap, as on Gradescope, nothing stops
 * it from SIGKILLing the grader, and run_autograder still leaves a valid results.json.
 */
import { expect, it } from "@jest/globals";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assembleCase, loadHostileManifest } from "../hostile-assemble";
import { bundleSuite, validResults } from "./suite";

bundleSuite("layers", ({ grade }) => {
  it("a submission that SIGKILLs the grader (kill-parent) leaves the fallback results.json: 0 points, a grader error to report", async () => {
    const parent = mkdtempSync(join(tmpdir(), "gradescope-kill-parent-"));
    const run = await grade("kill-parent", { from: assembleCase("kill-parent", loadHostileManifest().cases["kill-parent"], parent) });
    rmSync(parent, { recursive: true, force: true });
    const r = validResults(run);
    expect(r.score).toBe(0);
    expect(new Set(r.tests.map((t) => t.extra_data.status))).toEqual(new Set(["grader-error"]));
    expect(run.stdout).toMatch(/run_autograder: the grader was killed by signal 9 after \d+ s/);
  }, 120_000);
});
