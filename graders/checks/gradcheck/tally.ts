/**
 * What a gradient-check test counts across its cases: cases, entries and directions compared,
 * checks skipped at kinks, evaluations and sandbox calls, where the reference's forward was used
 * and which borderline cases passed on a retry. The passed message and the result's `extra` are
 * made from it.
 */
import type { Case } from "../../cases/case";
import type { ProbePlan } from "./case-check";
import type { Judged } from "./retry";

/** Counts for the passed message and extra. */
export interface Tally {
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

/** Nothing counted yet, with `larger` larger cases among the test's cases. */
export function newTally(larger: number): Tally {
  return {
    cases: 0,
    larger,
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
}

/** Count a judged case: what was compared at h, what was skipped, whose forward, a retry that passed. Returns the checks skipped at kinks on it. */
export function countCase(tally: Tally, c: Case, m: Judged, plan: ProbePlan): number {
  tally.cases++;
  tally.entries += m.first.measured.filter((x) => x.probe.entry).length;
  tally.directions += m.first.measured.filter((x) => x.probe.direction).length;
  const skipped = m.first.skipped.length + plan.skippedDirections;
  tally.skipped += skipped;
  if (skipped * 2 > plan.probes.length + plan.skippedDirections) tally.sparse.push(c.id);
  if (m.forward.whose === "reference") tally.referenceForward.push({ id: c.id, why: m.forward.why });
  if (m.forward.whose === "student" && m.forward.wrong) tally.wrongOwnForward.push({ id: c.id, why: m.forward.wrong });
  if (m.failing.length > 0 && m.passedAt !== null) tally.retried.push({ id: c.id, h: m.passedAt, ratio: m.worstRatio });
  return skipped;
}

/** The counts in the result's `extra.gradcheck`. */
export function extraOf(t: Tally) {
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
