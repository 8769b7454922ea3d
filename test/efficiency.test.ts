/**
 * The efficiency check (graders/checks/efficiency.ts) and what it stands on: the case at the
 * lecture's scale built from a seed (cases/scale.ts), the summaries that come back instead of a
 * million numbers (judge/summary.ts), the verdict from measured times, the check against a
 * stand-in sandbox, and whole gradings through the engine (efficiency tests only): the reference
 * and a loop-based student pass; a reluBackward that multiplies by each row's Jacobian, one that
 * lies about its time, and a stub fail, each on its own export only.
 */
import { describe, expect, it } from "@jest/globals";
import * as esbuild from "esbuild";
import { execa } from "execa";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Mat } from "../graders/cases/case";
import { kinkArguments } from "../graders/cases/kinks";
import { runCase } from "../graders/cases/run";
import { efficiencyCase, efficiencyInputs } from "../graders/cases/scale";
import type { CheckContext } from "../graders/checks/context";
import { efficiency, WARMUP, efficiencySeed, forgetReferenceRuns, readTimed, timing, verdict } from "../graders/checks/efficiency";
import { gradeSubmission } from "../graders/grade";
import { summarize, summaryMismatch } from "../graders/judge/summary";
import { loadManifest, testSpecs } from "../graders/manifest";
import { REFERENCE } from "../graders/reference";
import type { Outcome } from "../graders/results/result";
import type { Timed } from "../graders/sandbox/protocol";
import { treeCpuMs } from "../graders/sandbox/cpu-time";
import type { CallResult } from "../graders/sandbox/sandbox";
import { checkContext } from "./check-context";

describe("the verdict", () => {
  it("too slow: how slow, the reference, the limit and what to do", () => {
    // the reference: a 1.05 s round trip of which 0.05 s computing; the student's round trip 5.2 s
    const t = timing({ ms: [50], trips: [1050] }, [5200]);
    expect(t).toMatchObject({ overheadMs: 1000, studentMs: 4200, limitMs: 1000 });
    const o = verdict("affineBackward", t, { student: [5200], reference: [1050] }, "wall");
    expect(o).toMatchObject({
      status: "failed",
      message: "affineBackward: took 4.2 s at 100×4096, the reference 0.05 s (limit 1.0 s = 20× the reference): build no Jacobian and no loop over single entries; use matrix products and elementwise operations",
    });
    if (o.status !== "failed") return;
    expect(o.details).toMatch(/round trips to the sandbox, by the grader's clock \(best of 1\): yours 5\.2 s, the reference's 1\.1 s/);
    expect(o.extra).toEqual({ efficiency: expect.objectContaining({ scale: "100×4096", clock: "wall", studentMs: 4200, referenceMs: 50, limitMs: 1000, overheadMs: 1000 }) });
  });

  it("a very fast reference: the limit is the reference + 200 ms", () => {
    const o = verdict("reluForward", timing({ ms: [5], trips: [905] }, [1300]), { student: [1300], reference: [905] }, "cpu");
    expect(o.message).toBe("reluForward: took 0.40 s at 100×4096, the reference 0.01 s (limit 0.20 s = the reference + 0.20 s): use matrix products and elementwise operations, once per call, not work repeated per entry");
  });

  it("the best round of each side counts, and the overhead is the smallest seen", () => {
    const t = timing({ ms: [120, 100], trips: [3000, 2600] }, [3400, 2900]);
    expect(t).toMatchObject({ referenceMs: 100, overheadMs: 2500, studentMs: 400, limitMs: 2000 });
    expect(verdict("sigmoidBackward", t, { student: [3400, 2900], reference: [3000, 2600] }, "cpu")).toMatchObject({ status: "passed", message: "sigmoidBackward: 0.40 s at 100×4096, the reference 0.10 s (limit 2.0 s = 20× the reference)" });
  });

  it("a call stopped well past the limit: failed, saying when it was stopped", () => {
    const t = { ...timing({ ms: [30], trips: [80] }, [Infinity]), studentMs: Infinity, studentRoundTripMs: 10_050 };
    const o = verdict("reluBackward", t, { student: [10_050], reference: [80] }, "cpu", 10_050);
    expect(o).toMatchObject({ status: "failed", message: "reluBackward: had not finished after 10.1 s at 100×4096, the reference 0.03 s (limit 0.60 s = 20× the reference): build no Jacobian and no loop over single entries; use matrix products and elementwise operations" });
    expect(o.status === "failed" && o.extra).toMatchObject({ efficiency: { studentMs: null, stoppedAfterMs: 10_050 } });
  });
});

