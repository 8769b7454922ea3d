/** What every command-line entry point shares: usage errors, harness errors, progress. */
import { existsSync, statSync } from "node:fs";
import { relative } from "node:path";
import { type ParseArgsConfig, parseArgs } from "node:util";
import { ASSIGNMENTS, type AssignmentName } from "../graders/cases/case";
import { goldenPath } from "../graders/cases/golden";
import { contractExports } from "../graders/contract";
import { CaseFileError, loadCaseFile } from "../graders/cases/load";
import { loadGradedManifest } from "../graders/checks/registry";
import { ManifestError, isAssignment } from "../graders/manifest";
import { SandboxUnusable } from "../graders/sandbox/canary";
import { hiddenSecret } from "../graders/secret";
import { closestName } from "./suggest";

/** A mistake in how the command was called: exit 2 with what to fix. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly usage?: string,
  ) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * parseArgs, strict: a missing value or an unexpected argument is a usage error (exit 2) showing
 * `usage`; an unknown option is one line, with the closest option by edit distance ("--wach: did
 * you mean --watch?"), or the options there are, never Node's own message and the whole usage.
 */
export function parseCommandLine<T extends ParseArgsConfig>(config: T, usage?: string): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs<T>({ strict: true, ...config });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") throw new UsageError(unknownOption((e as Error).message, config));
    throw new UsageError((e as Error).message, usage);
  }
}

/** The line for an unknown option, from parseArgs's message ("Unknown option '--wach'. To specify …"). */
function unknownOption(parserMessage: string, config: ParseArgsConfig): string {
  const given = /^Unknown option '([^']*)'/.exec(parserMessage)?.[1] ?? parserMessage;
  const options = Object.entries(config.options ?? {}).flatMap(([name, o]) => [`--${name}`, ...(o.short ? [`-${o.short}`] : [])]);
  const typed = given.replace(/=.*$/, ""); // "--wach=1"
  const near = closestName(
    typed,
    options.filter((o) => o.startsWith("--") === typed.startsWith("--")),
  );
  if (near) return `${typed}: did you mean ${near}?`;
  const long = options.filter((o) => o.startsWith("--"));
  return `${typed} is not an option here; the options are ${long.join(", ")}`;
}

/**
 * The whole number ≥ 1 given as --`name` (`text`), or `fallback` when it was not given. Digits
 * only: Number() would also take " 2", "1e3" and "0x10".
 */
export function positiveInteger(name: string, text: string | undefined, fallback: number, usage?: string, max = Number.MAX_SAFE_INTEGER): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^[0-9]+$/.test(text) || n <= 0) throw new UsageError(`--${name} must be a positive whole number, got "${text}"`, usage);
  if (n > max) throw new UsageError(`--${name} must be at most ${max}, got "${text}"`, usage);
  return n;
}

/**
 * A known assignment whose manifest and golden fixtures are valid: checked before any grading,
 * so a broken file stops the run once, naming the file and the path in it, instead of failing
 * every student.
 */
export function checkedAssignment(name: string, usage?: string): AssignmentName {
  if (!isAssignment(name)) {
    const near = closestName(name, ASSIGNMENTS);
    throw new UsageError(
      near ? `unknown assignment "${name}": did you mean ${near}?` : `unknown assignment "${name}": choose one of ${ASSIGNMENTS.join(", ")}`,
      near ? undefined : usage,
    );
  }
  loadGradedManifest(name);
  loadCaseFile(goldenPath(name));
  return name;
}

/**
 * `names` (exports a command was asked to check), if each is an export of `assignment`; a
 * misspelt one is one line with the closest export ("afineBackward: did you mean
 * affineBackward?"), or the exports there are.
 */
export function checkedExports(names: string[], assignment: AssignmentName): string[] {
  const known = contractExports(assignment);
  for (const name of names) {
    if (known.includes(name)) continue;
    const near = closestName(name, known);
    throw new UsageError(near ? `${name}: did you mean ${near}?` : `${name} is not an export of ${assignment}; its exports are ${known.join(", ")}`);
  }
  return names;
}

