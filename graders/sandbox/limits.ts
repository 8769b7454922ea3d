/**
 * The OS limits of a sandboxed child, set with util-linux's `prlimit` on Linux (it sets them on
 * itself, then execs the command: the child keeps its pid).
 *
 * Memory, on top of V8's heap cap (--max-old-space-size): typed arrays (ml-matrix stores rows in
 * Float64Array) live outside the V8 heap, so without it a student could allocate until the machine
 * swaps. `prlimit --as` caps the address space; measured here with a 512 MB heap cap under a 2 GB
 * limit: the V8 heap limit still fires first (a clean out-of-memory crash), and typed arrays stop
 * at about 1.1 GB with a RangeError.
 *
 * CPU time (`prlimit --cpu`, RLIMIT_CPU), a backstop: the grader ends every call that runs past its
 * limit itself, and a child never outlives its grader (parent-death.ts, bwrap's --die-with-parent),
 * but should one ever be left behind in an endless loop, the kernel ends it once it has used
 * CPU_CAP_SECONDS of CPU, instead of it spinning until someone finds it.
 *
 * Where prlimit is missing (macOS, Windows) only the heap cap applies.
 */
import { execa } from "execa";

/** The address-space limit for a child whose V8 heap is capped at `heapMb`. */
export function addressSpaceBytes(heapMb: number): number {
  return (2 * heapMb + 1024) * 1024 * 1024;
}

/**
 * A child's CPU time cap, in seconds of CPU over its whole life (all its threads): SIGXCPU at the
 * soft limit, SIGKILL at the hard one (a student's listener for SIGXCPU cannot keep it alive).
 *
 * Why 600: a child serves every call of one student's file and is replaced whenever a call ends
 * it. Measured with the reference submissions (`npm run grade -- --assignment A --submission
 * reference/A`, the CPU time of each child just before it was closed): 1.1 s for two-layer-net's
 * main child (training included), 0.97 s for layers', 0.12–0.37 s for the others. However slow a
 * correct submission, its grading stops at its submission budget, at most 240 s of wall time
 * (layers; classifiers and gates 120 s, two-layer-net 180 s), during which one child's main thread
 * can use at most that much CPU, and V8's helper threads a fraction more. 600 s is 2.5 times the
 * longest budget and 500 times the most measured: it never touches a grading, and it ends an
 * orphan on a 2-core machine within 10 minutes of CPU.
 */
export const CPU_CAP_SECONDS = 600;
/** The hard limit: a few seconds past the soft one. */
const CPU_HARD_SECONDS = CPU_CAP_SECONDS + 5;

const prlimitArgs = (heapMb: number) => [`--as=${addressSpaceBytes(heapMb)}`, `--cpu=${CPU_CAP_SECONDS}:${CPU_HARD_SECONDS}`];

let probe: Promise<boolean> | undefined;

/** Whether prlimit can start node under these limits here (probed once). */
export function prlimitAvailable(): Promise<boolean> {
  if (process.platform !== "linux") return Promise.resolve(false);
  probe ??= execa("prlimit", [...prlimitArgs(512), "--", process.execPath, "--version"], { reject: false, timeout: 10_000 })
    .then((r) => r.exitCode === 0)
    .catch(() => false);
  return probe;
}

/** [file, args] that run `file args` under the memory and CPU limits when prlimit works, else unchanged. */
export async function withLimits(file: string, args: string[], heapMb: number): Promise<[string, string[]]> {
  if (!(await prlimitAvailable())) return [file, args];
  return ["prlimit", [...prlimitArgs(heapMb), "--", file, ...args]];
}
