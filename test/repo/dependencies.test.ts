/**
 * Dependencies point downward: reading data loads no behaviour above it. The manifest module reads
 * a manifest and loads no check (the check registry validates check names where grading loads a
 * manifest, checks/registry.ts loadGradedManifest), and nothing under graders/cases/ loads a check.
 * Measured by what esbuild bundles from each entry (type-only imports are erased, as at run time).
 *
 * And the rule over the whole of graders/, as data (LAYERS, bottom to top): every import line,
 * type-only ones included, points to the module's own layer or a lower one, but for the upward
 * imports listed with their reason (KNOWN_UPWARD, which may only shrink); and inside checks/ no
 * check imports another check (CHECK_INFRASTRUCTURE is what they share).
 */
import { describe, expect, it } from "@jest/globals";
import { build } from "esbuild";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { posix } from "node:path";
import ts from "typescript";

/** The repository's files a module loads, and the packages it imports. */
async function loads(entry: string): Promise<{ files: string[]; packages: string[] }> {
  const { metafile } = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    platform: "node",
    format: "esm",
    packages: "external",
    logLevel: "silent",
  });
  const packages = Object.values(metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path));
  return { files: Object.keys(metafile.inputs), packages };
}

describe("dependencies point downward", () => {
  it("reading a manifest loads no check, nor fast-check", async () => {
    const { files, packages } = await loads("graders/manifest.ts");
    expect(files).toContain("graders/manifest.ts");
    expect(files.filter((f) => f.startsWith("graders/checks/"))).toEqual([]);
    expect(packages).not.toContain("fast-check");
  });

  it.each(readdirSync("graders/cases").filter((f) => f.endsWith(".ts")))("graders/cases/%s loads no check", async (file) => {
    const { files } = await loads(`graders/cases/${file}`);
    expect(files.filter((f) => f.startsWith("graders/checks/"))).toEqual([]);
  });
});

/**
 * The layers of graders/, bottom to top: a module may import from its own layer or a lower one.
 * Every file under graders/ must be in exactly one layer (a new folder or top-level file has to be
 * placed here). reference/ (the course's reference implementations) sits with cases/ and
 * graders/reference/: the cases are run by it and it answers for them.
 */
const LAYERS: { name: string; paths: string[] }[] = [
  { name: "base", paths: ["graders/paths.ts", "graders/ajv.ts", "graders/secret.ts", "graders/format-number.ts", "graders/sorted-keys.ts"] },
  { name: "result model", paths: ["graders/result-model.ts"] },
  { name: "cases", paths: ["graders/cases/", "graders/reference/", "reference/", "graders/contract.ts", "graders/manifest.ts"] },
  { name: "submission", paths: ["graders/submission/"] },
  { name: "sandbox", paths: ["graders/sandbox/"] },
  { name: "judge", paths: ["graders/judge/"] },
  { name: "checks", paths: ["graders/checks/"] },
  { name: "results", paths: ["graders/results/"] },
  { name: "grade", paths: ["graders/grade.ts", "graders/grading/", "graders/batch.ts"] },
  { name: "staff", paths: ["graders/staff/"] },
];

/**
 * The upward imports left, each with why. The test fails on any other upward import, and on an
 * entry here that no longer happens (so the list only shrinks). `type`: the import is type-only
 * (erased at run time, so it loads nothing); the rest load the module.
 */
const KNOWN_UPWARD: { from: string; to: string; type: boolean; why: string }[] = [
  {
    from: "graders/manifest.ts",
    to: "graders/judge/tolerance.ts",
    type: true,
    why: "a manifest's tolerance is typed by the judge; the Tolerance type could move to cases/",
  },
  ...[
    ["graders/grade.ts", true],
    ["graders/grading/submission-grader.ts", false],
    ["graders/batch.ts", false],
  ].map(([from, type]) => ({
    from: from as string,
    to: "graders/staff/answer-fingerprints.ts",
    type: type as boolean,
    why: "grading records the staff-only fingerprints of the hidden answers as it runs them; the fingerprint could move to results/",
  })),
];

