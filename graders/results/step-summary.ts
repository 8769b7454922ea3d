/**
 * A self-check as the Markdown of a GitHub Actions job summary (the file $GITHUB_STEP_SUMMARY
 * names: GitHub-flavoured Markdown, https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands#adding-a-job-summary):
 * the score on the visible tests, the submission's messages, then a table per export: test,
 * points, status and the first line of what went wrong. Every cell is escaped with markdownText
 * (markdown.ts: `|` included), so a message a student's code chose can neither break the table
 * nor become markup. Only visible tests are shown.
 */
import { markdownBlocks, markdownCode, markdownMessage, markdownText } from "./markdown";
import { outcomeHeadline, printedText } from "./prose";
import type { Status, SubmissionResult } from "../result-model";
import { allVisiblePassed, byExport } from "./self-check";
import { points } from "./terminal";

const STATUS: Record<Status, string> = { passed: "✅ passed", failed: "❌ failed", "could-not-check": "⚠️ could not check", "grader-error": "⚠️ grader error" };
/** A table cell holds one line: a failure's first line, cut here. */
const CELL_CAP = 300;


function cell(text: string): string {
  const line = text.split("\n")[0] ?? "";
  return markdownText(line.length > CELL_CAP ? `${line.slice(0, CELL_CAP)} …` : line);
}

export interface StepSummaryOptions {
  /** The command that reruns one export's tests, e.g. (e) => `npm run check -- ${e}`. */
  rerun: (exportName: string) => string;
}

export function toStepSummary(result: SubmissionResult, options: StepSummaryOptions): string {
  const groups = byExport(result);
  const all = groups.flatMap(([, t]) => t);
  const blocks = [
    `## ${markdownText(`${result.assignment}: self-check, ${points(all)} points on the visible tests`)}`,
    allVisiblePassed(result) ? "Every visible test passes. Hidden cases run only on the course's grader." : markdownText(`${groups.filter(([, t]) => t.every((x) => x.outcome.status === "passed")).length} of ${groups.length} exports pass every visible test.`),
    ...result.messages.map(markdownMessage),
  ];
  for (const [exportName, tests] of groups) {
    const ok = tests.every((t) => t.outcome.status === "passed");
    const rows = tests.map((t) => `| ${markdownText(t.test.description)} | ${points([t])} | ${STATUS[t.outcome.status]} | ${t.outcome.status === "passed" ? "" : cell(outcomeHeadline(t))} |`);
    blocks.push(
      `### ${ok ? "✅" : "❌"} ${markdownText(`${exportName}: ${points(tests)}`)}`,
      ["| test | points | status | first failure |", "|---|---:|---|---|", ...rows].join("\n"),
      ...(ok ? [] : [`${markdownText("Rerun:")} \`${options.rerun(exportName)}\``]),
    );
  }
  const printed = printedText(result);
  if (printed !== "") blocks.push("**Output of your code:**", markdownCode(printed));
  return `${markdownBlocks(blocks)}\n`;
}
