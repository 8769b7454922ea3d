/**
 * The words every report shares, so that Gradescope, JUnit and the terminal say the same thing
 * about the same outcome: a test's prose, why a check could not finish, the submission-level
 * output, and text made safe to show (student code chooses what it prints and what it throws).
 */
import { stripVTControlCharacters } from "node:util";
import type { Outcome, ProcessEnd, Replay, SubmissionResult, TestResult } from "../result-model";

/** At most this many characters of the student's own output are shown in a report. */
export const STUDENT_OUTPUT_CAP = 10_000;

/**
 * Text a student's code may have influenced, made safe for every format: ANSI/VT escape
 * sequences removed, other control characters (NUL, BEL, ESC …) removed except tab and newline,
 * CRLF/CR turned into LF, lone UTF-16 surrogates replaced by U+FFFD.
 */
export function cleanText(text: string): string {
  return stripVTControlCharacters(text)
    .replace(/\r\n?/g, "\n")
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, "")
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");
}

/** Cut text to `max` characters (never inside a surrogate pair), saying how much was left out. */
export function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  if (/[\ud800-\udbff]/.test(text[end - 1] ?? "")) end -= 1;
  return `${text.slice(0, end)}\n[… ${text.length - end} more characters not shown]`;
}

/** Points as people read them: no 0.30000000000000004, no trailing zeros. */
export function formatPoints(points: number): string {
  return String(Math.round(points * 1e6) / 1e6);
}

function sentence(text: string): string {
  const t = text.trim();
  return t === "" || /[.!?:]$/.test(t) ? t : `${t}.`;
}

/** Why a run of student code ended before the check finished, e.g. "timed out after 2000 ms". */
export function couldNotCheckReason(end: ProcessEnd, timeoutMs?: number): string {
  if (end.timedOut) return timeoutMs === undefined ? "timed out" : `timed out after ${timeoutMs} ms`;
  if (end.outOfMemory) return "ran out of memory";
  if (end.protocolError !== undefined) return "interfered with the grader's channel to its process";
  if (end.signal !== undefined) return `crashed with signal ${end.signal}`;
  if (end.exitCode !== undefined) return `exited with code ${end.exitCode}`;
  return "stopped before the check finished";
}

/**
 * How to run a failure again, in words: "case tanh/3x5/0 of fixtures/golden/layers.json",
 * "hidden case affine/6x12x10/larger", "fast-check seed 42, path "3:0", counterexample x = 1.5" …
 */
export function replayText(replay: Replay): string {
  switch (replay.kind) {
    case "golden-case": {
      const changed = replay.changed ? ` with ${replay.changed}` : "";
      const seed = replay.seed ? ` drawn with seed "${replay.seed}"` : "";
      return `case ${replay.id} of ${replay.file}${changed}${seed}`;
    }
    case "drawn-case":
      return `case ${replay.id} drawn with seed "${replay.seed}" (graders/cases/generate.ts makeCase)`;
    case "hidden-case":
      return `hidden case ${replay.id}`;
    case "fast-check":
      return `fast-check seed ${replay.seed}, path "${replay.path}", counterexample ${replay.counterexample}`;
    case "inputs": {
      const inputs = Object.entries(replay.inputs).map(([name, value]) => `${name} = ${JSON.stringify(value)}`).join(", ");
      return replay.note ? `${inputs} (${replay.note})` : inputs;
    }
  }
}

/** The first line said about a test that did not pass, or its message when it passed. */
export function outcomeHeadline(t: TestResult): string {
  const o: Outcome = t.outcome;
  switch (o.status) {
    case "passed":
      return cleanText(o.message).trim() || "Passed.";
    case "failed":
      return cleanText(o.message).trim() || "Wrong answer.";
    case "could-not-check":
      return `Could not check: your code ${couldNotCheckReason(o.end, t.test.timeoutMs)}, so this test scores 0.`;
    case "grader-error":
      return `Grader error: ${sentence(cleanText(o.message)) || "the grader failed on this test."} This is not your fault; please tell the course staff.`;
  }
}

/**
 * Everything a student is told about a test, line by line (multi-line fields are split):
 * passed: the message; failed: message, details, "Likely cause: …" (a claim), "What to check: …"
 * (advice), "Replay: …";
 * could-not-check: "Could not check: … scores 0." then the message; grader-error: the staff
 * notice (the internal cause is never shown to the student).
 */
export function outcomeLines(t: TestResult): string[] {
  const o = t.outcome;
  const lines = [outcomeHeadline(t)];
  const add = (prefix: string, text: string | undefined) => {
    const clean = cleanText(text ?? "").replace(/\s+$/, "");
    if (clean.trim() !== "") lines.push(...`${prefix}${clean}`.split("\n"));
  };
  if (o.status === "failed") {
    add("", o.details);
    add("Likely cause: ", o.diagnosis);
    add("What to check: ", o.hint);
    add("Replay: ", o.replay && replayText(o.replay));
  } else if (o.status === "could-not-check") {
    add("", o.message);
  }
  return lines;
}

/** outcomeLines joined into one block of text. */
export function outcomeProse(t: TestResult): string {
  return outcomeLines(t).join("\n");
}

/**
 * Whether the student may see what their code printed: only when every test that ran is visible.
 * Otherwise printing the arguments would reveal the inputs of hidden tests.
 */
export function printedIsVisible(result: SubmissionResult): boolean {
  return result.tests.every((t) => t.test.visibility === "visible");
}

/** What the student's code printed, cleaned and capped ("" when nothing). */
export function printedText(result: SubmissionResult, cap = STUDENT_OUTPUT_CAP): string {
  const printed = cleanText(result.studentOutput ?? "").replace(/\s+$/, "");
  return printed === "" ? "" : capText(printed, cap);
}

/**
 * What the student is told when their code printed but hidden tests ran. `keptForStaff`: whether
 * the output goes where only the staff see it (the TA's own results.json), or nowhere (Gradescope,
 * where the student may see results.json).
 */
export function printedWithheld(keptForStaff: boolean): string {
  return keptForStaff
    ? "Your code printed output; it is kept for the course staff and not shown here, because hidden tests ran."
    : "Your code printed output; it is not shown, because hidden tests ran (it could show their inputs).";
}

/** The submission-level report: its messages, then what the student's code printed when they may see it. */
export function submissionOutput(result: SubmissionResult, keptForStaff = true, cap = STUDENT_OUTPUT_CAP): string {
  const parts = result.messages.map((m) => cleanText(m).trim()).filter((m) => m !== "");
  const printed = printedText(result, cap);
  if (printed !== "") parts.push(printedIsVisible(result) ? `Output of your code:\n${printed}` : printedWithheld(keptForStaff));
  return parts.join("\n\n");
}
