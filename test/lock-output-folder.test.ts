/**
 * The output folder's lock: a second `grade` on an OUT that a live run is grading exits 2 naming
 * that run and writes nothing; the lock goes away when the run ends, also on SIGTERM and SIGINT;
 * a lock left by a process that is gone (SIGKILL) is taken over with a note.
 */
import { describe, expect, it } from "@jest/globals";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { LOCK_FILE } from "../scripts/lock-output-folder";
import { GRADE, GRADE_ENV, expectUsageError, grade, tmp } from "./run-cli";

/** A class of one student whose svmLoss never returns: with a long --timeout, a run that stays busy. */
function endlessClass(): string {
  const dir = tmp();
  const student = join(dir, "loop");
  cpSync("reference/classifiers", student, { recursive: true });
  const losses = join(student, "losses.ts");
  const text = readFileSync(losses, "utf8").replace(/(export function svmLoss\(.*\{)$/m, "$1\n  for (;;) {}");
  expect(text).toContain("for (;;) {}");
  writeFileSync(losses, text);
  return dir;
}

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
  it.each(["SIGTERM", "SIGINT"] as const)("the second exits 2 naming the first, which keeps grading; %s releases the lock", async (signal) => {
    const out = tmp();
    const first = execa(process.execPath, [...GRADE, "--assignment", "classifiers", "--submissions", endlessClass(), "--out", out, "--timeout", "120000"], { reject: false, env: GRADE_ENV });
    try {
      let firstErr = "";
      first.stderr?.on("data", (d: Buffer) => (firstErr += d.toString()));
      await until(() => /hidden cases/.test(firstErr), 30_000, "the first run to start grading");
      const held = readFileSync(join(out, LOCK_FILE), "utf8");
      expect(JSON.parse(held)).toMatchObject({ pid: first.pid, host: hostname() });

      const second = await grade(["--assignment", "classifiers", "--submissions", emptyClass(), "--out", out]);
      const esc = out.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
      expectUsageError(second, new RegExp(
        `^error: ${esc} is being graded by pid ${first.pid} \\(started \\d\\d:\\d\\d:\\d\\d, node --import tsx scripts/grade\\.ts --assignment classifiers [^)]*\\); wait for it or remove ${esc}/\\.grading\\.lock if that process is gone$`,
      ));
      expect(readdirSync(out)).toEqual([LOCK_FILE]); // the second wrote nothing: not even "ada"
      expect(readFileSync(join(out, LOCK_FILE), "utf8")).toBe(held);
      expect(first.exitCode).toBeNull(); // still grading

      first.kill(signal);
      const ended = await first;
      expect(ended.signal).toBe(signal); // signal-exit re-raises it after the cleanup
      expect(readdirSync(out)).toEqual([]);
    } finally {
      first.kill(); // whatever failed above, never leave it grading: SIGTERM (its sandboxes go too), SIGKILL 5 s later
      await first;
    }
  }, 90_000);

  it.each([
    ["a class", (out: string) => ["--submissions", emptyClass(), "--out", out]],
    ["one submission", (out: string) => ["--submission", "reference/classifiers", "--out", out]],
  ])("a lock held by a live process (%s): exit 2, the lock untouched", async (_, args) => {
    const out = tmp();
    const text = lockText(process.pid);
    writeFileSync(join(out, LOCK_FILE), text);
    const r = await grade(["--assignment", "classifiers", ...args(out)]);
    expectUsageError(r, new RegExp(`^error: \\S+ is being graded by pid ${process.pid} \\(started \\d\\d:\\d\\d:\\d\\d, npm run grade -- --assignment classifiers --submissions class --out out\\); wait for it or remove \\S+/\\.grading\\.lock if that process is gone$`));
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
    expectUsageError(r, /^error: \S+ is locked by \S+\/\.grading\.lock, which does not say who holds it; wait for any grading run on \S+, or remove \S+\/\.grading\.lock if there is none$/);
  });

  it("a stale lock (its pid is gone) is taken over with a note, and released at the end", async () => {
    const out = tmp();
    const pid = await deadPid();
    writeFileSync(join(out, LOCK_FILE), lockText(pid));
    const r = await grade(["--assignment", "classifiers", "--submissions", emptyClass(), "--out", out]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr.split("\n")[0]).toMatch(new RegExp(`^note: took over \\S+/\\.grading\\.lock left by pid ${pid} \\(started \\d\\d:\\d\\d:\\d\\d, npm run grade -- .*\\), which is no longer running$`));
    expect(readdirSync(out).sort()).toEqual(["ada", "gradebook.csv", "junit.xml", "report.html", "similarity.csv", "staff-signals.csv"]);
    expect(existsSync(join(out, `${LOCK_FILE}.takeover`))).toBe(false);
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
    expect(readFileSync(join(out, "gradebook.csv"), "utf8").split("\n").slice(1, 4).map((row) => row.split(",").slice(0, 2).join(","))).toEqual(["ada,0", "bob,0", "cy,100"]);
  }, 60_000);
});
