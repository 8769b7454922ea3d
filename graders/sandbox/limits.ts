/**
 * The OS memory limit of a sandboxed child, on top of V8's heap cap (--max-old-space-size):
 * typed arrays (ml-matrix stores rows in Float64Array) live outside the V8 heap, so without it a
 * student could allocate until the machine swaps. On Linux, `prlimit --as` caps the address
 * space; measured here with a 512 MB heap cap under a 2 GB limit: the V8 heap limit still fires
 * first (a clean out-of-memory crash), and typed arrays stop at about 1.1 GB with a RangeError.
 * Where prlimit is missing (macOS, Windows) only the heap cap applies.
 */
import { execa } from "execa";

/** The address-space limit for a child whose V8 heap is capped at `heapMb`. */
export function addressSpaceBytes(heapMb: number): number {
  return (2 * heapMb + 1024) * 1024 * 1024;
}

let probe: Promise<boolean> | undefined;

/** Whether prlimit can start node under an address-space limit here (probed once). */
export function prlimitAvailable(): Promise<boolean> {
  if (process.platform !== "linux") return Promise.resolve(false);
  probe ??= execa("prlimit", [`--as=${addressSpaceBytes(512)}`, "--", process.execPath, "--version"], { reject: false, timeout: 10_000 })
    .then((r) => r.exitCode === 0)
    .catch(() => false);
  return probe;
}

/** [file, args] that run `file args` under the memory limit when prlimit works, else unchanged. */
export async function withMemoryLimit(file: string, args: string[], heapMb: number): Promise<[string, string[]]> {
  if (!(await prlimitAvailable())) return [file, args];
  return ["prlimit", [`--as=${addressSpaceBytes(heapMb)}`, "--", file, ...args]];
}
