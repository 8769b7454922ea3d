/**
 * Judging one answer against the expected value, in the grader's process. First what the answer
 * is, checked for the answer's form (answer-form.ts: the right keys, matrices of the right
 * shape, finite numbers), then how close it is:
 * entry k passes when |a_k − e_k| ≤ atol·max(1, max|e|) + rtol·|e_k| (written so NaN fails).
 * The verdict is data; its message names the output, expected versus actual, and the worst entry.
 */
import type { Case, GraphSpec, Mat } from "../cases/case";
import { formatNumber as num } from "../format-number";
import { answerProblem } from "./answer-form";
import { type Tolerance, cs231nRelError, toleranceRatio, toleranceText } from "./tolerance";

export type Verdict = { ok: true } | { ok: false; message: string; details?: string };

/** The entries of `actual` against `expected`, both flat; null when all pass. */
function worstEntry(name: string, labels: string[], actual: number[], expected: number[], tol: Tolerance): Verdict {
  const scale = expected.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  let bad = 0;
  let worst = -1;
  let worstRatio = -1;
  expected.forEach((e, k) => {
    const ratio = toleranceRatio(actual[k], e, scale, tol);
    if (!(ratio <= 1)) bad++;
    if (ratio > worstRatio) [worstRatio, worst] = [ratio, k];
  });
  if (bad === 0) return { ok: true };
  const a = actual[worst];
  const e = expected[worst];
  return {
    ok: false,
    message: `${name}${labels[worst]} = ${num(a)}, expected ${num(e)}${expected.length > 1 ? ` (${bad} of ${expected.length} entries differ)` : ""}`,
    details: [
      `worst entry ${name}${labels[worst]}: yours ${a}, reference ${e}`,
      `difference ${Math.abs(a - e).toExponential(2)}, CS231n relative error ${cs231nRelError(a, e).toExponential(2)}`,
      `tolerance: ${toleranceText(tol, { actual: "yours", expected: "reference", scale: "max|reference|" })}`,
    ].join("\n"),
  };
}

/** A matrix answer of the validated shape: its entries against the expected ones. */
function judgeMatrix(name: string, actual: Mat, expected: Mat, tol: Tolerance): Verdict {
  const labels = expected.flatMap((r, i) => r.map((_, j) => `[${i}][${j}]`));
  return worstEntry(name, labels, actual.flat(), expected.flat(), tol);
}

/** A gate's or a graph's validated gradients: one number per input, as an array or by input name. */
function judgeGrads(c: Case, actual: number[] | Record<string, number>, expected: number[] | Record<string, number>, tol: Tolerance): Verdict {
  if (Array.isArray(expected))
    return worstEntry(
      "gradient",
      expected.map((_, i) => `[${i}]`),
      actual as number[],
      expected,
      tol,
    );
  const inputs = (c.inputs.graph as GraphSpec).inputs;
  const got = actual as Record<string, number>;
  return worstEntry(
    "grads",
    inputs.map((n) => `.${n}`),
    inputs.map((n) => got[n]),
    inputs.map((n) => expected[n]),
    tol,
  );
}

/**
 * Judge the outputs `names` of one run of a case. `returned` is what the sandbox sent back:
 * untrusted data, validated here before any comparison.
 */
export function judgeOutputs(c: Case, returned: unknown, names: string[], tol: Tolerance): Verdict {
  const problem = answerProblem(c, returned, names); // the answer's form (answer-form.ts): required outputs, shapes, finite numbers
  if (problem) return problem;
  const got = returned as Record<string, unknown>;
  for (const name of names) {
    const expected = c.expected[name];
    const actual = got[name];
    let v: Verdict;
    if (name === "grads") v = judgeGrads(c, actual as number[] | Record<string, number>, expected as number[] | Record<string, number>, tol);
    else if (typeof expected === "number") v = worstEntry(name, [""], [actual as number], [expected], tol);
    else v = judgeMatrix(name, actual as Mat, expected as Mat, tol);
    if (!v.ok) return v;
  }
  return { ok: true };
}
