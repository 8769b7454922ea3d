/**
 * CPU time used by a process and everything below it (a bubblewrap sandbox is bwrap → bwrap →
 * node), read from Linux's /proc: user + system time of every thread, kept by the kernel, so a
 * student's code can neither fake it nor be blamed for a busy machine the way wall time would.
 * Null where there is no /proc (macOS, Windows): callers then fall back to wall time.
 * Resolution: one clock tick (10 ms, USER_HZ = 100 on Linux).
 */
import { readFileSync, readdirSync } from "node:fs";

const TICK_MS = 10;

function read(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

/** utime + stime of one process (all its threads), in ticks; null if it is gone. */
function ticks(pid: number): number | null {
  const stat = read(`/proc/${pid}/stat`);
  if (stat === null) return null;
  // after "pid (comm) ": state is field 3, utime field 14, stime field 15 (comm may hold spaces)
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

function children(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  return tasks.flatMap((tid) => (read(`/proc/${pid}/task/${tid}/children`) ?? "").split(" ").filter(Boolean).map(Number));
}

/** CPU time (ms) used so far by `pid` and its descendants; null without /proc or when `pid` is gone. */
export function treeCpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  const own = ticks(pid);
  if (own === null) return null;
  let total = own;
  const pending = children(pid);
  for (let guard = 0; pending.length > 0 && guard < 64; guard++) {
    const p = pending.pop()!;
    total += ticks(p) ?? 0;
    pending.push(...children(p));
  }
  return total * TICK_MS;
}
