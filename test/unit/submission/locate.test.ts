/**
 * How a submission is handed in (graders/submission/locate.ts): the files one folder down (a zip
 * of a folder, GitHub's "Download ZIP", a folder dragged onto Gradescope) are graded from there,
 * and the student is told; several such folders grade nothing and are listed; a file in another
 * folder is pointed at. Two versions of one contract file: the handout's skeleton untouched
 * beside the student's own is set aside; two versions of the student's own clash and neither is
 * graded. Each said in the results, where the student reads it.
 */
import { describe, expect, it } from "@jest/globals";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gradeSubmission } from "../../../graders/grade";
import { locateSubmission } from "../../../graders/submission/locate";
import { isSkeleton } from "../../../graders/submission/skeleton";

const SECRET = "intake-test";
const tmp = () => mkdtempSync(join(tmpdir(), "intake-"));
/** A folder with `files` (path → text), made in a new temporary folder. */
function folder(files: Record<string, string>): string {
  const dir = tmp();
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}
const reference = (assignment: string, file: string) => readFileSync(join("reference", assignment, file), "utf8");
const skeleton = (assignment: string, file: string) => readFileSync(join("assignments", assignment, "skeleton", file), "utf8");
/** The classifiers reference, with its files under `prefix`. */
const classifiers = (prefix: string) => ({
  [`${prefix}losses.ts`]: reference("classifiers", "losses.ts"),
  [`${prefix}linear-classifier.ts`]: reference("classifiers", "linear-classifier.ts"),
});
const FAST = { secret: SECRET, kinds: ["golden" as const] };

describe("files handed in one folder down", () => {
  it.each([
    ["the zip of a folder", "classifiers-solution/"],
    ["GitHub's Download ZIP of a starter-kit repository", "backprop-classifiers-main/"],
    ["two folders down", "hw2/classifiers-solution/"],
  ])(
    "%s: graded from there, and the student is told where",
    async (_, prefix) => {
      const files: Record<string, string> = { ...classifiers(prefix), "__MACOSX/._losses.ts": "junk", [`${prefix}README.md`]: "# mine" };
      if (prefix.includes("-main"))
        Object.assign(files, { [`${prefix}.grader/assignments/classifiers/skeleton/losses.ts`]: "old", [`${prefix}node_modules/x/losses.ts`]: "not theirs" });
      const dir = folder(files);
      const intake = locateSubmission(dir, "classifiers");
      expect(intake.root).toBe(join(dir, prefix.slice(0, -1)));
      const r = await gradeSubmission("classifiers", dir, FAST);
      expect(r.messages).toEqual([
        `losses.ts and linear-classifier.ts were not at the root of your submission: found in ${prefix} and graded from there; next time hand in the files themselves, not a folder that holds them`,
      ]);
      expect(r.tests.length).toBeGreaterThan(0);
      expect(r.score).toBe(r.maxScore);
    },
    120_000,
  );

  it("one file assignments too (layers.js in a folder)", () => {
    const dir = folder({ "my layers/layers.js": "export const x = 1;" });
    const intake = locateSubmission(dir, "layers");
    expect(intake.notes).toEqual([
      "layers.ts was not at the root of your submission: found in my layers/ and graded from there; next time hand in the files themselves, not a folder that holds them",
    ]);
    expect(intake.files[0]).toMatchObject({ found: true, path: join(dir, "my layers", "layers.js") });
  });

  it("several folders that each hold the files: nothing is graded, and every folder is listed", async () => {
    const dir = folder({ ...classifiers("v1/"), ...classifiers("final/") });
    const r = await gradeSubmission("classifiers", dir, FAST);
    expect(r.messages).toEqual([
      "losses.ts and linear-classifier.ts are not at the root of your submission, and 2 folders hold them: final/ and v1/; nothing was graded, since it cannot be told which is your work: hand in the files of one of them, at the root",
    ]);
    expect(r.score).toBe(0);
    expect(r.tests.every((t) => t.outcome.status === "failed")).toBe(true);
  }, 60_000);

  it("files at the root win over a folder below; one missing there is pointed at where it is", () => {
    const dir = folder({ "losses.ts": reference("classifiers", "losses.ts"), ...classifiers("old/") });
    const intake = locateSubmission(dir, "classifiers");
    expect(intake.root).toBe(dir);
    expect(intake.notes).toEqual([]);
    expect(intake.files[0]).toMatchObject({ found: true, path: join(dir, "losses.ts") });
    expect(intake.files[1]).toMatchObject({
      found: false,
      message:
        "linear-classifier.ts is missing: expected linear-classifier.ts, linear-classifier.mts, linear-classifier.js, linear-classifier.mjs at the root of your submission (it provides linearSvmLoss, linearSoftmaxLoss); it is in old/linear-classifier.ts: move it to the root",
    });
  });

  it("files split across folders (none holds them all): each is missing, and pointed at", () => {
    const dir = folder({ "a/losses.ts": "x", "b/linear-classifier.js": "y" });
    const intake = locateSubmission(dir, "classifiers");
    expect(intake.root).toBe(dir);
    expect(intake.files.map((f) => (f.found ? f.path : f.message.split("; ")[1]))).toEqual([
      "it is in a/losses.ts: move it to the root",
      "it is in b/linear-classifier.js: move it to the root",
    ]);
  });

  it("a linked folder is never searched (it could lead to the reference)", () => {
    const dir = tmp();
    symlinkSync(join(process.cwd(), "reference", "classifiers"), join(dir, "solution"));
    const intake = locateSubmission(dir, "classifiers");
    expect(intake.root).toBe(dir);
    expect(intake.files.every((f) => !f.found && !f.message.includes("solution"))).toBe(true);
  });

  it("dot-folders, __MACOSX and node_modules are never candidates", () => {
    const dir = folder({ ...classifiers(".git/"), ...classifiers("__MACOSX/x/"), ...classifiers("node_modules/pkg/") });
    const intake = locateSubmission(dir, "classifiers");
    expect(intake.root).toBe(dir);
    expect(intake.files.every((f) => !f.found && f.message.endsWith(")"))).toBe(true);
  });
});

