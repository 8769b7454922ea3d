/**
 * Hostile submissions (fixtures/hostile/, hostile.json): each case attacks the grader instead of
 * doing the assignment. For every case: assemble it into a fresh folder, grade it with the real
 * pipeline (gradeSubmission), and check what hostile.json says a sound grader makes of it:
 *   - the attacked exports earn 0 (with attackedStatus, where given), every other export (but those
 *     in mayLose) scores test by test what a correct submission scores (graded here, same options);
 *   - the grader survives and gradeSubmission returns; no sandbox child is left behind;
 *   - studentOutputMustNotMatch / compileErrorMustNotMatch / compiles:false hold;
 *   - messageMustInclude: the attacked tests' messages say what was refused;
 *   - none of noFiles appears; the network listeners receive nothing and mustNotAccept ports refuse;
 *   - graderMemoryMb: the grading process grows by less than that.
 * Cases marked `batch` are also graded in a class (gradeBatch, every student at once, in a process
 * of its own) with two correct students: the batch completes, the classmates' results are what
 * each earns graded alone, test by test, and none of their sandboxes is ever restarted (killed).
 * Cases marked `isolate` run in their own process (test/helpers/hostile-run.ts, own process group, hard
 * timeout), so one that kills or swamps its grader cannot take Jest down. Cases marked `needsBwrap`
 * are contained only by bubblewrap: where it cannot run, they are graded and what leaked is printed,
 * not failed. Every case is graded with the default sandbox (bubblewrap where it works) and, where
 * bubblewrap works and the case does not need it, once more with `bwrap: false` (the fallback must
 * hold too).
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import Ajv from "ajv";
import { execa } from "execa";
import dgram from "node:dgram";
import { cpSync, existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { basename, dirname, isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AssignmentName } from "../../graders/cases/case";
import { gradeSubmission } from "../../graders/grade";
import type { SubmissionResult, TestResult } from "../../graders/result-model";
import { bwrapAvailable } from "../../graders/sandbox/bwrap";
import { readProcStat } from "../../graders/sandbox/proc-stat";
import {
  type HostileCase,
  HOSTILE_DIR,
  HOSTILE_KINDS,
  ROOT,
  type SandboxStarts,
  assembleCase,
  caseFolders,
  loadHostileManifest,
} from "../helpers/hostile-assemble";

const SECRET = "hostile-test";
/** The per-call limit (and, in gradeSubmission, the load limit too); HOSTILE_CALL_TIMEOUT_MS overrides it. */
const CALL_TIMEOUT_MS = Number(process.env.HOSTILE_CALL_TIMEOUT_MS) || 500;
/** Hard limit of an isolated grading process (the process group is SIGKILLed after it). */
const ISOLATE_TIMEOUT_MS = 90_000;
const RUNNER = fileURLToPath(new URL("../helpers/hostile-run.ts", import.meta.url));
const RESULT_PREFIX = "HOSTILE-RUN-RESULT ";
/** A correct submission per assignment: what every non-attacked export must score, test by test. */
const CORRECT: Record<AssignmentName, string> = {
  layers: "fixtures/submissions/layers/ada-loops-js",
  gates: "fixtures/submissions/gates/ada-classes-ts",
  classifiers: "fixtures/submissions/classifiers/ada-loops-js",
  "two-layer-net": "fixtures/submissions/two-layer-net/ada-loops-js",
};

/** The classmates of a case graded in a batch: correct students, who must lose nothing to it. */
const CLASSMATES: Partial<Record<AssignmentName, string[]>> = {
  layers: ["fixtures/submissions/layers/ada-loops-js", "fixtures/submissions/layers/ben-static-ts"],
};

const manifest = loadHostileManifest();
const hasProc = existsSync("/proc/self/status");
let useBwrap = false;
const assembledParents: string[] = [];

beforeAll(async () => {
  useBwrap = await bwrapAvailable();
  const notChecked = Object.entries(manifest.cases).filter(([, c]) => c.needsBwrap);
  console.log(
    [
      `hostile cases: graded with secret "${SECRET}", callTimeoutMs ${CALL_TIMEOUT_MS}, bubblewrap ${useBwrap ? "available (used)" : "NOT available"}`,
      ...(useBwrap
        ? []
        : notChecked.map(([id, c]) => `  NOT CHECKED without bubblewrap: ${id}: ${c.needsBwrap} (the case runs; what leaks is printed, not failed)`)),
      ...(hasProc ? [] : ["  NOT CHECKED without /proc: leftover child processes, the isolated grader's peak memory"]),
    ].join("\n"),
  );
}, 30_000);

