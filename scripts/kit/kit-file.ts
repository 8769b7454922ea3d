/**
 * The file a starter kit's build (scripts/kit.ts) writes beside the kit's prebuilt self-check
 * (scripts/kit-check.ts, as .grader/check.mjs), in the grader's root: which assignment the kit is for.
 */
export const KIT_FILE = "kit.json";

export interface KitFile {
  format: 1;
  assignment: string;
}
