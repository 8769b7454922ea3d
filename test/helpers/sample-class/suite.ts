/**
 * The grader against the sample class (fixtures/submissions) of one assignment, the reference
 * and the skeleton, through the whole engine: bundle, sandbox, judge. Correct work never loses a
 * point; each bug costs points on its own export and nowhere else (argument mutation included:
 * the property checks see it), with the diagnosis class.json names; the reference earns full
 * marks; a skeleton handed in unchanged scores 0. Every kind of test is graded, efficiency and
 * training included (a grader error is a loss too). Each of those gradings must also give, message
 * for message, what the committed baseline holds (baseline.ts: fixtures/sample-class-results/,
 * run times and efficiency verdicts left out), so a restructuring that changes a verdict or a
 * message fails here without grading the class twice. One file per assignment runs this suite,
 * so Jest can spread the four over its workers.
 */
import { describe, expect, it } from "@jest/globals";
import type { AssignmentName } from "../../../graders/cases/case";
import { gradeSubmission } from "../../../graders/grade";
import type { SubmissionResult, TestResult } from "../../../graders/result-model";
import { SECRET, baselineFiles, baselineMismatch, baselined } from "./baseline";
import { classOf, explain, lostOn } from "./class";

export { SECRET };
/** One submission with every kind of test: layers takes 3–6 s alone (efficiency at 100×4096),
 *  several times that while other suites (the Gradescope bundles) grade on the same two cores. */
const GRADE_TIMEOUT_MS = 120_000;

/** The test whose diagnosis class.json names: the export's first failed golden or hidden test, else its first failed test. */
export const diagnosedTest = (r: SubmissionResult, exports: string[]): TestResult | undefined => {
  const failed = r.tests.filter((t) => exports.includes(t.test.export) && t.outcome.status === "failed");
  return failed.find((t) => t.test.kind === "golden" || t.test.kind === "hidden") ?? failed[0];
};

/** Grade `dir` with the suite's secret; throws with the differences when the result is not the committed baseline's. */
async function gradeAgainstBaseline(assignment: AssignmentName, dir: string): Promise<SubmissionResult> {
  const r = await gradeSubmission(assignment, dir, { secret: SECRET });
  const mismatch = baselineMismatch(assignment, dir, r);
  if (mismatch !== null) throw new Error(mismatch);
  return r;
}

export function sampleClassSuite(assignment: AssignmentName): void {
  describe(`sample class: ${assignment}`, () => {
    const students = Object.entries(classOf(assignment));

    it("the baseline has a file for each folder graded here and no other (npm run baseline removes the others)", () => {
      expect(baselineFiles(assignment).sort()).toEqual(
        baselined(assignment)
          .map((b) => b.file)
          .sort(),
      );
    });

    it.each(students.filter(([, s]) => s.expect === "correct").map(([id]) => id))(
      "%s (correct) loses no point",
      async (id) => {
        const r = await gradeAgainstBaseline(assignment, `fixtures/submissions/${assignment}/${id}`);
        if (lostOn(r).length > 0) throw new Error(explain(r));
        expect(r.tests.every((t) => t.score === t.test.points)).toBe(true);
      },
      GRADE_TIMEOUT_MS,
    );

    it.each(students.filter(([, s]) => s.expect === "buggy").map(([id, s]) => [id, s] as const))(
      "%s (buggy) loses points only on its own export",
      async (id, s) => {
        const r = await gradeAgainstBaseline(assignment, `fixtures/submissions/${assignment}/${id}`);
        const lost = lostOn(r);
        const elsewhere = lost.filter((e) => !s.exports!.includes(e));
        if (elsewhere.length > 0) throw new Error(`${id} (${s.note}) lost points on ${elsewhere.join(", ")}:\n${explain(r)}`);
        expect(lost.sort()).toEqual([...s.exports!].sort());
        // a wrong answer is the student's bug: the grader never breaks on it
        const broke = r.tests.filter((t) => t.outcome.status === "grader-error");
        if (broke.length > 0) throw new Error(`${id}: grader errors on ${broke.map((t) => `"${t.test.name}": ${t.outcome.message}`).join("; ")}`);
        if (s.diagnosis !== undefined) {
          // the likely cause, from the catalog of known wrong variants (graders/judge/diagnose/) or a property check
          const t = diagnosedTest(r, s.exports!);
          const diagnosis = t?.outcome.status === "failed" ? t.outcome.diagnosis : undefined;
          if (!diagnosis?.toLowerCase().includes(s.diagnosis.toLowerCase())) {
            throw new Error(
              `${id}: expected the diagnosis of ${t?.test.name ?? "a failing test"} to contain "${s.diagnosis}", got ${diagnosis === undefined ? "none" : `"${diagnosis}"`}`,
            );
          }
        }
      },
      GRADE_TIMEOUT_MS,
    );

    it(
      "the reference, graded as a submission, earns full marks",
      async () => {
        const r = await gradeAgainstBaseline(assignment, `reference/${assignment}`);
        if (lostOn(r).length > 0) throw new Error(explain(r));
        expect(r.tests.length).toBeGreaterThan(0);
        expect(r.score).toBe(r.maxScore);
      },
      GRADE_TIMEOUT_MS,
    );

    // Only hidden tests draw from the secret (every other test has a fixed, replayable seed), so
    // "full marks under other seeds" is about them: three more secrets, every correct submission.
    it("the correct students and the reference earn every hidden point under three more secrets", async () => {
      const correct = [
        ...students.filter(([, s]) => s.expect === "correct").map(([id]) => `fixtures/submissions/${assignment}/${id}`),
        `reference/${assignment}`,
      ];
      for (const secret of ["seed-2", "seed-3", "seed-4"]) {
        for (const dir of correct) {
          const r = await gradeSubmission(assignment, dir, { secret, kinds: ["hidden"] });
          if (lostOn(r).length > 0) throw new Error(`${dir} under secret ${secret}:\n${explain(r)}`);
          expect(r.tests.length).toBeGreaterThan(0);
        }
      }
    }, 120_000);

    it("the skeleton handed in unchanged scores 0 on every test, each saying what is not implemented", async () => {
      const r = await gradeAgainstBaseline(assignment, `assignments/${assignment}/skeleton`);
      expect(r.score).toBe(0);
      for (const t of r.tests) {
        expect(t.outcome.status).toBe("failed");
        expect(t.outcome.message).toMatch(/not implemented yet/);
      }
    });
  });
}
