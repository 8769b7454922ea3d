/**
 * Code similarity between every pair of students of a class, for the staff: Dolos's algorithm
 * (@dodona/dolos-core: winnowed k-gram fingerprints of a token stream, the pair's similarity is
 * the share of both files covered by shared fingerprints) over each student's submitted code, with
 * the handout's skeleton as the template whose fingerprints never count, so the boilerplate every
 * student starts from is not similarity.
 *
 * Dolos's own front end (@dodona/dolos-lib) parses with tree-sitter grammars, native modules that
 * npm can only build with node-gyp (a C++ toolchain and Node's headers from the internet) except
 * on the one platform whose binaries its package happens to ship; so the tokens come from
 * TypeScript's parser instead (the `typescript` package, already the project's compiler), in the
 * shape Dolos's CodeTokenizer gives a tree-sitter tree: for every syntax node "(", its kind, its
 * children, ")". Names, comments, whitespace and line breaks are not tokens: renaming the local
 * variables, dropping the comments or joining the lines of a copied solution changes nothing.
 *
 * Each student is one document: their .ts/.js/.mjs files in path order, each parsed on its own.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { File, FingerprintIndex, Region, TokenizedFile } from "@dodona/dolos-core";
import { stringify } from "csv-stringify/sync";

/** Dolos's defaults (dolos-lib Options): k-grams of 23 tokens, winnowed in windows of 17. */
const KGRAM_LENGTH = 23;
const KGRAMS_IN_WINDOW = 17;
const CODE = /\.(ts|mts|cts|js|mjs|cjs)$/;
/** Larger files are not code a student wrote for this course (a bundled library): left out. */
const MAX_FILE_BYTES = 256 * 1024;

interface Fragment {
  /** 1-based lines of the student's file, inclusive. */
  a: { file: string; from: number; to: number; text: string };
  b: { file: string; from: number; to: number; text: string };
}

interface SimilarityPair {
  a: string;
  b: string;
  /** Dolos's similarity: the share of both students' tokens covered by shared fingerprints, 0–1. */
  similarity: number;
  /** The longest run of shared fingerprints (k-grams). */
  longest: number;
  /** The shared fragments, longest first (only for the top pairs). */
  fragments: Fragment[];
}

export interface ClassSimilarity {
  /** Every pair of students with code, highest similarity first. */
  pairs: SimilarityPair[];
  /** Students compared. */
  students: number;
  /** Students with no .ts/.js code to compare (nothing handed in, or only other files). */
  withoutCode: string[];
  /** Wall time of the comparison, ms. */
  ms: number;
}

/** One code file of a student, tokenized (rows of its own file). */
interface CodeFile {
  /** Its path in the student's folder, with "/". */
  file: string;
  text: string;
  tokens: string[];
  mapping: Region[];
}

/** A student's files, and the whole as one document (the files one after the other). */
interface Document {
  files: CodeFile[];
  content: string;
  tokens: string[];
  mapping: Region[];
}

type TS = typeof import("typescript");

function codeFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((x, y) => (x.name < y.name ? -1 : 1))) {
      if (e.name.startsWith(".") || e.name === "node_modules") continue;
      const path = join(d, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.isFile() && CODE.test(e.name) && statSync(path).size <= MAX_FILE_BYTES) found.push(path);
    }
  };
  walk(dir);
  return found;
}

/** Dolos's CodeTokenizer.tokenizeNode, on TypeScript's syntax tree: "(", kind, children, ")". */
function tokenizeFile(ts: TS, name: string, text: string): { tokens: string[]; mapping: Region[] } {
  const tokens: string[] = [];
  const mapping: Region[] = [];
  const kind = /\.(js|mjs|cjs)$/.test(name) ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(name, text, ts.ScriptTarget.Latest, false, kind);
  const visit = (node: import("typescript").Node): [number, number] => {
    const start = sf.getLineAndCharacterOfPosition(node.getStart(sf));
    const end = sf.getLineAndCharacterOfPosition(node.getEnd());
    const location = new Region(start.line, start.character, end.line, end.character);
    tokens.push("(", String(node.kind));
    mapping.push(location, location);
    ts.forEachChild(node, (child) => {
      const [row, col] = visit(child);
      // as Dolos does: the node's own region ends where its first child's code begins
      if (row < location.endRow || (row === location.endRow && col < location.endCol)) {
        location.endRow = row;
        location.endCol = col;
      }
    });
    tokens.push(")");
    mapping.push(location);
    return [location.startRow, location.startCol];
  };
  // forEachChild stops at the first callback that returns something: visit's result is not returned
  ts.forEachChild(sf, (node) => {
    visit(node);
  });
  return { tokens, mapping };
}

function documentOf(ts: TS, dir: string): Document {
  const files = codeFiles(dir).map((path): CodeFile => {
    const text = readFileSync(path, "utf8");
    return { file: relative(dir, path).split(sep).join("/"), text, ...tokenizeFile(ts, path, text) };
  });
  const tokens: string[] = [];
  const mapping: Region[] = [];
  let row = 0;
  for (const f of files) {
    tokens.push(...f.tokens);
    // the regions of the whole: a file's rows after those of the files before it
    const moved = new Map<Region, Region>();
    for (const r of f.mapping) {
      let m = moved.get(r);
      if (!m) moved.set(r, (m = new Region(r.startRow + row, r.startCol, r.endRow + row, r.endCol)));
      mapping.push(m);
    }
    row += f.text.split("\n").length;
  }
  return { files, content: files.map((f) => f.text).join("\n"), tokens, mapping };
}

