/**
 * Compiling one submission file (TS or JS, with the helper files it imports) into a single ES
 * module with esbuild. The import rule of the contract is enforced here: `ml-matrix` and relative
 * files inside the submission folder only; anything else is refused, naming the import and the
 * file. ml-matrix itself is not bundled: the student's code gets the very instance the grader's
 * runner uses (see ML_MATRIX_GLOBAL), so `instanceof Matrix` means the same on both sides.
 */
import { readFileSync, realpathSync } from "node:fs";
import { SourceMap } from "node:module";
import { isAbsolute, join, relative, sep } from "node:path";
import { init as lexerReady, parse as parseImports } from "es-module-lexer";
import * as esbuild from "esbuild";
import * as mlMatrix from "ml-matrix";

import { ML_MATRIX_GLOBAL } from "./ml-matrix-global";

export interface CompileError {
  /** Path relative to the submission folder. */
  file: string;
  line: number;
  column: number;
  lineText: string;
  text: string;
}

export type BundleResult = { ok: true; code: string; warnings: string[] } | { ok: false; errors: CompileError[] };

const SHIM_NAMESPACE = "backprop-grader-ml-matrix";

/** The ml-matrix shim: the same names as ml-matrix, read from the instance the runner provides. */
function shimSource(): string {
  const names = Object.keys(mlMatrix).filter((n) => n !== "default" && /^[A-Za-z_$][\w$]*$/.test(n));
  return [
    `const m = globalThis[Symbol.for(${JSON.stringify(ML_MATRIX_GLOBAL)})];`,
    `if (!m) throw new Error("ml-matrix is not available: run this bundle through the grader's sandbox");`,
    `export const { ${names.join(", ")} } = m;`,
    `export default m.default ?? m;`,
  ].join("\n");
}

const inside = (root: string, path: string) => {
  const rel = relative(root, path);
  return rel !== "" && !rel.startsWith("..") && !rel.startsWith(sep) && !/^[A-Za-z]:/.test(rel);
};

/** Why an import specifier is not allowed, or null when it is. */
function refusal(specifier: string, from: string): string | null {
  if (specifier === "ml-matrix" || specifier.startsWith("./") || specifier.startsWith("../")) return null;
  return `import "${specifier}" is not allowed in ${from}: a submission may import only "ml-matrix" and its own files (./… or ../…)`;
}

function importPolicy(root: string): esbuild.Plugin {
  return {
    name: "submission-imports",
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.kind === "entry-point" || args.pluginData?.checked) return undefined;
        if (args.path === "ml-matrix") return { path: "ml-matrix", namespace: SHIM_NAMESPACE };
        const from = relative(root, args.importer) || args.importer;
        const refused = refusal(args.path, from);
        if (refused) return { errors: [{ text: refused }] };
        const resolved = await build.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: { checked: true },
        });
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        if (!inside(root, realpathSync(resolved.path))) {
          return { errors: [{ text: `import "${args.path}" in ${from} leaves the submission folder: only files inside it may be imported` }] };
        }
        return { path: resolved.path };
      });
      build.onLoad({ filter: /.*/, namespace: SHIM_NAMESPACE }, () => ({ contents: shimSource(), loader: "js" }));
    },
  };
}

/**
 * A computed `import(x)`: esbuild leaves it in the bundle, to be resolved at run time, where it
 * could reach any built-in module (node:net, node:child_process…). The contract allows only named
 * imports, so it is refused here, at the line it is on in the student's file.
 */
function computedImportError(file: string, source: string, code: string, map: string, start: number, argument: string): CompileError {
  const before = code.slice(0, start).split("\n");
  const entry = new SourceMap(JSON.parse(map) as ConstructorParameters<typeof SourceMap>[0]).findEntry(before.length - 1, before[before.length - 1].length);
  const line = "originalLine" in entry ? entry.originalLine : before.length - 1;
  const column = "originalColumn" in entry ? entry.originalColumn : 0;
  return {
    file,
    line: line + 1,
    column,
    lineText: source.split("\n")[line] ?? "",
    text: `import(${argument.trim().slice(0, 60)}) is not allowed in ${file}: a submission may import only "ml-matrix" and its own files (./… or ../…), each named by a string literal`,
  };
}

