/**
 * Where each export of a submission runs: every contract file compiled (bundle.ts) and loaded in
 * a sandbox of its own, so whatever one file does (missing, not compiling, throwing, hanging,
 * crashing) costs only the tests of its exports. A file's child is started while the next file
 * compiles; the first test of the file waits for it.
 */
import { basename } from "node:path";
import type { Manifest } from "../manifest";
import type { GradingPolicy } from "../reference/grading-policy";
import type { TestSpec } from "../result-model";
import { Sandbox, type SandboxOptions } from "../sandbox/sandbox";
import { bundleFile, formatCompileError } from "../submission/bundle";
import type { Intake, Located } from "../submission/locate";
import { isGraphFile, missingGatesText, studentGatesFile, withGatesText } from "./graph-gates";

/**
 * Where an export runs in this submission: the sandbox of the file that holds it (and that file's
 * timing sandbox, if it has one) and the file's name as handed in, or why it cannot be tested
 * (the file is missing or does not compile).
 */
export type ExportSandbox = { sandbox: Sandbox; timing?: Sandbox; file: string } | { problem: string };

/** A submission's sandboxes, filled in as they start: whoever holds this closes every child in it, also when starting them failed midway. */
export interface SubmissionSandboxes {
  /** Each export of the files graded: where it runs, or why it cannot. */
  exports: Map<string, ExportSandbox>;
  /** One per file that compiled, in file order: what the student's code printed is theirs. */
  sandboxes: Sandbox[];
  /** The timing children (timingChild): closed with the others; what they print is the same as their file's. */
  timing: Sandbox[];
}

export const noSandboxes = (): SubmissionSandboxes => ({ exports: new Map(), sandboxes: [], timing: [] });

/** Stop every child: nothing outlives the grading. */
export async function closeSandboxes(s: SubmissionSandboxes): Promise<void> {
  await Promise.all([...s.sandboxes, ...s.timing].map((sandbox) => sandbox.close()));
}

/** What starting a submission's sandboxes depends on, besides the files. */
export interface SandboxSetup {
  /** The manifest graded (its limits, --timeout applied). */
  manifest: Manifest;
  /** How long loading a file may take: the declared per-call limit (--timeout shortens calls, never loading). */
  loadTimeoutMs: number;
  /** The tests being graded: a file gets a timing child only when one of its exports has an efficiency test. */
  specs: TestSpec[];
  policy: GradingPolicy;
  bwrap?: boolean;
  /** Time the efficiency tests in a second child of the same file (GradeOptions.timingChild). */
  timingChild?: boolean;
}

/**
 * Compile and start each of `files` (found in `intake`) into `into`, adding to `messages` what the
 * student is told once for the whole submission (a missing file's folder list, a compile error).
 */
export async function startSandboxes(into: SubmissionSandboxes, intake: Intake, files: Located[], setup: SandboxSetup, messages: string[]): Promise<void> {
  const gatesFile = studentGatesFile(setup.policy, intake.files);
  for (const located of files) {
    if (!located.found) {
      if (!messages.includes(located.message)) messages.push(located.message); // one folder list for every file, said once
      setProblem(into, located, located.message);
      continue;
    }
    const isGraph = isGraphFile(located);
    if (isGraph && gatesFile && !gatesFile.found) {
      setProblem(into, located, missingGatesText(gatesFile));
      continue;
    }
    const withGates = isGraph && gatesFile?.found ? gatesFile.path : undefined;
    const bundle = await bundleFile(intake.root, located.path, withGates);
    if (!bundle.ok) {
      const text = `${basename(located.path)}${withGates ? withGatesText(withGates) : ""} does not compile:\n${bundle.errors.slice(0, 5).map(formatCompileError).join("\n")}`;
      messages.push(text);
      setProblem(into, located, text);
      continue;
    }
    startFile(
      into,
      located,
      bundle.code,
      {
        memoryMb: setup.manifest.limits.memoryMb,
        loadTimeoutMs: setup.loadTimeoutMs,
        bwrap: setup.bwrap,
        graderGates: isGraph && setup.policy.graphGates === "grader",
      },
      setup,
    );
  }
}

function setProblem(into: SubmissionSandboxes, located: Located, problem: string): void {
  for (const e of located.exports) into.exports.set(e, { problem });
}

/**
 * The sandbox of one compiled file, and its timing child when the file has an efficiency test
 * being graded and timingChild is on: each starts loading now, in the background (the first test
 * of the file waits for it, and reports a failed load).
 */
function startFile(into: SubmissionSandboxes, located: Located & { found: true }, code: string, options: SandboxOptions, setup: SandboxSetup): void {
  const sandbox = new Sandbox(code, options);
  into.sandboxes.push(sandbox);
  sandbox.load().catch(() => undefined); // its child starts while the next file compiles; the first test waits for it
  const timed = setup.timingChild && setup.specs.some((t) => t.kind === "efficiency" && located.exports.includes(t.export));
  const timing = timed ? new Sandbox(code, options) : undefined;
  if (timing) {
    into.timing.push(timing);
    timing.load().catch(() => undefined);
  }
  for (const e of located.exports) into.exports.set(e, { sandbox, ...(timing ? { timing } : {}), file: basename(located.path) });
}
