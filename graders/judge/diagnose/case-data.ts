/**
 * What a variant reads from a case: its inputs, its expected values (the reference's answer), and
 * the reference's answer to the case with some inputs replaced.
 */
import type { Case, Mat, Value } from "../../cases/case";
import type { ReferenceAnswers } from "../../reference/reference-answers";
import type { Answer } from "./variant";

/** The reference's answer to the case with some inputs replaced (a fresh run: nothing is shared). */
export function referenceOn(reference: ReferenceAnswers, c: Case, inputs: Record<string, Value> = {}): Answer {
  return reference.run({ ...c, inputs: { ...c.inputs, ...inputs } });
}
/** The reference's answer to the case itself (the case's expected values). */
export const expectedOf = (c: Case): Answer => c.expected as Answer;
/** A matrix input of the case, by argument name. */
export const matrixInput = (c: Case, name: string) => c.inputs[name] as Mat;
/** The case's minibatch: X, scores or x, one row per example. */
const batchOf = (c: Case) => (c.inputs.X ?? c.inputs.scores ?? c.inputs.x) as Mat;
/** N, the number of examples in the minibatch. */
export const batchSize = (c: Case) => batchOf(c).length;
/** The class labels y of a classifier's case. */
export const labelsOf = (c: Case) => c.inputs.y as number[];