describe("the case at 100×4096, built from a seed", () => {
  const isInteger = (m: unknown, scale: number, offset = 0) => (m as number[][]).every((row) => row.every((v) => Number.isInteger((v - offset) * scale)));
  const isOddEighth = (m: unknown) => (m as number[][]).every((row) => row.every((v) => Math.abs((v * 8) % 2) === 1));

  it("is a pure function of the seed, and a forward alone runs without dout", () => {
    const a = efficiencyCase("reluBackward", "seed-a").case;
    expect(efficiencyCase("reluBackward", "seed-a").case.inputs).toEqual(a.inputs);
    expect(efficiencyCase("reluBackward", "seed-b").case.inputs).not.toEqual(a.inputs);
    expect((a.inputs.x as Mat).length).toBe(100);
    expect((a.inputs.x as Mat)[0].length).toBe(4096);
    const forward = efficiencyCase("reluForward", "seed-a");
    expect(forward.forwardOnly).toBe(true);
    expect(forward.case.inputs).not.toHaveProperty("dout");
  });

  it("keeps every kink argument off its kink by construction (no redraws)", () => {
    expect(isOddEighth(efficiencyCase("reluBackward", "s").case.inputs.x)).toBe(true);
    // maxout: x·w is a multiple of 1/32 and b1 − b2 one of 1/4 plus 1/64, so z1 − z2 is never 0
    const m = efficiencyCase("maxoutBackward", "s").case.inputs;
    expect(isOddEighth(m.x) && isInteger(m.w1, 4) && isInteger(m.w2, 4) && isInteger(m.b2, 4) && isInteger(m.b1, 4, 1 / 64)).toBe(true);
    // the net: X·W1 is a multiple of 1/2048 and b1 one of 1/16 plus 1/4096, so X·W1 + b1 is never 0
    const n = efficiencyCase("twoLayerNetLoss", "s").case.inputs;
    expect(isOddEighth(n.X) && isInteger(n.W1, 256) && isInteger(n.b1, 16, 1 / 4096)).toBe(true);
    for (const target of ["relu", "maxout", "twoLayerNetLoss"] as const) {
      const inputs = efficiencyInputs(target, "s", { N: 20, D: 256, M: 16, H: 20, C: 4 });
      expect(kinkArguments(target, inputs).reduce((lo, v) => Math.min(lo, Math.abs(v)), Infinity)).toBeGreaterThan(0);
    }
  });

  it("the seed sent to the sandbox is a one-way hash of the test's, so a hidden test's secret never reaches it", () => {
    const seed = efficiencySeed("hidden:s3cret-value:reluBackward: is fast");
    expect(seed).toMatch(/^[0-9a-f]{24}$/);
    expect(seed).not.toContain("s3cret");
    expect(efficiencySeed("hidden:other:reluBackward: is fast")).not.toBe(seed);
  });

  it("the runner that builds it carries no reference code", async () => {
    const built = await esbuild.build({ entryPoints: ["graders/sandbox/runner.ts"], bundle: true, write: false, metafile: true, format: "esm", platform: "node", logLevel: "silent" });
    const inputs = Object.keys(built.metafile.inputs);
    expect(inputs).toContain("graders/cases/scale.ts");
    expect(inputs.filter((f) => f.startsWith("reference/"))).toEqual([]);
  });
});

