/**
 * The renderers of the result model: Gradescope results.json (validated by its schema and the
 * checks a schema cannot make), JUnit XML, gradebook.csv and its terminal table, and the terminal
 * report. Built from hand-made SubmissionResults covering every outcome, every visibility, a
 * student id with a comma and a quote, and student output with ANSI escapes and a NUL byte.
 */
import { describe, expect, it } from "@jest/globals";
import { parse } from "csv-parse/sync";
import { create } from "xmlbuilder2";
import { classroomOutput, toClassroom } from "../../../graders/results/classroom";
import { gradebookTable, toGradebookCsv } from "../../../graders/results/gradebook";
import { graderFailureResult } from "../../../graders/results/grader-failure";
import { TRAINING_ACCURACY, toGradescope } from "../../../graders/results/gradescope";
import { markdownText, outcomeMarkdown } from "../../../graders/results/markdown";
import { toJUnit } from "../../../graders/results/junit";
import { STUDENT_OUTPUT_CAP, outcomeLines } from "../../../graders/results/prose";
import { type Outcome, type SubmissionResult, type TestResult, type TestSpec, scoreOf } from "../../../graders/result-model";
import { allVisiblePassed, toSelfCheck } from "../../../graders/results/self-check";
import { toStepSummary } from "../../../graders/results/step-summary";
import { toTerminal } from "../../../graders/results/terminal";
import { assertValidResults, resultsProblems } from "../../../graders/results/validate-results";

// ---------------------------------------------------------------------------------------------
// Hand-made results

function spec(name: string, points: number, extra: Partial<TestSpec> = {}): TestSpec {
  const [exp, description] = name.split(": ");
  return { name, export: exp, kind: "golden", description, points, visibility: "visible", ...extra };
}

function run(test: TestSpec, outcome: Outcome, extra?: Record<string, unknown>): TestResult {
  return { test, outcome, score: scoreOf(test, outcome), durationMs: 12, ...(extra ? { extra } : {}) };
}

const TRICKY_ID = 'doe, "jd"';
const HIDDEN_NAME = "affineForward: matches the reference on unseen inputs";
const HIDDEN_MESSAGE = "SECRET-HIDDEN-MESSAGE affineForward returned 2×3, expected 3×3";
const FAILED_MESSAGE = "affineBackward: dw is wrong where x < 0 & w > 0";
const GRADER_CAUSE = "TypeError: cannot read properties of undefined (reading 'rows') at judge.ts:42";
const ANSI_OUTPUT = "\u001b[31mred text\u001b[0m hello\u0000world <tag> & ]]> \u0007bell";

/** Every outcome and visibility: 18 points, 4 earned (3 visible + 1 hidden), 15 visible points. */
function trickyResult(): SubmissionResult {
  const tests = [
    run(spec("affineForward: matches the reference on the committed fixtures", 3), { status: "passed", message: "matches all 6 cases" }),
    run(spec(HIDDEN_NAME, 2, { kind: "hidden", visibility: "after_published" }), { status: "failed", message: HIDDEN_MESSAGE }),
    run(
      spec("affineBackward: dw matches numerical gradient", 4, { kind: "gradcheck", output: "dw" }),
      {
        status: "failed",
        message: FAILED_MESSAGE,
        details: "expected dw[1][2] = 0.5\nactual   dw[1][2] = -0.5\nseed 1234",
        diagnosis: "dw is computed as w·xᵀ instead of xᵀ·dout",
        replay: { kind: "golden-case", file: "fixtures/golden/layers.json", id: "affine/3x4x5/0" },
      },
      { worst: [1, 2] },
    ),
    run(spec("affineBackward: runs fast enough", 2, { kind: "efficiency", timeoutMs: 2000 }), {
      status: "could-not-check",
      message: "the call did not return",
      end: { timedOut: true, signal: "SIGKILL", outOfMemory: false },
    }),
    run(spec("reluForward: matches the reference on the committed fixtures", 2), {
      status: "could-not-check",
      message: "",
      end: { timedOut: false, signal: "SIGSEGV", outOfMemory: false },
    }),
    run(spec("reluBackward: matches the reference on the committed fixtures", 1), {
      status: "could-not-check",
      message: "your code called process.exit",
      end: { timedOut: false, exitCode: 3, outOfMemory: false },
    }),
    run(spec("reluBackward: does not modify its arguments", 1, { kind: "properties" }), {
      status: "could-not-check",
      message: "",
      end: { timedOut: false, signal: "SIGABRT", outOfMemory: true },
    }),
    run(spec("tanhForward: matches the reference on the committed fixtures", 2), {
      status: "grader-error",
      message: "the inputs are too close to a kink",
      cause: GRADER_CAUSE,
    }),
    run(spec("tanhForward: matches the reference on secret inputs", 1, { kind: "hidden", visibility: "hidden" }), {
      status: "passed",
      message: "",
    }),
  ];
  return {
    assignment: "layers",
    student: TRICKY_ID,
    score: tests.reduce((a, t) => a + t.score, 0),
    maxScore: tests.reduce((a, t) => a + t.test.points, 0),
    executionTimeMs: 1500,
    tests,
    studentOutput: ANSI_OUTPUT,
    messages: ["layers.ts does not compile: Unexpected token (3:4)"],
  };
}

