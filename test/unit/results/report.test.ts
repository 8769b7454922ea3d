/**
 * The class report as data and as an HTML string: the class summary's numbers on a hand-made
 * class of the classifiers assignment, the histogram's bins, escaping of everything a student
 * controls (folder name, printed output, thrown messages, diagnoses), that the file loads
 * nothing and that the Content-Security-Policy lets exactly its own script run, and the build
 * time for a synthesized class of 200. What a browser renders is test/e2e/report-browser.test.ts.
 */
import { describe, expect, it } from "@jest/globals";
import { createHash } from "node:crypto";
import seedrandom from "seedrandom";
import { loadManifest, testSpecs } from "../../../graders/manifest";
import { classSummary } from "../../../graders/results/class-summary";
import { type Outcome, type SubmissionResult, type TestResult, scoreOf } from "../../../graders/result-model";
import { escapeHtml, studentAnchor, toReport } from "../../../graders/results/report";
import { scoreBins } from "../../../graders/results/report-charts";
import { regradeDiff } from "../../../graders/staff/regrade-diff";
import { changesSection, signalsSection, similaritySection } from "../../../graders/staff/report-sections";
import type { ClassSimilarity } from "../../../graders/staff/similarity";

const manifest = loadManifest("classifiers");
const SPECS = testSpecs(manifest);

const SVM_GOLDEN = "svmLoss: matches the reference on the committed fixtures";
const SVM_HIDDEN = "svmLoss: matches the reference on fresh hidden cases";
const SOFTMAX_PROPS = "softmaxLoss: stays finite for scores of +-1e4 and leaves its arguments unchanged";
const LINEAR_HIDDEN = "linearSvmLoss: matches the reference on fresh hidden cases";
const COUNTS_Y = "svmLoss: the j = y term is counted";

const failed = (diagnosis?: string): Outcome => ({ status: "failed", message: "svmLoss: loss = 6.9, expected 5.9", ...(diagnosis ? { diagnosis } : {}) });
const timedOut: Outcome = { status: "could-not-check", message: "", end: { timedOut: true, signal: "SIGKILL", outOfMemory: false } };

/** A classifiers submission that passes every test but those named in `outcomes`. */
function student(id: string, outcomes: Record<string, Outcome> = {}, extra: Partial<SubmissionResult> = {}): SubmissionResult {
  const tests: TestResult[] = SPECS.map((test) => {
    const outcome = outcomes[test.name] ?? { status: "passed", message: "ok" };
    return { test, outcome, score: scoreOf(test, outcome), durationMs: 5 };
  });
  const score = tests.reduce((a, t) => a + t.score, 0);
  return { assignment: "classifiers", student: id, score, maxScore: 100, executionTimeMs: 100, tests, messages: [], ...extra };
}

