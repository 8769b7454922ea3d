/**
 * Integrity signals, for the staff only: patterns in a class's results that deserve a human's
 * look. A signal is a lead, never a verdict: each carries its evidence, and the words that render
 * it say what else could explain it. Students never see them (nothing here reaches results.json,
 * the JUnit or the terminal's per-student lines): they go to OUT/staff-signals.csv and the staff
 * section of the class report.
 *
 *   fixture-only       an export passes every golden test (the committed fixtures the starter kit
 *                      ships) and fails every hidden, gradient-check and property test it has:
 *                      what answers copied from the kit's fixtures look like (and also a code
 *                      that is right on the fixtures' shapes only).
 *   identical-outputs  two or more students whose answers on every hidden case of an export are
 *                      the same (numbers to 6 significant digits) and are not the reference's.
 *                      A wrong answer that matches a known mistake (the grader names its likely
 *                      cause) is left out: students make those independently.
 */
import { stringify } from "csv-stringify/sync";
import type { SubmissionResult, TestResult } from "../result-model";
import type { AnswerFingerprints } from "./answer-fingerprints";

export type Signal =
  | {
      kind: "fixture-only";
      student: string;
      export: string;
      /** The golden tests, all passed. */
      passed: string[];
      /** The hidden, gradient-check and property tests, all failed, with their one-line messages. */
      failed: { test: string; message: string }[];
    }
  | {
      kind: "identical-outputs";
      export: string;
      /** Two or more students, sorted. */
      students: string[];
      /** Hidden cases compared, and how many of the shared answers the reference rejects. */
      cases: number;
      wrong: number;
    };

export interface StaffSignals {
  signals: Signal[];
  /** Students with results but no answer fingerprints (graded by an older grader, then resumed): no identical-outputs signal for them. */
  withoutFingerprints: string[];
}

const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const BEYOND_FIXTURES = new Set(["hidden", "gradcheck", "properties"]);

function fixtureOnly(r: SubmissionResult): Signal[] {
  const byExport = new Map<string, TestResult[]>();
  for (const t of r.tests) byExport.set(t.test.export, [...(byExport.get(t.test.export) ?? []), t]);
  const signals: Signal[] = [];
  for (const [exportName, tests] of byExport) {
    const golden = tests.filter((t) => t.test.kind === "golden");
    const beyond = tests.filter((t) => BEYOND_FIXTURES.has(t.test.kind));
    if (golden.length === 0 || !beyond.some((t) => t.test.kind === "hidden")) continue;
    if (!golden.every((t) => t.outcome.status === "passed")) continue;
    // "failed" only: a timeout or a grader error says nothing about where the answers came from
    if (!beyond.every((t) => t.outcome.status === "failed")) continue;
    signals.push({
      kind: "fixture-only",
      student: r.student,
      export: exportName,
      passed: golden.map((t) => t.test.name),
      failed: beyond.map((t) => ({ test: t.test.name, message: t.outcome.message })),
    });
  }
  return signals;
}

/** Whether the student's hidden test of `exportName` failed with a named likely cause (a known mistake). */
function knownMistake(r: SubmissionResult, exportName: string): boolean {
  return r.tests.some((t) => t.test.export === exportName && t.test.kind === "hidden" && t.outcome.status === "failed" && t.outcome.diagnosis !== undefined);
}

function identicalOutputs(results: SubmissionResult[], answers: Map<string, AnswerFingerprints | null>): Signal[] {
  const groups = new Map<string, { export: string; students: string[]; cases: number; wrong: number }>();
  for (const r of results) {
    const fp = answers.get(r.student);
    if (!fp) continue;
    for (const [exportName, a] of Object.entries(fp)) {
      if (a.answers.length === 0 || a.answers.some((h) => h === null) || a.wrong === 0 || knownMistake(r, exportName)) continue;
      const key = JSON.stringify([exportName, a.cases, a.answers]);
      const group = groups.get(key) ?? { export: exportName, students: [], cases: a.answers.length, wrong: a.wrong };
      group.students.push(r.student);
      groups.set(key, group);
    }
  }
  return [...groups.values()]
    .filter((g) => g.students.length > 1)
    .map((g) => ({ kind: "identical-outputs", ...g, students: [...g.students].sort(byCodeUnits) }));
}

/** Every signal of a class; `answers` holds each student's fingerprints (null: none were kept). */
export function staffSignals(results: SubmissionResult[], answers: Map<string, AnswerFingerprints | null>): StaffSignals {
  const signals = [...results.flatMap(fixtureOnly), ...identicalOutputs(results, answers)];
  const withoutFingerprints = results.filter((r) => !answers.get(r.student)).map((r) => r.student);
  return { signals, withoutFingerprints };
}

/** The evidence of a signal in words, as the CSV and the report give it; `about`: the student whose row it is. */
export function signalEvidence(s: Signal, about?: string): string {
  if (s.kind === "fixture-only") {
    return `passed every test on the committed fixtures (${s.passed.join("; ")}) and failed every test beyond them (${s.failed.map((f) => `${f.test}: ${f.message}`).join("; ")}). Answers copied from the starter kit's fixtures look like this; so does code that only works for the fixtures' shapes or values. A lead to look at, not a finding.`;
  }
  const who =
    about === undefined
      ? `the answers of ${s.students.join(", ")} are identical`
      : `answers identical to those of ${s.students.filter((st) => st !== about).join(", ")}`;
  return `${who} on all ${s.cases} hidden cases of ${s.export} (to 6 significant digits); the reference rejects ${s.wrong} of them, and the grader knows no common mistake that gives them. Shared wrong answers suggest shared code or a shared source; compare the code before concluding anything.`;
}

/** OUT/staff-signals.csv: one row per student and signal (a group of identical outputs: one row per member). */
export function toSignalsCsv(staff: StaffSignals): string {
  const rows = staff.signals.flatMap((s) =>
    s.kind === "fixture-only" ? [[s.student, s.export, s.kind, signalEvidence(s)]] : s.students.map((st) => [st, s.export, s.kind, signalEvidence(s, st)]),
  );
  rows.sort((a, b) => byCodeUnits(a[0], b[0]) || byCodeUnits(a[1], b[1]) || byCodeUnits(a[2], b[2]));
  return stringify([["student", "export", "signal", "evidence"], ...rows]);
}
