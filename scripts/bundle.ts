/**
 * npm run bundle -- --assignment A --out DIR [--secret-file F]
 * writes DIR/autograder.zip for Gradescope (docs/api.md, the command line; docs/gradescope.md). At its root:
 *   setup.sh, run_autograder   Gradescope's two entry points (scripts/gradescope/)
 *   bundle.env                 the assignment, the deadline, the Node versions (read by both)
 *   grader/                    the prebuilt grader: autograder.mjs (scripts/autograder.ts bundled
 *                              by scripts/run.mjs's build) and the sandbox's runners
 *   assignments/, fixtures/, graders/results/, reference/   the one assignment's manifest, skeleton,
 *                              golden fixtures, schemas and reference, where graders/paths.ts's ROOT
 *                              ("../" from grader/) finds them
 *   package.json, package-lock.json   the runtime dependencies (esbuild) for setup.sh's npm ci
 *   fallback-results.json      every test a grader error: run_autograder's results.json until the grader replaces it
 *   secret.txt                 the hidden cases' seed, with --secret-file only
 * Nothing in it is shown to students (Gradescope keeps the zip to itself); what the grader writes
 * to results.json and stdout never contains the secret, the reference or a hidden case's inputs.
 * Exits 0 when the zip is written, 2 for a usage error, 1 for a harness error.
 */
