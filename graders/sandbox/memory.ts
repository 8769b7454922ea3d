/**
 * How much memory a sandboxed child used during one call, read by the grader from Linux's /proc
 * (the child's own report would be data it could fake, and a child that dies cannot report).
 *
 * Two figures are read. The peak address space (VmPeak) is what the OS limit of limits.ts
 * (`prlimit --as`) caps: it tells a death at the limit (process-end.ts). What a call grew by is
 * read from VmData, the private writable memory: typed arrays (ml-matrix stores rows in
 * Float64Array) count there from the moment they are allocated, and so do V8's heap pages once
 * in use, while the address space also counts reservations that hold nothing (measured: the first
 * call in a fresh child grew VmSize by 321 MB, V8's worker threads each reserving a 64 MB malloc
 * arena, and VmData by a few MB), and the resident size (VmRSS) leaves out the zeroed pages
 * nobody wrote yet (an 8192×8192 Jacobian with only its diagonal set adds 512 MB to VmData and
 * about 1 MB to VmRSS).
 *
 * A child that dies of the limit takes its /proc entry with it, so the call is sampled while it
 * runs (every SAMPLE_MS) and the last reading stands. Measured with Node 20 under the 2048 MB
 * limit of a 512 MB heap: an idle sandboxed node has a VmSize of about 740 MB (V8's and Node's
 * reservations), and a reluBackward that keeps one 8192×8192 Matrix per row dies (SIGSEGV, or
 * SIGABRT with V8's report, or it is stopped at the time limit first: which one, varies from run to
 * run) after its address space grew by 1–1.3 GB, at about 0.35 GB per second of CPU time.
 */
import { readFileSync } from "node:fs";

/** How often a running call's memory is read (ms). */
const SAMPLE_MS = 50;

/** What one call used, by the kernel's count. */
export interface MemoryUse {
  /** The most the child's private writable memory (VmData) grew during the call, over its size when the call began (bytes). */
  grownBytes: number;
  /** The child's peak address space (VmPeak) when last read (bytes). */
  peakBytes: number;
  /** The address-space limit the child runs under (bytes), or null when there is none. */
  limitBytes: number | null;
}

function read(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

/** VmData and VmPeak of a process (bytes); null without /proc, or when it is gone (a zombie has none). */
function memoryOf(pid: number): { dataBytes: number; peakBytes: number } | null {
  const status = read(`/proc/${pid}/status`);
  const kb = (field: string) => {
    const m = new RegExp(`^${field}:\\s*(\\d+) kB$`, "m").exec(status ?? "");
    return m ? Number(m[1]) * 1024 : null;
  };
  const dataBytes = kb("VmData");
  const peakBytes = kb("VmPeak");
  return dataBytes === null || peakBytes === null ? null : { dataBytes, peakBytes };
}

/** The address-space limit of a process (its soft RLIMIT_AS, bytes) from /proc/<pid>/limits; null when unlimited or unknown. */
export function addressSpaceLimit(pid: number): number | null {
  const m = /^Max address space\s+(\d+|unlimited)\s/m.exec(read(`/proc/${pid}/limits`) ?? "");
  return m && m[1] !== "unlimited" ? Number(m[1]) : null;
}

/**
 * The memory of one process during one call: read when the call begins, every SAMPLE_MS while it
 * runs, and once more on `sample()` (the grader calls it just before it kills the child).
 */
export class MemoryWatch {
  private readonly startData: number;
  private maxData: number;
  private peak: number;
  private readonly timer: NodeJS.Timeout;

  private constructor(
    private readonly pid: number,
    start: { dataBytes: number; peakBytes: number },
    private readonly limitBytes: number | null,
  ) {
    this.startData = start.dataBytes;
    this.maxData = start.dataBytes;
    this.peak = start.peakBytes;
    this.timer = setInterval(() => this.sample(), SAMPLE_MS);
    this.timer.unref();
  }

  /** A watch of `pid` from now; null where /proc cannot tell. */
  static start(pid: number | null | undefined, limitBytes: number | null): MemoryWatch | null {
    if (pid === null || pid === undefined) return null;
    const start = memoryOf(pid);
    return start === null ? null : new MemoryWatch(pid, start, limitBytes);
  }

  /** Read the process's memory now (nothing when it is gone: the last reading stands). */
  sample(): void {
    const now = memoryOf(this.pid);
    if (now === null) return;
    this.maxData = Math.max(this.maxData, now.dataBytes);
    this.peak = Math.max(this.peak, now.peakBytes);
  }

  /** Stop sampling; what the call used (VmData has no high-water mark: memory held for less than SAMPLE_MS may be missed). */
  stop(): MemoryUse {
    clearInterval(this.timer);
    return { grownBytes: this.maxData - this.startData, peakBytes: this.peak, limitBytes: this.limitBytes };
  }
}

/** "512 MB" (binary megabytes, rounded down: a figure of "more than" stays true). */
export function megabytes(bytes: number): string {
  return `${Math.floor(bytes / (1024 * 1024))} MB`;
}