describe("two versions of a contract file", () => {
  it("the skeleton untouched beside the student's .js: the .js is graded, and the student is told", async () => {
    const dir = folder({
      "losses.ts": skeleton("classifiers", "losses.ts"),
      "linear-classifier.ts": skeleton("classifiers", "linear-classifier.ts"),
      "losses.js": readFileSync("fixtures/submissions/classifiers/ada-loops-js/losses.js", "utf8"),
      "linear-classifier.js": readFileSync("fixtures/submissions/classifiers/ada-loops-js/linear-classifier.js", "utf8"),
    });
    const r = await gradeSubmission("classifiers", dir, FAST);
    expect(r.messages).toEqual([
      "losses.js is graded; losses.ts is the handout's skeleton, untouched, and ignored: delete it",
      "linear-classifier.js is graded; linear-classifier.ts is the handout's skeleton, untouched, and ignored: delete it",
    ]);
    expect(r.score).toBe(r.maxScore);
  }, 60_000);

  it("the skeleton with CRLF line ends, re-indented with tabs and trailing spaces, is still the skeleton", () => {
    const text = skeleton("layers", "layers.ts")
      .split("\n")
      .map((l) => `${l.replace(/^ +/, (s) => "\t".repeat(s.length / 2))}  `)
      .join("\r\n");
    expect(isSkeleton(`\uFEFF${text}\r\n\r\n`, skeleton("layers", "layers.ts"))).toBe(true);
    const dir = folder({ "layers.ts": text, "layers.mjs": "export const mine = 1;" });
    expect(locateSubmission(dir, "layers").files[0]).toMatchObject({ found: true, path: join(dir, "layers.mjs") });
  });

  it("the skeleton with one line of code changed is the student's own", () => {
    const text = skeleton("layers", "layers.ts").replace(/throw new Error\(".*"\);/, "return { out: x, cache: x };");
    expect(text).not.toBe(skeleton("layers", "layers.ts"));
    expect(isSkeleton(text, skeleton("layers", "layers.ts"))).toBe(false);
  });

  it("both the student's own: neither is graded, and one line says which files clash and what to remove", async () => {
    const dir = folder({ "layers.ts": reference("layers", "layers.ts"), "layers.js": "export const nothing = 1;" });
    const r = await gradeSubmission("layers", dir, FAST);
    expect(r.messages).toEqual([
      "layers.ts and layers.js clash: each holds your own version of layers.ts, and only one may be handed in, so neither was graded; remove the one you do not want graded",
    ]);
    expect(r.score).toBe(0);
    expect(r.tests.every((t) => t.outcome.status === "failed" && t.outcome.message === r.messages[0])).toBe(true);
  }, 60_000);

  it("both the skeleton: the .ts is graded (it fails as not implemented), the copy is named as ignored", () => {
    const dir = folder({ "layers.ts": skeleton("layers", "layers.ts"), "layers.mts": skeleton("layers", "layers.ts") });
    const intake = locateSubmission(dir, "layers");
    expect(intake.files[0]).toMatchObject({ found: true, path: join(dir, "layers.ts") });
    expect(intake.notes).toEqual(["layers.ts is graded; layers.mts is ignored (all are the handout's skeleton, untouched)"]);
  });

  it("one folder down, with the skeleton beside: both rules apply", () => {
    const dir = folder({ "repo-main/layers.ts": skeleton("layers", "layers.ts") });
    cpSync("fixtures/submissions/layers/ada-loops-js/layers.js", join(dir, "repo-main", "layers.js"));
    const intake = locateSubmission(dir, "layers");
    expect(intake.files[0]).toMatchObject({ found: true, path: join(dir, "repo-main", "layers.js") });
    expect(intake.notes).toEqual([
      "layers.ts was not at the root of your submission: found in repo-main/ and graded from there; next time hand in the files themselves, not a folder that holds them",
      "layers.js is graded; layers.ts is the handout's skeleton, untouched, and ignored: delete it",
    ]);
  });
});
