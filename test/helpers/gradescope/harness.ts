/**
 * Running a Gradescope bundle as Gradescope does, in a temporary folder: `npm run bundle` makes
 * autograder.zip, which is unzipped (yauzl, keeping each entry's Unix mode) into ROOT/source,
 * where setup.sh runs; then for each submission a fresh AUTOGRADER_ROOT holds the submission,
 * submission_metadata.json, a copy of run_autograder, and `source` (a link to the one unzipped
 * and set-up bundle), and run_autograder runs there. Everything runs without bubblewrap
 * (BACKPROP_GRADER_BWRAP=0), as in Gradescope's containers, each command in its own process
 * group (a hostile submission that signals its group reaches nothing of the test's).
 */
import { copyFileSync, cpSync, createWriteStream, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import yauzl from "yauzl";
import type { AssignmentName } from "../../../graders/cases/case";
import type { GradescopeResults } from "../../../graders/results/gradescope";

export const PROJECT = fileURLToPath(new URL("../../../", import.meta.url));

/** Gradescope's submission_metadata.json, as its documentation shows it (ids are Gradescope's, never the student's). */
export const METADATA = {
  id: 123456,
  created_at: "2026-07-01T14:22:32.365935-07:00",
  assignment: {
    id: 25828,
    course_id: 1234,
    due_date: "2026-07-31T23:00:00.000000-07:00",
    title: "Backprop",
    total_points: "100.0",
    late_due_date: null,
    release_date: "2026-07-02T00:00:00.000000-07:00",
    group_submission: false,
    group_size: null,
  },
  users: [{ email: "student@example.com", id: 4321, name: "Student User" }],
  previous_submissions: [],
};

export interface ZipEntry {
  name: string;
  /** Unix permission bits. */
  mode: number;
}

/** Unzip `zip` into `dir` with each entry's Unix mode; yauzl refuses absolute paths and "..". */
export function unzip(zip: string, dir: string): Promise<ZipEntry[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(zip, { lazyEntries: true }, (error, file) => {
      if (error || !file) return reject(error);
      const entries: ZipEntry[] = [];
      file.on("error", reject);
      file.on("end", () => resolve(entries));
      file.on("entry", (entry: yauzl.Entry) => {
        const mode = (entry.externalFileAttributes >>> 16) & 0o7777;
        const to = join(dir, entry.fileName);
        if (entry.fileName.endsWith("/")) {
          mkdirSync(to, { recursive: true });
          file.readEntry();
          return;
        }
        mkdirSync(dirname(to), { recursive: true });
        file.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          pipeline(stream, createWriteStream(to, { mode: mode || 0o644 }))
            .then(() => {
              entries.push({ name: entry.fileName, mode });
              file.readEntry();
            })
            .catch(reject);
        });
      });
      file.readEntry();
    });
  });
}

/** The environment of every command: the machine's PATH and HOME (npm's cache), no bubblewrap. */
export function baseEnv(tmp: string, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? tmp, TMPDIR: tmp, BACKPROP_GRADER_BWRAP: "0", ...extra };
}

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

export interface CommandRun {
  stdout: string;
  stderr: string;
  exitCode: number | undefined;
  seconds: number;
}

/** Run a script of the bundle in its own process group, killed whole when the test gives up. */
export async function runScript(file: string, cwd: string, env: Record<string, string>, timeoutMs: number): Promise<CommandRun> {
  const t0 = performance.now();
  const child = execa(file, [], { cwd, env, extendEnv: false, reject: false, detached: true, timeout: timeoutMs, killSignal: "SIGKILL" });
  const r = await child;
  if (r.timedOut && child.pid) {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // the group is gone already
    }
  }
  return { stdout: String(r.stdout), stderr: String(r.stderr), exitCode: r.exitCode, seconds: (performance.now() - t0) / 1000 };
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
