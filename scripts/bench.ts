/**
 * npm run bench [-- --assignment A … --submissions N --jobs N --student ID --self-checks N --quick --out FILE]
 *
 * This grader against the bare alternative a TA would write instead, measured in one run on this
 * machine. Per assignment (default: layers and two-layer-net):
 *   - ours:     `npm run grade` (scripts/run.mjs, as a TA runs it) on N copies of one correct
 *               student (default 16 of fixtures/submissions/<a>/ada-loops-js) in one batch,
 *               --jobs 2, every kind of test;
 *   - baseline: one Jest test file per copy, made from scripts/bench/<a>.test.mjs (the golden cases
 *               and CS231n's coordinate-wise numerical gradient check of every gradient entry),
 *               run by Jest two at a time (--maxWorkers 2);
 * and prints the ratio ours / baseline, the seconds per submission, the CPU time of each whole
 * process tree, where our time goes (by kind of test, and the fixed costs: CLI start, compile,
 * child start, reference work), and the peak memory (VmHWM) of the grader and of its children.
 * Then the self-checks, command to verdict, against Jest on that one file (layers; median of
 * --self-checks runs each, interleaved): `npm run check` of this repository on one copy, and a
 * student's `npm run check` in a starter kit (`npm run kit`, installed with `npm ci`, the copy's
 * files in place of the skeleton), also timed as `node .grader/check.mjs` without npm in front.
 * Both sides run once untimed first (builds, Jest's transform cache, the runner file). Then the
 * sample class of every assignment graded by `npm run grade` (what `npm run grade` with no
 * arguments does), and each assignment's Gradescope bundle built, set up and run on the correct
 * student (scripts/bench/gradescope.ts). The machine may be shared: the load average is printed
 * with every figure, and CPU time beside wall time.
 *
 * Everything measured is written to docs/benchmarks.md (--out FILE elsewhere, --out - nowhere)
 * with the machine, the Node, the date and the load before and after (scripts/bench/report.ts):
 * the docs' only page of measured figures, which the other pages link to. --quick is a short run
 * to try the command (2 copies, 1 self-check round, the layers bundle only), labelled as such.
 */
import { execa } from "execa";
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createRequire } from "node:module";
import { ASSIGNMENTS, type AssignmentName } from "../graders/cases/case";
import { planCases } from "../graders/cases/plan";
import { largerCases } from "../graders/checks/gradcheck";
import { loadManifest } from "../graders/manifest";
import { CONTRACT } from "../graders/contract";
import { rootPath } from "../graders/paths";
import { referenceAnswers } from "../graders/reference/live-reference";
import type { SubmissionResult } from "../graders/result-model";
import { bwrapAvailable } from "../graders/sandbox/bwrap";
import { processTree } from "../graders/sandbox/cpu-time";
import { readProcStat } from "../graders/sandbox/proc-stat";
import { Sandbox } from "../graders/sandbox/sandbox";
import { bundleFile } from "../graders/submission/bundle";
import { EXTENSIONS, locateFiles } from "../graders/submission/locate";
import { studentFolders } from "../graders/batch";
import { timeGradescope } from "./bench/gradescope";
import { type BenchReport, type Section, benchmarksMarkdown, loadNow, thisMachine } from "./bench/report";
import { UsageError, parseCommandLine, positiveInteger, runMain } from "./cli";

const USAGE = `usage: npm run bench [-- --assignment A … --submissions N --jobs N --student ID --self-checks N --quick --out FILE]
  --quick      a short run to try the command (2 submissions, 1 self-check round, one Gradescope bundle); the page says so
  --out FILE   where the Markdown report goes (default docs/benchmarks.md; - for none)`;
const BENCHED: AssignmentName[] = ["layers", "two-layer-net"];

