#!/usr/bin/env node
/**
 * npm run grade | check | benchmark | bench | bundle | kit … → `node scripts/run.mjs <command> …`
 *
 * Starts a command-line entry point without compiling TypeScript on the fly (tsx costs about
 * 0.7 s per start). The entry points and the sandbox runners are bundled with esbuild into
 * node_modules/.cache/backprop-grader/, once, and again only when a file they were built from
 * changed (its size or modification time, as recorded at the last build) or package-lock.json did.
 * A build goes to a new folder and is published by rewriting build.json atomically, so two
 * commands started at once never see half a build; folders of older builds are removed after an
 * hour (a process started before a rebuild may still be reading them).
 *
 * Plain JavaScript on purpose: it must run before anything is built.
 */
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const CACHE = join(ROOT, "node_modules", ".cache", "backprop-grader");
const STAMP = join(CACHE, "build.json");
/** Also rebuild when these change (dependencies; this launcher). */
const ALWAYS = ["package-lock.json", "scripts/run.mjs"];
const OLD_BUILD_MS = 60 * 60 * 1000;

/** The commands, by the name npm's scripts pass, and their entry points. */
export const COMMANDS = {
  grade: "scripts/grade.ts",
  check: "scripts/check.ts",
  benchmark: "scripts/benchmark.ts",
  bundle: "scripts/bundle.ts",
  bench: "scripts/bench.ts",
  kit: "scripts/kit.ts",
};
/** The sandbox's runners (graders/sandbox/sandbox.ts RUNNER_BUILD: the same options, a test compares). */
export const RUNNERS = {
  runner: "graders/sandbox/runner.ts",
  "graph-runner": "graders/sandbox/graph-runner.ts",
};

function fingerprint(path) {
  try {
    const s = statSync(join(ROOT, path));
    return [s.mtimeMs, s.size];
  } catch {
    return null;
  }
}

/** The published build's folder, if every file it was built from is as it was. */
function currentBuild() {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(STAMP, "utf8"));
  } catch {
    return null;
  }
  for (const [path, was] of Object.entries(stamp.inputs ?? {})) {
    const now = fingerprint(path);
    if (!now || now[0] !== was[0] || now[1] !== was[1]) return null;
  }
  return typeof stamp.dir === "string" ? join(CACHE, stamp.dir) : null;
}

/** Packages a prebuilt grader loads from node_modules at run time: esbuild's binary is looked up
 *  next to its package, so it cannot be bundled. Everything else is. */
export const EXTERNAL = ["esbuild"];
/** Also loaded from node_modules, by commands only (a class's code similarity, graders/staff/similarity.ts):
 *  TypeScript's compiler, 9 MB of CommonJS that reads __filename. No autograder entry imports it,
 *  so it is not one of the autograder's runtime dependencies (EXTERNAL). */
const EXTERNAL_FOR_COMMANDS = ["typescript"];

/** Where `path` is, relative to this checkout, with "/" separators. */
const fromRoot = (path) => relative(ROOT, path).split(sep).join("/");

/**
 * An esbuild plugin for what a build may hold: every relative import is resolved, then an import
 * of a module in `aliases` (source path → replacement, relative to this checkout) gets its
 * replacement, and an import of anything under a folder of `refuse` fails the build, naming the
 * module and its importer. The starter kit's build replaces graders/reference/live-reference.ts and refuses
 * reference/, so that no reference code can reach a kit, however it is imported.
 */
function guard(aliases, refuse) {
  const swapped = new Map(Object.entries(aliases).map(([from, to]) => [join(ROOT, from), join(ROOT, to)]));
  const refused = refuse.map((folder) => join(ROOT, folder).replace(/[\\/]+$/, ""));
  return {
    name: "backprop-guard",
    setup(b) {
      b.onResolve({ filter: /^\.\.?\// }, async (args) => {
        // a dependency's own files: neither aliased nor refused (and many: ajv alone has hundreds)
        if (args.pluginData?.guarded || args.importer.includes(`${sep}node_modules${sep}`)) return undefined;
        const resolved = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: { guarded: true } });
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        const path = swapped.get(resolved.path) ?? resolved.path;
        const folder = refuse[refused.findIndex((f) => path.startsWith(`${f}${sep}`))];
        if (folder !== undefined)
          return { errors: [{ text: `${fromRoot(path)} is under ${folder}, which this build must not hold: imported by ${fromRoot(args.importer)}` }] };
        // anything else resolves as it would without this plugin (which also keeps what esbuild knows of its module type)
        return path === resolved.path ? undefined : { path };
      });
    },
  };
}

