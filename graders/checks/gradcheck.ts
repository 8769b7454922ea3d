/**
 * The gradient check (CS231n, "Gradient checks": https://cs231n.github.io/neural-networks-3/#gradcheck):
 * each backward against centered differences (f(x + h) − f(x − h)) / 2h of a forward, with the case's random upstream gradient
 * (never all ones: a backward that ignores dout must fail). Per case:
 *
 *   1. the student's gradients and forward on the case, run in the sandbox;
 *   2. which forward to differentiate: the STUDENT's own, when it matches the reference on this
 *      case (golden tolerance), so a forward bug costs the forward's tests and not the backward's;
 *      otherwise the reference's, and the details say so. The starter kit has no reference code
 *      (its policy's gradcheckForward, graders/reference/grading-policy.ts): there it is always the
 *      student's own, and the details say when that forward fails its own test on the case;
 *   3. which checks: every entry of an argument with ≤ 64 entries (the golden cases); of a larger
 *      one the 4 corners, every bias entry, 16 seeded random entries and 3 seeded random unit
 *      directions ⟨grad, u⟩ vs (f(x + h·u) − f(x − h·u)) / 2h. Besides the golden cases, one
 *      larger case per target is drawn from the test's seed, so that path runs in every grading;
 *   4. kinks: a check whose x ± h lands on another branch than x (the sign pattern of the kink
 *      arguments: ReLU inputs, hinge margins, max gaps) is skipped, a direction redrawn; skips are
 *      counted and reported, never held against the student;
 *   5. the perturbed forwards of the student go to the sandbox in one batch (one round trip); the
 *      objective (Σ out·dout, the loss, z·dz, the graph's value) is computed here, from raw values;
 *   6. the manifest's rule |a − n| ≤ atol·max(1, scale) + rtol·|n| (scale: max|n| over an output's
 *      entries, ‖a‖₂ for a direction), the step h·max(1, |x|) (a relative step, as
 *      PyTorch's gradcheck scales eps); a failure within 10× of the rule is borderline and
 *      measured again at h = 1e-4 and 1e-6 before it counts (measureAndRetry).
 * A failure names the export, the output and the worst entry (or direction): analytic vs numeric,
 * the CS231n relative error (shown, never graded on), h, whose forward, the case and, for visible
 * tests, the seeds; a hidden test's seed (it holds the secret) is never shown.
 *
 * This file runs the steps case by case; gradcheck/ holds each concept: the cases (cases.ts),
 * what f is per target (objective.ts), the two forwards as evaluators (forwards.ts), the probes
 * planned, measured and judged (case-check.ts), the retry at other steps (retry.ts), the counts
 * (tally.ts), the settings and counted sandbox calls of one test (test-run.ts), the texts (texts.ts).
 */
import { type Case, isLayer, outputsOf } from "../cases/case";
import { Random } from "../cases/random";
import { judgeOutputs } from "../judge/compare";
import type { Outcome, Replay } from "../result-model";
import type { CallResult } from "../sandbox/sandbox";
import { type Check, type CheckContext, outcomeUnlessReturned } from "./context";
import { diagnoseFailure } from "./diagnosis";
import { CaseCheck, type ProbePlan, planProbes } from "./gradcheck/case-check";
import { gradcheckCases } from "./gradcheck/cases";
import { referenceForward, studentForward } from "./gradcheck/forwards";
import { forwardName, forwardOutput } from "./gradcheck/objective";
import { type Judged, measureAndRetry } from "./gradcheck/retry";
import { countCase, extraOf } from "./gradcheck/tally";
import { type TestRun, runCase, testRun } from "./gradcheck/test-run";
import { failureText, kitForwardText, passedText } from "./gradcheck/texts";
import { caseReplay } from "./replay";
import { type Evaluate, type WhoseForward, chooseForward, fallBack, reasonAgainst } from "./whose-forward";

export { gradcheckCases, largerCases } from "./gradcheck/cases";

export const gradcheck: Check = async (ctx) => {
  const { golden, larger } = gradcheckCases(ctx.golden, ctx.seed, ctx.manifest.tolerances.gradcheck.h, ctx.reference);
  const cases = [...golden, ...larger];
  if (cases.length === 0) return { status: "grader-error", message: `no cases for ${ctx.spec.export} away from kinks (grader bug)` };
  const run = testRun(ctx, larger.length);
  for (const c of cases) {
    const failed = await checkCase(run, c, golden.includes(c));
    if (failed) return failed;
  }
  return { status: "passed", message: passedText(run.tally, cases, run.exportName, run.h), extra: { gradcheck: extraOf(run.tally) } };
};

