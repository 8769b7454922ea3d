// Mutation testing of the GRADER (grader sensitivity): Stryker mutates reference/<assignment>/
// and each mutant is graded as a student submission; a mutant that still earns full marks
// survived. Run it through `npm run mutation [-- ASSIGNMENT…]` (scripts/mutation.ts), which runs
// Stryker once per assignment with MUTATION_ASSIGNMENT set and prints the scores.
import { fileURLToPath, pathToFileURL } from "node:url";

const assignment = process.env.MUTATION_ASSIGNMENT;
if (!assignment) {
  throw new Error("stryker.config.mjs: MUTATION_ASSIGNMENT is not set; run `npm run mutation [-- ASSIGNMENT]` instead of stryker directly");
}
const tsx = import.meta.resolve("tsx");
// The judge: a snapshot of this project that scripts/mutation.ts takes when the run starts (so
// edits made during a long run do not change the grader halfway), else this project itself.
const judge = process.env.MUTATION_JUDGE ? pathToFileURL(`${process.env.MUTATION_JUDGE}/`) : new URL("./", import.meta.url);
const grade = fileURLToPath(new URL("scripts/mutant-grade.ts", judge));

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "command",
  // The command runs in Stryker's sandbox (cwd) and takes the mutated files from there, but the
  // judge (grader + pristine reference) is the project (snapshot): see scripts/mutant-grade.ts.
  commandRunner: { command: `node --import ${JSON.stringify(tsx)} ${JSON.stringify(grade)} ${assignment}` },
  coverageAnalysis: "off", // the command runner cannot report coverage
  mutate: [`reference/${assignment}/**/*.ts`],
  // The sandbox needs only the files to mutate: copy nothing else.
  ignorePatterns: ["/*", "!/reference/"],
  concurrency: Number(process.env.MUTATION_CONCURRENCY ?? 2),
  // Grading a mutant spawns several sandboxed children; allow for a busy machine.
  timeoutMS: 10000,
  timeoutFactor: 2,
  reporters: ["clear-text", process.stdout.isTTY ? "progress" : "progress-append-only", "json", "html"],
  jsonReporter: { fileName: `reports/mutation/${assignment}.json` },
  htmlReporter: { fileName: `reports/mutation/${assignment}.html` },
  clearTextReporter: { allowColor: false, logTests: false, reportTests: false },
  tempDirName: ".stryker-tmp",
  cleanTempDir: true,
};