/**
 * Bundle entry points and the sandbox's runners into a folder and return it.
 * With no options: every command into a new folder of the cache, published as the current build.
 * With `outdir`: the `entries` (name → source path relative to this checkout; default COMMANDS)
 * and `runners` (default RUNNERS) into that folder, not published; `root` is the URL of the
 * grader's root (assignments/, fixtures/ …) relative to the built files (default: this checkout,
 * as seen from `outdir`); `aliases` and `refuse` as for guard() above.
 */
export async function build({ outdir, root, entries = COMMANDS, runners: runnerEntries = RUNNERS, aliases = {}, refuse = [] } = {}) {
  const esbuild = await import("esbuild");
  mkdirSync(CACHE, { recursive: true });
  const name = `build-${Date.now()}-${process.pid}`;
  const dir = outdir ?? join(CACHE, name);
  const common = {
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    outdir: dir,
    outExtension: { ".js": ".mjs" },
    metafile: true,
    logLevel: "error",
    plugins: [guard(aliases, refuse)],
  };
  const commands = await esbuild.build({
    ...common,
    entryPoints: Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, join(ROOT, v)])),
    splitting: true,
    external: [...EXTERNAL, ...EXTERNAL_FOR_COMMANDS],
    // CommonJS dependencies (ajv …) require Node's built-ins: give the ES module a require.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    define: {
      BACKPROP_GRADER_ROOT: JSON.stringify(root ?? `${relative(dir, ROOT).split(sep).join("/")}/`),
      BACKPROP_GRADER_PREBUILT_RUNNERS: "true",
    },
  });
  const runners =
    Object.keys(runnerEntries).length === 0
      ? { metafile: { inputs: {} } }
      : await esbuild.build({ ...common, entryPoints: Object.fromEntries(Object.entries(runnerEntries).map(([k, v]) => [k, join(ROOT, v)])) });
  if (outdir !== undefined) return dir;
  const inputs = {};
  for (const path of [...ALWAYS, ...Object.keys(commands.metafile.inputs), ...Object.keys(runners.metafile.inputs)]) {
    const rel = fromRoot(join(ROOT, path));
    if (rel.startsWith("node_modules/")) continue; // package-lock.json stands for the dependencies
    inputs[rel] = fingerprint(rel);
  }
  const tmp = `${STAMP}.${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify({ dir: name, builtAt: new Date().toISOString(), inputs }, null, 1)}\n`);
  renameSync(tmp, STAMP);
  for (const old of readdirSync(CACHE)) {
    if (!old.startsWith("build-") || old === name) continue;
    const at = join(CACHE, old);
    if (Date.now() - statSync(at).mtimeMs > OLD_BUILD_MS) rmSync(at, { recursive: true, force: true });
  }
  return dir;
}

/** The folder of an up-to-date build: the published one, or a new one. */
export async function upToDate() {
  return currentBuild() ?? (await build());
}

/** Start a command: build if needed, then load its entry point with its own arguments. */
async function main(command) {
  let dir;
  try {
    dir = await upToDate();
  } catch (error) {
    console.error(`harness error (a bug in the grader, not in any submission): building the command line failed:\n${error?.message ?? error}`);
    process.exit(1);
  }
  // the entry point sees its own arguments only, and itself as the script (as `node --import tsx <entry>` would)
  process.argv.splice(1, 2, join(ROOT, COMMANDS[command]));
  await import(pathToFileURL(join(dir, `${command}.mjs`)).href);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const command = process.argv[2];
  if (!Object.hasOwn(COMMANDS, command)) {
    console.error(`usage: node scripts/run.mjs <${Object.keys(COMMANDS).join("|")}> [options]`);
    process.exit(2);
  }
  // Not awaited at the top level: this module finishes loading first, so an entry point may
  // import it (npm run bundle calls build()) without waiting on its own start.
  void main(command);
}