describe("CPU time from /proc", () => {
  const linux = existsSync("/proc/self/stat");
  it(`counts a busy child and its children, not a sleeping one (${linux ? "Linux" : "no /proc here: null, wall time is used"})`, async () => {
    // spins until it has used 300 ms of user CPU (however busy the machine), says so, then sleeps
    const spin = "const s = process.cpuUsage(); while (process.cpuUsage(s).user < 300e3); console.log('spun'); setTimeout(() => {}, 60e3)";
    const spun = (p: ReturnType<typeof execa>) => new Promise<void>((resolve) => p.stdout!.on("data", () => resolve()));
    const busy = execa(process.execPath, ["-e", spin]);
    const viaShell = execa("sh", ["-c", `"${process.execPath}" -e "${spin}"`], { detached: true }); // its own process group
    const idle = execa(process.execPath, ["-e", "console.log('up'); setTimeout(() => {}, 60e3)"]);
    await Promise.all([spun(busy), spun(viaShell), spun(idle)]);
    const [b, i, v] = [treeCpuMs(busy.pid), treeCpuMs(idle.pid), treeCpuMs(viaShell.pid)];
    for (const p of [busy, idle]) p.kill("SIGKILL");
    process.kill(-viaShell.pid!, "SIGKILL"); // sh and the node below it
    await Promise.allSettled([busy, idle, viaShell]);
    if (!linux) {
      expect([b, i, v]).toEqual([null, null, null]);
      return;
    }
    expect(b).toBeGreaterThanOrEqual(300);
    expect(i).toBeLessThan(300); // node's start-up only
    expect(v).toBeGreaterThanOrEqual(300); // sh's own time is nothing: the node below it is counted
    expect(treeCpuMs(busy.pid)).toBeNull(); // it has ended (and been reaped)
  }, 60_000);
});

describe("summaries", () => {
  const x = [
    [1, -2, 3],
    [4, 5, -6],
  ];

  it("a matrix: shape, every row and column sum, and every entry at a small size", () => {
    expect(summarize("dx", x)).toEqual({ kind: "matrix", rows: 2, cols: 3, scale: 6, samples: [1, -2, 3, 4, 5, -6], rowSums: [2, 3], rowAbs: [6, 15], colSums: [5, 3, -3], colAbs: [5, 7, 9] });
    expect(summarize("loss", 2.5)).toEqual({ kind: "number", value: 2.5 });
  });

  it("what is not an answer says why, naming the output and the entry", () => {
    expect(summarize("dx", [[1, Number.NaN]])).toEqual({ kind: "invalid", why: "dx[0][1] is NaN: every entry must be a finite number" });
    expect(summarize("dx", [[1, 2], [3]])).toMatchObject({ kind: "invalid", why: "dx is not rectangular (row 1 has 1 entries, row 0 has 2)" });
    expect(summarize("dx", undefined)).toMatchObject({ kind: "invalid", why: "dx is missing, not a matrix" });
    expect(summarize("loss", Number.POSITIVE_INFINITY)).toMatchObject({ kind: "invalid", why: "loss is Infinity" });
  });

  it("compares loosely, and names the first entry, row or column that differs", () => {
    const e = summarize("dx", x);
    expect(summaryMismatch("dx", e, summarize("dx", x.map((r) => r.map((v) => v * (1 + 1e-9)))))).toBeNull();
    expect(summaryMismatch("dx", e, summarize("dx", [[1, -2, 3], [4, 5, -7]]))).toBe("dx[1][2] = -7, the reference -6");
    expect(summaryMismatch("dx", e, summarize("dx", [[1, -2], [4, 5]]))).toBe("dx has shape 2×2, expected 2×3");
    expect(summaryMismatch("dx", e, summarize("dx", x.map((r) => [...r].reverse())))).toMatch(/^dx\[0\]\[0\] = 3, the reference 1$/);
  });

  it("a large matrix: sampled entries miss some, but every row and column sum does not", () => {
    const big = Array.from({ length: 100 }, (_, i) => Array.from({ length: 4096 }, (_, j) => Math.sin(i * 4096 + j)));
    const e = summarize("dx", big);
    expect(e.kind === "matrix" && e.samples.length).toBe(4096);
    const sampled = new Set(Array.from({ length: 4096 }, (_, k) => (k * 2654435761) % (100 * 4096)));
    const at = Array.from({ length: 100 * 4096 }, (_, k) => k).find((k) => !sampled.has(k))!;
    const off = big.map((r) => [...r]);
    off[Math.floor(at / 4096)][at % 4096] += 1;
    expect(summaryMismatch("dx", e, summarize("dx", off))).toMatch(new RegExp(`^row ${Math.floor(at / 4096)} of dx sums to`));
  });

  it("a forged or malformed summary from the student's process is refused, not believed", () => {
    const e = summarize("dx", x);
    expect(summaryMismatch("dx", e, { kind: "matrix", rows: 2, cols: 3 })).toBe("dx could not be read back (a malformed summary from your process)");
    expect(summaryMismatch("dx", e, { ...e, samples: e.kind === "matrix" ? e.samples.map(() => Number.NaN) : [] })).toBe("dx could not be read back (a malformed summary from your process)");
    expect(summaryMismatch("dx", e, "passed")).toBe("dx is not a matrix, expected a 2×3 matrix");
    expect(readTimed({ ms: -1, cpuMs: 1, summaries: {} })).toBeNull();
    expect(readTimed({ ms: 3, summaries: {} })).toBeNull();
    expect(readTimed({ ms: 3, cpuMs: 2, summaries: [] })).toBeNull();
    expect(readTimed({ ms: 3, cpuMs: 2, summaries: {} })).toEqual({ ms: 3, cpuMs: 2, summaries: {} });
  });
});

