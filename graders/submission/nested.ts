/**
 * Where a submission's contract files are when they are not at its root. Students hand in a
 * folder one level down all the time: the zip of a folder (classifiers-solution/losses.ts),
 * GitHub's "Download ZIP" (repo-main/), a folder dragged onto Gradescope. The search walks the
 * submission's real folders (never a link, which could lead anywhere), skipping what is never a
 * student's work: macOS's __MACOSX copies in a zip, dot-folders (.git, the starter kit's .grader)
 * and node_modules.
 */
import { type Dirent, readdirSync } from "node:fs";
import { join, relative, sep } from "node:path";

/** Folders never searched. */
const SKIPPED = new Set(["__MACOSX", "node_modules"]);
/** How deep the search goes: far enough for a zip of a repository's folder, not a whole disk. */
const MAX_DEPTH = 4;
/** At most this many folders are read: a submission is small; a huge tree stops the search early. */
const MAX_FOLDERS = 2000;

/** A folder under the submission (relative path, "/" separators) and the file names it holds. */
export interface FolderFiles {
  folder: string;
  files: Set<string>;
}

/** Every folder below `dir` (not `dir` itself), with its files, breadth first, in name order. */
export function foldersBelow(dir: string): FolderFiles[] {
  const found: FolderFiles[] = [];
  let level = [dir];
  for (let depth = 1; depth <= MAX_DEPTH && level.length > 0 && found.length < MAX_FOLDERS; depth++) {
    const next: string[] = [];
    for (const parent of level) {
      for (const entry of entries(parent)) {
        if (!entry.isDirectory() || entry.name.startsWith(".") || SKIPPED.has(entry.name)) continue;
        const path = join(parent, entry.name);
        const files = new Set(
          entries(path)
            .filter((e) => e.isFile())
            .map((e) => e.name),
        );
        found.push({ folder: relative(dir, path).split(sep).join("/"), files });
        next.push(path);
      }
    }
    level = next;
  }
  return found;
}

function entries(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch {
    return []; // unreadable: as if empty (the root itself was read by the caller)
  }
}
