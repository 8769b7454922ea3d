/**
 * Recording the reference's answers for a starter kit: a ReferenceAnswers that asks the live
 * reference, keeps each question's answer, and answers as the kit's replay will (the answer read
 * back from its JSON). The grading that records runs under the kit's policy (KIT_POLICY,
 * graders/reference/grading-policy.ts), so it follows the kit's own paths: what it asks is what the
 * kit will ask.
 */
import { type Case, type AssignmentName } from "../cases/case";
import { type RecordedAnswers, type ReferenceAnswers, type ReferenceRunOptions, decodeAnswer, encodeAnswer, questionId } from "./reference-answers";

export class RecordingReference implements ReferenceAnswers {
  private readonly answers = new Map<string, string>();

  constructor(private readonly live: ReferenceAnswers) {}

  run(c: Case, options: ReferenceRunOptions = {}): Record<string, unknown> {
    const text = encodeAnswer(this.live.run(c, options));
    this.answers.set(questionId(c, options), text);
    return decodeAnswer(text);
  }

  /** How many distinct questions were asked. */
  get size(): number {
    return this.answers.size;
  }

  /** Everything asked so far, as the kit's file holds it (sorted by id: the same questions make the same file). */
  recorded(assignment: AssignmentName): RecordedAnswers {
    const ids = [...this.answers.keys()].sort();
    return { format: 1, assignment, answers: Object.fromEntries(ids.map((id) => [id, JSON.parse(this.answers.get(id)!)])) };
  }
}