describe("the check, against a stand-in sandbox", () => {
  const manifest = loadManifest("layers");
  const spec = testSpecs(manifest).find((t) => t.export === "reluBackward" && t.kind === "efficiency")!;
  /** What a child answers to a time request, computed here with `impl` (the reference unless given). */
  const timedBy = (impl: Record<string, unknown>, seed: string, sizes: typeof WARMUP, ms: number): Timed => {
    const { case: c, forwardOnly } = efficiencyCase(spec.export, seed, sizes);
    const result = runCase(impl, c, { forwardOnly });
    return { ms, cpuMs: ms, summaries: Object.fromEntries(Object.entries(result).map(([k, v]) => [k, summarize(k, v)])) };
  };
  const big = (sizes: typeof WARMUP) => sizes.D === 4096;
  const context = (student: (seed: string, sizes: typeof WARMUP, timeoutMs: number) => CallResult, reference: CallResult | null = null): CheckContext =>
    checkContext(
      { assignment: "layers", spec, manifest, run: () => Promise.reject(new Error("the efficiency check only times")) },
      {
        time: async (seed, sizes, timeoutMs) => student(seed, sizes, timeoutMs),
        timeReference: async (seed, sizes) => reference ?? { kind: "returned", value: timedBy(REFERENCE.layers, seed, sizes, big(sizes) ? 30 : 0.1), durationMs: big(sizes) ? 80 : 1 },
        limitMs: 10_000,
      },
    );
  const asFastAsTheReference = (seed: string, sizes: typeof WARMUP): CallResult => ({ kind: "returned", value: timedBy(REFERENCE.layers, seed, sizes, 0), durationMs: big(sizes) ? 85 : 1 });

  it("the reference's answer in the reference's time: passed", async () => {
    const o = await efficiency(context(asFastAsTheReference));
    expect(o).toMatchObject({ status: "passed", message: "reluBackward: 0.04 s at 100×4096, the reference 0.03 s (limit 0.60 s = 20× the reference)" });
  });

  it("the right answer 30 s late: failed after one round; the child's own clock is not believed", async () => {
    let calls = 0;
    const o: Outcome = await efficiency(context((seed, sizes) => (calls++, { kind: "returned", value: timedBy(REFERENCE.layers, seed, sizes, 0), durationMs: big(sizes) ? 30_050 : 1 })));
    expect(o).toMatchObject({ status: "failed", message: expect.stringMatching(/^reluBackward: took 30\.0 s at 100×4096, the reference 0\.03 s .*: build no Jacobian/) });
    expect(calls).toBe(2); // the warm-up and one timed call
  });

  it("a call still running past the time limit is stopped, and that is a failure (too slow), not a could-not-check", async () => {
    let timeout = 0;
    const o = await efficiency(
      context((seed, sizes, timeoutMs) => {
        if (!big(sizes)) return asFastAsTheReference(seed, sizes);
        timeout = timeoutMs;
        return { kind: "ended", end: { timedOut: true, signal: "SIGKILL", outOfMemory: false }, durationMs: timeoutMs };
      }),
    );
    expect(timeout).toBe(10_050); // the test's 10 s plus the overhead (80 − 30 ms)
    expect(o).toMatchObject({ status: "failed", message: expect.stringMatching(/^reluBackward: had not finished after 10\.1 s at 100×4096/) });
  });

  it("a fast wrong answer earns nothing, found on the small warm-up case already", async () => {
    const zeros = { ms: 0, cpuMs: 0, summaries: { out: summarize("out", [[0]]), dx: summarize("dx", Array.from({ length: 4 }, () => new Array(8).fill(0))) } };
    const o = await efficiency(context(() => ({ kind: "returned", value: zeros, durationMs: 1 })));
    expect(o).toMatchObject({ status: "failed", message: expect.stringMatching(/^reluBackward: at 4×8, dx\[\d\]\[\d\] = 0, the reference -?[\d.]+: speed is graded only for a correct result$/) });
  });

  it("a later submission in the same process reuses the reference's CPU-timed runs; wall-timed runs are never reused", async () => {
    forgetReferenceRuns();
    const calls: string[] = [];
    const cpuReference = (wall: boolean): CheckContext => ({
      ...context(asFastAsTheReference),
      timeReference: async (seed, sizes) => {
        calls.push(big(sizes) ? "big" : "warm");
        const r: CallResult = { kind: "returned", value: timedBy(REFERENCE.layers, seed, sizes, big(sizes) ? 30 : 0.1), durationMs: big(sizes) ? 80 : 1 };
        return wall ? r : { ...r, cpuMs: big(sizes) ? 75 : 1 };
      },
    });
    expect(await efficiency(cpuReference(false))).toMatchObject({ status: "passed", extra: { efficiency: { clock: "cpu" } } });
    expect(calls).toEqual(["warm", "big"]);
    expect(await efficiency(cpuReference(false))).toMatchObject({ status: "passed", extra: { efficiency: { clock: "cpu" } } });
    expect(calls).toEqual(["warm", "big"]); // nothing new: both reused
    forgetReferenceRuns();
    await efficiency(cpuReference(true));
    await efficiency(cpuReference(true));
    expect(calls).toEqual(["warm", "big", "warm", "big", "warm", "big"]);
  });

  it("a crash is could-not-check, a reply that is not a timing summary is failed, a broken reference is a grader error", async () => {
    const crash = await efficiency(context((s, z) => (big(z) ? { kind: "ended", end: { timedOut: false, signal: "SIGSEGV", outOfMemory: false }, durationMs: 5 } : asFastAsTheReference(s, z))));
    expect(crash).toMatchObject({ status: "could-not-check", end: { signal: "SIGSEGV" } });
    const lie = await efficiency(context(() => ({ kind: "returned", value: { ms: 0, verdict: "passed" }, durationMs: 1 })));
    expect(lie).toMatchObject({ status: "failed", message: expect.stringContaining("not the grader's timing summary") });
    const broken = await efficiency(context(asFastAsTheReference, { kind: "threw", error: { name: "TypeError", message: "oops" }, durationMs: 1 }));
    expect(broken).toMatchObject({ status: "grader-error", message: "the reference's reluBackward threw TypeError: oops on a tiny case in its sandbox, so there is no time to compare with" });
  });
});

