/**
 * Measuring a case at h and, for a borderline failure (within BORDERLINE of the rule), again at
 * each of RETRY_STEPS (CS231n, Theano: change h, never the tolerance); where the student's forward
 * misbehaves away from x, the reference's takes over (online).
 */
import { formatNumber as num, scientific as sci } from "../../format-number";
import { BORDERLINE, RETRY_STEPS } from "../finite-difference";
import type { WhoseForward } from "../whose-forward";
import type { CaseCheck, OutputVerdict, Probe, Round } from "./case-check";

/** A case measured and judged: at h, then, for a borderline failure, at the retry steps. */
export type Measurement =
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
 * student's forward misbehaves away from x, the reference's takes over (live; fallBack), and
 * under the kit's policy that is "misbehaved".
 */
export async function measureAndRetry(
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

/** The worst probe's label in a retry line: the entry ("[2][3]") or " (direction #2)". */
function labelOf(w: OutputVerdict["worst"]): string {
  if (!w) return "";
  return w.probe.entry ? w.probe.entry.label : ` (direction #${w.probe.direction!.n})`;
}

/** A case that was measured and judged (its forward did not misbehave). */
export type Judged = Extract<Measurement, { kind: "judged" }>;
