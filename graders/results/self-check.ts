/**
 * A student's self-check as the starter kit prints it (scripts/kit-check.ts): one line per export,
 * ✓ when every visible test of it passes, else ✗ (or ! / ⚠ when the first test that did not pass
 * could not be checked or hit a grader error), its points, and under a ✗ the first such test:
 * what went wrong (the same words as every other report: prose.ts), the likely cause, and
 * the command that reruns that export's tests alone. A student reruns it dozens of times, so it
 * is short: the tests that passed are counted, not listed. Only visible tests are ever shown.
 */
import { styleText } from "node:util";
import { STUDENT_OUTPUT_CAP, capText, cleanText, outcomeHeadline, replayText } from "./prose";
import type { SubmissionResult, TestResult } from "../result-model";
import { type Format, GLYPH, points } from "./terminal";

/** At most this many lines of a failure's details (expected versus actual …) are shown under its export. */
const DETAIL_LINES = 8;

export interface SelfCheckOptions {
  color: boolean;
  /** The command that reruns one export's tests, e.g. (e) => `npm run check -- ${e}`. */
  rerun: (exportName: string) => string;
}

/** The visible tests by export, in the manifest's order. */
export function byExport(result: SubmissionResult): [string, TestResult[]][] {
  const shown = result.tests.filter((t) => t.test.visibility === "visible");
  return [...new Set(shown.map((t) => t.test.export))].map((e) => [e, shown.filter((t) => t.test.export === e)]);
}

/** Whether every visible test passed (the self-check's exit status 0). */
export function allVisiblePassed(result: SubmissionResult): boolean {
  return result.tests.every((t) => t.test.visibility !== "visible" || t.outcome.status === "passed");
}

export function toSelfCheck(result: SubmissionResult, options: SelfCheckOptions): string {
  const paint = (style: Format, text: string) => (options.color ? styleText(style, text, { validateStream: false }) : text);
  const groups = byExport(result);
  const width = Math.max(0, ...groups.map(([e]) => e.length));
  const lines: string[] = [];
  for (const m of result.messages) {
    const text = cleanText(m).trim();
    if (text !== "") lines.push(...text.split("\n").map((l) => paint("yellow", l)), "");
  }
  for (const [exportName, tests] of groups) {
    const first = tests.find((t) => t.outcome.status !== "passed");
    const g = GLYPH[first?.outcome.status ?? "passed"];
    const passed = tests.filter((t) => t.outcome.status === "passed").length;
    lines.push(`${paint(g.style, g.mark)} ${exportName.padEnd(width)}  ${points(tests).padStart(7)}  ${paint("dim", `${passed}/${tests.length} tests`)}`);
    if (!first) continue;
    const o = first.outcome;
    const text = (t: string | undefined) => cleanText(t ?? "").replace(/\s+$/, "").split("\n").filter((l) => l.trim() !== "");
    const details = o.status === "failed" ? [...text(o.details), ...text(o.replay && replayText(o.replay)).map((l) => `Replay: ${l}`)] : o.status === "could-not-check" ? text(o.message) : [];
    const shown = details.slice(0, DETAIL_LINES);
    lines.push(`    ${first.test.name}`, ...text(outcomeHeadline(first)).map((l) => `    ${l}`));
    lines.push(...shown.map((l) => paint("dim", `      ${l}`)));
    if (details.length > shown.length) lines.push(paint("dim", `      … ${details.length - shown.length} more lines`));
    if (o.status === "failed" && o.diagnosis?.trim()) lines.push(...text(`Likely cause: ${o.diagnosis}`).map((l) => `    ${paint("bold", l)}`));
    if (o.status === "failed" && o.hint?.trim()) lines.push(...text(`What to check: ${o.hint}`).map((l) => `    ${l}`));
    const more = tests.filter((t) => t !== first && t.outcome.status !== "passed").length;
    lines.push(paint("dim", `    rerun: ${options.rerun(exportName)}${more > 0 ? `  (${more} more test${more > 1 ? "s" : ""} of ${exportName} did not pass)` : ""}`));
  }
  const printed = cleanText(result.studentOutput ?? "").replace(/\s+$/, "");
  if (printed !== "") lines.push("", paint("bold", "Output of your code:"), ...capText(printed, STUDENT_OUTPUT_CAP).split("\n").map((l) => `  ${l}`));
  const all = groups.flatMap(([, t]) => t);
  const full = groups.filter(([, t]) => t.every((x) => x.outcome.status === "passed")).length;
  lines.push(
    "",
    paint(
      "bold",
      allVisiblePassed(result)
        ? `All ${all.length} visible tests pass: ${points(all)} points. Hidden cases run only on the course's grader.`
        : `${full} of ${groups.length} exports pass every visible test: ${points(all)} points on the visible tests.`,
    ),
  );
  return `${lines.join("\n")}\n`;
}
