/**
 * Grades one assembled hostile case in a process of its own, for test/hostile.test.ts: the cases
 * that could kill or swamp the process that grades them run here, so a failure cannot take Jest
 * down.
 *
 *   node --import tsx test/hostile-run.ts <assignment> <folder> <secret> <callTimeoutMs> [default|bwrap|no-bwrap]
 *
 * stderr: "hostile-run: rss-before-kb N" just before grading (the grader's size before the case);
 * stdout: one line "HOSTILE-RUN-RESULT " + JSON { result: SubmissionResult, rssBeforeKb, hwmAfterKb }.
 */
import { readFileSync } from "node:fs";
import type { AssignmentName } from "../graders/cases/case";
import { gradeSubmission } from "../graders/grade";
import { HOSTILE_KINDS } from "./hostile-assemble";

const RESULT_PREFIX = "HOSTILE-RUN-RESULT ";

function statusKb(field: string): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync("/proc/self/status", "utf8"));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

const [assignment, dir, secret, timeout, mode = "default"] = process.argv.slice(2);
if (!assignment || !dir || !secret || !timeout) {
  process.stderr.write("usage: node --import tsx test/hostile-run.ts <assignment> <folder> <secret> <callTimeoutMs> [default|bwrap|no-bwrap]\n");
  process.exit(2);
}
const rssBeforeKb = statusKb("VmRSS") ?? Math.round(process.memoryUsage().rss / 1024);
process.stderr.write(`hostile-run: rss-before-kb ${rssBeforeKb}\n`);
const result = await gradeSubmission(assignment as AssignmentName, dir, {
  secret,
  callTimeoutMs: Number(timeout),
  kinds: HOSTILE_KINDS,
  ...(mode === "default" ? {} : { bwrap: mode === "bwrap" }),
});
process.stdout.write(`${RESULT_PREFIX}${JSON.stringify({ result, rssBeforeKb, hwmAfterKb: statusKb("VmHWM") })}\n`, () => process.exit(0));
