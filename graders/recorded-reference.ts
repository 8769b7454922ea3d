/**
 * The starter kit's reference: what the kit's build puts in place of graders/reference.ts (no
 * reference code). It answers from the answers recorded when the kit was made
 * (RECORDED_ANSWERS_FILE in the grader's root, written by scripts/kit.ts with
 * graders/recording-reference.ts); a question that was not recorded is an UnrecordedAnswerError,
 * which the grading reports as "the kit cannot check this offline", never as the student's fault.
 */
import { readFileSync } from "node:fs";
import { rootPath } from "./paths";
import { RECORDED_ANSWERS_FILE, type RecordedAnswers, type ReferenceAnswers, UnrecordedAnswerError, decodeAnswer, questionId } from "./reference-answers";

let recorded: Map<string, string> | undefined;

/** The recorded answers, read once; each kept as its JSON text, so every answer handed out is a fresh copy. */
function answers(): Map<string, string> {
  if (!recorded) {
    const file = JSON.parse(readFileSync(rootPath(RECORDED_ANSWERS_FILE), "utf8")) as RecordedAnswers;
    recorded = new Map(Object.entries(file.answers).map(([id, answer]) => [id, JSON.stringify(answer)]));
  }
  return recorded;
}

export const referenceAnswers: ReferenceAnswers = {
  offline: true,
  run(c, options = {}) {
    const text = answers().get(questionId(c, options));
    if (text === undefined) throw new UnrecordedAnswerError(c.target);
    return decodeAnswer(text);
  },
};
