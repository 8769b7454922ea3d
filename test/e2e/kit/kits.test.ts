/**
 * The starter kit of every assignment, end to end (test/helpers/kit/harness.ts): `npm run kit` into a temporary
 * folder outside this repository; `npm install` once (in the first kit; the others get a copy of
 * its node_modules: the same lockfile); then `npm run check` on a student's copy with a correct
 * sample student, a buggy one and the skeleton as handed out. The kit holds no reference code in
 * any form (test/helpers/kit/leaks.ts: every function body and distinctive constant of reference/, as bundled and
 * minified) and nothing about the hidden tests; every sample student is graded with the kit's
 * recorded answers without a grader error (the recording holds every answer a wrong submission
 * can ask for). The four assignments run one after the other in one file, to share the install;
 * the measured times and sizes are printed.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { cpSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ASSIGNMENTS, type AssignmentName } from "../../../graders/cases/case";
import { KIT_DOCS, KIT_SCRIPTS, kitHandout } from "../../../scripts/kit/handout";
import { CONTRACT, contractExports } from "../../../graders/contract";
import { gradeSubmission } from "../../../graders/grade";
import { loadManifest, testSpecs } from "../../../graders/manifest";
import { KIT_POLICY } from "../../../graders/reference/grading-policy";
import { recordedReference } from "../../../graders/reference/recorded-reference";
import { RECORDED_ANSWERS_FILE } from "../../../graders/reference/reference-answers";
import { classOf, explain, lostOn } from "../../helpers/sample-class/class";
import { diagnosedTest } from "../../helpers/sample-class/suite";
import { makeKit, npmCheck, npmInstall, removeKit, sizeOf, studentCopy } from "../../helpers/kit/harness";
import { filesUnder, findLeaks, referenceFingerprints } from "../../helpers/kit/leaks";

const KIT_TIMEOUT_MS = 600_000;
const CHECK_TIMEOUT_MS = 180_000;
const fingerprints = referenceFingerprints("reference");
let installed: string | undefined;
/** Every kit and student copy made here, removed at the end. */
const made: string[] = [];
afterAll(() => {
  for (const dir of made) removeKit(dir);
});

const firstOf = (assignment: AssignmentName, kind: "correct" | "buggy") => Object.entries(classOf(assignment)).find(([, s]) => s.expect === kind)!;

