/**
 * Running one compiled student file in a child process that cannot harm or fool the grader:
 * Node's permission model (it may read only the runner and its bundle: no other files, no
 * writes, no child processes, no workers), an empty environment, a fresh empty working folder, a
 * V8 heap cap plus an OS address-space limit (limits.ts), and, on Linux where bubblewrap works, `bwrap --unshare-all` (no network) over a
 * read-only view of the system. The grader talks to it over IPC; answers are data.
 *
 * A call ends in one of three ways, as one record: the function returned, it threw, or the
 * child ended (timeout, crash, out of memory, process.exit) — then the child is gone and the
 * next call starts a new one. Student stdout/stderr is kept (capped) and never parsed.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { execa } from "execa";
import type { Case } from "../cases/case";
import type { ProcessEnd } from "../results/result";
import type { FromChild, Thrown, ToChild } from "./protocol";
import { bwrapArgs, bwrapAvailable } from "./bwrap";
import { withMemoryLimit } from "./limits";

export interface SandboxOptions {
  /** V8 heap cap of the child, in MB. */
  memoryMb: number;
  /** How long loading the student's module may take, in ms. */
  loadTimeoutMs: number;
  /** How much of the student's stdout+stderr to keep, in bytes. */
  outputCap?: number;
  /** Use bubblewrap when it works here (default: yes). */
  bwrap?: boolean;
}

export type CallResult =
  | { kind: "returned"; value: unknown; durationMs: number }
  | { kind: "threw"; error: Thrown; durationMs: number }
  | { kind: "ended"; end: ProcessEnd; durationMs: number; cause?: unknown; whileLoading?: true }
  | { kind: "load-failed"; error: Thrown; durationMs: number };

const CHILD_SOURCE = fileURLToPath(new URL("./child.ts", import.meta.url));
let runnerPromise: Promise<string> | undefined;

/** The child runner, bundled once per grading process into a private temporary folder. */
export function runnerScript(): Promise<string> {
  runnerPromise ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), "backprop-grader-runner-"));
    const outfile = join(dir, "runner.mjs");
    await esbuild.build({
      entryPoints: [CHILD_SOURCE],
      outfile,
      bundle: true,
      format: "esm",
      platform: "node",
      target: "node20",
      logLevel: "silent",
    });
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    return outfile;
  })();
  return runnerPromise;
}

/** The child process: IPC with structured clones, an empty environment, output streamed not buffered. */
function spawnChild(file: string, args: string[], cwd: string) {
  return execa(file, args, {
    ipc: true,
    serialization: "advanced",
    extendEnv: false,
    env: {},
    cwd,
    reject: false,
    buffer: false,
    stdin: "ignore",
    cleanup: true,
  });
}
type Child = ReturnType<typeof spawnChild>;

const OOM = /heap out of memory|Reached heap limit|Allocation failed|ERR_MEMORY_ALLOCATION_FAILED|Array buffer allocation failed/i;

/** One student file, loaded in a child that is restarted whenever it ends. */
export class Sandbox {
  private child: Child | null = null;
  private ready: Promise<FromChild | ProcessEnd> | null = null;
  private loadEnd: ProcessEnd | null = null;
  private output = "";
  private outputDropped = 0;
  private readonly dir: string;
  private readonly bundlePath: string;
  private loadError: Thrown | null = null;
  /** What the child reported it exports (name → typeof), once it has loaded. */
  exports: Record<string, string> | null = null;

  constructor(bundleCode: string, private readonly options: SandboxOptions) {
    this.dir = mkdtempSync(join(tmpdir(), "backprop-grader-sub-"));
    this.bundlePath = join(this.dir, "submission.mjs");
    writeFileSync(this.bundlePath, bundleCode);
  }

  /** What the student's code printed so far (capped). */
  get studentOutput(): string {
    return this.outputDropped > 0 ? `${this.output}\n… (${this.outputDropped} more bytes not kept)` : this.output;
  }

  private keepOutput(chunk: Buffer | string) {
    const cap = this.options.outputCap ?? 16_384;
    const text = chunk.toString();
    const room = Math.max(0, cap - this.output.length);
    this.output += text.slice(0, room);
    this.outputDropped += Math.max(0, text.length - room);
  }

