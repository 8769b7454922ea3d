/**
 * Finding reference code in a folder (the starter kit must hold none, in any form): every function
 * body of reference/ and every distinctive numeric constant, looked for in every file of the folder.
 *
 * Both sides are read with TypeScript's parser (so template literals and regular expressions are
 * single tokens) after esbuild has compiled the TypeScript to JavaScript, as a bundle of it would
 * be printed, and minified, and normalized (normalized() below): comments and whitespace are gone,
 * an identifier becomes "$" (a bundler or minifier renames variables) unless it is a name a bundler
 * keeps (this.z, x.mmul, an object key), numbers are their value, strings their contents. A body (the block of a function, method, constructor or
 * arrow) is found when its token sequence occurs in a file's. Bodies shorter than MIN_TOKENS (`{ return $ + $; }`) are everywhere and prove nothing:
 * they are counted, not looked for. A constant is distinctive when it is not a small integer and
 * not a value the contract itself states (a default slope 0.1).
 */
import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { extname, join, relative } from "node:path";
import { buildSync, transformSync } from "esbuild";
import ts from "typescript";

export const MIN_TOKENS = 10;
/** Numbers any code has, or the contract states (docs/api.md, layers: slope = 0.1, alpha = 1). */
const COMMON = new Set(["0.1", "0.5"]);
const SEP = "\u0001";

/**
 * The leaves of a syntax tree, normalized (normalized() below), in source order, joined; "; let" is
 * read as "," on both sides, since a minifier merges a declaration into the one before it.
 */
function joined(node: ts.Node, file: ts.SourceFile): string {
  return tokensOf(node, file).join(SEP).replaceAll(`;${SEP}let${SEP}`, `,${SEP}`);
}

function tokensOf(node: ts.Node, file: ts.SourceFile, out: string[] = []): string[] {
  const children = node.getChildren(file);
  if (children.length === 0 && node.kind !== ts.SyntaxKind.EndOfFileToken && node.kind !== ts.SyntaxKind.SyntaxList) {
    out.push(...normalized(node, file));
    return out;
  }
  for (const child of children) tokensOf(child, file, out);
  return out;
}

/**
 * One leaf as the tokens compared. Names a bundler keeps (properties, class members, object keys)
 * stay, as ".name"; every other identifier is "$"; a shorthand { x } is { x: $ }, as a bundler
 * that renames x prints it; `const` is `let` (esbuild's minifier turns one into the other).
 */
function normalized(leaf: ts.Node, file: ts.SourceFile): string[] {
  if (ts.isIdentifier(leaf)) {
    const p = leaf.parent;
    const kept = `.${leaf.text}`;
    if (
      (ts.isShorthandPropertyAssignment(p) && p.name === leaf) ||
      (ts.isBindingElement(p) && p.name === leaf && !p.propertyName && ts.isObjectBindingPattern(p.parent))
    )
      return [kept, ":", "$"];
    if (
      (ts.isPropertyAccessExpression(p) ||
        ts.isPropertyAssignment(p) ||
        ts.isMethodDeclaration(p) ||
        ts.isPropertyDeclaration(p) ||
        ts.isGetAccessor(p) ||
        ts.isSetAccessor(p)) &&
      p.name === leaf
    )
      return [kept];
    if (ts.isBindingElement(p) && p.propertyName === leaf) return [kept];
    return ["$"];
  }
  if (ts.isPrivateIdentifier(leaf)) return ["$"];
  if (ts.isNumericLiteral(leaf)) return [`#${Number(leaf.text.replaceAll("_", ""))}`];
  if (ts.isStringLiteral(leaf) || ts.isNoSubstitutionTemplateLiteral(leaf)) return [JSON.stringify(leaf.text)];
  if (leaf.kind === ts.SyntaxKind.ConstKeyword) return ["let"];
  return [leaf.getText(file)];
}