import { copyFileSync, createWriteStream, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import { pathToFileURL } from "node:url";
import { ZipFile } from "yazl";
import { ASSIGNMENTS, type AssignmentName } from "../graders/cases/case";
import { loadGradedManifest } from "../graders/checks/registry";
import { isAssignment, testSpecs } from "../graders/manifest";
import { rootPath } from "../graders/paths";
import { graderFailureResult } from "../graders/results/grader-failure";
import { toGradescope } from "../graders/results/gradescope";
import { assertValidResults } from "../graders/results/validate-results";
import { BUNDLE_SECRET_FILE } from "../graders/secret";
import { UsageError, parseCommandLine, runMain } from "./cli";
import { GRADESCOPE_TIMEOUT_S, bundleEnv, deadlineSeconds } from "./gradescope/bundle-env";
import { type Lockfile, runtimePackage } from "./gradescope/runtime-package";

const USAGE = `usage: npm run bundle -- --assignment A --out DIR [--secret-file F]
writes DIR/autograder.zip for Gradescope
  --secret-file F   the hidden cases' secret seed: the file's text, as GRADER_SECRET_FILE for npm run grade
                    (the same file draws the same hidden cases); without it, the seed is derived from
                    Gradescope's course and assignment ids (see docs/gradescope.md)
assignments: ${ASSIGNMENTS.join(", ")}`;

/** One date for every entry, so the same sources make the same zip. */
const ZIP_MTIME = new Date("2000-01-01T00:00:00Z");
/** Unix modes of the entries: Gradescope runs the two scripts; the secret is for its owner only. */
const MODES: Record<string, number> = { "setup.sh": 0o100755, run_autograder: 0o100755, [BUNDLE_SECRET_FILE]: 0o100600 };

function parse() {
  const { values } = parseCommandLine(
    { options: { assignment: { type: "string" }, out: { type: "string" }, "secret-file": { type: "string" }, help: { type: "boolean", default: false } } },
    USAGE,
  );
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (!values.assignment || !values.out) throw new UsageError("both --assignment and --out are required", USAGE);
  if (!isAssignment(values.assignment)) throw new UsageError(`unknown assignment "${values.assignment}": choose one of ${ASSIGNMENTS.join(", ")}`, USAGE);
  let secret: string | undefined;
  if (values["secret-file"] !== undefined) {
    const file = values["secret-file"];
    try {
      secret = readFileSync(file, "utf8").trim();
    } catch (e) {
      throw new UsageError(`--secret-file ${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, USAGE);
    }
    if (!secret) throw new UsageError(`--secret-file ${file}: the file is empty; put the secret seed in it`, USAGE);
  }
  return { assignment: values.assignment as AssignmentName, out: values.out, secret, secretFile: values["secret-file"] };
}

/** Every file under `dir`, as paths relative to it with "/" separators, sorted. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => relative(dir, join(d.parentPath, d.name)).split(sep).join("/"))
    .sort();
}

/** Copy paths relative to this checkout into the same places under `staging`. */
function copyFromRoot(staging: string, paths: string[]): void {
  for (const path of paths) {
    mkdirSync(dirname(join(staging, path)), { recursive: true });
    copyFileSync(rootPath(path), join(staging, path));
  }
}

/**
 * The zip, written with yazl: pure JavaScript (no `zip` binary, which many machines lack), one
 * small dependency, a Unix mode per entry (Gradescope executes the two scripts), deterministic
 * given the same bytes and dates. Its companion yauzl, the most used zip reader for Node, reads it
 * back in the tests; VS Code's extension packager (@vscode/vsce) writes and reads .vsix files
 * with the same pair.
 */
async function writeZip(staging: string, zipPath: string): Promise<number> {
  const zip = new ZipFile();
  const files = filesUnder(staging);
  for (const path of files) {
    zip.addBuffer(readFileSync(join(staging, path)), path, { mtime: ZIP_MTIME, mode: MODES[path] ?? 0o100644 });
  }
  zip.end();
  const tmp = `${zipPath}.tmp-${process.pid}`;
  await pipeline(zip.outputStream, createWriteStream(tmp));
  renameSync(tmp, zipPath);
  return files.length;
}

await runMain(async () => {
  const { assignment, out, secret, secretFile } = parse();
  const manifest = loadGradedManifest(assignment); // a malformed manifest is a usage error naming the file and the field
  const staging = mkdtempSync(join(tmpdir(), "backprop-bundle-"));
  try {
    // The grader, bundled by the same build as the command line, with its root one folder up.
    // run.mjs by its path in this checkout, never bundled into this command: it finds the sources from where it is.
    const { build, EXTERNAL } = (await import(pathToFileURL(rootPath("scripts", "run.mjs")).href)) as typeof import("./run.mjs");
    await build({ outdir: join(staging, "grader"), root: "../", entries: { autograder: "scripts/autograder.ts" } });

    copyFromRoot(staging, [
      "assignments/assignment.schema.json",
      `assignments/${assignment}/assignment.json`,
      ...filesUnder(rootPath("assignments", assignment, "skeleton")).map((f) => `assignments/${assignment}/skeleton/${f}`),
      "fixtures/case-file.schema.json",
      `fixtures/golden/${assignment}.json`,
      "graders/results/results.schema.json",
      ...filesUnder(rootPath("reference", assignment)).map((f) => `reference/${assignment}/${f}`),
    ]);
    copyFileSync(rootPath("scripts", "gradescope", "setup.sh"), join(staging, "setup.sh"));
    copyFileSync(rootPath("scripts", "gradescope", "run_autograder"), join(staging, "run_autograder"));

    const lock = JSON.parse(readFileSync(rootPath("package-lock.json"), "utf8")) as Lockfile;
    const { allowScripts } = JSON.parse(readFileSync(rootPath("package.json"), "utf8")) as { allowScripts?: Record<string, boolean> };
    const runtime = runtimePackage(lock, "backprop-autograder", EXTERNAL, allowScripts);
    writeFileSync(join(staging, "package.json"), `${JSON.stringify(runtime.packageJson, null, 2)}\n`);
    writeFileSync(join(staging, "package-lock.json"), `${JSON.stringify(runtime.lockfile, null, 2)}\n`);

    writeFileSync(join(staging, "bundle.env"), bundleEnv(manifest));

    const fallback = toGradescope(
      graderFailureResult({
        assignment,
        student: "submission",
        specs: testSpecs(manifest),
        message: "the grader stopped before it finished grading your submission.",
      }),
      { format: "md", staffOutput: false },
    );
    assertValidResults(fallback);
    writeFileSync(join(staging, "fallback-results.json"), `${JSON.stringify(fallback, null, 1)}\n`);
    if (secret !== undefined) writeFileSync(join(staging, BUNDLE_SECRET_FILE), `${secret}\n`, { mode: 0o600 });

    mkdirSync(out, { recursive: true });
    const zipPath = join(out, "autograder.zip");
    const count = await writeZip(staging, zipPath);
    const mb = (statSync(zipPath).size / 1e6).toFixed(2);
    console.log(`${zipPath}: ${assignment}, ${count} files, ${mb} MB`);
    console.log(
      `hidden cases: ${secret !== undefined ? `seed from ${secretFile}` : "seed derived from each submission's Gradescope course and assignment ids (no --secret-file: see docs/gradescope.md)"}`,
    );
    console.log(
      `run_autograder's deadline: ${deadlineSeconds(manifest.limits.submissionTimeoutMs)} s (Gradescope's own: ${GRADESCOPE_TIMEOUT_S} s unless the assignment raises it)`,
    );
    console.log("upload it on Gradescope: the assignment's Configure Autograder page, Zip file upload, base image Ubuntu 22.04");
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
});
