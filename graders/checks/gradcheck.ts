/**
 * The gradient check (CS231n, "Gradient checks": https://cs231n.github.io/neural-networks-3/#gradcheck):
 * each backward against centered differences (f(x + h) − f(x − h)) / 2h of a forward, with the case's random upstream gradient
 * (never all ones: a backward that ignores dout must fail). Per case:
 *
 *   1. the student's gradients and forward on the case, run in the sandbox;
 *   2. which forward to differentiate: the STUDENT's own, when it matches the reference on this
 *      case (golden tolerance), so a forward bug costs the forward's tests and not the backward's;
 *      otherwise the reference's, and the details say so. The starter kit has no reference code
 *      (graders/reference-answers.ts, offline): there it is always the student's own, and the
 *      details say when that forward fails its own test on the case;
 *   3. which checks: every entry of an argument with ≤ 64 entries (the golden cases); of a larger
 *      one the 4 corners, every bias entry, 16 seeded random entries and 3 seeded random unit
 *      directions ⟨grad, u⟩ vs (f(x + h·u) − f(x − h·u)) / 2h. Besides the golden cases, one
 *      larger case per target is drawn from the test's seed, so that path runs in every grading;
 *   4. kinks: a check whose x ± h lands on another branch than x (the sign pattern of the kink
 *      arguments: ReLU inputs, hinge margins, max gaps) is skipped, a direction redrawn; skips are
 *      counted and reported, never held against the student;
 *   5. the perturbed forwards of the student go to the sandbox in one batch (one round trip); the
 *      objective (Σ out·dout, the loss, z·dz, the graph's value) is computed here, from raw values;
 *   6. the manifest's rule |a − n| ≤ atol·max(1, scale) + rtol·|n| (scale: max|n| over an output's
 *      entries, ‖a‖₂ for a direction), the step h·max(1, |x|) (a relative step, as
 *      PyTorch's gradcheck scales eps); a failure within 10× of the rule is borderline and
 *      measured again at h = 1e-4 and 1e-6 before it counts (measureAndRetry).
 * A failure names the export, the output and the worst entry (or direction): analytic vs numeric,
 * the CS231n relative error (shown, never graded on), h, whose forward, the case and, for visible
 * tests, the seeds; a hidden test's seed (it holds the secret) is never shown.
 */
import { type Case, type Mat, SIGNATURES, type Target, type Value, isGate, isLayer } from "../cases/case";
import { type Dims, type Variant, makeCase } from "../cases/generate";
import { branchSignature, kinkDistance } from "../cases/kinks";
import { Random } from "../cases/random";
import { judgeOutputs, outputsOf } from "../judge/compare";
import { type Tolerance, cs231nRelError, toleranceRatio, toleranceText } from "../judge/tolerance";
import type { ReferenceAnswers } from "../reference-answers";
import { formatNumber as num, scientific as sci } from "../results/format-number";
import { type CallResult, sanitizeThrown } from "../sandbox/sandbox";
import { readMatrix, readNumber } from "./answers";
import { type Check, outcomeUnlessReturned, thrownText } from "./context";
import { diagnoseFailure } from "./diagnosis";
import { caseReplay } from "./replay";
import { type Evaluate, type WhoseForward, chooseForward, fallBack, reasonAgainst } from "./whose-forward";
import {
  BORDERLINE,
  DIRECTIONS,
  type Entry,
  RETRY_STEPS,
  centeredDifference,
  entriesOf,
  selectEntries,
  shiftAlong,
  shiftEntry,
  stepAt,
  unitDirection,
  valueAt,
} from "./finite-difference";

/** The larger case drawn per target (beyond the small golden ones), so sampled entries and directions run too. */
const LARGER: Partial<Record<Target, { dims: Dims; variant?: Variant }>> = {
  affine: { dims: { N: 6, D: 12, M: 10 } },
  relu: { dims: { N: 8, D: 10 } },
  sigmoid: { dims: { N: 8, D: 10 } },
  tanh: { dims: { N: 8, D: 10 } },
  leakyRelu: { dims: { N: 8, D: 10 } },
  elu: { dims: { N: 8, D: 10 } },
  maxout: { dims: { N: 5, D: 9, M: 8 } },
  svmLoss: { dims: { N: 10, C: 7 } },
  softmaxLoss: { dims: { N: 10, C: 7 } },
  linearSvmLoss: { dims: { N: 8, D: 12, C: 6 }, variant: { reg: 0.1 } },
  linearSoftmaxLoss: { dims: { N: 8, D: 12, C: 6 }, variant: { reg: 0.1 } },
  twoLayerNetLoss: { dims: { N: 6, D: 10, H: 12, C: 4 }, variant: { reg: 0.1 } },
};

