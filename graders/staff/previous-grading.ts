/**
 * An earlier grading output folder read back for `--compare`: every student whose files are
 * complete (as `--resume` reads them). Read before grading starts, so that `--compare` may name
 * the very folder `--out` is about to overwrite. Whether it is one, and of the same assignment,
 * is answered as data: the command line turns a refusal into a one-line usage error.
 */
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { readCompleteResult, studentFolders } from "../batch";
import type { SubmissionResult } from "../result-model";

export type PreviousGrading = { ok: true; results: SubmissionResult[] } | { ok: false; problem: string };

export function readPreviousGrading(dir: string, assignment: string): PreviousGrading {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    return { ok: false, problem: `--compare ${dir} is not a folder: give an earlier --out folder of ${assignment}` };
  let students: string[];
  try {
    students = studentFolders(dir);
  } catch (error) {
    return { ok: false, problem: `--compare ${dir} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` };
  }
  const results = students.flatMap((s) => {
    const r = readCompleteResult(join(dir, s));
    return r ? [r] : [];
  });
  if (results.length === 0)
    return {
      ok: false,
      problem: `--compare ${dir} is not a grading output: none of its folders holds a complete <student>/results.json and submission-result.json; give an earlier --out folder of ${assignment}`,
    };
  const other = results.find((r) => r.assignment !== assignment);
  if (other)
    return {
      ok: false,
      problem: `--compare ${dir} holds results of assignment ${other.assignment} (student ${other.student}), not ${assignment}: compare with an earlier grading of ${assignment}`,
    };
  return { ok: true, results };
}
