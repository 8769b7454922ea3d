/**
 * The staff's integrity signals (graders/staff/signals.ts), on a small class of the classifiers
 * assignment graded for real (svmLoss only, to stay quick): a student whose svmLoss returns the
 * committed fixtures' answers from a table and throws on anything else (fixture-only), two
 * students who share an uncatalogued wrong answer (identical outputs), a third with another wrong
 * answer, and two with the same known mistake (left out: students make it independently). Also:
 * the fingerprints stay out of everything the student receives, a resumed student without them
 * is named, and the CSV's rows.
 */
import { describe, expect, it } from "@jest/globals";
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { gradeBatch } from "../../../graders/batch";
import type { SubmissionResult } from "../../../graders/result-model";
import { toJUnit } from "../../../graders/results/junit";
import { STAFF_ANSWERS, fingerprintAnswer, readAnswerFingerprints } from "../../../graders/staff/answer-fingerprints";
import { type Signal, staffSignals, toSignalsCsv } from "../../../graders/staff/signals";

const SAMPLE = "fixtures/submissions/classifiers";
const ADA_RETURN = "return { loss: loss / N, dscores };";

/** ada's correct losses.js with svmLoss's returned loss changed by `expr`. */
function withLoss(dir: string, name: string, expr: string) {
  cpSync(join(SAMPLE, "ada-loops-js"), join(dir, name), { recursive: true });
  const file = join(dir, name, "losses.js");
  const code = readFileSync(file, "utf8");
  expect(code).toContain(ADA_RETURN);
  writeFileSync(file, code.replace(ADA_RETURN, `return { loss: ${expr}, dscores };`));
}

/** svmLoss answers the committed fixtures from a table copied out of them, and throws on anything else. */
function fixtureCopier(dir: string, name: string) {
  cpSync(join(SAMPLE, "ada-loops-js"), join(dir, name), { recursive: true });
  const golden = JSON.parse(readFileSync("fixtures/golden/classifiers.json", "utf8")) as {
    cases: { exports: string[]; inputs: { scores: number[][] }; expected: unknown }[];
  };
  const table = golden.cases.filter((c) => c.exports.includes("svmLoss")).map((c) => [JSON.stringify(c.inputs.scores), c.expected]);
  const file = join(dir, name, "losses.js");
  const code = readFileSync(file, "utf8").replace("export function svmLoss(scores, y) {", "function unused(scores, y) {");
  writeFileSync(
    file,
    `${code}\nconst TABLE = new Map(${JSON.stringify(table)});\nexport function svmLoss(scores, y) {\n  const hit = TABLE.get(JSON.stringify(scores.to2DArray()));\n  if (!hit) throw new Error("not in my table");\n  return hit;\n}\n`,
  );
}

