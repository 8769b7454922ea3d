/**
 * The sandbox proves itself before anyone is graded: a canary child, started exactly as a
 * student's is (the Sandbox class: bubblewrap or not, the permission flags, the memory limit),
 * must start, load a trivial module, answer a request, and be REFUSED a file read by the
 * permission model. If any of that fails, grading stops (exit 1) before any student is graded,
 * with one line that names this Node (version and executable) and the cause: a sandbox that
 * cannot start would blame every student for the grader's failure ("your code exited with code
 * 9"), and one that lets files be read would grade in a sandbox that is not there.
 *
 * Run once per grading process and memory limit (the promise is cached); it resolves, never
 * rejects, so it can start early and be awaited later.
 */
import { endedHow } from "./process-end";
import { type CallResult, Sandbox } from "./sandbox";

/** What the canary found: nothing wrong, or the one-line problem. */
export type SandboxProof = { ok: true; ms: number } | { ok: false; problem: string; ms: number };

/** Grading cannot go on: the sandbox failed its canary (message: one line, Node and cause). */
export class SandboxUnusable extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SandboxUnusable";
  }
}

export interface CanaryOptions {
  /** The students' memory limit (the manifest's limits.memoryMb): the canary runs under it too. */
  memoryMb: number;
  /** As GradeOptions.bwrap: bubblewrap where it works, unless false. */
  bwrap?: boolean;
  /** Tests only: as SandboxOptions.permissionFlag. */
  permissionFlag?: string;
  /** How long starting and loading may take, and the request (ms). */
  timeoutMs?: number;
}

/**
 * The canary's module, in place of a student's: an AddGate whose forward adds (the request is
 * answered) and tries to open a file the child was not allowed to read. The node binary is that
 * file: it exists wherever the child runs (bubblewrap binds its folder read-only), so only the
 * permission model can refuse it, with ERR_ACCESS_DENIED, not ENOENT.
 */
function canaryModule(forbidden: string): string {
  return `import { closeSync, openSync } from "node:fs";
export class AddGate {
  forward(x, y) {
    let read;
    try {
      closeSync(openSync(${JSON.stringify(forbidden)}, "r"));
      read = "allowed";
    } catch (error) {
      read = String(error && error.code);
    }
    return { sum: x + y, read };
  }
  backward(dz) {
    return [dz, dz];
  }
}
`;
}

/** The cause, in words, of a child that died before it loaded anything, from its stderr. */
function startFailure(r: Extract<CallResult, { kind: "sandbox-failed" }>): string {
  const refused = /bad option: (\S+)/.exec(r.stderr);
  if (refused) return `node refused the flag ${refused[1]}: bad option`;
  const error = /^\w*Error\b.*$/m.exec(r.stderr)?.[0] ?? r.stderr.trim().split("\n").pop();
  return `the sandbox's process ${endedHow(r.end)} before it loaded anything${error ? ` (${error.trim()})` : ""}`;
}

/** What is wrong with the canary's call, or null when it proved the sandbox. */
function problemOf(r: CallResult, forbidden: string): string | null {
  switch (r.kind) {
    case "sandbox-failed":
      return startFailure(r);
    case "load-failed":
      return `the sandbox could not load a trivial module: ${r.error.name}: ${r.error.message}`;
    case "ended":
      return `the sandbox's process ended ${r.whileLoading ? "while loading a trivial module" : "before it answered a request"} (${r.end.timedOut ? "timed out" : (r.end.signal ?? `exit code ${r.end.exitCode}`)})`;
    case "threw":
      return `the sandbox did not answer a request: ${r.error.name}: ${r.error.message}`;
    case "returned": {
      const z = (r.value as { z?: { sum?: unknown; read?: unknown } } | null)?.z;
      if (z?.sum !== 5) return `the sandbox answered a request wrongly (2 + 3 gave ${JSON.stringify(z?.sum)})`;
      if (z.read === "ERR_ACCESS_DENIED") return null;
      if (z.read === "allowed") return `the sandbox could read a file it must not (${forbidden}): the permission model is not in force`;
      return `reading a file the sandbox must not read (${forbidden}) failed with ${String(z.read)}, not ERR_ACCESS_DENIED: the permission model is not in force`;
    }
  }
}

/** Run the canary once (uncached): see the file's comment. */
export async function runCanary(options: CanaryOptions): Promise<SandboxProof> {
  const t0 = performance.now();
  const timeoutMs = options.timeoutMs ?? 10_000;
  const forbidden = process.execPath;
  const sandbox = new Sandbox(canaryModule(forbidden), {
    memoryMb: options.memoryMb,
    loadTimeoutMs: timeoutMs,
    bwrap: options.bwrap,
    permissionFlag: options.permissionFlag,
  });
  let problem: string | null;
  try {
    const r = await sandbox.run({ id: "canary", target: "AddGate", exports: ["AddGate"], seed: "", inputs: { x: [2, 3], dz: 1 }, expected: {} }, timeoutMs);
    problem = problemOf(r, forbidden);
  } catch (error) {
    problem = `the sandbox could not be started: ${(error as Error).message}`;
  } finally {
    await sandbox.close();
  }
  const ms = performance.now() - t0;
  if (problem === null) return { ok: true, ms };
  const oneLine = problem.replace(/\s*\n\s*/g, " "); // Node's and errors' own words may span lines
  return {
    ok: false,
    ms,
    problem: `the sandbox failed its start-up check on node ${process.version} (${process.execPath}): ${oneLine}; no submission was graded.`,
  };
}

const proofs = new Map<string, Promise<SandboxProof>>();

/** The canary's verdict for these options, run once per grading process (cached). */
export function proveSandbox(options: CanaryOptions): Promise<SandboxProof> {
  const key = JSON.stringify([options.memoryMb, options.bwrap, options.permissionFlag, options.timeoutMs]);
  let p = proofs.get(key);
  if (!p) {
    p = runCanary(options);
    proofs.set(key, p);
  }
  return p;
}

/** Wait for the canary's verdict; throw SandboxUnusable (exit 1, one line) if it failed. */
export async function requireSandbox(proof: Promise<SandboxProof>): Promise<void> {
  const p = await proof;
  if (!p.ok) throw new SandboxUnusable(p.problem);
}
