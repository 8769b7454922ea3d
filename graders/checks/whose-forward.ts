/**
 * Whose forward a gradient check differentiates on one case, and why: a value, decided once per
 * case and changed only by `fallBack` (gradcheck.ts). The student's own forward where it returned,
 * matches the reference on the case (golden tolerance) and is fast enough to run hundreds of
 * times, so a forward bug costs the forward's tests and not the backward's; otherwise the
 * reference's, with the reason shown to the student. Under the starter kit's policy ("student-always":
 * the kit holds no reference code) it is always the student's, with what is wrong with it noted.
 */
import type { Value } from "../cases/case";
import type { GradingPolicy } from "../reference/grading-policy";
import type { CallResult } from "../sandbox/sandbox";

/** f at each input (the perturbed copies of a case), or why the forward could not give it. */
export type Evaluate = (inputs: Record<string, Value>[]) => Promise<number[] | string>;

export type WhoseForward =
  /** `wrong`: "student-always" only, why it would not have been used live (it is differentiated all the same). */
  { whose: "student"; evaluate: Evaluate; wrong?: string } | { whose: "reference"; evaluate: Evaluate; why: string };

/** A forward slower than this (round trip, ms) on the case is not run hundreds of times: the reference's is used. */
export const SLOW_FORWARD_MS = 500;

/**
 * Why the student's forward is not to be differentiated on this case, or null when it is.
 * `who` names it ("your reluForward"); `matches` judges its answer against the reference's.
 */
export function reasonAgainst(forward: CallResult, who: string, matches: (value: unknown) => boolean): string | null {
  if (forward.kind !== "returned") return `${who} did not return`;
  if (!matches(forward.value)) return `${who} does not match the reference`;
  if (forward.durationMs > SLOW_FORWARD_MS) return `${who} took ${Math.round(forward.durationMs)} ms, too slow to run hundreds of times`;
  return null;
}

/** The forward to differentiate, given the reason against the student's (or null), the policy's rule and the two evaluators. */
export function chooseForward(reason: string | null, rule: GradingPolicy["gradcheckForward"], student: Evaluate, reference: Evaluate): WhoseForward {
  if (reason === null) return { whose: "student", evaluate: student };
  if (rule === "student-always") return { whose: "student", evaluate: student, wrong: reason };
  return { whose: "reference", evaluate: reference, why: reason };
}

/**
 * The student's forward misbehaved away from x (`problem`, e.g. it threw on an input moved by
 * ±h): live the reference's takes over with that reason; under "student-always" there is none (null).
 */
export function fallBack(current: WhoseForward, problem: string, rule: GradingPolicy["gradcheckForward"], reference: Evaluate): WhoseForward | null {
  if (current.whose === "reference" || rule === "student-always") return null;
  return { whose: "reference", evaluate: reference, why: problem };
}