describe("classSummary", () => {
  // ann: all passed; bob: svmLoss golden + hidden, one diagnosis; cat: svmLoss hidden (same
  // diagnosis) and a timeout on softmaxLoss; dan: only a hidden test of linearSvmLoss, undiagnosed.
  const results = [
    student("dan", { [LINEAR_HIDDEN]: failed() }),
    student("ann"),
    student("bob", { [SVM_GOLDEN]: failed(COUNTS_Y), [SVM_HIDDEN]: failed(COUNTS_Y) }),
    student("cat", { [SVM_HIDDEN]: failed(`  ${COUNTS_Y}\u001b[0m `), [SOFTMAX_PROPS]: timedOut }),
  ];
  const s = classSummary(results, manifest);

  it("lists the students in id order with their scores and outcome counts", () => {
    expect(s.students.map((st) => [st.student, st.score, st.maxScore])).toEqual([
      ["ann", 100, 100],
      ["bob", 91, 100],
      ["cat", 89, 100],
      ["dan", 97, 100],
    ]);
    expect(s.students.find((st) => st.student === "cat")!.outcomes).toEqual({ passed: 14, failed: 1, "could-not-check": 1, "grader-error": 0 });
    expect(s.mean).toBeCloseTo((100 + 91 + 89 + 97) / 4, 12);
    expect(s.median).toBe(94);
  });

  it("gives each export, in the manifest's order, its points and the students who passed all its tests", () => {
    expect(s.exports.map((e) => [e.export, e.points, e.passedAll, e.students])).toEqual([
      ["svmLoss", 23, 2, 4],
      ["softmaxLoss", 25, 3, 4],
      ["linearSvmLoss", 25, 3, 4],
      ["linearSoftmaxLoss", 27, 4, 4],
    ]);
    expect(s.exports[0].meanEarned).toBeCloseTo((23 + 14 + 20 + 23) / 4, 12);
  });

  it("counts each test's outcomes over the class", () => {
    expect(s.tests.map((t) => t.test.name)).toEqual(SPECS.map((t) => t.name));
    const of = (name: string) => s.tests.find((t) => t.test.name === name)!;
    expect(of(SVM_HIDDEN)).toMatchObject({ runs: 4, outcomes: { passed: 2, failed: 2, "could-not-check": 0, "grader-error": 0 } });
    expect(of(SOFTMAX_PROPS).outcomes["could-not-check"]).toBe(1);
    expect(s.outcomes).toEqual({ passed: 59, failed: 4, "could-not-check": 1, "grader-error": 0 });
  });

  it("groups diagnoses by their cleaned text and counts the students each one hit", () => {
    expect(s.diagnoses).toEqual([{ diagnosis: COUNTS_Y, exports: ["svmLoss"], students: ["bob", "cat"], tests: 3 }]);
    expect(s.undiagnosedFailures).toBe(1);
  });

  it("compares visible with hidden tests per export, and names who lost points only where they could not see", () => {
    const svm = s.visibility.filter((v) => v.export === "svmLoss");
    expect(svm).toEqual([
      { export: "svmLoss", visibility: "visible", runs: 12, passed: 11 },
      { export: "svmLoss", visibility: "after_published", runs: 4, passed: 2 },
    ]);
    expect(s.lostOnlyUnseen).toEqual(["dan"]);
  });
});

describe("scoreBins", () => {
  const bins = (scores: [number, number][]) =>
    Object.fromEntries(
      scoreBins(scores.map(([score, maxScore]) => ({ score, maxScore })))
        .filter((b) => b.students > 0)
        .map((b) => [b.bin, b.students]),
    );

  it("puts full marks in a bin of their own and everything else in tenths", () => {
    expect(scoreBins([]).map((b) => b.bin)).toEqual(["0–9", "10–19", "20–29", "30–39", "40–49", "50–59", "60–69", "70–79", "80–89", "90–99", "100"]);
    expect(
      bins([
        [100, 100],
        [99.5, 100],
        [90, 100],
        [89.99, 100],
        [10, 100],
        [9.9, 100],
        [0, 100],
      ]),
    ).toEqual({ "100": 1, "90–99": 2, "80–89": 1, "10–19": 1, "0–9": 2 });
  });

  it("rounds away float noise (0.1 + 0.2 of 0.3 is full marks) and puts a maximum of 0 at 0", () => {
    expect(
      bins([
        [0.1 + 0.2, 0.3],
        [0.7, 0.7],
        [0, 0],
      ]),
    ).toEqual({ "100": 2, "0–9": 1 });
  });
});

