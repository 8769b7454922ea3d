/**
 * The output folder's lock: a second `grade` on an OUT that a live run is grading exits 2 naming
 * that run and writes nothing; the lock goes away when the run ends, also on SIGTERM and SIGINT,
 * and so do the run's sandboxed children; a lock left by a process that is gone (SIGKILL) is taken
 * over with a note.
 */
import { describe, expect, it } from "@jest/globals";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { LOCK_FILE, isZombie } from "../../../scripts/lock-output-folder";
import { describeLeftovers, killAll, remainingAfter, tagFolder } from "../../helpers/leftovers";
import { GRADE, GRADE_ENV, endlessClass, expectUsageError, grade, tmp } from "../../helpers/run-cli";

/** A class of one student who handed in nothing: graded at once, no sandbox. */
function emptyClass(): string {
  const dir = tmp();
  mkdirSync(join(dir, "ada"));
  return dir;
}

/** Until `test` holds, polling; fails after `ms`. */
async function until(test: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The pid of a process that has exited (pids are not reused that quickly). */
async function deadPid(): Promise<number> {
  const child = execa(process.execPath, ["-e", ""]);
  const pid = child.pid!;
  await child;
  return pid;
}

const lockText = (pid: number, host = hostname()) =>
  JSON.stringify({ pid, host, started: new Date().toISOString(), command: "npm run grade -- --assignment classifiers --submissions class --out out" });

describe("two runs on one output folder", () => {
  it.each(["SIGTERM", "SIGINT"] as const)(
    "the second exits 2 naming the first, which keeps grading; %s releases the lock",
    async (signal) => {
      const out = tmp();
      const tag = tagFolder(); // the run's TMPDIR: its sandboxed children's command lines hold it
      const first = execa(process.execPath, [...GRADE, "--assignment", "classifiers", "--submissions", endlessClass(), "--out", out, "--timeout", "120000"], {
        reject: false,
        env: { ...GRADE_ENV, TMPDIR: tag },
      });
      try {
        let firstErr = "";
        first.stderr?.on("data", (d: Buffer) => (firstErr += d.toString()));
        await until(() => /hidden cases/.test(firstErr), 30_000, "the first run to start grading");
        const held = readFileSync(join(out, LOCK_FILE), "utf8");
        expect(JSON.parse(held)).toMatchObject({ pid: first.pid, host: hostname() });

        const second = await grade(["--assignment", "classifiers", "--submissions", emptyClass(), "--out", out]);
        const esc = out.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
        expectUsageError(
          second,
          new RegExp(
            `^error: ${esc} is being graded by pid ${first.pid} \\(started \\d\\d:\\d\\d:\\d\\d, node --import tsx scripts/grade\\.ts --assignment classifiers [^)]*\\); wait for it or remove ${esc}/\\.grading\\.lock if that process is gone$`,
          ),
        );
        expect(readdirSync(out)).toEqual([LOCK_FILE]); // the second wrote nothing: not even "ada"
        expect(readFileSync(join(out, LOCK_FILE), "utf8")).toBe(held);
        expect(first.exitCode).toBeNull(); // still grading

        first.kill(signal);
        const ended = await first;
        expect(ended.signal).toBe(signal); // signal-exit re-raises it after the cleanup
        expect(readdirSync(out)).toEqual([]);
        const left = await remainingAfter(`${tag}/`, 3000); // the child looping in svmLoss went with it
        expect(describeLeftovers(left)).toBe("");
      } finally {
        first.kill(); // whatever failed above, never leave it grading: SIGTERM (its sandboxes go too), SIGKILL 5 s later
        await first;
        killAll(await remainingAfter(`${tag}/`, 3000));
      }
    },
    90_000,
  );

  it("the lock's exit handler leaves the next one to run (execa's kill of a sandbox, after a SIGTERM)", async () => {
    // signal-exit runs its handlers by for…of over the array that removing one splices: a handler
    // that removed itself while running made the one after it (a sandbox's cleanup) be skipped
    const dir = tmp();
    const code = [
      `import { writeFileSync } from "node:fs";`,
      `import { onExit } from "signal-exit";`,
      `import { lockOutputFolder } from "./scripts/lock-output-folder.ts";`,
      `lockOutputFolder(${JSON.stringify(join(dir, "out"))}, "test");`,
      `onExit(() => writeFileSync(${JSON.stringify(join(dir, "next-ran"))}, ""));`,
      `setInterval(() => undefined, 1000);`,
      `process.kill(process.pid, "SIGTERM");`,
    ].join("\n");
    const r = await execa(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], { reject: false });
    expect(r.signal).toBe("SIGTERM");
    expect(readdirSync(dir).sort()).toEqual(["next-ran"]); // the lock and the folder it made are gone too
  });

  it.each([
    ["a class", (out: string) => ["--submissions", emptyClass(), "--out", out]],
    ["one submission", (out: string) => ["--submission", "reference/classifiers", "--out", out]],
  ])("a lock held by a live process (%s): exit 2, the lock untouched", async (_, args) => {
    const out = tmp();
    const text = lockText(process.pid);
    writeFileSync(join(out, LOCK_FILE), text);
    const r = await grade(["--assignment", "classifiers", ...args(out)]);
    expectUsageError(
      r,
      new RegExp(
        `^error: \\S+ is being graded by pid ${process.pid} \\(started \\d\\d:\\d\\d:\\d\\d, npm run grade -- --assignment classifiers --submissions class --out out\\); wait for it or remove \\S+/\\.grading\\.lock if that process is gone$`,
      ),
    );
    expect(readdirSync(out)).toEqual([LOCK_FILE]);
    expect(readFileSync(join(out, LOCK_FILE), "utf8")).toBe(text);
  });

  it("a lock from another host is not taken over, even if its pid is free here", async () => {
    const out = tmp();
    writeFileSync(join(out, LOCK_FILE), lockText(await deadPid(), "grading-box-2"));
    const r = await grade(["--assignment", "classifiers", "--submissions", emptyClass(), "--out", out]);
    expectUsageError(r, /^error: \S+ is being graded by pid \d+ on host grading-box-2 \(started /);
    expect(readdirSync(out)).toEqual([LOCK_FILE]);
  });

  it("a lock file that does not say who holds it (being written, or not ours) is respected", async () => {
    const out = tmp();
    writeFileSync(join(out, LOCK_FILE), "");
    const r = await grade(["--assignment", "classifiers", "--submissions", emptyClass(), "--out", out]);
    expectUsageError(
      r,
      /^error: \S+ is locked by \S+\/\.grading\.lock, which does not say who holds it; wait for any grading run on \S+, or remove \S+\/\.grading\.lock if there is none$/,
    );
  });

  it("a stale lock (its pid is gone) is taken over with a note, and released at the end", async () => {
    const out = tmp();
    const pid = await deadPid();
    writeFileSync(join(out, LOCK_FILE), lockText(pid));
    const r = await grade(["--assignment", "classifiers", "--submissions", emptyClass(), "--out", out]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr.split("\n")[0]).toMatch(
      new RegExp(
        `^note: took over \\S+/\\.grading\\.lock left by pid ${pid} \\(started \\d\\d:\\d\\d:\\d\\d, npm run grade -- .*\\), which is no longer running$`,
      ),
    );
    expect(readdirSync(out).sort()).toEqual(["ada", "gradebook.csv", "junit.xml", "report.html", "similarity.csv", "staff-signals.csv"]);
    expect(existsSync(join(out, `${LOCK_FILE}.takeover`))).toBe(false);
  });
});

describe("every lock is released when its run ends", () => {
  /** A node process that locks `outs` in order (the no-argument `grade` locks four), then does `then`. */
  const locker = (outs: string[], then: string) =>
    execa(
      process.execPath,
      [
        "--import",
        "tsx",
        "--input-type=module",
        "-e",
        `
      import { lockOutputFolder } from ${JSON.stringify(new URL("../../../scripts/lock-output-folder.ts", import.meta.url).pathname)};
      const locks = ${JSON.stringify(outs)}.map((out) => lockOutputFolder(out, "test"));
      console.log("locked");
      ${then}`,
      ],
      { reject: false },
    );

  it.each([
    ["ends on its own", ""],
    ["calls process.exit", "process.exit(3);"],
    ["releases one lock itself, then ends", "locks[1].release();"],
  ])(
    "four folders locked by a run that %s: none keeps its lock",
    async (_, then) => {
      const outs = [tmp(), tmp(), tmp(), tmp()];
      const r = await locker(outs, then);
      expect(r.stdout).toBe("locked");
      expect(r.stderr).toBe("");
      expect(outs.filter((out) => existsSync(join(out, LOCK_FILE)))).toEqual([]);
    },
    60_000,
  );

  it("four folders locked by a run stopped by SIGTERM: none keeps its lock", async () => {
    const outs = [tmp(), tmp(), tmp(), tmp()];
    const child = locker(outs, "setInterval(() => {}, 1000);");
    await new Promise<void>((resolve) => child.stdout!.once("data", () => resolve()));
    expect(outs.filter((out) => existsSync(join(out, LOCK_FILE)))).toHaveLength(4);
    child.kill("SIGTERM");
    expect((await child).signal).toBe("SIGTERM");
    expect(outs.filter((out) => existsSync(join(out, LOCK_FILE)))).toEqual([]);
  }, 60_000);
});

describe("a lock whose holder is a zombie (ended, not yet reaped by its parent)", () => {
  /**
   * A zombie: sh starts a child, then becomes `sleep`, a process that never reaps it. The child
   * exits only once its parent is sleep (or after 2 s where /proc is missing): a child that ended
   * before the exec was reaped by sh under load, and no zombie came.
   */
  async function zombie(): Promise<{ pid: number; stop: () => Promise<unknown> }> {
    const wait = `p=$$; ( n=0; while [ "$(cat /proc/$p/comm 2>/dev/null || echo none)" != sleep ] && [ $n -lt 40 ]; do sleep 0.05; n=$((n+1)); done ) & echo $!; exec sleep 60`;
    const parent = execa("sh", ["-c", wait], { reject: false });
    const pid = await new Promise<number>((resolve) => parent.stdout!.once("data", (d: Buffer) => resolve(Number(d.toString().trim()))));
    await until(() => isZombie(pid), 10_000, `pid ${pid} to become a zombie`);
    return { pid, stop: async () => (parent.kill("SIGKILL"), await parent) };
  }

  it("counts as released: the next run takes it over and grades", async () => {
    const z = await zombie();
    try {
      expect(() => process.kill(z.pid, 0)).not.toThrow(); // kill(pid, 0) alone says it runs
      const out = tmp();
      writeFileSync(join(out, LOCK_FILE), lockText(z.pid));
      const r = await grade(["--assignment", "classifiers", "--submissions", emptyClass(), "--out", out]);
      expect(r.exitCode).toBe(0);
      expect(r.stderr.split("\n")[0]).toMatch(new RegExp(`^note: took over \\S+/\\.grading\\.lock left by pid ${z.pid} .*, which is no longer running$`));
      expect(readdirSync(out).sort()).toEqual(["ada", "gradebook.csv", "junit.xml", "report.html", "similarity.csv", "staff-signals.csv"]);
    } finally {
      await z.stop();
    }
  }, 60_000);

  it("a live process is not one", () => {
    expect(isZombie(process.pid)).toBe(false);
  });
});

describe("students who handed in nothing", () => {
  it("an empty student folder is graded (0 points, 'No files handed in'), and the class goes on", async () => {
    const dir = emptyClass();
    mkdirSync(join(dir, "bob", "src"), { recursive: true }); // folders, but no file in any
    cpSync("reference/classifiers", join(dir, "cy"), { recursive: true });
    const out = tmp();
    const r = await grade(["--assignment", "classifiers", "--submissions", dir, "--out", out]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain("note: 2 student folders hold no files (ada, bob): graded as handing in nothing, 0 points");
    for (const s of ["ada", "bob"]) {
      const results = JSON.parse(readFileSync(join(out, s, "results.json"), "utf8"));
      expect(results.score).toBe(0);
      expect(results.output).toMatch(/^No files handed in: your submission folder is empty\.\n\nlosses\.ts is missing/);
    }
    expect(JSON.parse(readFileSync(join(out, "cy", "results.json"), "utf8")).score).toBe(100);
    expect(
      readFileSync(join(out, "gradebook.csv"), "utf8")
        .split("\n")
        .slice(1, 4)
        .map((row) => row.split(",").slice(0, 2).join(",")),
    ).toEqual(["ada,0", "bob,0", "cy,100"]);
  }, 60_000);
});
