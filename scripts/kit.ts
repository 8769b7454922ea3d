/**
 * npm run kit -- --assignment A --out DIR
 * writes the student starter kit of assignment A into DIR (docs/api.md, the command line): a folder a student can
 * zip, unzip and use alone, with no reference code and nothing about the hidden tests.
 *   README.md                  the handout (assignments/A/README.md) under the self-check's commands,
 *                              its links to docs/api.md pointed at API.md (scripts/kit/handout.ts)
 *   API.md                     docs/api.md: the student API and the math conventions
 *   <the skeleton files>       assignments/A/skeleton/, at the root: the student's files
 *   package.json, package-lock.json   `npm install` (esbuild, ml-matrix) and `npm run check`
 *   .gitignore
 *   .github/workflows/grade.yml       the self-check on GitHub Actions and GitHub Classroom (scripts/kit/grade.yml)
 *   .grader/                   the self-check: check.mjs (scripts/kit-check.ts bundled by
 *                              scripts/run.mjs's build, graders/reference/live-reference.ts replaced by
 *                              graders/reference/recorded-reference.ts, any module under reference/ refused)
 *                              and the sandbox's runner; kit.json; the manifest with the visible
 *                              tests only; the golden fixtures; the efficiency tests' expected
 *                              summaries (fixtures/efficiency/); reference-answers.json; the
 *                              skeleton as handed out (to tell it from the student's own file)
 * reference-answers.json holds what the kit's grading asks the reference (graders/reference/reference-answers.ts):
 * the reference is graded here as a submission under the kit's policy (KIT_POLICY: as the kit grades), with a recording
 * reference, and the diagnosis catalog is computed on every visible case; both ask only questions
 * that depend on the visible cases, never on a student's answers.
 * Exits 0 when the kit is written, 2 for a usage error, 1 for a harness error (DIR is then untouched).
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { ASSIGNMENTS, type AssignmentName, type Case } from "../graders/cases/case";
import { goldenPath } from "../graders/cases/golden";
import { loadCaseFile } from "../graders/cases/load";
import { gradcheckCases } from "../graders/checks/gradcheck";
import { CONTRACT } from "../graders/contract";
import { gradeSubmission } from "../graders/grade";
import { computeCatalog } from "../graders/judge/diagnose";
import { loadGradedManifest } from "../graders/checks/registry";
import { type Manifest, isAssignment, testSpecs } from "../graders/manifest";
import { rootPath } from "../graders/paths";
import { KIT_POLICY } from "../graders/reference/grading-policy";
import { referenceAnswers } from "../graders/reference/live-reference";
import { RECORDED_ANSWERS_FILE } from "../graders/reference/reference-answers";
import { RecordingReference } from "../graders/reference/recording-reference";
import { UsageError, parseCommandLine, runMain } from "./cli";
import { type Lockfile, runtimePackage } from "./gradescope/runtime-package";
import { KIT_DOCS, KIT_SCRIPTS, kitHandout } from "./kit/handout";
import { KIT_FILE, type KitFile } from "./kit/kit-file";

const USAGE = `usage: npm run kit -- --assignment A --out DIR
writes the student starter kit of assignment A into DIR (a new or empty folder)
assignments: ${ASSIGNMENTS.join(", ")}`;

/** The packages a kit installs: the student's code imports ml-matrix; the self-check compiles it with esbuild (a native binary: not bundled). */
export const KIT_DEPENDENCIES = ["esbuild", "ml-matrix"];
/** The kit's own files, beside the student's: the prebuilt self-check and its data. */
export const KIT_GRADER_DIR = ".grader";

function parse(): { assignment: AssignmentName; out: string; created: boolean } {
  const { values } = parseCommandLine(
    { options: { assignment: { type: "string" }, out: { type: "string" }, help: { type: "boolean", default: false } } },
    USAGE,
  );
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (!values.assignment || !values.out) throw new UsageError("both --assignment and --out are required", USAGE);
  if (!isAssignment(values.assignment)) throw new UsageError(`unknown assignment "${values.assignment}": choose one of ${ASSIGNMENTS.join(", ")}`, USAGE);
  const out = values.out;
  const created = !existsSync(out);
  if (!created) {
    if (!statSync(out).isDirectory()) throw new UsageError(`--out ${out} is a file: give a new or empty folder for the kit`);
    const entries = readdirSync(out);
    if (entries.length > 0)
      throw new UsageError(
        `--out ${out} is not empty (it holds ${entries.slice(0, 3).join(", ")}${entries.length > 3 ? ", …" : ""}): give a new or empty folder for the kit`,
      );
  }
  try {
    mkdirSync(out, { recursive: true });
  } catch (e) {
    throw new UsageError(`--out ${out} cannot be created (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): give a folder you can write to`);
  }
  return { assignment: values.assignment, out, created };
}

