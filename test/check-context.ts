/**
 * A test helper: a CheckContext for calling one check directly (no grading run), with the parts a
 * test does not care about filled in: the contract's file name, no golden or hidden cases, no
 * timing, the live reference, the test's visible seed and limit.
 */
import type { CheckContext } from "../graders/checks/context";
import { contractFile } from "../graders/contract";
import { referenceAnswers } from "../graders/reference";

export function checkContext(base: Pick<CheckContext, "assignment" | "spec" | "manifest" | "run">, more: Partial<CheckContext> = {}): CheckContext {
  const refuse = (what: string) => () => Promise.reject(new Error(`this test's check does not ${what}`));
  return {
    file: contractFile(base.assignment, base.spec.export),
    time: refuse("time anything"),
    timeReference: refuse("time the reference"),
    golden: [],
    hiddenCases: () => {
      throw new Error("this test's check has no hidden cases");
    },
    reference: referenceAnswers,
    seed: `visible:${base.spec.name}`,
    limitMs: base.spec.timeoutMs ?? base.manifest.limits.callTimeoutMs,
    ...base,
    ...more,
  };
}
