/**
 * A class's results as the numbers a TA reads before the deadline: the score distribution, the
 * pass rate of every export and test, the likely causes (diagnoses) that hit the most students,
 * and how the tests students can see compare with the ones they cannot. Data only: the class
 * report (report.ts) renders it. Diagnoses are grouped by their cleaned text (prose.ts's
 * cleanText); student ids stay as they are (they are keys): the renderer cleans and escapes both.
 */
import { type Manifest, testSpecs } from "../manifest";
import { type Row, columnsOf, rowsOf } from "./gradebook";
import { cleanText } from "./prose";
import type { Status, SubmissionResult, TestSpec, Visibility } from "../result-model";

export const STATUSES: readonly Status[] = ["passed", "failed", "could-not-check", "grader-error"];

type StatusCounts = Record<Status, number>;

export interface StudentSummary extends Row {
  /** How many of the student's tests ended in each outcome. */
  outcomes: StatusCounts;
}

interface ExportSummary {
  export: string;
  /** The points the export is worth (the manifest's, else the results'). */
  points: number;
  /** Students graded on this export. */
  students: number;
  /** Students who passed every test of this export. */
  passedAll: number;
  /** Mean points earned on this export. */
  meanEarned: number;
}

interface TestSummary {
  test: TestSpec;
  /** Students graded on this test. */
  runs: number;
  outcomes: StatusCounts;
}

/** One export's tests of one visibility, over the whole class. */
interface VisibilitySummary {
  export: string;
  visibility: Visibility;
  /** Test runs (students × tests of this visibility). */
  runs: number;
  passed: number;
}

interface DiagnosisSummary {
  /** The likely cause, as the student reads it (cleaned). */
  diagnosis: string;
  exports: string[];
  /** Students it was given to, sorted. */
  students: string[];
  /** Failed tests that carried it. */
  tests: number;
}

export interface ClassSummary {
  assignment: string;
  title: string;
  /** Sorted by student id, as in gradebook.csv. */
  students: StudentSummary[];
  /** Every export column: the manifest's order, then any export only the results name. */
  exports: ExportSummary[];
  /** The manifest's tests in order, then any test only the results name. */
  tests: TestSummary[];
  visibility: VisibilitySummary[];
  /** Most students first, then by text. */
  diagnoses: DiagnosisSummary[];
  /** Failed tests with no diagnosis (no known wrong variant matched). */
  undiagnosedFailures: number;
  /** Students who passed every visible test but lost points on a test they could not see. */
  lostOnlyUnseen: string[];
  /** Every test run's outcome, over the whole class. */
  outcomes: StatusCounts;
  mean: number;
  median: number;
}

/** part / whole, and 0 for an empty whole (a pass rate of no runs). */
export const share = (part: number, whole: number): number => (whole === 0 ? 0 : part / whole);

const noOutcomes = (): StatusCounts => ({ passed: 0, failed: 0, "could-not-check": 0, "grader-error": 0 });

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function classSummary(results: SubmissionResult[], manifest: Manifest): ClassSummary {
  const columns = columnsOf(results, manifest.parts.map((p) => p.export));
  const rows = rowsOf(results, columns);
  const byStudent = new Map(results.map((r) => [r.student, r]));
  const students: StudentSummary[] = rows.map((row) => {
    const outcomes = noOutcomes();
    for (const t of byStudent.get(row.student)?.tests ?? []) outcomes[t.outcome.status] += 1;
    return { ...row, outcomes };
  });
  const allRuns = results.flatMap((r) => r.tests.map((t) => ({ student: r.student, t })));

  const specs = new Map(testSpecs(manifest).map((s) => [s.name, s]));
  for (const { t } of allRuns) if (!specs.has(t.test.name)) specs.set(t.test.name, t.test);
  const tests: TestSummary[] = [...specs.values()].map((test) => {
    const runs = allRuns.filter(({ t }) => t.test.name === test.name);
    const outcomes = noOutcomes();
    for (const { t } of runs) outcomes[t.outcome.status] += 1;
    return { test, runs: runs.length, outcomes };
  });

  const exports: ExportSummary[] = columns.map((ex, c) => {
    const graded = results.filter((r) => r.tests.some((t) => t.test.export === ex));
    const manifestPoints = manifest.parts.find((p) => p.export === ex)?.tests.reduce((a, t) => a + t.points, 0);
    return {
      export: ex,
      points: manifestPoints ?? Math.max(0, ...students.map((s) => s.parts[c].points)),
      students: graded.length,
      passedAll: graded.filter((r) => r.tests.every((t) => t.test.export !== ex || t.outcome.status === "passed")).length,
      meanEarned: share(students.reduce((a, s) => a + s.parts[c].earned, 0), graded.length),
    };
  });

  const visibility: VisibilitySummary[] = [];
  for (const ex of columns) {
    const runs = allRuns.filter(({ t }) => t.test.export === ex);
    for (const v of [...new Set(tests.filter((s) => s.test.export === ex).map((s) => s.test.visibility))]) {
      const ofV = runs.filter(({ t }) => t.test.visibility === v);
      if (ofV.length > 0) visibility.push({ export: ex, visibility: v, runs: ofV.length, passed: ofV.filter(({ t }) => t.outcome.status === "passed").length });
    }
  }

  const diagnosed = new Map<string, { exports: Set<string>; students: Set<string>; tests: number }>();
  let undiagnosedFailures = 0;
  for (const { student, t } of allRuns) {
    if (t.outcome.status !== "failed") continue;
    const diagnosis = cleanText(t.outcome.diagnosis ?? "").trim();
    if (diagnosis === "") {
      undiagnosedFailures += 1;
      continue;
    }
    const entry = diagnosed.get(diagnosis) ?? { exports: new Set(), students: new Set(), tests: 0 };
    entry.exports.add(t.test.export);
    entry.students.add(student);
    entry.tests += 1;
    diagnosed.set(diagnosis, entry);
  }
  const diagnoses = [...diagnosed].map(([diagnosis, e]) => ({
    diagnosis,
    exports: columns.filter((c) => e.exports.has(c)),
    students: [...e.students].sort(),
    tests: e.tests,
  }));
  diagnoses.sort((a, b) => b.students.length - a.students.length || (a.diagnosis < b.diagnosis ? -1 : a.diagnosis > b.diagnosis ? 1 : 0));

  const lostOnlyUnseen = students
    .filter((s) => {
      const own = byStudent.get(s.student)?.tests ?? [];
      const seen = own.filter((t) => t.test.visibility === "visible");
      return seen.length > 0 && seen.every((t) => t.outcome.status === "passed") && own.some((t) => t.outcome.status !== "passed");
    })
    .map((s) => s.student);

  const outcomes = noOutcomes();
  for (const { t } of allRuns) outcomes[t.outcome.status] += 1;
  const scores = students.map((s) => s.score);
  return {
    assignment: manifest.name,
    title: manifest.title,
    students,
    exports,
    tests,
    visibility,
    diagnoses,
    undiagnosedFailures,
    lostOnlyUnseen,
    outcomes,
    mean: share(scores.reduce((a, b) => a + b, 0), scores.length),
    median: median(scores),
  };
}