/** The manifest with the visible tests only: the kit's, which says nothing about the hidden ones. */
export function visibleManifest(manifest: Manifest): Manifest {
  return { ...manifest, parts: manifest.parts.map((p) => ({ ...p, tests: p.tests.filter((t) => t.visibility === "visible") })) };
}

/** Every case a visible test of the kit judges an answer on: the golden ones, and each gradient check's larger ones. */
function visibleCases(manifest: Manifest, recorder: RecordingReference): Case[] {
  const golden = loadCaseFile(goldenPath(manifest.name)).cases;
  const larger = testSpecs(manifest)
    .filter((t) => t.visibility === "visible" && t.kind === "gradcheck")
    .flatMap(
      (t) =>
        gradcheckCases(
          golden.filter((c) => c.exports.includes(t.export)),
          `visible:${t.name}`,
          manifest.tolerances.gradcheck.h,
          recorder,
        ).larger,
    );
  return [...golden, ...larger];
}

/**
 * Record every answer of the reference the kit can ask for: a correct submission (the reference
 * itself) graded as the kit grades, then the diagnosis catalog on every visible case.
 */
async function recordAnswers(manifest: Manifest): Promise<RecordingReference> {
  const recorder = new RecordingReference(referenceAnswers);
  const result = await gradeSubmission(manifest.name, rootPath("reference", manifest.name), {
    secret: "kit",
    visibleOnly: true,
    reference: recorder,
    policy: KIT_POLICY,
    student: "reference",
  });
  const wrong = result.tests.filter((t) => t.outcome.status !== "passed");
  if (wrong.length > 0) {
    throw new Error(
      `the reference does not pass its own visible tests as the kit grades them: ${wrong.map((t) => `${t.test.name}: ${t.outcome.status}: ${t.outcome.message}`).join("; ")}`,
    );
  }
  for (const c of visibleCases(manifest, recorder)) computeCatalog(c, recorder);
  return recorder;
}

/** What the kit does not do as the course's grader does, per assignment (shown at the top of its README). */
function differences(manifest: Manifest): string[] {
  const kinds = new Set(manifest.parts.flatMap((p) => p.tests.filter((t) => t.visibility === "visible").map((t) => t.kind)));
  const lines: string[] = [];
  if (kinds.has("gradcheck")) {
    lines.push(
      "Gradient checks always differentiate **your own** forward. The course's grader uses its reference forward on a case where yours is wrong, so there a forward bug costs only the forward's tests; here, fix a failing forward first.",
    );
  }
  if (manifest.name === "gates") {
    lines.push(
      "Graph tests build their graphs from **your own** `gates.ts`. The course's grader uses its own gates, so that a gate bug never costs a graph test there; here, fix the gates first.",
    );
  }
  if (kinds.has("training")) {
    lines.push(
      "Training measures its accuracy with **your own** `twoLayerNetScores`. The course's grader uses its reference forward, so there only your gradients count; here, fix `twoLayerNetScores` first.",
    );
  }
  return lines;
}

/** The kit's README.md: how to self-check, then the handout. */
function readme(manifest: Manifest, files: string[]): string {
  const example = manifest.parts.find((p) => /Backward$|Loss$|Graph$/.test(p.export))?.export ?? manifest.parts[0].export;
  const handout = kitHandout(manifest.name, readFileSync(rootPath("assignments", manifest.name, "README.md"), "utf8"));
  const notes = differences(manifest);
  return [
    `> **Starter kit: ${manifest.title}.** Write your code in ${files.map((f) => `\`${f}\``).join(" and ")}, in this folder. Check it (Node 20 or later, on Linux, macOS or Windows):`,
    ">",
    "> ```sh",
    "> npm install                      # once",
    "> npm run check                    # every visible test; exit status 0 only when all pass",
    `> npm run check -- ${example.padEnd(15)} # only the tests of one export`,
    "> npm run check -- --watch          # again whenever you save a file (Ctrl-C stops it)",
    "> ```",
    ">",
    "> The check runs here, on your files, with the visible tests only: the hidden cases run on the course's grader when you submit. Pushed to GitHub, the same check runs on every push and pull request (`.github/workflows/grade.yml`: a summary per export, the JUnit report, and GitHub Classroom's autograding).",
    ...(notes.length > 0 ? [">", "> Where this check differs from the course's grader (it has no reference code):", ...notes.map((n) => `> - ${n}`)] : []),
    "",
    handout,
  ].join("\n");
}