const load = () => loadavg()[0].toFixed(1);
const s = (ms: number) => (ms / 1000).toFixed(2);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// ------------------------------------------------------------------------------- measuring a command
/** What /proc says of one process now: its CPU time (utime + stime, ticks), start time, peak memory, and whether it is a sandboxed child. */
function processNow(pid: number): { key: string; ticks: number; kb: number; child: boolean } | null {
  try {
    const stat = readProcStat(pid);
    if (stat === null) return null;
    const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    // the sandboxed node itself, not bwrap, prlimit or setpriv around it
    const child = /runner\.mjs/.test(argv.join(" ")) && !/(^|\/)(bwrap|prlimit|setpriv)$/.test(argv[0]);
    return { key: `${pid}@${stat.startTime}`, ticks: stat.cpuTicks, kb, child };
  } catch {
    return null;
  }
}

interface Measured {
  wallMs: number;
  /** CPU time of the whole process tree (ms), where /proc has it, and of its sandboxed children alone. */
  cpuMs: number | null;
  childCpuMs: number | null;
  /** Peak resident memory (MB) of the command's own process and of its largest sandboxed child. */
  peakMb: { main: number; child: number };
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  load: string;
}

/**
 * Run a command to its end, sampling every 20 ms the CPU time and peak memory of every process of
 * its tree. Sampled, since the sandboxed children live in their own PID namespace and are not
 * reaped by the command (so /proc/self/stat's cutime misses them): a process's last 20 ms of CPU
 * before it ends may be missed (under 0.02 s per sandbox child).
 */
async function measure(file: string, args: string[], cwd = rootPath()): Promise<Measured> {
  const t0 = performance.now();
  const p = execa(file, args, { reject: false, env: { FORCE_COLOR: "0" }, cwd });
  const peak = { main: 0, child: 0 };
  const cpu = new Map<string, { ticks: number; child: boolean }>();
  let proc = existsSync("/proc/self/stat");
  const sample = () => {
    if (!p.pid || !proc) return;
    for (const pid of processTree(p.pid)) {
      const q = processNow(pid);
      if (!q) {
        if (pid === p.pid) proc = cpu.size > 0; // no /proc here at all: no CPU figure
        continue;
      }
      cpu.set(q.key, { ticks: q.ticks, child: q.child });
      if (pid === p.pid) peak.main = Math.max(peak.main, q.kb);
      else if (q.child) peak.child = Math.max(peak.child, q.kb);
    }
  };
  const timer = setInterval(sample, 20);
  const r = await p;
  clearInterval(timer);
  const wallMs = performance.now() - t0;
  return {
    wallMs,
    cpuMs: proc && cpu.size > 0 ? [...cpu.values()].reduce((a, b) => a + b.ticks, 0) * 10 : null,
    childCpuMs: proc && cpu.size > 0 ? [...cpu.values()].reduce((a, b) => a + (b.child ? b.ticks : 0), 0) * 10 : null,
    peakMb: { main: peak.main / 1024, child: peak.child / 1024 },
    exitCode: r.exitCode,
    stdout: String(r.stdout),
    stderr: String(r.stderr),
    load: load(),
  };
}

// ------------------------------------------------------------------------------- the two sides
const RUN = rootPath("scripts", "run.mjs");
const JEST = rootPath("node_modules", "jest", "bin", "jest.js");

