/**
 * Recording the reference's answers for a starter kit: a ReferenceAnswers that asks the live
 * reference, keeps each question's answer, and answers as the kit's replay will (the answer read
 * back from its JSON). It is offline, so the grading that records follows the kit's own paths
 * (graders/reference/reference-answers.ts): what it asks is what the kit will ask.
 */
import { type Case, type AssignmentName } from "../cases/case";
import { type RecordedAnswers, type ReferenceAnswers, type ReferenceRunOptions, decodeAnswer, encodeAnswer, questionId } from "./reference-answers";

export class RecordingReference implements ReferenceAnswers {
  readonly offline = true;
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