/** The larger cases drawn so far in this grading process, by the reference that answered them and by seed: the same for every student of a batch. */
const drawn = new WeakMap<ReferenceAnswers, Map<string, Case>>();
const DRAWN_KEPT = 256;

/** One larger case per target of `cases` (where there is a larger size), drawn from `seed` (once per grading process), its expected values the reference's. */
export function largerCases(cases: Case[], seed: string, reference: ReferenceAnswers): Case[] {
  let mine = drawn.get(reference);
  if (!mine) drawn.set(reference, (mine = new Map()));
  return [...new Set(cases.map((c) => c.target))].flatMap((t) => {
    const l = LARGER[t];
    if (!l) return [];
    const id = `${t}/${Object.values(l.dims).join("x")}/larger`;
    const caseSeed = `${seed}:${id}`;
    let c = mine.get(caseSeed);
    if (!c) {
      c = makeCase(id, t, l.dims, l.variant ?? {}, caseSeed, reference);
      if (mine.size >= DRAWN_KEPT) mine.delete(mine.keys().next().value as string);
      mine.set(caseSeed, c);
    }
    return [c];
  });
}

/**
 * The cases a gradient check runs: the golden ones away from kinks (the golden MaxGate tie is for
 * the value tests only), and the larger ones drawn from the test's seed.
 */
export function gradcheckCases(golden: Case[], seed: string, h: number, reference: ReferenceAnswers): { golden: Case[]; larger: Case[] } {
  const kept = golden.filter((c) => kinkDistance(c.target, c.inputs) >= 100 * h);
  return { golden: kept, larger: largerCases(kept, seed, reference) };
}

/** How many random directions may be redrawn (they crossed a kink) before giving up on more. */
const DIRECTION_DRAWS = 20;
/** Perturbed inputs per sandbox request. */
const BATCH_SIZE = 500;
/** A batch may take this much per input, in units of the forward's round trip on the case (at least 1 ms)… */
const BATCH_ITEM_FACTOR = 4;
/** …and at most this many per-call time limits in all; a batch that does not finish falls back to the reference. */
const BATCH_LIMITS = 5;

const exp = (v: number) => v.toExponential(2);

/** What the forward produces for a target, and the scalar f whose gradient the backward returns. */
function forwardOutput(target: Target): "out" | "z" | "value" | "loss" {
  if (isLayer(target)) return "out";
  if (isGate(target)) return "z";
  if (target === "ComputationalGraph") return "value";
  return "loss";
}

function objectiveText(target: Target): string {
  if (isLayer(target)) return "f = Σ out·dout, with the case's random dout";
  if (isGate(target)) return "f = z·dz, with the case's random dz";
  if (target === "ComputationalGraph") return "f = the graph's value";
  return "f = the loss";
}

function forwardName(target: Target, exportName: string): string {
  if (isLayer(target)) return `your ${target}Forward`;
  if (isGate(target)) return `your ${target}.forward`;
  if (target === "ComputationalGraph") return "your graph's forward";
  return `the loss of your ${exportName}`;
}

/** The argument a gradient output belongs to: dx → x, dW1 → W1, a gate's grads → x, a graph's → values. */
function argumentOf(target: Target, output: string): string {
  if (output === "grads") return isGate(target) ? "x" : "values";
  return output.slice(1);
}

