/**
 * Diagnoses: when an answer is wrong, compare it with a catalog of known wrong variants of the
 * reference (transposed, a missing or extra 1/N, reg·W for 2·reg·W, a sign flip, a bias summed
 * over the wrong axis, a ReLU mask on dout, a gradient that ignores dout …) and, when one matches,
 * name the likely cause in plain words.
 *
 * Each variant is data: { id, target, outputs, when?, compute(case) → the wrong outputs, text }.
 * compute is a pure function of the case's inputs, built from the reference (its answers on
 * transformed inputs, asked through the ReferenceAnswers it is given, or the case's expected values
 * transformed), so variants cost nothing until a test fails.
 *
 * A likely cause is a claim, not a hint. A variant determines the whole answer of the export (the
 * outputs it changes as compute gives them, every other output as the reference's), and an answer
 * matches it only when EVERY output matches, under the judge's own tolerance
 * (|yours − variant| ≤ atol·max(1, max|variant|) + rtol·|variant|, shapes equal: a transposed dw is
 * compared with the reference's dw transposed). A variant whose answer would pass the judge on the
 * case shows no bug there and is never a candidate. The text is shown only when one bug matches:
 * two different variants matching alike (not recorded as `equivalent`) name neither. An export
 * built on another one (a Composition: linearSoftmaxLoss on softmaxLoss) whose answer is what the
 * student's own inner export gives is told to fix the inner export first.
 * test/unit/judge/diagnose-confusion.test.ts proves every variant is named by itself only.
 *
 * This folder, one concept per file: variant.ts (what a variant is), the variants of each
 * assignment (gates.ts, layers.ts, classifiers.ts, two-layer-net.ts, and regularized-loss.ts shared
 * by the regularized losses) assembled in catalog.ts, with what they read from a case
 * (case-data.ts), their shared texts (text.ts) and value helpers (values.ts); match.ts matches an
 * answer against them (memoized-reference.ts asks the reference each question once);
 * composition.ts names an inner export's bug; this file, the public functions.
 */
import type { Case, Target } from "../../cases/case";
import type { ReferenceAnswers } from "../../reference/reference-answers";
import { judgeOutputs } from "../compare";
import type { Tolerance } from "../tolerance";
import { CATALOG } from "./catalog";
import { type InnerAnswer, composedText } from "./composition";
import { exportOutputs, matchingVariants, theOneBug } from "./match";
import { shapeOf } from "./values";
import type { Answer, WrongVariant } from "./variant";

export { CATALOG } from "./catalog";
export { COMPOSITIONS, type InnerAnswer } from "./composition";
export { matchingVariants, shows, variantAnswer } from "./match";
export { type WrongVariant, variantKey } from "./variant";

/**
 * The likely cause of a wrong answer of `exportName` on case `c`: the text of the one known wrong
 * variant the whole answer matches (matchingVariants), about `output` (the first output the judge
 * fails); undefined when none matches, or when variants that are different bugs match alike.
 * Never throws.
 */
function diagnoseOutput(c: Case, exportName: string, output: string, returned: unknown, tol: Tolerance, reference: ReferenceAnswers): string | undefined {
  try {
    const v = theOneBug(matchingVariants(c, exportName, returned, tol, reference));
    return v && variantText(v, c, exportName, output, returned);
  } catch {
    return undefined;
  }
}

/** A variant's text about `output` of the answer (or about the first output it changes, when it leaves `output` alone). */
export function variantText(v: WrongVariant, c: Case, exportName: string, output: string, returned: unknown): string {
  const shown = v.outputs.includes(output) ? output : v.outputs.find((o) => exportOutputs(c, exportName).includes(o))!;
  return v.text({ exportName, output: shown, c, actualShape: shapeOf((returned as Answer)[shown]) });
}

/**
 * Compute every variant of the catalog that applies to case `c`, as a diagnosis of any failure
 * on it would: the starter kit's build runs this with a recording reference, so that the kit can
 * diagnose offline whatever a student gets wrong on the case (a composition asks the student, not
 * the reference).
 */
export function computeCatalog(c: Case, reference: ReferenceAnswers): void {
  for (const v of CATALOG) {
    if (v.target !== c.target) continue;
    try {
      if (!v.when || v.when(c)) v.compute(c, reference);
    } catch {
      // as diagnoseOutput: such a variant says nothing
    }
  }
}

/**
 * Diagnose a failed comparison: `returned` is what the student's code returned for case `c`,
 * `names` the outputs the test judged (in the judge's order). When one of them fails under `tol`,
 * the whole answer is compared with the catalog (matchingVariants), whose variants ask
 * `reference`; `inner`, the student's own answer of the export `exportName` calls (a
 * Composition), comes first: when it explains the answer, the inner export is named instead.
 * Pure; cheap (called only after a failure); never throws.
 */
export function diagnose(
  c: Case,
  exportName: string,
  returned: unknown,
  names: string[],
  tol: Tolerance,
  reference: ReferenceAnswers,
  inner?: InnerAnswer,
): string | undefined {
  try {
    if (typeof returned !== "object" || returned === null) return undefined;
    const output = names.find((n) => !judgeOutputs(c, returned, [n], tol).ok);
    if (output === undefined) return undefined;
    const composed = inner ? composedText(c, exportName, returned, tol, inner) : undefined;
    return composed ?? diagnoseOutput(c, exportName, output, returned, tol, reference);
  } catch {
    return undefined;
  }
}

/** Which variant ids the catalog knows for a target (for reports and tests). */
export function variantIds(target: Target): string[] {
  return [...new Set(CATALOG.filter((v) => v.target === target).map((v) => v.id))];
}