describe.each(ASSIGNMENTS)("starter kit: %s", (assignment) => {
  let kit: string;
  beforeAll(async () => {
    const built = await makeKit(assignment);
    kit = built.dir;
    made.push(kit);
    if (installed === undefined) {
      const r = await npmInstall(kit);
      console.log(
        `npm install in the ${assignment} kit: ${r.seconds.toFixed(1)} s, node_modules ${(r.bytes / 1e6).toFixed(1)} MB in ${r.files} files: ${r.packages.join(", ")}`,
      );
      expect(r.packages.sort()).toEqual(expect.arrayContaining(["esbuild", "ml-matrix"]));
      // npm 11 asks the student to approve install scripts not covered by package.json's allowScripts: the kit decides esbuild's
      expect(r.stderr).not.toMatch(/allowScripts|install-scripts|approve/);
      installed = kit;
    } else cpSync(join(installed, "node_modules"), join(kit, "node_modules"), { recursive: true });
    const size = sizeOf(kit);
    console.log(
      `npm run kit -- --assignment ${assignment}: ${built.seconds.toFixed(1)} s, ${size.files} files, ${(size.bytes / 1e6).toFixed(1)} MB with node_modules`,
    );
  }, KIT_TIMEOUT_MS);

  it("holds the handout under the self-check's commands, the skeleton, package.json, .gitignore, the workflow and the prebuilt self-check", () => {
    const readme = readFileSync(join(kit, "README.md"), "utf8");
    expect(readme.split("\n")[0]).toMatch(/^> \*\*Starter kit: /);
    expect(readme).toContain("> npm run check -- --watch");
    expect(readme).toContain(kitHandout(assignment, readFileSync(join("assignments", assignment, "README.md"), "utf8")));
    for (const [page, inKit] of Object.entries(KIT_DOCS)) expect(readFileSync(join(kit, inKit), "utf8")).toBe(readFileSync(page, "utf8"));
    for (const { file } of CONTRACT[assignment])
      expect(readFileSync(join(kit, file), "utf8")).toBe(readFileSync(join("assignments", assignment, "skeleton", file), "utf8"));
    const pkg = JSON.parse(readFileSync(join(kit, "package.json"), "utf8"));
    expect(pkg.scripts).toEqual({ check: "node .grader/check.mjs" });
    expect(pkg.scripts).toEqual(KIT_SCRIPTS);
    expect(Object.keys(pkg.dependencies).sort()).toEqual(["esbuild", "ml-matrix"]);
    expect(pkg.allowScripts).toEqual({ esbuild: true });
    expect(JSON.parse(readFileSync(join(kit, "package-lock.json"), "utf8")).packages[""].dependencies).toEqual(pkg.dependencies);
    expect(readFileSync(join(kit, ".gitignore"), "utf8")).toMatch(/^node_modules\/$/m);
    expect(existsSync(join(kit, ".github", "workflows", "grade.yml"))).toBe(true);
    for (const f of ["check.mjs", "runner.mjs", "kit.json", RECORDED_ANSWERS_FILE, `fixtures/golden/${assignment}.json`])
      expect(existsSync(join(kit, ".grader", f))).toBe(true);
    // the visible efficiency tests' expected summaries, where the assignment has any: the growth test runs without a reference
    const timed = testSpecs(loadManifest(assignment)).some((t) => t.kind === "efficiency" && t.visibility === "visible");
    expect(existsSync(join(kit, ".grader", "fixtures", "efficiency", `${assignment}.json`))).toBe(timed);
    // no graph runner (it carries the reference's gates), no reference folder
    expect(existsSync(join(kit, ".grader", "graph-runner.mjs"))).toBe(false);
    expect(filesUnder(kit).filter((f) => !f.includes("node_modules") && /reference\//.test(f.slice(kit.length)))).toEqual([]);
  });

  it("lists the visible tests only: its manifest has every visible test of the assignment and no other", () => {
    const mine = testSpecs(loadManifest(assignment, join(kit, ".grader", "assignments", assignment, "assignment.json")));
    const visible = testSpecs(loadManifest(assignment)).filter((t) => t.visibility === "visible");
    expect(mine).toEqual(visible);
    expect(JSON.stringify(mine)).not.toMatch(/hidden|after_published|after_due_date/);
  });

  it("holds no reference code: no function body or distinctive constant of reference/, as written, bundled or minified", () => {
    expect(fingerprints.bodies.length).toBeGreaterThan(30);
    const leaks = findLeaks(kit, fingerprints);
    if (leaks.length > 0) throw new Error(leaks.map((l) => `${l.file}: ${l.what}`).join("\n"));
    console.log(
      `${assignment} kit: ${fingerprints.bodies.length} reference bodies (as bundled and minified) and ${fingerprints.constants.size} distinctive constants looked for, none found (${fingerprints.short} bodies under the minimum length not looked for)`,
    );
  });

  it(
    "a correct solution passes: npm run check exits 0",
    async () => {
      const [id] = firstOf(assignment, "correct");
      const dir = studentCopy(kit, assignment, join("fixtures", "submissions", assignment, id));
      made.push(dir);
      const t0 = performance.now();
      const r = await npmCheck(dir);
      const seconds = (performance.now() - t0) / 1000;
      if (r.exitCode !== 0) throw new Error(`${id}: exit ${r.exitCode}\n${r.stdout}\n${r.stderr}`);
      for (const e of contractExports(assignment)) expect(r.stdout).toMatch(new RegExp(`^✓ ${e} `, "m"));
      expect(r.stdout).toMatch(/^All \d+ visible tests pass/m);
      console.log(`npm run check on ${assignment}/${id} in the kit: ${seconds.toFixed(1)} s, exit 0`);
    },
    CHECK_TIMEOUT_MS,
  );

  it(
    "a solution with a bug fails: npm run check exits 1 and names the export, with the command that reruns it",
    async () => {
      const [id, s] = firstOf(assignment, "buggy");
      const dir = studentCopy(kit, assignment, join("fixtures", "submissions", assignment, id));
      made.push(dir);
      const r = await npmCheck(dir);
      expect(r.exitCode).toBe(1);
      for (const e of s.exports!) {
        expect(r.stdout).toMatch(new RegExp(`^✗ ${e} `, "m"));
        expect(r.stdout).toContain(`rerun: npm run check -- ${e}`);
      }
      expect(r.stdout).not.toMatch(/^⚠/m);
      // a replay names the golden file where the student finds it, from the folder they ran the check in
      const named = [...r.stdout.matchAll(/of (\S*fixtures\/golden\/[\w-]+\.json)/g)].map((m) => m[1]);
      for (const file of named) expect({ file, exists: existsSync(join(dir, file)) }).toEqual({ file, exists: true });
    },
    CHECK_TIMEOUT_MS,
  );

  it(
    "a correct solution in .js files beside the untouched .ts skeletons passes, and the check says which files it graded",
    async () => {
      // the first correct sample student who wrote every file in plain .js
      const [id] = Object.entries(classOf(assignment)).find(
        ([sid, st]) =>
          st.expect === "correct" &&
          CONTRACT[assignment].every(({ file }) => existsSync(join("fixtures", "submissions", assignment, sid, file.replace(/\.ts$/, ".js")))),
      )!;
      const dir = studentCopy(kit, assignment); // the skeletons stay
      made.push(dir);
      cpSync(join("fixtures", "submissions", assignment, id), dir, { recursive: true });
      const r = await npmCheck(dir);
      if (r.exitCode !== 0) throw new Error(`${id} beside the skeletons: exit ${r.exitCode}\n${r.stdout}\n${r.stderr}`);
      const header = CONTRACT[assignment].map(
        ({ file }) => `${file.replace(/\.ts$/, ".js")} is graded; ${file} is the handout's skeleton, untouched, and ignored: delete it`,
      );
      expect(
        r.stdout
          .split("\n")
          .filter((l) => l !== "")
          .slice(0, header.length),
      ).toEqual(header);
      expect(r.stdout).toMatch(/^All \d+ visible tests pass/m);
    },
    CHECK_TIMEOUT_MS,
  );

  it(
    "the skeleton as handed out fails every export, each saying what is not implemented yet",
    async () => {
      const dir = studentCopy(kit, assignment);
      made.push(dir);
      const r = await npmCheck(dir);
      expect(r.exitCode).toBe(1);
      for (const e of contractExports(assignment)) expect(r.stdout).toMatch(new RegExp(`^✗ ${e} `, "m"));
      expect(r.stdout).toMatch(/not implemented yet/);
    },
    CHECK_TIMEOUT_MS,
  );

  it(
    "grades every sample student with the recorded answers alone, never a grader error: the correct ones pass, each bug fails its export with its likely cause",
    async () => {
      const reference = recordedReference(join(kit, ".grader", RECORDED_ANSWERS_FILE));
      for (const [id, s] of Object.entries(classOf(assignment))) {
        const r = await gradeSubmission(assignment, join("fixtures", "submissions", assignment, id), {
          secret: "kit-test",
          visibleOnly: true,
          reference,
          policy: KIT_POLICY,
          kinds: ["golden", "gradcheck", "properties"],
        });
        const broke = r.tests.filter((t) => t.outcome.status === "grader-error");
        if (broke.length > 0) throw new Error(`${id}: grader errors in the kit: ${broke.map((t) => `${t.test.name}: ${t.outcome.message}`).join("; ")}`);
        if (s.expect === "correct") {
          if (lostOn(r).length > 0) throw new Error(`${id}:\n${explain(r)}`);
          continue;
        }
        expect(lostOn(r)).toEqual(expect.arrayContaining(s.exports!));
        if (s.diagnosis !== undefined) {
          const t = diagnosedTest(r, s.exports!);
          expect(t?.outcome.status === "failed" ? t.outcome.diagnosis : undefined).toMatch(new RegExp(s.diagnosis.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "i"));
        }
      }
    },
    CHECK_TIMEOUT_MS,
  );
});