/** A folder with N copies of the student (ours/) and one Jest file per copy (jest/). */
function prepare(assignment: AssignmentName, student: string, n: number): { dir: string; ours: string; jestConfig: string; jestFiles: string[] } {
  const dir = mkdtempSync(join(tmpdir(), `bench-${assignment}-`));
  const source = rootPath("fixtures", "submissions", assignment, student);
  const located = locateFiles(source, assignment);
  const file = located.find((l) => l.found);
  if (!file || !file.found) throw new UsageError(`${source} has no ${assignment} file to copy`, USAGE);
  const name = file.path.slice(file.path.lastIndexOf("/") + 1);
  const template = readFileSync(rootPath("scripts", "bench", `${assignment}.test.mjs`), "utf8");
  const ours = join(dir, "ours");
  const jest = join(dir, "jest");
  const jestFiles: string[] = [];
  for (let k = 1; k <= n; k++) {
    const id = `student-${String(k).padStart(2, "0")}`;
    cpSync(source, join(ours, id), { recursive: true });
    cpSync(source, join(jest, id), { recursive: true });
    const test = join(jest, `${id}.test.mjs`);
    const filled = template
      .replace('"SUBMISSION"', JSON.stringify(`./${id}/${name}`))
      .replace('"GOLDEN"', JSON.stringify(rootPath("fixtures", "golden", `${assignment}.json`)))
      .replace('"CS231N"', JSON.stringify(rootPath("scripts", "bench", "cs231n.mjs")));
    writeFileSync(test, filled);
    jestFiles.push(test);
  }
  // the students' .js files are ES modules, as in the grader; TypeScript through this repo's SWC transform
  writeFileSync(join(jest, "package.json"), '{ "type": "module" }\n');
  const require = createRequire(import.meta.url);
  const jestConfig = join(jest, "jest.config.mjs");
  const config = {
    rootDir: jest,
    testEnvironment: "node",
    testMatch: ["**/*.test.mjs"],
    modulePaths: [rootPath("node_modules")],
    extensionsToTreatAsEsm: [".ts"],
    moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
    transform: {
      "^.+\\.ts$": [
        require.resolve("@swc/jest", { paths: [rootPath()] }),
        { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "es6" } },
      ],
    },
    maxWorkers: 2,
  };
  writeFileSync(jestConfig, `export default ${JSON.stringify(config, null, 1)};\n`);
  return { dir, ours, jestConfig, jestFiles };
}

/**
 * A student's starter kit: `npm run kit` of the assignment into `dir`/kit, `npm ci` there (from
 * npm's cache where it can), and the files of `submission` in place of the skeleton.
 */
async function studentKit(assignment: AssignmentName, submission: string, dir: string): Promise<{ kit: string; npmCiS: number }> {
  const kit = join(dir, "kit");
  const made = await measure(process.execPath, [RUN, "kit", "--assignment", assignment, "--out", kit]);
  if (made.exitCode !== 0) throw new Error(`npm run kit failed (exit ${made.exitCode}):\n${made.stderr.slice(-2000)}`);
  const t0 = performance.now();
  const installed = await execa("npm", ["ci", "--no-audit", "--no-fund", "--prefer-offline"], { cwd: kit, reject: false });
  const npmCiS = (performance.now() - t0) / 1000;
  if (installed.exitCode !== 0) throw new Error(`npm ci failed in the starter kit (exit ${installed.exitCode}):\n${String(installed.stderr).slice(-2000)}`);
  for (const { file } of CONTRACT[assignment]) for (const ext of EXTENSIONS) rmSync(join(kit, file.replace(/\.ts$/, ext)), { force: true });
  cpSync(submission, kit, { recursive: true });
  return { kit, npmCiS };
}

const jestArgs = (config: string, files: string[]) => ["--experimental-vm-modules", "--no-warnings", JEST, "--config", config, "--maxWorkers", "2", ...files];

function jestPassed(m: Measured): boolean {
  return m.exitCode === 0 && /Tests:\s+\d+ passed, \d+ total/.test(m.stderr);
}

/** Our results of a batch: how many students are at full marks, and test time by kind (s per submission). */
function readBatch(out: string, n: number): { full: number; byKind: Map<string, number> } {
  const byKind = new Map<string, number>();
  let full = 0;
  for (const id of readdirSync(out, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(out, d.name, "submission-result.json")))
    .map((d) => d.name)) {
    const r = JSON.parse(readFileSync(join(out, id, "submission-result.json"), "utf8")) as SubmissionResult;
    if (r.score === r.maxScore) full++;
    for (const t of r.tests) byKind.set(t.test.kind, (byKind.get(t.test.kind) ?? 0) + t.durationMs / 1000 / n);
  }
  return { full, byKind };
}