await runMain(async () => {
  const { assignment, out, created } = parse();
  const manifest = loadGradedManifest(assignment);
  const staging = mkdtempSync(join(tmpdir(), "backprop-kit-"));
  try {
    const recorder = await recordAnswers(manifest);

    // The self-check, bundled by the same build as the command line: its root is .grader/ itself.
    const grader = join(staging, KIT_GRADER_DIR);
    const { build } = (await import(pathToFileURL(rootPath("scripts", "run.mjs")).href)) as typeof import("./run.mjs");
    await build({
      outdir: grader,
      root: "./",
      entries: { check: "scripts/kit-check.ts" },
      runners: { runner: "graders/sandbox/runner.ts" },
      aliases: { "graders/reference/live-reference.ts": "graders/reference/recorded-reference.ts" },
      refuse: ["reference/"],
    });
    const data = (path: string, text: string) => {
      mkdirSync(join(grader, path, ".."), { recursive: true });
      writeFileSync(join(grader, path), text);
    };
    data(KIT_FILE, `${JSON.stringify({ format: 1, assignment } satisfies KitFile, null, 1)}\n`);
    data(RECORDED_ANSWERS_FILE, `${JSON.stringify(recorder.recorded(assignment))}\n`);
    data(join("assignments", assignment, "assignment.json"), `${JSON.stringify(visibleManifest(manifest), null, 1)}\n`);
    // The skeleton as handed out: a student's losses.js beside the untouched losses.ts skeleton is what gets checked (graders/submission/skeleton.ts).
    const skeleton = readdirSync(rootPath("assignments", assignment, "skeleton")).map((f) => `assignments/${assignment}/skeleton/${f}`);
    for (const path of ["assignments/assignment.schema.json", "fixtures/case-file.schema.json", `fixtures/golden/${assignment}.json`, ...skeleton]) {
      data(path, readFileSync(rootPath(path), "utf8"));
    }
    // The visible efficiency tests' expected summaries (made from the reference by npm run fixtures: data, no code).
    const summaries = `fixtures/efficiency/${assignment}.json`;
    if (existsSync(rootPath(summaries))) data(summaries, readFileSync(rootPath(summaries), "utf8"));

    // The student's side: skeleton files, README, package.json, CI.
    const files = CONTRACT[assignment].map((f) => f.file);
    cpSync(rootPath("assignments", assignment, "skeleton"), staging, { recursive: true });
    writeFileSync(join(staging, "README.md"), readme(manifest, files));
    for (const [page, inKit] of Object.entries(KIT_DOCS)) writeFileSync(join(staging, inKit), readFileSync(rootPath(page), "utf8"));
    const lock = JSON.parse(readFileSync(rootPath("package-lock.json"), "utf8")) as Lockfile;
    const name = `backprop-${assignment}`;
    const { allowScripts } = JSON.parse(readFileSync(rootPath("package.json"), "utf8")) as { allowScripts?: Record<string, boolean> };
    const runtime = runtimePackage(lock, name, KIT_DEPENDENCIES, allowScripts);
    const packageJson = {
      name,
      version: "0.0.0",
      private: true,
      description: `Starter kit: ${manifest.title}`,
      type: "module",
      engines: { node: ">=20" },
      scripts: KIT_SCRIPTS,
      dependencies: runtime.packageJson.dependencies,
      // npm 11 runs a dependency's install script only when allowed here, and asks otherwise (esbuild's installs its binary)
      ...(runtime.packageJson.allowScripts ? { allowScripts: runtime.packageJson.allowScripts } : {}),
    };
    writeFileSync(join(staging, "package.json"), `${JSON.stringify(packageJson, null, 2)}\n`);
    writeFileSync(join(staging, "package-lock.json"), `${JSON.stringify(runtime.lockfile, null, 2)}\n`);
    writeFileSync(join(staging, ".gitignore"), readFileSync(rootPath("scripts", "kit", "gitignore"), "utf8"));
    mkdirSync(join(staging, ".github", "workflows"), { recursive: true });
    writeFileSync(join(staging, ".github", "workflows", "grade.yml"), readFileSync(rootPath("scripts", "kit", "grade.yml"), "utf8"));

    cpSync(staging, out, { recursive: true });
    const written = readdirSync(out, { recursive: true, withFileTypes: true }).filter((d) => d.isFile());
    const bytes = written.reduce((s, d) => s + statSync(join(d.parentPath, d.name)).size, 0);
    console.log(`${out}: the ${assignment} starter kit, ${written.length} files, ${(bytes / 1e6).toFixed(2)} MB (${recorder.size} reference answers recorded)`);
    console.log(`try it: cd ${relative(process.cwd(), out).split(sep).join("/") || "."} && npm install && npm run check`);
  } catch (error) {
    if (created) rmSync(out, { recursive: true, force: true });
    else for (const entry of readdirSync(out)) rmSync(join(out, entry), { recursive: true, force: true });
    throw error;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
});
