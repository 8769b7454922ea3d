/**
 * The secret seed prefix of hidden cases: --seed, else GRADER_SECRET, else the file named by
 * GRADER_SECRET_FILE (kept outside the student kit), else a fresh random one for this run (then
 * the hidden cases differ from run to run; the seed is printed so a run can be replayed).
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";

/** What every seed drawn from the secret begins with (hidden cases, a hidden test's own draws). */
export const HIDDEN_SEED_PREFIX = "hidden:";

export function hiddenSecret(flag: string | undefined): { secret: string; source: string } {
  if (flag) return { secret: flag, source: "--seed" };
  if (process.env.GRADER_SECRET) return { secret: process.env.GRADER_SECRET, source: "GRADER_SECRET" };
  if (process.env.GRADER_SECRET_FILE) {
    return { secret: readFileSync(process.env.GRADER_SECRET_FILE, "utf8").trim(), source: process.env.GRADER_SECRET_FILE };
  }
  return { secret: randomBytes(8).toString("hex"), source: "random (set GRADER_SECRET to fix it)" };
}

/** The secret's file in a Gradescope bundle (npm run bundle --secret-file), at the grader's root. */
export const BUNDLE_SECRET_FILE = "secret.txt";

/**
 * The secret seed inside Gradescope's container: the bundle's secret file, else one derived from
 * Gradescope's submission_metadata.json (the course's and the assignment's ids: fields Gradescope
 * sets, which no student chooses; https://gradescope-autograders.readthedocs.io/en/latest/submission_metadata/),
 * else a random one for this run. A derived seed is the same for every submission and regrade of
 * one assignment and differs between courses and assignments, but anyone who knows the ids (they
 * are in the assignment's URL) and this code can compute it: only a secret file keeps the hidden
 * cases secret. `source` says where the seed came from and never contains it.
 */
export function gradescopeSecret(secretFile: string, metadataFile: string): { secret: string; source: string } {
  let text: string | null;
  try {
    text = readFileSync(secretFile, "utf8").trim();
  } catch {
    text = null;
  }
  if (text) return { secret: text, source: "the bundle's secret file (npm run bundle -- --secret-file)" };
  let metadata: unknown;
  try {
    metadata = JSON.parse(readFileSync(metadataFile, "utf8"));
  } catch {
    metadata = null;
  }
  const assignment = (metadata as { assignment?: { id?: unknown; course_id?: unknown } } | null)?.assignment;
  const id = (v: unknown) => (typeof v === "number" && Number.isSafeInteger(v)) || (typeof v === "string" && /^\d+$/.test(v));
  if (assignment && id(assignment.id) && id(assignment.course_id)) {
    return {
      secret: `gradescope:course-${assignment.course_id}:assignment-${assignment.id}`,
      source: "the course and assignment ids of submission_metadata.json (no secret file in the bundle)",
    };
  }
  return {
    secret: randomBytes(8).toString("hex"),
    source: "random for this run (no secret file in the bundle, no assignment ids in submission_metadata.json)",
  };
}
