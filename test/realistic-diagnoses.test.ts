/**
 * Likely causes on realistic buggy submissions (test/realistic-submissions/<assignment>/<student>),
 * graded through the whole engine (bundle, sandbox, judge, checks): each bug is written as a
 * student writes it, not as the catalog computes it, among them the ones that were misdiagnosed
 * (a softmax that takes log(p_y) of an underflowed probability, a maxout gradient sent to both
 * pieces, a net's bias gradient from one row, gradients not averaged, a net without its ReLU, a
 * linear classifier on top of a wrong loss). Every failed test of an export that carries a likely
 * cause must name that export's bug; the export's first failed value test must name it; advice
 * (the training test's checklist, the ReLU-mask text) is never a likely cause.
 */
import { describe, expect, it } from "@jest/globals";
import type { AssignmentName } from "../graders/cases/case";
import { gradeSubmission } from "../graders/grade";
import type { SubmissionResult, TestResult } from "../graders/results/result";

interface Student {
  assignment: AssignmentName;
  id: string;
  /** Each export the bug costs points, and what its likely cause must say. */
  says: Record<string, RegExp>;
  /** What no likely cause of this submission may say (the misdiagnoses seen before). */
  never?: RegExp;
}

const STUDENTS: Student[] = [
  { assignment: "classifiers", id: "kim-softmax-log-of-p", says: { softmaxLoss: /softmaxLoss: loss is Infinity: it subtracts each row's max, but then takes log\(p_y\)/ }, never: /overflows|subtract each row's max before/ },
  {
    assignment: "classifiers",
    id: "lou-linear-on-softmax-sum",
    says: { softmaxLoss: /softmaxLoss: loss and dscores are both N = \d+ times too large/, linearSoftmaxLoss: /^linearSoftmaxLoss matches what your softmaxLoss gives: fix softmaxLoss first/ },
    never: /divide it by N|SUM of the row losses/,
  },
  { assignment: "classifiers", id: "max-linear-on-svm-no-label", says: { svmLoss: /svmLoss: dscores has no gradient at the label/, linearSvmLoss: /^linearSvmLoss matches what your svmLoss gives: fix svmLoss first/ } },
  { assignment: "classifiers", id: "ned-softmax-grad-not-averaged", says: { softmaxLoss: /softmaxLoss: dscores is N = \d+ times too large: the 1\/N of the mean is missing/ } },
  { assignment: "two-layer-net", id: "ola-db2-first-row", says: { twoLayerNetLoss: /twoLayerNetLoss: db2 is the first row alone of dscores/ }, never: /ReLU/ },
  { assignment: "two-layer-net", id: "pat-grads-not-averaged", says: { twoLayerNetLoss: /twoLayerNetLoss: dW1, dW2, db1, db2 are N = \d+ times too large .*not averaged/ }, never: /ReLU/ },
  { assignment: "two-layer-net", id: "quin-no-relu", says: { twoLayerNetScores: /twoLayerNetScores: scores has no ReLU between the layers/, twoLayerNetLoss: /twoLayerNetLoss: the loss is that of the net WITHOUT its ReLU in the forward/ }, never: /mask must be z1 > 0/ },
  { assignment: "two-layer-net", id: "rae-db1-loop", says: { twoLayerNetLoss: /twoLayerNetLoss: db1 is the last row alone of dz1/ } },
  { assignment: "layers", id: "sam-maxout-both-pieces", says: { maxoutBackward: /maxoutBackward: .* is what sending dout to BOTH pieces gives/ }, never: /on a tie/ },
  { assignment: "layers", id: "tia-affine-db-assigns", says: { affineBackward: /affineBackward: db is the last row of dout alone/ } },
];

const diagnosisOf = (t: TestResult) => (t.outcome.status === "failed" ? t.outcome.diagnosis : undefined);
const lostOn = (r: SubmissionResult) => [...new Set(r.tests.filter((t) => t.score < t.test.points).map((t) => t.test.export))].sort();

describe("likely causes on realistic buggy submissions", () => {
  it.each(STUDENTS.map((s) => [s.id, s] as const))("%s", async (_id, s) => {
    const r = await gradeSubmission(s.assignment, `test/realistic-submissions/${s.assignment}/${s.id}`, { secret: "realistic-diagnoses", kinds: ["golden", "hidden", "gradcheck", "properties", "training"] });
    const failed = r.tests.filter((t) => t.outcome.status !== "passed");
    const show = failed.map((t) => `${t.test.name}: ${t.outcome.message.split("\n")[0]}${diagnosisOf(t) ? `\n    likely cause: ${diagnosisOf(t)}` : ""}`).join("\n");
    if (r.tests.some((t) => t.outcome.status === "grader-error" || t.outcome.status === "could-not-check")) throw new Error(`${s.id}: not a wrong answer:\n${show}`);
    expect(lostOn(r)).toEqual(Object.keys(s.says).sort());
    for (const [exportName, says] of Object.entries(s.says)) {
      const mine = failed.filter((t) => t.test.export === exportName);
      // the first failed value test names the bug
      const first = mine.find((t) => t.test.kind === "golden" || t.test.kind === "hidden") ?? mine[0];
      if (!says.test(diagnosisOf(first) ?? "")) throw new Error(`${s.id}: ${first.test.name} should say ${says}, got "${diagnosisOf(first) ?? "no likely cause"}"\n${show}`);
    }
    // no failed test carries a wrong likely cause
    for (const t of failed) {
      const d = diagnosisOf(t);
      if (d === undefined) continue;
      const says = s.says[t.test.export];
      if (!says?.test(d) || s.never?.test(d)) throw new Error(`${s.id}: ${t.test.name} has a wrong likely cause "${d}"\n${show}`);
    }
  }, 120_000);
});
