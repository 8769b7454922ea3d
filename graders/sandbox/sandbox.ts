/**
 * Running one compiled student file in a child process that cannot harm or fool the grader:
 * Node's permission model (it may read only its runner and its bundle: no other files, no writes,
 * no child processes, no workers), an empty environment, a fresh empty working folder, a V8 heap
 * cap plus an OS address-space limit (limits.ts), and, on Linux where bubblewrap works,
 * `bwrap --unshare-all` (no network, no view of the grader's processes) over a read-only system.
 * The grader talks to it over its own framed pipe (frames.ts), never Node's IPC channel.
 *
 * A call ends as one record: the function returned, it threw, or the child ended (timeout, crash,
 * out of memory, process.exit, a broken channel) — then the child is gone and the next call starts
 * a new one. How a child ended is judged from that child alone (process-end.ts). Student
 * stdout/stderr is kept (capped) for the student and never parsed; only the tail of each child's
 * own stderr is read, for V8's out-of-memory report.
 *
 * No child outlives the grader, however the grader ends: bwrap's --die-with-parent, or setpriv's
 * parent-death signal without bubblewrap (parent-death.ts, orphan.ts), execa's cleanup on exit
 * and signals, and a CPU-time cap as the backstop (limits.ts).
 *
 * The runner says "loading" just before it imports the student's bundle: a child that ends (or
 * hangs) before that never ran student code, so its end is the grader's failure ("sandbox-failed"),
 * not the student's.
 */
import { createHash, randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Readable, Writable } from "node:stream";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { execa } from "execa";
import type { Case, Value } from "../cases/case";
import { BundleFrames } from "../submission/stack";
import type { Sizes } from "../cases/scale";
import { bwrapArgs, bwrapAvailable } from "./bwrap";
import { type CpuClock, cpuClock, mainThreadMs, nodeBelow, treeCpuMs } from "./cpu-time";
import { FrameDecoder, FrameError, encodeFrame } from "./frames";
import { withLimits } from "./limits";
import { MemoryWatch, type MemoryUse, addressSpaceLimit } from "./memory";
import { withParentDeath } from "./parent-death";
import { permissionFlags } from "./permission-flags";
import { type ProcessEnd, StderrTail, processEnd, withCause, withMemoryUse } from "./process-end";
import { type Thrown, type ToChild, WIRE_LIMITS } from "./protocol";

export interface SandboxOptions {
  /** V8 heap cap of the child, in MB. */
  memoryMb: number;
  /** How long loading the student's module may take, in ms. */
  loadTimeoutMs: number;
  /** How much of the student's stdout+stderr to keep, in characters. */
  outputCap?: number;
  /** Use bubblewrap when it works here (default: yes). */
  bwrap?: boolean;
  /** Give graph cases the grader's own gates (only a student's graph.ts needs them). */
  graderGates?: boolean;
  /** Tests only: the permission flag to start the child with, instead of the running Node's
   *  (permission-flags.ts); "" starts it without the permission model. */
  permissionFlag?: string;
}

export type CallResult =
  | {
      kind: "returned";
      value: unknown;
      durationMs: number;
      /** Time requests: CPU time of the sandbox's processes during the call (Linux; see cpu-time.ts), and by which clock. */
      cpuMs?: number;
      cpuClock?: CpuClock;
      memory?: MemoryUse;
    }
  /** `memory`: what the call used by the kernel's count (memory.ts), where /proc has it. */
  | { kind: "threw"; error: Thrown; durationMs: number; memory?: MemoryUse }
  | { kind: "ended"; end: ProcessEnd; durationMs: number; whileLoading?: true; memory?: MemoryUse }
  | { kind: "load-failed"; error: Thrown; durationMs: number }
  /** The child ended or hung before the student's file began to load: the grader broke (`stderr`:
   *  the tail of that child's stderr, e.g. "node: bad option: …"). */
  | { kind: "sandbox-failed"; end: ProcessEnd; stderr: string; durationMs: number };

/** A call starved of CPU by a busy machine may take this many times its limit in wall time. */
const STARVED_WAIT = 4;
/** The shortest wait before the CPU count is read again. */
const MIN_REARM_MS = 20;

/** The name of the student's bundle in the sandbox's folder (its frames are mapped back: submission/stack.ts). */
const BUNDLE_FILE = "submission.mjs";