/** f from a forward's raw answer (untrusted), or why it cannot be read. */
function objective(c: Case, value: unknown): number | string {
  if (isLayer(c.target)) {
    const out = readMatrix(value, "out");
    if (!out.ok) return out.message;
    const dout = c.inputs.dout as Mat;
    if (out.value.length !== dout.length || out.value.some((row, i) => row.length !== dout[i].length)) return "out does not have the shape of dout";
    let f = 0;
    for (let i = 0; i < dout.length; i++) for (let j = 0; j < dout[i].length; j++) f += out.value[i][j] * dout[i][j];
    return f;
  }
  const key = forwardOutput(c.target);
  const v = readNumber(value, key);
  if (!v.ok) return v.message;
  return isGate(c.target) ? v.value * (c.inputs.dz as number) : v.value;
}

/** One comparison: an entry of a gradient, or a direction through all of an argument's entries. */
interface Probe {
  output: string;
  arg: string;
  /** The entry, or undefined for a direction. */
  entry?: Entry;
  /** A direction: its number (1, 2, 3), weights over `entries`, and ‖x‖∞ of the argument. */
  direction?: { n: number; u: number[]; entries: Entry[] };
  /** |x| at the entry, or ‖x‖∞ of the argument: sets the step. */
  size: number;
  /** The student's value: the entry of the gradient, or ⟨gradient, u⟩. */
  analytic: number;
  /** Directions: ‖gradient‖₂, the scale of the rule. */
  norm?: number;
}

interface Measured {
  probe: Probe;
  numeric: number;
  step: number;
}

interface Round {
  measured: Measured[];
  skipped: Probe[];
}

/** The verdict of one output at one step: the worst probe (entries before directions). */
interface OutputVerdict {
  output: string;
  ok: boolean;
  checked: number;
  /** How many of the checked are entries (the rest are directions), and how many of those fail. */
  entries: number;
  badEntries: number;
  bad: number;
  worst?: Measured & { ratio: number; scale: number };
}

class CaseCheck {
  private readonly base: string;

  constructor(
    private readonly c: Case,
    private readonly tol: Tolerance,
  ) {
    this.base = branchSignature(c.target, c.inputs);
  }

  /** x − step·e and x + step·e for a probe, and whether either is on another branch than x. */
  perturbed(p: Probe, h: number): { minus: Record<string, Value>; plus: Record<string, Value>; step: number; crosses: boolean } {
    const step = stepAt(h, p.size);
    const shift = (t: number) =>
      p.entry ? shiftEntry(this.c.inputs, p.arg, p.entry, t) : shiftAlong(this.c.inputs, p.arg, p.direction!.entries, p.direction!.u, t);
    const plus = shift(step);
    const minus = shift(-step);
    const crosses = this.base !== "" && (branchSignature(this.c.target, plus) !== this.base || branchSignature(this.c.target, minus) !== this.base);
    return { minus, plus, step, crosses };
  }

  /** The probes of one output: entries (all, or corners + biases + sampled) and, for a sampled argument, directions. */
  plan(output: string, gradient: unknown, random: Random, h: number): { probes: Probe[]; skipped: number; sampled: boolean } {
    const c = this.c;
    const arg = argumentOf(c.target, output);
    const value = c.inputs[arg];
    const all = entriesOf(value);
    const isMatrix = Array.isArray(value) && Array.isArray((value as unknown[])[0]);
    const rows = isMatrix ? (value as Mat).length : 1;
    const cols = isMatrix ? (value as Mat)[0].length : all.length;
    const slot = isGate(c.target) || c.target === "ComputationalGraph" ? undefined : SIGNATURES[c.target].args.find((a) => a.name === arg);
    const bias = slot?.shape?.[0] === 1;
    const chosen = selectEntries(all, { rows, cols, bias, random });
    const probes: Probe[] = chosen.map((entry) => ({
      output,
      arg,
      entry,
      size: Math.abs(valueAt(value, entry.path)),
      analytic: valueAt(gradient, entry.path),
    }));
    let skipped = 0;
    if (chosen.length < all.length) {
      const g = all.map((e) => valueAt(gradient, e.path));
      const norm = Math.sqrt(g.reduce((s, v) => s + v * v, 0));
      const size = all.reduce((m, e) => Math.max(m, Math.abs(valueAt(value, e.path))), 0);
      let found = 0;
      for (let draw = 0; draw < DIRECTION_DRAWS && found < DIRECTIONS; draw++) {
        const u = unitDirection(all.length, random);
        const probe: Probe = { output, arg, direction: { n: found + 1, u, entries: all }, size, analytic: g.reduce((s, v, k) => s + v * u[k], 0), norm };
        if (this.perturbed(probe, h).crosses) {
          skipped++;
          continue;
        }
        probes.push(probe);
        found++;
      }
    }
    return { probes, skipped, sampled: chosen.length < all.length };
  }

