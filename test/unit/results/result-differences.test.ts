/**
 * Comparing two gradings of a class (graders/results/result-differences.ts): a changed message,
 * status or score is a difference; what the clock decides (run times, an efficiency test's
 * verdict and the points it moves) is not; a student graded only once is.
 */
import { describe, expect, it } from "@jest/globals";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jsonDifferences, resultDifferences } from "../../../graders/results/result-differences";

const test = (kind: string, status: string, score: number, output: string, extra: object = {}) => ({
  name: `affineForward: ${kind}`,
  number: "1.1",
  score,
  max_score: 1,
  status,
  output,
  extra_data: { status, kind, export: "affineForward", ...extra },
});
const result = (tests: ReturnType<typeof test>[], executionTime: number) => ({
  score: tests.reduce((s, t) => s + t.score, 0),
  max_score: tests.length,
  execution_time: executionTime,
  tests,
});

/** A class folder holding `students`' results.json files. */
function graded(students: Record<string, object>): string {
  const dir = mkdtempSync(join(tmpdir(), "result-differences-"));
  for (const [student, r] of Object.entries(students)) {
    mkdirSync(join(dir, "layers", student), { recursive: true });
    writeFileSync(join(dir, "layers", student, "results.json"), JSON.stringify(r));
  }
  return dir;
}

describe("resultDifferences", () => {
  const before = graded({
    ada: result(
      [
        test("golden", "passed", 1, "3 cases passed"),
        test("efficiency", "passed", 1, "0.04 s at 4×4096", { efficiency: { topMs: 37.1 } }),
        test("training", "passed", 1, "trained", { training: { durationMs: 812 } }),
      ],
      8.1,
    ),
  });

  it("finds none between gradings that differ only in what the clock decides", () => {
    const after = graded({
      ada: result(
        [
          test("golden", "passed", 1, "3 cases passed"),
          test("efficiency", "failed", 0, "0.11 s at 4×4096: grew 56×", { efficiency: { topMs: 110 } }),
          test("training", "passed", 1, "trained", { training: { durationMs: 1304 } }),
        ],
        9.7,
      ),
    });
    expect(resultDifferences(before, after)).toEqual([]);
  });

  it("names the file, the JSON path and both values of a changed message, status or score", () => {
    const after = graded({
      ada: result(
        [
          test("golden", "failed", 0, "dx is missing"),
          test("efficiency", "passed", 1, "0.04 s at 4×4096"),
          test("training", "passed", 1, "trained", { training: { durationMs: 812 } }),
        ],
        8.1,
      ),
    });
    expect(resultDifferences(before, after)).toEqual([
      "layers/ada/results.json /score: 2 → 1",
      "layers/ada/results.json /tests/0/score: 1 → 0",
      'layers/ada/results.json /tests/0/status: "passed" → "failed"',
      'layers/ada/results.json /tests/0/output: "3 cases passed" → "dx is missing"',
      'layers/ada/results.json /tests/0/extra_data/status: "passed" → "failed"',
    ]);
  });

  it("names a student graded in one folder only", () => {
    const after = graded({ bo: result([], 1) });
    expect(resultDifferences(before, after)).toEqual([`layers/ada/results.json: only in ${before}`, `layers/bo/results.json: only in ${after}`]);
  });
});

describe("jsonDifferences", () => {
  const before = { tests: [{ output: "dx[1][0] = 1.6, expected 0 (10 of 15 entries differ)\nworst entry dx[1][0]" }], score: 3 };
  const after = { tests: [{ output: "dx[1][0] = 1.6, expected 0 (10 of 15 entries disagree)\nworst entry dx[1][0]" }], score: 3 };

  it("shows whole values by default", () => {
    expect(jsonDifferences(before, after)).toEqual([`/tests/0/output: ${JSON.stringify(before.tests[0].output)} → ${JSON.stringify(after.tests[0].output)}`]);
  });

  it("with a context, shows two strings only around what differs", () => {
    expect(jsonDifferences(before, after, 8)).toEqual(['/tests/0/output: "…tries differ)\\nworst …" → "…tries disagree)\\nworst …"']);
    expect(jsonDifferences({ s: "ab" }, { s: "abc" }, 1)).toEqual(['/s: "…b" → "…bc"']);
    expect(jsonDifferences({ s: 1 }, { s: "1" }, 1)).toEqual(['/s: 1 → "1"']);
  });
});
