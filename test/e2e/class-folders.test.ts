/**
 * A class folder as TAs get it (a Gradescope or LMS export, a folder of unzipped repositories):
 * student folders named with spaces, commas, quotes and non-ASCII letters are kept exactly, in
 * OUT/<student>/, gradebook.csv (quoted as CSV requires), JUnit and the report; files beside
 * the student folders (Gradescope's submission_metadata.yml) are not students; a student's whole
 * starter-kit repository (.git, .github, .grader, node_modules) is graded like the bare files;
 * files one folder down and .js beside the untouched skeletons are graded as meant, and said so.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { convert } from "xmlbuilder2";
import { grade, tmp } from "../helpers/run-cli";

const REFERENCE = join("reference", "classifiers");
const ADA_JS = join("fixtures", "submissions", "classifiers", "ada-loops-js");
/** Student folder → what it holds. */
const STUDENTS = {
  "Zoë Müller": "the reference",
  "Smith, John": "the reference",
  'Renée "Ren" Ōta': "the reference",
  "kit-repo": "the whole starter-kit repository, with the reference's files in it",
  "zipped-folder": "the reference one folder down",
  "js-beside-skeleton": "ada-loops-js beside the untouched skeletons",
};

describe("a class folder as TAs get it", () => {
  let out: string;
  let classDir: string;
  let run: Awaited<ReturnType<typeof grade>>;
  beforeAll(async () => {
    classDir = tmp();
    out = join(tmp(), "out");
    for (const name of ["Zoë Müller", "Smith, John", 'Renée "Ren" Ōta']) cpSync(REFERENCE, join(classDir, name), { recursive: true });
    // a starter kit as the student's repository holds it: git, CI, the kit's self-check, installed packages
    const repo = join(classDir, "kit-repo");
    cpSync(REFERENCE, repo, { recursive: true });
    for (const [path, text] of Object.entries({
      ".git/HEAD": "ref: refs/heads/main\n",
      ".git/objects/ab/cdef": "blob",
      ".github/workflows/grade.yml": "on: push\n",
      ".grader/check.mjs": "throw new Error('the kit, never graded');\n",
      ".grader/assignments/classifiers/skeleton/losses.ts": readFileSync(join("assignments", "classifiers", "skeleton", "losses.ts"), "utf8"),
      "node_modules/ml-matrix/package.json": '{ "name": "ml-matrix" }',
      "node_modules/some-package/losses.js": "export const svmLoss = 'not the student';\n",
      "package.json": '{ "name": "backprop-classifiers", "scripts": { "check": "node .grader/check.mjs" } }\n',
      "README.md": "# Starter kit\n",
      ".gitignore": "node_modules/\n",
    })) {
      mkdirSync(join(repo, path, ".."), { recursive: true });
      writeFileSync(join(repo, path), text);
    }
    cpSync(REFERENCE, join(classDir, "zipped-folder", "classifiers-solution"), { recursive: true });
    cpSync(join("assignments", "classifiers", "skeleton"), join(classDir, "js-beside-skeleton"), { recursive: true });
    cpSync(ADA_JS, join(classDir, "js-beside-skeleton"), { recursive: true });
    writeFileSync(join(classDir, "submission_metadata.yml"), "---\n:submission_ids: [1, 2, 3]\n");
    run = await grade(["--assignment", "classifiers", "--submissions", classDir, "--out", out, "--jobs", "2"]);
  }, 600_000);
  afterAll(() => {
    for (const d of [classDir, join(out, "..")]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it("grades every student folder, and nothing else: the .yml beside them is not a student", () => {
    if (run.exitCode !== 0) throw new Error(`exit ${run.exitCode}\n${run.stdout}\n${run.stderr}`);
    expect(readdirSync(out).sort()).toEqual(
      [...Object.keys(STUDENTS), "gradebook.csv", "junit.xml", "report.html", "similarity.csv", "staff-signals.csv"].sort(),
    );
    for (const student of Object.keys(STUDENTS)) expect(existsSync(join(out, student, "results.json"))).toBe(true);
  });

  it("every student gets full marks, whatever the folder's name or the way the files were handed in", () => {
    const scores = Object.fromEntries(
      Object.keys(STUDENTS).map((s) => {
        const r = JSON.parse(readFileSync(join(out, s, "results.json"), "utf8")) as { score: number; max_score: number };
        return [s, `${r.score}/${r.max_score}`];
      }),
    );
    expect(scores).toEqual(Object.fromEntries(Object.keys(STUDENTS).map((s) => [s, "100/100"])));
  });

  it("the kit repository is graded like the bare files (no note); the other two are told how they were read", () => {
    const output = (s: string) => (JSON.parse(readFileSync(join(out, s, "results.json"), "utf8")) as { output: string }).output;
    expect(output("kit-repo")).toBe(output("Zoë Müller"));
    expect(output("zipped-folder")).toContain("found in classifiers-solution/ and graded from there; next time hand in the files themselves");
    expect(output("js-beside-skeleton")).toContain("losses.js is graded; losses.ts is the handout's skeleton, untouched, and ignored: delete it");
  });

  it("gradebook.csv keeps each name exactly, quoted as CSV requires", () => {
    const text = readFileSync(join(out, "gradebook.csv"), "utf8");
    expect(text).toContain('\n"Smith, John",100,100');
    expect(text).toContain('\n"Renée ""Ren"" Ōta",100,100');
    const rows = parse(text, { columns: true }) as { student: string; score: string; max_score: string }[];
    expect(rows.map((r) => r.student).sort()).toEqual(Object.keys(STUDENTS).sort());
    expect(rows.every((r) => r.score === "100" && r.max_score === "100")).toBe(true);
  });

  it("JUnit names each student's suite exactly (XML-escaped, read back intact)", () => {
    const xml = readFileSync(join(out, "junit.xml"), "utf8");
    expect(xml).toContain('name="classifiers/Renée &quot;Ren&quot; Ōta"');
    const doc = convert(xml, { format: "object" }) as { testsuites: { testsuite: { "@name": string }[] } };
    // xmlbuilder2's reader leaves the five predefined entities as written
    const text = (v: string) =>
      v
        .replace(/&quot;/g, '"')
        .replace(/&apos;/g, "'")
        .replace(/&lt;/g, "<")
        .replace(/&gt;/g, ">")
        .replace(/&amp;/g, "&");
    expect(doc.testsuites.testsuite.map((s) => text(s["@name"])).sort()).toEqual(
      Object.keys(STUDENTS)
        .map((s) => `classifiers/${s}`)
        .sort(),
    );
  });

  it("the report names each student exactly (HTML-escaped)", () => {
    const html = readFileSync(join(out, "report.html"), "utf8");
    const escaped = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    for (const s of Object.keys(STUDENTS)) expect({ s, found: html.includes(`>${escaped(s)}<`) }).toEqual({ s, found: true });
  });
});
