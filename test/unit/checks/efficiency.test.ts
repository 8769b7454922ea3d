/**
 * The efficiency check (graders/checks/efficiency.ts), a growth test, and what it stands on: the
 * cases at two widths built from a seed (cases/scale.ts), the summaries that come back instead of
 * the answers (judge/summary.ts), the expected summaries committed as a fixture
 * (fixtures/efficiency/), the kernel's CPU clock (sandbox/cpu-time.ts), the verdict from measured
 * times, the check against a stand-in sandbox, and whole gradings through the engine (efficiency
 * tests only): the reference and the loop-based students pass; a reluBackward that multiplies by
 * each row's Jacobian, one that also stops the clocks it can reach, and a stub fail, each on its
 * own export only.
 */
import { describe, expect, it } from "@jest/globals";
import * as esbuild from "esbuild";
import { execa } from "execa";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Mat } from "../../../graders/cases/case";
import { efficiencyFixtureText } from "../../../graders/cases/efficiency-fixture";
import { efficiencySeed, expectedSummaries, expectedSummariesPath, summariesOf } from "../../../graders/cases/expected-summaries";
import { kinkArguments } from "../../../graders/cases/kinks";
import { type Implementation, runCase } from "../../../graders/cases/run";
import { efficiencyCase, efficiencyInputs, efficiencyTarget, type Sizes } from "../../../graders/cases/scale";
import type { CheckContext } from "../../../graders/checks/context";
import { FLOOR_MS, MAX_GROWTH, efficiency, growthOf, memoryThreshold, neededTooMuchMemory, readTimed, verdict } from "../../../graders/checks/efficiency";
import { gradeSubmission } from "../../../graders/grade";
import { summarize } from "../../../graders/cases/summarize";
import { summaryMismatch } from "../../../graders/judge/summary";
import { loadManifest, testSpecs } from "../../../graders/manifest";
import { REFERENCE } from "../../../graders/reference/live-reference";
import type { ReferenceAnswers } from "../../../graders/reference/reference-answers";
import type { Outcome, ProcessEnd } from "../../../graders/result-model";
import { bwrapAvailable } from "../../../graders/sandbox/bwrap";
import { cpuClock, mainThreadCpu, treeCpu, treeCpuMs } from "../../../graders/sandbox/cpu-time";
import type { CallResult } from "../../../graders/sandbox/sandbox";
import { checkContext } from "../../helpers/check-context";

/** An implementation asked as the grader asks the reference (graders/reference/reference-answers.ts). */
const answersOf = (impl: Implementation): ReferenceAnswers => ({ run: (c, o = {}) => runCase(impl, c, { forwardOnly: o.forwardOnly }) });

const RELU = efficiencyTarget("reluBackward")!;
const AFFINE = efficiencyTarget("affineBackward")!;

describe("the verdict", () => {
  it("under the floor at the top size: passed, whatever the growth (the small size is not even run)", () => {
    expect(growthOf({ small: [0.8], top: [48] }, "sched")).toMatchObject({ smallMs: 0.8, topMs: 48, growth: 60, ok: true });
    const g = growthOf({ small: [], top: [48] }, "sched");
    expect(g).toEqual({ smallMs: null, topMs: 48, growth: null, ok: true });
    expect(verdict("reluForward", RELU, g, { small: [], top: [48] }, "sched")).toMatchObject({
      status: "passed",
      message: "reluForward: 0.05 s at 4×8192 (under the 0.05 s floor)",
      extra: { efficiency: { smallMs: null, growth: null, topMs: 48 } },
    });
    expect(growthOf({ small: [], top: [51] }, "sched").ok).toBe(false); // above it, the growth decides
  });

  it("above the floor, linear growth: passed, however slow (constant factors are not graded)", () => {
    const g = growthOf({ small: [60], top: [900] }, "sched");
    expect(verdict("affineBackward", AFFINE, g, { small: [60], top: [900] }, "sched")).toMatchObject({
      status: "passed",
      message: "affineBackward: 0.90 s at 4×4096, 0.06 s at 4×256 (15.0× for 16× the width; linear work grows about 16×, the limit is 80×)",
      extra: { efficiency: { small: "4×256", top: "4×4096", clock: "sched", smallMs: 60, topMs: 900, growth: 15, floorMs: FLOOR_MS, maxGrowth: MAX_GROWTH } },
    });
  });

  it("quadratic growth above the floor: failed, saying how it grew and what to do; the best of each size counts", () => {
    const runs = { small: [4, 3], top: [560, 570] };
    const g = growthOf(runs, "sched");
    expect(g).toMatchObject({ smallMs: 3, topMs: 560, ok: false });
    const o = verdict("reluBackward", RELU, g, runs, "sched");
    expect(o).toMatchObject({
      status: "failed",
      message:
        "reluBackward: 0.56 s at 4×8192, 0.003 s at 4×512: the time grew 186.7× for 16× the width, where linear work grows about 16× (limit 80×, or 0.05 s at 4×8192): build no Jacobian and no loop over single entries; use matrix products and elementwise operations",
    });
    expect(o.status === "failed" && o.details).toMatch(
      /^CPU time of your sandbox's processes, counted by the kernel .*best of 2 at each size; work quadratic in the width .* grows up to 256×$/,
    );
  });

  it("a small size below the clock's resolution is taken as the resolution (10 ms ticks: 0 is no answer)", () => {
    expect(growthOf({ small: [0], top: [120] }, "stat")).toMatchObject({ growth: 12, ok: true });
    expect(growthOf({ small: [0], top: [900] }, "stat")).toMatchObject({ growth: 90, ok: false });
    expect(growthOf({ small: [0.001], top: [100] }, "sched")).toMatchObject({ growth: 10_000, ok: false });
  });
});

