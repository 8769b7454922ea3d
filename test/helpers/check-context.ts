/**
 * A test helper: a CheckContext for calling one check directly (no grading run), with the parts a
 * test does not care about filled in: the contract's file name, no golden or hidden cases, no
 * timing, the live reference and policy, the test's visible seed and limit.
 */
import type { Case } from "../../graders/cases/case";
import { type Implementation, runCase } from "../../graders/cases/run";
import type { CheckContext } from "../../graders/checks/context";
import { contractFile } from "../../graders/contract";
import { LIVE_POLICY } from "../../graders/reference/grading-policy";
import { referenceAnswers } from "../../graders/reference/live-reference";
import type { CallResult } from "../../graders/sandbox/sandbox";

export function checkContext(base: Pick<CheckContext, "assignment" | "spec" | "manifest" | "run">, more: Partial<CheckContext> = {}): CheckContext {
  const refuse = (what: string) => () => Promise.reject(new Error(`this test's check does not ${what}`));
  return {
    file: contractFile(base.assignment, base.spec.export),
    time: refuse("time anything"),
    train: refuse("train anything"),
    golden: [],
    hiddenCases: () => {
      throw new Error("this test's check has no hidden cases");
    },
    reference: referenceAnswers,
    policy: LIVE_POLICY,
    seed: `visible:${base.spec.name}`,
    limitMs: base.spec.timeoutMs ?? base.manifest.limits.callTimeoutMs,
    ...base,
    ...more,
  };
}

/** CheckContext.run on `impl` in this process (graph cases with `gates`), answering as the sandbox
 *  would (JSON data, or what was thrown), and recording every case in `calls`. */
export function runInProcess(impl: Implementation, gates: Implementation, calls: Case[] = []): CheckContext["run"] {
  return async (c: Case): Promise<CallResult> => {
    calls.push(c);
    try {
      return { kind: "returned", value: JSON.parse(JSON.stringify(runCase(impl, c, { gates }))), durationMs: 0 };
    } catch (error) {
      return { kind: "threw", error: { name: (error as Error).name, message: (error as Error).message }, durationMs: 0 };
    }
  };
}
