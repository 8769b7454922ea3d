/**
 * A SubmissionResult as Gradescope's autograder results.json (validated by results.schema.json and
 * validate-results.ts before it is written). Output is plain text ("text") throughout: the
 * expected-versus-actual details are aligned columns, and student-influenced text must not be
 * interpreted as markup. Every outcome that is not "passed" is "failed" for Gradescope; the
 * four-way status stays in the test's tags and extra_data.
 */
import { outcomeProse, printedIsVisible, printedText, submissionOutput } from "./prose";
import type { Status, SubmissionResult, TestKind, TestResult, Visibility } from "./result";

export interface GradescopeTestExtra {
  /** The four-way outcome status (Gradescope's own status only has passed/failed). */
  status: Status;
  kind: TestKind;
  export: string;
  [key: string]: unknown;
}

export interface GradescopeTest {
  name: string;
  /** "<part>.<test>": the part is the export's index (exports in order), both from 1. */
  number: string;
  score: number;
  max_score: number;
  status: "passed" | "failed";
  output: string;
  visibility: Visibility;
  /** [kind, export, four-way status]. */
  tags: string[];
  extra_data: GradescopeTestExtra;
}

export interface GradescopeResults {
  /** The sum of the tests' scores (the contract requires it; Gradescope would take it as-is). */
  score: number;
  max_score: number;
  /** Seconds. */
  execution_time: number;
  output: string;
  output_format: "text";
  test_output_format: "text";
  visibility: "visible";
  stdout_visibility: "hidden";
  extra_data: { student: string; assignment: string; student_output?: string };
  tests: GradescopeTest[];
}

/** Sum without drift for the usual points (halves, quarters, tenths): rounded to 1e-9. */
function total(values: number[]): number {
  return Math.round(values.reduce((a, b) => a + b, 0) * 1e9) / 1e9;
}

function extraOf(t: TestResult): GradescopeTestExtra {
  const o = t.outcome;
  const extra: GradescopeTestExtra = { ...t.extra, status: o.status, kind: t.test.kind, export: t.test.export };
  if (o.status === "could-not-check") extra.end = { ...o.end };
  if (o.status === "grader-error" && o.cause !== undefined) extra.cause = o.cause;
  return extra;
}

export function toGradescope(result: SubmissionResult): GradescopeResults {
  const parts: string[] = [];
  const counts = new Map<string, number>();
  const tests = result.tests.map((t): GradescopeTest => {
    const ex = t.test.export;
    if (!parts.includes(ex)) parts.push(ex);
    const k = (counts.get(ex) ?? 0) + 1;
    counts.set(ex, k);
    const status = t.outcome.status;
    return {
      name: t.test.name,
      number: `${parts.indexOf(ex) + 1}.${k}`,
      score: t.score,
      max_score: t.test.points,
      status: status === "passed" ? "passed" : "failed",
      output: outcomeProse(t),
      visibility: t.test.visibility,
      tags: [t.test.kind, ex, status],
      extra_data: extraOf(t),
    };
  });
  return {
    score: total(tests.map((t) => t.score)),
    max_score: total(tests.map((t) => t.max_score)),
    execution_time: Math.max(0, result.executionTimeMs) / 1000,
    output: submissionOutput(result),
    output_format: "text",
    test_output_format: "text",
    visibility: "visible",
    stdout_visibility: "hidden",
    extra_data: {
      student: result.student,
      assignment: result.assignment,
      ...(printedText(result) !== "" && !printedIsVisible(result) ? { student_output: printedText(result) } : {}),
    },
    tests,
  };
}