describe("out of memory, or on its way there", () => {
  const MB = 2 ** 20;
  const ended = (end: Partial<ProcessEnd>, grownMb?: number, whileLoading = false): CallResult => ({
    kind: "ended",
    end: { timedOut: false, outOfMemory: false, ...end },
    durationMs: 3000,
    ...(whileLoading ? { whileLoading: true as const } : {}),
    ...(grownMb === undefined ? {} : { memory: { grownBytes: grownMb * MB, peakBytes: 1900 * MB, limitBytes: 2048 * MB } }),
  });

  it("half a D×D matrix of float64 at the size, at least 256 MB: 256 MB at 4×8192 and below", () => {
    expect(memoryThreshold(RELU.top) / MB).toBe(256);
    expect(memoryThreshold({ ...RELU.top, D: 16384 }) / MB).toBe(1024);
    expect(memoryThreshold(AFFINE.top) / MB).toBe(256);
    expect(memoryThreshold(RELU.small) / MB).toBe(256);
  });

  it("a return, a time limit, a crash or an abort after the address space grew that much is one verdict; under it, each stays what it is", () => {
    const returned = (grownMb: number): CallResult => ({
      kind: "returned",
      value: null,
      durationMs: 1,
      memory: { grownBytes: grownMb * MB, peakBytes: 1000 * MB, limitBytes: null },
    });
    expect(neededTooMuchMemory(returned(300), RELU.top)).toBe(true);
    expect(neededTooMuchMemory(returned(100), RELU.top)).toBe(false);
    for (const end of [{ timedOut: true, signal: "SIGKILL" }, { signal: "SIGSEGV" }, { signal: "SIGABRT" }]) {
      expect(neededTooMuchMemory(ended(end, 300), RELU.top)).toBe(true);
      expect(neededTooMuchMemory(ended(end, 200), RELU.top)).toBe(false);
      expect(neededTooMuchMemory(ended(end), RELU.top)).toBe(false); // no /proc: judged by how it ended
    }
    expect(neededTooMuchMemory(ended({ signal: "SIGABRT", outOfMemory: true }), RELU.top)).toBe(true); // V8's report
    expect(neededTooMuchMemory(ended({ timedOut: true }, 900, true), RELU.top)).toBe(false);
  });

  it("the RangeError of an allocation the OS refused is out of memory; another RangeError is a throw", () => {
    const threw = (message: string): CallResult => ({ kind: "threw", error: { name: "RangeError", message }, durationMs: 1 });
    expect(neededTooMuchMemory(threw("Array buffer allocation failed"), RELU.top)).toBe(true);
    expect(neededTooMuchMemory(threw("Invalid array length"), RELU.top)).toBe(false);
  });
});

