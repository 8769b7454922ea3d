/** Types of scripts/run.mjs (plain JavaScript: it runs before anything is built). */
/** The commands, by the name npm's scripts pass, and their entry points. */
export const COMMANDS: Record<string, string>;
/** The sandbox's runners and their sources. */
export const RUNNERS: Record<string, string>;
/** Bundle every command and runner into a new folder, publish it, and return it. */
export function build(): Promise<string>;
/** The folder of an up-to-date build: the published one, or a new one. */
export function upToDate(): Promise<string>;