describe("toReport", () => {
  const HOSTILE_ID = `<img src=x onerror=alert(1)> & "quoted"`;
  const results = [
    student("ann"),
    student(
      HOSTILE_ID,
      { [SVM_GOLDEN]: failed(`<script>alert(2)</script> ${COUNTS_Y}`) },
      {
        studentOutput: "\u001b[31m</pre><script>alert(3)</script>\u0000",
        messages: ["losses.ts: <b>not bold</b>"],
      },
    ),
    student("bob", { [SVM_GOLDEN]: { status: "grader-error", message: "inputs too close to a kink", cause: "TypeError <at> judge.ts:42" } }),
  ];
  let html = "";
  const ready = toReport(results, manifest).then((h) => (html = h));

  it("escapes everything a student controls and keeps no control characters", async () => {
    await ready;
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).not.toContain("<img");
    expect(html).not.toContain("<b>");
    expect(html).toContain(escapeHtml(HOSTILE_ID));
    expect(escapeHtml(HOSTILE_ID)).toBe("&#60;img src=x onerror=alert(1)&#62; &#38; &#34;quoted&#34;");
    expect(html).toContain("&#60;/pre&#62;&#60;script&#62;alert(3)&#60;/script&#62;");
    expect(html).toContain("losses.ts: &#60;b&#62;not bold&#60;/b&#62;");
    expect(html).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
  });

  it("gives each student a row, a link and a feedback block with the same anchor", async () => {
    await ready;
    // In id order ("<" sorts before letters); an id that is not safe in a URL gets its position.
    const anchors = [HOSTILE_ID, "ann", "bob"].map((id, i) => studentAnchor(id, i));
    expect(anchors).toEqual(["s1", "student-ann", "student-bob"]);
    for (const a of anchors) {
      expect(html).toContain(`href="#${a}"`);
      expect(html.match(new RegExp(`<article class="student" id="${a}"`, "g"))).toHaveLength(1);
    }
    const table = html.slice(html.indexOf('<table id="students-table"'), html.indexOf("</table>", html.indexOf('<table id="students-table"')));
    expect(table.match(/<tr>/g)).toHaveLength(1 + 3);
  });

  it("shows the staff a grader error's cause and the likely causes with who they hit", async () => {
    await ready;
    expect(html).toContain("Cause (staff only): TypeError &#60;at&#62; judge.ts:42");
    expect(html).toContain("Grader error: inputs too close to a kink. This is not your fault; please tell the course staff.");
    expect(html).toMatch(/1 grader error<\/strong> in 1 student/);
    const diagnoses = html.slice(html.indexOf('<table id="diagnoses-table"'), html.indexOf("</table>", html.indexOf('<table id="diagnoses-table"')));
    expect(diagnoses).toContain(`&#60;script&#62;alert(2)&#60;/script&#62; ${COUNTS_Y}`);
    expect(diagnoses).toContain(`<a href="#s1">${escapeHtml(HOSTILE_ID)}</a>`);
  });

  it("loads nothing: no src, links only within the page, and a CSP that allows its one script by hash", async () => {
    await ready;
    // Attribute values hold escaped student text (data-student="&#60;img src=…"): look at names only.
    expect(html.replace(/="[^"]*"/g, '=""')).not.toMatch(/<[a-z][^>]*\ssrc=/i);
    expect(html).not.toMatch(/url\(|@import/);
    for (const [, href] of html.matchAll(/href="([^"]*)"/g)) expect(href.startsWith("#")).toBe(true);
    const script = html.match(/<script>([\s\S]*)<\/script>/)![1];
    const csp = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]*)">/)![1];
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`script-src 'sha256-${createHash("sha256").update(script).digest("base64")}'`);
  });

  it("draws three charts as inline SVG", async () => {
    await ready;
    expect(html.match(/<svg [^>]*class="marks"/g)).toHaveLength(3);
  });
});

