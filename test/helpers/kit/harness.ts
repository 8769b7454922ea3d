/**
 * Making and using starter kits as a TA and a student do: `npm run kit` writes a kit into a fresh
 * temporary folder (outside this repository, so nothing of it can reach reference/), `npm install`
 * installs it, and a student's copy of it (the kit with their files in place of the skeleton)
 * self-checks with `npm run check`.
 */
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import type { AssignmentName } from "../../../graders/cases/case";
import { CONTRACT } from "../../../graders/contract";
import { EXTENSIONS } from "../../../graders/submission/locate";

export const PROJECT = fileURLToPath(new URL("../../../", import.meta.url));
/** The self-check's environment: no color codes in what the tests read. */
const ENV = { NO_COLOR: "1" };

/** `npm run kit -- --assignment A --out DIR` in a new temporary folder; returns DIR (the temporary folder is its parent). */
export async function makeKit(assignment: AssignmentName): Promise<{ dir: string; seconds: number }> {
  const dir = join(mkdtempSync(join(tmpdir(), "backprop-kit-test-")), assignment);
  const t0 = performance.now();
  const r = await execa(process.execPath, ["scripts/run.mjs", "kit", "--assignment", assignment, "--out", dir], { cwd: PROJECT, reject: false, env: ENV });
  if (r.exitCode !== 0) throw new Error(`npm run kit failed (exit ${r.exitCode}):\n${r.stdout}\n${r.stderr}`);
  return { dir, seconds: (performance.now() - t0) / 1000 };
}

/** Remove a kit made by makeKit, and its temporary folder. */
export const removeKit = (dir: string) => rmSync(join(dir, ".."), { recursive: true, force: true });

/** Bytes and files under a folder. */
export function sizeOf(dir: string): { bytes: number; files: number } {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile());
  return { bytes: files.reduce((s, d) => s + statSync(join(d.parentPath, d.name)).size, 0), files: files.length };
}

/** `npm install` in a kit, as a student runs it; its time and what it installed. */
export async function npmInstall(dir: string): Promise<{ seconds: number; bytes: number; files: number; packages: string[]; stderr: string }> {
  const t0 = performance.now();
  const r = await execa("npm", ["install", "--no-audit", "--no-fund"], { cwd: dir, reject: false });
  if (r.exitCode !== 0) throw new Error(`npm install failed in ${dir}:\n${r.stdout}\n${r.stderr}`);
  const seconds = (performance.now() - t0) / 1000;
  const modules = join(dir, "node_modules");
  const packages = readdirSync(modules).flatMap((p) =>
    p.startsWith("@") ? readdirSync(join(modules, p)).map((q) => `${p}/${q}`) : p.startsWith(".") ? [] : [p],
  );
  return { seconds, ...sizeOf(modules), packages, stderr: r.stderr };
}

/**
 * A student's copy of an installed kit in a new temporary folder: the kit with `files` (a folder of
 * a submission) in place of the skeleton, or the skeleton as handed out.
 */
export function studentCopy(kit: string, assignment: AssignmentName, files?: string): string {
  const dir = join(mkdtempSync(join(tmpdir(), "backprop-kit-student-")), "my-work");
  cpSync(kit, dir, { recursive: true });
  if (files !== undefined) {
    for (const { file } of CONTRACT[assignment]) for (const ext of EXTENSIONS) rmSync(join(dir, file.replace(/\.ts$/, ext)), { force: true });
    cpSync(files, dir, { recursive: true });
  }
  return dir;
}

/** `npm run check -- …args` in a kit folder, as a student runs it. */
export function npmCheck(dir: string, args: string[] = []) {
  return execa("npm", ["run", "--silent", "check", ...(args.length > 0 ? ["--", ...args] : [])], { cwd: dir, reject: false, env: ENV });
}

/** The kit's self-check without npm in front (`node .grader/check.mjs …args`). */
export function nodeCheck(dir: string, args: string[] = [], env: Record<string, string> = {}) {
  return execa(process.execPath, [join(".grader", "check.mjs"), ...args], { cwd: dir, reject: false, env: { ...ENV, ...env } });
}
