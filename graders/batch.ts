/**
 * Grading a class: each immediate subfolder of a folder is one student. Students are graded in
 * parallel (each in its own sandboxes), each one's files are written as soon as it is done,
 * atomically (write a temporary file, then rename), so a batch killed at any moment loses only
 * the students in flight, and `resume` skips every student whose files are complete.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AssignmentName } from "./cases/case";
import { type GradeOptions, gradeSubmission } from "./grade";
import { toGradescope } from "./results/gradescope";
import { type AnswerFingerprints, STAFF_ANSWERS, staffAnswersJson } from "./staff/answer-fingerprints";
import type { SubmissionResult } from "./result-model";
import { assertValidResults, resultsProblems } from "./results/validate-results";

/** The full result beside results.json: what --resume and the gradebook read back. */
export const FULL_RESULT = "submission-result.json";

/** Write a file so that readers see the old file or the new one, never a part. */
export function writeAtomically(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/**
 * Write OUT/results.json (validated against the schema first) and the full result beside it;
 * with `staff`, the staff-only fingerprints of the hidden answers too (an older file goes).
 */
export function writeResult(outDir: string, result: SubmissionResult, staff?: AnswerFingerprints | null): void {
  mkdirSync(outDir, { recursive: true });
  const gradescope = toGradescope(result);
  assertValidResults(gradescope);
  if (staff) writeAtomically(join(outDir, STAFF_ANSWERS), staffAnswersJson(staff));
  else if (staff === null) rmSync(join(outDir, STAFF_ANSWERS), { force: true });
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

/** What a class folder holds (hidden entries aside): students, and what cannot be one. */
export interface ClassSurvey {
  /** Real subfolders, sorted: one per student. */
  students: string[];
  /** Students whose folder holds no files at any depth: they handed in nothing. */
  empty: string[];
  /** Symbolic links: never graded (one could point anywhere, at the reference or another student). */
  links: { name: string; target: string }[];
  /** Everything else: files, which are not students. */
  files: string[];
}

/** Survey a class folder; throws the fs error when it, or a student folder, cannot be read. */
export function surveyClass(dir: string): ClassSurvey {
  const survey: ClassSurvey = { students: [], empty: [], links: [], files: [] };
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.name.startsWith(".")) continue;
    if (entry.isSymbolicLink()) survey.links.push({ name: entry.name, target: readlinkSync(join(dir, entry.name)) });
    else if (entry.isDirectory()) {
      survey.students.push(entry.name);
      if (!holdsFiles(join(dir, entry.name))) survey.empty.push(entry.name);
    } else survey.files.push(entry.name);
  }
  return survey;
}

/** The student folders of a class folder, sorted; files, links and hidden folders are not students. */
export function studentFolders(dir: string): string[] {
  return surveyClass(dir).students;
}

/** Whether a folder holds a file (or link) that is not hidden, at any depth; stops at the first. */
function holdsFiles(dir: string): boolean {
  return readdirSync(dir, { withFileTypes: true }).some((e) => !e.name.startsWith(".") && (e.isDirectory() ? holdsFiles(join(dir, e.name)) : true));
}

/** The first message of a student whose folder holds no files. */
const NOTHING_HANDED_IN = "No files handed in: your submission folder is empty.";

/** Grade one student's folder; an empty one is graded as handing in nothing (every file missing, 0 points). */
export async function gradeStudent(assignment: AssignmentName, dir: string, options: GradeOptions): Promise<SubmissionResult> {
  const result = await gradeSubmission(assignment, dir, options);
  return holdsFiles(dir) ? result : { ...result, messages: [NOTHING_HANDED_IN, ...result.messages] };
}

interface BatchProgress {
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
      let answers: AnswerFingerprints | null = null;
      const result = earlier ?? (await gradeStudent(assignment, join(dir, student), { ...options, student, onHiddenAnswers: (a) => (answers = a) }));
      if (!earlier) writeResult(out, result, answers);
      results.set(student, result);
      options.onProgress?.({ done: ++done, total: students.length, student, result, resumed: earlier !== null });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.jobs, students.length)) }, worker));
  return students.map((s) => results.get(s)!);
}