/** `dir`, given as `flag`, if it is an existing folder. */
export function checkedFolder(flag: string, dir: string, usage?: string): string {
  if (!existsSync(dir)) throw new UsageError(`${flag} ${dir}: no such folder`, usage);
  if (!statSync(dir).isDirectory()) throw new UsageError(`${flag} ${dir} is a file, not a folder: give the folder that holds the files`, usage);
  return dir;
}

/** The hidden-case secret (graders/secret.ts); an unreadable GRADER_SECRET_FILE is a usage error. */
export function checkedSecret(flag: string | undefined): ReturnType<typeof hiddenSecret> {
  try {
    return hiddenSecret(flag);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new UsageError(
      `GRADER_SECRET_FILE=${process.env.GRADER_SECRET_FILE} cannot be read (${code}): point it at the file that holds the secret, or unset it`,
    );
  }
}

/** How this process was started, as a person would type it again (for the output lock). */
export function commandLine(): string {
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`);
  const args = process.argv.slice(2).map(quote).join(" ");
  const script = relative(process.cwd(), process.argv[1] ?? "");
  // npm sets these for the script it runs, and its children inherit them: a match on the script proves it is us
  const { npm_lifecycle_event: event, npm_lifecycle_script: line } = process.env;
  if (event && (line?.includes(script) || line === `node scripts/run.mjs ${event}`)) return `npm run ${event}${args ? ` -- ${args}` : ""}`;
  return `node --import tsx ${script} ${args}`.trimEnd();
}

/**
 * A mistake the person running the command can fix, as one line (then details, if any):
 * UsageError, a malformed manifest, a malformed golden fixture file. Anything else: null.
 */
export function usageErrorLines(error: unknown): string[] | null {
  const shown = (file: string) => relative(process.cwd(), file) || file;
  const listed = (file: string, problems: string[], fix: string) => {
    const more = problems.length > 1 ? ` (${problems.length - 1} more below)` : "";
    return [
      `error: ${shown(file)}: ${problems[0]}; ${fix}${more}`,
      ...problems.slice(1, 20).map((p) => `  ${p}`),
      ...(problems.length > 20 ? [`  … and ${problems.length - 20} more`] : []),
    ];
  };
  if (error instanceof UsageError) return [`error: ${error.message}`, ...(error.usage ? ["", error.usage] : [])];
  if (error instanceof ManifestError) return listed(error.file, error.problems, "fix the manifest (its schema: assignments/assignment.schema.json)");
  if (error instanceof CaseFileError)
    return listed(
      error.file,
      error.problems.map((p) => `${p.path || "/"}: ${p.message}`),
      "regenerate it with `npm run fixtures`",
    );
  return null;
}

/** Run a command: usage errors exit 2 with one line of what to fix; a sandbox that failed its canary or anything unexpected is a harness error (exit 1). */
export async function runMain(main: () => Promise<number | void>): Promise<void> {
  try {
    const code = await main();
    process.exitCode = code ?? 0;
  } catch (error) {
    const lines = usageErrorLines(error);
    if (lines) {
      console.error(lines.join("\n"));
      process.exitCode = 2;
      return;
    }
    if (error instanceof SandboxUnusable) {
      // the grader's own failure (exit 1), but one line that says what: no stack to read
      console.error(`error: ${error.message}`);
      process.exitCode = 1;
      return;
    }
    console.error(`harness error (a bug in the grader, not in any submission):\n${(error as Error).stack ?? error}`);
    process.exitCode = 1;
  }
}

/** Progress on stderr: a bar redrawn in place on a terminal, one line per step otherwise. */
export function progressReporter(label: string): (done: number, total: number, note: string) => void {
  const tty = process.stderr.isTTY === true;
  return (done, total, note) => {
    if (!tty) {
      console.error(`${label} ${done}/${total} ${note}`);
      return;
    }
    const width = 24;
    const filled = Math.round((done / Math.max(1, total)) * width);
    const line = `${label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total} ${note}`;
    process.stderr.write(`\r\x1b[2K${line.slice(0, (process.stderr.columns ?? 100) - 1)}${done === total ? "\n" : ""}`);
  };
}
