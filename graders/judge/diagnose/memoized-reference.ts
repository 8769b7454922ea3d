/**
 * A ReferenceAnswers that asks each question once: the variants of one target ask the reference
 * the same questions again and again (its data part at reg = 0, the softmax on the net's scores).
 */
import type { ReferenceAnswers } from "../../reference/reference-answers";
import type { Answer } from "./variant";

/** The memoized reference of each reference (a WeakMap: it goes with the reference). */
const memos = new WeakMap<ReferenceAnswers, ReferenceAnswers>();
/** `reference`, each question asked once (a bounded memory: it forgets everything past 4096 answers). */
export function memoized(reference: ReferenceAnswers): ReferenceAnswers {
  let memo = memos.get(reference);
  if (!memo) {
    const answers = new Map<string, Answer>();
    memo = {
      run(c, options = {}) {
        const key = JSON.stringify([c.target, c.inputs, options]);
        let answer = answers.get(key);
        if (!answer) {
          answer = reference.run(c, options);
          if (answers.size > 4096) answers.clear();
          answers.set(key, answer);
        }
        return answer;
      },
    };
    memos.set(reference, memo);
  }
  return memo;
}
