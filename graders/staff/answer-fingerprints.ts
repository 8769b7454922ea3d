/**
 * A compact fingerprint of a student's answers on the hidden cases, for the staff's
 * identical-outputs signal (signals.ts): per export, a short hash of each hidden case's answer
 * with its numbers rounded to 6 significant digits (two codes that compute the same thing in
 * another order still agree; two that compute different things do not), and how many of those
 * answers the reference would not accept.
 *
 * Staff-only: kept out of the SubmissionResult (so out of results.json, the JUnit and the
 * terminal), written to OUT/<student>/staff-answers.json beside the student's results. A
 * student graded before this file existed (a `--resume` of an older output) has none, and gets
 * no identical-outputs signal.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** The file in a student's output folder. */
export const STAFF_ANSWERS = "staff-answers.json";

export interface ExportAnswers {
  /** The hidden cases' ids, in the order drawn. */
  cases: string[];
  /** One hash per case, null where the code gave no answer (threw, timed out, never ran). */
  answers: (string | null)[];
  /** How many answers the reference's tolerance rejects. */
  wrong: number;
}

/** Per export that has a hidden test. */
export type AnswerFingerprints = Record<string, ExportAnswers>;

const SIGNIFICANT = 6;
const MAX_DEPTH = 6;

/** The answer reduced to what matters: numbers rounded, keys sorted, anything else by type. */
function canonical(v: unknown, depth: number): unknown {
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return String(v);
    const r = Number(v.toPrecision(SIGNIFICANT));
    return r === 0 ? 0 : r; // -0 and 0 alike
  }
  if (typeof v === "string" || typeof v === "boolean" || v === null) return v;
  if (depth >= MAX_DEPTH || typeof v !== "object") return `<${typeof v}>`;
  if (Array.isArray(v)) return v.map((x) => canonical(x, depth + 1));
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, canonical((v as Record<string, unknown>)[k], depth + 1)]),
  );
}

/** The fingerprint of one answer's outputs `names` (the rest of what the code returned is ignored). */
export function fingerprintAnswer(value: unknown, names: string[]): string {
  const picked =
    typeof value === "object" && value !== null && !Array.isArray(value)
      ? names.map((n) => canonical((value as Record<string, unknown>)[n], 0))
      : canonical(value, 0);
  return createHash("sha256").update(JSON.stringify(picked)).digest("hex").slice(0, 16);
}

/** A student's fingerprints from their output folder, or null when there are none (or unreadable). */
export function readAnswerFingerprints(studentOut: string): AnswerFingerprints | null {
  try {
    const data = JSON.parse(readFileSync(join(studentOut, STAFF_ANSWERS), "utf8")) as { answers?: AnswerFingerprints };
    return data.answers && typeof data.answers === "object" ? data.answers : null;
  } catch {
    return null;
  }
}

/** What the staff file holds: the fingerprints, and a word on what they are. */
export function staffAnswersJson(answers: AnswerFingerprints): string {
  return `${JSON.stringify({ note: "staff only: hashes of this student's answers on the hidden cases, for the identical-outputs signal; never give this file to students", answers })}\n`;
}
