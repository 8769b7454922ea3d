/**
 * Compositions: an export built on another export of the contract (linearSoftmaxLoss on
 * softmaxLoss) whose answer is what the student's own inner export gives is told to fix the inner
 * export first, instead of being matched against the catalog.
 */
import type { Case, Mat, Target } from "../../cases/case";
import { add, mmul, scale, sumSquares, transpose } from "../../cases/mat";
import { judgeOutputs } from "../compare";
import type { Tolerance } from "../tolerance";
import { labelsOf, matrixInput } from "./case-data";
import { exportOutputs, matchesWrongVariant } from "./match";
import { isMat } from "./values";
import type { Answer } from "./variant";

/**
 * An export that calls another export of the contract (linearSvmLoss → svmLoss, linearSoftmaxLoss
 * → softmaxLoss): when the outer answer is what the reference's outer computation gives on the
 * student's OWN inner answer, the outer code is right and the bug is the inner one's.
 */
export interface Composition {
  outer: Target;
  /** The inner export (and target). */
  inner: Target & string;
  /** The inner case the outer case makes (the scores X·W, the labels y). */
  innerCase(c: Case): Case;
  /** The outer answer built from the inner answer (untrusted data), as the reference's outer code does; null when it cannot be read. */
  compose(c: Case, inner: unknown): Answer | null;
}

function linearOn(loss: "svmLoss" | "softmaxLoss"): Composition {
  return {
    outer: loss === "svmLoss" ? "linearSvmLoss" : "linearSoftmaxLoss",
    inner: loss,
    innerCase: (c) => ({
      id: `${c.id}/scores`,
      target: loss,
      exports: [loss],
      seed: c.seed,
      inputs: { scores: mmul(matrixInput(c, "X"), matrixInput(c, "W")), y: labelsOf(c) },
      expected: {},
    }),
    compose: (c, inner) => {
      if (typeof inner !== "object" || inner === null) return null;
      const { loss: innerLoss, dscores } = inner as Answer;
      const X = matrixInput(c, "X");
      const W = matrixInput(c, "W");
      if (
        typeof innerLoss !== "number" ||
        !isMat(dscores) ||
        dscores.length !== X.length ||
        !dscores.every((r) => Array.isArray(r) && r.length === W[0].length && r.every((v) => typeof v === "number"))
      )
        return null;
      const reg = c.inputs.reg as number;
      return { loss: innerLoss + reg * sumSquares(W), dW: add(mmul(transpose(X), dscores as Mat), scale(W, 2 * reg)) };
    },
  };
}

/** Every composition the catalog knows, by outer target. */
export const COMPOSITIONS: Partial<Record<Target, Composition>> = { linearSvmLoss: linearOn("svmLoss"), linearSoftmaxLoss: linearOn("softmaxLoss") };

/** The student's own answer of the inner export on the composition's inner case (untrusted data). */
export interface InnerAnswer {
  exportName: string;
  answer: unknown;
}

/** "<outer> matches what your <inner> gives", when the outer answer is the outer computation on the student's own inner answer and that is wrong. */
export function composedText(c: Case, exportName: string, returned: unknown, tol: Tolerance, inner: InnerAnswer): string | undefined {
  const composition = COMPOSITIONS[c.target];
  if (!composition || composition.inner !== inner.exportName || typeof returned !== "object" || returned === null) return undefined;
  const composed = composition.compose(c, inner.answer);
  if (!composed) return undefined;
  const outputs = exportOutputs(c, exportName);
  if (judgeOutputs(c, composed, outputs, tol).ok) return undefined; // the inner answer is right here: it explains no failure
  if (!outputs.every((o) => matchesWrongVariant((returned as Answer)[o], composed[o], tol, "values"))) return undefined;
  return `${exportName} matches what your ${composition.inner} gives: fix ${composition.inner} first (${exportName} is right on top of it: its loss and dW are what your ${composition.inner} gives on the scores X·W, plus the reg term, and your ${composition.inner} is wrong on those scores)`;
}