afterAll(() => {
  for (const p of assembledParents) rmSync(p, { recursive: true, force: true });
});

// ---------------------------------------------------------------- the correct submissions

const baselines = new Map<string, Promise<SubmissionResult>>();
/** A correct submission (a folder relative to the project root) graded alone, once. */
function gradedAlone(a: AssignmentName, folder: string): Promise<SubmissionResult> {
  let b = baselines.get(folder);
  if (!b) {
    b = gradeSubmission(a, join(ROOT, folder), { secret: SECRET, callTimeoutMs: CALL_TIMEOUT_MS, kinds: HOSTILE_KINDS });
    baselines.set(folder, b);
  }
  return b;
}
const baseline = (a: AssignmentName) => gradedAlone(a, CORRECT[a]);

// ---------------------------------------------------------------- what the grader made of a case

const summary = (t: TestResult) => `${t.outcome.status}: ${t.outcome.message.replace(/\s+/g, " ").slice(0, 160)}`;

function scoresByExport(r: SubmissionResult): Map<string, { score: number; max: number }> {
  const m = new Map<string, { score: number; max: number }>();
  for (const t of r.tests) {
    const e = m.get(t.test.export) ?? { score: 0, max: 0 };
    e.score += t.score;
    e.max += t.test.points;
    m.set(t.test.export, e);
  }
  return m;
}

/** Up to three tests as `"name" (status: message)`, and how many more. */
function listTests(ts: TestResult[], also?: (t: TestResult) => string): string {
  const shown = ts.slice(0, 3).map((t) => `"${t.test.name}" (${summary(t)}${also ? `; ${also(t)}` : ""})`);
  return `${shown.join("; ")}${ts.length > 3 ? ` … and ${ts.length - 3} more` : ""}`;
}