/**
 * Inside checks/: the shared infrastructure every check may use, and the check modules (one file
 * per check family, with its own folder for its parts, e.g. gradcheck.ts and gradcheck/). A check
 * imports infrastructure and its own parts, never another check; infrastructure imports no check;
 * only the registry (registry.ts) imports the checks.
 */
const CHECK_INFRASTRUCTURE = ["context", "property", "arbitraries", "answers", "diagnosis", "replay", "finite-difference", "whose-forward"].map(
  (n) => `graders/checks/${n}.ts`,
);
const CHECK_REGISTRY = "graders/checks/registry.ts";

interface Edge {
  from: string;
  to: string;
  /** Erased at run time: `import type`, or every name imported is a type. */
  type: boolean;
}

/** Every .ts file under `dir`, as a repository path. */
function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = posix.join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return e.name.endsWith(".ts") ? [p] : [];
  });
}

/** The repository file a relative specifier names ("./x" is ./x.ts or ./x/index.ts). */
function resolve(from: string, specifier: string): string {
  const base = posix.normalize(posix.join(posix.dirname(from), specifier));
  const candidates = [base, `${base}.ts`, `${base}/index.ts`];
  const found = candidates.find((c) => existsSync(c) && statSync(c).isFile());
  if (!found) throw new Error(`${from}: cannot resolve "${specifier}"`);
  return found;
}

/** The relative imports and re-exports of a file, static and dynamic, read by the TypeScript parser. */
function importsOf(file: string): Edge[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const edges: Edge[] = [];
  const add = (specifier: ts.Node | undefined, type: boolean) => {
    if (specifier && ts.isStringLiteral(specifier) && specifier.text.startsWith(".")) edges.push({ from: file, to: resolve(file, specifier.text), type });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const named = clause?.namedBindings;
      const type =
        !!clause &&
        (clause.isTypeOnly || (!clause.name && !!named && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier, type);
    } else if (ts.isExportDeclaration(node)) {
      add(node.moduleSpecifier, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node.arguments[0], false);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

/** The layer index of a repository file, or -1 when no layer holds it. */
function layerOf(file: string): number {
  return LAYERS.findIndex((l) => l.paths.some((p) => (p.endsWith("/") ? file.startsWith(p) : file === p)));
}

const FILES = tsFiles("graders");
const EDGES = FILES.flatMap(importsOf);
const key = (e: { from: string; to: string; type: boolean }) => `${e.from} -> ${e.to}${e.type ? " (type)" : ""}`;

describe("graders/ is layered: " + LAYERS.map((l) => l.name).join(" → "), () => {
  it("places every file under graders/ in one layer", () => {
    expect(FILES.filter((f) => layerOf(f) < 0)).toEqual([]);
    expect(EDGES.filter((e) => layerOf(e.to) < 0).map(key)).toEqual([]);
  });

  it("has no import from a higher layer but the known ones", () => {
    const upward = EDGES.filter((e) => layerOf(e.to) > layerOf(e.from)).map(key);
    expect(upward.filter((u) => !KNOWN_UPWARD.some((k) => key(k) === u))).toEqual([]);
    expect(KNOWN_UPWARD.map(key).filter((k) => !upward.includes(k))).toEqual([]);
  });

  it("no check imports another check; only the registry imports checks", () => {
    const isCheck = (f: string) => f.startsWith("graders/checks/") && f !== CHECK_REGISTRY && !CHECK_INFRASTRUCTURE.includes(f);
    /** The check a file belongs to: checks/gradcheck.ts and checks/gradcheck/… are "gradcheck". */
    const family = (f: string) => f.replace(/^graders\/checks\//, "").replace(/(\.ts|\/.*)$/, "");
    const sideways = EDGES.filter((e) => e.from.startsWith("graders/checks/") && e.from !== CHECK_REGISTRY && isCheck(e.to))
      .filter((e) => !isCheck(e.from) || family(e.from) !== family(e.to))
      .map(key);
    expect(sideways).toEqual([]);
  });

  it("sees the imports: the registry's of every check", () => {
    expect(EDGES.filter((e) => e.from === CHECK_REGISTRY).map((e) => e.to)).toEqual(
      expect.arrayContaining(["graders/checks/reuse.ts", "graders/checks/gradcheck.ts"]),
    );
  });
});
