/**
 * Where the grader's own files are: the folder that holds assignments/, fixtures/, reference/ and
 * graders/results/results.schema.json. Run from source (tsx, Jest) that is this checkout. A
 * prebuilt grader (scripts/run.mjs's build, the starter kit, the Gradescope bundle) is one
 * JavaScript file elsewhere: its build defines BACKPROP_GRADER_ROOT, the root's URL relative to
 * the built file.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";

declare const BACKPROP_GRADER_ROOT: string | undefined;

const ROOT = fileURLToPath(new URL(typeof BACKPROP_GRADER_ROOT === "string" ? BACKPROP_GRADER_ROOT : "../", import.meta.url));

/** A path inside the grader's root. */
export function rootPath(...parts: string[]): string {
  return join(ROOT, ...parts);
}
