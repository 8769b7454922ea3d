/**
 * Mutation testing of the grader (`npm run mutation`), the pure part: which test kinds judge a
 * mutant, how the active mutant reaches the sandboxed child, how a mutant's grading run ends,
 * and how Stryker's JSON report becomes a score per assignment with its survivors split into
 * recorded equivalent mutants (scripts/equivalent-mutants.json) and real grader gaps.
 * No I/O here: scripts/mutation.ts and scripts/mutant-grade.ts do that.
 */
import type { TestKind } from "../graders/result-model";

/**
 * The kinds a mutant is graded with. "efficiency" is left out: it judges how a submission's time
 * grows with the input width, which a mutant of a vectorized reference never changes, and its
 * value checks are the golden tests' at other sizes. Everything else (training included) is graded.
 */
export const MUTATION_KINDS: readonly TestKind[] = ["golden", "hidden", "gradcheck", "properties", "training"];

/** The fixed seed of the hidden cases during a mutation run (reproducible runs). */
export const MUTATION_SECRET = "mutation-testing";

/** What mutant-grade prints when a mutant's lost points come only from grader errors or a crash
 *  of the harness itself: Stryker then counts it as killed, the summary counts it as an error. */
export const HARNESS_MARK = "MUTANT-GRADE HARNESS ERROR";

/**
 * The instrumented source with the active mutant set on its first line. Stryker's instrumented
 * code reads `globalThis.__stryker__.activeMutant` (or, once, the environment variable), but the
 * grader runs a submission in a child with an empty environment: the id must travel in the code.
 * Every instrumented file gets the line, so whichever module is evaluated first (imports run
 * before their importer) sets it before any of Stryker's code caches its namespace object; the
 * object is reused, not replaced, for the same reason. No id (the dry run): source unchanged.
 */
export function withActiveMutant(source: string, id: string | undefined): string {
  if (id === undefined || id === "") return source;
  return `(globalThis.__stryker__ ??= {}).activeMutant = ${JSON.stringify(id)};\n${source}`;
}

/** How one mutant's grading ended, as mutant-grade reports it to Stryker (exit code 0 = survived). */
export type MutantVerdict = "survived" | "killed" | "harness-error";

/**
 * Full marks: survived. Points lost to the student's code (failed, could not check): killed.
 * Points lost to grader errors only: the grader, not the mutant, is in question (an error).
 */
export function verdictOf(tests: { score: number; points: number; status: string }[]): MutantVerdict {
  const lost = tests.filter((t) => t.score < t.points);
  if (lost.length === 0) return "survived";
  return lost.every((t) => t.status === "grader-error") ? "harness-error" : "killed";
}

export const EXIT_CODE: Record<MutantVerdict, number> = { survived: 0, killed: 1, "harness-error": 3 };

// ------------------------------------------------------------------ Stryker's JSON report
// (mutation-testing-report-schema, the parts read here)

export type MutantStatus = "Killed" | "Survived" | "NoCoverage" | "CompileError" | "RuntimeError" | "Timeout" | "Ignored" | "Pending";

export interface Position {
  line: number;
  column: number;
}

export interface ReportMutant {
  id: string;
  mutatorName: string;
  replacement?: string;
  status: MutantStatus;
  statusReason?: string;
  location: { start: Position; end: Position };
}

export interface MutationReport {
  files: Record<string, { source: string; mutants: ReportMutant[] }>;
}

/** A mutant with where it is and what it changes, for humans and for the equivalents list. */
export interface Mutant {
  id: string;
  file: string;
  line: number;
  column: number;
  mutator: string;
  /** The source text the mutant replaces. */
  original: string;
  replacement: string;
  status: MutantStatus | "HarnessError";
  statusReason?: string;
}

/** An accepted survivor, as committed in scripts/equivalent-mutants.json. */
export interface EquivalentEntry {
  file: string;
  line: number;
  mutator: string;
  original: string;
  replacement: string;
  /** Why no correct-or-wrong distinction exists for this mutant under the contract. */
  why: string;
}

export interface AssignmentSummary {
  assignment: string;
  mutants: number;
  killed: number;
  timedOut: number;
  survived: number;
  /** Survivors recorded as equivalent. */
  equivalent: number;
  /** Survivors NOT recorded as equivalent: mutants the grader should kill. */
  gaps: Mutant[];
  /** Compile/runtime errors, and mutants "killed" only by a grader error (rerun those). */
  errors: Mutant[];
  /** Stryker's score: (killed + timed out) / (killed + timed out + survived), in %. */
  score: number;
  /** The same with the recorded equivalent survivors left out of the denominator. */
  scoreWithoutEquivalent: number;
  survivors: { mutant: Mutant; equivalent?: EquivalentEntry }[];
}

/** "reference/layers/layers.ts" → "layers"; null for a file outside reference/<assignment>/. */
export function assignmentOfFile(file: string): string | null {
  const m = /(?:^|[\\/])reference[\\/]([^\\/]+)[\\/]/.exec(file);
  return m ? m[1] : null;
}

/** The text between two 1-based (line, column) positions of `source`, end exclusive. */
export function sliceSource(source: string, start: Position, end: Position): string {
  const lines = source.split("\n");
  const offset = (p: Position) => lines.slice(0, p.line - 1).reduce((n, l) => n + l.length + 1, 0) + p.column - 1;
  return source.slice(offset(start), offset(end));
}

