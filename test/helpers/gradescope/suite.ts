/**
 * One assignment's Gradescope bundle, end to end (harness.ts): npm run bundle, unzip, setup.sh
 * (Node is present here, so it installs only the runtime dependencies, from the npm registry),
 * then run_autograder under AUTOGRADER_ROOT on a correct submission (full marks), a buggy one
 * (points lost on its own export only, as class.json says), and hostile ones (an endless loop and
 * process.exit at import): every results.json valid against the schema, Markdown output, hidden
 * tests with the manifest's visibility, and never the secret, a hidden case's inputs or the
 * reference in results.json or on stdout. One file per assignment runs it (Jest spreads them
 * over its workers); the measured times are printed.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { type AssignmentName, type Value } from "../../../graders/cases/case";
import { planCases } from "../../../graders/cases/plan";
import { CONTRACT } from "../../../graders/contract";
import { loadManifest, testSpecs } from "../../../graders/manifest";
import { TRAINING_ACCURACY, type GradescopeResults } from "../../../graders/results/gradescope";
import { resultsProblems } from "../../../graders/results/validate-results";
import { classOf } from "../sample-class/class";
import type { CommandRun } from "../../../scripts/gradescope/container";
import { type Bundle, type GradedRun, makeBundle, runAutograder, runSetup } from "./harness";

/** Every number of a case's inputs written with 8 characters or more (short ones, 0.1 or 3, could appear anywhere by chance). */
function longNumbers(v: Value | unknown, into: Set<string>): Set<string> {
  if (typeof v === "number") {
    if (String(Math.abs(v)).length >= 8) into.add(String(v));
  } else if (Array.isArray(v)) {
    for (const x of v) longNumbers(x, into);
  } else if (typeof v === "object" && v !== null) {
    for (const x of Object.values(v)) longNumbers(x, into);
  }
  return into;
}

