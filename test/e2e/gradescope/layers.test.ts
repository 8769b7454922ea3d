/**
 * The Gradescope bundle of layers (see test/helpers/gradescope/suite.ts), and the hostile submission that signals the
 * grader (fixtures/hostile/kill-parent): without bubblewrap, as on Gradescope, the runner's
 * wall-off (graders/sandbox/lockdown.ts) refuses the signals, so the grader survives and the
 * attacked exports fail, saying what was refused, while the others score as a correct submission.
 */
import { expect, it } from "@jest/globals";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assembleCase, loadHostileManifest } from "../../helpers/hostile-assemble";
import { bundleSuite, failedExports, validResults } from "../../helpers/gradescope/suite";

bundleSuite("layers", ({ grade }) => {
  it("a submission that signals the grader (kill-parent) is refused: the grader survives, only the attacked exports lose points, each saying what was refused", async () => {
    const hostile = loadHostileManifest().cases["kill-parent"];
    const parent = mkdtempSync(join(tmpdir(), "gradescope-kill-parent-"));
    const run = await grade("kill-parent", { from: assembleCase("kill-parent", hostile, parent) });
    rmSync(parent, { recursive: true, force: true });
    const r = validResults(run);
    expect(run.stdout).not.toMatch(/run_autograder: the grader (was killed|exited with status)/);
    expect(failedExports(r)).toEqual([...(hostile.attacked as string[])].sort());
    expect(new Set(r.tests.filter((t) => t.status !== "passed").map((t) => t.extra_data.status))).toEqual(new Set(["failed"]));
    for (const [exportName, words] of Object.entries(hostile.messageMustInclude ?? {})) {
      const failed = r.tests.filter((t) => t.extra_data.export === exportName && t.status !== "passed");
      expect(failed.map((t) => t.output.replace(/\\(.)/g, "$1")).join("\n")).toContain(words); // output is Markdown: punctuation escaped
    }
    expect(r.score).toBeGreaterThan(0);
  }, 120_000);
});