describe("fingerprintAnswer", () => {
  it("rounds to 6 significant digits and ignores key order and outputs it is not asked for", () => {
    const a = { loss: 1.23456789, dscores: [[0.1 + 0.2, -0]] };
    const b = { dscores: [[0.3, 0]], loss: 1.234568, extra: "ignored" };
    expect(fingerprintAnswer(a, ["loss", "dscores"])).toBe(fingerprintAnswer(b, ["loss", "dscores"]));
    expect(fingerprintAnswer(a, ["loss", "dscores"])).not.toBe(fingerprintAnswer({ ...b, loss: 1.23466 }, ["loss", "dscores"]));
    expect(fingerprintAnswer(a, ["loss", "dscores"])).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe("staff signals on a graded class", () => {
  const dir = mkdtempSync(join(tmpdir(), "staff-signals-class-"));
  const out = mkdtempSync(join(tmpdir(), "staff-signals-out-"));
  let results: SubmissionResult[] = [];
  let signals: Signal[] = [];

  it("grades the class and keeps each student's hidden-answer fingerprints in a staff-only file", async () => {
    cpSync(join(SAMPLE, "ada-loops-js"), join(dir, "ada"), { recursive: true });
    fixtureCopier(dir, "cheat");
    withLoss(dir, "pat", "loss / N + 0.5");
    withLoss(dir, "quin", "loss / N + 0.5");
    withLoss(dir, "rex", "loss / N + 0.25");
    cpSync(join(SAMPLE, "cy-svm-counts-y"), join(dir, "cy"), { recursive: true });
    cpSync(join(SAMPLE, "cy-svm-counts-y"), join(dir, "cy-copy"), { recursive: true });
    results = await gradeBatch("classifiers", dir, out, { secret: "staff-signals-test", jobs: 2, resume: false, exports: ["svmLoss"] });
    const hidden = (s: string) => results.find((r) => r.student === s)!.tests.find((t) => t.test.kind === "hidden")!.outcome;
    const diagnosis = (s: string) => {
      const o = hidden(s);
      return o.status === "failed" ? o.diagnosis : undefined;
    };
    expect(hidden("pat").status).toBe("failed");
    expect(diagnosis("pat")).toBeUndefined(); // no known mistake
    expect(diagnosis("cy")).toEqual(expect.any(String));

    for (const r of results) {
      const fp = readAnswerFingerprints(join(out, r.student));
      expect(fp && Object.keys(fp)).toEqual(["svmLoss"]);
      const hashes = fp!.svmLoss.answers.filter((h): h is string => h !== null);
      // nothing the student receives holds them: results.json, the full result, the JUnit
      for (const f of ["results.json", "submission-result.json"]) {
        const text = readFileSync(join(out, r.student, f), "utf8");
        for (const h of hashes) expect(text).not.toContain(h);
      }
      for (const h of hashes) expect(toJUnit([r])).not.toContain(h);
    }
    expect(readAnswerFingerprints(join(out, "cheat"))!.svmLoss.answers.every((h) => h === null)).toBe(true); // it threw on every hidden case
    signals = staffSignals(results, new Map(results.map((r) => [r.student, readAnswerFingerprints(join(out, r.student))]))).signals;
  }, 180_000);

  it("fixture-only: the student who copied the fixtures' answers, on svmLoss, with the tests as evidence", () => {
    const fixtureOnly = signals.filter((s) => s.kind === "fixture-only");
    expect(fixtureOnly.map((s) => s.kind === "fixture-only" && [s.student, s.export])).toEqual([["cheat", "svmLoss"]]);
    const s = fixtureOnly[0] as Extract<Signal, { kind: "fixture-only" }>;
    expect(s.passed).toEqual(["svmLoss: matches the reference on the committed fixtures"]);
    expect(s.failed.map((f) => f.test.split(":")[0])).toEqual(["svmLoss", "svmLoss", "svmLoss"]);
    expect(s.failed[0].message).toContain("not in my table");
  });

  it("identical outputs: the two students who share a wrong answer no known mistake explains, and no one else", () => {
    const identical = signals.filter((s) => s.kind === "identical-outputs");
    expect(identical).toEqual([{ kind: "identical-outputs", export: "svmLoss", students: ["pat", "quin"], cases: 3, wrong: 3 }]);
  });

  it("writes one CSV row per student and signal, each naming the other student and saying it is a lead", () => {
    const rows = parse(toSignalsCsv({ signals, withoutFingerprints: [] }), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.student, r.export, r.signal])).toEqual([
      ["cheat", "svmLoss", "fixture-only"],
      ["pat", "svmLoss", "identical-outputs"],
      ["quin", "svmLoss", "identical-outputs"],
    ]);
    expect(rows[1].evidence).toContain("answers identical to those of quin on all 3 hidden cases of svmLoss");
    expect(rows[2].evidence).toContain("answers identical to those of pat on all 3 hidden cases of svmLoss");
    expect(rows[0].evidence).toContain("not a finding");
  });

  it("with --resume, a student whose fingerprints are missing is named and gets no identical-outputs signal", async () => {
    rmSync(join(out, "quin", STAFF_ANSWERS));
    const resumed = await gradeBatch("classifiers", dir, out, { secret: "staff-signals-test", jobs: 2, resume: true, exports: ["svmLoss"] });
    expect(readdirSync(join(out, "quin")).sort()).toEqual(["results.json", "submission-result.json"]); // resumed, not regraded
    const again = staffSignals(resumed, new Map(resumed.map((r) => [r.student, readAnswerFingerprints(join(out, r.student))])));
    expect(again.withoutFingerprints).toEqual(["quin"]);
    expect(again.signals.filter((s) => s.kind === "identical-outputs")).toEqual([]);
    expect(again.signals.filter((s) => s.kind === "fixture-only")).toHaveLength(1);
  }, 60_000);
});
