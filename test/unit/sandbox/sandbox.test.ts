/**
 * How a sandboxed child's end is judged (graders/sandbox/process-end.ts, sandbox.ts): from THAT
 * child's own stderr and signal, never from an older child's output or from the capped output
 * kept for the student; and a child that ends before the student's file begins to load is the
 * grader's failure (grader-error), never the student's (could-not-check).
 */
import { afterEach, describe, expect, it } from "@jest/globals";
import { existsSync } from "node:fs";
import type { Case } from "../../../graders/cases/case";
import { advice, outcomeUnlessReturned } from "../../../graders/checks/context";
import { gradeSubmission } from "../../../graders/grade";
import { loadManifest, testSpecs } from "../../../graders/manifest";
import { couldNotCheckReason } from "../../../graders/results/prose";
import { addressSpaceBytes, prlimitAvailable } from "../../../graders/sandbox/limits";
import type { MemoryUse } from "../../../graders/sandbox/memory";
import { withMemoryUse } from "../../../graders/sandbox/process-end";
import { type CallResult, Sandbox } from "../../../graders/sandbox/sandbox";

/** The manifests' heap limit: a smaller one puts the OS address-space limit (limits.ts) so close
 *  that glibc's and V8's own reservations hit it first (std::bad_alloc, measured on Node 24 and 26). */
const MEMORY_MB = 512;
const CALL_MS = 20_000;

/** A student module of gates: AddGate fills the heap (after printing `printKiB` KiB), MultiplyGate exits with 3. */
const studentModule = (printKiB: number) => `
export class AddGate {
  forward(x, y) {
    const line = "x".repeat(1023);
    for (let i = 0; i < ${printKiB}; i++) console.log(line);
    const hoard = [];
    for (;;) hoard.push(new Array(1e5).fill(Math.random()));
  }
  backward(dz) { return [dz, dz]; }
}
export class MultiplyGate {
  forward(x, y) { console.error("FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory"); process.exit(3); }
  backward(dz) { return [dz, dz]; }
}
`;
const gateCase = (target: "AddGate" | "MultiplyGate" | "MaxGate"): Case => ({
  id: target,
  target,
  exports: [target],
  seed: "",
  inputs: { x: [2, 3], dz: 1 },
  expected: {},
});
const ended = (r: CallResult) => {
  if (r.kind !== "ended") throw new Error(`expected the child to end, got ${JSON.stringify(r)}`);
  return r.end;
};

const sandboxes: Sandbox[] = [];
const sandbox = (code: string, options: Partial<ConstructorParameters<typeof Sandbox>[1]> = {}) => {
  const s = new Sandbox(code, { memoryMb: MEMORY_MB, loadTimeoutMs: 10_000, ...options });
  sandboxes.push(s);
  return s;
};
afterEach(async () => {
  await Promise.all(sandboxes.splice(0).map((s) => s.close()));
});