  /** Every probe at step h: the ones on one branch measured (one evaluation batch), the others skipped. */
  async measure(probes: Probe[], h: number, evaluate: Evaluate): Promise<Round | string> {
    const kept: { probe: Probe; step: number }[] = [];
    const skipped: Probe[] = [];
    const inputs: Record<string, Value>[] = [];
    for (const p of probes) {
      const { minus, plus, step, crosses } = this.perturbed(p, h);
      if (crosses) skipped.push(p);
      else {
        kept.push({ probe: p, step });
        inputs.push(plus, minus);
      }
    }
    const f = inputs.length > 0 ? await evaluate(inputs) : [];
    if (typeof f === "string") return f;
    return { measured: kept.map((k, i) => ({ ...k, numeric: centeredDifference(f[2 * i], f[2 * i + 1], k.step) })), skipped };
  }

  /** The manifest's rule on each output: scale max|numeric| over its entries, ‖gradient‖₂ for a direction. */
  judge(round: Round, outputs: string[]): OutputVerdict[] {
    return outputs.map((output) => {
      const mine = round.measured.filter((m) => m.probe.output === output);
      const entries = mine.filter((m) => m.probe.entry).length;
      const scale = mine.reduce((s, m) => (m.probe.entry ? Math.max(s, Math.abs(m.numeric)) : s), 0);
      const rated = mine.map((m) => {
        const s = m.probe.entry ? scale : (m.probe.norm ?? 0);
        return { ...m, ratio: toleranceRatio(m.probe.analytic, m.numeric, s, this.tol), scale: s };
      });
      const failing = rated.filter((m) => !(m.ratio <= 1));
      // the worst failing entry names a coordinate: it is reported before any failing direction
      const pool = failing.some((m) => m.probe.entry) ? failing.filter((m) => m.probe.entry) : failing.length > 0 ? failing : rated;
      const worst = pool.reduce<OutputVerdict["worst"]>((w, m) => (!w || m.ratio > w.ratio ? m : w), undefined);
      const badEntries = failing.filter((m) => m.probe.entry).length;
      return { output, ok: failing.length === 0, checked: mine.length, entries, badEntries, bad: failing.length, worst };
    });
  }
}

/** A case measured and judged: at h, then, for a borderline failure, at the retry steps. */
type Measurement =
  | { kind: "misbehaved"; problem: string }
  | {
      kind: "judged";
      /** The forward differentiated in the end (the student's may have given way to the reference's). */
      forward: WhoseForward;
      /** The round at h: what the tally counts. */
      first: Round;
      /** The outputs failing at h (none: passed at h). */
      failing: OutputVerdict[];
      worstRatio: number;
      /** One line per retry step. */
      retries: string[];
      /** The retry step at which every output passed, if one did. */
      passedAt: number | null;
    };

/**
 * Measure every probe at h with `forward` and judge each output; a failure within BORDERLINE of
 * the rule is measured again at each of RETRY_STEPS and passes if one of them passes. Where the
 * student's forward misbehaves away from x, the reference's takes over (online; fallBack), and
 * offline that is "misbehaved".
 */
