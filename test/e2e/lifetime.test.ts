/**
 * No sandboxed child outlives its grader, whatever ends the grader: Ctrl-C (SIGINT to its process
 * group), SIGTERM or SIGKILL to the grader alone, or a crash; with bubblewrap and without
 * (BACKPROP_GRADER_BWRAP=0, the mode of macOS, containers and Gradescope); and where setpriv is
 * missing too (as on macOS: a failing `setpriv` first on the grader's PATH), for every way but
 * SIGKILL, which nothing but the kernel can answer there. Each test grades a class whose one
 * student's svmLoss loops forever and who listens for SIGINT, SIGTERM and SIGHUP (so none of them
 * can end its child), waits until a child is spinning in that loop, ends the grader, and expects
 * every process of that grading gone within a few seconds. The
 * processes are told apart from everyone else's by the grader's own TMPDIR, which every child's
 * command line holds (test/helpers/leftovers.ts). Linux only: /proc.
 */
import { describe, expect, it } from "@jest/globals";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { bwrapAvailable } from "../../graders/sandbox/bwrap";
import { CPU_CAP_SECONDS } from "../../graders/sandbox/limits";
import { parentDeathAvailable } from "../../graders/sandbox/parent-death";
import { TICK_MS, readProcStat } from "../../graders/sandbox/proc-stat";
import { runnerScript } from "../../graders/sandbox/sandbox";
import { type Leftover, describeLeftovers, killAll, processesTagged, remainingAfter, tagFolder } from "../helpers/leftovers";
import { GRADE, GRADE_ENV, endlessClass, tmp } from "../helpers/run-cli";

/** How long the processes of an ended grading may take to go (they go in well under a second; the machine may be busy). */
const GONE_WITHIN_MS = 5000;

/** CPU time (utime + stime, ms) of a process so far; null if it is gone. */
function cpuMs(pid: number): number | null {
  const stat = readProcStat(pid);
  return stat === null ? null : stat.cpuTicks * TICK_MS;
}

