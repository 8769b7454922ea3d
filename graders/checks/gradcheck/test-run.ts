/**
 * One run of a gradient-check test, shared by its cases: the test's settings (tolerance, step h,
 * visible or hidden), its counts, and the student's sandbox, each call counted.
 */
import type { Case } from "../../cases/case";
import type { Tolerance } from "../../judge/tolerance";
import type { CallResult } from "../../sandbox/sandbox";
import type { CheckContext } from "../context";
import { type Tally, newTally } from "./tally";

export interface TestRun {
  ctx: CheckContext;
  exportName: string;
  tol: Tolerance;
  /** The step, relative: h·max(1, |x|). */
  h: number;
  /** A visible test shows its seeds; a hidden test's hold the secret. */
  visible: boolean;
  tally: Tally;
}

/** The run of the test in `ctx`, with `larger` larger cases among its cases. */
export function testRun(ctx: CheckContext, larger: number): TestRun {
  const { gradcheck } = ctx.manifest.tolerances;
  return {
    ctx,
    exportName: ctx.spec.export,
    tol: { atol: gradcheck.atol, rtol: gradcheck.rtol },
    h: gradcheck.h,
    visible: ctx.spec.visibility === "visible",
    tally: newTally(larger),
  };
}

/** Run case `c` in the student's sandbox (layers: `forwardOnly`, the forward alone), counted. */
export function runCase(run: TestRun, c: Case, forwardOnly: boolean): Promise<CallResult> {
  run.tally.sandboxCalls++;
  return run.ctx.run(c, { forwardOnly });
}
