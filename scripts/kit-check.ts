/**
 * The starter kit's self-check: `npm run check` in a kit folder (scripts/kit.ts builds this file,
 * with esbuild, into the kit's .grader/check.mjs; graders/reference/live-reference.ts is replaced there by the
 * answers recorded for the kit, graders/reference/recorded-reference.ts). It grades under the kit's
 * policy (KIT_POLICY, graders/reference/grading-policy.ts), as the recording of those answers did.
 *
 *   npm run check                       every visible test of the files in the kit folder
 *   npm run check -- affineBackward …   only the tests of these exports
 *   npm run check -- --watch            again whenever a file is saved (Ctrl-C ends it)
 *   --junit FILE      also write the JUnit report (graders/results/junit.ts)
 *   --summary FILE    also append the Markdown summary (GitHub's $GITHUB_STEP_SUMMARY)
 *   --classroom FILE  also append `result=<base64>` (GitHub's $GITHUB_OUTPUT): GitHub Classroom's
 *                     runner result, which classroom-resources/autograding-grading-reporter reads
 *
 * Exit 0 only when every visible test passes, 1 otherwise, 2 for a usage error. Plain Node: it
 * runs the same on Linux, macOS and Windows (paths with path.join, no shell).
 */
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import { availableParallelism } from "node:os";
import { type GradeOptions, gradeSubmission } from "../graders/grade";
import { isAssignment, loadManifest } from "../graders/manifest";
import { rootPath } from "../graders/paths";
import { KIT_POLICY } from "../graders/reference/grading-policy";
import type { SubmissionResult } from "../graders/result-model";
import { proveSandbox, requireSandbox } from "../graders/sandbox/canary";
import { allVisiblePassed, toSelfCheck } from "../graders/results/self-check";
import { checkedExports, parseCommandLine, runMain } from "./cli";
import { KIT_FILE, type KitFile } from "./kit/kit-file";
import { watchSources } from "./kit/watch-sources";

const USAGE = `usage: npm run check [-- EXPORT … --watch --junit FILE --summary FILE --classroom FILE]
  EXPORT            check only the tests of these exports (e.g. affineBackward)
  --watch           check again whenever a file is saved; Ctrl-C ends it
  --junit FILE      also write the JUnit report to FILE
  --summary FILE    also append the Markdown summary to FILE (in CI: "$GITHUB_STEP_SUMMARY")
  --classroom FILE  also append result=<base64> to FILE (in CI: "$GITHUB_OUTPUT"), for GitHub Classroom's reporter`;

/** How a student reruns one export's tests (shown under every export that fails). */
const rerun = (exportName: string) => `npm run check -- ${exportName}`;

/** Files whose change means "check again": sources at any depth, not the kit's own or installed files. */
const SOURCE = /\.(m?ts|m?js)$/;
const IGNORED = new Set(["node_modules", ".grader", ".git"]);
/** Editors write a file in several steps (truncate, write, rename): wait for the last (scripts/kit/watch-sources.ts). */
const DEBOUNCE_MS = 200;

function parse() {
  const { values, positionals } = parseCommandLine(
    {
      allowPositionals: true,
      options: {
        watch: { type: "boolean", default: false },
        junit: { type: "string" },
        summary: { type: "string" },
        classroom: { type: "string" },
        help: { type: "boolean", default: false },
      },
    },
    USAGE,
  );
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  let kit: KitFile;
  try {
    kit = JSON.parse(readFileSync(rootPath(KIT_FILE), "utf8")) as KitFile;
  } catch (e) {
    throw new Error(`the starter kit is incomplete: ${rootPath(KIT_FILE)} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, {
      cause: e,
    });
  }
  if (!isAssignment(kit.assignment)) throw new Error(`the starter kit names an unknown assignment "${kit.assignment}"`);
  checkedExports(positionals, kit.assignment);
  return { assignment: kit.assignment, exports: positionals.length > 0 ? positionals : undefined, ...values };
}

/** The kit folder: the one that holds .grader/ (this file's root) and the student's files. */
const KIT = resolve(rootPath(), "..");

await runMain(async () => {
  const options = parse();
  const grading: GradeOptions = {
    secret: "self-check",
    visibleOnly: true,
    student: basename(KIT),
    timingChild: availableParallelism() > 1,
    policy: KIT_POLICY,
    ...(options.exports ? { exports: options.exports } : {}),
  };

  /** One check: print it, write the CI files asked for, and say whether every visible test passed. */
  const checkOnce = async (): Promise<boolean> => {
    // The sandbox canary (as in `npm run check`) runs beside the check, not before it: the code is
    // the student's own, on their machine, and the verdict waits for the canary, so a sandbox this
    // Node cannot run (a refused permission flag, say) is reported as that, never as their 0 points.
    const sandboxReady = requireSandbox(proveSandbox({ memoryMb: loadManifest(options.assignment).limits.memoryMb }));
    const graded = gradeSubmission(options.assignment, KIT, grading);
    await sandboxReady.catch(async (error) => {
      await graded.catch(() => undefined);
      throw error;
    });
    const result: SubmissionResult = await graded;
    console.log(toSelfCheck(result, { color: process.stdout.isTTY === true && !process.env.NO_COLOR, rerun }));
    if (options.junit) writeFileSync(options.junit, (await import("../graders/results/junit")).toJUnit([result]));
    if (options.summary) appendFileSync(options.summary, (await import("../graders/results/step-summary")).toStepSummary(result, { rerun }));
    if (options.classroom) appendFileSync(options.classroom, `result=${(await import("../graders/results/classroom")).classroomOutput(result, { rerun })}\n`);
    return allVisiblePassed(result);
  };

  if (!options.watch) return (await checkOnce()) ? 0 : 1;

  // --watch: check, then again after every save; a save during a check queues one more.
  let running = false;
  let again = false;
  const run = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    do {
      again = false;
      await checkOnce();
      console.log(`Watching ${KIT} for changes (Ctrl-C to stop)…`);
    } while (again);
    running = false;
  };
  watchSources(KIT, {
    relevant: (file) => SOURCE.test(file) && !file.split("/").some((part) => IGNORED.has(part) || part.startsWith(".")),
    skipped: (name) => IGNORED.has(name) || name.startsWith("."),
    debounceMs: DEBOUNCE_MS,
    onChange: (files) => {
      console.log(`\n── ${files.length > 3 ? `${files.slice(0, 3).join(", ")} and ${files.length - 3} more` : files.join(", ")} changed: checking again ──\n`);
      void run();
    },
  });
  process.on("SIGINT", () => process.exit(130));
  await run();
  await new Promise(() => {}); // until Ctrl-C
});