async function measureAndRetry(
  check: CaseCheck,
  probes: Probe[],
  names: string[],
  h: number,
  forward: WhoseForward,
  fallback: (current: WhoseForward, problem: string) => WhoseForward | null,
): Promise<Measurement> {
  let current = forward;
  const at = async (step: number): Promise<Round | string> => {
    const round = await check.measure(probes, step, current.evaluate);
    if (typeof round !== "string") return round;
    const next = fallback(current, round);
    if (!next) return round;
    current = next;
    return check.measure(probes, step, current.evaluate);
  };
  const first = await at(h);
  if (typeof first === "string") return { kind: "misbehaved", problem: first };
  const failing = check.judge(first, names).filter((v) => !v.ok);
  const judged = { kind: "judged" as const, first, failing, retries: [] as string[], passedAt: null as number | null };
  if (failing.length === 0) return { ...judged, forward: current, worstRatio: 0 };
  const worstRatio = Math.max(...failing.map((v) => v.worst?.ratio ?? Infinity));
  if (worstRatio <= BORDERLINE) {
    for (const step of RETRY_STEPS) {
      const measured = await at(step);
      if (typeof measured === "string") return { kind: "misbehaved", problem: measured };
      const bad = check.judge(measured, names).filter((v) => !v.ok);
      judged.retries.push(
        `h = ${sci(step)}: ${bad.length === 0 ? "passes" : `worst ${bad[0].output}${labelOf(bad[0].worst)} at ${num(bad[0].worst?.ratio ?? Infinity)}× the tolerance`}`,
      );
      if (bad.length === 0) return { ...judged, forward: current, worstRatio, passedAt: step };
    }
  }
  return { ...judged, forward: current, worstRatio };
}

/** Counts for the passed message and extra. */
interface Tally {
  cases: number;
  larger: number;
  entries: number;
  directions: number;
  skipped: number;
  /** Cases where more than half of the planned checks crossed a kink and were skipped. */
  sparse: string[];
  evaluations: number;
  sandboxCalls: number;
  referenceForward: { id: string; why: string }[];
  /** Offline: cases where the student's forward, differentiated all the same, fails its own test. */
  wrongOwnForward: { id: string; why: string }[];
  retried: { id: string; h: number; ratio: number }[];
}

