/**
 * Finding a submission's files: each contract file (e.g. "layers.ts") may be handed in as
 * TypeScript or JavaScript (layers.ts, layers.mts, layers.js, layers.mjs) at the folder's root.
 * Two ways students hand in are read as they meant them, and said so in the results:
 * - the files one folder down (nested.ts): when none is at the root and exactly one folder below
 *   holds them all, that folder is graded; when several do, none is, and the message lists them;
 * - two versions of one file (losses.ts and losses.js): when one of them is the handout's
 *   skeleton untouched (skeleton.ts), the other is graded; when both are the student's own code,
 *   neither is, and the message says which files clash and what to remove.
 */
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import type { AssignmentName } from "../cases/case";
import { CONTRACT } from "../contract";
import { foldersBelow } from "./nested";
import { isSkeleton, skeletonText } from "./skeleton";

export const EXTENSIONS = [".ts", ".mts", ".js", ".mjs"] as const;

export type Located =
  { file: string; found: true; path: string; exports: string[]; alsoPresent: string[] } | { file: string; found: false; exports: string[]; message: string };

/** What a submission folder holds, as graded: where each contract file is, and what the student is told about where they were found. */
export interface Intake {
  /** The folder graded: the submission, or the one folder below it that holds the contract files. */
  root: string;
  files: Located[];
  /** Submission-level notes (a folder graded in place of the root, a skeleton left beside the student's file). */
  notes: string[];
}

/** The names a contract file may have. */
const namesOf = (file: string) => EXTENSIONS.map((ext) => file.replace(/\.ts$/, ext));

/** " and "-joined, with commas before the last when there are three or more. */
const listed = (items: string[]) => (items.length <= 2 ? items.join(" and ") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`);

/** Each contract file of the assignment: where it is in `dir`, or a message saying it is missing. */
export function locateFiles(dir: string, assignment: AssignmentName): Located[] {
  return locateSubmission(dir, assignment).files;
}

/** Where the contract files of `assignment` are in the submission `dir`, and the notes the student reads about it. */
export function locateSubmission(dir: string, assignment: AssignmentName): Intake {
  const contract = CONTRACT[assignment];
  const isFile = (folder: string, name: string) => {
    const p = join(folder, name);
    return existsSync(p) && statSync(p).isFile();
  };
  const atRoot = contract.some(({ file }) => namesOf(file).some((n) => isFile(dir, n)));
  const below = atRoot ? [] : foldersBelow(dir);
  const holdsAll = below.filter(({ files }) => contract.every(({ file }) => namesOf(file).some((n) => files.has(n))));
  const fileNames = listed(contract.map((f) => f.file));
  if (holdsAll.length > 1) {
    const folders = holdsAll.map((f) => `${f.folder}/`);
    const message = `${fileNames} ${contract.length > 1 ? "are" : "is"} not at the root of your submission, and ${folders.length} folders hold ${contract.length > 1 ? "them" : "it"}: ${listed(folders)}; nothing was graded, since it cannot be told which is your work: hand in the files of one of them, at the root`;
    return { root: dir, files: contract.map(({ file, exports }) => ({ file, found: false, exports, message })), notes: [] };
  }
  const notes: string[] = [];
  let root = dir;
  if (holdsAll.length === 1) {
    root = join(dir, holdsAll[0].folder);
    notes.push(
      `${fileNames} ${contract.length > 1 ? "were" : "was"} not at the root of your submission: found in ${holdsAll[0].folder}/ and graded from there; next time hand in the files themselves, not a folder that holds them`,
    );
  }
  const files = contract.map(({ file, exports }): Located => {
    const present = namesOf(file).filter((name) => isFile(root, name));
    if (present.length === 0) {
      const elsewhere = (below.length > 0 ? below : foldersBelow(dir)).flatMap(({ folder, files }) =>
        namesOf(file)
          .filter((n) => files.has(n))
          .map((n) => `${folder}/${n}`),
      );
      const hint =
        elsewhere.length === 0
          ? ""
          : `; ${elsewhere.length === 1 ? "it is" : "there are copies"} in ${listed(elsewhere.slice(0, 3))}${elsewhere.length > 3 ? ` (and ${elsewhere.length - 3} more)` : ""}: move ${elsewhere.length === 1 ? "it" : "the one to grade"} to the root`;
      return {
        file,
        found: false,
        exports,
        message: `${file} is missing: expected ${namesOf(file).join(", ")} at the root of your submission (it provides ${exports.join(", ")})${hint}`,
      };
    }
    // A link that leads out of the folder would make us compile (and quote) a file that is not
    // the student's: refuse it before anything reads it.
    for (const name of present) {
      const rel = relative(realpathSync(dir), realpathSync(join(root, name)));
      if (rel.startsWith("..") || rel.startsWith(sep) || rel === "") {
        return { file, found: false, exports, message: `${name} is a link to a file outside your submission folder: hand in the file itself` };
      }
    }
    const chosen = present.length === 1 ? { graded: present[0] } : chooseVersion(assignment, file, root, present);
    if ("clash" in chosen) return { file, found: false, exports, message: chosen.clash };
    if (chosen.note) notes.push(chosen.note);
    return { file, found: true, path: join(root, chosen.graded), exports, alsoPresent: present.filter((n) => n !== chosen.graded) };
  });
  return { root, files, notes };
}

/**
 * Which of several versions of one contract file (`present`, in EXTENSIONS order) is graded: the
 * only one that is not the handout's skeleton untouched. A .js beside the .ts skeleton is compared
 * with that skeleton (so it is never "untouched"). Without the skeleton (a grader built without
 * it), the first, as before.
 */
function chooseVersion(assignment: AssignmentName, file: string, root: string, present: string[]): { graded: string; note?: string } | { clash: string } {
  const skeleton = skeletonText(assignment, file);
  const ignored = (graded: string) => present.filter((n) => n !== graded);
  if (skeleton === null) {
    const rest = ignored(present[0]);
    return { graded: present[0], note: `${present[0]} is graded; ${listed(rest)} ${rest.length > 1 ? "are" : "is"} ignored` };
  }
  const own = present.filter((name) => !isSkeleton(readFileSync(join(root, name), "utf8"), skeleton));
  if (own.length === 1) {
    const rest = ignored(own[0]);
    return {
      graded: own[0],
      note: `${own[0]} is graded; ${listed(rest)} ${rest.length > 1 ? "are" : "is"} the handout's skeleton, untouched, and ignored: delete ${rest.length > 1 ? "them" : "it"}`,
    };
  }
  if (own.length === 0) {
    const rest = ignored(present[0]);
    return {
      graded: present[0],
      note: `${present[0]} is graded; ${listed(rest)} ${rest.length > 1 ? "are" : "is"} ignored (all are the handout's skeleton, untouched)`,
    };
  }
  return {
    clash: `${listed(own)} clash: each holds your own version of ${file}, and only one may be handed in, so neither was graded; remove the one${own.length > 2 ? "s" : ""} you do not want graded`,
  };
}