// Both ways a child runs: under bubblewrap (where it works here) and without it.
describe.each([
  ["bubblewrap where it works", undefined],
  ["without bubblewrap", false],
])("out of memory is judged from the child that ended, by itself (%s)", (_how, bwrap) => {
  it("one child runs out of memory, the restarted one calls process.exit(3): OOM, then exit code 3", async () => {
    const s = sandbox(studentModule(0), { bwrap });
    const first = ended(await s.run(gateCase("AddGate"), CALL_MS));
    expect(first).toMatchObject({ timedOut: false, outOfMemory: true });
    expect(couldNotCheckReason(first)).toBe("ran out of memory");
    expect(advice(first, CALL_MS, MEMORY_MB)).toBe(
      `Your code ran out of memory (the limits: ${MEMORY_MB} MB for JavaScript objects): look for a matrix far larger than the inputs, such as an N×D×D or D×D intermediate.`,
    );
    expect(advice(first, CALL_MS, MEMORY_MB, false, 2048 * 2 ** 20)).toMatch(
      /^Your code ran out of memory \(the limits: 512 MB for JavaScript objects, 2048 MB of address space in all\)/,
    );

    // the same Sandbox starts a new child; the first child's report is still in studentOutput
    const second = ended(await s.run(gateCase("MultiplyGate"), CALL_MS));
    expect(s.studentOutput).toMatch(/(heap out of memory|std::bad_alloc)[\s\S]*FATAL ERROR: Reached heap limit/);
    expect(second).toEqual({ timedOut: false, exitCode: 3, outOfMemory: false });
    expect(couldNotCheckReason(second)).toBe("exited with code 3");
    expect(advice(second, CALL_MS, MEMORY_MB)).toBe("Your code ended its process with exit code 3: do not call process.exit; return your result instead.");
  }, 60_000);

  it("20 KiB of printing before a real out-of-memory: still out of memory, and the student's output stays capped", async () => {
    const s = sandbox(studentModule(20), { outputCap: 16_384, bwrap });
    const end = ended(await s.run(gateCase("AddGate"), CALL_MS));
    expect(end).toMatchObject({ timedOut: false, outOfMemory: true });
    expect(["SIGABRT", "SIGTRAP"]).toContain(end.signal); // V8 aborts (bubblewrap reports 128 + n: named, not an exit code)
    expect(s.studentOutput).toMatch(/^x{1023}\n/);
    expect(s.studentOutput).toMatch(/… \(\d+ more characters not kept\)$/);
    expect(s.studentOutput).not.toMatch(/heap out of memory/);
  }, 60_000);

  // where there is no /proc (macOS, Windows) there is no figure to read
  (process.platform === "linux" ? it : it.skip)(
    "what a call allocated is read by the grader from /proc: an 8192×8192 Float64Array grows it by 512 MB, under the address-space limit",
    async () => {
      const s = sandbox(
        `export class AddGate { forward(x, y) { globalThis.kept = new Float64Array(8192 * 8192); return x + y; } backward(dz) { return [dz, dz]; } }`,
        { bwrap },
      );
      const r = await s.run(gateCase("AddGate"), CALL_MS);
      expect(r.kind).toBe("returned");
      const memory = (r as { memory?: MemoryUse }).memory;
      // 512 MB allocated; the child may free a little else meanwhile (Node 24 gave back 0.5 MB in CI)
      expect(memory!.grownBytes).toBeGreaterThanOrEqual(496 * 2 ** 20);
      expect(memory!.grownBytes).toBeLessThan(640 * 2 ** 20);
      expect(memory!.limitBytes).toBe((await prlimitAvailable()) ? addressSpaceBytes(MEMORY_MB) : null);
      const small = await s.run(gateCase("AddGate"), CALL_MS); // the same again: the first array is still held, the new one replaces it
      expect((small as { memory?: MemoryUse }).memory!.grownBytes).toBeLessThan(640 * 2 ** 20);
    },
    60_000,
  );

  it("execa's result is kept as the end's cause, in memory only: JSON and spreads leave it out", async () => {
    const s = sandbox(studentModule(0), { bwrap });
    const end = ended(await s.run(gateCase("MultiplyGate"), CALL_MS));
    expect(end.cause).toMatchObject({ exitCode: 3, failed: true });
    expect(JSON.parse(JSON.stringify(end))).toEqual({ timedOut: false, exitCode: 3, outOfMemory: false });
    expect(Object.keys({ ...end })).not.toContain("cause");
  }, 60_000);
});