export const gradcheck: Check = async (ctx) => {
  const tolerances = ctx.manifest.tolerances;
  const tol: Tolerance = { atol: tolerances.gradcheck.atol, rtol: tolerances.gradcheck.rtol };
  const h = tolerances.gradcheck.h;
  const exportName = ctx.spec.export;
  const visible = ctx.spec.visibility === "visible";

  const { golden, larger } = gradcheckCases(ctx.golden, ctx.seed, h, ctx.reference);
  const offline = ctx.reference.offline;
  const cases = [...golden, ...larger];
  if (cases.length === 0) return { status: "grader-error", message: `no cases for ${exportName} away from kinks (grader bug)` };
  const isGolden = (c: Case) => golden.includes(c);

  const tally: Tally = {
    cases: 0,
    larger: larger.length,
    entries: 0,
    directions: 0,
    skipped: 0,
    sparse: [],
    evaluations: 0,
    sandboxCalls: 0,
    referenceForward: [],
    wrongOwnForward: [],
    retried: [],
  };
  const run = (c: Case, forwardOnly: boolean): Promise<CallResult> => {
    tally.sandboxCalls++;
    return ctx.run(c, { forwardOnly });
  };

  for (const c of cases) {
    const replay = caseReplay(ctx, c);
    const layer = isLayer(c.target);
    let names = outputsOf(c, exportName).filter((n) => n !== forwardOutput(c.target) && n !== "scores");
    if (ctx.spec.output) names = names.filter((n) => n === ctx.spec.output);
    if (names.length === 0)
      return {
        status: "grader-error",
        message: `${exportName} has no gradient output${ctx.spec.output ? ` named ${ctx.spec.output}` : ""} to check (grader bug)`,
      };

    // 1. the student's gradients, in shape and finite
    const full = await run(c, false);
    const problem = outcomeUnlessReturned(full, ctx, replay);
    if (problem) return problem;
    const returned = (full as { value: unknown }).value;
    const form = judgeOutputs(c, returned, names, { atol: Number.MAX_VALUE, rtol: 0 });
    if (!form.ok) {
      const diagnosis = await diagnoseFailure(ctx, c, returned, names);
      return {
        status: "failed",
        message: `${exportName}: ${form.message}`,
        ...(form.details ? { details: form.details } : {}),
        ...(diagnosis ? { diagnosis } : {}),
        replay,
      };
    }
    const answers = returned as Record<string, unknown>;

    // 2. whose forward: the student's, where it matches the reference on this case (offline: always)
    const forwardCall = layer ? await run(c, true) : full;
    const fwdKey = forwardOutput(c.target);
    const who = forwardName(c.target, exportName);
    const reason = reasonAgainst(forwardCall, who, (value) => judgeOutputs(c, value, [fwdKey], tolerances.golden).ok);
    if (offline && reason && forwardCall.kind !== "returned") {
      // offline there is no other forward to differentiate: the test cannot be checked here
      const problem = outcomeUnlessReturned(forwardCall, ctx, replay);
      if (problem?.status !== "failed") return problem!;
      return {
        ...problem,
        message: `${exportName}: cannot be checked here: ${problem.message}`,
        details: [problem.details, offlineForwardText(c.target, exportName)].filter(Boolean).join("\n"),
        replay,
      };
    }
    const perItemMs = BATCH_ITEM_FACTOR * Math.max(1, forwardCall.durationMs);
    /** The student's forward on each input of a chunk, as untrusted items: one batch request, or one run each without batch. */
    const answersTo = async (chunk: Record<string, Value>[]): Promise<unknown[] | string> => {
      if (ctx.batch) {
        tally.sandboxCalls++;
        const r = await ctx.batch(c, chunk, {
          forwardOnly: layer,
          keep: [fwdKey],
          timeoutMs: Math.min(ctx.limitMs + chunk.length * perItemMs, BATCH_LIMITS * ctx.limitMs),
        });
        if (r.kind === "threw") return `${who} threw ${thrownText(r.error)} on an input moved by ±h`;
        if (r.kind !== "returned") return `${who} did not return on the inputs moved by ±h`;
        if (!Array.isArray(r.value) || r.value.length !== chunk.length) return `the answers of ${who} on the inputs moved by ±h could not be read back`;
        return r.value;
      }
      const items: unknown[] = [];
      for (const inputs1 of chunk) {
        const r = await run({ ...c, inputs: inputs1 }, layer);
        if (r.kind !== "returned") return `${who} did not return on an input moved by ±h`;
        items.push({ value: r.value });
      }
      return items;
    };
    const yours: Evaluate = async (inputs) => {
      const values: number[] = [];
      for (let start = 0; start < inputs.length; start += BATCH_SIZE) {
        const chunk = inputs.slice(start, start + BATCH_SIZE);
        tally.evaluations += chunk.length;
        const items = await answersTo(chunk);
        if (typeof items === "string") return items;
        for (const item of items) {
          const it = (typeof item === "object" && item !== null ? item : {}) as Record<string, unknown>;
          if ("threw" in it) return `${who} threw ${thrownText(sanitizeThrown(it.threw))} on an input moved by ±h`;
          const f = objective(c, it.value);
          if (typeof f === "string") return `on an input moved by ±h, ${who} gave an answer that cannot be used: ${f}`;
          values.push(f);
        }
      }
      return values;
    };
    const reference: Evaluate = async (inputs) =>
      inputs.map((i) => {
        const f = objective(c, ctx.reference.run({ ...c, inputs: i }, { forwardOnly: layer }));
        if (typeof f === "string") throw new Error(`the reference's forward on ${c.id} moved by ±h: ${f}`);
        return f;
      });
    const forward = chooseForward(reason, offline, yours, reference);

    // 3.–4. what to compare, away from kinks
    const check = new CaseCheck(c, tol);
    const random = new Random(`${ctx.seed}:${c.id}`);
    const probes: Probe[] = [];
    let skippedDirections = 0;
    let sampled = false;
    for (const output of names) {
      const p = check.plan(output, answers[output], random, h);
      probes.push(...p.probes);
      skippedDirections += p.skipped;
      sampled ||= p.sampled;
    }

    // 5.–6. measure and judge, retrying a borderline failure at other steps
    const m = await measureAndRetry(check, probes, names, h, forward, (current, problem) => fallBack(current, problem, offline, reference));
    if (m.kind === "misbehaved") {
      // offline only: the student's forward misbehaved away from x and there is no other
      return { status: "failed", message: `${exportName}: cannot be checked here: ${m.problem}`, details: offlineForwardText(c.target, exportName), replay };
    }
    tally.cases++;
    tally.entries += m.first.measured.filter((x) => x.probe.entry).length;
    tally.directions += m.first.measured.filter((x) => x.probe.direction).length;
    const skipped = m.first.skipped.length + skippedDirections;
    tally.skipped += skipped;
    if (skipped * 2 > probes.length + skippedDirections) tally.sparse.push(c.id);
    if (m.forward.whose === "reference") tally.referenceForward.push({ id: c.id, why: m.forward.why });
    if (m.forward.whose === "student" && m.forward.wrong) tally.wrongOwnForward.push({ id: c.id, why: m.forward.wrong });
    if (m.failing.length === 0) continue;
    if (m.passedAt !== null) {
      tally.retried.push({ id: c.id, h: m.passedAt, ratio: m.worstRatio });
      continue;
    }
    const v = m.failing[0];
    const diagnosis = await diagnoseFailure(ctx, c, returned, names);
    return {
      status: "failed",
      ...failureText(exportName, c, v, {
        h,
        tol,
        forward: m.forward,
        offline,
        retries: m.retries,
        worstRatio: m.worstRatio,
        skipped,
        seeds: { case: visible || isGolden(c) ? c.seed : null, draws: visible && sampled ? `${ctx.seed}:${c.id}` : null },
      }),
      ...(diagnosis ? { diagnosis } : {}),
      replay,
      extra: { gradcheck: extraOf(tally) },
    };
  }
  return { status: "passed", message: passedText(tally, cases, exportName, h), extra: { gradcheck: extraOf(tally) } };
};