const tokenized = (path: string, f: { text: string; tokens: string[]; mapping: Region[] }) => new TokenizedFile(new File(path, f.text), f.tokens, f.mapping);

/** Lines `region` covers in a file, 1-based. */
function lines(f: CodeFile, region: Region): Fragment["a"] {
  const all = f.text.split("\n");
  const to = Math.min(region.endRow, all.length - 1);
  return { file: f.file, from: region.startRow + 1, to: to + 1, text: all.slice(region.startRow, to + 1).join("\n") };
}

/**
 * The code two students share, file against file (a fragment of the whole documents could run
 * across a file's end): Dolos's fragments of every pair of their files, the template ignored,
 * the longest (most k-grams) first.
 */
function sharedFragments(a: Document, b: Document, template: Document | null, limit: number): Fragment[] {
  const index = new FingerprintIndex(KGRAM_LENGTH, KGRAMS_IN_WINDOW);
  const left = a.files.filter((f) => f.tokens.length >= KGRAM_LENGTH).map((f) => ({ f, t: tokenized(`a/${f.file}`, f) }));
  const right = b.files.filter((f) => f.tokens.length >= KGRAM_LENGTH).map((f) => ({ f, t: tokenized(`b/${f.file}`, f) }));
  if (left.length === 0 || right.length === 0) return [];
  index.addFiles([...left.map((x) => x.t), ...right.map((x) => x.t)]);
  for (const f of template?.files ?? []) if (f.tokens.length >= KGRAM_LENGTH) index.addIgnoredFile(tokenized(`template/${f.file}`, f));
  const found: { size: number; fragment: Fragment }[] = [];
  for (const l of left) {
    for (const r of right) {
      const pair = index.getPair(l.t, r.t);
      if (pair.similarity === 0) continue;
      for (const frag of pair.buildFragments()) {
        // the pair's left file is the one added first: a's
        const [ra, rb] = pair.leftFile === l.t ? [frag.leftSelection, frag.rightSelection] : [frag.rightSelection, frag.leftSelection];
        found.push({ size: frag.pairs.length, fragment: { a: lines(l.f, ra), b: lines(r.f, rb) } });
      }
    }
  }
  return found
    .sort((x, y) => y.size - x.size)
    .slice(0, limit)
    .map((x) => x.fragment);
}

export interface SimilarityOptions {
  /** The handout's skeleton folder: its code is the template (never counted). */
  template?: string;
  /** How many of the top pairs get their shared fragments (default 10). */
  withFragments?: number;
  /** Fragments kept per pair, longest first (default 5). */
  fragmentsPerPair?: number;
}

/** Compare every pair of `students` (folders of `dir`). */
export async function classSimilarity(dir: string, students: string[], options: SimilarityOptions = {}): Promise<ClassSimilarity> {
  const started = performance.now();
  const ts = (await import("typescript")).default;
  const docs = new Map<string, Document>();
  const withoutCode: string[] = [];
  for (const student of students) {
    const doc = documentOf(ts, join(dir, student));
    // fewer tokens than one k-gram: nothing to fingerprint
    if (doc.tokens.length < KGRAM_LENGTH) withoutCode.push(student);
    else docs.set(student, doc);
  }
  if (docs.size < 2) return { pairs: [], students: docs.size, withoutCode, ms: performance.now() - started };
  const index = new FingerprintIndex(KGRAM_LENGTH, KGRAMS_IN_WINDOW);
  const files = new Map<number, { student: string; doc: Document }>();
  index.addFiles(
    [...docs].map(([student, doc]) => {
      const f = tokenized(student, { text: doc.content, tokens: doc.tokens, mapping: doc.mapping });
      files.set(f.id, { student, doc });
      return f;
    }),
  );
  const template = options.template ? documentOf(ts, options.template) : null;
  if (template && template.tokens.length >= KGRAM_LENGTH)
    index.addIgnoredFile(new TokenizedFile(new File("template", template.content), template.tokens, template.mapping));
  const withFragments = options.withFragments ?? 10;
  const perPair = options.fragmentsPerPair ?? 5;
  const byCodeUnits = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  const ranked = index.allPairs().map((pair) => {
    const left = files.get(pair.leftFile.id)!;
    const right = files.get(pair.rightFile.id)!;
    const swap = byCodeUnits(left.student, right.student) > 0;
    return { pair, a: swap ? right : left, b: swap ? left : right };
  });
  ranked.sort((x, y) => y.pair.similarity - x.pair.similarity || byCodeUnits(x.a.student, y.a.student) || byCodeUnits(x.b.student, y.b.student));
  const pairs = ranked.map(({ pair, a, b }, k): SimilarityPair => {
    const fragments = k < withFragments && pair.similarity > 0 ? sharedFragments(a.doc, b.doc, template, perPair) : [];
    return { a: a.student, b: b.student, similarity: pair.similarity, longest: pair.longest, fragments };
  });
  return { pairs, students: docs.size, withoutCode, ms: performance.now() - started };
}

/** OUT/similarity.csv: every pair, highest similarity first (to 4 decimals, 0–1). */
export function toSimilarityCsv(sim: ClassSimilarity): string {
  return stringify([["student_a", "student_b", "similarity"], ...sim.pairs.map((p) => [p.a, p.b, p.similarity.toFixed(4)])]);
}
