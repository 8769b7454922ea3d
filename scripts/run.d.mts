/** Types of scripts/run.mjs (plain JavaScript: it runs before anything is built). */
/** The commands, by the name npm's scripts pass, and their entry points. */
export const COMMANDS: Record<string, string>;
/** The sandbox's runners and their sources. */
export const RUNNERS: Record<string, string>;
/** Packages a prebuilt grader loads from node_modules at run time (they cannot be bundled). */
export const EXTERNAL: string[];
/**
 * Bundle entry points and the sandbox's runners into a folder and return it. With no options:
 * every command into a new folder of the cache, published as the current build. With `outdir`:
 * `entries` (name → source path in this checkout; default COMMANDS) and `runners` (default
 * RUNNERS) into that folder, unpublished, with `root` the grader's root relative to the built
 * files (default: this checkout). `aliases` (source path → replacement) swaps modules; an import
 * of anything under a folder of `refuse` (e.g. "reference/") fails the build, naming the importer.
 */
export function build(options?: {
  outdir?: string;
  root?: string;
  entries?: Record<string, string>;
  runners?: Record<string, string>;
  aliases?: Record<string, string>;
  refuse?: string[];
}): Promise<string>;
/** The folder of an up-to-date build: the published one, or a new one. */
export function upToDate(): Promise<string>;