describe("toReport's staff sections", () => {
  const HOSTILE_ID = `<img src=x onerror=alert(1)>`;
  const before = [student("ann"), student(HOSTILE_ID)];
  const after = [student("ann"), student(HOSTILE_ID, { [SVM_HIDDEN]: failed() })];
  const sim: ClassSimilarity = {
    pairs: [
      {
        a: "ann",
        b: HOSTILE_ID,
        similarity: 0.9214,
        longest: 30,
        fragments: [
          { a: { file: "losses.ts", from: 3, to: 4, text: "const x = a < b;" }, b: { file: "l.ts", from: 1, to: 1, text: "</pre><script>alert(5)</script>" } },
        ],
      },
    ],
    students: 2,
    withoutCode: [],
    ms: 12,
  };
  const sections = [
    changesSection(regradeDiff("out/<old>", before, after)),
    signalsSection({
      signals: [{ kind: "identical-outputs", export: "svmLoss", students: ["ann", HOSTILE_ID], cases: 3, wrong: 3 }],
      withoutFingerprints: ["ann"],
    }),
    similaritySection(sim),
  ];
  let html = "";
  let plain = "";
  const ready = Promise.all([toReport(after, manifest, sections).then((h) => (html = h)), toReport(after, manifest).then((h) => (plain = h))]);

  it("places the three under the header, each with its evidence, every student text escaped", async () => {
    await ready;
    const ids = [...html.matchAll(/<section id="([^"]+)" class="staff">/g)].map((m) => m[1]);
    expect(ids).toEqual(["changes", "signals", "similarity"]);
    expect(html.indexOf('id="changes"')).toBeLessThan(html.indexOf('id="scores"'));
    expect(html).toContain("<h2>Changes since out/&#60;old&#62;</h2>");
    expect(html).toContain(`${escapeHtml(SVM_HIDDEN)}: passed → failed, scored ${SPECS.find((t) => t.name === SVM_HIDDEN)!.points} → 0`);
    expect(html).toContain("1 student (ann) has no fingerprints of their hidden answers");
    expect(html).toContain("92.1%");
    expect(html).toContain("const x = a &#60; b;");
    expect(html).toContain("&#60;/pre&#62;&#60;script&#62;alert(5)&#60;/script&#62;");
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).not.toContain("<img");
    expect(html).toContain(`<a href="#s1">${escapeHtml(HOSTILE_ID)}</a>`); // linked to the student's feedback
  });

  it("a report without them has no staff section", async () => {
    await ready;
    expect(plain).not.toContain('class="staff"');
  });
});

describe("a class of 200", () => {
  it("builds in well under the time grading it takes (the figure is printed)", async () => {
    // Synthesized layers results (60 tests a student, the most of any assignment).
    const layers = loadManifest("layers");
    const seed = "report-200";
    console.log(`synthesized class: seedrandom("${seed}")`);
    const random = seedrandom(seed);
    const causes = ["dw is transposed", "db sums over the wrong axis", "ignores dout", "mask on dout", "mutates its argument"];
    const results: SubmissionResult[] = Array.from({ length: 200 }, (_, i) => {
      const skill = random();
      const tests = testSpecs(layers).map((test): TestResult => {
        const r = random();
        const outcome: Outcome =
          r < skill * 0.9 + 0.1
            ? { status: "passed", message: "ok" }
            : r < 0.97
              ? failed(random() < 0.7 ? causes[Math.floor(random() * causes.length)] : undefined)
              : timedOut;
        return { test, outcome, score: scoreOf(test, outcome), durationMs: 3 };
      });
      const score = tests.reduce((a, t) => a + t.score, 0);
      return { assignment: "layers", student: `student-${String(i).padStart(3, "0")}`, score, maxScore: 100, executionTimeMs: 50, tests, messages: [] };
    });
    await toReport(results.slice(0, 2), layers); // modules and Vega's parsers warmed up, as in a batch of several assignments
    const start = performance.now();
    const html = await toReport(results, layers);
    const ms = performance.now() - start;
    console.log(`class report for 200 students × 60 tests: ${ms.toFixed(0)} ms, ${(html.length / 1e6).toFixed(2)} MB`);
    expect(html.match(/<article class="student"/g)).toHaveLength(200);
    const s = classSummary(results, layers);
    expect(scoreBins(s.students).reduce((a, b) => a + b.students, 0)).toBe(200);
    expect(s.diagnoses.map((d) => d.diagnosis).sort()).toEqual([...causes].sort());
    expect(ms).toBeLessThan(10_000);
  });
});
