/**
 * The kit's command lines: `npm run kit`'s usage errors, its build refusing reference code, and
 * the self-check's options (export names, --watch) on a classifiers kit; a question the recorded
 * answers cannot answer is a grader error that says the kit cannot check it offline.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { gradeSubmission } from "../../../graders/grade";
import { KIT_POLICY } from "../../../graders/reference/grading-policy";
import { recordedReference } from "../../../graders/reference/recorded-reference";
import { classOf } from "../../helpers/sample-class/class";
import { expectUsageError } from "../../helpers/run-cli";
import { PROJECT, makeKit, nodeCheck, npmInstall, studentCopy } from "../../helpers/kit/harness";

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
    expectUsageError(
      await kitCommand(["--assignment", "layers", "--out", dir]),
      /^error: --out \S+ is not empty \(it holds notes\.txt\): give a new or empty folder for the kit$/,
    );
    expectUsageError(
      await kitCommand(["--assignment", "layers", "--out", join(dir, "notes.txt")]),
      /^error: --out \S+notes\.txt is a file: give a new or empty folder for the kit$/,
    );
    expect(readdirSync(dir)).toEqual(["notes.txt"]);
  });
});

describe("the kit's build refuses reference code", () => {
  it("fails on any module under reference/, naming it and its importer: the kit's self-check without its replacement of graders/reference/live-reference.ts, and the graph runner", async () => {
    const { build } = await import("../../../scripts/run.mjs");
    const out = tmp();
    made.push(out);
    await expect(
      build({ outdir: join(out, "a"), root: "./", entries: { check: "scripts/kit-check.ts" }, runners: {}, refuse: ["reference/"] }),
    ).rejects.toThrow(/reference\/gates\/gates\.ts is under reference\/, which this build must not hold: imported by graders\/reference\/live-reference\.ts/);
    await expect(
      build({ outdir: join(out, "b"), root: "./", entries: {}, runners: { "graph-runner": "graders/sandbox/graph-runner.ts" }, refuse: ["reference/"] }),
    ).rejects.toThrow(/reference\/gates\/gates\.ts is under reference\/, which this build must not hold: imported by graders\/sandbox\/graph-runner\.ts/);
  }, 60_000);
});

describe("a question the recorded answers cannot answer", () => {
  it("is a grader error saying the kit cannot check it offline, never a failure of the student's", async () => {
    const dir = tmp();
    made.push(dir);
    const empty = join(dir, "reference-answers.json");
    writeFileSync(empty, JSON.stringify({ format: 1, assignment: "classifiers", answers: {} }));
    const [id] = Object.entries(classOf("classifiers")).find(([, s]) => s.expect === "correct")!;
    const r = await gradeSubmission("classifiers", join("fixtures", "submissions", "classifiers", id), {
      secret: "kit-test",
      visibleOnly: true,
      reference: recordedReference(empty),
      policy: KIT_POLICY,
      kinds: ["golden", "gradcheck"],
    });
    const gradchecks = r.tests.filter((t) => t.test.kind === "gradcheck");
    expect(gradchecks.length).toBeGreaterThan(0);
    for (const t of gradchecks) {
      expect(t.outcome.status).toBe("grader-error");
      expect(t.outcome.message).toMatch(
        /^the starter kit cannot check this offline \(the reference's answer on this \w+ case was not recorded when the kit was made\); the course's grader will check it$/,
      );
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

  it("files moved into one folder of the kit are checked from there, and the check says so", async () => {
    const dir = studentCopy(kit, "classifiers", join("fixtures", "submissions", "classifiers", "ada-loops-js"));
    made.push(join(dir, ".."));
    mkdirSync(join(dir, "solution"));
    for (const f of ["losses.js", "linear-classifier.js"]) renameSync(join(dir, f), join(dir, "solution", f));
    const r = await nodeCheck(dir);
    expect(r.stdout.split("\n")[0]).toBe(
      "losses.ts and linear-classifier.ts were not at the root of your submission: found in solution/ and graded from there; next time hand in the files themselves, not a folder that holds them",
    );
    expect(r.stdout).toMatch(/^All \d+ visible tests pass/m);
    expect(r.exitCode).toBe(0);
  }, 120_000);

  it("checks only the exports named", async () => {
    const r = await nodeCheck(correct, ["svmLoss", "softmaxLoss"]);
    expect(r.exitCode).toBe(0);
    expect(
      r.stdout
        .split("\n")
        .filter((l) => /^[✓✗]/.test(l))
        .map((l) => l.split(/\s+/)[1]),
    ).toEqual(["svmLoss", "softmaxLoss"]);
  }, 120_000);

  it.each([
    [["svmloss"], /^error: svmloss: did you mean svmLoss\?$/],
    [["sofmaxLoss"], /^error: sofmaxLoss: did you mean softmaxLoss\?$/],
    [["conv2d"], /^error: conv2d is not an export of classifiers; its exports are svmLoss, softmaxLoss, linearSvmLoss, linearSoftmaxLoss$/],
    [["--wach"], /^error: --wach: did you mean --watch\?$/],
    [["--junit"], /^error: Option '--junit <value>' argument missing/],
  ])(
    "a usage error exits 2 with one line: %j",
    async (args, line) => {
      expectUsageError(await nodeCheck(correct, args as string[]), line as RegExp);
    },
    60_000,
  );

  it("a sandbox this Node cannot start (a refused permission flag) exits 1 with one line naming the Node and the cause, never a score", async () => {
    const r = await nodeCheck(correct, [], { BACKPROP_GRADER_TEST_PERMISSION_FLAG: "--no-such-flag" });
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim()).toMatch(
      /^error: the sandbox failed its start-up check on node v\d+\S* \(.*\): .*--no-such-flag: bad option; no submission was graded\.$/,
    );
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

  it("--watch checks again after every save, whichever way the editor writes, once per save, and the last verdict is the file's", async () => {
    // ben-static-ts with its helpers moved into lib/: a helper at depth, imported by both files
    const dir = studentCopy(kit, "classifiers", join("fixtures", "submissions", "classifiers", "ben-static-ts"));
    made.push(join(dir, ".."));
    mkdirSync(join(dir, "lib"));
    renameSync(join(dir, "util.ts"), join(dir, "lib", "util.ts"));
    for (const f of ["losses.ts", "linear-classifier.ts"])
      writeFileSync(join(dir, f), readFileSync(join(dir, f), "utf8").replace('"./util.js"', '"./lib/util.js"'));
    const good = { losses: readFileSync(join(dir, "losses.ts"), "utf8"), util: readFileSync(join(dir, "lib", "util.ts"), "utf8") };
    const badUtil = good.util.replace("m.set(i, label, 1)", "m.set(i, label, 2)"); // one-hot of 2: softmax gradients wrong
    const badLosses = good.losses.replace(/export function svmLoss/, "export function svmLosss");
    expect(badUtil).not.toBe(good.util);
    expect(badLosses).not.toBe(good.losses);

    const child = execa(process.execPath, [join(".grader", "check.mjs"), "--watch"], { cwd: dir, reject: false, env: { NO_COLOR: "1" } });
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString()));
    const count = (pattern: RegExp) => out.match(new RegExp(pattern.source, "g"))?.length ?? 0;
    const WATCHING = /Watching .* for changes/;
    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
    /** Until `n` checks have ended, then a second of quiet: no other check may start. */
    const checksEnded = async (n: number) => {
      const end = Date.now() + 90_000;
      while (count(WATCHING) < n) {
        if (Date.now() > end) throw new Error(`timed out waiting for check ${n}:\n${out}`);
        await pause(100);
      }
      await pause(1500);
      expect(count(WATCHING)).toBe(n);
      expect(count(/changed: checking again/)).toBe(n - 1);
    };
    /** What the last check printed. */
    const lastVerdict = () => out.slice(out.lastIndexOf("\n── ") + "\n── ".length);
    const allPass = /All \d+ visible tests pass/;
    /** Write `text` to a temporary file beside `file`, then rename it over `file` (vim's, JetBrains' and formatters' way). */
    const renameOver = (file: string, text: string) => {
      const temp = join(dir, file, "..", `.${file.split("/").at(-1)}.tmp-save`);
      writeFileSync(temp, text);
      renameSync(temp, join(dir, file));
    };
    try {
      await checksEnded(1);
      expect(out).toMatch(allPass);

      writeFileSync(join(dir, "lib", "util.ts"), badUtil); // a helper, in place
      await checksEnded(2);
      expect(lastVerdict()).toMatch(/^lib\/util\.ts changed/);
      expect(lastVerdict()).toMatch(/^✗ softmaxLoss /m);

      renameOver("lib/util.ts", good.util); // the helper, renamed over
      await checksEnded(3);
      expect(lastVerdict()).toMatch(allPass);

      renameOver("losses.ts", badLosses); // the student's file, renamed over
      await checksEnded(4);
      expect(lastVerdict()).toMatch(/^✗ svmLoss /m);

      renameOver("losses.ts", good.losses); // again: the watch on the folder did not go blind
      await checksEnded(5);
      expect(lastVerdict()).toMatch(allPass);

      // vim's default: the old file renamed to a backup, the new one written, the backup deleted
      renameSync(join(dir, "losses.ts"), join(dir, "losses.ts~"));
      writeFileSync(join(dir, "losses.ts"), badLosses);
      unlinkSync(join(dir, "losses.ts~"));
      await checksEnded(6);
      expect(lastVerdict()).toMatch(/^✗ svmLoss /m);

      unlinkSync(join(dir, "losses.ts")); // deleted and created again
      await pause(50);
      writeFileSync(join(dir, "losses.ts"), good.losses);
      await checksEnded(7);
      expect(lastVerdict()).toMatch(allPass);

      // two saves, the second while the first one's check runs: the last verdict is the last save's
      writeFileSync(join(dir, "losses.ts"), badLosses);
      await (async () => {
        while (count(/changed: checking again/) < 7) await pause(20);
      })();
      renameOver("losses.ts", good.losses);
      const end = Date.now() + 90_000;
      while (count(WATCHING) < 9 && Date.now() < end) await pause(100);
      await pause(1500);
      expect(count(WATCHING)).toBe(9);
      expect(lastVerdict()).toMatch(allPass);
    } finally {
      child.kill("SIGINT");
      await child;
    }
  }, 400_000);
});
