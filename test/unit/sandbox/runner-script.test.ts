/**
 * The sandbox's runner file (graders/sandbox/sandbox.ts runnerScript): one folder per version of
 * its code, shared by grading processes (a process killed with SIGKILL leaves nothing new behind),
 * and a runner file that differs from the code is replaced before use.
 */
import { expect, it } from "@jest/globals";
import { execa } from "execa";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runnerScript } from "../../../graders/sandbox/sandbox";

const SANDBOX = fileURLToPath(new URL("../../../graders/sandbox/sandbox.ts", import.meta.url));
/** runnerScript(kind) in a fresh grading process, with its temporary folder in `tmp`. */
const inNewProcess = async (kind: string, tmp = tmpdir()) =>
  (
    await execa(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "-e", `const m = await import(process.argv[1]); console.log(await m.runnerScript("${kind}"))`, SANDBOX],
      { env: { TMPDIR: tmp } },
    )
  ).stdout.trim();

it("one folder per version of the runner's code, the same in every process; a tampered runner is replaced", async () => {
  const runner = await runnerScript("runner");
  const graphRunner = await runnerScript("graph-runner");
  expect(runner).toMatch(/backprop-grader-runner-[0-9a-f]{16}[/\\]runner\.mjs$/);
  expect(dirname(graphRunner)).not.toBe(dirname(runner));
  expect(await inNewProcess("runner")).toBe(runner);

  // tampered with (or half written): in a private temporary folder, not the one other tests use
  const own = mkdtempSync(join(tmpdir(), "runner-script-"));
  const private_ = await inNewProcess("runner", own);
  expect(private_.startsWith(own)).toBe(true);
  const code = readFileSync(private_);
  expect(code.equals(readFileSync(runner))).toBe(true);
  writeFileSync(private_, "process.send?.('tampered')");
  expect(await inNewProcess("runner", own)).toBe(private_);
  expect(readFileSync(private_).equals(code)).toBe(true);
  rmSync(own, { recursive: true, force: true });
}, 60_000);

it("the prebuilt runners of the command line (scripts/run.mjs) are byte for byte the ones built from source", async () => {
  const { build, RUNNERS } = await import("../../../scripts/run.mjs");
  const dir = await build();
  for (const kind of Object.keys(RUNNERS)) {
    const prebuilt = readFileSync(join(dir, `${kind}.mjs`));
    expect(prebuilt.equals(readFileSync(await runnerScript(kind as "runner" | "graph-runner")))).toBe(true);
  }
}, 60_000);
