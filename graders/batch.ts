/**
 * Grading a class: each immediate subfolder of a folder is one student. Students are graded in
 * parallel (each in its own sandboxes), each one's files are written as soon as it is done,
 * atomically (write a temporary file, then rename), so a batch killed at any moment loses only
 * the students in flight, and `resume` skips every student whose files are complete.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AssignmentName } from "./cases/case";
import { type GradeOptions, gradeSubmission } from "./grade";
import { toGradescope } from "./results/gradescope";
import type { SubmissionResult } from "./results/result";
import { assertValidResults, resultsProblems } from "./results/validate-results";

/** The full result beside results.json: what --resume and the gradebook read back. */
export const FULL_RESULT = "submission-result.json";

/** Write a file so that readers see the old file or the new one, never a part. */
export function writeAtomically(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** Write OUT/results.json (validated against the schema first) and the full result beside it. */
export function writeResult(outDir: string, result: SubmissionResult): void {
  mkdirSync(outDir, { recursive: true });
  const gradescope = toGradescope(result);
  assertValidResults(gradescope);
  writeAtomically(join(outDir, FULL_RESULT), `${JSON.stringify(result, null, 1)}\n`);
  writeAtomically(join(outDir, "results.json"), `${JSON.stringify(gradescope, null, 1)}\n`); // last: marks it complete
}

/** A student's earlier result, if its files are complete and valid. */
export function readCompleteResult(outDir: string): SubmissionResult | null {
  try {
    const gradescope = JSON.parse(readFileSync(join(outDir, "results.json"), "utf8"));
    if (resultsProblems(gradescope).length > 0) return null;
    return JSON.parse(readFileSync(join(outDir, FULL_RESULT), "utf8")) as SubmissionResult;
  } catch {
    return null;
  }
}

/** The student folders of a class folder, sorted; files and hidden folders are not students. */
export function studentFolders(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => !name.startsWith(".") && statSync(join(dir, name)).isDirectory())
    .sort();
}

export interface BatchProgress {
  done: number;
  total: number;
  student: string;
  result: SubmissionResult;
  resumed: boolean;
}

export interface BatchOptions extends Omit<GradeOptions, "student"> {
  jobs: number;
  resume: boolean;
  onProgress?: (p: BatchProgress) => void;
}

/** Grade every student of `dir` into `outDir/<student>/`; returns every result, in student order. */
export async function gradeBatch(assignment: AssignmentName, dir: string, outDir: string, options: BatchOptions): Promise<SubmissionResult[]> {
  const students = studentFolders(dir);
  const results = new Map<string, SubmissionResult>();
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < students.length) {
      const student = students[next++];
      const out = join(outDir, student);
      const earlier = options.resume && existsSync(out) ? readCompleteResult(out) : null;
      const result = earlier ?? (await gradeSubmission(assignment, join(dir, student), { ...options, student }));
      if (!earlier) writeResult(out, result);
      results.set(student, result);
      options.onProgress?.({ done: ++done, total: students.length, student, result, resumed: earlier !== null });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.jobs, students.length)) }, worker));
  return students.map((s) => results.get(s)!);
}
