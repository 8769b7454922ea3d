/**
 * The package.json and package-lock.json of a prebuilt grader's runtime dependencies (the
 * packages scripts/run.mjs leaves out of its bundles: esbuild), cut out of this project's own
 * lockfile: the versions and integrity hashes this checkout installs and is tested with, so that
 * `npm ci` in the Gradescope image installs exactly them (npm ci refuses a lockfile that does not
 * match package.json: https://docs.npmjs.com/cli/commands/npm-ci). Platform packages that are
 * optional dependencies (@esbuild/linux-x64 …) come along; npm installs the one that fits.
 */

/** One entry of a lockfile v2/v3 "packages" map. */
interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  optional?: boolean;
  dev?: boolean;
  devOptional?: boolean;
  peer?: boolean;
  [field: string]: unknown;
}

export interface Lockfile {
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
}

export class RuntimePackageError extends Error {
  override name = "RuntimePackageError";
}

/** Where Node finds `dep` required from the package installed at `from` ("" is the root): the nearest node_modules up the tree. */
function resolveIn(packages: Record<string, LockEntry>, from: string, dep: string): string | null {
  let at = from;
  for (;;) {
    const candidate = `${at === "" ? "" : `${at}/`}node_modules/${dep}`;
    if (packages[candidate]) return candidate;
    if (at === "") return null;
    const k = at.lastIndexOf("node_modules/");
    at = k <= 0 ? "" : at.slice(0, k - 1);
  }
}

/**
 * package.json and package-lock.json (v3) of a package named `name` that depends on `dependencies`
 * (package names) at the versions `lock` has, with everything they need. `allowScripts` is this
 * project's package.json field (npm 11: which dependencies may run their install scripts); the
 * runtime package carries the entries of its own packages, so that `npm install` there asks the
 * student or Gradescope's setup nothing. A package with an install script the field does not
 * decide is an error here, not a question there.
 */
export function runtimePackage(
  lock: Lockfile,
  name: string,
  dependencies: string[],
  allowScripts: Record<string, boolean> = {},
): { packageJson: Record<string, unknown>; lockfile: Lockfile } {
  if (lock.lockfileVersion < 2)
    throw new RuntimePackageError(`package-lock.json has lockfileVersion ${lock.lockfileVersion}: npm 7 or later writes version 2 or 3`);
  const direct: Record<string, string> = {};
  for (const dep of dependencies) {
    const version = lock.packages[`node_modules/${dep}`]?.version;
    if (!version) throw new RuntimePackageError(`package-lock.json has no node_modules/${dep}: run npm install`);
    direct[dep] = version;
  }
  // Breadth first; an entry reached through a required edge from a required entry is required.
  const optional = new Map<string, boolean>();
  const queue: [string, string, boolean][] = dependencies.map((d) => ["", d, false]);
  while (queue.length > 0) {
    const [from, dep, viaOptional] = queue.shift()!;
    const path = resolveIn(lock.packages, from, dep);
    if (path === null) {
      if (viaOptional) continue;
      throw new RuntimePackageError(`package-lock.json has no ${dep} for ${from || "the project"}: run npm install`);
    }
    const was = optional.get(path);
    if (was !== undefined && (was === false || viaOptional)) continue;
    optional.set(path, viaOptional);
    const entry = lock.packages[path];
    for (const d of Object.keys(entry.dependencies ?? {})) queue.push([path, d, viaOptional]);
    for (const d of Object.keys(entry.optionalDependencies ?? {})) queue.push([path, d, true]);
  }
  const packages: Record<string, LockEntry> = { "": { name, version: "0.0.0", dependencies: direct } };
  for (const path of [...optional.keys()].sort()) {
    const { dev: _dev, devOptional: _devOptional, peer: _peer, optional: _optional, ...entry } = lock.packages[path];
    packages[path] = { ...entry, ...(optional.get(path) ? { optional: true } : {}) };
  }
  const allowed: Record<string, boolean> = {};
  for (const path of optional.keys()) {
    if (lock.packages[path].hasInstallScript !== true) continue;
    const pkg = path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length);
    if (typeof allowScripts[pkg] !== "boolean")
      throw new RuntimePackageError(
        `${pkg} has an install script that package.json's allowScripts does not decide: add "${pkg}": true (run it) or false (skip it)`,
      );
    allowed[pkg] = allowScripts[pkg];
  }
  return {
    packageJson: {
      name,
      version: "0.0.0",
      private: true,
      description: "The runtime dependencies of the prebuilt grader (npm run bundle).",
      dependencies: direct,
      ...(Object.keys(allowed).length > 0 ? { allowScripts: allowed } : {}),
    },
    lockfile: { name, version: "0.0.0", lockfileVersion: 3, requires: true, packages } as Lockfile,
  };
}
