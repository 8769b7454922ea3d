/**
 * Likely causes on realistic buggy submissions (test/e2e/realistic-submissions/<assignment>/<student>),
 * graded through the whole engine (bundle, sandbox, judge, checks): each bug is written as a
 * student writes it, not as the catalog computes it, among them the ones that were misdiagnosed
 * (a softmax that takes log(p_y) of an underflowed probability, a maxout gradient sent to both
 * pieces, a net's bias gradient from one row, gradients not averaged, a net without its ReLU, a
 * linear classifier on top of a wrong loss). Every failed test of an export that carries a likely
 * cause must name that export's bug; the export's first failed value test must name it; advice
 * (the training test's checklist, the ReLU-mask text) is never a likely cause.
 */
import { afterAll, describe, expect, it } from "@jest/globals";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AssignmentName } from "../../graders/cases/case";
import { goldenPath } from "../../graders/cases/golden";
import { loadCaseFile } from "../../graders/cases/load";
import { gradeSubmission } from "../../graders/grade";
import { computeCatalog } from "../../graders/judge/diagnose";
import { KIT_POLICY } from "../../graders/reference/grading-policy";
import { recordedReference } from "../../graders/reference/recorded-reference";
import { RecordingReference } from "../../graders/reference/recording-reference";
import { referenceAnswers } from "../../graders/reference/live-reference";
import type { ReferenceAnswers } from "../../graders/reference/reference-answers";
import type { SubmissionResult, TestResult } from "../../graders/result-model";

interface Student {
  assignment: AssignmentName;
  id: string;
  /** Each export the bug costs points, and what its likely cause must say. */
  says: Record<string, RegExp>;
  /** What no likely cause of this submission may say (the misdiagnoses seen before). */
  never?: RegExp;
}