/** Everything the grader got wrong about case `c`, one line per export and kind of problem, naming the export and its score. */
function scoringProblems(c: HostileCase, r: SubmissionResult, base: SubmissionResult): string[] {
  const problems: string[] = [];
  const baseByName = new Map(base.tests.map((t) => [t.test.name, t]));
  const allExports = [...new Set(base.tests.map((t) => t.test.export))];
  const attacked = new Set(c.attacked === "all" ? allExports : c.attacked);
  const mayLose = new Set(c.mayLose ?? []);
  const statuses = c.attackedStatus === "either" ? ["failed", "could-not-check"] : c.attackedStatus ? [c.attackedStatus] : null;
  if (r.tests.length !== base.tests.length) problems.push(`${r.tests.length} tests graded, the correct submission has ${base.tests.length}`);
  const unknown = r.tests.filter((t) => !baseByName.has(t.test.name));
  if (unknown.length > 0) problems.push(`tests the correct submission does not have: ${unknown.map((t) => t.test.name).join(", ")}`);
  // Tests of attacked exports with the wrong status, grouped by what happened (often one cause for all).
  const groups = new Map<string, { what: string; outcome: string; tests: TestResult[] }>();
  const group = (what: string, t: TestResult) => {
    const key = `${what}|${t.outcome.status}|${t.outcome.message}`;
    const g = groups.get(key) ?? { what, outcome: summary(t), tests: [] };
    g.tests.push(t);
    groups.set(key, g);
  };
  const exports = [...new Set(r.tests.map((t) => t.test.export))];
  for (const e of exports) {
    const tests = r.tests.filter((t) => t.test.export === e && baseByName.has(t.test.name));
    const baseOf = (t: TestResult) => baseByName.get(t.test.name)!;
    const runnable = (t: TestResult) => baseOf(t).outcome.status !== "grader-error"; // kinds not implemented yet
    const sum = tests.reduce((s, t) => s + t.score, 0);
    const max = tests.reduce((s, t) => s + t.test.points, 0);
    if (attacked.has(e)) {
      const earned = tests.filter((t) => t.score !== 0);
      if (earned.length > 0) problems.push(`ATTACK WORKED: ${e} (attacked) earned ${sum} of ${max}: ${listTests(earned)}`);
      for (const t of tests.filter((t) => t.score === 0 && runnable(t))) {
        if (statuses && !statuses.includes(t.outcome.status)) group(`are ${t.outcome.status}, expected ${statuses.join(" or ")}`, t);
        else if (c.compiles === false && !(t.outcome.status === "failed" && r.messages.includes(t.outcome.message)))
          group("ran instead of being refused as a file that must not compile", t);
      }
    } else if (!mayLose.has(e)) {
      const differ = tests.filter((t) => t.score !== baseOf(t).score);
      const want = tests.reduce((s, t) => s + baseOf(t).score, 0);
      if (differ.length > 0)
        problems.push(
          `COST POINTS WHERE NOT ATTACKED: ${e} scored ${sum} of ${max}, the correct submission scores ${want}: ${listTests(differ, (t) => `correct: ${summary(baseOf(t))}`)}`,
        );
    }
  }
  for (const g of groups.values()) {
    const names = [...new Set(g.tests.map((t) => t.test.export))];
    problems.push(`${g.tests.length} test(s) of the attacked ${names.join(", ")} ${g.what} (${g.outcome})`);
  }
  // What was refused must be what the student reads, on every test of the export that ran.
  for (const [key, text] of Object.entries(c.messageMustInclude ?? {})) {
    const owners = key === "all" ? attacked : new Set([key]);
    const silent = r.tests.filter(
      (t) => owners.has(t.test.export) && baseByName.get(t.test.name)?.outcome.status !== "grader-error" && !t.outcome.message.includes(text),
    );
    if (silent.length > 0) problems.push(`${silent.length} test(s) of ${key} do not say ${JSON.stringify(text)}: ${listTests(silent)}`);
  }
  if (c.compiles === false && !r.messages.some((m) => m.length > 0))
    problems.push("compiles is false but the result has no message saying why the file was refused");
  if (c.compileErrorMustNotMatch) {
    const rx = new RegExp(c.compileErrorMustNotMatch);
    const shown = [...r.messages, ...r.tests.flatMap((t) => [t.outcome.message, "details" in t.outcome ? (t.outcome.details ?? "") : ""])];
    for (const m of new Set(shown.filter((s) => rx.test(s)))) problems.push(`a message shown to the student matches ${rx}: ${JSON.stringify(m.slice(0, 300))}`);
  }
  if (c.studentOutputMustNotMatch) {
    const rx = new RegExp(c.studentOutputMustNotMatch);
    const out = r.studentOutput ?? "";
    if (rx.test(out)) {
      const lines = [...new Set(out.split("\n").filter((l) => rx.test(`\n${l}`)))];
      problems.push(
        `the student output matches ${rx}: ${lines
          .slice(0, 8)
          .map((l) => JSON.stringify(l.slice(0, 200)))
          .join("; ")}${lines.length > 8 ? ` … (${lines.length} lines)` : ""}`,
      );
    }
  }
  return problems;
}

/**
 * hidden-seed-exfil encodes three characters of the secret per answer in entry [0][0]:
 * 1e9*(chunk+1) + c1*1e6 + c2*1e3 + c3. No message or details shown to the student may carry a
 * value that decodes to a piece of the secret (nor the secret itself).
 */
function secretSmuggled(r: SubmissionResult): string[] {
  const problems: string[] = [];
  const shown = [...r.messages, ...r.tests.flatMap((t) => [t.outcome.message, "details" in t.outcome ? (t.outcome.details ?? "") : ""])];
  const chunks = new Map<number, string>();
  for (const text of shown) {
    if (text.includes(SECRET)) problems.push(`a message shows the secret: ${JSON.stringify(text.slice(0, 200))}`);
    for (const m of text.matchAll(/\b\d{10,13}\b/g)) {
      const n = Number(m[0]);
      const k = Math.floor(n / 1e9) - 1;
      const rest = n % 1e9;
      const chars = [Math.floor(rest / 1e6), Math.floor(rest / 1e3) % 1000, rest % 1000]
        .filter((x) => x > 0)
        .map((x) => String.fromCharCode(x))
        .join("");
      if (chars && SECRET.slice(3 * k, 3 * k + 3) === chars) chunks.set(k, chars);
    }
  }
  if (chunks.size > 0) {
    const got = [...chunks.entries()].sort(([a], [b]) => a - b).map(([k, s]) => `#${k} "${s}"`);
    problems.push(`failure messages quote values that decode to pieces of the secret: ${got.join(", ")}`);
  }
  return problems;
}
const EXTRA_CHECKS: Record<string, (r: SubmissionResult) => string[]> = { "hidden-seed-exfil": secretSmuggled };

// ---------------------------------------------------------------- side effects

