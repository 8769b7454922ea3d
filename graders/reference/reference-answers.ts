/**
 * What the grader asks of the reference: its answer to a case (runCase's plain data: matrices as
 * number[][]), and nothing else. Every use of the reference goes through one ReferenceAnswers:
 * the live one (graders/reference/live-reference.ts) runs the reference in the grader's process; the starter
 * kit, which must hold no reference code, replaces that module with answers recorded when the
 * kit was made (graders/reference/recorded-reference.ts, recording-reference.ts).
 *
 * The kit grades, and its answers are recorded, under the kit's GradingPolicy
 * (graders/reference/grading-policy.ts): then no check asks the reference about values that depend
 * on the student's own answers (which could not have been recorded). Every other question depends
 * on the case alone, so a correct solution's grading, plus the diagnosis catalog on every case,
 * asks all of them.
 */
import { createHash } from "node:crypto";
import type { Case } from "../cases/case";
import { sortedKeys } from "../sorted-keys";

export interface ReferenceRunOptions {
  /** Layers: the forward only ({ out }). */
  forwardOnly?: boolean;
  /** A graph case run the wrong way (the diagnosis catalog's: reference/graph-walk.ts) instead of by the reference graph. */
  walk?: GraphWalk;
}

/** A wrong way to run a graph: over the nodes in a student's possible order, gradients added at branches or overwritten. */
export interface GraphWalk {
  order: "given" | "kahn" | "dfs";
  overwrite: boolean;
}

export interface ReferenceAnswers {
  /** The reference's outputs on the case, under the names of the case's `expected`. Throws UnrecordedAnswerError in the starter kit when the answer was not recorded. */
  run(c: Case, options?: ReferenceRunOptions): Record<string, unknown>;
}

/** Thrown in the starter kit for a question whose answer was not recorded: never the student's fault. */
export class UnrecordedAnswerError extends Error {
  constructor(readonly target: string) {
    super(
      `the starter kit cannot check this offline (the reference's answer on this ${target} case was not recorded when the kit was made); the course's grader will check it`,
    );
    this.name = "UnrecordedAnswerError";
  }
}

/** A number JSON can carry: -0, NaN and ±Infinity as tagged strings, so a key or an answer keeps them. */
function tagged(_key: string, v: unknown): unknown {
  if (typeof v !== "number") return v;
  if (Object.is(v, -0)) return "$-0";
  return Number.isFinite(v) ? v : `$${v}`;
}

/** The answer as JSON text (non-finite numbers and -0 kept). */
export function encodeAnswer(answer: Record<string, unknown>): string {
  return JSON.stringify(answer, tagged);
}

/** An answer read back from encodeAnswer's text. */
export function decodeAnswer(text: string): Record<string, unknown> {
  return JSON.parse(text, (_key, v) => (typeof v === "string" && /^\$(-0|NaN|-?Infinity)$/.test(v) ? (v === "$-0" ? -0 : Number(v.slice(1))) : v));
}

/**
 * The question a run asks, as a short id: the SHA-256 of the target, the inputs and the options
 * (not the case's id, seed or expected values), keys sorted at every depth.
 */
export function questionId(c: Case, options: ReferenceRunOptions = {}): string {
  const text = JSON.stringify(
    sortedKeys({ target: c.target, inputs: c.inputs, forwardOnly: options.forwardOnly === true, ...(options.walk ? { walk: options.walk } : {}) }),
    tagged,
  );
  return createHash("sha256").update(text).digest("hex").slice(0, 32);
}

/** The starter kit's file of recorded answers, in the grader's root (graders/paths.ts). */
export const RECORDED_ANSWERS_FILE = "reference-answers.json";

/** What that file holds: each question's answer, by questionId, with numbers tagged as encodeAnswer does. */
export interface RecordedAnswers {
  format: 1;
  assignment: string;
  answers: Record<string, unknown>;
}
