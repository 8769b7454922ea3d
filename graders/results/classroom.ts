/**
 * A SubmissionResult as the result of a GitHub Classroom autograding runner: what
 * classroom-resources/autograding-grading-reporter reads from the environment variable
 * `<RUNNER-ID>_RESULTS` (the runner step's `result` output), base64 of JSON
 *   { version: 1, status: "pass" | "fail" | "error", max_score,
 *     tests: [{ name, status, score, message, test_code, filename, line_no, duration }] }
 * as classroom-resources/autograding-command-grader writes it. The reporter fails the job on any
 * "fail" or "error", prints each test, and posts "Points X/Y" for Classroom, X the sum of the
 * tests' `score`. Only the tests shown (visible ones, in a student's self-check) go in.
 */
import { cleanText, outcomeLines } from "./prose";
import type { Status, SubmissionResult, TestResult } from "../result-model";

export type ClassroomStatus = "pass" | "fail" | "error";

export interface ClassroomTest {
  name: string;
  status: ClassroomStatus;
  score: number;
  message: string;
  /** How to rerun this test: shown by the reporter under "Test code:". */
  test_code: string;
  filename: string;
  line_no: 0;
  /** Milliseconds. */
  duration: number;
}

export interface ClassroomResult {
  version: 1;
  status: ClassroomStatus;
  max_score: number;
  tests: ClassroomTest[];
}

/** failed and could-not-check are the student's to fix ("fail"); a grader error is ours ("error"). */
const STATUS: Record<Status, ClassroomStatus> = { passed: "pass", failed: "fail", "could-not-check": "fail", "grader-error": "error" };
/** The reporter prints every message in the job log: keep each readable. */
const MESSAGE_CAP = 2000;

export interface ClassroomOptions {
  /** The command that reruns one export's tests, e.g. (e) => `npm run check -- ${e}`. */
  rerun: (exportName: string) => string;
  /** Which tests go in (default: the visible ones). */
  shown?: (t: TestResult) => boolean;
}

export function toClassroom(result: SubmissionResult, options: ClassroomOptions): ClassroomResult {
  const shown = result.tests.filter(options.shown ?? ((t) => t.test.visibility === "visible"));
  const tests = shown.map((t): ClassroomTest => {
    const message = cleanText(outcomeLines(t).join("\n"));
    return {
      name: t.test.name,
      status: STATUS[t.outcome.status],
      score: t.score,
      message: message.length > MESSAGE_CAP ? `${message.slice(0, MESSAGE_CAP)} …` : message,
      test_code: options.rerun(t.test.export),
      filename: "",
      line_no: 0,
      duration: Math.round(t.durationMs),
    };
  });
  const status: ClassroomStatus = tests.some((t) => t.status === "error") ? "error" : tests.some((t) => t.status === "fail") ? "fail" : "pass";
  return { version: 1, status, max_score: shown.reduce((s, t) => s + t.test.points, 0), tests };
}

/** The runner's `result` output: base64 of the JSON. */
export function classroomOutput(result: SubmissionResult, options: ClassroomOptions): string {
  return Buffer.from(JSON.stringify(toClassroom(result, options)), "utf8").toString("base64");
}
