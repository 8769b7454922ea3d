/**
 * The starter kit's reference: what the kit's build puts in place of graders/reference/live-reference.ts (no
 * reference code). It answers from the answers recorded when the kit was made
 * (RECORDED_ANSWERS_FILE in the grader's root, written by scripts/kit.ts with
 * graders/reference/recording-reference.ts); a question that was not recorded is an UnrecordedAnswerError,
 * which the grading reports as "the kit cannot check this offline", never as the student's fault.
 */
import { readFileSync } from "node:fs";
import { rootPath } from "../paths";
import { RECORDED_ANSWERS_FILE, type RecordedAnswers, type ReferenceAnswers, UnrecordedAnswerError, decodeAnswer, questionId } from "./reference-answers";

/** The answers recorded in `file` (read once, when the first question comes). */
export function recordedReference(file: string): ReferenceAnswers {
  let recorded: Map<string, string> | undefined;
  /** Each answer kept as its JSON text, so every answer handed out is a fresh copy. */
  const answers = (): Map<string, string> => {
    if (!recorded) {
      const data = JSON.parse(readFileSync(file, "utf8")) as RecordedAnswers;
      recorded = new Map(Object.entries(data.answers).map(([id, answer]) => [id, JSON.stringify(answer)]));
    }
    return recorded;
  };
  return {
    run(c, options = {}) {
      const text = answers().get(questionId(c, options));
      if (text === undefined) throw new UnrecordedAnswerError(c.target);
      return decodeAnswer(text);
    },
  };
}

/**
 * In the kit, the answers beside its self-check. Nothing imports it by name: the kit's build puts
 * this module where graders/reference/live-reference.ts is (scripts/kit.ts, aliases), so this
 * export stands in for live-reference.ts's `referenceAnswers`.
 * @public
 */
export const referenceAnswers: ReferenceAnswers = recordedReference(rootPath(RECORDED_ANSWERS_FILE));