/** Paths matching `pattern` (absolute or relative to the project root; * within one segment). */
function globPaths(pattern: string): string[] {
  const abs = isAbsolute(pattern) ? pattern : join(ROOT, pattern);
  let found = ["/"];
  for (const seg of abs.split("/").filter(Boolean)) {
    if (!seg.includes("*")) {
      found = found.map((p) => join(p, seg)).filter((p) => existsSync(p) || isLink(p));
      continue;
    }
    const rx = new RegExp(
      `^${seg
        .split("*")
        .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
        .join("[^/]*")}$`,
    );
    found = found.flatMap((p) => {
      try {
        return readdirSync(p)
          .filter((n) => rx.test(n))
          .map((n) => join(p, n));
      } catch {
        return [];
      }
    });
  }
  return found;
}
function isLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}
/** path → identity (inode, mtime, size) of everything noFiles matches now. */
function snapshotFiles(patterns: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const p of patterns.flatMap(globPaths)) {
    try {
      const s = lstatSync(p);
      m.set(p, `${s.ino}:${s.mtimeMs}:${s.size}`);
    } catch {
      // gone between the glob and the stat: not a file this case wrote
    }
  }
  return m;
}
function newOrChangedFiles(patterns: string[], before: Map<string, string>): string[] {
  return [...snapshotFiles(patterns)].filter(([p, sig]) => before.get(p) !== sig).map(([p]) => (before.has(p) ? `${p} (rewritten)` : p));
}

interface Listeners {
  hits: string[];
  close(): Promise<void>;
}
/** The case's TCP, UDP and Unix-socket listeners on 127.0.0.1 / the given paths. */
async function startListeners(n: NonNullable<HostileCase["network"]>): Promise<Listeners> {
  const hits: string[] = [];
  const closers: (() => Promise<void>)[] = [];
  const listeners: Listeners = { hits, close: async () => void (await Promise.all(closers.map((c) => c()))) };
  try {
    const stream = async (what: string, listen: (s: net.Server) => void) => {
      const sockets = new Set<net.Socket>();
      const server = net.createServer((sock) => {
        sockets.add(sock);
        hits.push(`${what}: connection`);
        sock.on("data", (d) => hits.push(`${what}: received ${JSON.stringify(String(d).slice(0, 80))}`));
        sock.on("error", () => {});
        sock.on("close", () => sockets.delete(sock));
        setTimeout(() => sock.destroy(), 200).unref();
      });
      await new Promise<void>((res, rej) => {
        server.once("error", rej);
        server.once("listening", () => res());
        listen(server);
      });
      closers.push(
        () =>
          new Promise<void>((res) => {
            for (const s of sockets) s.destroy();
            server.close(() => res());
          }),
      );
    };
    for (const port of n.tcp ?? []) await stream(`tcp 127.0.0.1:${port}`, (s) => s.listen(port, "127.0.0.1"));
    for (const path of n.unix ?? []) {
      if (existsSync(path) || isLink(path)) {
        if (!lstatSync(path).isSocket()) throw new Error(`${path} exists and is not a socket: not removing it`);
        unlinkSync(path); // a stale socket of an earlier run
      }
      await stream(`unix ${path}`, (s) => s.listen(path));
      closers.push(async () => {
        if (existsSync(path)) unlinkSync(path);
      });
    }
    for (const port of n.udp ?? []) {
      const sock = dgram.createSocket("udp4");
      sock.on("message", (m, from) => hits.push(`udp 127.0.0.1:${port}: ${JSON.stringify(String(m).slice(0, 80))} from port ${from.port}`));
      await new Promise<void>((res, rej) => {
        sock.once("error", rej);
        sock.bind({ port, address: "127.0.0.1" }, () => res());
      });
      closers.push(() => new Promise<void>((res) => sock.close(() => res())));
    }
  } catch (error) {
    await listeners.close();
    throw new Error(`cannot listen for the network case (is an earlier run still holding the ports?): ${(error as Error).message}`, { cause: error });
  }
  return listeners;
}

/** Whether something on 127.0.0.1:port accepts a TCP connection now. */
function accepts(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = net.connect({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      res(true);
    });
    s.once("error", () => res(false));
    s.setTimeout(1000, () => {
      s.destroy();
      res(false);
    });
  });
}

// ---------------------------------------------------------------- processes

