/**
 * The likely cause of a failed check, from the diagnosis catalog (judge/diagnose/), for the
 * checks that judge answers: value tests, the gradient check, the property checks' own cases.
 *
 * Two things the pure catalog cannot do are done here. An export built on another export
 * (judge/diagnose/composition.ts COMPOSITIONS: linearSoftmaxLoss on softmaxLoss) is explained by the
 * student's OWN inner export: it is run in the sandbox of the file that holds it, on the inner
 * case the failing case makes (the scores X·W), and its answer is compared here. And a case a
 * check builds itself (a tie, huge scores, a pre-activation of exactly 0) gets its expected values
 * from the reference; under the kit's policy (builtCaseCatalog "up-front") those questions, and the
 * catalog's, are asked up front by prepareBuiltCase, so that recording a correct solution's grading
 * records them.
 */
import { type Case, outputsOf } from "../cases/case";
import { COMPOSITIONS, type InnerAnswer, computeCatalog, diagnose } from "../judge/diagnose";
import type { Tolerance } from "../judge/tolerance";
import type { CheckContext } from "./context";

/** The student's own answer of the export the failing case's export is built on, or undefined. */
async function innerAnswer(ctx: CheckContext, c: Case): Promise<InnerAnswer | undefined> {
  const comp = COMPOSITIONS[c.target];
  if (!comp || !ctx.runExport) return undefined;
  try {
    const r = await ctx.runExport(comp.inner, comp.innerCase(c));
    return r?.kind === "returned" ? { exportName: comp.inner, answer: r.value } : undefined;
  } catch {
    return undefined; // the inner export could not be asked: no composition is claimed
  }
}

/** diagnose (judge/diagnose/) of a failed answer of the test's export on case `c`, the student's inner export asked first when the export is built on one. */
export async function diagnoseFailure(
  ctx: CheckContext,
  c: Case,
  returned: unknown,
  names: string[],
  tol: Tolerance = ctx.manifest.tolerances.golden,
): Promise<string | undefined> {
  return diagnose(c, ctx.spec.export, returned, names, tol, ctx.reference, await innerAnswer(ctx, c));
}

/** A case a check built (inputs only) with the reference's answers as its expected values; null when they cannot be had (the starter kit, unrecorded). */
function withExpected(ctx: CheckContext, c: Case): Case | null {
  try {
    return { ...c, expected: ctx.reference.run(c) as Case["expected"] };
  } catch {
    return null;
  }
}

/** Under the kit's policy, the questions a diagnosis of case `c` (built by a check) would ask, asked now: recorded when the kit is made, answered in the kit. */
export function prepareBuiltCase(ctx: CheckContext, c: Case): void {
  if (ctx.policy.builtCaseCatalog !== "up-front") return;
  const full = withExpected(ctx, c);
  if (full) computeCatalog(full, ctx.reference);
}

/** The likely cause of the student's answer `returned` on case `c`, which a check built: judged on every output of the test's export. */
export async function diagnoseBuiltCase(ctx: CheckContext, c: Case, returned: unknown): Promise<string | undefined> {
  const full = withExpected(ctx, c);
  if (!full) return undefined;
  const names = outputsOf(full, ctx.spec.export).filter((n) => full.expected[n] !== undefined);
  return diagnoseFailure(ctx, full, returned, names);
}
