/**
 * npm run bundle -- --assignment A --out DIR [--secret-file F]
 * writes DIR/autograder.zip for Gradescope (CONTRACT.md §3). At its root:
 *   setup.sh, run_autograder   Gradescope's two entry points (scripts/gradescope/)
 *   bundle.env                 the assignment, the deadline, the Node versions (read by both)
 *   grader/                    the prebuilt grader: autograder.mjs (scripts/autograder.ts bundled
 *                              by scripts/run.mjs's build) and the sandbox's runners
 *   assignments/, fixtures/, graders/results/, reference/   the one assignment's manifest, golden
 *                              fixtures, schemas and reference, where graders/paths.ts's ROOT
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
import { isAssignment, loadManifest, testSpecs } from "../graders/manifest";
import { rootPath } from "../graders/paths";
import { graderFailureResult } from "../graders/results/grader-failure";
import { toGradescope } from "../graders/results/gradescope";
import { assertValidResults } from "../graders/results/validate-results";
import { BUNDLE_SECRET_FILE } from "../graders/secret";
import { UsageError, parseCommandLine, runMain } from "./cli";
import { type Lockfile, runtimePackage } from "./gradescope/runtime-package";

const USAGE = `usage: npm run bundle -- --assignment A --out DIR [--secret-file F]
writes DIR/autograder.zip for Gradescope
  --secret-file F   the hidden cases' secret seed (its first line); without it, each submission's
                    seed is derived from Gradescope's course and assignment ids (see README)
assignments: ${ASSIGNMENTS.join(", ")}`;

/** Node majors the grader supports (package.json engines), and the one setup.sh installs where none is: the active LTS. */
export const SUPPORTED_NODE_MAJORS = [20, 22, 24, 26];
export const INSTALLED_NODE_MAJOR = 24;
/** Gradescope stops an autograder after 10 minutes by default, scoring 0 and showing nothing
 *  (https://gradescope-autograders.readthedocs.io/en/latest/troubleshooting/): run_autograder's
 *  own deadline stays well under it. */
const GRADESCOPE_TIMEOUT_S = 600;
const DEADLINE_CAP_S = 540;
/** Past the manifest's budget for a whole submission: the test running when it ran out may take up to its own time limit. */
const DEADLINE_MARGIN_S = 150;
/** One date for every entry, so the same sources make the same zip. */
const ZIP_MTIME = new Date("2000-01-01T00:00:00Z");
/** Unix modes of the entries: Gradescope runs the two scripts; the secret is for its owner only. */
const MODES: Record<string, number> = { "setup.sh": 0o100755, run_autograder: 0o100755, [BUNDLE_SECRET_FILE]: 0o100600 };

/** The deadline of run_autograder, in seconds, for a manifest's submission budget. */
export function deadlineSeconds(submissionTimeoutMs: number): number {
  return Math.min(DEADLINE_CAP_S, Math.ceil(submissionTimeoutMs / 1000) + DEADLINE_MARGIN_S);
}

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
      secret = readFileSync(file, "utf8").split("\n")[0].trim();
    } catch (e) {
      throw new UsageError(`--secret-file ${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, USAGE);
    }
    if (!secret) throw new UsageError(`--secret-file ${file}: its first line is empty; put the secret seed there`, USAGE);
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
  const manifest = loadManifest(assignment); // a malformed manifest is a usage error naming the file and the field
  const staging = mkdtempSync(join(tmpdir(), "backprop-bundle-"));
  try {
    // The grader, bundled by the same build as the command line, with its root one folder up.
    // run.mjs by its path in this checkout, never bundled into this command: it finds the sources from where it is.
    const { build, EXTERNAL } = (await import(pathToFileURL(rootPath("scripts", "run.mjs")).href)) as typeof import("./run.mjs");
    await build({ outdir: join(staging, "grader"), root: "../", entries: { autograder: "scripts/autograder.ts" } });

    copyFromRoot(staging, [
      "assignments/assignment.schema.json",
      `assignments/${assignment}/assignment.json`,
      "fixtures/case-file.schema.json",
      `fixtures/golden/${assignment}.json`,
      "graders/results/results.schema.json",
      ...filesUnder(rootPath("reference", assignment)).map((f) => `reference/${assignment}/${f}`),
    ]);
    copyFileSync(rootPath("scripts", "gradescope", "setup.sh"), join(staging, "setup.sh"));
    copyFileSync(rootPath("scripts", "gradescope", "run_autograder"), join(staging, "run_autograder"));

    const lock = JSON.parse(readFileSync(rootPath("package-lock.json"), "utf8")) as Lockfile;
    const runtime = runtimePackage(lock, "backprop-autograder", EXTERNAL);
    writeFileSync(join(staging, "package.json"), `${JSON.stringify(runtime.packageJson, null, 2)}\n`);
    writeFileSync(join(staging, "package-lock.json"), `${JSON.stringify(runtime.lockfile, null, 2)}\n`);

    const deadline = deadlineSeconds(manifest.limits.submissionTimeoutMs);
    writeFileSync(
      join(staging, "bundle.env"),
      [
        "# Written by npm run bundle; read by setup.sh and run_autograder.",
        `ASSIGNMENT=${assignment}`,
        `# run_autograder's deadline: the manifest's ${manifest.limits.submissionTimeoutMs / 1000} s for a submission + ${DEADLINE_MARGIN_S} s, at most ${DEADLINE_CAP_S} s (Gradescope stops everything at ${GRADESCOPE_TIMEOUT_S} s)`,
        `DEADLINE_SECONDS=${deadline}`,
        `NODE_MAJOR=${INSTALLED_NODE_MAJOR}`,
        `SUPPORTED_NODE_MAJORS="${SUPPORTED_NODE_MAJORS.join(" ")}"`,
        "",
      ].join("\n"),
    );

    const fallback = toGradescope(
      graderFailureResult({ assignment, student: "submission", specs: testSpecs(manifest), message: "the grader stopped before it finished grading your submission." }),
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
    console.log(`hidden cases: ${secret !== undefined ? `seed from ${secretFile}` : "seed derived from each submission's Gradescope course and assignment ids (no --secret-file: see README)"}`);
    console.log(`run_autograder's deadline: ${deadline} s (Gradescope's own: ${GRADESCOPE_TIMEOUT_S} s unless the assignment raises it)`);
    console.log("upload it on Gradescope: the assignment's Configure Autograder page, Zip file upload, base image Ubuntu 22.04");
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
});
