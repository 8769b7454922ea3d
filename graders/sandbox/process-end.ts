/**
 * How one sandboxed child ended, as one record with explicit flags (execa-style), judged from
 * THAT child alone: its own exit code or signal and the tail of its own stderr, never from an
 * older child's output or from the capped output shown to the student.
 */
import { constants } from "node:os";
import type { ProcessEnd } from "../result-model";
import type { MemoryUse } from "./memory";

/** The record itself is part of the result model (graders/result-model.ts): reports render it. */
export type { ProcessEnd };

/**
 * What V8 and Node write to stderr when a process runs out of memory: the heap limit
 * ("Reached heap limit" / "Ineffective mark-compacts near heap limit … JavaScript heap out of
 * memory", then an abort), an allocation Node itself could not make, or V8's or C++'s own fatal
 * out-of-memory under the OS address-space limit of limits.ts ("Fatal process out of memory: …",
 * "std::bad_alloc": measured with Node 26, whose V8 reserves more address space than 20–24).
 */
const OOM =
  /heap out of memory|Reached heap limit|ERR_MEMORY_ALLOCATION_FAILED|JavaScript heap|Fatal process out of memory|std::bad_alloc|Array buffer allocation failed.*\n.*FATAL/i;

/** How much of a child's stderr is kept for the out-of-memory decision (V8's report is ≈ 2–3 KB). */
const STDERR_TAIL_CHARS = 16_384;

/** Signal number → name; the first name where two share a number (SIGABRT, not its alias SIGIOT). */
const SIGNAL_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(constants.signals)
    .reverse()
    .map(([name, n]) => [n, name]),
);

/** The last `STDERR_TAIL_CHARS` characters of a child's stderr, whatever it printed before. */
export class StderrTail {
  private text = "";

  push(chunk: Buffer | string): void {
    this.text += chunk.toString();
    if (this.text.length > 2 * STDERR_TAIL_CHARS) this.text = this.text.slice(-STDERR_TAIL_CHARS);
  }

  get value(): string {
    return this.text.slice(-STDERR_TAIL_CHARS);
  }
}

/** `end` with `cause` attached out of sight of JSON and spreads (see ProcessEnd.cause). */
export function withCause(end: ProcessEnd, cause: unknown): ProcessEnd {
  return Object.defineProperty(end, "cause", { value: cause, enumerable: false, writable: true, configurable: true });
}

/**
 * How a child ended, from execa's result and the tail of that child's stderr. Out of memory needs
 * both: V8's report on its stderr AND a death by signal (V8 aborts: SIGABRT, or SIGTRAP on some
 * builds), so a process that prints the words and then calls process.exit is an exit, not OOM.
 */
export function processEnd(r: { signal?: string | null; exitCode?: number | null }, stderrTail: string, viaBwrap: boolean): ProcessEnd {
  let signal = r.signal ?? undefined;
  let exitCode = typeof r.exitCode === "number" ? r.exitCode : undefined;
  // bubblewrap reports a child killed by signal n as exit code 128 + n
  if (viaBwrap && signal === undefined && exitCode !== undefined && exitCode > 128 && SIGNAL_NAMES[exitCode - 128]) {
    signal = SIGNAL_NAMES[exitCode - 128];
    exitCode = undefined;
  }
  const outOfMemory = signal !== undefined && OOM.test(stderrTail);
  return withCause({ timedOut: false, ...(signal ? { signal } : {}), ...(exitCode !== undefined ? { exitCode } : {}), outOfMemory }, r);
}

/** The signals a node dies of when an allocation fails under the address-space limit: V8's or
 *  Node's own abort (SIGABRT, SIGTRAP on some builds), or memory it could not map (SIGSEGV, SIGBUS). */
const ALLOCATION_DEATHS = new Set(["SIGSEGV", "SIGBUS", "SIGABRT", "SIGTRAP"]);

/**
 * `end` judged out of memory by what the kernel saw, too: a child that died of one of those
 * signals with its address space, when last read, within a quarter of its limit and grown by at
 * least an eighth of it during the call, ran out of memory, whether or not it had the time to say
 * so on stderr (measured: a reluBackward that keeps four 8192×8192 Matrix objects under the 2 GB
 * limit died of SIGSEGV in some runs, of SIGABRT after V8's report in others). A process that
 * sends itself such a signal is believed only if it was that close to the limit.
 */
export function withMemoryUse(end: ProcessEnd, memory: MemoryUse | undefined): ProcessEnd {
  if (end.outOfMemory || end.timedOut || end.signal === undefined || !ALLOCATION_DEATHS.has(end.signal)) return end;
  const limit = memory?.limitBytes;
  if (!memory || !limit || memory.peakBytes < 0.75 * limit || memory.grownBytes < limit / 8) return end;
  return withCause({ ...end, outOfMemory: true }, end.cause);
}

/** How a child ended in a few words ("exited with code 9", "was killed by SIGSEGV", "did not
 *  start in time"), for the grader's own failures, where no student code ran. */
export function endedHow(end: ProcessEnd): string {
  if (end.timedOut) return "did not start in time";
  if (end.signal) return `was killed by ${end.signal}`;
  return end.exitCode !== undefined ? `exited with code ${end.exitCode}` : "ended";
}
