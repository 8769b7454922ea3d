/**
 * Matching an answer against the catalog: a variant determines the whole answer of the export
 * (the outputs it changes as it computes them, every other one as the reference's), and an answer
 * matches it only when EVERY output matches, under the judge's own tolerance
 * (|yours − variant| ≤ atol·max(1, max|variant|) + rtol·|variant|, shapes equal). A variant whose
 * answer would pass the judge on the case shows no bug there and is never a candidate; the matches
 * name a bug only when they are all that one bug.
 */
import { type Case, outputsOf } from "../../cases/case";
import { type ReferenceAnswers, UnrecordedAnswerError } from "../../reference/reference-answers";
import { judgeOutputs } from "../compare";
import { type Tolerance, toleranceRatio } from "../tolerance";
import { CATALOG } from "./catalog";
import { memoized } from "./memoized-reference";
import { isMat, shapeOf } from "./values";
import { type Answer, type WrongVariant, variantKey } from "./variant";

/** Whether `actual` equals the variant's `wrong` within the judge's tolerance (shapes equal). */
export function matchesWrongVariant(actual: unknown, wrong: unknown, tol: Tolerance, mode: "values" | "non-finite"): boolean {
  const flat = (v: unknown): number[] | null => {
    if (typeof v === "number") return [v];
    if (isMat(v)) return v.flat() as number[];
    if (Array.isArray(v)) return v as number[];
    return null;
  };
  let answered: unknown[] | null;
  let variantValues: number[] | null;
  if (wrong && typeof wrong === "object" && !Array.isArray(wrong)) {
    // a graph's gradients, by input name
    if (!actual || typeof actual !== "object" || Array.isArray(actual)) return false;
    const keys = Object.keys(wrong);
    answered = keys.map((k) => (actual as Answer)[k]);
    variantValues = keys.map((k) => (wrong as Record<string, number>)[k]);
  } else {
    if (isMat(wrong) && shapeOf(actual) !== shapeOf(wrong)) return false;
    if (isMat(wrong) && !(actual as unknown[][]).every((r) => r.length === wrong[0].length)) return false;
    answered = flat(actual);
    variantValues = flat(wrong);
  }
  if (!answered || !variantValues || answered.length !== variantValues.length || !answered.every((v) => typeof v === "number")) return false;
  const nums = answered as number[];
  // where the variant has NaN or ±Infinity, only that the answer has one too (how a NaN spreads depends on the code)
  if (mode === "non-finite" && variantValues.some((v) => !Number.isFinite(v))) return nums.some((v) => !Number.isFinite(v));
  const scaleOf = Math.max(1, ...variantValues.filter(Number.isFinite).map(Math.abs));
  return variantValues.every((v, k) => {
    if (!Number.isFinite(v)) return !Number.isFinite(nums[k]);
    return toleranceRatio(nums[k], v, scaleOf, tol) <= 1;
  });
}

/** Whether two variants are the same bug for the student: one key, or recorded as equivalent. */
function sameBug(a: WrongVariant, b: WrongVariant): boolean {
  if (a.target !== b.target) return false;
  const [ka, kb] = [variantKey(a), variantKey(b)];
  return ka === kb || (a.equivalent ?? []).includes(kb) || (b.equivalent ?? []).includes(ka);
}

/** The outputs of `exportName` a diagnosis compares: every one the case has (a layer's forward: out; its backward: the gradients). */
export function exportOutputs(c: Case, exportName: string): string[] {
  return outputsOf(c, exportName).filter((o) => c.expected[o] !== undefined);
}

/**
 * The whole answer variant `v` gives on case `c` for the outputs `outputs`: the outputs it
 * changes as it computes them, every other one the reference's (the case's expected value).
 * null when the variant does not apply to the case (its `when`, or it cannot be computed on it).
 */
export function variantAnswer(v: WrongVariant, c: Case, outputs: string[], reference: ReferenceAnswers): Answer | null {
  if (v.when && !v.when(c)) return null;
  const wrong = v.compute(c, reference);
  const answer: Answer = {};
  for (const o of outputs) {
    answer[o] = v.outputs.includes(o) ? wrong[o] : c.expected[o];
    if (answer[o] === undefined) return null;
  }
  return answer;
}