interface Proc {
  pid: number;
  ppid: number;
  start: string;
  cmd: string;
}
function processes(): Proc[] {
  if (!hasProc) return [];
  const out: Proc[] = [];
  for (const p of readdirSync("/proc")) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const stat = readProcStat(Number(p));
      if (stat === null) continue;
      const cmd = readFileSync(`/proc/${p}/cmdline`, "utf8").replace(/\0/g, " ").trim();
      out.push({ pid: Number(p), ppid: stat.ppid, start: stat.startTime, cmd });
    } catch {
      // the process ended while /proc was read: nothing to list
    }
  }
  return out;
}
function descendants(root: number, all = processes()): Proc[] {
  const kids = new Map<number, Proc[]>();
  for (const p of all) kids.set(p.ppid, [...(kids.get(p.ppid) ?? []), p]);
  const found: Proc[] = [];
  const walk = (pid: number) => {
    for (const k of kids.get(pid) ?? []) {
      found.push(k);
      walk(k.pid);
    }
  };
  walk(root);
  return found;
}
const isSandboxChild = (p: Proc) => p.cmd.includes("backprop-grader-sub-");
const alive = (p: Proc) => processes().some((q) => q.pid === p.pid && q.start === p.start);

/** Sandbox children of `procs` still running after a short grace period. */
async function leftovers(procs: () => Proc[]): Promise<Proc[]> {
  for (let i = 0; i < 20; i++) {
    const left = procs();
    if (left.length === 0) return [];
    await new Promise((r) => setTimeout(r, 100));
  }
  return procs();
}
const describeProcs = (ps: Proc[]) => ps.map((p) => `${p.pid} ${p.cmd.slice(0, 160)}`).join("; ");

function statusKb(pid: number, field: string): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------- grading a case

/** default: bubblewrap where it works; no-bwrap: the grader's fallback where it does not. */
type Mode = "default" | "no-bwrap";

interface Graded {
  result?: SubmissionResult;
  problems: string[];
  seconds: number;
  graderGrowthMb?: number;
}