// ------------------------------------------------------------------------------- fixed costs
interface FixedCosts {
  cliStartMs: number;
  compileMs: number;
  childStartMs: number;
  childStartCpuMs: number | null;
  referenceMs: number;
}

/** The fixed costs of grading one submission, each measured on its own (median of 3). */
async function fixedCosts(assignment: AssignmentName, submission: string): Promise<FixedCosts> {
  const cli: number[] = [];
  for (let k = 0; k < 3; k++) cli.push((await measure(process.execPath, [RUN, "grade", "--help"])).wallMs);
  const manifest = loadManifest(assignment);
  const file = locateFiles(submission, assignment).find((l) => l.found);
  if (!file || !file.found) throw new Error(`${submission}: no ${assignment} file`);
  const compile: number[] = [];
  const start: number[] = [];
  const startCpu: (number | null)[] = [];
  let code = "";
  for (let k = 0; k < 3; k++) {
    const t0 = performance.now();
    const b = await bundleFile(submission, file.path);
    compile.push(performance.now() - t0);
    if (!b.ok) throw new Error(`${submission} does not compile`);
    code = b.code;
  }
  for (let k = 0; k < 3; k++) {
    const sandbox = new Sandbox(code, { memoryMb: manifest.limits.memoryMb, loadTimeoutMs: manifest.limits.callTimeoutMs });
    const t0 = performance.now();
    await sandbox.load();
    start.push(performance.now() - t0);
    startCpu.push(sandbox.childCpuMs());
    await sandbox.close();
  }
  // what the grader computes with the reference: the hidden cases and the gradient checks' larger cases
  const t0 = performance.now();
  largerCases(planCases(assignment, "hidden:bench"), "visible:bench", referenceAnswers);
  const referenceMs = performance.now() - t0;
  const cpu = startCpu.filter((c): c is number => c !== null);
  return {
    cliStartMs: median(cli),
    compileMs: median(compile),
    childStartMs: median(start),
    childStartCpuMs: cpu.length > 0 ? median(cpu) : null,
    referenceMs,
  };
}

/** `wanted` if the sample class of `assignment` has it as a correct student, else its first correct student (class.json). */
function correctStudent(assignment: AssignmentName, wanted: string): string {
  const students = (
    JSON.parse(readFileSync(rootPath("fixtures", "submissions", assignment, "class.json"), "utf8")) as { students: Record<string, { expect: string }> }
  ).students;
  const correct = Object.keys(students).filter((id) => students[id].expect === "correct");
  if (correct.length === 0) throw new Error(`fixtures/submissions/${assignment}/class.json lists no correct student`);
  return correct.includes(wanted) ? wanted : correct[0];
}

// ------------------------------------------------------------------------------- the run
const pct = (x: number) => x.toFixed(2);