/** One case through steps 1–6: the outcome that ends the test (a failure, a problem), or null when the case passes. */
async function checkCase(run: TestRun, c: Case, golden: boolean): Promise<Outcome | null> {
  const { ctx, exportName } = run;
  const replay = caseReplay(ctx, c);
  const names = gradientOutputs(ctx, c);
  if (names.length === 0)
    return {
      status: "grader-error",
      message: `${exportName} has no gradient output${ctx.spec.output ? ` named ${ctx.spec.output}` : ""} to check (grader bug)`,
    };

  // 1. the student's gradients, in shape and finite
  const gradients = await studentGradients(run, c, names, replay);
  if (gradients.kind === "outcome") return gradients.outcome;

  // 2. whose forward: the student's, where it matches the reference on this case (the kit's policy: always)
  const forwards = await forwardsFor(run, c, gradients.call, replay);
  if (forwards.kind === "outcome") return forwards.outcome;

  // 3.–4. what to compare, away from kinks
  const check = new CaseCheck(c, run.tol);
  const plan = planProbes(check, names, gradients.answers, new Random(`${ctx.seed}:${c.id}`), run.h);

  // 5.–6. measure and judge, retrying a borderline failure at other steps
  const m = await measureAndRetry(check, plan.probes, names, run.h, forwards.chosen, (current, problem) =>
    fallBack(current, problem, ctx.policy.gradcheckForward, forwards.reference),
  );
  if (m.kind === "misbehaved") {
    // "student-always" only: the student's forward misbehaved away from x and there is no other
    return { status: "failed", message: `${exportName}: cannot be checked here: ${m.problem}`, details: kitForwardText(c.target, exportName), replay };
  }
  const skipped = countCase(run.tally, c, m, plan);
  if (m.failing.length === 0 || m.passedAt !== null) return null;
  return failedCase(run, c, golden, m, { plan, skipped, returned: gradients.returned, names, replay });
}

/** The gradient outputs the test checks on case `c` (the test's `output`, or every one). */
function gradientOutputs(ctx: CheckContext, c: Case): string[] {
  const names = outputsOf(c, ctx.spec.export).filter((n) => n !== forwardOutput(c.target) && n !== "scores");
  return ctx.spec.output ? names.filter((n) => n === ctx.spec.output) : names;
}

/** Step 1: the student's call on the case, and its gradients if they are in shape and finite; else the outcome. */
async function studentGradients(
  run: TestRun,
  c: Case,
  names: string[],
  replay: Replay,
): Promise<{ kind: "outcome"; outcome: Outcome } | { kind: "returned"; call: CallResult; returned: unknown; answers: Record<string, unknown> }> {
  const { ctx, exportName } = run;
  const call = await runCase(run, c, false);
  const problem = outcomeUnlessReturned(call, ctx, replay);
  if (problem) return { kind: "outcome", outcome: problem };
  const returned = (call as { value: unknown }).value;
  const form = judgeOutputs(c, returned, names, { atol: Number.MAX_VALUE, rtol: 0 });
  if (!form.ok) {
    const diagnosis = await diagnoseFailure(ctx, c, returned, names);
    return {
      kind: "outcome",
      outcome: {
        status: "failed",
        message: `${exportName}: ${form.message}`,
        ...(form.details ? { details: form.details } : {}),
        ...(diagnosis ? { diagnosis } : {}),
        replay,
      },
    };
  }
  return { kind: "returned", call, returned, answers: returned as Record<string, unknown> };
}

/**
 * Step 2: the forward to differentiate on the case (whose-forward.ts) and the reference's, which
 * takes over where the student's misbehaves; under "student-always", a forward that did not return on the case
 * itself leaves nothing to differentiate: the outcome. `full` is the student's call of step 1
 * (a layer's forward is a call of its own).
 */
async function forwardsFor(
  run: TestRun,
  c: Case,
  full: CallResult,
  replay: Replay,
): Promise<{ kind: "outcome"; outcome: Outcome } | { kind: "chosen"; chosen: WhoseForward; reference: Evaluate }> {
  const { ctx, exportName } = run;
  const rule = ctx.policy.gradcheckForward;
  const forwardCall = isLayer(c.target) ? await runCase(run, c, true) : full;
  const who = forwardName(c.target, exportName);
  const reason = reasonAgainst(forwardCall, who, (value) => judgeOutputs(c, value, [forwardOutput(c.target)], ctx.manifest.tolerances.golden).ok);
  if (rule === "student-always" && reason && forwardCall.kind !== "returned") {
    // there is no other forward to differentiate: the test cannot be checked here
    const problem = outcomeUnlessReturned(forwardCall, ctx, replay);
    if (problem?.status !== "failed") return { kind: "outcome", outcome: problem! };
    return {
      kind: "outcome",
      outcome: {
        ...problem,
        message: `${exportName}: cannot be checked here: ${problem.message}`,
        details: [problem.details, kitForwardText(c.target, exportName)].filter(Boolean).join("\n"),
        replay,
      },
    };
  }
  const reference = referenceForward(run, c);
  return { kind: "chosen", chosen: chooseForward(reason, rule, studentForward(run, c, forwardCall, who), reference), reference };
}

/** The outcome of a case that failed at h and on every retry: its worst output's text, the diagnosis, the counts so far. */
async function failedCase(
  run: TestRun,
  c: Case,
  golden: boolean,
  m: Judged,
  o: { plan: ProbePlan; skipped: number; returned: unknown; names: string[]; replay: Replay },
): Promise<Outcome> {
  const { ctx, exportName, visible } = run;
  const diagnosis = await diagnoseFailure(ctx, c, o.returned, o.names);
  const seeds = { case: visible || golden ? c.seed : null, draws: visible && o.plan.sampled ? `${ctx.seed}:${c.id}` : null };
  return {
    status: "failed",
    ...failureText(exportName, c, m.failing[0], {
      h: run.h,
      tol: run.tol,
      forward: m.forward,
      forwardRule: ctx.policy.gradcheckForward,
      retries: m.retries,
      worstRatio: m.worstRatio,
      skipped: o.skipped,
      seeds,
    }),
    ...(diagnosis ? { diagnosis } : {}),
    replay: o.replay,
    extra: { gradcheck: extraOf(run.tally) },
  };
}