  private async start(): Promise<void> {
    const runner = await runnerScript();
    const nodeArgs = [
      "--experimental-permission",
      `--allow-fs-read=${runner}`,
      `--allow-fs-read=${this.bundlePath}`,
      `--max-old-space-size=${this.options.memoryMb}`,
      "--no-warnings",
      "--enable-source-maps",
      runner,
      this.bundlePath,
    ];
    const work = mkdtempSync(join(this.dir, "cwd-"));
    const useBwrap = this.options.bwrap !== false && (await bwrapAvailable());
    const [file, args] = useBwrap
      ? await withMemoryLimit("bwrap", [...bwrapArgs({ readOnly: [dirname(runner), this.dir], cwd: work }), process.execPath, ...nodeArgs], this.options.memoryMb)
      : await withMemoryLimit(process.execPath, nodeArgs, this.options.memoryMb);
    const child = spawnChild(file, args, work);
    child.stdout?.on("data", (d) => this.keepOutput(d));
    child.stderr?.on("data", (d) => this.keepOutput(d));
    this.child = child;
    this.ready = new Promise<FromChild | ProcessEnd>((resolve) => {
      const onMessage = (m: unknown) => {
        const msg = m as FromChild;
        if (msg && (msg.type === "ready" || msg.type === "load-error")) {
          child.off("message", onMessage);
          clearTimeout(timer);
          resolve(msg);
        }
      };
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        resolve({ timedOut: true, signal: "SIGKILL", outOfMemory: false });
      }, this.options.loadTimeoutMs);
      child.on("message", onMessage);
      void child.then((r) => {
        clearTimeout(timer);
        resolve(this.endOf(r));
      });
    });
    const first = await this.ready;
    if ("timedOut" in first) this.loadEnd = first;
    else if (first.type === "load-error") this.loadError = sanitizeThrown(first.error);
    else if (first.type === "ready") this.exports = sanitizeExports(first.exports);
  }

  private endOf(r: { signal?: string | null; exitCode?: number | null }): ProcessEnd {
    return {
      timedOut: false,
      ...(r.signal ? { signal: r.signal } : {}),
      ...(typeof r.exitCode === "number" ? { exitCode: r.exitCode } : {}),
      outOfMemory: OOM.test(this.output) || r.signal === "SIGABRT",
    };
  }

  /** Start the child and load the student's module, if that has not happened (or failed) yet. */
  async load(): Promise<void> {
    if (!this.child && !this.loadError && !this.loadEnd) await this.start();
  }

  /** Run one case; a dead child is replaced first. */
  async run(c: Case, timeoutMs: number, forwardOnly = false): Promise<CallResult> {
    const t0 = performance.now();
    await this.load();
    if (this.loadError) return { kind: "load-failed", error: this.loadError, durationMs: performance.now() - t0 };
    if (this.loadEnd) return { kind: "ended", end: this.loadEnd, durationMs: performance.now() - t0, whileLoading: true };
    const child = this.child!;
    const id = randomUUID();
    const startedAt = performance.now();
    const settle = new Promise<CallResult>((resolve) => {
      let done = false;
      const finish = (r: CallResult) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        child.off("message", onMessage);
        resolve(r);
      };
      const onMessage = (m: unknown) => {
        const msg = m as { id?: unknown; type?: unknown; value?: unknown; error?: Thrown };
        if (msg?.id !== id) return; // anything else the student sends is ignored
        const durationMs = performance.now() - startedAt;
        if (msg.type === "returned") finish({ kind: "returned", value: msg.value, durationMs });
        else if (msg.type === "threw") finish({ kind: "threw", error: sanitizeThrown(msg.error), durationMs });
      };
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        finish({ kind: "ended", end: { timedOut: true, signal: "SIGKILL", outOfMemory: false }, durationMs: performance.now() - startedAt });
      }, timeoutMs);
      child.on("message", onMessage);
      void child.then((r) => finish({ kind: "ended", end: this.endOf(r), durationMs: performance.now() - startedAt, cause: r }));
      try {
        child.send({ id, op: "run", case: c, forwardOnly } satisfies ToChild);
      } catch (cause) {
        finish({ kind: "ended", end: { timedOut: false, outOfMemory: false }, durationMs: 0, cause });
      }
    });
    const result = await settle;
    if (result.kind === "ended") await this.stopChild();
    return result;
  }

  private async stopChild(): Promise<void> {
    const child = this.child;
    this.child = null;
    this.ready = null;
    if (!child) return;
    child.kill("SIGKILL");
    await child.catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.stopChild();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The export table from the child is data: names and typeof strings only. */
function sanitizeExports(e: unknown): Record<string, string> {
  if (typeof e !== "object" || e === null) return {};
  return Object.fromEntries(Object.entries(e).filter(([, v]) => typeof v === "string").slice(0, 1000)) as Record<string, string>;
}

/** A Thrown from the child is data: keep only strings of bounded size. */
function sanitizeThrown(e: unknown): Thrown {
  const t = (typeof e === "object" && e !== null ? e : {}) as Record<string, unknown>;
  const str = (v: unknown, fallback: string) => (typeof v === "string" ? v.slice(0, 4000) : fallback);
  return { name: str(t.name, "unknown"), message: str(t.message, "<no message>"), stack: typeof t.stack === "string" ? t.stack.slice(0, 4000) : undefined };
}
