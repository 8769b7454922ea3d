/**
 * One test of a submission, from its spec to its TestResult: the export looked up in its file's
 * loaded module first (a missing or misnamed export fails here, with what the file does export),
 * then its check; a grader that throws is the grader's error, never the student's failure.
 */
import type { GradingPolicy } from "../reference/grading-policy";
import { UnrecordedAnswerError } from "../reference/reference-answers";
import { type Outcome, type TestResult, type TestSpec, scoreOf } from "../result-model";
import type { Sandbox } from "../sandbox/sandbox";
import type { ExportSandbox } from "./export-sandboxes";
import { withOwnGatesNote } from "./graph-gates";
import type { SubmissionGrader } from "./submission-grader";

/** Grade `spec` of the export that runs `where` (undefined: no file of the contract provides it), timed. */
export async function gradeTest(spec: TestSpec, where: ExportSandbox | undefined, grader: SubmissionGrader, policy: GradingPolicy): Promise<TestResult> {
  const t0 = performance.now();
  let outcome: Outcome;
  try {
    const missing = where && "sandbox" in where ? await missingExport(where.sandbox, where.file, spec.export) : null;
    outcome = missing ?? (await grader.grade(spec));
  } catch (error) {
    outcome =
      error instanceof UnrecordedAnswerError
        ? { status: "grader-error", message: error.message, cause: error.stack }
        : { status: "grader-error", message: `the grader failed on this test: ${(error as Error).message}.`, cause: (error as Error).stack };
  }
  outcome = withOwnGatesNote(policy, spec, outcome);
  const extra = "extra" in outcome ? outcome.extra : undefined;
  return { test: spec, score: scoreOf(spec, outcome), outcome, durationMs: performance.now() - t0, ...(extra ? { extra } : {}) };
}

/** A failed outcome when the loaded file does not export `name` as the contract says (found out once the sandbox has loaded: the first run loads it). */
async function missingExport(sandbox: Sandbox, file: string, name: string): Promise<Outcome | null> {
  if (!sandbox.exports) await sandbox.load();
  const exports = sandbox.exports;
  if (!exports) return null; // it did not load: the test's run reports why
  const kind = exports[name];
  if (kind === "function") return null;
  const others = Object.keys(exports).filter((k) => k !== "default");
  const hint =
    "default" in exports
      ? ` It has a default export: the contract needs named exports (export function ${name} …).`
      : others.length > 0
        ? ` It exports ${others.slice(0, 8).join(", ")}${others.length > 8 ? " …" : ""}.`
        : "";
  const what = kind === undefined ? "does not export" : `exports ${name} as a ${kind}, not a function or class:`;
  return { status: "failed", message: `${file} ${what} ${name}.${hint}` };
}
