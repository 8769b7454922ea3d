/**
 * The lock on an output folder. Two `grade` runs writing one OUT would mix their files (one's
 * gradebook listing the other's half-graded students), so a run first creates OUT/.grading.lock
 * with O_EXCL (flag "wx": the open fails if the file exists, atomically; open(2)), holding who
 * holds it: pid, host, start time and command. The lock is removed when the process exits, also on
 * SIGINT, SIGTERM and SIGHUP (signal-exit, which execa already uses to kill the sandboxes then).
 * A lock left by a process that could not clean up (SIGKILL, a crash) names a pid that no longer
 * runs on this host, or a zombie (killed, not yet reaped): it is taken over, with a note. proper-lockfile was not used: its lock is a
 * folder whose mtime must be refreshed on a timer, and it cannot say who holds it.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmdirSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, join, resolve } from "node:path";
import { onExit } from "signal-exit";
import { readProcStat } from "../graders/sandbox/proc-stat";
import { UsageError } from "./cli";

export const LOCK_FILE = ".grading.lock";

interface Holder {
  pid: number;
  host: string;
  started: string;
  command: string;
}

export interface OutputLock {
  /** Remove the lock, and the folders this run created if they are still empty. */
  release(): void;
}

const codeOf = (e: unknown) => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

/**
 * Create `out` if needed and lock it; a UsageError (nothing written) when it cannot be written or
 * another live run holds it. `command` is how this run was started, shown to a second run.
 */
export function lockOutputFolder(out: string, command: string): OutputLock {
  const created = createFolder(out);
  const path = join(out, LOCK_FILE);
  const mine = JSON.stringify({ pid: process.pid, host: hostname(), started: new Date().toISOString(), command } satisfies Holder);
  const undo = () => {
    for (const dir of [...created].reverse()) {
      try {
        rmdirSync(dir);
      } catch {
        break; // not empty: this run wrote into it, keep it
      }
    }
  };
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        writeFileSync(path, mine, { flag: "wx" });
        break;
      } catch (e) {
        if (codeOf(e) !== "EEXIST") throw new UsageError(`cannot write to ${out} (${codeOf(e)}): choose an --out folder you can write`);
      }
      const text = readOrNull(path);
      if (text === null) continue; // released between our open and our read: try again
      const holder = parseHolder(text);
      if (!holder || attempt > 0 || !isStale(holder)) throw new UsageError(heldMessage(out, holder));
      takeOver(out, path, text, holder, mine);
    }
  } catch (e) {
    undo();
    throw e;
  }
  const release = () => {
    if (!held.delete(release)) return;
    if (readOrNull(path) === mine) unlinkSync(path);
    undo();
    if (held.size === 0 && !exiting) {
      removeExit?.();
      removeExit = undefined;
    }
  };
  held.add(release);
  removeExit ??= onExit(() => {
    exiting = true;
    for (const r of [...held]) r();
  });
  return { release };
}

/**
 * The locks this process holds, released together by one exit handler. One handler per lock, each
 * removing itself as it ran, released only every other lock: signal-exit walks its list of
 * handlers while the removal splices it, so the no-argument `grade` (four output folders) left
 * two of its four locks behind. Nothing is removed from signal-exit's list while it walks it
 * (`exiting`): the next handler may be execa's, which stops a sandbox's child.
 */
const held = new Set<() => void>();
let removeExit: (() => void) | undefined;
let exiting = false;

/**
 * Create `out` one level at a time, returning the folders made. Not mkdir's recursive mode: under
 * /proc a child's mkdir fails with ENOENT, so Node (20 to 26, measured) recreates the parent and
 * retries forever at full CPU (the same loop as github.com/oven-sh/bun/pull/36162 describes).
 */
