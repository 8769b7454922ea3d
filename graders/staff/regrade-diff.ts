/**
 * What a regrade changed: a class's results against an earlier grading of the same assignment
 * (`npm run grade -- … --compare PREV_OUT`). A TA who fixed a test or a tolerance sees whose
 * score moved, and why, before publishing: per student the score before and after, per test
 * whether it was added, removed, changed outcome or changed points. As data; the CSV, the
 * terminal summary and the report's section render it.
 */
import { stringify } from "csv-stringify/sync";
import { cleanText, formatPoints } from "../results/prose";
import type { Status, SubmissionResult, TestResult } from "../result-model";

/** One test's change, matched by the test's full name. */
export type TestChange =
  | { kind: "added"; test: string; after: { status: Status; score: number; points: number } }
  | { kind: "removed"; test: string; before: { status: Status; score: number; points: number } }
  /** The test is in both: its outcome, its points (the test's weight), or both changed. */
  | {
      kind: "changed";
      test: string;
      before: { status: Status; score: number; points: number };
      after: { status: Status; score: number; points: number };
    };

interface StudentChange {
  student: string;
  /** null: the student was not in that grading (a folder added or removed since). */
  before: { score: number; maxScore: number } | null;
  after: { score: number; maxScore: number } | null;
  tests: TestChange[];
}

export interface RegradeDiff {
  /** The earlier output folder, as given on the command line. */
  previous: string;
  /** Students whose score or any test changed, in student order. */
  changed: StudentChange[];
  /** How many students were compared (in either grading). */
  compared: number;
}

const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const totals = (r: SubmissionResult) => ({ score: r.tests.reduce((a, t) => a + t.score, 0), maxScore: r.tests.reduce((a, t) => a + t.test.points, 0) });
const side = (t: TestResult) => ({ status: t.outcome.status, score: t.score, points: t.test.points });

function testChanges(before: SubmissionResult | undefined, after: SubmissionResult | undefined): TestChange[] {
  const old = new Map((before?.tests ?? []).map((t) => [t.test.name, t]));
  const now = new Map((after?.tests ?? []).map((t) => [t.test.name, t]));
  const changes: TestChange[] = [];
  // In the new grading's order, then the removed tests in the old one's.
  for (const [name, t] of now) {
    const o = old.get(name);
    if (!o) changes.push({ kind: "added", test: name, after: side(t) });
    else if (o.outcome.status !== t.outcome.status || o.score !== t.score || o.test.points !== t.test.points)
      changes.push({ kind: "changed", test: name, before: side(o), after: side(t) });
  }
  for (const [name, o] of old) if (!now.has(name)) changes.push({ kind: "removed", test: name, before: side(o) });
  return changes;
}

/** Compare a class's results with an earlier grading's; students matched by id, tests by name. */
export function regradeDiff(previous: string, before: SubmissionResult[], after: SubmissionResult[]): RegradeDiff {
  const old = new Map(before.map((r) => [r.student, r]));
  const now = new Map(after.map((r) => [r.student, r]));
  const students = [...new Set([...old.keys(), ...now.keys()])].sort(byCodeUnits);
  const changed: StudentChange[] = [];
  for (const student of students) {
    const b = old.get(student);
    const a = now.get(student);
    const tests = testChanges(b, a);
    const bt = b ? totals(b) : null;
    const at = a ? totals(a) : null;
    const scoreMoved = bt === null || at === null || bt.score !== at.score || bt.maxScore !== at.maxScore;
    if (scoreMoved || tests.length > 0) changed.push({ student, before: bt, after: at, tests });
  }
  return { previous, changed, compared: students.length };
}

const score = (s: { score: number; maxScore: number } | null) => (s === null ? "–" : `${formatPoints(s.score)}/${formatPoints(s.maxScore)}`);
const STATUS_WORD: Record<Status, string> = { passed: "passed", failed: "failed", "could-not-check": "could not check", "grader-error": "grader error" };

/** One test's change in words: "affineBackward: …: failed → passed (0 → 2 of 2 points)". */
export function testChangeText(c: TestChange): string {
  if (c.kind === "added") return `${c.test}: added (${STATUS_WORD[c.after.status]}, ${formatPoints(c.after.score)}/${formatPoints(c.after.points)})`;
  if (c.kind === "removed") return `${c.test}: removed (was ${STATUS_WORD[c.before.status]}, ${formatPoints(c.before.score)}/${formatPoints(c.before.points)})`;
  const what: string[] = [];
  if (c.before.status !== c.after.status) what.push(`${STATUS_WORD[c.before.status]} → ${STATUS_WORD[c.after.status]}`);
  if (c.before.points !== c.after.points) what.push(`worth ${formatPoints(c.before.points)} → ${formatPoints(c.after.points)} points`);
  what.push(`scored ${formatPoints(c.before.score)} → ${formatPoints(c.after.score)}`);
  return `${c.test}: ${what.join(", ")}`;
}

/** What happened to the student as a whole, when the tests alone do not say it. */
function presence(s: StudentChange): string[] {
  if (s.before === null) return ["new student (not in the earlier grading)"];
  if (s.after === null) return ["not in this grading (graded before)"];
  return [];
}

/** OUT/changes.csv: one row per student whose score or any test changed. */
export function toChangesCsv(diff: RegradeDiff): string {
  const rows = diff.changed.map((s) => [
    s.student,
    s.before === null ? "" : formatPoints(s.before.score),
    s.after === null ? "" : formatPoints(s.after.score),
    s.before === null ? "" : formatPoints(s.before.maxScore),
    s.after === null ? "" : formatPoints(s.after.maxScore),
    String(s.tests.length),
    [...presence(s), ...s.tests.map(testChangeText)].join("; "),
  ]);
  return stringify([["student", "before", "after", "max_before", "max_after", "tests_changed", "changes"], ...rows]);
}

/** The terminal's summary: one line, then one line per changed student (at most `limit`). */
export function regradeSummary(diff: RegradeDiff, limit = 20): string {
  const clean = (t: string) => cleanText(t).replace(/[\n\t]/g, " ");
  if (diff.changed.length === 0)
    return `regrade: nothing changed since ${diff.previous} (${diff.compared} student${diff.compared === 1 ? "" : "s"} compared: same scores, same test outcomes and points)`;
  const n = diff.changed.length;
  const lines = diff.changed.slice(0, limit).map(
    (s) =>
      `  ${clean(s.student)}: ${score(s.before)} → ${score(s.after)}${s.tests.length > 0 ? ` (${s.tests.length} test${s.tests.length === 1 ? "" : "s"} changed)` : ""}${presence(
        s,
      )
        .map((p) => `, ${p}`)
        .join("")}`,
  );
  if (n > limit) lines.push(`  … and ${n - limit} more`);
  return [`regrade: ${n} student${n === 1 ? "" : "s"} changed since ${diff.previous}:`, ...lines].join("\n");
}
