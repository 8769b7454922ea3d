/**
 * Results as JUnit XML for CI dashboards: one <testsuite> per student ("<assignment>/<student>"),
 * one <testcase> per test (classname = the export, name = the test's name). A failed test has a
 * <failure type="failed">; could-not-check and grader-error are <error>s of that type. The XML
 * is built by xmlbuilder2 (it escapes); characters XML 1.0 cannot carry (NUL, ESC, lone
 * surrogates …) are removed, so no student output can break the document.
 */
import { create } from "xmlbuilder2";
import { cleanText, formatPoints, outcomeLines, printedText } from "./prose";
import type { SubmissionResult, TestResult } from "../result-model";

type XMLBuilder = ReturnType<typeof create>;

const seconds = (ms: number) => (Math.max(0, ms) / 1000).toFixed(3);

function addTestcase(suite: XMLBuilder, t: TestResult): void {
  const testcase = suite.ele("testcase", { classname: t.test.export, name: t.test.name, time: seconds(t.durationMs) });
  const o = t.outcome;
  if (o.status === "passed") return;
  const [headline, ...rest] = outcomeLines(t);
  if (o.status === "failed") {
    const failure = testcase.ele("failure", { message: headline, type: "failed" });
    if (rest.length > 0) failure.txt(rest.join("\n"));
  } else {
    const error = testcase.ele("error", { message: headline, type: o.status });
    // The staff see the harness's own cause (the student-facing prose never shows it).
    const text = o.status === "grader-error" ? [cleanText(o.message), cleanText(o.cause ?? "")] : rest;
    const body = text.filter((s) => s.trim() !== "").join("\n");
    if (body !== "") error.txt(body);
  }
}

export function toJUnit(results: SubmissionResult[]): string {
  const count = (r: SubmissionResult, status: string) => r.tests.filter((t) => t.outcome.status === status).length;
  const errors = (r: SubmissionResult) => count(r, "could-not-check") + count(r, "grader-error");
  const doc = create({ version: "1.0", encoding: "UTF-8", invalidCharReplacement: "" });
  const root = doc.ele("testsuites", {
    name: "backprop-grader",
    tests: String(results.reduce((a, r) => a + r.tests.length, 0)),
    failures: String(results.reduce((a, r) => a + count(r, "failed"), 0)),
    errors: String(results.reduce((a, r) => a + errors(r), 0)),
    time: seconds(results.reduce((a, r) => a + r.executionTimeMs, 0)),
  });
  for (const r of results) {
    const suite = root.ele("testsuite", {
      name: `${r.assignment}/${r.student}`,
      tests: String(r.tests.length),
      failures: String(count(r, "failed")),
      errors: String(errors(r)),
      skipped: "0",
      time: seconds(r.executionTimeMs),
    });
    const earned = r.tests.reduce((a, t) => a + t.score, 0);
    const max = r.tests.reduce((a, t) => a + t.test.points, 0);
    suite
      .ele("properties")
      .ele("property", { name: "score", value: formatPoints(earned) })
      .up()
      .ele("property", { name: "max_score", value: formatPoints(max) });
    for (const t of r.tests) addTestcase(suite, t);
    // JUnit is for the staff and CI: the student's printed output is always included.
    const out = [...r.messages.map((m) => cleanText(m).trim()).filter((m) => m !== ""), printedText(r)].filter((p) => p !== "").join("\n\n");
    if (out !== "") suite.ele("system-out").txt(out);
  }
  return doc.end({ prettyPrint: true });
}
