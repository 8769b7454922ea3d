/**
 * The grader against the sample class (fixtures/submissions), the reference and the skeletons,
 * through the whole engine: bundle, sandbox, judge. Correct work never loses a point; each bug
 * costs points on its own export and nowhere else (argument mutation included: the property
 * checks see it); a skeleton handed in unchanged scores 0.
 * Tests of kinds the engine does not implement yet (they report a grader error) are set aside.
 */
import { describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import { ASSIGNMENTS, type AssignmentName } from "../graders/cases/case";
import { gradeSubmission } from "../graders/grade";
import type { SubmissionResult, TestResult } from "../graders/results/result";

const SECRET = "sample-class-test";
console.log(`sample class graded with hidden seed prefix "hidden:${SECRET}"`);

interface Student { expect: "correct" | "buggy"; exports?: string[]; cause?: string; note: string }
const classOf = (a: AssignmentName): Record<string, Student> =>
  JSON.parse(readFileSync(`fixtures/submissions/${a}/class.json`, "utf8")).students;

/** Tests the engine could judge (not "not implemented yet"). */
const judged = (r: SubmissionResult): TestResult[] =>
  r.tests.filter((t) => !(t.outcome.status === "grader-error" && t.outcome.message.includes("not implemented")));
const lostOn = (r: SubmissionResult) => [...new Set(judged(r).filter((t) => t.outcome.status !== "passed").map((t) => t.test.export))];
const explain = (r: SubmissionResult) =>
  judged(r).filter((t) => t.outcome.status !== "passed").map((t) => `${t.test.name}: ${t.outcome.status}: ${t.outcome.message}`).join("\n");

describe.each(ASSIGNMENTS)("sample class: %s", (assignment) => {
  const students = Object.entries(classOf(assignment));

  it.each(students.filter(([, s]) => s.expect === "correct").map(([id]) => id))("%s (correct) loses no point", async (id) => {
    const r = await gradeSubmission(assignment, `fixtures/submissions/${assignment}/${id}`, { secret: SECRET });
    if (lostOn(r).length > 0) throw new Error(explain(r));
    expect(judged(r).every((t) => t.score === t.test.points)).toBe(true);
  });

  it.each(students.filter(([, s]) => s.expect === "buggy").map(([id, s]) => [id, s] as const))("%s (buggy) loses points only on its own export", async (id, s) => {
    const r = await gradeSubmission(assignment, `fixtures/submissions/${assignment}/${id}`, { secret: SECRET });
    const lost = lostOn(r);
    const elsewhere = lost.filter((e) => !s.exports!.includes(e));
    if (elsewhere.length > 0) throw new Error(`${id} (${s.note}) lost points on ${elsewhere.join(", ")}:\n${explain(r)}`);
    expect(lost.sort()).toEqual([...s.exports!].sort());
  });

  it("the reference, graded as a submission, earns every point the engine judges", async () => {
    const r = await gradeSubmission(assignment, `reference/${assignment}`, { secret: SECRET });
    if (lostOn(r).length > 0) throw new Error(explain(r));
    expect(judged(r).length).toBeGreaterThan(0);
  });

  it("the skeleton handed in unchanged scores 0 on every test, each saying what is not implemented", async () => {
    const r = await gradeSubmission(assignment, `assignments/${assignment}/skeleton`, { secret: SECRET });
    expect(r.score).toBe(0);
    for (const t of judged(r)) {
      expect(t.outcome.status).toBe("failed");
      expect(t.outcome.message).toMatch(/not implemented yet/);
    }
  });
});

describe("what a student is told", () => {
  it("a transposed dw: the export, the output, both shapes and whose shape it should be", async () => {
    const r = await gradeSubmission("layers", "fixtures/submissions/layers/cy-dw-transposed", { secret: SECRET });
    const t = r.tests.find((x) => x.test.name.startsWith("affineBackward: matches the reference on the committed"))!;
    expect(t.outcome).toMatchObject({ status: "failed", message: "affineBackward: dw has shape 7×5, expected 5×7 (the shape of w)" });
  });

  it("a wrong value: the worst entry, yours vs the reference, the CS231n relative error, how to replay", async () => {
    const r = await gradeSubmission("layers", "fixtures/submissions/layers/gil-tanh-one-minus-x2", { secret: SECRET });
    const t = r.tests.find((x) => x.test.name.startsWith("tanhBackward: matches the reference on the committed"))!;
    expect(t.outcome.status).toBe("failed");
    if (t.outcome.status !== "failed") return;
    expect(t.outcome.message).toMatch(/^tanhBackward: dx\[\d+\]\[\d+\] = -?[\d.e-]+, expected -?[\d.e-]+ \(\d+ of 15 entries differ\)$/);
    expect(t.outcome.details).toMatch(/CS231n relative error/);
    expect(t.outcome.replay).toMatch(/^case tanh\/3x5\/0 of fixtures\/golden\/layers\.json$/);
  });

  it("a folder without the assignment's files: each missing file named, with the names it must provide", async () => {
    const missing = await gradeSubmission("gates", "assignments/layers/skeleton", { secret: SECRET });
    expect(missing.messages[0]).toMatch(/^gates\.ts is missing: expected gates\.ts, gates\.mts, gates\.js, gates\.mjs at the root of your submission \(it provides AddGate/);
    expect(missing.messages[1]).toMatch(/^graph\.ts is missing: .*\(it provides ComputationalGraph\)$/);
    expect(missing.score).toBe(0);
  });
});