/** Offline (the starter kit), why a misbehaving forward cannot be replaced, and what to do. */
function offlineForwardText(target: Target, exportName: string): string {
  const forward = isLayer(target) ? `${target}Forward` : exportName;
  return `the starter kit always differentiates ${forwardName(target, exportName)} (it has no reference code): fix ${forward} first (npm run check -- ${forward}); the course's grader differentiates its own reference forward when yours misbehaves`;
}

function labelOf(w: OutputVerdict["worst"]): string {
  if (!w) return "";
  return w.probe.entry ? w.probe.entry.label : ` (direction #${w.probe.direction!.n})`;
}

function extraOf(t: Tally) {
  return {
    cases: t.cases,
    entries: t.entries,
    directions: t.directions,
    skippedAtKinks: t.skipped,
    sparseCases: t.sparse,
    evaluations: t.evaluations,
    sandboxCalls: t.sandboxCalls,
    referenceForward: t.referenceForward.map((r) => r.id),
    retried: t.retried.map((r) => ({ case: r.id, passedAtH: r.h })),
  };
}

function failureText(
  exportName: string,
  c: Case,
  v: OutputVerdict,
  o: {
    h: number;
    tol: Tolerance;
    forward: WhoseForward;
    offline: boolean;
    retries: string[];
    worstRatio: number;
    skipped: number;
    seeds: { case: string | null; draws: string | null };
  },
): { message: string; details: string } {
  const w = v.worst!;
  const a = w.probe.analytic;
  const n = w.numeric;
  const lines: string[] = [];
  let message: string;
  if (w.probe.entry) {
    const label = `${v.output}${w.probe.entry.label}`;
    message = `${exportName}: ${label} = ${num(a)}, but centered differences of the forward give ${num(n)}${v.entries > 1 ? ` (${v.badEntries} of ${v.entries} checked entries differ)` : ""}`;
    lines.push(
      `worst entry ${label}: analytic (yours) ${a}, numeric ${n}`,
      `difference ${exp(Math.abs(a - n))}, CS231n relative error ${exp(cs231nRelError(a, n))}`,
      `rule: ${toleranceText(o.tol, { actual: "analytic", expected: "numeric", scale: "max|numeric|" })}, max|numeric| = ${num(w.scale)} over the ${v.entries} entries checked`,
      `numeric: (f(x + h) − f(x − h)) / 2h at ${w.probe.arg}${w.probe.entry.label}, h = ${sci(o.h)}·max(1, |x|) = ${exp(w.step)}, ${objectiveText(c.target)}`,
    );
  } else {
    const d = w.probe.direction!;
    message = `${exportName}: ${v.output} fails a directional check: ⟨${v.output}, u⟩ = ${num(a)}, but centered differences along u give ${num(n)}`;
    lines.push(
      `directional check #${d.n}: u is a random unit Gaussian direction over all ${d.entries.length} entries of ${w.probe.arg} (the sampled entries all passed, or the direction fails worse)`,
      `analytic ⟨${v.output}, u⟩ (yours) ${a}, numeric (f(x + h·u) − f(x − h·u)) / 2h = ${n}`,
      `difference ${exp(Math.abs(a - n))}, CS231n relative error ${exp(cs231nRelError(a, n))}`,
      `rule: ${toleranceText(o.tol, { actual: "analytic", expected: "numeric", scale: `‖${v.output}‖₂` })}, ‖${v.output}‖₂ = ${num(w.scale)}`,
      `h = ${sci(o.h)}·max(1, max|${w.probe.arg}|) = ${exp(w.step)}, ${objectiveText(c.target)}`,
    );
  }
  lines.push(
    o.forward.whose === "student" && o.forward.wrong
      ? `${o.forward.wrong} on this case (its own test fails there), and the numeric gradient differentiates it all the same: ${offlineForwardText(c.target, exportName)}`
      : o.forward.whose === "reference"
        ? `${o.forward.why} on this case, so the numeric gradient uses the reference's forward`
        : o.offline
          ? "the numeric gradient differentiates your own forward (it matches the expected values on this case)"
          : "the numeric gradient differentiates your own forward (it matches the reference on this case)",
  );
  if (o.retries.length > 0) lines.push(`borderline at h = ${sci(o.h)} (${num(o.worstRatio)}× the tolerance), retried: ${o.retries.join("; ")}`);
  if (o.skipped > 0) lines.push(`${o.skipped} check${o.skipped > 1 ? "s" : ""} skipped on this case: x ± h crosses a kink there`);
  // never a seed with the secret in it (a hidden test's draws): the staff replay those from the id
  lines.push(
    o.seeds.case
      ? `case ${c.id} (seed ${o.seeds.case})${o.seeds.draws ? `; entries and directions drawn with seed "${o.seeds.draws}"` : ""}`
      : `hidden case ${c.id}`,
  );
  return { message, details: lines.join("\n") };
}