/** Which runner script a child starts: graders/sandbox/runner.ts, or graph-runner.ts (it also holds the grader's gates). */
type RunnerName = "runner" | "graph-runner";
const runners = new Map<RunnerName, Promise<string>>();

/** Set by a prebuilt grader's build (scripts/run.mjs): the runners were built beside it. */
declare const BACKPROP_GRADER_PREBUILT_RUNNERS: boolean | undefined;

/** The runner's code: built beside a prebuilt grader, else bundled now from its source (tsx, Jest). */
async function runnerCode(kind: RunnerName): Promise<Buffer> {
  if (typeof BACKPROP_GRADER_PREBUILT_RUNNERS === "boolean" && BACKPROP_GRADER_PREBUILT_RUNNERS) return readFileSync(new URL(`./${kind}.mjs`, import.meta.url));
  const built = await esbuild.build({
    entryPoints: [fileURLToPath(new URL(`./${kind}.ts`, import.meta.url))],
    write: false,
    logLevel: "silent",
    ...RUNNER_BUILD,
  });
  return Buffer.from(built.outputFiles[0].contents);
}

/** How a runner is bundled (scripts/run.mjs builds the prebuilt ones the same way: a test compares them). */
export const RUNNER_BUILD = { bundle: true, format: "esm", platform: "node", target: "node20" } as const;

/**
 * A runner, bundled once per grading process. It is written to a folder named after the hash of
 * its code, shared by every grading process of this version (a process killed with SIGKILL leaves
 * no folder behind that the next one would not reuse), and its content is checked before use: a
 * file that differs (tampered with, or half written) is replaced atomically. The child may read
 * only that file (and the student's bundle), never the grader beside a prebuilt runner.
 */
export function runnerScript(kind: RunnerName): Promise<string> {
  let p = runners.get(kind);
  if (!p) {
    p = (async () => {
      const code = await runnerCode(kind);
      const dir = join(tmpdir(), `backprop-grader-runner-${createHash("sha256").update(code).digest("hex").slice(0, 16)}`);
      const outfile = join(dir, `${kind}.mjs`);
      mkdirSync(dir, { recursive: true });
      let current: Buffer | null;
      try {
        current = readFileSync(outfile);
      } catch {
        current = null;
      }
      if (!current?.equals(code)) {
        const temp = `${outfile}.${process.pid}.${randomUUID()}`;
        writeFileSync(temp, code);
        renameSync(temp, outfile);
      }
      return outfile;
    })();
    runners.set(kind, p);
  }
  return p;
}

/**
 * The child process: stdin closed, stdout/stderr streamed (not buffered), fd 3 our channel.
 * `cleanup` kills it when the grader exits, is interrupted or terminated, or crashes, with
 * SIGKILL: a student's listener for SIGTERM would keep a SIGTERM from ending a child stuck in a
 * loop (the listener runs on the event loop the loop blocks).
 */
function spawnChild(file: string, args: string[], cwd: string) {
  return execa(file, args, {
    stdio: ["ignore", "pipe", "pipe", "pipe"],
    extendEnv: false,
    env: {},
    cwd,
    reject: false,
    buffer: false,
    cleanup: true,
    killSignal: "SIGKILL",
  });
}
type Child = ReturnType<typeof spawnChild>;

type Reply = { id?: unknown; type?: unknown; value?: unknown; error?: unknown; exports?: unknown };

/** One student file, loaded in a child that is restarted whenever it ends. */
export class Sandbox {
  private child: Child | null = null;
  private channel: (Readable & Writable) | null = null;
  private ended: ProcessEnd | null = null;
  private waiters = new Set<(reply: Reply | ProcessEnd) => void>();
  private output = "";
  private outputDropped = 0;
  private readonly dir: string;
  private readonly bundlePath: string;
  private loadError: Thrown | null = null;
  private loadEnd: ProcessEnd | null = null;
  /** The child ended before the student's file began to load (sticky, like loadEnd). */
  private startFailure: { end: ProcessEnd; stderr: string } | null = null;
  /** What the child reported it exports (name → typeof), once it has loaded. */
  exports: Record<string, string> | null = null;

  /** The student's frames of a stack from this bundle, mapped back to their files. */
  private readonly frames: BundleFrames;

