/**
 * Running the command-line scripts as TAs do, for the CLI suites: one node process per run (so a
 * signal reaches the grader itself), and the shape every usage error must have.
 */
import { expect } from "@jest/globals";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";

/** As `npm run grade -- …` runs it (scripts/run.mjs: the prebuilt command line). */
export const GRADE = ["scripts/run.mjs", "grade"];
export const GRADE_ENV = { GRADER_SECRET: "cli-test", NO_COLOR: "1" };
export const grade = (args: string[]) => execa(process.execPath, [...GRADE, ...args], { reject: false, env: GRADE_ENV });

/** As `npm run check -- …` runs it. */
export const check = (args: string[]) => execa(process.execPath, ["scripts/run.mjs", "check", ...args], { reject: false, env: { NO_COLOR: "1" } });

export const tmp = () => mkdtempSync(join(tmpdir(), "grade-cli-"));

/**
 * A classifiers class of one student whose svmLoss never returns: with a long --timeout, a run
 * that stays busy. `stubborn`: the student also listens for SIGINT, SIGTERM and SIGHUP, so that
 * none of them can end its child while it loops (the listener would run on the blocked event loop).
 */
export function endlessClass({ stubborn = false } = {}): string {
  const dir = tmp();
  const student = join(dir, "loop");
  cpSync("reference/classifiers", student, { recursive: true });
  const losses = join(student, "losses.ts");
  const listeners = stubborn ? `for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => undefined);\n` : "";
  const text = listeners + readFileSync(losses, "utf8").replace(/(export function svmLoss\(.*\{)$/m, "$1\n  for (;;) {}");
  expect(text).toContain("for (;;) {}");
  writeFileSync(losses, text);
  return dir;
}

/** Exit 2, the first stderr line says what is wrong and what to do, and no stack frame anywhere. */
export function expectUsageError(r: { exitCode?: number; stderr: string }, firstLine: RegExp): void {
  expect(r.stderr.split("\n")[0]).toMatch(firstLine);
  expect(r.stderr).not.toMatch(/^ {4}at /m);
  expect(r.exitCode).toBe(2);
}
