/**
 * CPU time used by a process and everything below it (a bubblewrap sandbox is bwrap → bwrap →
 * node), read from Linux's /proc by the grader: kept by the kernel, so a student's code can neither
 * fake it nor be blamed for a busy machine the way wall time would.
 *
 * Two clocks, the finer first:
 *   "sched": each thread's se.sum_exec_runtime in /proc/<pid>/task/<tid>/sched (CFS's own count
 *            of the time the thread ran, printed in ms with ns digits; present when the kernel is
 *            built with CONFIG_SCHED_DEBUG, as on this grading machine). Summed over live threads:
 *            a thread that ends between two reads takes its time with it, which only ever makes a
 *            call look cheaper (node's threads live as long as the process).
 *   "stat":  utime + stime of each process (all its threads, ended ones included) from
 *            /proc/<pid>/stat, in clock ticks: 10 ms (USER_HZ = 100).
 * Null where there is no /proc (macOS, Windows): callers then fall back to wall time.
 */
import { readFileSync, readdirSync, readlinkSync } from "node:fs";
import { TICK_MS, readProcStat } from "./proc-stat";

export type CpuClock = "sched" | "stat";

const SUM_EXEC = /^se\.sum_exec_runtime\s*:\s*([\d.]+)$/m;

function read(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

function tasks(pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
}

/** utime + stime of one process (all its threads), in ms; null if it is gone. */
function statMs(pid: number): number | null {
  const stat = readProcStat(pid);
  return stat === null ? null : stat.cpuTicks * TICK_MS;
}

/** The sum of se.sum_exec_runtime over the live threads of one process, in ms; null without it. */
function schedMs(pid: number): number | null {
  let total = 0;
  let seen = 0;
  for (const tid of tasks(pid)) {
    const m = SUM_EXEC.exec(read(`/proc/${pid}/task/${tid}/sched`) ?? "");
    if (!m) continue;
    total += Number(m[1]);
    seen++;
  }
  return seen > 0 ? total : null;
}

/** The main thread's own CPU time of one process, in ms by `clock`; null if it is gone. */
export function mainThreadMs(pid: number, clock: CpuClock): number | null {
  if (clock === "sched") {
    const m = SUM_EXEC.exec(read(`/proc/${pid}/task/${pid}/sched`) ?? "");
    return m ? Number(m[1]) : null;
  }
  const stat = readProcStat(pid, pid);
  return stat === null ? null : stat.cpuTicks * TICK_MS;
}

/** Whether a process runs this node binary (a sandbox's node, not bwrap, prlimit or setpriv around it). */
function isNode(pid: number): boolean {
  try {
    return readlinkSync(`/proc/${pid}/exe`) === process.execPath;
  } catch {
    return false;
  }
}

/** `pid` and its descendants (through every thread's children list), at most 64. */
export function processTree(pid: number): number[] {
  const all = [pid];
  for (let k = 0; k < all.length && all.length < 64; k++) {
    for (const tid of tasks(all[k])) all.push(...(read(`/proc/${all[k]}/task/${tid}/children`) ?? "").split(" ").filter(Boolean).map(Number));
  }
  return all;
}

/** The first node process at or below `pid` (a sandbox's node under bwrap, or under prlimit and setpriv), or null. */
export function nodeBelow(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  return processTree(pid).find(isNode) ?? null;
}

let schedWorks: boolean | undefined;

/** Which clock treeCpu reads here: "sched" if this process's own threads show it, else "stat" if /proc exists, else null. */
export function cpuClock(): CpuClock | null {
  schedWorks ??= schedMs(process.pid) !== null;
  if (schedWorks) return "sched";
  return statMs(process.pid) !== null ? "stat" : null;
}

/** CPU time (ms) used so far by `pid` and its descendants, by `clock`; null without /proc or when `pid` is gone. */
export function treeCpu(pid: number | undefined, clock: CpuClock | null = cpuClock()): { ms: number; clock: CpuClock } | null {
  if (pid === undefined || clock === null) return null;
  const per = clock === "sched" ? schedMs : statMs;
  const own = per(pid);
  if (own === null) return null;
  let ms = own;
  for (const p of processTree(pid).slice(1)) ms += per(p) ?? 0;
  return { ms, clock };
}

/**
 * CPU time (ms) used so far by the main thread of the node process at or below `pid` (a sandbox:
 * bwrap → bwrap → node, or node itself: nodeBelow), where the student's code runs, by `clock`; null without
 * /proc, or when there is no such process. V8's compiler and garbage-collector helper threads run
 * on their own schedule (a function optimized in the background during one call, or during the
 * next), so they are left out.
 */
export function mainThreadCpu(pid: number | undefined, clock: CpuClock | null = cpuClock()): { ms: number; clock: CpuClock } | null {
  if (clock === null) return null;
  const node = nodeBelow(pid);
  const ms = node === null ? null : mainThreadMs(node, clock);
  return ms === null ? null : { ms, clock };
}

/** CPU time (ms) used so far by `pid` and its descendants (the finest clock here); null without /proc or when `pid` is gone. */
export function treeCpuMs(pid: number | undefined): number | null {
  return treeCpu(pid)?.ms ?? null;
}