/**
 * Imports esbuild never resolves: TypeScript drops an import whose names are unused (or used as
 * types only) before bundling. They would be harmless, but the contract refuses every import
 * other than ml-matrix and relative files, so each source file is read once more with nothing
 * elided (verbatimModuleSyntax) and its specifiers are checked by the same rule; so are its
 * dynamic imports, whose specifier must be a string literal.
 */
async function elidedImportErrors(root: string, files: string[]): Promise<CompileError[]> {
  await lexerReady;
  const errors: CompileError[] = [];
  for (const file of files) {
    const source = readFileSync(join(root, file), "utf8");
    const loader = /\.m?ts$/.test(file) ? "ts" : "js";
    const { code, map } = await esbuild.transform(source, {
      loader,
      format: "esm",
      sourcemap: "external",
      sourcefile: file,
      tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } },
    });
    const [imports] = parseImports(code);
    for (const imp of imports) {
      const dynamic = imp.d > -1; // -1: a static import, -2: import.meta
      if (dynamic && imp.n === undefined) {
        errors.push(computedImportError(file, source, code, map, imp.ss, code.slice(imp.s, imp.e)));
        continue;
      }
      if (imp.n === undefined) continue; // import.meta
      const text = refusal(imp.n, file);
      if (!text) continue;
      const lines = source.split("\n");
      const line = lines.findIndex((l) => l.includes(imp.n as string));
      errors.push({ file, line: line + 1, column: Math.max(0, lines[line]?.indexOf(imp.n) ?? 0), lineText: lines[line] ?? "", text });
    }
  }
  return errors;
}

/** The entry esbuild reads when a bundle re-exports a second file: not a file of the submission. */
const TWO_FILES_ENTRY = "<two files>";

/**
 * Compile `entry` (a file inside `root`) and what it imports into one ES module. With `alsoExport`
 * (another file of the submission), the module exports that file's exports too: under the kit's policy, the
 * starter kit's graph.ts is run with the student's own gates.ts (graders/grading/graph-gates.ts).
 */
export async function bundleFile(root: string, entry: string, alsoExport?: string): Promise<BundleResult> {
  const realRoot = realpathSync(root);
  const specifier = (file: string) => JSON.stringify(`./${relative(realRoot, realpathSync(file)).split(sep).join("/")}`);
  const input =
    alsoExport === undefined
      ? { entryPoints: [realpathSync(entry)] }
      : {
          stdin: {
            contents: `export * from ${specifier(entry)};\nexport * from ${specifier(alsoExport)};\n`,
            resolveDir: realRoot,
            sourcefile: TWO_FILES_ENTRY,
            loader: "js" as const,
          },
        };
  try {
    const result = await esbuild.build({
      ...input,
      absWorkingDir: realRoot,
      bundle: true,
      write: false,
      format: "esm",
      platform: "neutral",
      target: "node20",
      sourcemap: "inline",
      sourceRoot: "",
      logLevel: "silent",
      metafile: true,
      plugins: [importPolicy(realRoot)],
    });
    const sources = Object.keys(result.metafile.inputs).filter((f) => !f.includes(":") && f !== TWO_FILES_ENTRY && inside(realRoot, join(realRoot, f)));
    const elided = await elidedImportErrors(realRoot, sources);
    if (elided.length > 0) return { ok: false, errors: elided };
    return {
      ok: true,
      code: result.outputFiles[0].text,
      warnings: result.warnings.map((w) => esbuild.formatMessagesSync([w], { kind: "warning", color: false }).join("")),
    };
  } catch (error) {
    const failure = error as esbuild.BuildFailure;
    if (!Array.isArray(failure.errors)) throw error; // not a compile error: the grader broke
    return {
      ok: false,
      errors: failure.errors.map((e) => ({
        // esbuild's locations are relative to absWorkingDir (the submission folder) already
        file: e.location ? (isAbsolute(e.location.file) ? relative(realRoot, e.location.file) : e.location.file) : relative(realRoot, entry),
        line: e.location?.line ?? 0,
        column: e.location?.column ?? 0,
        lineText: e.location?.lineText ?? "",
        text: e.text,
      })),
    };
  }
}

/** "layers.ts:12:8: Expected ";" but found "x"\n    const y = 1 x" — for the student. */
export function formatCompileError(e: CompileError): string {
  const where = e.line > 0 ? `${e.file}:${e.line}:${e.column + 1}` : e.file;
  return `${where}: ${e.text}${e.lineText ? `\n    ${e.lineText.trim()}` : ""}`;
}
