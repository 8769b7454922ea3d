/**
 * A SubmissionResult as a readable terminal report: a header (student, assignment, score), then
 * per export its points and one line per test (✓ passed, ✗ failed, ! could not check, ⚠ grader
 * error), with what went wrong indented beneath each test that did not pass.
 *
 * With showHidden false (a student's self-check) a test whose visibility is not "visible" is only
 * counted: its name, message and points appear nowhere, and the scores shown are over the
 * visible tests alone, so that nothing about a hidden test can be read off the report.
 * Color (Node's util.styleText, no dependency) only when asked for.
 */
import { styleText } from "node:util";
import { STUDENT_OUTPUT_CAP, capText, cleanText, formatPoints, outcomeLines } from "./prose";
import type { Status, SubmissionResult, TestResult } from "../result-model";

export type Format = Parameters<typeof styleText>[0];

/** Each outcome's mark and color (the self-check's report uses them too). */
export const GLYPH: Record<Status, { mark: string; style: Format }> = {
  passed: { mark: "✓", style: "green" },
  failed: { mark: "✗", style: "red" },
  "could-not-check": { mark: "!", style: "yellow" },
  "grader-error": { mark: "⚠", style: "magenta" },
};

export interface TerminalOptions {
  color: boolean;
  showHidden: boolean;
}

const sum = (tests: TestResult[], f: (t: TestResult) => number) => tests.reduce((a, t) => a + f(t), 0);
/** "earned/possible" over some tests. */
export const points = (tests: TestResult[]) => `${formatPoints(sum(tests, (t) => t.score))}/${formatPoints(sum(tests, (t) => t.test.points))}`;
const oneLine = (text: string) => cleanText(text).replace(/[\n\t]/g, " ");

export function toTerminal(result: SubmissionResult, options: TerminalOptions): string {
  // validateStream: false so that color, once asked for, is not dropped when stdout is a pipe (Node ≥ 22).
  const paint = (style: Format, text: string) => (options.color ? styleText(style, text, { validateStream: false }) : text);
  const shown = options.showHidden ? result.tests : result.tests.filter((t) => t.test.visibility === "visible");
  const hiddenCount = result.tests.length - shown.length;

  const lines: string[] = [];
  const label = hiddenCount > 0 ? "Score on the tests shown" : "Score";
  lines.push(paint("bold", `${oneLine(result.assignment)} — ${oneLine(result.student)}`));
  lines.push(paint("bold", `${label}: ${points(shown)}`));
  for (const m of result.messages) {
    const text = cleanText(m).trim();
    if (text !== "") lines.push("", ...text.split("\n").map((l) => paint("yellow", l)));
  }

  const exportsInOrder = [...new Set(shown.map((t) => t.test.export))];
  for (const ex of exportsInOrder) {
    const tests = shown.filter((t) => t.test.export === ex);
    const full = tests.every((t) => t.outcome.status === "passed");
    lines.push("", `${paint("bold", ex)}  ${paint(full ? "green" : "red", points(tests))}`);
    for (const t of tests) {
      const g = GLYPH[t.outcome.status];
      lines.push(`  ${paint(g.style, g.mark)} ${t.test.name} ${paint("dim", `(${points([t])})`)}`);
      if (t.outcome.status === "passed") continue;
      const [headline, ...rest] = outcomeLines(t);
      lines.push(`      ${headline}`, ...rest.map((l) => paint("dim", `      ${l}`)));
    }
  }

  if (hiddenCount > 0) {
    lines.push("", paint("dim", `${hiddenCount} hidden test${hiddenCount === 1 ? "" : "s"} not shown.`));
  }
  const printed = cleanText(result.studentOutput ?? "").replace(/\s+$/, "");
  if (printed !== "") {
    lines.push("", paint("bold", "Output of your code:"), ...capText(printed, STUDENT_OUTPUT_CAP).split("\n").map((l) => `  ${l}`));
  }
  return lines.join("\n") + "\n";
}