/** The sandboxed node of the grading tagged `tag` that has spun in student code for over a second, once there is one. */
async function spinningChild(tag: string, not?: number): Promise<Leftover> {
  const end = Date.now() + 60_000;
  for (;;) {
    // the node itself (its argv[0] is node), not bwrap around it; loading takes a fraction of a second of CPU
    const spinning = processesTagged(tag).find((p) => p.pid !== not && /^\S*node /.test(p.args) && /runner\.mjs/.test(p.args) && (cpuMs(p.pid) ?? 0) > 1000);
    if (spinning) return spinning;
    if (Date.now() > end)
      throw new Error(
        `no child of the grading spun in student code within 60 s; the grading's processes: ${describeLeftovers(processesTagged(tag)) || "none"}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A grading of the endless class, in its own process group (as a terminal starts it), its children tagged by its own TMPDIR. */
function startGrading(env: Record<string, string>, options: { crashOnSigusr2?: boolean; stubborn?: boolean } = {}) {
  const tag = `${tagFolder()}/`;
  const args = [
    ...(options.crashOnSigusr2 ? ["--import", "./test/helpers/crash-on-sigusr2.mjs"] : []),
    ...GRADE,
    ...["--assignment", "classifiers", "--submissions", endlessClass({ stubborn: options.stubborn }), "--out", tmp(), "--timeout", "120000"],
  ];
  const grader = execa(process.execPath, args, { reject: false, env: { ...GRADE_ENV, ...env, TMPDIR: tag }, detached: true });
  return { grader, tag };
}

const WAYS = [
  { way: "Ctrl-C (SIGINT to the process group)", end: (pid: number) => process.kill(-pid, "SIGINT"), ended: { signal: "SIGINT" } },
  { way: "SIGTERM to the grader alone", end: (pid: number) => process.kill(pid, "SIGTERM"), ended: { signal: "SIGTERM" } },
  { way: "SIGKILL to the grader alone", end: (pid: number) => process.kill(pid, "SIGKILL"), ended: { signal: "SIGKILL" } },
  { way: "a crash of the grader (an uncaught exception)", end: (pid: number) => process.kill(pid, "SIGUSR2"), ended: { exitCode: 1 }, crash: true },
] as const;

/** A folder whose `setpriv` fails: first on a grader's PATH, the grader finds no setpriv (as on macOS). */
function noSetprivPath(): string {
  const dir = mkdtempSync(join(tmpdir(), "no-setpriv-"));
  writeFileSync(join(dir, "setpriv"), "#!/bin/sh\nexit 1\n");
  chmodSync(join(dir, "setpriv"), 0o755);
  return `${dir}:${process.env.PATH ?? "/usr/bin:/bin"}`;
}

const linux = process.platform === "linux";
const withBwrap = linux && (await bwrapAvailable());
const withSetpriv = linux && (await parentDeathAvailable());

const skipped = (runs: boolean, why: string) => (runs ? "" : ` (skipped: ${why})`);

describe.each([
  {
    mode: "with bubblewrap",
    env: {} as Record<string, string>,
    runs: withBwrap,
    skip: skipped(withBwrap, linux ? "bubblewrap cannot run here" : "Linux only"),
  },
  {
    mode: "without bubblewrap",
    env: { BACKPROP_GRADER_BWRAP: "0" } as Record<string, string>,
    runs: withSetpriv,
    skip: skipped(withSetpriv, linux ? "setpriv (util-linux 2.33+) is missing: a SIGKILL of the grader leaves its child (parent-death.ts)" : "Linux only"),
  },
  {
    mode: "without bubblewrap or setpriv, as on macOS (not after SIGKILL)",
    env: { BACKPROP_GRADER_BWRAP: "0", PATH: noSetprivPath() } as Record<string, string>,
    runs: linux,
    skip: skipped(linux, "Linux only"),
    ways: WAYS.filter((w) => !("signal" in w.ended && w.ended.signal === "SIGKILL")),
  },
])("$mode$skip", ({ env, runs, ways = WAYS }) => {
  (runs ? it.each : it.skip.each)([...ways])(
    "after $way, no process of the grading is left",
    async (w) => {
      const { end, ended } = w;
      const crash = "crash" in w;
      const { grader, tag } = startGrading(env, { crashOnSigusr2: crash, stubborn: true });
      try {
        const child = await spinningChild(tag);
        // the backstop: the kernel ends a child that has used this much CPU, whoever its parent is
        expect(readFileSync(`/proc/${child.pid}/limits`, "utf8")).toMatch(
          new RegExp(`^Max cpu time +${CPU_CAP_SECONDS} +${CPU_CAP_SECONDS + 5} +seconds`, "m"),
        );
        end(grader.pid!);
        const r = await grader;
        expect({ signal: r.signal, exitCode: r.exitCode }).toMatchObject(ended);
        if (crash) expect(r.stderr).toContain("the grader crashed (test/helpers/crash-on-sigusr2.mjs)");
        expect(describeLeftovers(await remainingAfter(tag, GONE_WITHIN_MS))).toBe("");
      } finally {
        grader.kill("SIGKILL"); // after a failure above (a no-op once it has ended)
        await grader;
        killAll(await remainingAfter(tag, GONE_WITHIN_MS));
      }
    },
    90_000,
  );
});

describe("the runner", () => {
  (linux ? it : it.skip)(
    "ends on SIGTERM or SIGINT while student code loops: nothing in it keeps the signal from ending it",
    async () => {
      const { grader, tag } = startGrading({ BACKPROP_GRADER_BWRAP: "0" });
      try {
        let previous: number | undefined;
        for (const signal of ["SIGTERM", "SIGINT"] as const) {
          // the grader starts a new child for the next case after each one ends: it loops again
          const child = await spinningChild(tag, previous);
          process.kill(child.pid, signal);
          const gone = Date.now() + GONE_WITHIN_MS;
          while (processesTagged(tag).some((p) => p.pid === child.pid) && Date.now() < gone) await new Promise((r) => setTimeout(r, 50));
          expect(processesTagged(tag).filter((p) => p.pid === child.pid)).toEqual([]);
          previous = child.pid;
        }
      } finally {
        grader.kill("SIGKILL");
        await grader;
        killAll(await remainingAfter(tag, GONE_WITHIN_MS));
      }
    },
    120_000,
  );

  it("exits before loading the student's code when its parent is no longer the grader that started it", async () => {
    // the race parent-death.ts closes: the grader died before setpriv armed the death signal
    const dir = tmp();
    const bundle = join(dir, "submission.mjs");
    writeFileSync(bundle, "for (;;) {}\n"); // loaded, it would never return
    const r = await execa(process.execPath, [await runnerScript("runner"), bundle, "1"], { reject: false, timeout: 20_000, cwd: dir, stdin: "ignore" });
    expect(r.timedOut).toBe(false);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(`runner: the grader (pid 1) is gone (this process's parent is now pid ${process.pid}): exiting`);
  });
});
