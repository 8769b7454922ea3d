/**
 * One case's gradient check (steps 3–6 of checks/gradcheck.ts): which entries and random
 * directions of each argument to compare (probes), the inputs moved by ±h along each (a probe whose
 * x ± h crosses a kink is skipped), the centered differences of one evaluation batch, and each
 * output's verdict under the manifest's rule.
 */
import { type Case, type Mat, SIGNATURES, type Value, isGate } from "../../cases/case";
import { branchSignature } from "../../cases/kinks";
import type { Random } from "../../cases/random";
import { type Tolerance, toleranceRatio } from "../../judge/tolerance";
import {
  DIRECTIONS,
  type Entry,
  centeredDifference,
  entriesOf,
  selectEntries,
  shiftAlong,
  shiftEntry,
  stepAt,
  unitDirection,
  valueAt,
} from "../finite-difference";
import type { Evaluate } from "../whose-forward";
import { argumentOf } from "./objective";

/** How many random directions may be redrawn (they crossed a kink) before giving up on more. */
const DIRECTION_DRAWS = 20;

/** One comparison: an entry of a gradient, or a direction through all of an argument's entries. */
export interface Probe {
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

export interface Round {
  measured: Measured[];
  skipped: Probe[];
}

/** The verdict of one output at one step: the worst probe (entries before directions). */
export interface OutputVerdict {
  output: string;
  ok: boolean;
  checked: number;
  /** How many of the checked are entries (the rest are directions), and how many of those fail. */
  entries: number;
  badEntries: number;
  bad: number;
  worst?: Measured & { ratio: number; scale: number };
}

/** The probes of one case: planned, moved by ±h, measured and judged against the manifest's rule. */
export class CaseCheck {
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

/** Every output's probes on one case, and how many directions were redrawn (they crossed a kink). */
export interface ProbePlan {
  probes: Probe[];
  skippedDirections: number;
  /** Whether some argument was sampled (entries and directions drawn at random). */
  sampled: boolean;
}

/** Plan the probes of every gradient output `names` of the student's `answers`, in order, with one random stream. */
export function planProbes(check: CaseCheck, names: string[], answers: Record<string, unknown>, random: Random, h: number): ProbePlan {
  const plan: ProbePlan = { probes: [], skippedDirections: 0, sampled: false };
  for (const output of names) {
    const p = check.plan(output, answers[output], random, h);
    plan.probes.push(...p.probes);
    plan.skippedDirections += p.skipped;
    plan.sampled ||= p.sampled;
  }
  return plan;
}
