/**
 * Whether a handed-in file is the handout's skeleton, untouched. The starter kit ships losses.ts
 * as a skeleton; a student who writes losses.js beside it and leaves losses.ts alone hands in
 * both, and only one of them is their work. The comparison ignores what an editor or a checkout
 * changes without the student meaning to: a byte-order mark, CRLF line ends, indentation,
 * trailing spaces and blank lines. Anything else (a reformatting that changes quotes or wraps
 * lines, one character of code) makes the file the student's own.
 */
import { readFileSync } from "node:fs";
import type { AssignmentName } from "../cases/case";
import { rootPath } from "../paths";

/** The skeleton of `file` (e.g. "losses.ts") as handed out, or null if this grader does not have it. */
export function skeletonText(assignment: AssignmentName, file: string): string | null {
  try {
    return readFileSync(rootPath("assignments", assignment, "skeleton", file), "utf8");
  } catch {
    return null;
  }
}

/** The text with every difference that does not change a line of code removed. */
function normalized(text: string): string {
  return text
    .replace(/^\uFEFF/, "")
    .split(/\r\n|\r|\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .join("\n");
}

/** Whether `text` is the skeleton `skeleton`, as handed out (up to whitespace and line ends). */
export function isSkeleton(text: string, skeleton: string): boolean {
  return normalized(text) === normalized(skeleton);
}