/** Lines of the reference's source long enough to be its own (not a bracket or an import). */
function referenceLines(assignment: AssignmentName): string[] {
  const dir = join("reference", assignment);
  return readdirSync(dir).flatMap((f) =>
    readFileSync(join(dir, f), "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l.length >= 40 && !l.startsWith("//") && !l.startsWith("*") && !l.startsWith("import")),
  );
}

export const failedExports = (r: GradescopeResults) => [...new Set(r.tests.filter((t) => t.status !== "passed").map((t) => t.extra_data.export))].sort();
export const explain = (run: GradedRun) => `stdout:\n${run.stdout.slice(-4000)}\nstderr:\n${run.stderr.slice(-2000)}`;

/** The parsed, schema-valid results.json of a run (fails the test with the run's output otherwise). */
export function validResults(run: GradedRun): GradescopeResults {
  if (run.results === null) throw new Error(`no results.json, or not JSON:\n${explain(run)}`);
  expect(resultsProblems(run.results)).toEqual([]);
  return run.results;
}

/** A submission whose every contract file runs `code` when it is imported. */
const everyFile = (assignment: AssignmentName, code: string) => ({
  files: Object.fromEntries(CONTRACT[assignment].map((f) => [f.file.replace(/\.ts$/, ".js"), code])),
});

/** What a suite's extra tests get: the bundle (once beforeAll has made it) and `grade`, whose runs the leak check reads too. */
export interface SuiteContext {
  bundle: () => Bundle;
  grade: (name: string, submission: Parameters<typeof runAutograder>[2], options?: Parameters<typeof runAutograder>[3]) => Promise<GradedRun>;
}

export function bundleSuite(assignment: AssignmentName, more?: (ctx: SuiteContext) => void): void {
  describe(`Gradescope bundle: ${assignment}`, () => {
    const secret = `gradescope-test-secret-${assignment}-${process.pid}`;
    const specs = testSpecs(loadManifest(assignment));
    const students = Object.entries(classOf(assignment));
    const correct = students.find(([id, s]) => s.expect === "correct" && id.startsWith("ada-"))![0];
    const [buggy, buggyStudent] = students.find(([, s]) => s.expect === "buggy")!;
    let b: Bundle;
    let setup: CommandRun;
    const runs: GradedRun[] = [];
    const times: string[] = [];
    const grade: SuiteContext["grade"] = async (name, submission, options) => {
      const run = await runAutograder(b, name, submission, options);
      runs.push(run);
      times.push(`${name} ${run.seconds.toFixed(1)} s`);
      return run;
    };

    beforeAll(async () => {
      b = await makeBundle(assignment, secret);
      setup = await runSetup(b);
    }, 300_000);

    afterAll(() => {
      if (!b) return;
      console.log(
        `Gradescope bundle ${assignment}: autograder.zip ${(b.zipBytes / 1e6).toFixed(2)} MB (${b.entries.length} files), npm run bundle ${b.bundleSeconds.toFixed(1)} s, ` +
          `setup.sh ${setup?.seconds.toFixed(1)} s, run_autograder: ${times.join(", ")}`,
      );
      rmSync(b.tmp, { recursive: true, force: true });
    });

    it("has setup.sh and run_autograder at its root (executable), the grader, this assignment's files only, and the secret", () => {
      const modes = Object.fromEntries(b.entries.map((e) => [e.name, e.mode]));
      expect(modes["setup.sh"]).toBe(0o755);
      expect(modes["run_autograder"]).toBe(0o755);
      expect(modes["secret.txt"]).toBe(0o600);
      expect(readFileSync(join(b.source, "secret.txt"), "utf8").trim()).toBe(secret);
      for (const f of [
        "grader/autograder.mjs",
        "grader/runner.mjs",
        "bundle.env",
        "package.json",
        "package-lock.json",
        "fallback-results.json",
        `assignments/${assignment}/assignment.json`,
        `fixtures/golden/${assignment}.json`,
      ]) {
        expect(modes[f]).toBe(0o644);
      }
      const others = b.entries.filter(
        (e) => /^(assignments|fixtures\/golden|reference)\//.test(e.name) && !e.name.includes(assignment) && e.name !== "assignments/assignment.schema.json",
      );
      expect(others).toEqual([]);
      expect(JSON.parse(readFileSync(join(b.source, "package.json"), "utf8")).dependencies).toEqual({ esbuild: expect.stringMatching(/^\d+\.\d+\.\d+$/) });
    });

    it("setup.sh keeps the supported Node it finds, installs the runtime dependencies, and does nothing more when run again", async () => {
      expect({ exitCode: setup.exitCode, stderr: setup.stderr }).toEqual({ exitCode: 0, stderr: "" });
      expect(setup.stdout).toMatch(/setup: Node v\d+\.\d+\.\d+ at \S+ is supported \(20, 22, 24, 26\): not installing one/);
      expect(setup.stdout).toContain("setup: runtime dependencies: installed with npm ci");
      expect(setup.stdout).toMatch(/setup: esbuild \d+\.\d+\.\d+ loads/);
      expect(setup.stdout).toMatch(/setup: bubblewrap: /);
      expect(readFileSync(join(b.source, "node-path"), "utf8").trim()).toBe(process.execPath);
      const again = await runSetup(b);
      expect(again.exitCode).toBe(0);
      expect(again.stdout).toContain("setup: runtime dependencies: already installed from this package-lock.json");
      expect(again.stdout).not.toContain("installed with npm ci");
    }, 60_000);

    it(`a correct submission (${correct}) gets full marks; results.json is Markdown, hidden tests keep the manifest's visibility`, async () => {
      const run = await grade("correct", { from: join("fixtures", "submissions", assignment, correct) });
      const r = validResults(run);
      if (r.score !== r.max_score)
        throw new Error(
          `${r.score}/${r.max_score}:\n${r.tests
            .filter((t) => t.status !== "passed")
            .map((t) => `${t.name}: ${t.output}`)
            .join("\n")}\n${explain(run)}`,
        );
      expect(r.max_score).toBe(specs.reduce((s, t) => s + t.points, 0));
      expect(r.tests.map((t) => [t.name, t.visibility])).toEqual(specs.map((t) => [t.name, t.visibility]));
      expect(r.tests.some((t) => t.visibility === "after_published" || t.visibility === "after_due_date")).toBe(true);
      expect({ output_format: r.output_format, test_output_format: r.test_output_format, stdout_visibility: r.stdout_visibility }).toEqual({
        output_format: "md",
        test_output_format: "md",
        stdout_visibility: "hidden",
      });
      expect(new Set(r.tests.map((t) => t.output_format))).toEqual(new Set(["md"]));
      expect(r.execution_time).toBeGreaterThan(0);
      expect(r.extra_data.student).toBe("submission-123456");
      expect(run.stdout).toContain("hidden cases: seed from the bundle's secret file");
      if (assignment === "two-layer-net") {
        expect(r.leaderboard).toEqual([{ name: TRAINING_ACCURACY, value: expect.any(Number), order: "desc" }]);
        expect(r.leaderboard![0].value).toBeGreaterThanOrEqual(0.9);
      } else {
        expect(r.leaderboard).toBeUndefined();
      }
    }, 300_000);

    it(`a buggy submission (${buggy}) loses points on ${buggyStudent.exports!.join(", ")} only`, async () => {
      const run = await grade("buggy", { from: join("fixtures", "submissions", assignment, buggy) });
      const r = validResults(run);
      expect(failedExports(r)).toEqual([...buggyStudent.exports!].sort());
      expect(r.score).toBeLessThan(r.max_score);
    }, 300_000);

    // Each load ends after the manifest's call limit at most (2 s a file), not once per test.
    it.each([
      ["endless-loop", "loops forever", "while (true) {}", "did not finish within"],
      ["exit", "calls process.exit(0)", "process.exit(0);", "exit code 0"],
    ])(
      "%s: a submission whose every file %s at import yields a valid results.json scoring 0 that says why",
      async (name, _what, code, why) => {
        const run = await grade(name, everyFile(assignment, `// HOSTILE\n${code}\n`));
        const r = validResults(run);
        expect(r.score).toBe(0);
        expect(new Set(r.tests.map((t) => t.extra_data.status))).toEqual(new Set(["could-not-check"]));
        expect(r.tests[0].output).toContain(why);
        expect(run.seconds).toBeLessThan(60);
      },
      120_000,
    );

    more?.({ bundle: () => b, grade });

    // Last: it reads every run above.
    it("results.json and stdout never hold the secret, a hidden case's input or a line of the reference", () => {
      expect(runs.length).toBeGreaterThanOrEqual(4);
      const hidden = [
        ...longNumbers(
          planCases(assignment, `hidden:${secret}`).map((c) => c.inputs),
          new Set(),
        ),
      ];
      expect(hidden.length).toBeGreaterThan(20);
      const reference = referenceLines(assignment);
      expect(reference.length).toBeGreaterThan(5);
      for (const run of runs) {
        for (const [where, text] of [
          ["results.json", run.text],
          ["stdout", run.stdout],
          ["stderr", run.stderr],
        ] as const) {
          expect(text.includes(secret) ? `${where} of ${run.root} holds the secret` : "").toBe("");
          const leaked = hidden.filter((v) => text.includes(v));
          expect(leaked.length > 0 ? `${where} of ${run.root} holds hidden inputs ${leaked.slice(0, 5).join(", ")}` : "").toBe("");
          const copied = reference.filter((l) => text.includes(l));
          expect(copied.length > 0 ? `${where} of ${run.root} holds reference lines: ${copied[0]}` : "").toBe("");
        }
      }
    });
  });
}