describe("a child that ends before the student's file begins to load is the grader's failure", () => {
  it("a flag Node refuses: sandbox-failed with Node's own words, which the checks report as a grader error", async () => {
    const s = sandbox(studentModule(0), { permissionFlag: "--no-such-flag" });
    const r = await s.run(gateCase("AddGate"), CALL_MS);
    if (r.kind !== "sandbox-failed") throw new Error(`expected sandbox-failed, got ${JSON.stringify(r)}`);
    expect(r.end).toMatchObject({ exitCode: 9, outOfMemory: false });
    expect(r.stderr).toMatch(/bad option: --no-such-flag/);
    const manifest = loadManifest("gates");
    const outcome = outcomeUnlessReturned(r, { file: "gates.ts", spec: testSpecs(manifest)[0], manifest, limitMs: CALL_MS });
    expect(outcome).toEqual({ status: "grader-error", message: "the grader's sandbox exited with code 9 before your file was loaded", cause: r.stderr });
  }, 30_000);

  describe("through the whole grader", () => {
    const saved = process.env.BACKPROP_GRADER_TEST_PERMISSION_FLAG;
    afterEach(() => {
      if (saved === undefined) delete process.env.BACKPROP_GRADER_TEST_PERMISSION_FLAG;
      else process.env.BACKPROP_GRADER_TEST_PERMISSION_FLAG = saved;
    });

    // What Node 24 did to every student before the flags followed the running Node: the child
    // exited with 9 before loading anything, and every test said "your code exited with code 9".
    it("every test of a correct submission is a grader error naming the cause, none blames the student", async () => {
      process.env.BACKPROP_GRADER_TEST_PERMISSION_FLAG = "--no-such-flag";
      const r = await gradeSubmission("classifiers", "fixtures/submissions/classifiers/ada-loops-js", { secret: "sandbox-test", kinds: ["golden"] });
      expect(r.tests.length).toBeGreaterThan(0);
      for (const t of r.tests) {
        expect(t.outcome).toMatchObject({ status: "grader-error", message: "the grader's sandbox exited with code 9 before your file was loaded" });
        expect(t.outcome.status === "grader-error" && t.outcome.cause).toMatch(/bad option: --no-such-flag/);
      }
    }, 60_000);
  });
});

/** Gates whose AddGate leaves work behind after it returns; MultiplyGate is correct, or loops forever. */
const leftovers = (leftover: string, multiplyLoops = false) => `
export class AddGate {
  forward(x, y) { ${leftover}; return x + y; }
  backward(dz) { return [dz, dz]; }
}
export class MultiplyGate {
  forward(x, y) { ${multiplyLoops ? "for (;;);" : ""} return x * y; }
  backward(dz) { return [dz, dz]; }
}
`;

// Measured before the child acknowledged requests: under load the next request was often written
// before the grader saw the exit, and a correct export was charged "exited with code 0".
describe.each([
  ["bubblewrap where it works", undefined],
  ["without bubblewrap", false],
])("an earlier call's leftovers are not charged to the next call (%s)", (_how, bwrap) => {
  it.each([
    ["process.exit(0) on a 0 ms timer", "setTimeout(() => process.exit(0), 0)"],
    ["an unhandled rejection", "Promise.reject(new Error('late'))"],
    ["a loop on a 0 ms timer", "setTimeout(() => { for (;;); }, 0)"],
  ])(
    "%s: the next call, sent at once, runs in a fresh child and returns",
    async (_what, leftover) => {
      const s = sandbox(leftovers(leftover), { bwrap });
      for (let round = 0; round < 5; round++) {
        expect(await s.run(gateCase("AddGate"), 2_000)).toMatchObject({ kind: "returned" });
        const next = await s.run(gateCase("MultiplyGate"), 2_000);
        expect(next).toMatchObject({ kind: "returned", value: { z: 6 } });
      }
    },
    60_000,
  );

  it("a call that began and never answered is that call's: one timeout, not sent again", async () => {
    const s = sandbox(`console.log("loaded");\n${leftovers("", true)}`, { bwrap });
    const r = await s.run(gateCase("MultiplyGate"), 1_000);
    expect(ended(r)).toMatchObject({ timedOut: true });
    expect(s.studentOutput.match(/loaded/g)).toEqual(["loaded"]); // one child: the call was not sent again
  }, 30_000);
});

// The per-call limit is on the student's CPU time where the kernel counts it (Linux /proc).
// Skipped without /proc: there is no CPU count, the limit is wall time, and a stopped call does time out.
// (Their time limit is jest.config.js's testTimeout, 30 s.)
const withCpuCount = existsSync("/proc/self/task") ? it : it.skip;

