/**
 * Finding sandboxed children that outlived their grader, for the tests that end graders and for
 * the suite's global teardown. A sandboxed child gets an empty environment, so it cannot be tagged
 * through one; but every child's command line names the runner and the student's bundle, both
 * under the grader's temporary folder (os.tmpdir(), i.e. $TMPDIR): a grader started with its own
 * TMPDIR tags its children, and only them, through /proc/<pid>/cmdline (Linux).
 */
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readProcStat } from "../../graders/sandbox/proc-stat";

export interface Leftover {
  pid: number;
  /** /proc/<pid>/stat's state: R running, S sleeping… (zombies are not listed: they run nothing). */
  state: string;
  args: string;
}

/** A fresh folder to pass as a grader's TMPDIR: its children's command lines then hold its path. */
export function tagFolder(): string {
  return mkdtempSync(join(tmpdir(), "backprop-lifetime-"));
}

/** Every live (non-zombie) process whose command line holds `tag`, other than this one. */
export function processesTagged(tag: string): Leftover[] {
  const found: Leftover[] = [];
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
      if (!args.includes(tag)) continue;
      const state = readProcStat(pid)?.state;
      if (state !== undefined && state !== "Z") found.push({ pid, state, args });
    } catch {
      // gone between the listing and the read
    }
  }
  return found;
}

/** The processes tagged `tag` still there after waiting up to `ms` for them all to go (none: []). */
export async function remainingAfter(tag: string, ms: number): Promise<Leftover[]> {
  const end = Date.now() + ms;
  for (;;) {
    const left = processesTagged(tag);
    if (left.length === 0 || Date.now() > end) return left;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** "pid 123 (R): node … runner.mjs …" per process, for a failure message. */
export function describeLeftovers(left: Leftover[]): string {
  return left.map((p) => `pid ${p.pid} (${p.state}): ${p.args.slice(0, 300)}`).join("\n");
}

/** SIGKILL each (after a test has failed on them: a failing run leaves nothing either). */
export function killAll(left: Leftover[]): void {
  for (const p of left) {
    try {
      process.kill(p.pid, "SIGKILL");
    } catch {
      // gone already
    }
  }
}
