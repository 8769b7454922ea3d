/**
 * One process's (or thread's) line of Linux's /proc/<pid>/stat, read as man 5 proc lays it out:
 * the fields after the command name, which stands in parentheses and may itself hold spaces or
 * parentheses, so the line is cut at its last ")". The grader's CPU clock (cpu-time.ts), the
 * output lock's zombie test, the bench and the tests' process checks all read it here.
 */
import { readFileSync } from "node:fs";

/** The clock tick of utime and stime (USER_HZ = 100 on Linux). */
export const TICK_MS = 10;

export interface ProcStat {
  /** Field 3: "R" running, "S" sleeping, "Z" zombie … */
  state: string;
  /** Field 4. */
  ppid: number;
  /** Fields 14 + 15, utime + stime: CPU time in ticks (TICK_MS), every thread's for a process. */
  cpuTicks: number;
  /** Field 22, in ticks since boot: with the pid, which process this is (a pid is reused, a start time is not). */
  startTime: string;
}

/** The stat of process `pid` (of its thread `tid` when given); null when it cannot be read (gone, or no /proc). */
export function readProcStat(pid: number, tid?: number): ProcStat | null {
  let line: string;
  try {
    line = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, "utf8");
  } catch {
    return null;
  }
  const fields = line.slice(line.lastIndexOf(")") + 2).split(" ");
  return { state: fields[0], ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]), startTime: fields[19] };
}