describe("a call starved of CPU by a busy machine is not timed out", () => {
  const gates = `
export class AddGate { forward(x, y) { return process.pid; } backward(dz) { return [dz, dz]; } }
export class MultiplyGate {
  forward(x, y) { const t = Date.now(); while (Date.now() - t < 100); return x * y; }
  backward(dz) { return [dz, dz]; }
}
export class MaxGate { forward(x, y) { for (;;); } backward(dz) { return [dz, dz]; } }
`;
  const pidOf = async (s: Sandbox) => {
    const r = await s.run(gateCase("AddGate"), 5_000);
    if (r.kind !== "returned") throw new Error(JSON.stringify(r));
    return (r.value as { z: number }).z;
  };

  withCpuCount("stopped for 0.8 s (SIGSTOP) during a call with a 0.4 s limit that needs 0.1 s of CPU: it returns", async () => {
    const s = sandbox(gates, { bwrap: false });
    const pid = await pidOf(s);
    process.kill(pid, "SIGSTOP"); // before the request: it waits in the pipe, no CPU used
    setTimeout(() => process.kill(pid, "SIGCONT"), 800);
    const r = await s.run(gateCase("MultiplyGate"), 400);
    expect(r).toMatchObject({ kind: "returned", value: { z: 6 } });
    expect(r.durationMs).toBeGreaterThan(700);
  });

  withCpuCount("stopped for good, it is given up at 4 times its limit in wall time, and the call, never begun, runs in a fresh child", async () => {
    const s = sandbox(gates, { bwrap: false });
    const pid = await pidOf(s);
    process.kill(pid, "SIGSTOP");
    const t0 = performance.now();
    const r = await s.run(gateCase("MultiplyGate"), 300);
    expect(r).toMatchObject({ kind: "returned", value: { z: 6 } });
    expect(performance.now() - t0).toBeGreaterThan(1_150);
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(await pidOf(s)).not.toBe(pid);
  });

  it("a loop uses its CPU budget and ends about on time", async () => {
    const s = sandbox(gates, { bwrap: false });
    const r = await s.run(gateCase("MaxGate"), 300);
    expect(ended(r)).toMatchObject({ timedOut: true });
    expect(r.durationMs).toBeGreaterThan(280);
  }, 30_000);
});

describe("a death by signal at the address-space limit is out of memory (process-end.ts withMemoryUse)", () => {
  const MB = 2 ** 20;
  const use = (peakMb: number, grownMb: number, limitMb: number | null = 2048): MemoryUse => ({
    peakBytes: peakMb * MB,
    grownBytes: grownMb * MB,
    limitBytes: limitMb === null ? null : limitMb * MB,
  });
  const end = (signal?: string) => ({ timedOut: false, outOfMemory: false, ...(signal ? { signal } : {}) });

  it.each(["SIGSEGV", "SIGBUS", "SIGABRT", "SIGTRAP"])("%s within a quarter of the limit, after growing an eighth of it: out of memory", (signal) => {
    expect(withMemoryUse(end(signal), use(1940, 900))).toEqual({ timedOut: false, signal, outOfMemory: true });
  });

  it("not: far from the limit, grown little during the call, no limit, no reading, another signal, an exit, a timeout", () => {
    expect(withMemoryUse(end("SIGSEGV"), use(1200, 900)).outOfMemory).toBe(false);
    expect(withMemoryUse(end("SIGSEGV"), use(1940, 100)).outOfMemory).toBe(false); // it was that big before the call
    expect(withMemoryUse(end("SIGSEGV"), use(1940, 900, null)).outOfMemory).toBe(false);
    expect(withMemoryUse(end("SIGSEGV"), undefined).outOfMemory).toBe(false);
    expect(withMemoryUse(end("SIGKILL"), use(1940, 900)).outOfMemory).toBe(false);
    expect(withMemoryUse({ timedOut: false, exitCode: 3, outOfMemory: false }, use(1940, 900)).outOfMemory).toBe(false);
    expect(withMemoryUse({ timedOut: true, signal: "SIGKILL", outOfMemory: false }, use(1940, 900)).outOfMemory).toBe(false);
  });
});