function createFolder(out: string): string[] {
  const missing: string[] = [];
  let at = resolve(out);
  for (;;) {
    try {
      if (!statSync(at).isDirectory()) throw new UsageError(`cannot write to ${out}: ${at} is a file, not a folder; choose another --out`);
      break;
    } catch (e) {
      if (e instanceof UsageError) throw e;
      if (codeOf(e) !== "ENOENT" && codeOf(e) !== "ENOTDIR")
        throw new UsageError(`cannot write to ${out}: ${at} cannot be read (${codeOf(e)}); choose another --out`);
      missing.unshift(at);
      at = dirname(at);
    }
  }
  const created: string[] = [];
  for (const dir of missing) {
    try {
      mkdirSync(dir);
      created.push(dir);
    } catch (e) {
      for (const d of created.reverse()) rmdirSync(d);
      const why = codeOf(e) === "EEXIST" ? "is a symbolic link to nothing" : `cannot be created (${codeOf(e)})`;
      throw new UsageError(`cannot write to ${out}: ${dir} ${why}; choose an --out folder you can write`);
    }
  }
  return created;
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

function parseHolder(text: string): Holder | null {
  try {
    const h = JSON.parse(text) as Holder;
    return Number.isInteger(h.pid) && typeof h.host === "string" && typeof h.started === "string" && typeof h.command === "string" ? h : null;
  } catch {
    return null; // being written by its holder this very moment, or not ours: held either way
  }
}

/**
 * Its pid no longer runs here: kill(pid, 0) fails with ESRCH (EPERM means it runs as another
 * user), or the pid is a zombie, a process that has ended and waits for its parent to read its
 * exit status (kill(pid, 0) succeeds on it). A grader killed a moment ago stays one until its
 * parent (a shell, npm, a test) reaps it; a TA who reruns at once must not be told it holds OUT.
 */
function isStale(h: Holder): boolean {
  if (h.host !== hostname()) return false; // another machine's pid says nothing here
  try {
    process.kill(h.pid, 0);
  } catch (e) {
    return codeOf(e) === "ESRCH";
  }
  return isZombie(h.pid);
}

/**
 * Whether `pid` is a zombie: the state field of /proc/<pid>/stat on Linux (man 5 proc: the field
 * after the command, which is in parentheses and may itself hold spaces or parentheses), `ps -o
 * stat=` elsewhere (macOS, the BSDs: Z). Windows has no zombies. When it cannot be told: no.
 */
export function isZombie(pid: number): boolean {
  if (process.platform === "win32") return false;
  if (process.platform === "linux") {
    const stat = readProcStat(pid);
    if (stat !== null) return stat.state.startsWith("Z");
  }
  try {
    return execFileSync("ps", ["-o", "stat=", "-p", String(pid)], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 5000 })
      .trim()
      .startsWith("Z");
  } catch {
    return false;
  }
}

/**
 * Replace a stale lock. Two runs may find the same stale lock at once: the takeover file (O_EXCL
 * too) lets one of them remove it, and only while it still holds the stale text, so the other can
 * never remove the fresh lock the first one then creates.
 */
function takeOver(out: string, path: string, staleText: string, stale: Holder, mine: string): void {
  const claim = `${path}.takeover`;
  try {
    writeFileSync(claim, mine, { flag: "wx" });
  } catch {
    throw new UsageError(
      `${path} was left by pid ${stale.pid}, which is gone, but ${claim} says another run is taking it over; if no run is, remove both files`,
    );
  }
  try {
    if (readOrNull(path) === staleText) unlinkSync(path);
  } finally {
    unlinkSync(claim);
  }
  console.error(
    `note: took over ${join(out, LOCK_FILE)} left by pid ${stale.pid} (started ${clock(stale.started)}, ${shorten(stale.command)}), which is no longer running`,
  );
}

function heldMessage(out: string, h: Holder | null): string {
  const file = join(out, LOCK_FILE);
  if (!h) return `${out} is locked by ${file}, which does not say who holds it; wait for any grading run on ${out}, or remove ${file} if there is none`;
  const where = h.host === hostname() ? "" : ` on host ${h.host}`;
  return `${out} is being graded by pid ${h.pid}${where} (started ${clock(h.started)}, ${shorten(h.command)}); wait for it or remove ${file} if that process is gone`;
}

/** 12:03:05 today, else 2025-03-01 12:03:05 (local time, as the TA's clock shows it). */
function clock(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const two = (n: number) => String(n).padStart(2, "0");
  const time = `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  return d.toDateString() === new Date().toDateString() ? time : `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${time}`;
}

function shorten(command: string, max = 100): string {
  return command.length <= max ? command : `${command.slice(0, max - 1)}…`;
}