const parse = (text: string) => ts.createSourceFile("x.js", text, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
/** TypeScript (or JavaScript) as esbuild prints it, types gone, for both sides of the comparison. */
const compiled = (source: string) => transformSync(source, { loader: "ts", format: "esm", target: "node20" }).code;

export interface ReferenceFingerprints {
  /** Each function body long enough to look for: where it is, and its tokens joined. */
  bodies: { where: string; tokens: number; text: string }[];
  /** How many bodies were too short to look for. */
  short: number;
  /** Distinctive numeric constants, by value, with a file that has each. */
  constants: Map<string, string>;
}

/** The function bodies and constants of every .ts file under `dir` (reference/). */
export function referenceFingerprints(dir: string): ReferenceFingerprints {
  const result: ReferenceFingerprints = { bodies: [], short: 0, constants: new Map() };
  const seen = new Set<string>();
  for (const [path, minify] of filesUnder(dir)
    .filter((f) => f.endsWith(".ts"))
    .flatMap(
      (f) =>
        [
          [f, false],
          [f, true],
        ] as const,
    )) {
    // minified: a minified bundle of the file (a bundle lowers TypeScript a little differently), printed as every file looked in is (codeOf)
    const file = parse(
      minify
        ? compiled(
            buildSync({ entryPoints: [path], bundle: true, minify: true, format: "esm", platform: "node", packages: "external", write: false }).outputFiles[0]
              .text,
          )
        : compiled(readFileSync(path, "utf8")),
    );
    const visit = (node: ts.Node) => {
      // a function's or method's block, not an arrow's expression: an expression is a fragment of the
      // body around it (looked for in its own right), and fragments such as `n.inputs.every((i) => s.has(i))` are idioms
      if (ts.isFunctionLike(node) && "body" in node && node.body && ts.isBlock(node.body as ts.Node)) {
        const text = joined(node.body as ts.Node, file);
        const tokens = text.split(SEP).length;
        const name = (node as { name?: ts.Node }).name?.getText(file) ?? "(anonymous)";
        if (tokens < MIN_TOKENS) result.short += minify ? 0 : 1;
        else if (!seen.has(text)) result.bodies.push({ where: `${relative(join(dir, ".."), path)}: ${minify ? "minified " : ""}${name}`, tokens, text });
        seen.add(text);
      }
      if (ts.isNumericLiteral(node)) {
        const v = String(Number(node.text));
        if (!(Number.isInteger(Number(v)) && Math.abs(Number(v)) <= 16) && !COMMON.has(v)) result.constants.set(v, relative(join(dir, ".."), path));
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return result;
}

export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}

/** Source as esbuild prints it, or as it is when it is not TypeScript (a shell line, a formula). */
function printed(source: string): string {
  try {
    return compiled(source);
  } catch {
    return source;
  }
}

/** codeOf's results by file content: the kits of all assignments share their prebuilt self-check. */
const scanned = new Map<string, string | null>();

/**
 * The code in a file, as tokens joined: JavaScript and TypeScript whole, as esbuild prints it (a
 * minified file stays minified: the minified bodies are looked for in it), Markdown's fenced
 * blocks; other files have none.
 */
function codeOf(path: string): string | null {
  const text = readFileSync(path, "utf8");
  const ext = extname(path);
  const key = `${ext}:${createHash("sha256").update(text).digest("hex")}`;
  if (scanned.has(key)) return scanned.get(key)!;
  let sources: string[] | null = null;
  if ([".js", ".mjs", ".cjs", ".ts", ".mts"].includes(ext)) sources = [printed(text)];
  else if (ext === ".md") sources = [...text.matchAll(/^```[^\n]*\n([\s\S]*?)^```/gm)].flatMap((m) => [m[1], printed(m[1])]);
  const code =
    sources &&
    `${SEP}${sources
      .map((s) => {
        const file = parse(s);
        return joined(file, file);
      })
      .join(SEP)}${SEP}`;
  scanned.set(key, code);
  return code;
}

export interface Leak {
  file: string;
  what: string;
}

/** Every reference body and distinctive constant found in a file under `dir`. */
export function findLeaks(dir: string, reference: ReferenceFingerprints): Leak[] {
  const leaks: Leak[] = [];
  for (const path of filesUnder(dir)) {
    if (path.includes(`${join(dir, "node_modules")}`)) continue;
    const code = codeOf(path);
    const file = relative(dir, path);
    if (code !== null) {
      for (const b of reference.bodies) if (code.includes(`${SEP}${b.text}${SEP}`)) leaks.push({ file, what: `the body of ${b.where} (${b.tokens} tokens)` });
    }
    // constants anywhere, data files too: as a number token in code, as a JSON or text number elsewhere
    const text = code ?? readFileSync(path, "utf8");
    for (const [v, from] of reference.constants) {
      const found = code !== null ? code.includes(`${SEP}#${v}${SEP}`) : new RegExp(`(?<![\\w.])${v.replace(/[.+]/g, "\\$&")}(?![\\w.])`).test(text);
      if (found) leaks.push({ file, what: `the constant ${v} of ${from}` });
    }
  }
  return leaks;
}
