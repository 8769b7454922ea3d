/**
 * What a regrade changed (graders/staff/regrade-diff.ts) on hand-made classes of the classifiers
 * assignment: per student the score before and after, per test added, removed, outcome changed,
 * points changed; changes.csv's rows; the terminal's summary, also when nothing changed; and
 * which folders `--compare` refuses (graders/staff/previous-grading.ts). The command line itself
 * (`--compare` with `--resume`, the one-line usage errors) is in test/e2e/cli.test.ts.
 */
import { describe, expect, it } from "@jest/globals";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { writeResult } from "../../../graders/batch";
import { loadManifest, testSpecs } from "../../../graders/manifest";
import { type Outcome, type SubmissionResult, type TestResult, type TestSpec, scoreOf } from "../../../graders/result-model";
import { readPreviousGrading } from "../../../graders/staff/previous-grading";
import { regradeDiff, regradeSummary, toChangesCsv } from "../../../graders/staff/regrade-diff";

const SPECS = testSpecs(loadManifest("classifiers"));
const SVM_HIDDEN = "svmLoss: matches the reference on fresh hidden cases";
const SVM_GOLDEN = "svmLoss: matches the reference on the committed fixtures";
const failed: Outcome = { status: "failed", message: "svmLoss: loss = 6.9, expected 5.9" };

function student(id: string, outcomes: Record<string, Outcome> = {}, specs: TestSpec[] = SPECS, assignment = "classifiers"): SubmissionResult {
  const tests: TestResult[] = specs.map((test) => {
    const outcome = outcomes[test.name] ?? { status: "passed", message: "ok" };
    return { test, outcome, score: scoreOf(test, outcome), durationMs: 5 };
  });
  return {
    assignment,
    student: id,
    score: tests.reduce((a, t) => a + t.score, 0),
    maxScore: tests.reduce((a, t) => a + t.test.points, 0),
    executionTimeMs: 1,
    tests,
    messages: [],
  };
}

const points = (name: string) => SPECS.find((s) => s.name === name)!.points;