  constructor(
    bundleCode: string,
    private readonly options: SandboxOptions,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), "backprop-grader-sub-"));
    this.bundlePath = join(this.dir, BUNDLE_FILE);
    writeFileSync(this.bundlePath, bundleCode);
    this.frames = new BundleFrames(bundleCode, BUNDLE_FILE);
  }

  /** A Thrown from this child, as data (sanitizeThrown), its stack cut to the student's own frames, in their files and lines. */
  thrown(e: unknown): Thrown {
    const t = sanitizeThrown(e);
    const stack = this.frames.frames(t.stack);
    return { name: t.name, message: t.message, ...(stack ? { stack } : {}) };
  }

  /** What the student's code printed so far (capped). */
  get studentOutput(): string {
    return this.outputDropped > 0 ? `${this.output}\n… (${this.outputDropped} more characters not kept)` : this.output;
  }

  /** CPU time (ms) the running child and everything below it used so far (cpu-time.ts treeCpuMs): null with no child, or without /proc. For measurements (npm run bench). */
  childCpuMs(): number | null {
    return treeCpuMs(this.child?.pid);
  }

  private keepOutput(chunk: Buffer | string) {
    const cap = this.options.outputCap ?? 16_384;
    const text = chunk.toString();
    const room = Math.max(0, cap - this.output.length);
    this.output += text.slice(0, room);
    this.outputDropped += Math.max(0, text.length - room);
  }

  /** Deliver a reply (or the child's end) to whoever waits. */
  private deliver(reply: Reply | ProcessEnd) {
    for (const w of [...this.waiters]) w(reply);
  }

  private async start(): Promise<void> {
    const runner = await runnerScript(this.options.graderGates ? "graph-runner" : "runner");
    const nodeArgs = [
      ...permissionFlags([runner, this.bundlePath], this.options.permissionFlag),
      `--max-old-space-size=${this.options.memoryMb}`,
      "--no-warnings", // no --enable-source-maps: the grader maps the bundle's frames itself (submission/stack.ts)
      "--disallow-code-generation-from-strings", // no eval/new Function: no import() written at run time (lockdown.ts)
      runner,
      this.bundlePath,
    ];
    const work = mkdtempSync(join(this.dir, "cwd-"));
    const usesBwrap = this.options.bwrap !== false && (await bwrapAvailable());
    // Under bubblewrap, bwrap dies with the grader and takes the child along (--die-with-parent);
    // without it, setpriv gives node a parent-death signal, and the runner is told the grader's pid
    // (orphan.ts: its parent, since prlimit and setpriv exec rather than fork).
    const [file, args] = usesBwrap
      ? await withLimits("bwrap", [...bwrapArgs({ readOnly: [dirname(runner), this.dir], cwd: work }), process.execPath, ...nodeArgs], this.options.memoryMb)
      : await withLimits(...(await withParentDeath(process.execPath, [...nodeArgs, String(process.pid)])), this.options.memoryMb);
    // closed while this start awaited: no child for a sandbox nobody will close again
    if (this.closed) throw new Error("the sandbox was closed while its child was starting (grader bug)");
    const child = spawnChild(file, args, work);
    const channel = child.stdio[3] as Readable & Writable;
    this.child = child;
    this.channel = channel;
    this.ended = null;
    this.nodePid = undefined;
    // This child's own stderr, for its end; what the student sees (this.output) spans restarts.
    const stderr = new StderrTail();
    let studentCodeStarted = false;
    child.stdout?.on("data", (d) => this.keepOutput(d));
    child.stderr?.on("data", (d) => {
      stderr.push(d);
      this.keepOutput(d);
    });
    const decoder = new FrameDecoder(WIRE_LIMITS.frameBytes);
    channel.on("data", (chunk: Buffer) => {
      if (this.child !== child) return;
      let messages: unknown[];
      try {
        messages = decoder.push(chunk);
      } catch (error) {
        // Anything but our frames on our channel: the student's code wrote to it. End the child.
        this.finish(child, withCause({ timedOut: false, outOfMemory: false, protocolError: (error as FrameError).message }, error));
        return;
      }
      for (const m of messages) {
        if (typeof m !== "object" || m === null) continue;
        if ((m as Reply).type === "loading") studentCodeStarted = true;
        this.deliver(m as Reply);
      }
    });
    channel.on("error", () => undefined); // the child's end shows up as its exit
    // execa settles once the child has exited and its stdout and stderr are drained, but not our
    // channel (fd 3): its last frames (a "loading" just before an exit at import, say) may still
    // be unread, so wait for it to close too (briefly: the child is gone, so it closes at once).
    const channelClosed = new Promise<void>((resolve) => channel.once("close", () => resolve()));
    void child.then(async (r) => {
      await Promise.race([channelClosed, delay(1000, undefined, { ref: false })]);
      this.finish(child, processEnd(r, stderr.value, usesBwrap));
    });

    const first = await this.next(this.options.loadTimeoutMs, (m) => m.type === "ready" || m.type === "load-error");
    if ("timedOut" in first && !studentCodeStarted) this.startFailure = { end: first, stderr: stderr.value };
    else if ("timedOut" in first) this.loadEnd = first;
    else if (first.type === "load-error") this.loadError = this.thrown(first.error);
    else this.exports = sanitizeExports(first.exports);
  }

  /** Record how the child ended (once), kill it, and wake every waiter. */
  private finish(child: Child, end: ProcessEnd) {
    if (this.child !== child || this.ended) return;
    this.memoryWatch?.sample(); // its last reading, while it is still there to read
    this.ended = end;
    child.kill("SIGKILL");
    this.deliver(end);
  }

  /** The next reply that `accept`s, or how the child ended, or a timeout (which kills it). */
  private next(timeoutMs: number, accept: (m: Reply) => boolean, cpuUsed?: () => number | null): Promise<Reply | ProcessEnd> {
    const child = this.child!;
    if (this.ended) return Promise.resolve(this.ended);
    const t0 = performance.now();
    return new Promise((resolve) => {
      const done = (r: Reply | ProcessEnd) => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve(r);
      };
      const waiter = (r: Reply | ProcessEnd) => {
        if ("timedOut" in r || accept(r as Reply)) done(r);
      };
      // The limit is on the student's CPU time where the kernel counts it (cpuUsed): a call that has
      // not used its budget yet because the machine is busy (two batches at once, a TA's laptop)
      // waits for it, up to STARVED_WAIT times the limit in wall time; a loop uses its budget and
      // ends on time. Where there is no count, wall time it is.
      const fire = () => {
        const used = cpuUsed?.() ?? null;
        const waited = performance.now() - t0;
        if (used !== null && used < timeoutMs && waited < STARVED_WAIT * timeoutMs) {
          timer = setTimeout(fire, Math.max(MIN_REARM_MS, Math.min(timeoutMs - used, STARVED_WAIT * timeoutMs - waited)));
          return;
        }
        const end: ProcessEnd = { timedOut: true, signal: "SIGKILL", outOfMemory: false };
        this.finish(child, end);
        done(end);
      };
      let timer = setTimeout(fire, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  private starting: Promise<void> | null = null;

  /** Start the child and load the student's module, if that has not happened (or failed) yet.
   *  Concurrent callers share one start, so a restart never spawns two children. */
  async load(): Promise<void> {
    // A start under way has set this.child already: wait for its "ready" (a request written before
    // it can meet a child that is gone, and the failed write discards the frames still unread)
    if (this.starting) return this.starting;
    if (this.child || this.loadError || this.loadEnd || this.startFailure) return;
    this.starting ??= this.start().finally(() => {
      this.starting = null;
    });
    await this.starting;
  }

  /** Run one case; a child that has ended (during a call or between calls) is replaced first. */
  run(c: Case, timeoutMs: number, options: { forwardOnly?: boolean; reportInputs?: boolean } = {}): Promise<CallResult> {
    return this.call(
      (id) => ({
        type: "run",
        id,
        target: c.target,
        exports: c.exports,
        inputs: c.inputs,
        forwardOnly: options.forwardOnly ?? false,
        reportInputs: options.reportInputs ?? false,
      }),
      timeoutMs,
    );
  }

  /**
   * Time one efficiency case, built inside the child from `seed` (cases/scale.ts). A returned
   * value is a `Timed` from the child: data to validate. The times are the grader's own: `cpuMs`
   * (the kernel's count for the sandbox's processes, where /proc has it) and `durationMs` (the round trip).
   */
  time(exportName: string, seed: string, sizes: Sizes, timeoutMs: number): Promise<CallResult> {
    return this.call((id) => ({ type: "time", id, exportName, seed, sizes }), timeoutMs, true);
  }

  /**
   * Run many cases in one round trip (the value tests' golden and hidden cases): the returned
   * value is the child's untrusted BatchItem[], one per case, each with every output or what it
   * threw. The time limit is for the whole request.
   */
  cases(items: { c: Case; forwardOnly: boolean }[], timeoutMs: number): Promise<CallResult> {
    return this.call(
      (id) => ({ type: "cases", id, items: items.map(({ c, forwardOnly }) => ({ target: c.target, exports: c.exports, inputs: c.inputs, forwardOnly })) }),
      timeoutMs,
    );
  }

  /**
   * The two-layer net's training run (cases/train.ts) inside the child, in one request: the
   * returned value is the child's untrusted `Trained`. The time limit is for the whole run.
   */
  async train(seed: string, timeoutMs: number): Promise<CallResult> {
    const r = await this.call((id) => ({ type: "train", id, seed }), timeoutMs);
    // a step that threw: its stack, mapped like any other (the rest of the value is the check's to validate)
    if (r.kind !== "returned" || typeof r.value !== "object" || r.value === null) return r;
    const threw = (r.value as { threw?: unknown }).threw;
    if (typeof threw !== "object" || threw === null) return r;
    return { ...r, value: { ...r.value, threw: this.thrown(threw) } };
  }

  /**
   * Run `c`'s target on each of `inputs` in one round trip (gradient checks: the perturbed
   * forwards of a finite difference). A returned value is the child's untrusted BatchItem[],
   * one per input, holding only the outputs named in `keep`. The time limit is for the batch.
   */
  batch(
    c: Pick<Case, "target" | "exports">,
    inputs: Record<string, Value>[],
    timeoutMs: number,
    options: { forwardOnly?: boolean; keep: string[] },
  ): Promise<CallResult> {
    // sent as the first input and, per input, the arguments that are not the very same values (a
    // perturbed input shares the others with the case): a fraction of the bytes
    const base = inputs[0] ?? {};
    const changes = inputs.map((i) => Object.fromEntries(Object.entries(i).filter(([k, v]) => base[k] !== v || !(k in base))));
    const dropped = inputs.map((i) => Object.keys(base).filter((k) => !(k in i)));
    if (dropped.some((d) => d.length > 0)) throw new Error("batch inputs must all have the first input's arguments (grader bug)");
    return this.call(
      (id) => ({ type: "batch", id, target: c.target, exports: c.exports, base, changes, forwardOnly: options.forwardOnly ?? false, keep: options.keep }),
      timeoutMs,
    );
  }

  /** The call before the next one: the child gets one request at a time, whoever asks. */
  private turn: Promise<unknown> = Promise.resolve();

  /**
   * One request and its answer. Requests from concurrent callers wait their turn: with one
   * request in flight, a time request's CPU count is that request's alone, and a call that times
   * out (and kills the child) takes no other call's answer with it.
   */
  private call(request: (id: string) => ToChild, timeoutMs: number, cpu = false): Promise<CallResult> {
    const mine = this.turn.then(() => this.callNow(request, timeoutMs, cpu));
    this.turn = mine.catch(() => undefined);
    return mine;
  }

  /**
   * One request, sent again once in a fresh child if its child ended (or hung) without saying it
   * had started it: then an earlier call's leftovers ended that child (a timer that exits, an
   * unhandled rejection, a loop), and this call is not charged for them. A request the child
   * started and did not answer is this call's.
   */
  private async callNow(request: (id: string) => ToChild, timeoutMs: number, cpu: boolean): Promise<CallResult> {
    const t0 = performance.now();
    const first = await this.sendOnce(request, timeoutMs, cpu, t0);
    if (first.result.kind !== "ended" || first.started) return first.result;
    return (await this.sendOnce(request, timeoutMs, cpu, t0)).result;
  }

  /** Send the request once; `started`: the child said it began it. */
  private async sendOnce(request: (id: string) => ToChild, timeoutMs: number, cpu: boolean, t0: number): Promise<{ result: CallResult; started: boolean }> {
    let started = false;
    const result = (r: CallResult) => ({ result: r, started });
    if (this.child && this.ended) await this.stopChild(); // it died after its last answer: not this call's fault
    await this.load();
    if (this.loadError) return result({ kind: "load-failed", error: this.loadError, durationMs: performance.now() - t0 });
    if (this.loadEnd) return result({ kind: "ended", end: this.loadEnd, durationMs: performance.now() - t0, whileLoading: true });
    if (this.startFailure) return result({ kind: "sandbox-failed", ...this.startFailure, durationMs: performance.now() - t0 });
    const id = randomUUID();
    // the student's CPU time during this request, by the kernel's count: the time limit's clock,
    // and a time request's measure
    const cpuUsed = this.cpuSince();
    const watch = this.watchMemory();
    const startedAt = performance.now();
    const reply = this.next(
      timeoutMs,
      (m) => {
        if (m.id === id && m.type === "started") started = true;
        return m.id === id && (m.type === "returned" || m.type === "threw");
      },
      cpuUsed?.ms,
    );
    this.channel!.write(encodeFrame(request(id)));
    const r = await reply;
    const durationMs = performance.now() - startedAt;
    const cpuMs = cpu && cpuUsed ? cpuUsed.ms() : null;
    watch?.sample(); // VmPeak: whatever the call reached since the last reading
    const memory = watch?.stop();
    if (this.memoryWatch === watch) this.memoryWatch = null;
    const used = memory ? { memory } : {};
    if ("timedOut" in r) {
      await this.stopChild();
      return result({ kind: "ended", end: withMemoryUse(r, memory), durationMs, ...used });
    }
    if (r.type === "threw") return result({ kind: "threw", error: this.thrown(r.error), durationMs, ...used });
    return result({
      kind: "returned",
      value: r.value,
      durationMs,
      ...(cpuMs !== null ? { cpuMs: Math.max(0, cpuMs), cpuClock: cpuUsed!.clock } : {}),
      ...used,
    });
  }

  /** The child's node process (under bwrap or prlimit), found once per child; null where /proc cannot tell. */
  private nodePid: number | null | undefined;
  /** The memory of the call in flight, read while it runs (memory.ts). */
  private memoryWatch: MemoryWatch | null = null;
  /** The address-space limit of a child's node, read once per node. */
  private addressLimit: { pid: number; bytes: number | null } | null = null;

  /** Watch the memory of the child's node during the request about to be sent (after cpuSince, which finds the node). */
  private watchMemory(): MemoryWatch | null {
    const pid = this.nodePid;
    if (pid === null || pid === undefined) return null;
    if (this.addressLimit?.pid !== pid) this.addressLimit = { pid, bytes: addressSpaceLimit(pid) };
    this.memoryWatch = MemoryWatch.start(pid, this.addressLimit.bytes);
    return this.memoryWatch;
  }

  /** From now, the CPU time (ms) the child's main thread uses, by the kernel's count, and by which clock; undefined without one. */
  private cpuSince(): { clock: CpuClock; ms: () => number | null } | undefined {
    const clock = cpuClock();
    if (clock === null) return undefined;
    if (this.nodePid === undefined) this.nodePid = nodeBelow(this.child?.pid);
    const pid = this.nodePid;
    if (pid === null) return undefined;
    const start = mainThreadMs(pid, clock);
    if (start === null) return undefined;
    return {
      clock,
      ms: () => {
        const now = mainThreadMs(pid, clock);
        return now === null ? null : now - start;
      },
    };
  }

  private async stopChild(): Promise<void> {
    const child = this.child;
    this.child = null;
    this.channel = null;
    this.waiters.clear();
    if (!child) return;
    child.kill("SIGKILL");
    await child.catch(() => undefined);
  }

  /** Set by close(): a start under way then spawns no child. */
  private closed = false;

  async close(): Promise<void> {
    this.closed = true;
    await this.stopChild();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The export table from the child is data: names and typeof strings only. */
function sanitizeExports(e: unknown): Record<string, string> {
  if (typeof e !== "object" || e === null) return {};
  return Object.fromEntries(
    Object.entries(e)
      .filter(([, v]) => typeof v === "string")
      .slice(0, 1000),
  ) as Record<string, string>;
}

/** A Thrown from the child is data: keep only strings of bounded size. */
export function sanitizeThrown(e: unknown): Thrown {
  const t = (typeof e === "object" && e !== null ? e : {}) as Record<string, unknown>;
  const str = (v: unknown, fallback: string) => (typeof v === "string" ? v.slice(0, 4000) : fallback);
  return { name: str(t.name, "unknown"), message: str(t.message, "<no message>"), stack: typeof t.stack === "string" ? t.stack.slice(0, 4000) : undefined };
}