const STUDENTS: Student[] = [
  {
    assignment: "classifiers",
    id: "kim-softmax-log-of-p",
    says: { softmaxLoss: /softmaxLoss: loss is Infinity: it subtracts each row's max, but then takes log\(p_y\)/ },
    never: /overflows|subtract each row's max before/,
  },
  {
    assignment: "classifiers",
    id: "lou-linear-on-softmax-sum",
    says: {
      softmaxLoss: /softmaxLoss: loss and dscores are both N = \d+ times too large/,
      linearSoftmaxLoss: /^linearSoftmaxLoss matches what your softmaxLoss gives: fix softmaxLoss first/,
    },
    never: /divide it by N|SUM of the row losses/,
  },
  {
    assignment: "classifiers",
    id: "max-linear-on-svm-no-label",
    says: { svmLoss: /svmLoss: dscores has no gradient at the label/, linearSvmLoss: /^linearSvmLoss matches what your svmLoss gives: fix svmLoss first/ },
  },
  {
    assignment: "classifiers",
    id: "ned-softmax-grad-not-averaged",
    says: { softmaxLoss: /softmaxLoss: dscores is N = \d+ times too large: the 1\/N of the mean is missing/ },
  },
  { assignment: "two-layer-net", id: "ola-db2-first-row", says: { twoLayerNetLoss: /twoLayerNetLoss: db2 is the first row alone of dscores/ }, never: /ReLU/ },
  {
    assignment: "two-layer-net",
    id: "pat-grads-not-averaged",
    says: { twoLayerNetLoss: /twoLayerNetLoss: dW1, dW2, db1, db2 are N = \d+ times too large .*not averaged/ },
    never: /ReLU/,
  },
  {
    assignment: "two-layer-net",
    id: "quin-no-relu",
    says: {
      twoLayerNetScores: /twoLayerNetScores: scores has no ReLU between the layers/,
      twoLayerNetLoss: /twoLayerNetLoss: the loss is that of the net WITHOUT its ReLU in the forward/,
    },
    never: /mask must be z1 > 0/,
  },
  {
    assignment: "two-layer-net",
    id: "uma-half-reg",
    says: { twoLayerNetLoss: /twoLayerNetLoss: dW1 and dW2 add reg·W instead of 2·reg·W \(and the loss has ½·reg·ΣW²\)/ },
  },
  {
    assignment: "two-layer-net",
    id: "vic-no-reg-grad",
    says: { twoLayerNetLoss: /twoLayerNetLoss: dW1 and dW2 have no regularization gradient \(the loss is right\)/ },
  },
  { assignment: "two-layer-net", id: "rae-db1-loop", says: { twoLayerNetLoss: /twoLayerNetLoss: db1 is the last row alone of dz1/ } },
  {
    assignment: "layers",
    id: "sam-maxout-both-pieces",
    says: { maxoutBackward: /maxoutBackward: .* is what sending dout to BOTH pieces gives/ },
    never: /on a tie/,
  },
  { assignment: "layers", id: "tia-affine-db-assigns", says: { affineBackward: /affineBackward: db is the last row of dout alone/ } },
];

const diagnosisOf = (t: TestResult) => (t.outcome.status === "failed" ? t.outcome.diagnosis : undefined);
const lostOn = (r: SubmissionResult) => [...new Set(r.tests.filter((t) => t.score < t.test.points).map((t) => t.test.export))].sort();

/** Every failed test that carries a likely cause names its export's bug (and nothing `never` forbids); each export's first failed value test names it. */
function expectRightCauses(s: Student, r: SubmissionResult, firstMustSay: boolean): void {
  const failed = r.tests.filter((t) => t.outcome.status !== "passed");
  const show = failed
    .map((t) => `${t.test.name}: ${t.outcome.message.split("\n")[0]}${diagnosisOf(t) ? `\n    likely cause: ${diagnosisOf(t)}` : ""}`)
    .join("\n");
  if (r.tests.some((t) => t.outcome.status === "grader-error" || t.outcome.status === "could-not-check"))
    throw new Error(`${s.id}: not a wrong answer:\n${show}`);
  expect(lostOn(r)).toEqual(Object.keys(s.says).sort());
  for (const [exportName, says] of Object.entries(s.says)) {
    const mine = failed.filter((t) => t.test.export === exportName);
    const first = mine.find((t) => t.test.kind === "golden" || t.test.kind === "hidden") ?? mine[0];
    if (firstMustSay && !says.test(diagnosisOf(first) ?? ""))
      throw new Error(`${s.id}: ${first.test.name} should say ${says}, got "${diagnosisOf(first) ?? "no likely cause"}"\n${show}`);
  }
  for (const t of failed) {
    const d = diagnosisOf(t);
    if (d === undefined) continue;
    const says = s.says[t.test.export];
    if (!says?.test(d) || s.never?.test(d)) throw new Error(`${s.id}: ${t.test.name} has a wrong likely cause "${d}"\n${show}`);
  }
}

describe("likely causes on realistic buggy submissions", () => {
  it.each(STUDENTS.map((s) => [s.id, s] as const))(
    "%s",
    async (_id, s) => {
      const r = await gradeSubmission(s.assignment, `test/e2e/realistic-submissions/${s.assignment}/${s.id}`, {
        secret: "realistic-diagnoses",
        kinds: ["golden", "hidden", "gradcheck", "properties", "training"],
      });
      expectRightCauses(s, r, true);
    },
    120_000,
  );
});

// The starter kit diagnoses offline, from the reference's answers recorded when it was made
// (scripts/kit.ts recordAnswers: the reference graded as the kit grades, then the catalog on every
// golden case). The same submissions, graded so, get the same likely causes, never a grader error.
describe("the same, offline as the starter kit grades", () => {
  const folder = mkdtempSync(join(tmpdir(), "realistic-recorded-"));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));
  const recorded = new Map<AssignmentName, ReferenceAnswers>();
  async function offline(a: AssignmentName): Promise<ReferenceAnswers> {
    if (!recorded.has(a)) {
      const recorder = new RecordingReference(referenceAnswers);
      await gradeSubmission(a, `reference/${a}`, {
        secret: "kit",
        visibleOnly: true,
        reference: recorder,
        policy: KIT_POLICY,
        kinds: ["golden", "gradcheck", "properties"],
      });
      for (const c of loadCaseFile(goldenPath(a)).cases) computeCatalog(c, recorder);
      const file = join(folder, `${a}.json`);
      writeFileSync(file, JSON.stringify(recorder.recorded(a)));
      recorded.set(a, recordedReference(file));
    }
    return recorded.get(a)!;
  }
  it.each(STUDENTS.map((s) => [s.id, s] as const))(
    "%s",
    async (_id, s) => {
      const reference = await offline(s.assignment);
      const r = await gradeSubmission(s.assignment, `test/e2e/realistic-submissions/${s.assignment}/${s.id}`, {
        secret: "kit-test",
        visibleOnly: true,
        reference,
        policy: KIT_POLICY,
        kinds: ["golden", "gradcheck", "properties"],
      });
      expectRightCauses(s, r, true);
    },
    120_000,
  );
});
