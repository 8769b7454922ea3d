/**
 * The property driver of the fast-check checks (gates, graph, reuse): draw NUM_RUNS samples from a
 * fixed seed (derived from the test's seed), run each sample's cases in the student's sandbox and
 * judge the answers here. The first sample that breaks the property ends the run (no shrinking:
 * every shrink step would be another run of student code); the outcome names the export and the
 * property, gives the counterexample, and how to replay it (fast-check's seed and path). A call
 * that throws, hangs or crashes ends the run at once with its outcome (outcomeUnlessReturned).
 */
import fc from "fast-check";
import type { Case } from "../cases/case";
import type { Outcome, Replay } from "../result-model";
import type { CallResult } from "../sandbox/sandbox";
import { type CheckContext, outcomeUnlessReturned } from "./context";

/** Samples per check. */
export const NUM_RUNS = 25;

/** fast-check's seed for a test: FNV-1a (32 bits) of the test's seed string, as a signed int. */
export function fastCheckSeed(seed: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    h ^= seed.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/** How a property broke, for the student; the export's name is put in front of `message`. */
export interface Broken {
  /** One line: which property, what came back, for which inputs, what was expected. */
  message: string;
  /** Several lines: inputs, answer and expectation at full precision, the rule. */
  details?: string;
  /** The likely cause, when the answer matches a known wrong variant. */
  diagnosis?: string;
  /** What to check (advice, not a claim about this answer). */
  hint?: string;
}

/** Runs one case of a sample on the student's code, in their sandbox: the returned value (untrusted data). */
export type RunStudentCase = (c: Case) => Promise<unknown>;

export interface Property<T> {
  /** The samples (one fast-check value per sample). */
  arbitrary: fc.Arbitrary<T>;
  /** The sample on one line, at full precision (for the replay). */
  show(sample: T): string;
  /** Run the sample's cases and judge them: null when the property holds. */
  holds(sample: T, run: RunStudentCase): Promise<Broken | null>;
}

/** Thrown by RunStudentCase when a call did not return: ends the sample and the run. */
class NotReturned {
  constructor(readonly result: CallResult) {}
}

/**
 * Check a property on NUM_RUNS samples drawn with the test's fast-check seed, stopping at the first
 * sample that breaks it. Replayable: the same seed and path give the same counterexample.
 */
export async function checkProperty<T>(ctx: CheckContext, property: Property<T>): Promise<Outcome> {
  const seed = fastCheckSeed(ctx.seed);
  const state: { broken?: Broken; notReturned?: CallResult } = {};
  let calls = 0;
  const run: RunStudentCase = async (c) => {
    calls++;
    const r = await ctx.run(c);
    if (r.kind !== "returned") throw new NotReturned(r);
    return r.value;
  };
  const prop = fc.asyncProperty(property.arbitrary, async (sample) => {
    state.broken = undefined;
    state.notReturned = undefined;
    try {
      const broken = await property.holds(sample, run);
      if (!broken) return true;
      state.broken = broken;
      return false;
    } catch (error) {
      if (error instanceof NotReturned) {
        state.notReturned = error.result;
        return false;
      }
      throw error; // a bug of the grader's: reported below as a grader error
    }
  });
  const report = await fc.check(prop, { seed, numRuns: NUM_RUNS, endOnFailure: true });
  if (!report.failed) return { status: "passed", message: `held on ${report.numRuns} random samples, ${calls} calls (fast-check seed ${seed})` };
  const found = report.counterexample;
  if (!found || (!state.broken && !state.notReturned)) {
    const error = report.errorInstance;
    return {
      status: "grader-error",
      message: `the grader failed while checking this property: ${error instanceof Error ? error.message : String(error)}`,
      ...(error instanceof Error && error.stack ? { cause: error.stack } : {}),
    };
  }
  const sample = found[0];
  const replay: Replay = { kind: "fast-check", seed, path: report.counterexamplePath ?? "", counterexample: property.show(sample) };
  if (state.notReturned) {
    const outcome = outcomeUnlessReturned(state.notReturned, ctx, replay);
    if (!outcome) return { status: "grader-error", message: "a returned call was reported as not returned (grader bug)" };
    if (outcome.status !== "failed") return outcome;
    const on = `on the sample ${property.show(sample)}`;
    return { ...outcome, details: outcome.details ? `${outcome.details}\n${on}` : on };
  }
  const broken = state.broken!;
  return {
    status: "failed",
    message: `${ctx.spec.export}: ${broken.message}`,
    details: [broken.details, `counterexample: ${property.show(sample)}`].filter(Boolean).join("\n"),
    ...(broken.diagnosis ? { diagnosis: broken.diagnosis } : {}),
    ...(broken.hint ? { hint: broken.hint } : {}),
    replay,
  };
}
