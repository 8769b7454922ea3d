/**
 * The Gradescope bundle of one assignment, timed as Gradescope runs it: `npm run bundle` (with a
 * throwaway secret file), the zip unzipped into a temporary /autograder/source, `setup.sh` there
 * (Node is on PATH already, so it is `npm ci` of the runtime dependencies), then `run_autograder`
 * in a fresh AUTOGRADER_ROOT on one submission. Without bubblewrap, as in Gradescope's
 * containers. The unzip, the scripts' environment and the submission metadata are shared with the
 * Gradescope tests (scripts/gradescope/container.ts), so the bench runs the bundle exactly as they do.
 */
import { execa } from "execa";
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AssignmentName } from "../../graders/cases/case";
import { rootPath } from "../../graders/paths";
import type { GradescopeResults } from "../../graders/results/gradescope";
import { METADATA, baseEnv, runScript, unzip } from "../gradescope/container";

export interface GradescopeRun {
  assignment: AssignmentName;
  zipBytes: number;
  bundleS: number;
  setupS: number;
  graderS: number;
  score: string;
}

export async function timeGradescope(assignment: AssignmentName, submission: string): Promise<GradescopeRun> {
  const tmp = mkdtempSync(join(tmpdir(), `bench-gradescope-${assignment}-`));
  try {
    const secret = join(tmp, "secret.txt");
    writeFileSync(secret, "bench\n");
    const out = join(tmp, "out");
    const t0 = performance.now();
    const made = await execa(process.execPath, [rootPath("scripts", "run.mjs"), "bundle", "--assignment", assignment, "--out", out, "--secret-file", secret], {
      cwd: rootPath(),
      reject: false,
    });
    const bundleS = (performance.now() - t0) / 1000;
    if (made.exitCode !== 0) throw new Error(`npm run bundle failed (exit ${made.exitCode}):\n${String(made.stderr).slice(-2000)}`);
    const zip = join(out, "autograder.zip");
    const source = join(tmp, "source");
    await unzip(zip, source);
    const setup = await runScript(join(source, "setup.sh"), source, baseEnv(tmp), 600_000);
    if (setup.exitCode !== 0) throw new Error(`setup.sh failed (exit ${setup.exitCode}):\n${setup.stderr.slice(-2000)}`);
    const root = join(tmp, "root");
    mkdirSync(root);
    cpSync(submission, join(root, "submission"), { recursive: true });
    writeFileSync(join(root, "submission_metadata.json"), JSON.stringify(METADATA));
    symlinkSync(source, join(root, "source"), "dir");
    copyFileSync(join(source, "run_autograder"), join(root, "run_autograder"));
    const runTmp = join(root, "tmp");
    mkdirSync(runTmp);
    const run = await runScript(join(root, "run_autograder"), root, baseEnv(runTmp, { AUTOGRADER_ROOT: root }), 600_000);
    let score = "no results.json";
    try {
      const r = JSON.parse(readFileSync(join(root, "results", "results.json"), "utf8")) as GradescopeResults;
      score = `${r.score}/${r.max_score ?? "?"}`;
    } catch {
      score = `no results.json (exit ${run.exitCode})`;
    }
    return { assignment, zipBytes: statSync(zip).size, bundleS, setupS: setup.seconds, graderS: run.seconds, score };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
