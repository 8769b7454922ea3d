/**
 * The value checks: the student's answers against the expected ones, case by case, in the
 * grader's process. `golden` runs the committed fixtures (fixtures/golden/<assignment>.json, made
 * from the reference); `hidden` runs fresh draws of the same case plan from the secret seed, the
 * reference run live. A wrong answer is compared with the catalog of known wrong variants
 * (judge/diagnose/), which names the likely cause (checks/diagnosis.ts).
 */
import { type Case, isLayer, outputsOf } from "../cases/case";
import { judgeOutputs } from "../judge/compare";
import type { Outcome } from "../result-model";
import { type Check, type CheckContext, outcomeUnlessReturned } from "./context";
import { diagnoseFailure } from "./diagnosis";
import { caseReplay } from "./replay";

/** The runs a value test of `exportName` makes: its cases of `pool`, and whether a layer's forward runs alone. */
export function valueRuns(pool: Case[], exportName: string): { cases: Case[]; forwardOnly: boolean } {
  const cases = pool.filter((c) => c.exports.includes(exportName));
  return { cases, forwardOnly: cases.length > 0 && isLayer(cases[0].target) && exportName.endsWith("Forward") };
}

function valueCheck(pool: "golden" | "hidden"): Check {
  return async (ctx: CheckContext): Promise<Outcome> => {
    const { cases, forwardOnly } = valueRuns(pool === "hidden" ? ctx.hiddenCases() : ctx.golden, ctx.spec.export);
    if (cases.length === 0) return { status: "grader-error", message: `no ${pool} cases for ${ctx.spec.export} (grader bug)` };
    let names = outputsOf(cases[0], ctx.spec.export);
    if (ctx.spec.output) names = names.filter((n) => n === ctx.spec.output);
    const tol = ctx.manifest.tolerances.golden;
    for (const c of cases) {
      const r = await ctx.run(c, { forwardOnly, shared: true });
      const replay = caseReplay(ctx, c); // a hidden case by its id only: its seed holds the secret
      const problem = outcomeUnlessReturned(r, ctx, replay);
      if (problem) return problem;
      const value = (r as { value: unknown }).value;
      const verdict = judgeOutputs(c, value, names, tol);
      if (!verdict.ok) {
        const diagnosis = await diagnoseFailure(ctx, c, value, names, tol);
        return { status: "failed", message: `${ctx.spec.export}: ${verdict.message}`, details: verdict.details, ...(diagnosis ? { diagnosis } : {}), replay };
      }
    }
    return { status: "passed", message: `${cases.length} case${cases.length > 1 ? "s" : ""} passed` };
  };
}

export const golden = valueCheck("golden");
export const hidden = valueCheck("hidden");
