/**
 * A SubmissionResult as Gradescope's autograder results.json (validated by results.schema.json and
 * validate-results.ts before it is written;
 * https://gradescope-autograders.readthedocs.io/en/latest/specs/#output-format). The output is
 * plain text ("text", the default: aligned columns, student-influenced text never interpreted as
 * markup) or Markdown ("md", markdown.ts: the same words, details in monospace blocks, everything
 * else escaped). Every outcome that is not "passed" is "failed" for Gradescope; the four-way
 * status stays in the test's tags and extra_data, beside a failure's replay as data (result-model.ts
 * Replay). A passed or failed training test puts its training accuracy on Gradescope's leaderboard.
 */
import { outcomeMarkdown, submissionMarkdown } from "./markdown";
import { outcomeProse, printedIsVisible, printedText, submissionOutput } from "./prose";
import type { Status, SubmissionResult, TestKind, TestResult, Visibility } from "../result-model";

type OutputFormat = "text" | "md";

export interface GradescopeOptions {
  /** How every output is written (default "text"). */
  format?: OutputFormat;
  /**
   * Whether results.json may carry what only the staff may see: the student's printed output
   * when hidden tests ran (it could show their inputs), in extra_data. Yes (the default) for the
   * TA's own results (npm run grade); no on Gradescope, where results.json reaches the student.
   */
  staffOutput?: boolean;
}

interface GradescopeTestExtra {
  /** The four-way outcome status (Gradescope's own status only has passed/failed). */
  status: Status;
  kind: TestKind;
  export: string;
  [key: string]: unknown;
}

interface GradescopeTest {
  name: string;
  /** "<part>.<test>": the part is the export's index (exports in order), both from 1. */
  number: string;
  score: number;
  max_score: number;
  status: "passed" | "failed";
  output: string;
  output_format: OutputFormat;
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
  output_format: OutputFormat;
  test_output_format: OutputFormat;
  visibility: "visible";
  stdout_visibility: "hidden";
  extra_data: { student: string; assignment: string; student_output?: string };
  tests: GradescopeTest[];
  /** Gradescope's leaderboard (shown where the assignment enables it). */
  leaderboard?: LeaderboardEntry[];
}

interface LeaderboardEntry {
  name: string;
  value: number | string;
  /** "desc" (the default: higher ranks higher) or "asc". */
  order?: "asc" | "desc";
}

export const TRAINING_ACCURACY = "Training accuracy";

/** The leaderboard: the training accuracy of the training test, where one ran to the end. */
function leaderboardOf(result: SubmissionResult): LeaderboardEntry[] {
  for (const t of result.tests) {
    const accuracy = (t.extra?.training as { accuracy?: unknown } | undefined)?.accuracy;
    if (t.test.kind === "training" && typeof accuracy === "number" && Number.isFinite(accuracy)) return [{ name: TRAINING_ACCURACY, value: accuracy, order: "desc" }];
  }
  return [];
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
  if (o.status === "failed" && o.replay) extra.replay = o.replay; // as data: its words are in the output
  return extra;
}

export function toGradescope(result: SubmissionResult, options: GradescopeOptions = {}): GradescopeResults {
  const format = options.format ?? "text";
  const staffOutput = options.staffOutput ?? true;
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
      output: format === "md" ? outcomeMarkdown(t) : outcomeProse(t),
      output_format: format,
      visibility: t.test.visibility,
      tags: [t.test.kind, ex, status],
      extra_data: extraOf(t),
    };
  });
  const printed = printedText(result);
  const leaderboard = leaderboardOf(result);
  return {
    score: total(tests.map((t) => t.score)),
    max_score: total(tests.map((t) => t.max_score)),
    execution_time: Math.max(0, result.executionTimeMs) / 1000,
    output: format === "md" ? submissionMarkdown(result, staffOutput) : submissionOutput(result, staffOutput),
    output_format: format,
    test_output_format: format,
    visibility: "visible",
    stdout_visibility: "hidden",
    extra_data: {
      student: result.student,
      assignment: result.assignment,
      ...(staffOutput && printed !== "" && !printedIsVisible(result) ? { student_output: printed } : {}),
    },
    tests,
    ...(leaderboard.length > 0 ? { leaderboard } : {}),
  };
}
