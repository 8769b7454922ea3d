/**
 * What a correct implementation answers to each efficiency case, as summaries (cases/summarize.ts).
 * The visible efficiency tests have fixed seeds (`visible:<test name>`), so their expected
 * summaries are committed in fixtures/efficiency/<assignment>.json, made from the reference by
 * `npm run fixtures` (cases/efficiency-fixture.ts) and checked byte for byte like the golden
 * files: grading needs no reference run for them, and a starter kit without reference code can
 * run the check. A case the file does not hold (a hidden test's secret seed) is summarized from
 * the implementation the caller gives (the live reference), once per grading process.
 * This module imports no reference code.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { rootPath } from "../paths";
import { type Summary, summarize } from "./summarize";
import type { ReferenceAnswers } from "../reference/reference-answers";
import { type Sizes, efficiencyCase } from "./scale";
import type { AssignmentName } from "./case";

/** One efficiency case (an export at one size, from one seed) and the summaries of its outputs. */
export interface ExpectedEntry {
  /** The manifest test it belongs to (for readers; the lookup is by export, seed and sizes). */
  test: string;
  export: string;
  seed: string;
  sizes: Sizes;
  summaries: Record<string, Summary>;
}

export interface ExpectedFile {
  format: 1;
  assignment: AssignmentName;
  generator: string;
  entries: ExpectedEntry[];
}

export const EFFICIENCY_DIR = `${rootPath("fixtures", "efficiency")}/`;

export function expectedSummariesPath(assignment: AssignmentName): string {
  return `${EFFICIENCY_DIR}${assignment}.json`;
}

/** The seed the sandbox builds the cases from: a one-way hash of the test's (secret for hidden tests). */
export function efficiencySeed(testSeed: string): string {
  return createHash("sha256").update(`efficiency:${testSeed}`).digest("hex").slice(0, 24);
}

const sizesKey = (s: Sizes) => `${s.N}x${s.D}x${s.M}x${s.H}x${s.C}`;
const entryKey = (exportName: string, seed: string, sizes: Sizes) => `${exportName}|${seed}|${sizesKey(sizes)}`;

/** The summaries of `names` (outputs of `exportName`) that the reference answers on the efficiency case (seed, sizes). */
export function summariesOf(reference: ReferenceAnswers, exportName: string, seed: string, sizes: Sizes, names: string[]): Record<string, Summary> {
  const { case: c, forwardOnly } = efficiencyCase(exportName, seed, sizes);
  const result = reference.run(c, { forwardOnly });
  return Object.fromEntries(names.map((n) => [n, summarize(n, result[n])]));
}

const files = new Map<AssignmentName, Map<string, Record<string, Summary>>>();
const live = new Map<string, Record<string, Summary>>();
const LIVE_LIMIT = 512;

/** The committed entries of an assignment by key; empty when there is no file. A malformed file is a grader error (thrown). */
function committed(assignment: AssignmentName): Map<string, Record<string, Summary>> {
  let m = files.get(assignment);
  if (m) return m;
  m = new Map();
  let text: string | null;
  try {
    text = readFileSync(expectedSummariesPath(assignment), "utf8");
  } catch {
    text = null;
  }
  if (text !== null) {
    const file = JSON.parse(text) as ExpectedFile;
    if (file.format !== 1 || file.assignment !== assignment || !Array.isArray(file.entries))
      throw new Error(`${expectedSummariesPath(assignment)} is not an expected-summaries file of ${assignment} (run npm run fixtures)`);
    for (const e of file.entries) m.set(entryKey(e.export, e.seed, e.sizes), e.summaries);
  }
  files.set(assignment, m);
  return m;
}

/**
 * The expected summaries of `names` for `exportName` on the efficiency case (seed, sizes): from
 * the committed file, else from `reference` (kept for the rest of the grading process), else null
 * (no file entry and no reference to compute it with).
 */
export function expectedSummaries(
  assignment: AssignmentName,
  exportName: string,
  seed: string,
  sizes: Sizes,
  names: string[],
  reference?: ReferenceAnswers,
): Record<string, Summary> | null {
  const key = entryKey(exportName, seed, sizes);
  const fixed = committed(assignment).get(key);
  if (fixed && names.every((n) => n in fixed)) return fixed;
  const liveKey = `${assignment}|${key}|${names.join(",")}`;
  let computed = live.get(liveKey);
  if (!computed && reference) {
    computed = summariesOf(reference, exportName, seed, sizes, names);
    if (live.size >= LIVE_LIMIT) live.delete(live.keys().next().value as string);
    live.set(liveKey, computed);
  }
  return computed ?? null;
}
