/**
 * The kit's command lines: `npm run kit`'s usage errors, its build refusing reference code, and
 * the self-check's options (export names, --watch) on a classifiers kit; a question the recorded
 * answers cannot answer is a grader error that says the kit cannot check it offline.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { gradeSubmission } from "../../graders/grade";
import { recordedReference } from "../../graders/recorded-reference";
import { classOf } from "../sample-class/class";
import { expectUsageError } from "../run-cli";
import { PROJECT, makeKit, nodeCheck, npmInstall, removeKit, studentCopy } from "./harness";

const kitCommand = (args: string[]) => execa(process.execPath, ["scripts/run.mjs", "kit", ...args], { cwd: PROJECT, reject: false });
const tmp = () => mkdtempSync(join(tmpdir(), "backprop-kit-cli-"));
const made: string[] = [];
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("npm run kit: usage errors exit 2 with one line and write nothing", () => {
  it.each([
    [[], /^error: both --assignment and --out are required$/],
    [["--assignment", "nope", "--out", "x"], /^error: unknown assignment "nope": choose one of gates, layers, classifiers, two-layer-net$/],
    [["--assignment", "layers", "--out", "x", "--bogus"], /^error: --bogus is not an option here; the options are /],
    [["--assignment", "layers", "--out", "x", "--outt"], /^error: --outt: did you mean --out\?$/],
  ])("%j", async (args, line) => {
    expectUsageError(await kitCommand(args as string[]), line as RegExp);
    expect(existsSync(join(PROJECT, "x"))).toBe(false);
  });

  it("an --out that holds files, or is a file", async () => {
    const dir = tmp();
    made.push(dir);
    writeFileSync(join(dir, "notes.txt"), "mine");
    expectUsageError(await kitCommand(["--assignment", "layers", "--out", dir]), /^error: --out \S+ is not empty \(it holds notes\.txt\): give a new or empty folder for the kit$/);
    expectUsageError(await kitCommand(["--assignment", "layers", "--out", join(dir, "notes.txt")]), /^error: --out \S+notes\.txt is a file: give a new or empty folder for the kit$/);
    expect(readdirSync(dir)).toEqual(["notes.txt"]);
  });
});

describe("the kit's build refuses reference code", () => {
  it("fails on any module under reference/, naming it and its importer: the kit's self-check without its replacement of graders/reference.ts, and the graph runner", async () => {
    const { build } = await import("../../scripts/run.mjs");
    const out = tmp();
    made.push(out);
    await expect(build({ outdir: join(out, "a"), root: "./", entries: { check: "scripts/kit-check.ts" }, runners: {}, refuse: ["reference/"] })).rejects.toThrow(
      /reference\/gates\/gates\.ts is under reference\/, which this build must not hold: imported by graders\/reference\.ts/,
    );
    await expect(build({ outdir: join(out, "b"), root: "./", entries: {}, runners: { "graph-runner": "graders/sandbox/graph-runner.ts" }, refuse: ["reference/"] })).rejects.toThrow(
      /reference\/gates\/gates\.ts is under reference\/, which this build must not hold: imported by graders\/sandbox\/graph-runner\.ts/,
    );
  }, 60_000);
});

describe("a question the recorded answers cannot answer", () => {
  it("is a grader error saying the kit cannot check it offline, never a failure of the student's", async () => {
    const dir = tmp();
    made.push(dir);
    const empty = join(dir, "reference-answers.json");
    writeFileSync(empty, JSON.stringify({ format: 1, assignment: "classifiers", answers: {} }));
    const [id] = Object.entries(classOf("classifiers")).find(([, s]) => s.expect === "correct")!;
    const r = await gradeSubmission("classifiers", join("fixtures", "submissions", "classifiers", id), { secret: "kit-test", visibleOnly: true, reference: recordedReference(empty), kinds: ["golden", "gradcheck"] });
    const gradchecks = r.tests.filter((t) => t.test.kind === "gradcheck");
    expect(gradchecks.length).toBeGreaterThan(0);
    for (const t of gradchecks) {
      expect(t.outcome.status).toBe("grader-error");
      expect(t.outcome.message).toMatch(/^the starter kit cannot check this offline \(the reference's answer on this \w+ case was not recorded when the kit was made\); the course's grader will check it$/);
    }
    // the golden values are data: they need no answer
    expect(r.tests.filter((t) => t.test.kind === "golden").every((t) => t.outcome.status === "passed")).toBe(true);
  }, 60_000);
});

describe("the self-check's command line", () => {
  let kit: string;
  let correct: string;
  beforeAll(async () => {
    kit = (await makeKit("classifiers")).dir;
    made.push(join(kit, ".."));
    await npmInstall(kit);
    const [id] = Object.entries(classOf("classifiers")).find(([, s]) => s.expect === "correct")!;
    correct = studentCopy(kit, "classifiers", join("fixtures", "submissions", "classifiers", id));
    made.push(join(correct, ".."));
  }, 300_000);

  it("checks only the exports named", async () => {
    const r = await nodeCheck(correct, ["svmLoss", "softmaxLoss"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split("\n").filter((l) => /^[✓✗]/.test(l)).map((l) => l.split(/\s+/)[1])).toEqual(["svmLoss", "softmaxLoss"]);
  }, 120_000);

  it.each([
    [["svmloss"], /^error: svmloss: did you mean svmLoss\?$/],
    [["sofmaxLoss"], /^error: sofmaxLoss: did you mean softmaxLoss\?$/],
    [["conv2d"], /^error: conv2d is not an export of classifiers; its exports are svmLoss, softmaxLoss, linearSvmLoss, linearSoftmaxLoss$/],
    [["--wach"], /^error: --wach: did you mean --watch\?$/],
    [["--junit"], /^error: Option '--junit <value>' argument missing/],
  ])("a usage error exits 2 with one line: %j", async (args, line) => {
    expectUsageError(await nodeCheck(correct, args as string[]), line as RegExp);
  }, 60_000);

  it("a sandbox this Node cannot start (a refused permission flag) exits 1 with one line naming the Node and the cause, never a score", async () => {
    const r = await nodeCheck(correct, [], { BACKPROP_GRADER_TEST_PERMISSION_FLAG: "--no-such-flag" });
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim()).toMatch(/^error: the sandbox failed its start-up check on node v\d+\S* \(.*\): .*--no-such-flag: bad option; no submission was graded\.$/);
    expect(r.stdout).not.toMatch(/^[✓✗]/m);
  }, 60_000);

  it("--watch checks again when a file is saved, and Ctrl-C ends it", async () => {
    const [buggy, s] = Object.entries(classOf("classifiers")).find(([, st]) => st.expect === "buggy")!;
    const dir = studentCopy(kit, "classifiers", join("fixtures", "submissions", "classifiers", "ada-loops-js"));
    made.push(join(dir, ".."));
    const child = execa(process.execPath, [join(".grader", "check.mjs"), "--watch"], { cwd: dir, reject: false, env: { NO_COLOR: "1" } });
    let out = "";
    const waiting: (() => void)[] = [];
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      waiting.splice(0).forEach((w) => w());
    });
    const seen = async (pattern: RegExp) => {
      while (!pattern.test(out)) await new Promise<void>((resolve) => waiting.push(resolve));
    };
    await seen(/All \d+ visible tests pass[^]*Watching /);
    // the student saves a file with a bug in it (another sample student's, over theirs)
    cpSync(join("fixtures", "submissions", "classifiers", buggy), dir, { recursive: true });
    await seen(/changed: checking again[^]*✗ [^]*Watching /);
    for (const e of s.exports!) expect(out).toMatch(new RegExp(`^✗ ${e} `, "m"));
    child.kill("SIGINT");
    const r = await child;
    expect(r.exitCode).toBe(130);
  }, 120_000);
});
