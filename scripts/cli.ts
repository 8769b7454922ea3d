/** What every command-line entry point shares: usage errors, harness errors, progress. */
import { type ParseArgsConfig, parseArgs } from "node:util";
import { ManifestError } from "../graders/manifest";
import { SandboxUnusable } from "../graders/sandbox/canary";

/** A mistake in how the command was called: exit 2 with what to fix. */
export class UsageError extends Error {
  constructor(message: string, readonly usage?: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** parseArgs, strict: an unknown option or a missing value is a usage error (exit 2) showing `usage`. */
export function parseCommandLine<T extends ParseArgsConfig>(config: T, usage?: string): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs<T>({ strict: true, ...config });
  } catch (e) {
    throw new UsageError((e as Error).message, usage);
  }
}

/** The whole number ≥ 1 given as --`name` (`text`), or `fallback` when it was not given. */
export function positiveInteger(name: string, text: string | undefined, fallback: number, usage?: string): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${name} must be a positive whole number, got "${text}"`, usage);
  return n;
}

/** Run a command: usage errors exit 2, a sandbox that failed its canary or anything unexpected is a harness error (exit 1). */
export async function runMain(main: () => Promise<number | void>): Promise<void> {
  try {
    const code = await main();
    process.exitCode = code ?? 0;
  } catch (error) {
    if (error instanceof UsageError || error instanceof ManifestError) {
      console.error(`error: ${error.message}`);
      if (error instanceof UsageError && error.usage) console.error(`\n${error.usage}`);
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
