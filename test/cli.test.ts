/**
 * The command line as TAs and CI use it: usage errors exit 2 with what to fix, a single
 * submission writes a valid results.json, and a batch killed with SIGKILL and rerun with
 * --resume loses and duplicates nothing.
 */
import { describe, expect, it } from "@jest/globals";
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { ManifestError, loadManifest } from "../graders/manifest";
import { resultsProblems } from "../graders/results/validate-results";

/** As `npm run grade -- …` runs it: one node process (so a signal reaches the grader itself). */
const GRADE = ["--import", "tsx", "scripts/grade.ts"];
const grade = (args: string[]) => execa(process.execPath, [...GRADE, ...args], { reject: false, env: { GRADER_SECRET: "cli-test", NO_COLOR: "1" } });
const tmp = () => mkdtempSync(join(tmpdir(), "grade-cli-"));

describe("usage errors exit 2 and say what to fix", () => {
  it.each([
    [["--assignment", "conv", "--submission", "reference/layers", "--out", "x"], /unknown assignment "conv": choose one of gates, layers, classifiers, two-layer-net/],
    [["--assignment", "layers", "--submission", "no/such/dir", "--out", "x"], /--submission no\/such\/dir: no such folder/],
    [["--assignment", "layers", "--submission", "a", "--submissions", "b", "--out", "x"], /either --submission .* or --submissions/],
    [["--assignment", "layers", "--submission", "reference/layers"], /--out is required/],
    [["--submission", "reference/layers", "--out", "x"], /--assignment is required/],
    [["--frobnicate"], /Unknown option '--frobnicate'/],
    [["--jobs", "0"], /--jobs must be a positive whole number, got "0"/],
  ])("%j", async (args, message) => {
    const r = await grade(args as string[]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message as RegExp);
  });

  it("a malformed manifest is refused naming the file and the field", () => {
    const dir = tmp();
    const bad = JSON.parse(readFileSync("assignments/layers/assignment.json", "utf8"));
    bad.parts[0].tests[0].points = "three";
    writeFileSync(join(dir, "assignment.json"), JSON.stringify(bad));
    expect(() => loadManifest("layers", join(dir, "assignment.json"))).toThrow(ManifestError);
    expect(() => loadManifest("layers", join(dir, "assignment.json"))).toThrow(/assignment\.json is not a valid assignment manifest:\n {2}\/parts\/0\/tests\/0\/points: must be integer/);
  });
});

describe("one submission", () => {
  it("writes OUT/results.json in Gradescope's format, score = sum of the tests' scores", async () => {
    const out = tmp();
    const r = await grade(["--assignment", "layers", "--submission", "fixtures/submissions/layers/cy-dw-transposed", "--out", out]);
    expect(r.exitCode).toBe(0);
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
    expect(resultsProblems(results)).toEqual([]);
    expect(results.score).toBe(results.tests.reduce((s: number, t: { score: number }) => s + t.score, 0));
    const dw = results.tests.find((t: { name: string }) => t.name.startsWith("affineBackward: matches the reference on the committed"));
    expect(dw).toMatchObject({ status: "failed", score: 0 });
    expect(dw.output).toContain("dw has shape 7×5, expected 5×7 (the shape of w)");
    expect(r.stdout).toContain("✗ affineBackward: matches the reference on the committed fixtures");
  }, 120_000);
});

// A class of classifiers submissions: the quickest assignment to grade (no 100×4096 timings).
describe("a class", () => {
  const STUDENTS = ["ada-loops-js", "cy-svm-counts-y", "dot-softmax-missing-1n", "eli-softmax-no-max"];
  const makeClass = () => {
    const dir = tmp();
    for (const s of STUDENTS) cpSync(`fixtures/submissions/classifiers/${s}`, join(dir, s), { recursive: true });
    writeFileSync(join(dir, "notes.txt"), "not a student");
    return dir;
  };
  const gradebook = (out: string) => readFileSync(join(out, "gradebook.csv"), "utf8").trim().split("\n");

  it("writes every student's results.json and gradebook.csv (student,score,max_score, then one column per export)", async () => {
    const dir = makeClass();
    const out = tmp();
    const r = await grade(["--assignment", "classifiers", "--submissions", dir, "--out", out, "--jobs", "2"]);
    expect(r.exitCode).toBe(0);
    expect(readdirSync(out).sort()).toEqual([...STUDENTS, "gradebook.csv", "junit.xml", "report.html"]);
    const rows = gradebook(out);
    expect(rows[0]).toMatch(/^student,score,max_score,svmLoss,softmaxLoss,/);
    expect(rows).toHaveLength(5);
  }, 120_000);

  it("killed with SIGKILL mid-batch and rerun with --resume: nothing lost, nothing duplicated, finished students kept", async () => {
    const dir = makeClass();
    const out = tmp();
    const first = execa(process.execPath, [...GRADE, "--assignment", "classifiers", "--submissions", dir, "--out", out, "--jobs", "1"], { reject: false, env: { GRADER_SECRET: "cli-test" } });
    await new Promise<void>((resolve) => {
      first.stderr?.on("data", (d: Buffer) => { if (/grading classifiers 1\/4/.test(d.toString())) resolve(); });
      void first.then(() => resolve());
    });
    first.kill("SIGKILL");
    await first;
    const finished = readdirSync(out).filter((s) => existsSync(join(out, s, "results.json")));
    expect(finished.length).toBeGreaterThanOrEqual(1);
    expect(finished.length).toBeLessThan(4);
    const before = Object.fromEntries(finished.map((s) => [s, readFileSync(join(out, s, "results.json"), "utf8")]));

    const second = await grade(["--assignment", "classifiers", "--submissions", dir, "--out", out, "--jobs", "2", "--resume"]);
    expect(second.exitCode).toBe(0);
    for (const s of finished) {
      expect(second.stderr).toMatch(new RegExp(`${s} \\d+/100 \\(resumed\\)`));
      expect(readFileSync(join(out, s, "results.json"), "utf8")).toBe(before[s]); // not regraded
    }
    const rows = gradebook(out);
    expect(rows.slice(1).map((r) => r.split(",")[0])).toEqual(STUDENTS);
    expect(readdirSync(join(out, "ada-loops-js")).filter((f) => f.includes(".tmp-"))).toEqual([]);
  }, 120_000);
});