/** Every mutant of the report, flattened, with its original text and file path (forward slashes). */
export function mutantsOf(report: MutationReport): Mutant[] {
  return Object.entries(report.files).flatMap(([file, f]) =>
    f.mutants.map((m) => ({
      id: m.id,
      file: file.replace(/\\/g, "/"),
      line: m.location.start.line,
      column: m.location.start.column,
      mutator: m.mutatorName,
      original: sliceSource(f.source, m.location.start, m.location.end),
      replacement: m.replacement ?? "",
      status: m.status === "Killed" && m.statusReason?.includes(HARNESS_MARK) ? "HarnessError" : m.status,
      ...(m.statusReason ? { statusReason: m.statusReason } : {}),
    })),
  );
}

const sameFile = (a: string, b: string) => a === b || a.endsWith(`/${b}`) || b.endsWith(`/${a}`);

/**
 * Pair survivors with recorded equivalents: file, mutator, original text and replacement must
 * match, and the line too, unless that survivor is the only one with this text in the file (so
 * an edit above a recorded mutant does not orphan its entry, and an entry never drifts onto
 * another survivor with the same text). Entries that match no survivor are stale.
 */
export function matchEquivalents(survivors: Mutant[], entries: EquivalentEntry[]): { matched: Map<Mutant, EquivalentEntry>; stale: EquivalentEntry[] } {
  const matched = new Map<Mutant, EquivalentEntry>();
  const stale: EquivalentEntry[] = [];
  for (const e of entries) {
    const same = survivors.filter((m) => sameFile(m.file, e.file) && m.mutator === e.mutator && m.original === e.original && m.replacement === e.replacement);
    const pick = same.find((m) => m.line === e.line) ?? (same.length === 1 ? same[0] : undefined);
    if (pick && !matched.has(pick)) matched.set(pick, e);
    else stale.push(e);
  }
  return { matched, stale };
}

const percent = (detected: number, valid: number) => (valid === 0 ? 100 : (100 * detected) / valid);

/** One summary per assignment found in the report (and the equivalents that matched nothing). */
export function summarize(report: MutationReport, equivalents: EquivalentEntry[]): { summaries: AssignmentSummary[]; stale: EquivalentEntry[] } {
  const all = mutantsOf(report);
  const survivors = all.filter((m) => m.status === "Survived" || m.status === "NoCoverage");
  const { matched, stale } = matchEquivalents(
    survivors,
    equivalents.filter((e) => all.some((m) => sameFile(m.file, e.file))),
  );
  const byAssignment = new Map<string, Mutant[]>();
  for (const m of all) {
    const a = assignmentOfFile(m.file) ?? m.file;
    byAssignment.set(a, [...(byAssignment.get(a) ?? []), m]);
  }
  const summaries = [...byAssignment].map(([assignment, ms]): AssignmentSummary => {
    const count = (...s: Mutant["status"][]) => ms.filter((m) => s.includes(m.status)).length;
    const killed = count("Killed");
    const timedOut = count("Timeout");
    const mine = ms.filter((m) => m.status === "Survived" || m.status === "NoCoverage");
    const equivalent = mine.filter((m) => matched.has(m)).length;
    const detected = killed + timedOut;
    return {
      assignment,
      mutants: ms.length,
      killed,
      timedOut,
      survived: mine.length,
      equivalent,
      gaps: mine.filter((m) => !matched.has(m)),
      errors: ms.filter((m) => m.status === "CompileError" || m.status === "RuntimeError" || m.status === "HarnessError"),
      score: percent(detected, detected + mine.length),
      scoreWithoutEquivalent: percent(detected, detected + mine.length - equivalent),
      survivors: mine.map((m) => ({ mutant: m, ...(matched.has(m) ? { equivalent: matched.get(m)! } : {}) })),
    };
  });
  return { summaries, stale };
}

/** "reference/layers/layers.ts:42:7 ConditionalExpression `v > 0` → `true`" */
export function describeMutant(m: Mutant): string {
  const oneLine = (s: string) => (s.length > 80 ? `${s.slice(0, 77)}…` : s).replace(/\s*\n\s*/g, " ");
  return `${m.file}:${m.line}:${m.column} ${m.mutator} \`${oneLine(m.original)}\` → \`${oneLine(m.replacement)}\``;
}

/** The per-assignment table `npm run mutation` prints. */
export function formatTable(rows: (AssignmentSummary & { seconds?: number })[]): string {
  const head = ["assignment", "mutants", "killed", "timeout", "survived", "equivalent", "gaps", "errors", "score", "w/o equiv.", "time"];
  const body = rows.map((r) => [
    r.assignment,
    String(r.mutants),
    String(r.killed),
    String(r.timedOut),
    String(r.survived),
    String(r.equivalent),
    String(r.gaps.length),
    String(r.errors.length),
    `${r.score.toFixed(1)} %`,
    `${r.scoreWithoutEquivalent.toFixed(1)} %`,
    r.seconds === undefined ? "" : formatDuration(r.seconds),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join("  ")
      .trimEnd();
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}

export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
}
