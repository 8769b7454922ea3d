/**
 * Grades one assembled hostile case in a process of its own, for test/e2e/hostile.test.ts: the cases
 * that could kill or swamp the process that grades them run here, so a failure cannot take Jest
 * down.
 *
 *   node --import tsx test/helpers/hostile-run.ts <assignment> <folder> <secret> <callTimeoutMs> [default|bwrap|no-bwrap] [batch <outDir>]
 *
 * With `batch`, <folder> is a class folder (one student per subfolder), graded with gradeBatch
 * into <outDir>, every student at once (jobs = the number of students).
 * stderr: "hostile-run: rss-before-kb N" just before grading (the grader's size before the case);
 * stdout: one line "HOSTILE-RUN-RESULT " + JSON { result: SubmissionResult } (or, with batch,
 * { results: SubmissionResult[], students: string[] }, in student order) + { rssBeforeKb,
 * hwmAfterKb, sandboxStarts }: how many children each sandbox started (a child that ended, killed
 * or not, is restarted silently before the next call: only this count shows it).
 */
import { readFileSync } from "node:fs";
import type { AssignmentName } from "../../graders/cases/case";
import { gradeBatch, studentFolders } from "../../graders/batch";
import { type GradeOptions, gradeSubmission } from "../../graders/grade";
import { Sandbox } from "../../graders/sandbox/sandbox";
import { HOSTILE_KINDS, type SandboxStarts, isHostileBundle } from "./hostile-assemble";

const RESULT_PREFIX = "HOSTILE-RUN-RESULT ";

function statusKb(field: string): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync("/proc/self/status", "utf8"));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

const [assignment, dir, secret, timeout, mode = "default", batch, outDir] = process.argv.slice(2);
if (!assignment || !dir || !secret || !timeout || (batch !== undefined && (batch !== "batch" || !outDir))) {
  process.stderr.write(
    "usage: node --import tsx test/helpers/hostile-run.ts <assignment> <folder> <secret> <callTimeoutMs> [default|bwrap|no-bwrap] [batch <outDir>]\n",
  );
  process.exit(2);
}
// Count the children each sandbox starts, through its private start() (test instrumentation).
const sandbox = Sandbox.prototype as unknown as { start?: (this: { bundlePath: string }) => Promise<void> };
const start = sandbox.start;
if (typeof start !== "function") throw new Error("test/helpers/hostile-run.ts counts sandbox starts through Sandbox.prototype.start, which is gone: update it");
const starts = new Map<string, SandboxStarts>();
sandbox.start = function (this: { bundlePath: string }) {
  const s = starts.get(this.bundlePath) ?? { bundle: this.bundlePath, children: 0, hostile: isHostileBundle(this.bundlePath) };
  s.children++;
  starts.set(this.bundlePath, s);
  return start.call(this);
};

const rssBeforeKb = statusKb("VmRSS") ?? Math.round(process.memoryUsage().rss / 1024);
process.stderr.write(`hostile-run: rss-before-kb ${rssBeforeKb}\n`);
const options: GradeOptions = {
  secret,
  callTimeoutMs: Number(timeout),
  kinds: HOSTILE_KINDS,
  ...(mode === "default" ? {} : { bwrap: mode === "bwrap" }),
};
let graded: object;
if (batch) {
  const students = studentFolders(dir);
  graded = { results: await gradeBatch(assignment as AssignmentName, dir, outDir, { ...options, jobs: students.length, resume: false }), students };
} else {
  graded = { result: await gradeSubmission(assignment as AssignmentName, dir, options) };
}
process.stdout.write(
  `${RESULT_PREFIX}${JSON.stringify({ ...graded, rssBeforeKb, hwmAfterKb: statusKb("VmHWM"), sandboxStarts: [...starts.values()] })}\n`,
  () => process.exit(0),
);
