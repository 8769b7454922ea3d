/**
 * Finding a submission's files: each contract file (e.g. "layers.ts") may be handed in as
 * TypeScript or JavaScript (layers.ts, layers.mts, layers.js, layers.mjs) at the folder's root.
 */
import { existsSync, realpathSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import type { AssignmentName } from "../cases/case";
import { CONTRACT } from "../contract";

export const EXTENSIONS = [".ts", ".mts", ".js", ".mjs"] as const;

export type Located =
  | { file: string; found: true; path: string; exports: string[]; alsoPresent: string[] }
  | { file: string; found: false; exports: string[]; message: string };

/** Each contract file of the assignment: where it is in `dir`, or a message saying it is missing. */
export function locateFiles(dir: string, assignment: AssignmentName): Located[] {
  return CONTRACT[assignment].map(({ file, exports }) => {
    const base = file.replace(/\.ts$/, "");
    const present = EXTENSIONS.map((ext) => `${base}${ext}`).filter((name) => {
      const p = join(dir, name);
      return existsSync(p) && statSync(p).isFile();
    });
    if (present.length === 0) {
      return {
        file,
        found: false,
        exports,
        message: `${file} is missing: expected ${EXTENSIONS.map((e) => base + e).join(", ")} at the root of your submission (it provides ${exports.join(", ")})`,
      };
    }
    // A link that leads out of the folder would make us compile (and quote) a file that is not
    // the student's: refuse it before anything reads it.
    const rel = relative(realpathSync(dir), realpathSync(join(dir, present[0])));
    if (rel.startsWith("..") || rel.startsWith(sep) || rel === "") {
      return { file, found: false, exports, message: `${present[0]} is a link to a file outside your submission folder: hand in the file itself` };
    }
    return { file, found: true, path: join(dir, present[0]), exports, alsoPresent: present.slice(1) };
  });
}