/** Whether variant `v`'s answer shows its bug on case `c`: every output it changes is wrong there (judged as the judge does). */
export function shows(v: WrongVariant, c: Case, answer: Answer, outputs: string[], tol: Tolerance): boolean {
  const changed = v.outputs.filter((o) => outputs.includes(o));
  const wrong = changed.filter((o) => !judgeOutputs(c, answer, [o], tol).ok);
  return wrong.length > 0 && changed.every((o) => wrong.includes(o) || (v.sometimesRight ?? []).includes(o));
}

/** What the catalog found for an answer: the variants it matches, and whether some could not be computed (offline, unrecorded). */
export interface Matches {
  variants: WrongVariant[];
  unknown: boolean;
}

/**
 * Every catalogued variant of `c.target` that the answer `returned` of `exportName` matches:
 * on EVERY output of the export (the loss and each gradient), within `tol`, the outputs the
 * variant changes as it computes them and the others as the reference's. A variant whose own
 * answer would pass the judge on this case shows no bug here and is not a candidate.
 */
export function matchingVariants(
  c: Case,
  exportName: string,
  returned: unknown,
  tol: Tolerance,
  reference: ReferenceAnswers,
  catalog: readonly WrongVariant[] = CATALOG,
): Matches {
  const found: Matches = { variants: [], unknown: false };
  if (typeof returned !== "object" || returned === null) return found;
  const outputs = exportOutputs(c, exportName);
  const known = candidates(c, `${exportName}|${tol.atol}|${tol.rtol}`, reference);
  for (const v of catalog) {
    if (v.target !== c.target || !v.outputs.some((o) => outputs.includes(o))) continue;
    let candidate = known.get(v);
    if (candidate === undefined) {
      candidate = candidateOf(v, c, outputs, tol, memoized(reference));
      known.set(v, candidate);
    }
    if (candidate === "unknown") found.unknown = true;
    else if (candidate !== null && outputs.every((o) => matchesWrongVariant((returned as Answer)[o], candidate[o], tol, candidate.modes[o])))
      found.variants.push(v);
  }
  return found;
}

/** A variant's whole answer on a case, with how each output is matched; null: it shows no bug there; "unknown": offline, its reference answers were not recorded. */
type Candidate = (Answer & { modes: Record<string, "values" | "non-finite"> }) | null | "unknown";

function candidateOf(v: WrongVariant, c: Case, outputs: string[], tol: Tolerance, reference: ReferenceAnswers): Candidate {
  try {
    const answer = variantAnswer(v, c, outputs, reference);
    if (!answer || !shows(v, c, answer, outputs, tol)) return null;
    return Object.assign(answer, { modes: Object.fromEntries(outputs.map((o) => [o, v.outputs.includes(o) ? (v.match ?? "values") : "values"])) });
  } catch (error) {
    // a variant that cannot be computed on this case says nothing; offline, one whose reference
    // answers were not recorded might have matched: then no claim is made at all
    return error instanceof UnrecordedAnswerError ? "unknown" : null;
  }
}

/** The variants' answers already computed, per reference, case object, export and tolerance (a case is never changed once built; a diagnosis, and the confusion matrix, ask again and again). */
const computed = new WeakMap<ReferenceAnswers, WeakMap<Case, Map<string, Map<WrongVariant, Candidate>>>>();
function candidates(c: Case, exportName: string, reference: ReferenceAnswers): Map<WrongVariant, Candidate> {
  // exportName: the export, and the tolerance, as one key
  let byCase = computed.get(reference);
  if (!byCase) computed.set(reference, (byCase = new WeakMap()));
  let byExport = byCase.get(c);
  if (!byExport) byCase.set(c, (byExport = new Map()));
  let known = byExport.get(exportName);
  if (!known) byExport.set(exportName, (known = new Map()));
  return known;
}

/** The one bug the matches name: every match is the same bug (or recorded as equivalent); otherwise none. */
export function theOneBug(m: Matches): WrongVariant | undefined {
  if (m.unknown || m.variants.length === 0) return undefined;
  const [first, ...rest] = m.variants;
  return rest.every((v) => sameBug(first, v)) ? first : undefined;
}
