/**
 * The hostile submissions of fixtures/hostile/: the manifest, and assembling one case into a fresh
 * folder the grader can grade. A case folder holds only its own files; the helpers every layers
 * case shares (correct.js, wrong.js) live once in fixtures/hostile/_shared/ and are copied next to
 * the case's files when the case imports them, and the symlinks a case needs (git does not carry
 * them portably) are created from hostile.json's `symlinks`, with absolute targets.
 *
 * By hand:  node --import tsx test/helpers/hostile-assemble.ts <case-id> [<parent folder>]
 * prints the assembled folder (<parent>/<case-id>, by default in a new temporary folder).
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { extname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { AssignmentName } from "../../graders/cases/case";
import type { TestKind } from "../../graders/result-model";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/**
 * The kinds of tests the hostile suite grades: all but efficiency, whose own attacks (frozen
 * clocks, forged summaries, stubs, per-row Jacobians) are in test/unit/checks/efficiency.test.ts.
 */
export const HOSTILE_KINDS: TestKind[] = ["golden", "hidden", "gradcheck", "properties", "training"];
export const HOSTILE_DIR = join(ROOT, "fixtures", "hostile");
export const SHARED_DIR = join(HOSTILE_DIR, "_shared");
/** Shared files that are not kept in _shared/ because they exist elsewhere already: the correct
 *  layers are the sample student ada-loops-js's, used as they are. */
const SHARED_ELSEWHERE: Record<string, string> = {
  "correct.js": join(ROOT, "fixtures", "submissions", "layers", "ada-loops-js", "layers.js"),
};
const sharedPath = (name: string) => SHARED_ELSEWHERE[name] ?? join(SHARED_DIR, name);

export type AttackedStatus = "could-not-check" | "failed" | "either";

/** One entry of fixtures/hostile/hostile.json (hostile.schema.json says what each field means). */
export interface HostileCase {
  assignment: AssignmentName;
  attack: string;
  attacked: "all" | string[];
  mayLose?: string[];
  expect: string;
  attackedStatus?: AttackedStatus;
  compiles?: boolean;
  compileErrorMustNotMatch?: string;
  studentOutputMustNotMatch?: string;
  noFiles?: string[];
  network?: { tcp?: number[]; udp?: number[]; unix?: string[]; mustNotAccept?: number[] };
  env?: Record<string, string>;
  isolate?: string;
  graderMemoryMb?: number;
  symlinks?: Record<string, string>;
  needsBwrap?: string;
  messageMustInclude?: Record<string, string>;
  batch?: string;
}

/** How many children one sandbox of a grading started (test/helpers/hostile-run.ts): 1 unless its child ended. */
export interface SandboxStarts {
  bundle: string;
  children: number;
  /** whether the sandbox runs a hostile case's code (its sources, in the bundle's source map, say HOSTILE) */
  hostile: boolean;
}

/** Whether a compiled bundle was made from a hostile case: its sources, inlined in its source map, say HOSTILE. */
export function isHostileBundle(file: string): boolean {
  const code = readFileSync(file, "utf8");
  const map = /sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)/.exec(code)?.[1];
  return (map ? Buffer.from(map, "base64").toString("utf8") : code).includes("HOSTILE");
}

export interface HostileManifest {
  cases: Record<string, HostileCase>;
}

export function loadHostileManifest(): HostileManifest {
  return JSON.parse(readFileSync(join(HOSTILE_DIR, "hostile.json"), "utf8")) as HostileManifest;
}

/** The case folders under fixtures/hostile/ (everything but _shared/). */
export function caseFolders(): string[] {
  return readdirSync(HOSTILE_DIR)
    .filter((n) => !n.startsWith("_") && statSync(join(HOSTILE_DIR, n)).isDirectory())
    .sort();
}

const SOURCE = new Set([".js", ".mjs", ".cjs", ".ts", ".mts", ".cts"]);

/** The _shared/ files that the case's sources import as ./<name>. */
function sharedImports(caseDir: string): string[] {
  const sources = readdirSync(caseDir)
    .filter((n) => SOURCE.has(extname(n)))
    .map((n) => readFileSync(join(caseDir, n), "utf8"));
  return [...readdirSync(SHARED_DIR), ...Object.keys(SHARED_ELSEWHERE)].filter((shared) => {
    const spec = new RegExp(`["']\\./${shared.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}["']`);
    return sources.some((text) => spec.test(text));
  });
}

/**
 * Assemble case `id` into `<parent>/<id>` (a new temporary parent by default) and return that
 * folder: the case's files, the _shared/ files it imports, and its symlinks.
 */
export function assembleCase(id: string, c: HostileCase, parent = mkdtempSync(join(tmpdir(), "hx-assembled-"))): string {
  const from = join(HOSTILE_DIR, id);
  if (!existsSync(from)) throw new Error(`no folder fixtures/hostile/${id}`);
  const dir = join(parent, id);
  if (existsSync(dir)) throw new Error(`${dir} exists already: assemble into a fresh folder`);
  mkdirSync(dir, { recursive: true });
  cpSync(from, dir, { recursive: true });
  for (const shared of sharedImports(from)) {
    if (!existsSync(join(dir, shared))) cpSync(sharedPath(shared), join(dir, shared));
  }
  for (const [name, target] of Object.entries(c.symlinks ?? {})) {
    symlinkSync(isAbsolute(target) ? target : join(ROOT, target), join(dir, name));
  }
  return dir;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [id, parent] = process.argv.slice(2);
  const c = id ? loadHostileManifest().cases[id] : undefined;
  if (!id || !c) {
    process.stderr.write(
      `usage: node --import tsx test/helpers/hostile-assemble.ts <case-id> [<parent folder>]\ncases: ${Object.keys(loadHostileManifest().cases).join(" ")}\n`,
    );
    process.exit(2);
  }
  if (parent) mkdirSync(parent, { recursive: true });
  process.stdout.write(`${assembleCase(id, c, parent ? resolve(parent) : undefined)}\n`);
}
