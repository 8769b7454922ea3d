/**
 * The prose of prose.ts as Markdown, for Gradescope's "md" output format (its renderer shows
 * "some basic Markdown": https://gradescope-autograders.readthedocs.io/en/latest/specs/#output-string-formatting).
 * The same words as the text rendering, with structure: expected-versus-actual details, compile
 * errors and the student's printed output go in indented code blocks (monospace keeps their
 * columns aligned, and a code block shows its text literally); everything else is a paragraph in
 * which every character Markdown or HTML would interpret is escaped, so text a student's code
 * chose (a thrown message, a file name) can never become a link, an image, a heading or markup.
 * Indented blocks, backslash escapes and character references are in every Markdown dialect
 * (Gruber's original syntax, CommonMark), unlike fenced blocks.
 */
import { STUDENT_OUTPUT_CAP, cleanText, outcomeHeadline, printedIsVisible, printedText, printedWithheld, replayText } from "./prose";
import type { SubmissionResult, TestResult } from "../result-model";

/** Text shown literally in a Markdown paragraph (its line breaks become spaces). */
export function markdownText(text: string): string {
  return cleanText(text)
    .replace(/\s+/g, " ")
    .trim()
    .replace(/[\\`*_{}[\]()#+\-.!|~]/g, "\\$&")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;");
}

/** Text as an indented code block: shown literally, in monospace ("" when there is none). */
export function markdownCode(text: string): string {
  const lines = cleanText(text).replace(/\s+$/, "").split("\n");
  if (lines.every((l) => l.trim() === "")) return "";
  return lines.map((l) => (l.trim() === "" ? "" : `    ${l}`)).join("\n");
}

/** A label in bold, then text (both shown literally). */
const labelled = (label: string, text: string) => `**${markdownText(label)}**${text.trim() === "" ? "" : ` ${markdownText(text)}`}`;

/** Paragraphs and blocks, one blank line apart, the empty ones left out. */
export const markdownBlocks = (blocks: string[]) => blocks.filter((b) => b.trim() !== "").join("\n\n");

/**
 * A multi-line message: its first line as a paragraph, the lines after it as a code block (they
 * are quoted source lines, columns of numbers, a loss curve …).
 */
export function markdownMessage(text: string): string {
  const [first, ...rest] = cleanText(text).trim().split("\n");
  return markdownBlocks([markdownText(first ?? ""), markdownCode(rest.join("\n"))]);
}

/** Everything a student is told about a test (outcomeLines' content), as Markdown. */
export function outcomeMarkdown(t: TestResult): string {
  const o = t.outcome;
  const blocks = [markdownMessage(outcomeHeadline(t))];
  if (o.status === "failed") {
    blocks.push(markdownCode(o.details ?? ""));
    if (o.diagnosis?.trim()) blocks.push(labelled("Likely cause:", o.diagnosis));
    if (o.hint?.trim()) blocks.push(labelled("What to check:", o.hint));
    const replay = o.replay ? replayText(o.replay) : "";
    if (replay.trim()) blocks.push(labelled("Replay:", replay));
  } else if (o.status === "could-not-check") {
    blocks.push(markdownMessage(o.message));
  }
  return markdownBlocks(blocks);
}

/** submissionOutput (prose.ts) as Markdown: each message, then the student's output or why it is withheld. */
export function submissionMarkdown(result: SubmissionResult, keptForStaff = true, cap = STUDENT_OUTPUT_CAP): string {
  const blocks = result.messages.map(markdownMessage);
  const printed = printedText(result, cap);
  if (printed !== "") {
    blocks.push(...(printedIsVisible(result) ? [labelled("Output of your code:", ""), markdownCode(printed)] : [markdownText(printedWithheld(keptForStaff))]));
  }
  return markdownBlocks(blocks);
}