describe("the cases at two widths, built from a seed", () => {
  const isInteger = (m: unknown, scale: number, offset = 0) => (m as number[][]).every((row) => row.every((v) => Number.isInteger((v - offset) * scale)));
  const isOddEighth = (m: unknown) => (m as number[][]).every((row) => row.every((v) => Math.abs((v * 8) % 2) === 1));

  it("two sizes 16× apart in the width, the same rows; a pure function of the seed; a forward alone runs without dout", () => {
    expect([RELU.small, RELU.top].map((s) => [s.N, s.D])).toEqual([
      [4, 512],
      [4, 8192],
    ]);
    expect([AFFINE.small, AFFINE.top].map((s) => [s.N, s.D, s.M])).toEqual([
      [4, 256, 16],
      [4, 4096, 16],
    ]);
    const a = efficiencyCase("reluBackward", "seed-a", RELU.top).case;
    expect(efficiencyCase("reluBackward", "seed-a", RELU.top).case.inputs).toEqual(a.inputs);
    expect(efficiencyCase("reluBackward", "seed-b", RELU.top).case.inputs).not.toEqual(a.inputs);
    expect((a.inputs.x as Mat).length).toBe(4);
    expect((a.inputs.x as Mat)[0].length).toBe(8192);
    const forward = efficiencyCase("reluForward", "seed-a", RELU.small);
    expect(forward.forwardOnly).toBe(true);
    expect(forward.case.inputs).not.toHaveProperty("dout");
  });

  it("keeps every kink argument off its kink by construction (no redraws)", () => {
    expect(isOddEighth(efficiencyCase("reluBackward", "s", RELU.top).case.inputs.x)).toBe(true);
    // maxout: x·w is a multiple of 1/32 and b1 − b2 one of 1/4 plus 1/64, so z1 − z2 is never 0
    const m = efficiencyCase("maxoutBackward", "s", AFFINE.top).case.inputs;
    expect(isOddEighth(m.x) && isInteger(m.w1, 4) && isInteger(m.w2, 4) && isInteger(m.b2, 4) && isInteger(m.b1, 4, 1 / 64)).toBe(true);
    // the net: X·W1 is a multiple of 1/2048 and b1 one of 1/16 plus 1/4096, so X·W1 + b1 is never 0
    const n = efficiencyCase("twoLayerNetLoss", "s", AFFINE.top).case.inputs;
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

  it("the runner that builds them carries no reference code", async () => {
    const built = await esbuild.build({
      entryPoints: ["graders/sandbox/runner.ts"],
      bundle: true,
      write: false,
      metafile: true,
      format: "esm",
      platform: "node",
      logLevel: "silent",
    });
    const inputs = Object.keys(built.metafile.inputs);
    expect(inputs).toContain("graders/cases/scale.ts");
    expect(inputs.filter((f) => f.startsWith("reference/"))).toEqual([]);
  });
});

describe("the expected summaries (fixtures/efficiency/)", () => {
  it.each(["layers", "two-layer-net"] as const)(
    "%s: the committed file is byte-identical to a fresh regeneration from the reference (npm run fixtures)",
    (assignment) => {
      const fresh = efficiencyFixtureText(assignment)!;
      const old = readFileSync(expectedSummariesPath(assignment), "utf8");
      if (fresh !== old) {
        const at = [...fresh].findIndex((ch, k) => ch !== old[k]);
        throw new Error(`differs from byte ${at}: …${old.slice(at - 80, at + 40)}… vs …${fresh.slice(at - 80, at + 40)}…`);
      }
    },
  );

  it("a visible test's summaries come from the file without any reference; a hidden test's seed is computed once from the reference given", () => {
    const spec = testSpecs(loadManifest("layers")).find((t) => t.export === "tanhBackward" && t.kind === "efficiency")!;
    const seed = efficiencySeed(`visible:${spec.name}`);
    const fromFile = expectedSummaries("layers", "tanhBackward", seed, RELU.top, ["dx"]);
    const json = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown; // as committed: JSON writes −0 as 0
    expect(fromFile).toEqual(json(summariesOf(answersOf(REFERENCE.layers), "tanhBackward", seed, RELU.top, ["dx"])));
    const hidden = efficiencySeed("hidden:a-secret:tanhBackward");
    expect(expectedSummaries("layers", "tanhBackward", hidden, RELU.top, ["dx"])).toBeNull();
    let calls = 0;
    const counting = { ...REFERENCE.layers, tanhForward: (...a: unknown[]) => (calls++, (REFERENCE.layers.tanhForward as (...b: unknown[]) => unknown)(...a)) };
    const live = expectedSummaries("layers", "tanhBackward", hidden, RELU.top, ["dx"], answersOf(counting));
    expect(live).toEqual(summariesOf(answersOf(REFERENCE.layers), "tanhBackward", hidden, RELU.top, ["dx"]));
    expect(expectedSummaries("layers", "tanhBackward", hidden, RELU.top, ["dx"], answersOf(counting))).toBe(live);
    expect(calls).toBe(1);
  });
});

describe("CPU time from /proc", () => {
  const linux = existsSync("/proc/self/stat");
  it(`counts a busy child and its children, not a sleeping one (${linux ? `Linux, clock "${cpuClock()}"` : "no /proc here: null, wall time is used"})`, async () => {
    // spins until it has used 300 ms of user CPU (however busy the machine), says so, then sleeps
    const spin = "const s = process.cpuUsage(); while (process.cpuUsage(s).user < 300e3); console.log('spun'); setTimeout(() => {}, 60e3)";
    const spun = (p: ReturnType<typeof execa>) => new Promise<void>((resolve) => p.stdout!.on("data", () => resolve()));
    const busy = execa(process.execPath, ["-e", spin]);
    const viaShell = execa("sh", ["-c", `"${process.execPath}" -e "${spin}"`], { detached: true }); // its own process group
    const idle = execa(process.execPath, ["-e", "console.log('up'); setTimeout(() => {}, 60e3)"]);
    await Promise.all([spun(busy), spun(viaShell), spun(idle)]);
    const [b, i, v] = [treeCpuMs(busy.pid), treeCpuMs(idle.pid), treeCpuMs(viaShell.pid)];
    const [bStat, vStat] = [treeCpu(busy.pid, "stat"), treeCpu(viaShell.pid, "stat")];
    const [bMain, vMain, shMain] = [mainThreadCpu(busy.pid), mainThreadCpu(viaShell.pid), mainThreadCpu(viaShell.pid, "stat")];
    for (const p of [busy, idle]) p.kill("SIGKILL");
    process.kill(-viaShell.pid!, "SIGKILL"); // sh and the node below it
    await Promise.allSettled([busy, idle, viaShell]);
    if (!linux) {
      expect([b, i, v, bMain, cpuClock()]).toEqual([null, null, null, null, null]);
      return;
    }
    expect(b).toBeGreaterThanOrEqual(300);
    expect(i).toBeLessThan(300); // node's start-up only
    expect(v).toBeGreaterThanOrEqual(300); // sh's own time is nothing: the node below it is counted
    expect(bStat!.ms).toBeGreaterThanOrEqual(300); // the coarse clock, 10 ms ticks, agrees
    expect(vStat).toMatchObject({ clock: "stat" });
    // the main thread of the node process below: the spin runs there
    expect(bMain!.ms).toBeGreaterThanOrEqual(300);
    expect(bMain!.ms).toBeLessThanOrEqual(b!);
    expect(vMain!.ms).toBeGreaterThanOrEqual(300);
    expect(shMain).toMatchObject({ clock: "stat" });
    expect(treeCpuMs(busy.pid)).toBeNull(); // it has ended (and been reaped)
  }, 60_000);

  // Skipped where the kernel keeps no per-thread sched count (the grading machine has it); its time
  // limit is jest.config.js's testTimeout, 30 s.
  (cpuClock() === "sched" ? it : it.skip)("the finer clock where the kernel keeps it: not a multiple of 10 ms", async () => {
    const p = execa(process.execPath, ["-e", "const s = Date.now(); while (Date.now() - s < 30); console.log('x'); setTimeout(() => {}, 60e3)"]);
    await new Promise<void>((resolve) => p.stdout!.on("data", () => resolve()));
    const ms = treeCpu(p.pid)!.ms;
    p.kill("SIGKILL");
    await p.catch(() => undefined);
    expect(ms % 10).not.toBe(0);
  });
});

describe("summaries", () => {
  const x = [
    [1, -2, 3],
    [4, 5, -6],
  ];

  it("a small matrix: shape, every entry, and signed bucket sums that add up to the entries", () => {
    const s = summarize("dx", x);
    expect(s).toMatchObject({ kind: "matrix", rows: 2, cols: 3, scale: 6, samples: [1, -2, 3, 4, 5, -6] });
    if (s.kind !== "matrix") throw new Error(`expected a matrix summary, got ${s.kind}`);
    expect(s.sums).toHaveLength(16);
    expect(s.abs.reduce((a, b) => a + b, 0)).toBe(21);
    expect(summarize("loss", 2.5)).toEqual({ kind: "number", value: 2.5 });
  });

  it("what is not an answer says why, naming the output and the entry", () => {
    expect(summarize("dx", [[1, Number.NaN]])).toEqual({ kind: "invalid", why: "dx[0][1] is NaN: every entry must be a finite number" });
    expect(summarize("dx", [[1, 2], [3]])).toMatchObject({ kind: "invalid", why: "dx is not rectangular (row 1 has 1 entries, row 0 has 2)" });
    expect(summarize("dx", undefined)).toMatchObject({ kind: "invalid", why: "dx is missing, not a matrix" });
    expect(summarize("loss", Number.POSITIVE_INFINITY)).toMatchObject({ kind: "invalid", why: "loss is Infinity" });
  });

  it("compares loosely, and names the first entry that differs", () => {
    const e = summarize("dx", x);
    expect(
      summaryMismatch(
        "dx",
        e,
        summarize(
          "dx",
          x.map((r) => r.map((v) => v * (1 + 1e-9))),
        ),
      ),
    ).toBeNull();
    expect(
      summaryMismatch(
        "dx",
        e,
        summarize("dx", [
          [1, -2, 3],
          [4, 5, -7],
        ]),
      ),
    ).toBe("dx[1][2] = -7, the reference -6");
    expect(
      summaryMismatch(
        "dx",
        e,
        summarize("dx", [
          [1, -2],
          [4, 5],
        ]),
      ),
    ).toBe("dx has shape 2×2, expected 2×3");
    expect(
      summaryMismatch(
        "dx",
        e,
        summarize(
          "dx",
          x.map((r) => [...r].reverse()),
        ),
      ),
    ).toMatch(/^dx\[0\]\[0\] = 3, the reference 1$/);
  });

  it("a large matrix: the sampled entries miss most, the signed sums miss none (one entry off, or two swapped)", () => {
    const big = Array.from({ length: 16 }, (_, i) => Array.from({ length: 4096 }, (_, j) => Math.sin(i * 4096 + j)));
    const e = summarize("dx", big);
    expect(e.kind === "matrix" && e.samples.length).toBe(32);
    const sampled = new Set(Array.from({ length: 32 }, (_, k) => (k * 2654435761) % (16 * 4096)));
    const unsampled = Array.from({ length: 16 * 4096 }, (_, k) => k).filter((k) => !sampled.has(k));
    const at = (k: number) => [Math.floor(k / 4096), k % 4096] as const;
    for (const k of unsampled.filter((_, n) => n % 997 === 0)) {
      const off = big.map((r) => [...r]);
      off[at(k)[0]][at(k)[1]] += 1e-3;
      expect(summaryMismatch("dx", e, summarize("dx", off))).toMatch(/^the entries of dx in check sum \d+ of 16 .* add up to/);
    }
    // a transposed-looking mistake: two unsampled entries of one row swapped
    const swapped = big.map((r) => [...r]);
    const [p, q] = [unsampled[10], unsampled[11]];
    [swapped[at(p)[0]][at(p)[1]], swapped[at(q)[0]][at(q)[1]]] = [big[at(q)[0]][at(q)[1]], big[at(p)[0]][at(p)[1]]];
    expect(summaryMismatch("dx", e, summarize("dx", swapped))).not.toBeNull();
  });

  it("a forged or malformed summary from the student's process is refused, not believed", () => {
    const e = summarize("dx", x);
    expect(summaryMismatch("dx", e, { kind: "matrix", rows: 2, cols: 3 })).toBe("dx could not be read back (a malformed summary from your process)");
    expect(summaryMismatch("dx", e, { ...e, samples: e.kind === "matrix" ? e.samples.map(() => Number.NaN) : [] })).toBe(
      "dx could not be read back (a malformed summary from your process)",
    );
    expect(summaryMismatch("dx", e, { ...e, sums: [1, 2] })).toBe("dx could not be read back (a malformed summary from your process)");
    expect(summaryMismatch("dx", e, "passed")).toBe("dx is not a matrix, expected a 2×3 matrix");
    expect(readTimed({ ms: 3, verdict: "passed" })).toBeNull();
    expect(readTimed({ summaries: [] })).toBeNull();
    expect(readTimed({ summaries: {} })).toEqual({ summaries: {} });
  });
});

describe("the check, against a stand-in sandbox", () => {
  const manifest = loadManifest("layers");
  const spec = testSpecs(manifest).find((t) => t.export === "reluBackward" && t.kind === "efficiency")!;
  const top = (sizes: Sizes) => sizes.D === RELU.top.D;
  /** What a child answers to a time request: the summaries `impl` gives (the reference unless given), at `cpuMs` by the kernel's clock. */
  const answer = (seed: string, sizes: Sizes, cpuMs: number, impl = REFERENCE.layers): CallResult => ({
    kind: "returned",
    value: { summaries: summariesOf(answersOf(impl), spec.export, seed, sizes, ["dx"]) },
    durationMs: cpuMs + 1,
    cpuMs,
    cpuClock: "sched",
  });
  const context = (time: (seed: string, sizes: Sizes, timeoutMs: number) => CallResult): CheckContext =>
    checkContext(
      { assignment: "layers", spec, manifest, run: () => Promise.reject(new Error("the efficiency check only times")) },
      { time: async (seed, sizes, timeoutMs) => time(seed, sizes, timeoutMs) },
    );

  it("the reference's answers at linear times: one call at the top size under the floor; above it, the small size too; the clock named", async () => {
    const sizes: number[] = [];
    const o = await efficiency(context((seed, s) => (sizes.push(s.D), answer(seed, s, top(s) ? 8 : 1))));
    expect(o).toMatchObject({
      status: "passed",
      message: "reluBackward: 0.008 s at 4×8192 (under the 0.05 s floor)",
      extra: { efficiency: { clock: "sched" } },
    });
    expect(sizes).toEqual([8192]);
    sizes.length = 0;
    const slow = await efficiency(context((seed, s) => (sizes.push(s.D), answer(seed, s, top(s) ? 160 : 12))));
    expect(slow).toMatchObject({
      status: "passed",
      message: "reluBackward: 0.16 s at 4×8192, 0.01 s at 4×512 (13.3× for 16× the width; linear work grows about 16×, the limit is 80×)",
    });
    expect(sizes).toEqual([8192, 512, 512]); // the small size twice: a first call after the top size may run unoptimized code
  });

  it("quadratic times: measured again, then failed; a failure that does not repeat passes", async () => {
    let calls = 0;
    const quadratic = await efficiency(context((seed, s) => (calls++, answer(seed, s, top(s) ? 640 : 4))));
    expect(quadratic).toMatchObject({
      status: "failed",
      message: expect.stringMatching(/^reluBackward: 0\.64 s at 4×8192, 0\.004 s at 4×512: the time grew 160\.0× for 16× the width/),
    });
    expect(calls).toBe(9); // three rounds: the top size, then the small one twice
    let round = 0;
    const once = await efficiency(context((seed, s) => answer(seed, s, top(s) ? (round++ === 0 ? 640 : 160) : 4)));
    expect(once).toMatchObject({ status: "passed", extra: { efficiency: { measuredMs: { small: [4, 4], top: [640, 160] }, growth: 40 } } });
  });

  it("a call still running at the test's limit is stopped, and that is a failure (too slow), not a could-not-check", async () => {
    let limit = 0;
    const o = await efficiency(
      context((seed, s, timeoutMs) => {
        if (!top(s)) throw new Error("the small size is not run after the top size was stopped");
        limit = timeoutMs;
        return { kind: "ended", end: { timedOut: true, signal: "SIGKILL", outOfMemory: false }, durationMs: timeoutMs * 2.7 }; // a busy machine: stopped late
      }),
    );
    expect(limit).toBe(spec.timeoutMs);
    expect(spec.timeoutMs).toBeLessThanOrEqual(5000); // a few seconds, not 10
    // the limit, not the time it was stopped after (that varies with the machine's load)
    expect(o).toMatchObject({
      status: "failed",
      message: `reluBackward: had not finished at 4×8192 within the test's time limit (${(spec.timeoutMs! / 1000).toFixed(1)} s): build no Jacobian and no loop over single entries; use matrix products and elementwise operations`,
    });
  });

  it("a call stopped or crashed after its memory grew by half a D×D matrix: failed as out of memory, with the size, the limits and the likely cause, in words that name nothing measured", async () => {
    const MB = 2 ** 20;
    const outcomes = [];
    for (const [end, grownMb] of [
      [{ timedOut: true, signal: "SIGKILL", outOfMemory: false }, 700],
      [{ timedOut: false, signal: "SIGSEGV", outOfMemory: true }, 1200],
      [{ timedOut: false, signal: "SIGABRT", outOfMemory: true }, 1100],
    ] as const) {
      outcomes.push(
        await efficiency(
          context(() => ({
            kind: "ended",
            end,
            durationMs: 1234 + grownMb,
            memory: { grownBytes: grownMb * MB, peakBytes: (grownMb + 740) * MB, limitBytes: 2048 * MB },
          })),
        ),
      );
    }
    const words = outcomes.map((o) => ({ ...o, extra: undefined }));
    expect(words[0]).toEqual({
      status: "failed",
      message:
        "reluBackward: at 4×8192, your call needed more than 256 MB of memory, where a correct one needs a few MB: build no Jacobian and no loop over single entries; use matrix products and elementwise operations",
      details: `the sandbox's limits per call: ${(spec.timeoutMs! / 1000).toFixed(1)} s of time, 512 MB for JavaScript objects, 2048 MB of address space in all (Node itself takes part of it)`,
      diagnosis: "an N×D×D or D×D intermediate: one D×D matrix of numbers is 512 MB at 4×8192",
      extra: undefined,
    });
    expect(words[1]).toEqual(words[0]);
    expect(words[2]).toEqual(words[0]);
    expect(outcomes[1]).toMatchObject({ extra: { efficiency: { tooMuchMemoryAt: "4×8192", grownMb: 1200, peakMb: 1940, limitMb: 2048 } } });
  });

  it("a fast wrong answer earns nothing, found at the first size timed", async () => {
    const zeros = (seed: string, s: Sizes): CallResult =>
      answer(seed, s, 0, { ...REFERENCE.layers, reluBackward: () => ({ dx: Array.from({ length: s.N }, () => new Array(s.D).fill(0)) }) });
    const o = await efficiency(context(zeros));
    expect(o).toMatchObject({
      status: "failed",
      message: expect.stringMatching(/^reluBackward: at 4×8192, dx\[\d+\]\[\d+\] = 0, the reference -?[\d.]+: speed is graded only for a correct result$/),
    });
  });

  it("a crash is could-not-check, a reply that is not a timing summary is failed", async () => {
    const crash = await efficiency(context(() => ({ kind: "ended", end: { timedOut: false, signal: "SIGSEGV", outOfMemory: false }, durationMs: 5 })));
    expect(crash).toMatchObject({ status: "could-not-check", end: { signal: "SIGSEGV" } });
    const lie: Outcome = await efficiency(context(() => ({ kind: "returned", value: { ms: 0, verdict: "passed" }, durationMs: 1 })));
    expect(lie).toMatchObject({ status: "failed", message: expect.stringContaining("not the grader's timing summary") });
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
  const NAME = /^reluBackward: /;

  // Every correct sample student is graded in full (efficiency included) by test/e2e/sample-class/.
  it("the reference and the loop-based correct students pass every efficiency test", async () => {
    for (const [assignment, dir] of [
      ["layers", "reference/layers"],
      ["layers", "fixtures/submissions/layers/ada-loops-js"],
      ["two-layer-net", "fixtures/submissions/two-layer-net/ada-loops-js"],
    ] as const) {
      const r = await gradeSubmission(assignment, dir, { secret: "efficiency-test", kinds: ["efficiency"] });
      expect({ dir, notPassed: notPassed(r).map((t) => `${t.test.name}: ${t.outcome.message}`) }).toEqual({ dir, notPassed: [] });
      expect(r.tests.length).toBe(assignment === "layers" ? 14 : 2);
      console.log(`${dir}\n${r.tests.map((t) => `  ${t.outcome.message}`).join("\n")}`);
    }
  }, 120_000);

  /** The same on plain arrays, the fastest quadratic reluBackward we could write (JIT-friendly: its first call at a new size is slow). */
  const plainArrayJacobian = `export function reluBackward(dout, cache) {
  const g = dout.to2DArray(), x = cache.x.to2DArray();
  const N = g.length, D = g[0].length;
  const dx = [];
  for (let i = 0; i < N; i++) {
    const gi = g[i], xi = x[i], row = new Float64Array(D);
    for (let k = 0; k < D; k++) {
      let s = 0;
      const m = xi[k] > 0 ? 1 : 0;
      for (let j = 0; j < D; j++) s += gi[j] * (j === k ? m : 0);
      row[k] = s;
    }
    dx.push(Array.from(row));
  }
  return { dx };
}
`;

  it.each([
    ["with Matrix.get", perEntryJacobian],
    ["on plain arrays", plainArrayJacobian],
  ])(
    "a reluBackward that multiplies by each row's Jacobian (%s) fails its efficiency test and no other",
    async (_how, code) => {
      const r = await gradeSubmission("layers", adaWith("reluBackward", code), { secret: "efficiency-test", kinds: ["efficiency"] });
      expect(notPassed(r).map((t) => t.test.name)).toEqual([expect.stringMatching(NAME)]);
      expect(notPassed(r)[0].outcome).toMatchObject({
        status: "failed",
        message: expect.stringMatching(
          /^reluBackward: ([\d.]+ s at 4×8192, [\d.]+ s at 4×512: the time grew [\d.]+× for 16× the width, where .*|had not finished at 4×8192 within the test.s time limit \([\d.]+ s\)): build no Jacobian/,
        ),
      });
      console.log(notPassed(r)[0].outcome.message);
    },
    60_000,
  );

  /** sigmoidBackward that builds each row's D×D Jacobian (diagonal σ(x)(1 − σ(x))) and multiplies dout's row by it. */
  const builtJacobian = `export function sigmoidBackward(dout, cache) {
  const out = cache.out.to2DArray ? cache.out.to2DArray() : cache.out;
  const g = dout.to2DArray();
  const N = g.length, D = g[0].length;
  const dx = [];
  for (let i = 0; i < N; i++) {
    const J = new Float64Array(D * D);
    for (let k = 0; k < D; k++) J[k * D + k] = out[i][k] * (1 - out[i][k]);
    const row = new Array(D).fill(0);
    for (let j = 0; j < D; j++) for (let k = 0; k < D; k++) row[k] += g[i][j] * J[j * D + k];
    dx.push(row);
  }
  return { dx };
}
`;

  it("a sigmoidBackward that builds each row's D×D Jacobian loses its efficiency test and no other", async () => {
    const r = await gradeSubmission("layers", adaWith("sigmoidBackward", builtJacobian), { secret: "efficiency-test", kinds: ["efficiency"] });
    expect(notPassed(r).map((t) => t.test.name)).toEqual([expect.stringMatching(/^sigmoidBackward: /)]);
    expect(r.tests.find((t) => t.test.export === "sigmoidBackward")!.score).toBe(0);
    console.log(notPassed(r)[0].outcome.message);
  }, 60_000);

  it("timed in a child of its own beside the other tests (timingChild: npm run check, the starter kit), the same verdicts: only the Jacobian's efficiency test fails", async () => {
    const r = await gradeSubmission("layers", adaWith("sigmoidBackward", builtJacobian), { secret: "efficiency-test", visibleOnly: true, timingChild: true });
    expect(r.tests.filter((t) => t.test.kind === "efficiency")).toHaveLength(14);
    expect(notPassed(r).map((t) => t.test.name)).toEqual([expect.stringMatching(/^sigmoidBackward: .*linear/)]);
    expect(notPassed(r)[0].outcome.message).toMatch(/build no Jacobian/);
  }, 120_000);

  it("slow code that stops the clocks it can reach (performance.now, Date.now, process.hrtime, process.cpuUsage) still fails", async () => {
    const frozen = `${perEntryJacobian.replace(
      "export function reluBackward(dout, cache) {",
      `export function reluBackward(dout, cache) {
  performance.now = () => 0; Date.now = () => 0; process.hrtime.bigint = () => 0n; process.cpuUsage = () => ({ user: 0, system: 0 });`,
    )}`;
    const r = await gradeSubmission("layers", adaWith("reluBackward", frozen), { secret: "efficiency-test", kinds: ["efficiency"] });
    expect(notPassed(r).map((t) => t.test.name)).toEqual([expect.stringMatching(NAME)]);
    expect(notPassed(r)[0].outcome.status).toBe("failed");
  }, 60_000);

  /** reluBackward that keeps each row's D×D Jacobian as a Matrix: 4 × 512 MB at 4×8192, over the 2 GB address-space limit. */
  const keptJacobians = `export function reluBackward(dout, cache) {
  const N = dout.rows, D = dout.columns;
  const jacobians = [];
  for (let i = 0; i < N; i++) {
    const J = Matrix.zeros(D, D);
    for (let k = 0; k < D; k++) J.set(k, k, cache.x.get(i, k) > 0 ? 1 : 0);
    jacobians.push(J);
  }
  return { dx: jacobians.map((J, i) => dout.getRowVector(i).mmul(J).to1DArray()) };
}
`;
  // Measured before this verdict: the same code was stopped at the time limit ("had not finished
  // after 8.6 s") in some runs, died of SIGSEGV ("could not check: crashed") or of SIGABRT after V8's
  // report in others, with and without bubblewrap.
  const bothModes = process.platform === "linux" ? describe : describe.skip; // the address-space limit and /proc are Linux's
  bothModes("a reluBackward that keeps a D×D Jacobian per row (over the address-space limit)", () => {
    const RUNS = 3;
    const words = async (bwrap: boolean) => {
      const dir = adaWith("reluBackward", keptJacobians);
      writeFileSync(join(dir, "layers.js"), `import { Matrix } from "ml-matrix";\n${readFileSync(join(dir, "layers.js"), "utf8")}`);
      const seen: unknown[] = [];
      for (let k = 0; k < RUNS; k++) {
        const r = await gradeSubmission("layers", dir, { secret: "efficiency-test", kinds: ["efficiency"], exports: ["reluBackward"], bwrap });
        const o = r.tests.find((t) => t.test.export === "reluBackward")!.outcome;
        seen.push({
          status: o.status,
          message: o.message,
          details: "details" in o ? o.details : undefined,
          diagnosis: "diagnosis" in o ? o.diagnosis : undefined,
        });
      }
      return seen;
    };
    const expected = {
      status: "failed",
      message:
        "reluBackward: at 4×8192, your call needed more than 256 MB of memory, where a correct one needs a few MB: build no Jacobian and no loop over single entries; use matrix products and elementwise operations",
      details: expect.stringMatching(/^the sandbox's limits per call: 3\.0 s of time, 512 MB for JavaScript objects, 2048 MB of address space in all/),
      diagnosis: "an N×D×D or D×D intermediate: one D×D matrix of numbers is 512 MB at 4×8192",
    };

    it(`without bubblewrap: out of memory, in the same words, ${RUNS} runs of ${RUNS}`, async () => {
      const seen = await words(false);
      expect(seen).toEqual(Array(RUNS).fill(expected));
      expect(new Set(seen.map((o) => JSON.stringify(o))).size).toBe(1);
    }, 120_000);

    it(`with bubblewrap (where it works here): the same outcome, the same words, ${RUNS} runs of ${RUNS}`, async () => {
      if (!(await bwrapAvailable())) console.log("bubblewrap does not work here: this run uses the permission model alone, as the other one");
      const [withIt, without] = [await words(true), await words(false).then((w) => w.slice(0, 1))];
      expect(withIt).toEqual(Array(RUNS).fill(expected));
      expect(withIt[0]).toEqual(without[0]);
    }, 180_000);
  });

  it("a fast stub earns nothing", async () => {
    const stub = `export function affineBackward(dout, cache) {
  const z = (n, m) => Array.from({ length: n }, () => new Array(m).fill(0));
  return { dx: z(cache.x.rows, cache.x.columns), dw: z(cache.w.rows, cache.w.columns), db: z(1, cache.w.columns) };
}
`;
    const r = await gradeSubmission("layers", adaWith("affineBackward", stub), { secret: "efficiency-test", kinds: ["efficiency"] });
    expect(notPassed(r).map((t) => t.test.name)).toEqual([expect.stringMatching(/^affineBackward: /)]);
    expect(notPassed(r)[0].outcome.message).toMatch(
      /^affineBackward: at 4×4096, dx\[\d+\]\[\d+\] = 0, the reference -?[\d.]+: speed is graded only for a correct result$/,
    );
  }, 60_000);
});