function withEnv<T>(env: Record<string, string> | undefined, f: () => Promise<T>): Promise<T> {
  if (!env) return f();
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  return f().finally(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
}

/**
 * The in-process grading under way, if any. When a case exceeds its Jest time limit, its
 * gradeSubmission keeps running (it cannot be cancelled); the next case waits for it (bounded) so
 * that the two do not compete for the CPU or mix up their sandbox processes.
 */
let inProcessGrading: Promise<unknown> = Promise.resolve();
const OVERLAP_WAIT_MS = 60_000;

async function gradeInProcess(c: HostileCase, dir: string, mode: Mode): Promise<Graded> {
  const problems: string[] = [];
  let waited: NodeJS.Timeout | undefined;
  const previousDone = await Promise.race([
    inProcessGrading.then(() => true),
    new Promise<false>((res) => (waited = setTimeout(() => res(false), OVERLAP_WAIT_MS))),
  ]);
  clearTimeout(waited);
  if (!previousDone)
    problems.push(`the previous case's grading was still running ${OVERLAP_WAIT_MS / 1000} s after its test gave up: this result may be disturbed by it`);
  const t0 = performance.now();
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  let result: SubmissionResult | undefined;
  try {
    const grading = withEnv(c.env, () =>
      gradeSubmission(c.assignment, dir, {
        secret: SECRET,
        callTimeoutMs: CALL_TIMEOUT_MS,
        kinds: HOSTILE_KINDS,
        ...(mode === "no-bwrap" ? { bwrap: false } : {}),
      }),
    );
    inProcessGrading = grading.catch(() => undefined);
    result = await grading;
  } catch (error) {
    problems.push(`gradeSubmission threw: ${(error as Error).stack ?? String(error)}`);
  } finally {
    clearInterval(sampler);
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  const left = await leftovers(() => descendants(process.pid).filter(isSandboxChild));
  if (left.length > 0) problems.push(`sandbox processes left running after grading: ${describeProcs(left)}`);
  return { result, problems, seconds: (performance.now() - t0) / 1000, graderGrowthMb: (peak - rssBefore) / 2 ** 20 };
}

/** What the isolated grading process printed: hostile-run.ts's result line. */
interface RunOutput {
  result?: SubmissionResult;
  results?: SubmissionResult[];
  students?: string[];
  sandboxStarts?: SandboxStarts[];
  rssBeforeKb?: number;
  hwmAfterKb?: number;
}

/** Run test/helpers/hostile-run.ts with `args` in its own process group, hard timeout, memory and children watched. */
async function runIsolated(c: HostileCase, args: string[]): Promise<{ output?: RunOutput; problems: string[]; seconds: number; graderGrowthMb?: number }> {
  const problems: string[] = [];
  const t0 = performance.now();
  const child = execa(process.execPath, ["--import", "tsx", RUNNER, ...args], {
    cwd: ROOT,
    env: c.env ?? {},
    detached: true,
    reject: false,
    stdin: "ignore",
  });
  const pid = child.pid!;
  const killGroup = () => {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // the group is gone already
    }
  };
  let hardTimeout = false;
  const timer = setTimeout(() => {
    hardTimeout = true;
    killGroup();
  }, ISOLATE_TIMEOUT_MS);
  let peakKb = 0;
  let firstRssKb: number | undefined;
  const seen = new Map<string, Proc>();
  const sample = () => {
    const hwm = statusKb(pid, "VmHWM");
    if (hwm !== undefined) peakKb = Math.max(peakKb, hwm);
    firstRssKb ??= statusKb(pid, "VmRSS");
  };
  const memSampler = setInterval(sample, 50);
  const treeSampler = setInterval(() => {
    for (const p of descendants(pid).filter(isSandboxChild)) seen.set(`${p.pid}:${p.start}`, p);
  }, 200);
  const r = await child;
  clearTimeout(timer);
  clearInterval(memSampler);
  clearInterval(treeSampler);
  const seconds = (performance.now() - t0) / 1000;
  const line = r.stdout.split("\n").find((l) => l.startsWith(RESULT_PREFIX));
  const output = line ? (JSON.parse(line.slice(RESULT_PREFIX.length)) as RunOutput) : undefined;
  const before = Number(/rss-before-kb (\d+)/.exec(r.stderr)?.[1] ?? output?.rssBeforeKb ?? firstRssKb ?? NaN);
  peakKb = Math.max(peakKb, output?.hwmAfterKb ?? 0);
  if (hardTimeout) problems.push(`the grading process did not finish within ${ISOLATE_TIMEOUT_MS / 1000} s (its process group was killed)`);
  if (!output || r.exitCode !== 0) {
    const how = r.signal ? `killed by ${r.signal}` : `exit code ${r.exitCode}`;
    problems.push(`THE GRADER DIED (${how}) before it returned a result; its stderr ends: ${JSON.stringify(r.stderr.slice(-1500))}`);
  }
  // SIGUSR1 makes a Node process open its inspector (then anyone on the machine can run code in it)
  if (/Debugger listening/.test(r.stderr))
    problems.push(`the grader opened its inspector (SIGUSR1 reached it): ${JSON.stringify(/Debugger listening.*/.exec(r.stderr)?.[0])}`);
  const left = await leftovers(() => [...seen.values()].filter(alive));
  if (left.length > 0) problems.push(`sandbox processes left running after the grader ended: ${describeProcs(left)}`);
  for (const p of left) {
    try {
      process.kill(p.pid, "SIGKILL");
    } catch {
      // it ended already
    }
  }
  killGroup();
  return { output, problems, seconds, graderGrowthMb: peakKb > 0 && Number.isFinite(before) ? (peakKb - before) / 1024 : undefined };
}

async function gradeIsolated(c: HostileCase, dir: string, mode: Mode): Promise<Graded> {
  const run = await runIsolated(c, [c.assignment, dir, SECRET, String(CALL_TIMEOUT_MS), mode]);
  return { result: run.output?.result, problems: run.problems, seconds: run.seconds, graderGrowthMb: run.graderGrowthMb };
}

/** Whether a classmate's results in the batch are the ones it earns alone: score and status, test by test. */
function classmateProblems(student: string, inBatch: SubmissionResult | undefined, alone: SubmissionResult): string[] {
  if (!inBatch) return [`CLASSMATE LEFT UNGRADED: the batch returned no result for ${student}`];
  const aloneByName = new Map(alone.tests.map((t) => [t.test.name, t]));
  const differ = inBatch.tests.filter(
    (t) => aloneByName.get(t.test.name)?.score !== t.score || aloneByName.get(t.test.name)?.outcome.status !== t.outcome.status,
  );
  const problems: string[] = [];
  if (inBatch.tests.length !== alone.tests.length)
    problems.push(`CLASSMATE HARMED: ${student} has ${inBatch.tests.length} tests in the batch, ${alone.tests.length} graded alone`);
  if (differ.length > 0) {
    problems.push(
      `CLASSMATE HARMED: ${student} scored ${inBatch.score} in the batch, ${alone.score} graded alone: ${listTests(differ, (t) => (aloneByName.has(t.test.name) ? `alone: ${summary(aloneByName.get(t.test.name)!)}` : "not graded alone"))}`,
    );
  }
  return problems;
}

/**
 * Grade case `id` (assembled in `dir`) in a class with its CLASSMATES, all at once, in a process of
 * its own; the case's own result is returned for the usual checks, the classmates are checked here.
 */
async function gradeInBatch(id: string, c: HostileCase, dir: string, mode: Mode): Promise<Graded> {
  const classmates = CLASSMATES[c.assignment];
  if (!classmates) throw new Error(`${id}: no classmates for a batch of ${c.assignment} (CLASSMATES in test/e2e/hostile.test.ts)`);
  const classDir = dirname(dir);
  for (const folder of classmates) cpSync(join(ROOT, folder), join(classDir, basename(folder)), { recursive: true });
  const out = mkdtempSync(join(tmpdir(), "hx-class-out-"));
  assembledParents.push(out);
  const run = await runIsolated(c, [c.assignment, classDir, SECRET, String(CALL_TIMEOUT_MS), mode, "batch", out]);
  const problems = [...run.problems];
  const results = new Map((run.output?.students ?? []).map((s, i) => [s, run.output?.results?.[i]]));
  for (const folder of classmates)
    problems.push(...classmateProblems(basename(folder), results.get(basename(folder)), await gradedAlone(c.assignment, folder)));
  const unwritten = [id, ...classmates.map((f) => basename(f))].filter((s) => !existsSync(join(out, s, "results.json")));
  if (run.output && unwritten.length > 0) problems.push(`the batch completed without writing results.json for ${unwritten.join(", ")}`);
  // A classmate's child killed between two calls is restarted silently: only a second child
  // started by the same sandbox shows it.
  const starts = run.output?.sandboxStarts ?? [];
  for (const s of starts.filter((s) => s.children > 1 && !s.hostile))
    problems.push(
      `SIBLING KILLED: the sandbox of ${s.bundle} (a classmate's or the reference's) started ${s.children} children: its child ended and was restarted`,
    );
  if (run.output && starts.filter((s) => !s.hostile).length < classmates.length)
    problems.push(`only ${starts.length} sandboxes reported for a class of ${classmates.length + 1}: the check for killed siblings saw nothing`);
  return { result: results.get(id), problems, seconds: run.seconds, graderGrowthMb: run.graderGrowthMb };
}

async function gradeCase(id: string, c: HostileCase, mode: Mode, inBatch = false): Promise<Graded> {
  const dir = assembleCase(id, c);
  assembledParents.push(dirname(dir));
  const noFilesBefore = snapshotFiles(c.noFiles ?? []);
  const listeners = c.network ? await startListeners(c.network) : undefined;
  let graded: Graded;
  try {
    graded = inBatch ? await gradeInBatch(id, c, dir, mode) : c.isolate ? await gradeIsolated(c, dir, mode) : await gradeInProcess(c, dir, mode);
    if (listeners) await new Promise((r) => setTimeout(r, 300)); // late attempts
  } finally {
    await listeners?.close();
  }
  const problems = [...graded.problems];
  if (c.graderMemoryMb !== undefined && !inBatch) {
    if (graded.graderGrowthMb === undefined) console.log(`${id}: the grader's memory could not be measured here (no /proc): not checked`);
    else if (graded.graderGrowthMb >= c.graderMemoryMb)
      problems.push(`the grader grew by ${graded.graderGrowthMb.toFixed(0)} MB while grading (limit ${c.graderMemoryMb} MB)`);
  }
  const files = newOrChangedFiles(c.noFiles ?? [], noFilesBefore);
  if (files.length > 0) problems.push(`files written that must not exist: ${files.join(", ")}`);
  const hits = listeners?.hits ?? [];
  if (hits.length > 0) problems.push(`the network listeners received ${hits.length} contacts: ${[...new Set(hits)].slice(0, 10).join("; ")}`);
  for (const port of c.network?.mustNotAccept ?? []) {
    if (await accepts(port)) problems.push(`something accepts connections on 127.0.0.1:${port} after grading (the submission listened there)`);
  }
  if (graded.result) {
    problems.push(...scoringProblems(c, graded.result, await baseline(c.assignment)));
    problems.push(...(EXTRA_CHECKS[id]?.(graded.result) ?? []));
  }
  return { ...graded, problems };
}

function perExportLine(r: SubmissionResult | undefined, base: SubmissionResult): string {
  if (!r) return "no result";
  const got = scoresByExport(r);
  const want = scoresByExport(base);
  return [...want].map(([e, w]) => `${e} ${got.get(e)?.score ?? "-"}/${w.max} (correct: ${w.score})`).join(", ");
}

// ---------------------------------------------------------------- the tests

describe("fixtures/hostile", () => {
  it("hostile.json matches its schema, one entry per case folder, each with a NOTE.md", () => {
    const ajv = new Ajv({ allErrors: true, strict: true });
    ajv.addFormat("regex", (s: string) => {
      try {
        new RegExp(s);
        return true;
      } catch {
        return false;
      }
    });
    const validate = ajv.compile(JSON.parse(readFileSync(join(HOSTILE_DIR, "hostile.schema.json"), "utf8")));
    expect(validate(manifest) ? [] : validate.errors).toEqual([]);
    expect(caseFolders()).toEqual(Object.keys(manifest.cases).sort());
    expect(caseFolders().filter((id) => !existsSync(join(HOSTILE_DIR, id, "NOTE.md")))).toEqual([]);
  });

  it("the correct submissions score something on every export (else the comparison says nothing)", async () => {
    for (const a of [...new Set(Object.values(manifest.cases).map((c) => c.assignment))]) {
      const base = await baseline(a);
      const zero = [...scoresByExport(base)].filter(([, s]) => s.score === 0).map(([e]) => e);
      expect({ assignment: a, exportsScoringZero: zero }).toEqual({ assignment: a, exportsScoringZero: [] });
    }
  }, 120_000);
});

describe("what the runner's wall relies on", () => {
  it("Node's permission model denies reading /proc: without bubblewrap, a child that got hold of fs still could not find its siblings", async () => {
    const flag = process.allowedNodeEnvironmentFlags.has("--permission") ? "--permission" : "--experimental-permission";
    const probe = "try { console.log(require('node:fs').readdirSync('/proc').length + ' entries') } catch (e) { console.log(e.code) }";
    const r = await execa(process.execPath, [flag, "--no-warnings", "-e", probe], { reject: false, extendEnv: false, env: {} });
    expect({ exitCode: r.exitCode, stdout: r.stdout.trim() }).toEqual({ exitCode: 0, stdout: "ERR_ACCESS_DENIED" });
  });
});

describe("hostile submissions: the attack gains nothing, harms nothing, costs points only where it happens", () => {
  for (const [id, c] of Object.entries(manifest.cases)) {
    // Where bubblewrap works, the fallback without it must hold too, except for what only bubblewrap gives.
    const modes = (): Mode[] => (useBwrap && !c.needsBwrap ? ["default", "no-bwrap"] : ["default"]);
    const ways = c.batch ? ["alone", "in a class"] : ["alone"];
    it(
      `${id}: ${c.attack}`,
      async () => {
        const base = await baseline(c.assignment);
        const report: string[] = [];
        for (const mode of modes()) {
          for (const way of ways) {
            const inBatch = way === "in a class";
            const graded = await gradeCase(id, c, mode, inBatch);
            const label = `${mode === "no-bwrap" ? "without bubblewrap" : useBwrap ? "with bubblewrap" : "without bubblewrap (not available here)"}${inBatch ? ", in a class" : ""}`;
            const where = `${label}, ${c.isolate || inBatch ? "isolated process" : "in process"}, ${graded.seconds.toFixed(1)} s${graded.graderGrowthMb !== undefined ? `, grader +${graded.graderGrowthMb.toFixed(0)} MB` : ""}`;
            if (c.needsBwrap && !useBwrap) {
              console.log(
                `${id}: NOT CHECKED (no bubblewrap): ${c.needsBwrap}. ${where}. What happened:\n  ${graded.problems.join("\n  ") || "nothing leaked"}`,
              );
              continue;
            }
            if (graded.seconds > 30) console.log(`${id}: slow: ${where}`);
            if (graded.problems.length > 0)
              report.push(`[${where}] per export: ${perExportLine(graded.result, base)}`, ...graded.problems.map((p) => `[${label}] ${p}`));
          }
        }
        expect(report).toEqual([]);
      },
      (c.isolate || c.batch ? ISOLATE_TIMEOUT_MS + 30_000 : 60_000) * 2 * ways.length,
    );
  }
});
