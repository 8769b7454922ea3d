/**
 * Running a Gradescope bundle as Gradescope does, in a temporary folder: `npm run bundle` makes
 * autograder.zip, which is unzipped (keeping each entry's Unix mode) into ROOT/source,
 * where setup.sh runs; then for each submission a fresh AUTOGRADER_ROOT holds the submission,
 * submission_metadata.json, a copy of run_autograder, and `source` (a link to the one unzipped
 * and set-up bundle), and run_autograder runs there. Everything runs without bubblewrap
 * (BACKPROP_GRADER_BWRAP=0), as in Gradescope's containers, each command in its own process
 * group (a hostile submission that signals its group reaches nothing of the test's): the
 * container's parts are scripts/gradescope/container.ts, which the bench shares.
 */
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import type { AssignmentName } from "../../../graders/cases/case";
import type { GradescopeResults } from "../../../graders/results/gradescope";
import { type CommandRun, METADATA, type ZipEntry, baseEnv, runScript, unzip } from "../../../scripts/gradescope/container";

export const PROJECT = fileURLToPath(new URL("../../../", import.meta.url));

export interface Timed<T> {
  value: T;
  seconds: number;
}

async function timed<T>(f: () => Promise<T>): Promise<Timed<T>> {
  const t0 = performance.now();
  const value = await f();
  return { value, seconds: (performance.now() - t0) / 1000 };
}

export interface Bundle {
  assignment: AssignmentName;
  tmp: string;
  zip: string;
  zipBytes: number;
  entries: ZipEntry[];
  /** The unzipped bundle: Gradescope's /autograder/source. */
  source: string;
  secret: string;
  bundleSeconds: number;
}

/** npm run bundle for `assignment` with a secret file, then unzip it into a new temporary folder. */
export async function makeBundle(assignment: AssignmentName, secret: string): Promise<Bundle> {
  const tmp = mkdtempSync(join(tmpdir(), `gradescope-${assignment}-`));
  const secretFile = join(tmp, "secret-seed.txt");
  writeFileSync(secretFile, `${secret}\n`);
  const out = join(tmp, "out");
  const made = await timed(() =>
    execa(process.execPath, ["scripts/run.mjs", "bundle", "--assignment", assignment, "--out", out, "--secret-file", secretFile], {
      cwd: PROJECT,
      reject: false,
    }),
  );
  if (made.value.exitCode !== 0) throw new Error(`npm run bundle failed (${made.value.exitCode}):\n${made.value.stderr}\n${made.value.stdout}`);
  const zip = join(out, "autograder.zip");
  const source = join(tmp, "source");
  const entries = await unzip(zip, source);
  return { assignment, tmp, zip, zipBytes: readFileSync(zip).length, entries, source, secret, bundleSeconds: made.seconds };
}

/** setup.sh in the unzipped bundle, as Gradescope runs it (in the source folder). */
export function runSetup(b: Bundle, extra: Record<string, string> = {}, timeoutMs = 240_000): Promise<CommandRun> {
  return runScript(join(b.source, "setup.sh"), b.source, baseEnv(b.tmp, extra), timeoutMs);
}

export interface GradedRun extends CommandRun {
  root: string;
  /** results.json, parsed (null when missing or not JSON). */
  results: GradescopeResults | null;
  /** results.json as written. */
  text: string;
}

/**
 * A fresh AUTOGRADER_ROOT for `submission` (a folder to copy, or files to write), then
 * run_autograder there, copied from the bundle as Gradescope copies it to /autograder.
 */
export async function runAutograder(
  b: Bundle,
  name: string,
  submission: { from: string } | { files: Record<string, string> },
  options: { env?: Record<string, string>; timeoutMs?: number; source?: string } = {},
): Promise<GradedRun> {
  const root = join(b.tmp, "runs", name);
  mkdirSync(join(root, "submission"), { recursive: true });
  if ("from" in submission) {
    cpSync(submission.from, join(root, "submission"), { recursive: true });
  } else {
    for (const [file, text] of Object.entries(submission.files)) writeFileSync(join(root, "submission", file), text);
  }
  writeFileSync(join(root, "submission_metadata.json"), JSON.stringify(METADATA, null, 1));
  const source = options.source ?? b.source;
  symlinkSync(source, join(root, "source"), "dir");
  copyFileSync(join(source, "run_autograder"), join(root, "run_autograder"));
  const tmp = join(root, "tmp");
  mkdirSync(tmp);
  const run = await runScript(join(root, "run_autograder"), root, baseEnv(tmp, { AUTOGRADER_ROOT: root, ...options.env }), options.timeoutMs ?? 600_000);
  let text = "";
  let results: GradescopeResults | null;
  try {
    text = readFileSync(join(root, "results", "results.json"), "utf8");
    results = JSON.parse(text) as GradescopeResults;
  } catch {
    results = null;
  }
  return { ...run, root, results, text };
}