describe("through the engine (efficiency tests only)", () => {
  /** ada-loops-js with `exportName` replaced by `code`. */
  const adaWith = (exportName: string, code: string) => {
    const ada = readFileSync("fixtures/submissions/layers/ada-loops-js/layers.js", "utf8");
    const start = ada.indexOf(`export function ${exportName}`);
    const end = ada.indexOf("\n}\n", start) + 3;
    expect(start).toBeGreaterThan(0);
    const dir = mkdtempSync(join(tmpdir(), "efficiency-"));
    writeFileSync(join(dir, "layers.js"), ada.slice(0, start) + code + ada.slice(end));
    return dir;
  };
  /** dx_i = dout_i · J_i with J_i = ∂out_i/∂x_i, the D×D diagonal of ReLU slopes, never built: O(N·D²). */
  const perEntryJacobian = `export function reluBackward(dout, cache) {
  const N = dout.rows, D = dout.columns;
  const dx = [];
  for (let i = 0; i < N; i++) {
    const row = new Array(D).fill(0);
    for (let k = 0; k < D; k++) {
      let s = 0;
      for (let j = 0; j < D; j++) s += dout.get(i, j) * (j === k && cache.x.get(i, k) > 0 ? 1 : 0);
      row[k] = s;
    }
    dx.push(row);
  }
  return { dx };
}
`;
  const notPassed = (r: Awaited<ReturnType<typeof gradeSubmission>>) => r.tests.filter((t) => t.outcome.status !== "passed");

  // Every correct sample student is graded in full (efficiency included) by test/sample-class/.
  it("the reference and a loop-based correct student pass every efficiency test", async () => {
    for (const [assignment, dir] of [
      ["layers", "reference/layers"],
      ["two-layer-net", "fixtures/submissions/two-layer-net/ada-loops-js"],
    ] as const) {
      const r = await gradeSubmission(assignment, dir, { secret: "efficiency-test", kinds: ["efficiency"] });
      expect({ dir, notPassed: notPassed(r).map((t) => `${t.test.name}: ${t.outcome.message}`) }).toEqual({ dir, notPassed: [] });
      expect(r.tests.length).toBe(assignment === "layers" ? 14 : 2);
      console.log(`${dir}\n${r.tests.map((t) => `  ${t.outcome.message}`).join("\n")}`);
    }
  }, 120_000);

  it("a reluBackward that multiplies by each row's Jacobian fails its efficiency test and no other", async () => {
    const r = await gradeSubmission("layers", adaWith("reluBackward", perEntryJacobian), { secret: "efficiency-test", kinds: ["efficiency"] });
    expect(notPassed(r).map((t) => t.test.name)).toEqual(["reluBackward: is fast at the lecture's scale of 100x4096"]);
    expect(notPassed(r)[0].outcome).toMatchObject({ status: "failed", message: expect.stringMatching(/^reluBackward: (took [\d.]+ s|had not finished after [\d.]+ s) at 100×4096, the reference [\d.<]+ s \(limit [\d.]+ s = .*\): build no Jacobian/) });
    console.log(notPassed(r)[0].outcome.message);
  }, 60_000);

  it("slow code that stops the clocks it can reach (performance.now, Date.now, process.hrtime) still fails", async () => {
    const frozen = `${perEntryJacobian.replace("export function reluBackward(dout, cache) {", `export function reluBackward(dout, cache) {
  performance.now = () => 0; Date.now = () => 0; process.hrtime.bigint = () => 0n;`)}`;
    const r = await gradeSubmission("layers", adaWith("reluBackward", frozen), { secret: "efficiency-test", kinds: ["efficiency"] });
    expect(notPassed(r).map((t) => t.test.name)).toEqual(["reluBackward: is fast at the lecture's scale of 100x4096"]);
    expect(notPassed(r)[0].outcome.status).toBe("failed");
  }, 60_000);

  it("a fast stub earns nothing", async () => {
    const stub = `export function affineBackward(dout, cache) {
  const z = (n, m) => Array.from({ length: n }, () => new Array(m).fill(0));
  return { dx: z(cache.x.rows, cache.x.columns), dw: z(cache.w.rows, cache.w.columns), db: z(1, cache.w.columns) };
}
`;
    const r = await gradeSubmission("layers", adaWith("affineBackward", stub), { secret: "efficiency-test", kinds: ["efficiency"] });
    expect(notPassed(r).map((t) => t.test.name)).toEqual(["affineBackward: is fast at the lecture's scale of 100x4096"]);
    expect(notPassed(r)[0].outcome.message).toMatch(/^affineBackward: at 4×8, dx\[\d\]\[\d\] = 0, the reference -?[\d.]+: speed is graded only for a correct result$/);
  }, 60_000);
});
