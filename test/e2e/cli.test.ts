/**
 * The command line as TAs and CI use it: usage errors exit 2 with one line of what to fix and
 * write nothing, broken manifests and golden files stop the run before any grading, a single
 * submission writes a valid results.json, and a batch killed with SIGKILL and rerun with
 * --resume loses and duplicates nothing.
 */
import { describe, expect, it } from "@jest/globals";
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { execa } from "execa";
import { ManifestError, loadManifest } from "../../graders/manifest";
import { resultsProblems } from "../../graders/results/validate-results";
import { bwrapAvailable } from "../../graders/sandbox/bwrap";
import { STAFF_ANSWERS } from "../../graders/staff/answer-fingerprints";
import { UsageError, positiveInteger } from "../../scripts/cli";
import { GRADE, GRADE_ENV, check, expectUsageError, grade, tmp } from "../helpers/run-cli";

/** A folder of `n` files and no subfolder: what a TA gets by pointing at the wrong level. */
const filesOnly = (n: number) => {
  const dir = tmp();
  for (let k = 1; k <= n; k++) writeFileSync(join(dir, `student${k}.zip`), "");
  return dir;
};

describe("usage errors exit 2 with one line that says what to fix, and write nothing", () => {
  // `out` is a fresh path that does not exist yet: after the run it must still not exist.
  it.each<[string, (out: string) => string[], RegExp]>([
    [
      "unknown assignment",
      (out) => ["--assignment", "conv", "--submission", "reference/layers", "--out", out],
      /^error: unknown assignment "conv": choose one of gates, layers, classifiers, two-layer-net$/,
    ],
    [
      "missing --submission folder",
      (out) => ["--assignment", "layers", "--submission", "no/such/dir", "--out", out],
      /^error: --submission no\/such\/dir: no such folder$/,
    ],
    [
      "--submission is a file",
      (out) => ["--assignment", "layers", "--submission", "package.json", "--out", out],
      /^error: --submission package\.json is a file, not a folder: give the folder that holds the files$/,
    ],
    [
      "missing --submissions folder",
      (out) => ["--assignment", "layers", "--submissions", "no/such/dir", "--out", out],
      /^error: --submissions no\/such\/dir: no such folder$/,
    ],
    [
      "both --submission and --submissions",
      (out) => ["--assignment", "layers", "--submission", "a", "--submissions", "b", "--out", out],
      /^error: give either --submission .* or --submissions/,
    ],
    ["no --out", () => ["--assignment", "layers", "--submission", "reference/layers"], /^error: --out is required/],
    ["no --assignment", (out) => ["--submission", "reference/layers", "--out", out], /^error: --assignment is required/],
    [
      "an unknown option",
      () => ["--frobnicate"],
      /^error: --frobnicate is not an option here; the options are --assignment, --submissions, --submission, --out, --jobs, --seed, --format, --timeout, --resume, --compare, --no-similarity, --help$/,
    ],
    ["a misspelt option", () => ["--asignment", "layers"], /^error: --asignment: did you mean --assignment\?$/],
    ["a misspelt option with its value", () => ["--submision=reference/layers"], /^error: --submision: did you mean --submission\?$/],
    [
      "a misspelt assignment",
      (out) => ["--assignment", "layer", "--submission", "reference/layers", "--out", out],
      /^error: unknown assignment "layer": did you mean layers\?$/,
    ],
    [
      "--format",
      (out) => ["--assignment", "layers", "--submission", "reference/layers", "--out", out, "--format", "xml"],
      /^error: --format must be one of terminal, json, junit, got "xml"$/,
    ],
    ...(["abc", "0", "-1", "1.5"] as const).flatMap((v): [string, (out: string) => string[], RegExp][] =>
      (["jobs", "timeout"] as const).map((flag) => [
        `--${flag} "${v}"`,
        (out: string) => ["--assignment", "layers", "--submission", "reference/layers", "--out", out, `--${flag}=${v}`],
        new RegExp(`^error: --${flag} must be a positive whole number, got "${v}"$`),
      ]),
    ),
    [
      "--timeout beyond what a timer can wait",
      (out) => ["--assignment", "layers", "--submission", "reference/layers", "--out", out, "--timeout", "9999999999"],
      /^error: --timeout must be at most 2147483647, got "9999999999"$/,
    ],
    [
      "an empty --submissions folder",
      (out) => ["--assignment", "layers", "--submissions", tmp(), "--out", out],
      /^error: --submissions \S+ is empty: each student is a subfolder, \S+\/<student>\/$/,
    ],
    [
      "a --submissions folder of files",
      (out) => ["--assignment", "layers", "--submissions", filesOnly(3), "--out", out],
      /^error: --submissions \S+ holds 3 files \(student1\.zip, student2\.zip, student3\.zip\) and no student folders: each student is a subfolder, \S+\/<student>\/$/,
    ],
    [
      "--out through a file",
      (out) => ["--assignment", "layers", "--submission", "reference/layers", "--out", join(out, "..", "f", "results")],
      /^error: cannot write to \S+\/f\/results: \S+\/f is a file, not a folder; choose another --out$/,
    ],
    [
      "--out under /proc",
      () => ["--assignment", "layers", "--submission", "reference/layers", "--out", "/proc/backprop-grader-out/x"],
      /^error: cannot write to \/proc\/backprop-grader-out\/x: \/proc\/backprop-grader-out cannot be created \(ENOENT\); choose an --out folder you can write$/,
    ],
    [
      "--compare with one submission",
      (out) => ["--assignment", "layers", "--submission", "reference/layers", "--out", out, "--compare", "elsewhere"],
      /^error: --compare goes with --submissions \(a class\)/,
    ],
    ["--compare with the sample class", () => ["--compare", "elsewhere"], /^error: --compare goes with --assignment A --submissions DIR --out OUT/],
    [
      "--compare of a folder that is no grading output",
      (out) => ["--assignment", "classifiers", "--submissions", "fixtures/submissions/classifiers", "--out", out, "--compare", "fixtures/submissions/layers"],
      /^error: --compare fixtures\/submissions\/layers is not a grading output: none of its folders holds a complete <student>\/results\.json and submission-result\.json; give an earlier --out folder of classifiers$/,
    ],
    [
      "GRADER_SECRET_FILE unreadable",
      (out) => ["--assignment", "layers", "--submission", "reference/layers", "--out", out],
      /^error: GRADER_SECRET_FILE=\/no\/such\/secret cannot be read \(ENOENT\): point it at the file that holds the secret, or unset it$/,
    ],
  ])("%s", async (title, args, firstLine) => {
    const root = tmp();
    writeFileSync(join(root, "f"), "a file, not a folder");
    const out = join(root, "out");
    const env = title.startsWith("GRADER_SECRET_FILE") ? { GRADER_SECRET_FILE: "/no/such/secret", NO_COLOR: "1" } : undefined;
    const r = await execa(process.execPath, [...GRADE, ...args(out)], { reject: false, env: env ?? GRADE_ENV, extendEnv: env === undefined });
    expectUsageError(r, firstLine);
    expect(readdirSync(root)).toEqual(["f"]);
    expect(readFileSync(join(root, "f"), "utf8")).toBe("a file, not a folder");
  });

  it("refuses a class folder with a symlinked student, by name, before grading anyone", async () => {
    const dir = tmp();
    cpSync("reference/classifiers", join(dir, "ada"), { recursive: true });
    symlinkSync(resolve("reference/classifiers"), join(dir, "bob"));
    const out = join(tmp(), "out");
    const r = await grade(["--assignment", "classifiers", "--submissions", dir, "--out", out]);
    expectUsageError(
      r,
      /^error: --submissions \S+: student folder "bob" is a symbolic link \(to \S+\/reference\/classifiers\); links are refused because one can point anywhere, even at the reference: copy the real folder in its place$/,
    );
    expect(existsSync(out)).toBe(false);
  });

  it("refuses an --out inside the class folder, and a file where a student's results go", async () => {
    const dir = tmp();
    mkdirSync(join(dir, "ada"));
    writeFileSync(join(dir, "ada", "losses.ts"), "");
    const inside = await grade(["--assignment", "classifiers", "--submissions", dir, "--out", join(dir, "results")]);
    expectUsageError(
      inside,
      /^error: --out \S+\/results is inside --submissions \S+: its folders would be graded as students next time; choose an --out outside it$/,
    );
    expect(readdirSync(dir)).toEqual(["ada"]);
    const out = tmp();
    writeFileSync(join(out, "ada"), "");
    const clash = await grade(["--assignment", "classifiers", "--submissions", dir, "--out", out]);
    expectUsageError(clash, /^error: cannot write to \S+: \S+\/ada is a file, where student ada's results go; move it away or choose another --out$/);
    expect(readdirSync(out)).toEqual(["ada"]);
  });

  // Root writes through permission bits: as root the folder is made read-only with a read-only
  // bind mount (bubblewrap) or, where bubblewrap does not work, the immutable attribute (chattr);
  // as anyone else, with chmod.
  it("refuses an --out it cannot write (read-only, or no permission)", async () => {
    const ro = tmp();
    const args = [...GRADE, "--assignment", "layers", "--submission", "reference/layers", "--out", join(ro, "out")];
    const root = process.getuid?.() === 0;
    const viaBwrap = root && (await bwrapAvailable());
    if (root && !viaBwrap) await execa("chattr", ["+i", ro]);
    if (!root) chmodSync(ro, 0o555);
    try {
      const r = viaBwrap
        ? await execa("bwrap", ["--dev-bind", "/", "/", "--ro-bind", ro, ro, process.execPath, ...args], { reject: false, env: GRADE_ENV })
        : await execa(process.execPath, args, { reject: false, env: GRADE_ENV });
      expectUsageError(r, /^error: cannot write to \S+\/out: \S+\/out cannot be created \((EROFS|EACCES|EPERM)\); choose an --out folder you can write$/);
    } finally {
      if (root && !viaBwrap) await execa("chattr", ["-i", ro]);
      if (!root) chmodSync(ro, 0o755);
    }
    expect(readdirSync(ro)).toEqual([]);
  });

  it("positiveInteger takes digits only (Number() would take these)", () => {
    for (const text of ["1e3", " 2", "2 ", "0x10", "", "+3", "Infinity", "2.0"]) {
      expect(() => positiveInteger("jobs", text, 1)).toThrow(new UsageError(`--jobs must be a positive whole number, got "${text}"`));
    }
    expect(positiveInteger("jobs", "12", 1)).toBe(12);
    expect(positiveInteger("jobs", undefined, 3)).toBe(3);
  });

  it("a misspelling is one line and nothing more: no usage text, no parser message", async () => {
    for (const r of [await grade(["--asignment", "layers"]), await grade(["--frobnicate"]), await check(["--submision", "x"])]) {
      expect(r.exitCode).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).not.toMatch(/Unknown option|usage:|'--/);
    }
  });

  it("npm run check: the same mistakes, the same one line", async () => {
    expectUsageError(await check(["--submision", "reference/layers", "--assignment", "layers"]), /^error: --submision: did you mean --submission\?$/);
    expectUsageError(await check(["--assignment", "conv", "--submission", "reference/layers"]), /^error: unknown assignment "conv"/);
    expectUsageError(await check(["--assignment", "layers", "--submission", "no/such/dir"]), /^error: --submission no\/such\/dir: no such folder$/);
    expectUsageError(await check(["--assignment", "layers"]), /^error: both --assignment and --submission are required$/);
  });

  it("loadManifest names the file and the field", () => {
    const dir = tmp();
    const bad = JSON.parse(readFileSync("assignments/layers/assignment.json", "utf8"));
    bad.parts[0].tests[0].points = "three";
    writeFileSync(join(dir, "assignment.json"), JSON.stringify(bad));
    expect(() => loadManifest("layers", join(dir, "assignment.json"))).toThrow(ManifestError);
    expect(() => loadManifest("layers", join(dir, "assignment.json"))).toThrow(
      /assignment\.json is not a valid assignment manifest:\n {2}\/parts\/0\/tests\/0\/points: must be integer/,
    );
  });
});

/**
 * The manifests and golden files live at fixed places in the project, so a broken one is tested
 * in a copy of the project (its code, assignments and golden files; node_modules linked).
 */
function projectCopy(): string {
  const root = tmp();
  for (const part of ["package.json", "tsconfig.json", "graders", "reference", "scripts", "assignments", "fixtures/golden", "fixtures/case-file.schema.json"]) {
    cpSync(part, join(root, part), { recursive: true });
  }
  symlinkSync(resolve("node_modules"), join(root, "node_modules"));
  return root;
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a test edits any JSON file's fields by hand
const editJson = (path: string, edit: (data: any) => void) => {
  const data = JSON.parse(readFileSync(path, "utf8"));
  edit(data);
  writeFileSync(path, JSON.stringify(data));
};

describe("a broken manifest or golden file stops the run before any grading, naming the file and the JSON path", () => {
  const inCopy = (root: string, args: string[], script = "scripts/grade.ts") =>
    execa(process.execPath, ["--import", "tsx", script, ...args], { cwd: root, reject: false, env: GRADE_ENV });

  it("assignment.json: every problem, the first on the first line", async () => {
    const root = projectCopy();
    editJson(join(root, "assignments/classifiers/assignment.json"), (m) => {
      m.parts[0].tests[0].pointz = 1;
      m.parts[1].tests[0].points = "three";
    });
    const r = await inCopy(root, ["--assignment", "classifiers", "--submission", "reference/classifiers", "--out", "out"]);
    expectUsageError(
      r,
      /^error: assignments\/classifiers\/assignment\.json: \/parts\/0\/tests\/0: has "pointz", which is not a field here \(a typo\?\); fix the manifest \(its schema: assignments\/assignment\.schema\.json\) \(1 more below\)$/,
    );
    expect(r.stderr.split("\n")[1]).toBe("  /parts/1/tests/0/points: must be integer");
    expect(existsSync(join(root, "out"))).toBe(false);
  });

  it("fixtures/golden/<a>.json, for grade (a class, one submission, the sample class) and check", async () => {
    const root = projectCopy();
    editJson(join(root, "fixtures/golden/two-layer-net.json"), (f) => {
      f.cases[2].inputs.X = "oops";
    });
    const firstLine = /^error: fixtures\/golden\/two-layer-net\.json: \/cases\/2\/inputs\/X: must be array; regenerate it with `npm run fixtures`$/;
    mkdirSync(join(root, "class", "ada"), { recursive: true });
    cpSync("reference/two-layer-net", join(root, "class", "ada"), { recursive: true });
    expectUsageError(await inCopy(root, ["--assignment", "two-layer-net", "--submissions", "class", "--out", "out"]), firstLine);
    expectUsageError(await inCopy(root, ["--assignment", "two-layer-net", "--submission", "reference/two-layer-net", "--out", "out"]), firstLine);
    expectUsageError(await inCopy(root, ["--assignment", "two-layer-net", "--submission", "reference/two-layer-net"], "scripts/check.ts"), firstLine);
    // the sample class: two-layer-net is graded last, and its broken file still stops the run first
    cpSync("fixtures/submissions", join(root, "fixtures/submissions"), { recursive: true });
    expectUsageError(await inCopy(root, []), firstLine);
    expect(readdirSync(root).sort()).toEqual([
      "assignments",
      "class",
      "fixtures",
      "graders",
      "node_modules",
      "package.json",
      "reference",
      "scripts",
      "tsconfig.json",
    ]);
  });
});

describe("one submission", () => {
  it("writes OUT/results.json in Gradescope's format, score = sum of the tests' scores, and removes a class grading's staff file", async () => {
    const out = tmp();
    // what a class's grading leaves beside a student's results: staff-only fingerprints of that grading's hidden answers
    writeFileSync(join(out, STAFF_ANSWERS), '{"answers":{}}\n');
    const r = await grade(["--assignment", "layers", "--submission", "fixtures/submissions/layers/cy-dw-transposed", "--out", out]);
    expect(r.exitCode).toBe(0);
    expect(existsSync(join(out, STAFF_ANSWERS))).toBe(false);
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
    expect(resultsProblems(results)).toEqual([]);
    expect(results.score).toBe(results.tests.reduce((s: number, t: { score: number }) => s + t.score, 0));
    const dw = results.tests.find((t: { name: string }) => t.name.startsWith("affineBackward: matches the reference on the committed"));
    expect(dw).toMatchObject({ status: "failed", score: 0 });
    expect(dw.output).toContain("dw has shape 7×5, expected 5×7 (the shape of w)");
    expect(r.stdout).toContain("✗ affineBackward: matches the reference on the committed fixtures");
  }, 120_000);
});

describe("a submission handed in one folder down (the zip of a folder)", () => {
  const zipped = (...folders: string[]) => {
    const dir = tmp();
    for (const f of folders) cpSync("fixtures/submissions/classifiers/ada-loops-js", join(dir, f), { recursive: true });
    mkdirSync(join(dir, "__MACOSX", folders[0]), { recursive: true });
    writeFileSync(join(dir, "__MACOSX", folders[0], "._losses.js"), "");
    return dir;
  };
  const NOTE =
    "losses.ts and linear-classifier.ts were not at the root of your submission: found in classifiers-solution/ and graded from there; next time hand in the files themselves, not a folder that holds them";

  it("npm run grade -- --submission: graded from the folder, with full marks, and results.json and the screen say so", async () => {
    const out = tmp();
    const r = await grade(["--assignment", "classifiers", "--submission", zipped("classifiers-solution"), "--out", out]);
    expect(r.exitCode).toBe(0);
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
    expect(results.score).toBe(results.max_score);
    expect(results.output.split("\n\n")[0]).toBe(NOTE);
    expect(r.stdout).toContain(NOTE);
  }, 120_000);

  it("npm run check: the same, at the top of the self-check; two such folders: nothing graded, both named", async () => {
    const one = await check(["--assignment", "classifiers", "--submission", zipped("classifiers-solution")]);
    expect(one.stdout).toContain(NOTE);
    expect(one.exitCode).toBe(0);
    const two = await check(["--assignment", "classifiers", "--submission", zipped("classifiers-solution", "classifiers-solution-v2")]);
    expect(two.stdout).toContain(
      "losses.ts and linear-classifier.ts are not at the root of your submission, and 2 folders hold them: classifiers-solution/ and classifiers-solution-v2/; nothing was graded",
    );
    expect(two.exitCode).toBe(1);
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
    expect(readdirSync(out).sort()).toEqual([...STUDENTS, "gradebook.csv", "junit.xml", "report.html", "similarity.csv", "staff-signals.csv"]);
    const rows = gradebook(out);
    expect(rows[0]).toMatch(/^student,score,max_score,svmLoss,softmaxLoss,/);
    expect(rows).toHaveLength(5);
  }, 120_000);

  it("killed with SIGKILL mid-batch and rerun with --resume: nothing lost, nothing duplicated, finished students kept", async () => {
    const dir = makeClass();
    const out = tmp();
    const first = execa(process.execPath, [...GRADE, "--assignment", "classifiers", "--submissions", dir, "--out", out, "--jobs", "1"], {
      reject: false,
      env: GRADE_ENV,
    });
    await new Promise<void>((resolve) => {
      first.stderr?.on("data", (d: Buffer) => {
        if (/grading classifiers 1\/4/.test(d.toString())) resolve();
      });
      void first.then(() => resolve());
    });
    first.kill("SIGKILL");
    await first;
    const finished = readdirSync(out).filter((s) => existsSync(join(out, s, "results.json")));
    expect(finished.length).toBeGreaterThanOrEqual(1);
    expect(finished.length).toBeLessThan(4);
    const before = Object.fromEntries(finished.map((s) => [s, readFileSync(join(out, s, "results.json"), "utf8")]));

    expect(JSON.parse(readFileSync(join(out, ".grading.lock"), "utf8")).pid).toBe(first.pid); // SIGKILL: no cleanup

    const second = await grade(["--assignment", "classifiers", "--submissions", dir, "--out", out, "--jobs", "2", "--resume"]);
    expect(second.exitCode).toBe(0);
    expect(second.stderr).toMatch(new RegExp(`^note: took over \\S+/\\.grading\\.lock left by pid ${first.pid} .*, which is no longer running$`, "m"));
    expect(existsSync(join(out, ".grading.lock"))).toBe(false);
    for (const s of finished) {
      expect(second.stderr).toMatch(new RegExp(`${s} \\d+/100 \\(resumed\\)`));
      expect(readFileSync(join(out, s, "results.json"), "utf8")).toBe(before[s]); // not regraded
    }
    const rows = gradebook(out);
    expect(rows.slice(1).map((r) => r.split(",")[0])).toEqual(STUDENTS);
    expect(readdirSync(join(out, "ada-loops-js")).filter((f) => f.includes(".tmp-"))).toEqual([]);
  }, 120_000);

  it("--compare PREV_OUT with --resume: whose score and which test changed, in changes.csv, on the terminal and in the report; a regrade that changes nothing says so", async () => {
    const dir = makeClass();
    const out = tmp();
    const first = await grade(["--assignment", "classifiers", "--submissions", dir, "--out", out, "--jobs", "2", "--no-similarity"]);
    expect(first.exitCode).toBe(0);
    expect(existsSync(join(out, "similarity.csv"))).toBe(false); // --no-similarity
    expect(first.stdout).toContain("staff signals: 0 leads to look at");

    // The earlier grading, as if a test had since been fixed: cy's first failed test had passed then.
    const prev = join(tmp(), "prev");
    cpSync(out, prev, { recursive: true });
    const file = join(prev, "cy-svm-counts-y", "submission-result.json");
    const full = JSON.parse(readFileSync(file, "utf8"));
    const test = full.tests.find((t: { outcome: { status: string } }) => t.outcome.status === "failed");
    test.outcome = { status: "passed", message: "ok" };
    test.score = test.test.points;
    full.score += test.test.points;
    writeFileSync(file, JSON.stringify(full));
    const now = JSON.parse(readFileSync(join(out, "cy-svm-counts-y", "results.json"), "utf8")).score;

    const second = await grade(["--assignment", "classifiers", "--submissions", dir, "--out", out, "--resume", "--compare", prev, "--no-similarity"]);
    expect(second.exitCode).toBe(0);
    for (const s of STUDENTS) expect(second.stderr).toMatch(new RegExp(`${s} \\d+/100 \\(resumed\\)`));
    expect(second.stdout).toContain(
      `regrade: 1 student changed since ${prev}:\n  cy-svm-counts-y: ${now + test.test.points}/100 → ${now}/100 (1 test changed)`,
    );
    const rows = readFileSync(join(out, "changes.csv"), "utf8").trim().split("\n");
    expect(rows).toEqual([
      "student,before,after,max_before,max_after,tests_changed,changes",
      `cy-svm-counts-y,${now + test.test.points},${now},100,100,1,"${test.test.name}: passed → failed, scored ${test.test.points} → 0"`,
    ]);
    const report = readFileSync(join(out, "report.html"), "utf8");
    expect(report).toContain(`<h2>Changes since ${prev}</h2>`);

    // the very folder being regraded: read before grading, so nothing changed
    const third = await grade(["--assignment", "classifiers", "--submissions", dir, "--out", out, "--resume", "--compare", out, "--no-similarity"]);
    expect(third.exitCode).toBe(0);
    expect(third.stdout).toContain(`regrade: nothing changed since ${out} (4 students compared`);
    expect(readFileSync(join(out, "changes.csv"), "utf8").trim()).toBe("student,before,after,max_before,max_after,tests_changed,changes");

    // without --compare (and with similarity): no changes.csv left from the run before
    const fourth = await grade(["--assignment", "classifiers", "--submissions", dir, "--out", out, "--resume"]);
    expect(fourth.exitCode).toBe(0);
    expect(existsSync(join(out, "changes.csv"))).toBe(false);
    expect(readFileSync(join(out, "similarity.csv"), "utf8").split("\n")[0]).toBe("student_a,student_b,similarity");
    expect(fourth.stdout).toMatch(/^code similarity: 6 pairs in \d+\.\d s, most similar \S+ and \S+ \(\d+\.\d%\)/m);
  }, 240_000);
});