function passedText(t: Tally, cases: Case[], exportName: string, h: number): string {
  const target = cases[0].target;
  const ref = t.referenceForward.length;
  const whose =
    ref === 0
      ? forwardName(target, exportName)
      : ref === t.cases
        ? "the reference's forward"
        : `${forwardName(target, exportName)} (the reference's on ${ref} case${ref > 1 ? "s" : ""})`;
  const parts = [
    `${t.cases} case${t.cases > 1 ? "s" : ""} passed${t.larger > 0 ? ` (${t.cases - t.larger} golden, ${t.larger} larger)` : ""}: ${t.entries} entries${t.directions > 0 ? ` and ${t.directions} random directions` : ""} agree with centered differences of ${whose}, h = ${sci(h)}`,
  ];
  const whys = [...new Set(t.referenceForward.map((r) => r.why))];
  for (const why of whys) {
    const ids = t.referenceForward.filter((r) => r.why === why).map((r) => r.id);
    parts.push(`on ${ids.length === t.cases ? "every case" : ids.join(", ")}, ${why}, so the numeric gradient there uses the reference's forward`);
  }
  for (const why of [...new Set(t.wrongOwnForward.map((r) => r.why))]) {
    const ids = t.wrongOwnForward.filter((r) => r.why === why).map((r) => r.id);
    parts.push(
      `on ${ids.length === t.cases ? "every case" : ids.join(", ")}, ${why}: the starter kit differentiated it all the same (the course's grader uses its reference forward there), so fix that forward first`,
    );
  }
  if (t.retried.length > 0) parts.push(`borderline at h = ${sci(h)} on ${t.retried.map((r) => `${r.id} (passes at h = ${sci(r.h)})`).join(", ")}`);
  if (t.skipped > 0) parts.push(`${t.skipped} check${t.skipped > 1 ? "s" : ""} skipped where x ± h crosses a kink`);
  if (t.sparse.length > 0) parts.push(`on ${t.sparse.join(", ")} most checks crossed a kink, too few were left to be sure: not counted against you`);
  return parts.join("; ");
}
