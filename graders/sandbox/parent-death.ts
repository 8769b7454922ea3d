/**
 * A sandboxed child dies with its grader, however the grader ends (Ctrl-C, SIGTERM, SIGKILL, a
 * crash). The grader's own exit handlers (execa's cleanup) cannot run when it is killed with
 * SIGKILL, and the child's own "the grader's pipe closed, exit" runs on its event loop, which a
 * student's endless loop blocks: so the kernel does it. On Linux, util-linux's `setpriv
 * --pdeathsig KILL` sets the child's parent-death signal (prctl PR_SET_PDEATHSIG), then execs node:
 * the kernel SIGKILLs the child when the grader's thread that started it (Node's main thread)
 * exits. Under bubblewrap, bwrap's own --die-with-parent does the same (bwrap.ts), so this is for
 * the child without it (BACKPROP_GRADER_BWRAP=0, containers without user namespaces).
 *
 * The race: a grader that dies after starting the child but before setpriv's prctl leaves no one
 * to signal it. So the runner is told the grader's pid (sandbox.ts) and exits at once, before any
 * student code, if its parent is no longer that process (orphan.ts).
 *
 * Where setpriv is missing (macOS, Windows, util-linux before 2.33) the child still dies with a
 * grader that exits, is interrupted, is sent SIGTERM or crashes (execa's cleanup, through
 * signal-exit, sends it SIGTERM, and Node ends on SIGTERM even in a busy loop); after a SIGKILL of
 * the grader it is left, until limits.ts's CPU cap where prlimit exists.
 */
import { execa } from "execa";

const SETPRIV_ARGS = ["--pdeathsig", "KILL", "--"];

let probe: Promise<boolean> | undefined;

/** Whether setpriv can start node with a parent-death signal here (probed once). */
export function parentDeathAvailable(): Promise<boolean> {
  if (process.platform !== "linux") return Promise.resolve(false);
  probe ??= execa("setpriv", [...SETPRIV_ARGS, process.execPath, "--version"], { reject: false, timeout: 10_000 })
    .then((r) => r.exitCode === 0)
    .catch(() => false);
  return probe;
}

/** [file, args] that run `file args` with SIGKILL as its parent-death signal where setpriv works, else unchanged. */
export async function withParentDeath(file: string, args: string[]): Promise<[string, string[]]> {
  if (!(await parentDeathAvailable())) return [file, args];
  return ["setpriv", [...SETPRIV_ARGS, file, ...args]];
}
