/**
 * The sandbox proves itself before anyone is graded (graders/sandbox/canary.ts): on the running
 * Node the canary passes, with and without bubblewrap; a flag Node refuses, or no permission
 * model at all, fails it with one line naming this Node and the cause; and then `npm run grade`
 * and `npm run check` exit 1 with that line before grading anyone (no results.json).
 */
import { describe, expect, it } from "@jest/globals";
import { execa } from "execa";
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bwrapAvailable } from "../../../graders/sandbox/bwrap";
import { SandboxUnusable, proveSandbox, requireSandbox, runCanary } from "../../../graders/sandbox/canary";

const MEMORY_MB = 512;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** The start of every canary failure: this Node's version and executable. */
const ON_THIS_NODE = `the sandbox failed its start-up check on node ${escape(process.version)} \\(${escape(process.execPath)}\\): `;

describe("the canary on the running Node", () => {
  it(`passes on ${process.version}, with bubblewrap where it works and without; once per process`, async () => {
    const proof = await proveSandbox({ memoryMb: MEMORY_MB });
    console.log(
      `canary on node ${process.version} (bubblewrap ${(await bwrapAvailable()) ? "on" : "off"}): ${proof.ok ? "passed" : proof.problem} in ${Math.round(proof.ms)} ms`,
    );
    expect(proof).toMatchObject({ ok: true });
    expect(proveSandbox({ memoryMb: MEMORY_MB })).toBe(proveSandbox({ memoryMb: MEMORY_MB }));
    expect(await runCanary({ memoryMb: MEMORY_MB, bwrap: false })).toMatchObject({ ok: true });
    await expect(requireSandbox(proveSandbox({ memoryMb: MEMORY_MB }))).resolves.toBeUndefined();
  }, 30_000);

  it.each([
    ["a flag Node refuses", "--no-such-flag", escape("node refused the flag --no-such-flag: bad option")],
    ["no permission model", "", escape(`the sandbox could read a file it must not (${process.execPath}): the permission model is not in force`)],
    // --check in place of the permission flag: Node exits 1 on the --allow-fs-read left without it
    [
      "a child that dies before loading anything",
      "--check",
      "the sandbox's process exited with code 1 before it loaded anything \\(TypeError \\[ERR_MISSING_OPTION\\]: --[a-z-]*permission is required\\)",
    ],
  ])(
    "fails on %s, in one line that names the Node and the cause",
    async (_what, permissionFlag, cause) => {
      for (const bwrap of [undefined, false]) {
        const proof = await runCanary({ memoryMb: MEMORY_MB, bwrap, permissionFlag });
        if (proof.ok) throw new Error(`the canary passed with permissionFlag ${JSON.stringify(permissionFlag)}`);
        expect(proof.problem).toMatch(new RegExp(`^${ON_THIS_NODE}${cause}; no submission was graded\\.$`));
        expect(proof.problem).not.toContain("\n");
        await expect(requireSandbox(Promise.resolve(proof))).rejects.toThrow(SandboxUnusable);
      }
    },
    30_000,
  );
});

/** As `npm run grade -- …` / `npm run check -- …` run them, with the test-only flag override. */
const script = (name: string, args: string[], flag: string) =>
  execa(process.execPath, ["--import", "tsx", `scripts/${name}.ts`, ...args], {
    reject: false,
    env: { GRADER_SECRET: "canary-test", NO_COLOR: "1", BACKPROP_GRADER_TEST_PERMISSION_FLAG: flag },
  });

describe("a sandbox that fails its canary stops grading before anyone is graded", () => {
  it.each([
    [
      "grade, one submission",
      "grade",
      (out: string) => ["--assignment", "classifiers", "--submission", "fixtures/submissions/classifiers/ada-loops-js", "--out", out],
      "--no-such-flag",
      "node refused the flag --no-such-flag: bad option",
    ],
    [
      "grade, a class",
      "grade",
      (out: string) => ["--assignment", "classifiers", "--submissions", "fixtures/submissions/classifiers", "--out", out],
      "",
      "the permission model is not in force",
    ],
    [
      "check",
      "check",
      () => ["--assignment", "classifiers", "--submission", "fixtures/submissions/classifiers/ada-loops-js"],
      "--no-such-flag",
      "node refused the flag --no-such-flag: bad option",
    ],
  ])(
    "%s: exit 1, one line naming the Node and the cause, nothing written",
    async (_what, name, args, flag, cause) => {
      const out = mkdtempSync(join(tmpdir(), "canary-cli-"));
      const r = await script(name, args(join(out, "results")), flag);
      expect(r.exitCode).toBe(1);
      const errors = r.stderr.split("\n").filter((l) => l.startsWith("error: "));
      expect(errors).toEqual([expect.stringMatching(new RegExp(`^error: ${ON_THIS_NODE}.*${escape(cause)}; no submission was graded\\.$`))]);
      expect(r.stderr).not.toMatch(/^\s+at /m); // no stack trace
      expect(r.stdout).not.toMatch(/\d+\/\d+/); // no score printed
      expect(existsSync(join(out, "results"))).toBe(false);
      expect(readdirSync(out)).toEqual([]);
    },
    60_000,
  );
});