describe("regradeDiff", () => {
  it("a regrade that changes nothing says so, and changes.csv has its header only", () => {
    const before = [student("ann"), student("bob", { [SVM_HIDDEN]: failed })];
    const after = [student("ann"), student("bob", { [SVM_HIDDEN]: failed })];
    const diff = regradeDiff("out/before", before, after);
    expect(diff.changed).toEqual([]);
    expect(regradeSummary(diff)).toBe("regrade: nothing changed since out/before (2 students compared: same scores, same test outcomes and points)");
    expect(toChangesCsv(diff).trim()).toBe("student,before,after,max_before,max_after,tests_changed,changes");
  });

  it("names each student whose score or test changed: outcome, points, added and removed tests, students new and gone", () => {
    const heavier = SPECS.map((s) => (s.name === SVM_GOLDEN ? { ...s, points: s.points + 2 } : s));
    const withoutHidden = SPECS.filter((s) => s.name !== SVM_HIDDEN);
    const before = [
      student("ann"),
      student("bob", { [SVM_HIDDEN]: failed }), // a tolerance fixed: now passes
      student("cat"), // the golden test is worth 2 more points: same outcome, more points
      student("dan", {}, withoutHidden), // the hidden test is new for dan
      student("eve"), // gone from the class
    ];
    const after = [student("ann"), student("bob"), student("cat", {}, heavier), student("dan"), student("fay")];
    const diff = regradeDiff("prev", before, after);
    expect(diff.compared).toBe(6);
    expect(diff.changed.map((s) => [s.student, s.before?.score ?? null, s.after?.score ?? null])).toEqual([
      ["bob", 100 - points(SVM_HIDDEN), 100],
      ["cat", 100, 102],
      ["dan", 100 - points(SVM_HIDDEN), 100],
      ["eve", 100, null],
      ["fay", null, 100],
    ]);
    const bob = diff.changed[0];
    expect(bob.tests).toEqual([
      {
        kind: "changed",
        test: SVM_HIDDEN,
        before: { status: "failed", score: 0, points: points(SVM_HIDDEN) },
        after: { status: "passed", score: points(SVM_HIDDEN), points: points(SVM_HIDDEN) },
      },
    ]);
    expect(diff.changed[1].tests).toEqual([
      {
        kind: "changed",
        test: SVM_GOLDEN,
        before: { status: "passed", score: points(SVM_GOLDEN), points: points(SVM_GOLDEN) },
        after: { status: "passed", score: points(SVM_GOLDEN) + 2, points: points(SVM_GOLDEN) + 2 },
      },
    ]);
    expect(diff.changed[2].tests.map((t) => [t.kind, t.test])).toEqual([["added", SVM_HIDDEN]]);
    expect(diff.changed[3].tests.map((t) => t.kind)).toEqual(SPECS.map(() => "removed"));

    const rows = parse(toChangesCsv(diff), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.student, r.before, r.after])).toEqual([
      ["bob", String(100 - points(SVM_HIDDEN)), "100"],
      ["cat", "100", "102"],
      ["dan", String(100 - points(SVM_HIDDEN)), "100"],
      ["eve", "100", ""],
      ["fay", "", "100"],
    ]);
    expect(rows[0].changes).toBe(`${SVM_HIDDEN}: failed → passed, scored 0 → ${points(SVM_HIDDEN)}`);
    expect(rows[1].changes).toBe(
      `${SVM_GOLDEN}: worth ${points(SVM_GOLDEN)} → ${points(SVM_GOLDEN) + 2} points, scored ${points(SVM_GOLDEN)} → ${points(SVM_GOLDEN) + 2}`,
    );
    expect(rows[2].changes).toBe(`${SVM_HIDDEN}: added (passed, ${points(SVM_HIDDEN)}/${points(SVM_HIDDEN)})`);
    expect(rows[4].changes).toMatch(/^new student/);

    const summary = regradeSummary(diff).split("\n");
    expect(summary[0]).toBe("regrade: 5 students changed since prev:");
    expect(summary[1]).toBe(`  bob: ${100 - points(SVM_HIDDEN)}/100 → 100/100 (1 test changed)`);
    expect(summary[2]).toBe("  cat: 100/100 → 102/102 (1 test changed)");
  });

  it("lists at most `limit` students on the terminal, then how many more", () => {
    const diff = regradeDiff(
      "p",
      ["a", "b", "c"].map((s) => student(s, { [SVM_HIDDEN]: failed })),
      ["a", "b", "c"].map((s) => student(s)),
    );
    expect(regradeSummary(diff, 2).split("\n").slice(-1)[0]).toBe("  … and 1 more");
  });
});

describe("readPreviousGrading: what --compare accepts", () => {
  const tmp = () => mkdtempSync(join(tmpdir(), "staff-regrade-"));

  it("reads back every complete student of an earlier output of the same assignment", () => {
    const dir = tmp();
    writeResult(join(dir, "ann"), student("ann"));
    writeResult(join(dir, "bob"), student("bob", { [SVM_HIDDEN]: failed }));
    mkdirSync(join(dir, "cat")); // killed before cat was written: not a result
    const read = readPreviousGrading(dir, "classifiers");
    expect(read.ok && read.results.map((r) => [r.student, r.score])).toEqual([
      ["ann", 100],
      ["bob", 100 - points(SVM_HIDDEN)],
    ]);
  });

  it("refuses a folder of another assignment, a folder that is no grading output, and a file", () => {
    const other = tmp();
    const layers = testSpecs(loadManifest("layers"));
    writeResult(join(other, "ann"), student("ann", {}, layers, "layers"));
    expect(readPreviousGrading(other, "classifiers")).toEqual({
      ok: false,
      problem: `--compare ${other} holds results of assignment layers (student ann), not classifiers: compare with an earlier grading of classifiers`,
    });

    const notOutput = tmp();
    mkdirSync(join(notOutput, "ann"));
    writeFileSync(join(notOutput, "ann", "losses.js"), "export const x = 1;");
    const r = readPreviousGrading(notOutput, "classifiers");
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problem).toMatch(/^--compare \S+ is not a grading output: none of its folders holds a complete <student>\/results\.json/);

    const file = join(tmp(), "f");
    writeFileSync(file, "");
    expect(readPreviousGrading(file, "classifiers")).toEqual({
      ok: false,
      problem: `--compare ${file} is not a folder: give an earlier --out folder of classifiers`,
    });
  });
});
