/**
 * Gradescope's container, imitated on this machine, for whatever runs a bundle the way Gradescope
 * does: the bench (scripts/bench/gradescope.ts) and the Gradescope tests
 * (test/helpers/gradescope/harness.ts) share it, so the bench times the bundle exactly as the
 * tests run it. Gradescope's submission_metadata.json, autograder.zip unzipped with each entry's
 * Unix mode (yauzl), the environment every script gets (no bubblewrap, as in Gradescope's
 * containers), and a script run in its own process group (a hostile submission that signals its
 * group reaches nothing of the caller's). Not part of the bundle: yauzl is a dev dependency.
 */
import { createWriteStream, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { execa } from "execa";
import yauzl from "yauzl";

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

export interface CommandRun {
  stdout: string;
  stderr: string;
  exitCode: number | undefined;
  seconds: number;
}

/** Run a script of the bundle in its own process group, killed whole when the caller gives up. */
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