await runMain(async () => {
  const started = performance.now();
  const loadBefore = loadNow();
  const date = new Date().toISOString();
  const { values } = parseCommandLine(
    {
      options: {
        assignment: { type: "string", multiple: true },
        submissions: { type: "string" },
        jobs: { type: "string" },
        student: { type: "string" },
        "self-checks": { type: "string" },
        quick: { type: "boolean", default: false },
        out: { type: "string" },
      },
    },
    USAGE,
  );
  const quick = values.quick === true;
  const assignments = (values.assignment ?? BENCHED) as AssignmentName[];
  for (const a of assignments)
    if (!(ASSIGNMENTS as readonly string[]).includes(a)) throw new UsageError(`unknown assignment "${a}": choose among ${ASSIGNMENTS.join(", ")}`, USAGE);
  const n = positiveInteger("submissions", values.submissions, quick ? 2 : 16, USAGE);
  const jobs = positiveInteger("jobs", values.jobs, 2, USAGE);
  const selfChecks = positiveInteger("self-checks", values["self-checks"], quick ? 1 : 5, USAGE);
  const student = values.student ?? "ada-loops-js";
  const outFile = values.out === "-" ? null : values.out !== undefined ? resolve(process.cwd(), values.out) : rootPath("docs", "benchmarks.md");
  const bubblewrap = await bwrapAvailable();
  const machine = thisMachine(bubblewrap);
  console.log(
    `node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), ${availableParallelism()} available, bubblewrap ${bubblewrap ? "on" : "off"}${quick ? ", quick mode" : ""}`,
  );
  console.log(`${n} copies of ${student} per assignment, ours with --jobs ${jobs}, Jest with --maxWorkers 2; load average (1 min) shown as "load"\n`);

  const rows: string[][] = [];
  const details: string[] = [];
  const cpu = (m: Measured) => (m.cpuMs === null ? "?" : s(m.cpuMs));
  for (const assignment of assignments) {
    const { dir, ours, jestConfig, jestFiles } = prepare(assignment, student, n);
    try {
      const out = join(dir, "out");
      const grade = (to: string) => [RUN, "grade", "--assignment", assignment, "--submissions", ours, "--out", to, "--jobs", String(jobs), "--seed", "bench"];
      // untimed first runs: the command-line build, the runner file, Jest's transform cache
      await measure(process.execPath, [RUN, "grade", "--help"]);
      await measure(process.execPath, jestArgs(jestConfig, jestFiles.slice(0, 1)));
      const mine = await measure(process.execPath, grade(out));
      if (mine.exitCode !== 0) throw new Error(`npm run grade failed (exit ${mine.exitCode}):\n${mine.stderr.slice(-2000)}`);
      const theirs = await measure(process.execPath, jestArgs(jestConfig, jestFiles));
      if (!jestPassed(theirs)) throw new Error(`the Jest baseline did not pass (exit ${theirs.exitCode}):\n${theirs.stderr.slice(-3000)}`);
      const { full, byKind } = readBatch(out, n);
      if (full !== n) console.error(`warning: only ${full} of ${n} copies of a correct student earned full marks`);
      rows.push([
        `${assignment} battery, ${n} submissions`,
        `${s(mine.wallMs)} s (CPU ${cpu(mine)} s, ${mine.childCpuMs === null ? "?" : s(mine.childCpuMs)} s of it in sandboxes; load ${mine.load})`,
        `${s(theirs.wallMs)} s (CPU ${cpu(theirs)} s, load ${theirs.load})`,
        `**${pct(mine.wallMs / theirs.wallMs)}**`,
        `${(mine.wallMs / 1000 / n).toFixed(3)} s`,
        `${mine.peakMb.main.toFixed(0)} MB / ${mine.peakMb.child.toFixed(0)} MB`,
      ]);
      const fixed = await fixedCosts(assignment, join(ours, "student-01"));
      details.push(
        `${assignment}: test time per submission by kind (wall, summed over tests; the efficiency lane overlaps the others): ${[...byKind].map(([k, v]) => `${k} ${v.toFixed(3)} s`).join(", ")}`,
        `${assignment}: fixed costs: CLI start ${s(fixed.cliStartMs)} s (once per command), compile ${s(fixed.compileMs)} s and child start ${s(fixed.childStartMs)} s${fixed.childStartCpuMs === null ? "" : ` (CPU ${s(fixed.childStartCpuMs)} s)`} per submission file, reference work ${s(fixed.referenceMs)} s (once per batch)`,
      );
      if (assignment === "layers") {
        const one = join(ours, "student-01");
        const { kit, npmCiS } = await studentKit(assignment, one, dir);
        details.push(
          `${assignment} starter kit: \`npm ci\` (esbuild and ml-matrix, from npm's cache where it can) took ${npmCiS.toFixed(1)} s (load ${load()})`,
        );
        /** Each self-check as it is started: this repository's, the kit's as a student types it, the kit's without npm. */
        const commands: { file: string; args: string[]; cwd?: string }[] = [
          { file: process.execPath, args: [RUN, "check", "--assignment", assignment, "--submission", one] },
          { file: "npm", args: ["run", "--silent", "check"], cwd: kit },
          { file: process.execPath, args: [join(".grader", "check.mjs")], cwd: kit },
        ];
        for (const c of commands) await measure(c.file, c.args, c.cwd);
        const checks: Measured[][] = commands.map(() => []);
        const jests: Measured[] = [];
        for (let k = 0; k < selfChecks; k++) {
          for (const [i, c] of commands.entries()) {
            const m = await measure(c.file, c.args, c.cwd);
            if (m.exitCode !== 0)
              throw new Error(
                `${c.file === "npm" ? "npm run check" : c.args.join(" ")} failed (exit ${m.exitCode}):\n${m.stdout.slice(-2000)}${m.stderr.slice(-1000)}`,
              );
            checks[i].push(m);
          }
          const j = await measure(process.execPath, jestArgs(jestConfig, jestFiles.slice(0, 1)));
          if (!jestPassed(j)) throw new Error(`the Jest baseline did not pass on one file:\n${j.stderr.slice(-2000)}`);
          jests.push(j);
        }
        const mj = median(jests.map((m) => m.wallMs));
        const cpuMedian = (ms: Measured[]) => (ms.some((m) => m.cpuMs === null) ? "?" : s(median(ms.map((m) => m.cpuMs!))));
        const names = [
          `${assignment} self-check here: \`npm run check\` (median of ${selfChecks})`,
          `${assignment} starter kit: \`npm run check\` (median of ${selfChecks})`,
          `${assignment} starter kit: \`node .grader/check.mjs\` (median of ${selfChecks})`,
        ];
        checks.forEach((ms, i) => {
          const mc = median(ms.map((m) => m.wallMs));
          rows.push([
            names[i],
            `${s(mc)} s (CPU ${cpuMedian(ms)} s, load ${ms.map((m) => m.load).join("/")})`,
            `${s(mj)} s (CPU ${cpuMedian(jests)} s)`,
            `**${pct(mc / mj)}**`,
            "",
            `${median(ms.map((m) => m.peakMb.main)).toFixed(0)} MB / ${median(ms.map((m) => m.peakMb.child)).toFixed(0)} MB`,
          ]);
        });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const battery: Section = {
    title: "The grader against a plain Jest run",
    text: [
      `Ours: \`npm run grade\` on ${n} copies of the correct sample student \`${student}\` in one batch (\`--jobs ${jobs}\`, every kind of test). Bare Jest: one test file per copy (\`scripts/bench/<assignment>.test.mjs\`: the golden cases and CS231n's coordinate-wise numerical gradient of every gradient entry), two at a time. For layers, then, the self-checks against Jest on one copy's file, interleaved. CPU is of each whole process tree, sampled from \`/proc\` (the sandboxes included); peak memory is VmHWM.`,
    ],
    table: {
      head: ["job", "ours: npm run grade / check", "bare Jest", "ratio", "ours per submission", "peak RSS grader / one child"],
      align: ["l", "l", "l", "r", "r", "l"],
      rows,
    },
    notes: details,
  };
  console.log(`| ${battery.table!.head.join(" | ")} |`);
  for (const r of rows) console.log(`| ${r.join(" | ")} |`);
  console.log("");
  for (const d of details) console.log(d);

  // The sample class: every assignment's sample students graded as a TA grades them.
  const sample: string[][] = [];
  const sampleKinds: string[] = [];
  let sampleTotal = 0;
  for (const assignment of ASSIGNMENTS) {
    const folder = rootPath("fixtures", "submissions", assignment);
    const students = studentFolders(folder).length;
    const dir = mkdtempSync(join(tmpdir(), `bench-sample-${assignment}-`));
    try {
      const m = await measure(process.execPath, [
        RUN,
        "grade",
        "--assignment",
        assignment,
        "--submissions",
        folder,
        "--out",
        join(dir, "out"),
        "--jobs",
        String(jobs),
        "--seed",
        "bench",
      ]);
      if (m.exitCode !== 0) throw new Error(`npm run grade of the ${assignment} sample class failed (exit ${m.exitCode}):\n${m.stderr.slice(-2000)}`);
      sampleTotal += m.wallMs;
      const { byKind } = readBatch(join(dir, "out"), students);
      sample.push([assignment, String(students), `${s(m.wallMs)} s`, `${(m.wallMs / 1000 / students).toFixed(3)} s`, `${cpu(m)} s`, m.load]);
      sampleKinds.push(`${assignment}: test time per submission by kind: ${[...byKind].map(([k, v]) => `${k} ${v.toFixed(3)} s`).join(", ")}`);
      console.log(`sample class ${assignment}: ${students} students in ${s(m.wallMs)} s (load ${m.load})`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  sample.push([
    "all four",
    String(ASSIGNMENTS.reduce((a, x) => a + studentFolders(rootPath("fixtures", "submissions", x)).length, 0)),
    `${s(sampleTotal)} s`,
    "",
    "",
    "",
  ]);
  const sampleSection: Section = {
    title: "The sample class",
    text: [
      `Each assignment's sample class (\`fixtures/submissions/<assignment>/\`, correct and buggy students) graded by \`npm run grade -- --assignment A --submissions … --jobs ${jobs}\`, one assignment after the other: what \`npm run grade\` with no arguments does, and what \`npm run benchmark\` measures over several rounds.`,
    ],
    table: { head: ["assignment", "students", "wall", "per submission", "CPU", "load"], align: ["l", "r", "r", "r", "r", "r"], rows: sample },
    notes: sampleKinds,
  };

  // Gradescope: each bundle built, set up and run on the correct sample student, without bubblewrap.
  const gradescope: string[][] = [];
  const gsAssignments = quick ? (["layers"] as AssignmentName[]) : [...ASSIGNMENTS];
  for (const assignment of gsAssignments) {
    const who = correctStudent(assignment, student);
    const r = await timeGradescope(assignment, rootPath("fixtures", "submissions", assignment, who));
    gradescope.push([
      assignment,
      `\`${who}\``,
      `${(r.zipBytes / 1e6).toFixed(2)} MB`,
      `${r.bundleS.toFixed(1)} s`,
      `${r.setupS.toFixed(1)} s`,
      `${r.graderS.toFixed(1)} s`,
      r.score,
      load(),
    ]);
    console.log(
      `gradescope ${assignment}: zip ${(r.zipBytes / 1e6).toFixed(2)} MB, setup.sh ${r.setupS.toFixed(1)} s, run_autograder ${r.graderS.toFixed(1)} s, ${r.score}`,
    );
  }
  const gradescopeSection: Section = {
    title: "Gradescope",
    text: [
      `Each assignment's bundle made by \`npm run bundle\`, unzipped, \`setup.sh\` run in it (Node is present here, so it installs the runtime dependencies with \`npm ci\`; on Gradescope's image it also downloads Node), then \`run_autograder\` on a correct sample student (\`${student}\` where the assignment has it) in a fresh \`AUTOGRADER_ROOT\`, without bubblewrap as in Gradescope's containers. Gradescope's own machines are slower and shared: allow for it.`,
    ],
    table: {
      head: ["assignment", "student", "autograder.zip", "npm run bundle", "setup.sh", "run_autograder", "score", "load after"],
      align: ["l", "l", "r", "r", "r", "r", "r", "r"],
      rows: gradescope,
    },
  };

  const report: BenchReport = {
    date,
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`,
    quick,
    machine,
    load: { before: loadBefore, after: loadNow() },
    durationS: (performance.now() - started) / 1000,
    sections: [battery, sampleSection, gradescopeSection],
  };
  if (outFile) {
    writeFileSync(outFile, benchmarksMarkdown(report));
    console.log(`\nwritten: ${outFile}`);
  }
  return 0;
});
