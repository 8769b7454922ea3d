/**
 * The cases every student of a grading process is graded on, computed once per process, not once
 * per student (a batch grades many students on the same cases): the golden cases as loaded and
 * validated, and the hidden cases of each secret, whose expected values are the reference's
 * answers. Cases are never modified.
 */
import type { AssignmentName, Case } from "../cases/case";
import { goldenPath } from "../cases/golden";
import { loadCaseFile } from "../cases/load";
import { planCases } from "../cases/plan";
import { HIDDEN_SEED_PREFIX } from "../secret";

const goldenCases = new Map<AssignmentName, Case[]>();
const hiddenCases = new Map<string, Case[]>();
/** How many (assignment, secret) plans are kept: a long-lived process that grades with many secrets stays bounded. */
const HIDDEN_KEPT = 16;

/** The committed golden cases of `assignment`. */
export function goldenOf(assignment: AssignmentName): Case[] {
  let cases = goldenCases.get(assignment);
  if (!cases) goldenCases.set(assignment, (cases = loadCaseFile(goldenPath(assignment)).cases));
  return cases;
}

/** The hidden cases of `assignment`, drawn from `secret`. */
export function hiddenOf(assignment: AssignmentName, secret: string): Case[] {
  const key = `${assignment}|${secret}`;
  let cases = hiddenCases.get(key);
  if (!cases) {
    cases = planCases(assignment, `${HIDDEN_SEED_PREFIX}${secret}`);
    if (hiddenCases.size >= HIDDEN_KEPT) hiddenCases.delete(hiddenCases.keys().next().value as string);
    hiddenCases.set(key, cases);
  }
  return cases;
}