function perfectResult(student: string): SubmissionResult {
  const tests = [
    run(spec("affineForward: matches the reference on the committed fixtures", 3), { status: "passed", message: "ok" }),
    run(spec("reluForward: matches the reference on the committed fixtures", 2.5), { status: "passed", message: "ok" }),
  ];
  return { assignment: "layers", student, score: 5.5, maxScore: 5.5, executionTimeMs: 20, tests, messages: [] };
}

const EXPORTS = ["affineForward", "affineBackward", "reluForward", "reluBackward", "tanhForward"];

// ---------------------------------------------------------------------------------------------

describe("toGradescope", () => {
  const gs = toGradescope(trickyResult());
  const byName = (name: string) => {
    const t = gs.tests.find((x) => x.name.startsWith(name));
    if (!t) throw new Error(`no test ${name}`);
    return t;
  };

  it("validates against the schema, also after a JSON round trip", () => {
    expect(resultsProblems(gs)).toEqual([]);
    expect(resultsProblems(JSON.parse(JSON.stringify(gs)))).toEqual([]);
    expect(() => assertValidResults(gs)).not.toThrow();
  });

  it("scores the sum of the tests' scores, out of the sum of their points", () => {
    expect(gs.score).toBe(gs.tests.reduce((a, t) => a + t.score, 0));
    expect(gs.score).toBe(4);
    expect(gs.max_score).toBe(18);
    expect(gs.execution_time).toBe(1.5);
  });

  it("has the top-level fields Gradescope reads", () => {
    expect(gs).toMatchObject({ output_format: "text", visibility: "visible", stdout_visibility: "hidden" });
    expect(gs.extra_data).toEqual({ student: TRICKY_ID, assignment: "layers", student_output: "red text helloworld <tag> & ]]> bell" });
  });

  it("maps every outcome that is not passed to failed, keeping the four-way status", () => {
    expect(gs.tests.map((t) => t.status)).toEqual(["passed", "failed", "failed", "failed", "failed", "failed", "failed", "failed", "passed"]);
    expect(gs.tests.map((t) => t.extra_data.status)).toEqual([
      "passed",
      "failed",
      "failed",
      "could-not-check",
      "could-not-check",
      "could-not-check",
      "could-not-check",
      "grader-error",
      "passed",
    ]);
    expect(byName("tanhForward: matches the reference on the committed").tags).toEqual(["golden", "tanhForward", "grader-error"]);
    expect(byName("affineBackward: dw").extra_data).toMatchObject({ kind: "gradcheck", export: "affineBackward", worst: [1, 2] });
  });

  it("numbers tests <part>.<test> with the exports in order", () => {
    expect(gs.tests.map((t) => t.number)).toEqual(["1.1", "1.2", "2.1", "2.2", "3.1", "4.1", "4.2", "5.1", "5.2"]);
  });

  it("keeps each test's visibility and points", () => {
    expect(gs.tests.map((t) => t.visibility)).toEqual([
      "visible",
      "after_published",
      "visible",
      "visible",
      "visible",
      "visible",
      "visible",
      "visible",
      "hidden",
    ]);
    expect(gs.tests.map((t) => [t.score, t.max_score])).toEqual([
      [3, 3],
      [0, 2],
      [0, 4],
      [0, 2],
      [0, 2],
      [0, 1],
      [0, 1],
      [0, 2],
      [1, 1],
    ]);
  });

  it("writes a failure as message, details, likely cause, replay, in that order", () => {
    const out = byName("affineBackward: dw").output;
    const at = [
      FAILED_MESSAGE,
      "actual   dw[1][2] = -0.5",
      "Likely cause: dw is computed as w·xᵀ",
      "Replay: case affine/3x4x5/0 of fixtures/golden/layers.json",
    ].map((s) => out.indexOf(s));
    expect(at.every((k) => k >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  it("says why a test could not be checked and that it scores 0", () => {
    const expected: [string, string][] = [
      ["affineBackward: runs fast", "timed out after 2000 ms"],
      ["reluForward", "crashed with signal SIGSEGV"],
      ["reluBackward: matches", "exited with code 3"],
      ["reluBackward: does not modify", "ran out of memory"],
    ];
    for (const [name, why] of expected) {
      const out = byName(name).output;
      expect(out.startsWith("Could not check: ")).toBe(true);
      expect(out.split("\n")[0]).toContain(why);
      expect(out.split("\n")[0]).toMatch(/scores 0/);
    }
    expect(byName("reluBackward: matches").output).toContain("your code called process.exit");
  });

  it("tells the student a grader error is not their fault, without the internal cause", () => {
    const out = byName("tanhForward: matches the reference on the committed").output;
    expect(out).toBe("Grader error: the inputs are too close to a kink. This is not your fault; please tell the course staff.");
    expect(byName("tanhForward: matches the reference on the committed").extra_data.cause).toBe(GRADER_CAUSE);
  });

  it("keeps the student's output out of the visible output when hidden tests ran (it could print hidden inputs)", () => {
    expect(gs.output).toContain("layers.ts does not compile: Unexpected token (3:4)");
    expect(gs.output).not.toContain("red text");
    expect(gs.output).toContain("kept for the course staff");
  });

  it("shows the student's output, cleaned and capped, in the top-level output when every test is visible", () => {
    const allVisible = (r: SubmissionResult): SubmissionResult => ({
      ...r,
      tests: r.tests.map((t) => ({ ...t, test: { ...t.test, visibility: "visible" as const } })),
    });
    const visible = toGradescope(allVisible(trickyResult()));
    expect(visible.output).toContain("Output of your code:\nred text helloworld <tag> & ]]> bell");
    expect(visible.output).not.toMatch(/[\u0000-\u0008\u001b]/);
    expect(visible.extra_data.student_output).toBeUndefined();
    const long = toGradescope(allVisible({ ...trickyResult(), studentOutput: "x".repeat(STUDENT_OUTPUT_CAP * 3) })).output;
    expect(long.length).toBeLessThan(STUDENT_OUTPUT_CAP + 200);
    expect(long).toContain(`${STUDENT_OUTPUT_CAP * 2} more characters not shown`);
  });
});

describe('toGradescope as Markdown (Gradescope\'s "md" format)', () => {
  const md = toGradescope(trickyResult(), { format: "md", staffOutput: false });
  const text = toGradescope(trickyResult());
  const byName = (r: typeof md, name: string) => r.tests.find((x) => x.name.startsWith(name))!;
  /** The words of an output, with Markdown's escapes, emphasis, code indentation and character references undone. */
  const words = (s: string) =>
    s
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&amp;/g, "&")
      .match(/[\p{L}\p{N}]+/gu) ?? [];

  it("validates, with md as the format of the whole output and of every test", () => {
    expect(resultsProblems(md)).toEqual([]);
    expect([md.output_format, md.test_output_format, ...new Set(md.tests.map((t) => t.output_format))]).toEqual(["md", "md", "md"]);
    expect(new Set(text.tests.map((t) => t.output_format))).toEqual(new Set(["text"]));
  });

  it("says what the text rendering says, test by test, word for word", () => {
    md.tests.forEach((t, k) => expect(words(t.output)).toEqual(words(text.tests[k].output)));
  });

  it("puts the details in an indented code block, columns kept, then the likely cause and the replay", () => {
    const out = byName(md, "affineBackward: dw").output;
    expect(out).toContain("\n\n    expected dw[1][2] = 0.5\n    actual   dw[1][2] = -0.5\n    seed 1234\n\n");
    expect(out).toContain("**Likely cause:** dw is computed as w·xᵀ instead of xᵀ·dout");
    expect(out).toContain("**Replay:** case affine/3x4x5/0 of fixtures/golden/layers\\.json");
    expect(out.startsWith(markdownText(FAILED_MESSAGE))).toBe(true);
  });

  it("escapes text the student's code chose, so no link, image, heading or HTML can come of it", () => {
    const hostile = "![pixel](http://evil.example/x.png) [click](javascript:alert(1)) <img src=x onerror=alert(1)> # Heading *bold* `code` | a | ~~s~~";
    const r = trickyResult();
    r.tests[2] = run(r.tests[2].test, { status: "failed", message: hostile, details: hostile, diagnosis: hostile });
    r.messages = [hostile];
    const out = toGradescope(r, { format: "md", staffOutput: false });
    for (const o of [out.output, out.tests[2].output]) {
      // code block lines are shown literally; our own bold labels are the only markup
      const paragraphs = o
        .split("\n")
        .filter((l) => !l.startsWith("    "))
        .map((l) => l.replace(/^\*\*(Likely cause|Replay):\*\* /, ""));
      for (const l of paragraphs) {
        expect(l).not.toMatch(/(^|[^\\])[![\]()`*#|~]/); // every Markdown character escaped
        expect(l).not.toMatch(/[<>]/);
      }
      expect(o).toContain("\\!\\[pixel\\]\\(http://evil\\.example/x\\.png\\)");
      expect(o).toContain("&lt;img src=x onerror=alert\\(1\\)&gt;");
    }
    expect(out.tests[2].output).toContain(`\n    ${hostile}\n`); // the details: a code block
  });

  it("on Gradescope (staffOutput false) keeps the student's output out of results.json when hidden tests ran, and says why", () => {
    expect(md.extra_data.student_output).toBeUndefined();
    expect(md.output).toContain("Your code printed output; it is not shown, because hidden tests ran \\(it could show their inputs\\)\\.");
    expect(md.output).not.toContain("red text");
    expect(toGradescope(trickyResult(), { format: "md" }).extra_data.student_output).toContain("red text");
  });

  it("shows the student's output in a code block when every test is visible", () => {
    const r = trickyResult();
    r.tests = r.tests.map((t) => ({ ...t, test: { ...t.test, visibility: "visible" as const } }));
    const out = toGradescope(r, { format: "md", staffOutput: false }).output;
    expect(out).toContain("**Output of your code:**\n\n    red text helloworld <tag> & ]]> bell");
    expect(out).not.toMatch(/[\u0000-\u0008\u001b]/);
  });
});

describe("the leaderboard", () => {
  const training = (outcome: Outcome, extra?: Record<string, unknown>) => {
    const r = perfectResult("ada");
    r.tests.push(run(spec("twoLayerNetLoss: learns the spiral data set", 18, { kind: "training" }), outcome, extra));
    return toGradescope(r, { format: "md" });
  };

  it("holds the training accuracy of a training test that ran to the end, passed or failed", () => {
    const passed = training({ status: "passed", message: "trained" }, { training: { accuracy: 0.9567 } });
    expect(passed.leaderboard).toEqual([{ name: TRAINING_ACCURACY, value: 0.9567, order: "desc" }]);
    expect(resultsProblems(passed)).toEqual([]);
    expect(training({ status: "failed", message: "did not learn" }, { training: { accuracy: 0.41 } }).leaderboard).toEqual([
      { name: TRAINING_ACCURACY, value: 0.41, order: "desc" },
    ]);
  });

  it("is left out when no training accuracy was measured", () => {
    expect(toGradescope(perfectResult("ada")).leaderboard).toBeUndefined();
    expect(training({ status: "could-not-check", message: "", end: { timedOut: true, outOfMemory: false } }).leaderboard).toBeUndefined();
    expect(training({ status: "failed", message: "x" }, { training: { accuracy: Number.NaN } }).leaderboard).toBeUndefined();
  });

  it("is refused by the schema with an entry that is not {name, value, order}", () => {
    const r = JSON.parse(JSON.stringify(training({ status: "passed", message: "trained" }, { training: { accuracy: 0.95 } })));
    r.leaderboard[0].order = "up";
    r.leaderboard.push({ name: "x" });
    expect(
      resultsProblems(r)
        .map((p) => p.path)
        .sort(),
    ).toEqual(["/leaderboard/0/order", "/leaderboard/1/value"]);
  });
});

describe("graderFailureResult", () => {
  const specs = trickyResult().tests.map((t) => t.test);
  const graded = trickyResult().tests.slice(0, 3);
  const failure = graderFailureResult({
    assignment: "layers",
    student: "s",
    specs,
    graded,
    message: "the grader ran out of time.",
    cause: "Error: boom\n    at x.ts:1",
  });

  it("keeps the tests graded before the failure and makes every other one a grader error", () => {
    expect(failure.tests.map((t) => t.test.name)).toEqual(specs.map((t) => t.name));
    expect(failure.tests.slice(0, 3)).toEqual(graded);
    expect(new Set(failure.tests.slice(3).map((t) => t.outcome.status))).toEqual(new Set(["grader-error"]));
    expect(failure.score).toBe(3);
    expect(failure.maxScore).toBe(18);
  });

  it("renders to a valid results.json that tells the student it is not their fault, the cause for the staff only", () => {
    const gs = toGradescope(failure, { format: "md", staffOutput: false });
    expect(resultsProblems(gs)).toEqual([]);
    expect(gs.output).toContain("Grader error: the grader ran out of time\\. This is not your fault; please tell the course staff\\.");
    expect(gs.tests[5].output).toContain("This is not your fault; please tell the course staff");
    expect(gs.tests[5].extra_data.cause).toBe("Error: boom\n    at x.ts:1");
    expect(JSON.stringify(gs.tests.map((t) => t.output))).not.toContain("boom");
  });
});

describe("resultsProblems / assertValidResults", () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests below corrupt any field of the JSON
  const valid = () => JSON.parse(JSON.stringify(toGradescope(trickyResult()))) as Record<string, any>;
  const paths = (data: unknown) => resultsProblems(data).map((p) => p.path);

  it("reports every schema problem at once, each at its path", () => {
    const r = valid();
    r.tests[0].status = "error";
    delete r.tests[1].name;
    r.tests[2].score = -1;
    r.bogus = true;
    const problems = resultsProblems(r);
    expect(problems.map((p) => p.path).sort()).toEqual(["/bogus", "/tests/0/status", "/tests/1/name", "/tests/2/score"]);
    expect(problems.find((p) => p.path === "/tests/0/status")?.message).toContain('"passed", "failed"');
  });

  it("rejects a score that is not the sum of the tests' scores", () => {
    const r = valid();
    r.score = 18;
    expect(paths(r)).toEqual(["/score"]);
    expect(resultsProblems(r)[0].message).toContain("sum to 4");
  });

  it("rejects a test scoring more than its max_score, or a failed test with points", () => {
    const r = valid();
    r.tests[0].score = 5;
    r.score = 6;
    expect(resultsProblems(r)).toContainEqual({ path: "/tests/0/score", message: "is 5, more than the test's max_score 3" });
    const f = valid();
    f.tests[2].score = 1;
    f.score = 5;
    expect(paths(f)).toEqual(["/tests/2/score"]);
  });

  it("rejects a visibility, format or four-way status outside the enums, and a name without its export", () => {
    const r = valid();
    r.tests[3].visibility = "students";
    r.output_format = "rtf";
    r.tests[4].extra_data.status = "timeout";
    r.tests[5].name = "matches the reference";
    expect(paths(r).sort()).toEqual(["/output_format", "/tests/3/visibility", "/tests/4/extra_data/status", "/tests/5/name"]);
  });

  it("rejects a passed test whose four-way status says otherwise", () => {
    const r = valid();
    r.tests[0].extra_data.status = "grader-error";
    expect(paths(r)).toEqual(["/tests/0/extra_data/status"]);
  });

  it("throws an Error that lists every problem", () => {
    const r = valid();
    r.tests[0].status = "error";
    delete r.tests[1].name;
    expect(() => assertValidResults(r)).toThrow(/2 problems[\s\S]*\/tests\/0\/status[\s\S]*\/tests\/1\/name/);
    expect(() => assertValidResults("not an object")).toThrow(/1 problem\b/);
  });
});

// ---------------------------------------------------------------------------------------------

interface Element {
  nodeName: string;
  textContent: string | null;
  getAttribute(name: string): string | null;
}

describe("toJUnit", () => {
  const xml = toJUnit([trickyResult(), perfectResult("alice")]);
  const doc = create(xml);
  const elements = (tag: string) =>
    doc
      .root()
      .filter((n) => n.node.nodeName === tag, true, true)
      .map((n) => n.node as unknown as Element);

  it("has no character that XML 1.0 forbids, although the student printed NUL and ESC", () => {
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
  });

  it("strips forbidden characters from any field, even a folder name", () => {
    const odd = toJUnit([perfectResult("eve\u0000\u001b\ud800")]);
    expect(odd).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800]/);
    const suite = create(odd).root().first().node as unknown as Element;
    expect(suite.getAttribute("name")).toBe("layers/eve");
  });

  it("parses back with one testsuite per student and the right counts", () => {
    const suites = elements("testsuite");
    expect(suites.map((s) => s.getAttribute("name"))).toEqual([`layers/${TRICKY_ID}`, "layers/alice"]);
    expect(suites.map((s) => [s.getAttribute("tests"), s.getAttribute("failures"), s.getAttribute("errors")])).toEqual([
      ["9", "2", "5"],
      ["2", "0", "0"],
    ]);
    expect(elements("testcase")).toHaveLength(11);
    expect(elements("failure")).toHaveLength(2);
    expect(elements("error").map((e) => e.getAttribute("type"))).toEqual([
      "could-not-check",
      "could-not-check",
      "could-not-check",
      "could-not-check",
      "grader-error",
    ]);
    expect(elements("testsuites")[0].getAttribute("tests")).toBe("11");
  });

  it("names testcases by export and test name, with the time in seconds", () => {
    const cases = elements("testcase");
    expect(cases[2].getAttribute("classname")).toBe("affineBackward");
    expect(cases[2].getAttribute("name")).toBe("affineBackward: dw matches numerical gradient");
    expect(cases[2].getAttribute("time")).toBe("0.012");
  });

  it("carries the failure message and details through escaping", () => {
    const failure = elements("failure")[1];
    expect(failure.getAttribute("message")).toBe(FAILED_MESSAGE);
    expect(failure.getAttribute("type")).toBe("failed");
    expect(failure.textContent).toContain("actual   dw[1][2] = -0.5");
    expect(failure.textContent).toContain("Likely cause: ");
    expect(elements("error")[4].textContent).toContain(GRADER_CAUSE);
  });

  it("puts the student's output, cleaned, in system-out", () => {
    const out = elements("system-out");
    expect(out).toHaveLength(1);
    expect(out[0].textContent).toContain("red text helloworld <tag> & ]]> bell");
  });
});

// ---------------------------------------------------------------------------------------------

describe("toGradebookCsv / gradebookTable", () => {
  const results = [trickyResult(), perfectResult("bob"), perfectResult("alice")];
  const csv = toGradebookCsv(results, EXPORTS);

  it("begins with student,score,max_score and one column per export", () => {
    expect(csv.split("\n")[0]).toBe(`student,score,max_score,${EXPORTS.join(",")}`);
  });

  it("round-trips a student id with a comma and a quote, rows sorted by student", () => {
    expect(csv).toContain('"doe, ""jd"""');
    const rows = parse(csv) as string[][];
    expect(rows.map((r) => r[0])).toEqual(["student", "alice", "bob", TRICKY_ID]);
    expect(rows[3]).toEqual([TRICKY_ID, "4", "18", "3", "0", "0", "0", "1"]);
    expect(rows[1]).toEqual(["alice", "5.5", "5.5", "3", "0", "2.5", "0", "0"]);
  });

  it("adds a column for an export the list lacks instead of losing its points", () => {
    const rows = parse(toGradebookCsv(results, ["affineForward"])) as string[][];
    expect(rows[0]).toEqual(["student", "score", "max_score", "affineForward", "affineBackward", "reluForward", "reluBackward", "tanhForward"]);
  });

  it("prints the same data as an aligned table", () => {
    const lines = gradebookTable(results, EXPORTS).trimEnd().split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^student\s+score\s+affineForward\s+affineBackward/);
    expect(lines[3]).toMatch(/^doe, "jd"\s+4\/18\s+3\/5\s+0\/6\s+0\/2\s+0\/2\s+1\/3$/);
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------

describe("toTerminal", () => {
  const plain = toTerminal(trickyResult(), { color: false, showHidden: true });

  it("has a header with the student, the assignment and the score", () => {
    expect(plain.split("\n").slice(0, 2)).toEqual([`layers — ${TRICKY_ID}`, "Score: 4/18"]);
  });

  it("marks each outcome with its sign", () => {
    expect(plain).toMatch(/^ {2}✓ affineForward: matches the reference on the committed fixtures \(3\/3\)$/m);
    expect(plain).toMatch(/^ {2}✗ affineBackward: dw matches numerical gradient \(0\/4\)$/m);
    expect(plain).toMatch(/^ {2}! affineBackward: runs fast enough \(0\/2\)$/m);
    expect(plain).toMatch(/^ {2}⚠ tanhForward: matches the reference on the committed fixtures \(0\/2\)$/m);
    expect(plain).toMatch(/^affineBackward {2}0\/6$/m);
  });

  it("indents what went wrong beneath a failed test", () => {
    const lines = plain.split("\n");
    const at = lines.findIndex((l) => l.includes("✗ affineBackward: dw"));
    expect(lines.slice(at + 1, at + 7)).toEqual([
      `      ${FAILED_MESSAGE}`,
      "      expected dw[1][2] = 0.5",
      "      actual   dw[1][2] = -0.5",
      "      seed 1234",
      "      Likely cause: dw is computed as w·xᵀ instead of xᵀ·dout",
      "      Replay: case affine/3x4x5/0 of fixtures/golden/layers.json",
    ]);
    expect(plain).toContain("      Could not check: your code timed out after 2000 ms, so this test scores 0.");
  });

  it("has no ANSI codes without color, and has them with color", () => {
    expect(plain).not.toContain("\u001b");
    expect(plain).toContain("red text helloworld");
    const colored = toTerminal(trickyResult(), { color: true, showHidden: true });
    expect(colored).toMatch(/\u001b\[32m✓\u001b\[39m/);
    expect(colored).toMatch(/\u001b\[31m✗\u001b\[39m/);
    // The student's own escapes stay out even then.
    expect(colored).not.toContain("\u001b[31mred text");
  });

  it("with showHidden false, counts hidden tests without their names, messages or points", () => {
    const self = toTerminal(trickyResult(), { color: false, showHidden: false });
    expect(plain).toContain(HIDDEN_NAME);
    expect(plain).toContain(HIDDEN_MESSAGE);
    expect(self).not.toContain(HIDDEN_NAME);
    expect(self).not.toContain("SECRET-HIDDEN-MESSAGE");
    expect(self).not.toContain("secret inputs");
    expect(self).toContain("2 hidden tests not shown.");
    expect(self).toContain("Score on the tests shown: 3/15");
    expect(self).toMatch(/^affineForward {2}3\/3$/m);
  });
});

describe("toClassroom (GitHub Classroom's autograding reporter)", () => {
  const rerun = (e: string) => `npm run check -- ${e}`;

  it("visible tests only, with the four outcomes mapped to pass/fail/error and the reporter's fields", () => {
    const c = toClassroom(trickyResult(), { rerun });
    expect(c.version).toBe(1);
    expect(c.status).toBe("error"); // a grader error is ours, reported as such
    expect(c.max_score).toBe(15);
    expect(c.tests.map((t) => t.status)).toEqual(["pass", "fail", "fail", "fail", "fail", "fail", "error"]);
    // what the reporter posts to Classroom: "Points <sum of scores>/<max_score>"
    expect(c.tests.reduce((s, t) => s + t.score, 0)).toBe(3);
    const dw = c.tests[1];
    expect(dw).toMatchObject({
      name: "affineBackward: dw matches numerical gradient",
      score: 0,
      test_code: "npm run check -- affineBackward",
      line_no: 0,
      duration: 12,
    });
    expect(dw.message).toContain("Likely cause: dw is computed as w·xᵀ instead of xᵀ·dout");
    const all = JSON.stringify(c);
    expect(all).not.toContain("SECRET-HIDDEN-MESSAGE");
    expect(all).not.toContain(HIDDEN_NAME);
    expect(all).not.toContain(GRADER_CAUSE); // the harness's own cause is for the staff
  });

  it("all passed is a pass; the output is base64 of that JSON", () => {
    const r = perfectResult("ada");
    expect(toClassroom(r, { rerun }).status).toBe("pass");
    expect(JSON.parse(Buffer.from(classroomOutput(r, { rerun }), "base64").toString("utf8"))).toEqual(toClassroom(r, { rerun }));
  });
});

describe("toSelfCheck (the starter kit's npm run check)", () => {
  const rerun = (e: string) => `npm run check -- ${e}`;
  const text = toSelfCheck(trickyResult(), { color: false, rerun });

  it("one line per visible export, marked by its first test that did not pass, never a hidden test", () => {
    const marks = text
      .split("\n")
      .filter((l) => /^[✓✗!⚠] /.test(l))
      .map((l) => l.split(/\s+/).slice(0, 2).join(" "));
    expect(marks).toEqual(["✓ affineForward", "✗ affineBackward", "! reluForward", "! reluBackward", "⚠ tanhForward"]);
    expect(text).not.toContain(HIDDEN_NAME);
    expect(text).not.toContain(HIDDEN_MESSAGE);
    expect(text).not.toContain("secret inputs");
  });

  it("under an export that fails: its first failure with details, the likely cause, and the command that reruns it", () => {
    const block = text.slice(text.indexOf("✗ affineBackward"), text.indexOf("! reluForward"));
    expect(block).toContain(`    ${FAILED_MESSAGE}\n`);
    expect(block).toContain("      expected dw[1][2] = 0.5\n");
    expect(block).toContain("      Replay: case affine/3x4x5/0 of fixtures/golden/layers.json\n");
    expect(block).toContain("    Likely cause: dw is computed as w·xᵀ instead of xᵀ·dout\n");
    expect(block).toContain("    rerun: npm run check -- affineBackward  (1 more test of affineBackward did not pass)\n");
  });

  it("ends with the visible score; its verdict ignores hidden tests; the student's output is cleaned", () => {
    expect(text).toMatch(/\n1 of 5 exports pass every visible test: 3\/15 points on the visible tests\.\n$/);
    expect(allVisiblePassed(trickyResult())).toBe(false);
    const hiddenFails = trickyResult();
    hiddenFails.tests = hiddenFails.tests.filter((t) => t.test.visibility !== "visible" || t.outcome.status === "passed");
    expect(allVisiblePassed(hiddenFails)).toBe(true);
    expect(text).not.toContain("\u001b");
    expect(text).toContain("red text helloworld");
  });
});

describe("toStepSummary (the job summary of the kit's CI)", () => {
  const rerun = (e: string) => `npm run check -- ${e}`;

  it("a table per visible export, a failure's first line in its row, everything a student's code chose escaped", () => {
    const r = trickyResult();
    (r.tests[0].outcome as { message: string }).message = "ok";
    const broken = r.tests[2].outcome as { message: string };
    broken.message = "affineBackward threw Error: a | b <img src=x> **bold**\nsecond line";
    const md = toStepSummary(r, { rerun });
    expect(md.match(/^### /gm)).toHaveLength(5);
    expect(md).toContain("### ❌ affineBackward: 0/6");
    const row = md.split("\n").find((l) => l.startsWith("| dw matches numerical gradient"))!;
    expect(row).toBe("| dw matches numerical gradient | 0/4 | ❌ failed | affineBackward threw Error: a \\| b &lt;img src=x&gt; \\*\\*bold\\*\\* |");
    expect(md).toContain("Rerun: `npm run check -- affineBackward`");
    expect(md).not.toContain(HIDDEN_NAME);
    expect(md).not.toContain("secret inputs");
  });
});

describe("advice is never shown as a likely cause", () => {
  const training = run(spec("twoLayerNetLoss: training lowers the loss", 3, { kind: "training" }), {
    status: "failed",
    message: "twoLayerNetLoss: trained 200 steps, training accuracy 40.0 % (needs ≥ 90 %)",
    hint: "the gradients do not lead downhill: check each of grads.W1, b1, W2, b2 against the gradient-check tests",
  });
  const both = run(spec("softmaxLoss: matches the reference on the committed fixtures", 2), {
    status: "failed",
    message: "softmaxLoss: loss = Infinity",
    diagnosis: "softmaxLoss: loss is Infinity: it takes log(p_y) of a probability that underflows to 0",
    hint: "the loss must stay finite at scores of ±1e4",
  });

  it("a hint is labelled What to check:, after the likely cause, in prose, Markdown, the terminal and the self-check", () => {
    expect(outcomeLines(training)).toEqual([
      training.outcome.message,
      "What to check: the gradients do not lead downhill: check each of grads.W1, b1, W2, b2 against the gradient-check tests",
    ]);
    const lines = outcomeLines(both);
    expect(lines.indexOf("Likely cause: softmaxLoss: loss is Infinity: it takes log(p_y) of a probability that underflows to 0")).toBe(1);
    expect(lines.indexOf("What to check: the loss must stay finite at scores of ±1e4")).toBe(2);
    expect(outcomeMarkdown(training)).toContain("**What to check:** the gradients do not lead downhill");
    expect(outcomeMarkdown(training)).not.toContain("Likely cause");
    const result: SubmissionResult = {
      assignment: "two-layer-net",
      student: "s",
      score: 0,
      maxScore: 5,
      executionTimeMs: 1,
      tests: [training, both],
      messages: [],
    };
    for (const text of [toTerminal(result, { color: false, showHidden: true }), toSelfCheck(result, { color: false, rerun: (e) => `npm run check -- ${e}` })]) {
      expect(text).toContain("What to check: the gradients do not lead downhill");
      expect(text).not.toMatch(/Likely cause: the gradients do not lead downhill/);
    }
  });
});
