/**
 * The parts of the Gradescope bundle that need no bundle: the secret seed inside Gradescope's
 * container, the runtime package cut out of the project's lockfile, run_autograder's deadline,
 * and npm run bundle's usage errors.
 */
import { afterAll, describe, expect, it } from "@jest/globals";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { ASSIGNMENTS } from "../../../graders/cases/case";
import { loadManifest } from "../../../graders/manifest";
import { gradescopeSecret } from "../../../graders/secret";
import { GRADESCOPE_TIMEOUT_S, bundleEnv, deadlineSeconds } from "../../../scripts/gradescope/bundle-env";
import { type Lockfile, RuntimePackageError, runtimePackage } from "../../../scripts/gradescope/runtime-package";
import { METADATA } from "../../../scripts/gradescope/container";

const TMP = mkdtempSync(join(tmpdir(), "gradescope-parts-"));
let folders = 0;
const tmp = () => {
  const dir = join(TMP, String(folders++));
  mkdirSync(dir);
  return dir;
};
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

describe("gradescopeSecret", () => {
  const metadataFile = (data: unknown) => {
    const file = join(tmp(), "submission_metadata.json");
    writeFileSync(file, JSON.stringify(data));
    return file;
  };
  const noFile = join(tmpdir(), "no-such-secret-file.txt");

  it("takes the bundle's secret file first, trimmed, and never names the secret in its source", () => {
    const file = join(tmp(), "secret.txt");
    writeFileSync(file, "  the-real-secret \n");
    const s = gradescopeSecret(file, metadataFile(METADATA));
    expect(s.secret).toBe("the-real-secret");
    expect(s.source).not.toContain("the-real-secret");
    expect(s.source).toContain("secret file");
  });

  it("without one, derives the seed from the course and assignment ids: the same for every submission and student of the assignment", () => {
    const a = gradescopeSecret(noFile, metadataFile(METADATA));
    const other = {
      ...METADATA,
      id: 999,
      created_at: "2026-07-09T10:00:00Z",
      users: [{ email: "eve@example.com", id: 7, name: "Eve" }],
      previous_submissions: [{ score: 3 }],
    };
    expect(gradescopeSecret(noFile, metadataFile(other)).secret).toBe(a.secret);
    expect(a.source).toContain("course and assignment ids");
    expect(a.source).not.toContain(a.secret);
    expect(gradescopeSecret(noFile, metadataFile({ ...METADATA, assignment: { ...METADATA.assignment, id: 25829 } })).secret).not.toBe(a.secret);
    expect(gradescopeSecret(noFile, metadataFile({ ...METADATA, assignment: { ...METADATA.assignment, course_id: 1235 } })).secret).not.toBe(a.secret);
  });

  it("without a secret file or usable ids, draws a random seed and says so", () => {
    for (const metadata of [
      join(tmpdir(), "no-such-metadata.json"),
      metadataFile({ id: 1 }),
      metadataFile({ assignment: { id: "25828; rm -rf /", course_id: 1 } }),
    ]) {
      const a = gradescopeSecret(noFile, metadata);
      expect(a.source).toMatch(/^random for this run/);
      expect(gradescopeSecret(noFile, metadata).secret).not.toBe(a.secret);
    }
  });
});

describe("runtimePackage", () => {
  const lock = JSON.parse(readFileSync("package-lock.json", "utf8")) as Lockfile;
  const { allowScripts } = JSON.parse(readFileSync("package.json", "utf8")) as { allowScripts: Record<string, boolean> };
  const { packageJson, lockfile } = runtimePackage(lock, "backprop-autograder", ["esbuild"], allowScripts);

  it("allows esbuild's install script as this project's package.json does (npm 11 asks nothing), and refuses to leave an install script undecided", () => {
    expect(allowScripts.esbuild).toBe(true);
    expect(packageJson.allowScripts).toEqual({ esbuild: true });
    expect(() => runtimePackage(lock, "y", ["esbuild"])).toThrow(
      /^esbuild has an install script that package.json's allowScripts does not decide: add "esbuild": true \(run it\) or false \(skip it\)$/,
    );
  });

  it("depends on esbuild at the version this checkout installs, in package.json and the lockfile alike", () => {
    const version = lock.packages["node_modules/esbuild"].version;
    expect(packageJson.dependencies).toEqual({ esbuild: version });
    expect(lockfile.packages[""]).toEqual({ name: "backprop-autograder", version: "0.0.0", dependencies: { esbuild: version } });
    expect(lockfile.lockfileVersion).toBe(3);
  });

  it("has esbuild and its platform packages (optional), with the project's integrity hashes, and nothing else", () => {
    const paths = Object.keys(lockfile.packages).filter((p) => p !== "");
    expect(paths).toContain("node_modules/esbuild");
    expect(paths).toContain("node_modules/@esbuild/linux-x64");
    expect(paths.every((p) => p === "node_modules/esbuild" || p.startsWith("node_modules/@esbuild/"))).toBe(true);
    expect(paths.length).toBe(1 + Object.keys(lock.packages["node_modules/esbuild"].optionalDependencies ?? {}).length);
    for (const p of paths) {
      expect(lockfile.packages[p].integrity).toBe(lock.packages[p].integrity);
      expect(lockfile.packages[p].dev).toBeUndefined();
      expect(lockfile.packages[p].optional).toBe(p === "node_modules/esbuild" ? undefined : true);
    }
  });

  it("follows nested dependencies the way Node resolves them, and marks dev-only ones as needed", () => {
    const fake: Lockfile = {
      lockfileVersion: 3,
      packages: {
        "": { name: "x" },
        "node_modules/a": { version: "1.0.0", dev: true, dependencies: { b: "^2", c: "^1" } },
        "node_modules/a/node_modules/b": { version: "2.0.0", dependencies: { c: "^1" }, optionalDependencies: { d: "1" } },
        "node_modules/b": { version: "1.0.0" },
        "node_modules/c": { version: "1.5.0", devOptional: true },
        "node_modules/unrelated": { version: "9.9.9" },
      },
    };
    const cut = runtimePackage(fake, "y", ["a"]).lockfile.packages;
    expect(Object.keys(cut).sort()).toEqual(["", "node_modules/a", "node_modules/a/node_modules/b", "node_modules/c"]);
    expect(cut["node_modules/a"]).toEqual({ version: "1.0.0", dependencies: { b: "^2", c: "^1" } });
    expect(cut["node_modules/c"]).toEqual({ version: "1.5.0" });
    expect(() => runtimePackage(fake, "y", ["missing"])).toThrow(RuntimePackageError);
    expect(() => runtimePackage({ ...fake, packages: { ...fake.packages, "node_modules/c": undefined as never } }, "y", ["a"])).toThrow(
      /no c for node_modules\/a/,
    );
  });
});

describe("bundle.env", () => {
  it.each(ASSIGNMENTS.map((a) => [a]))(
    "%s: run_autograder's deadline leaves the manifest's budget and a minute more, well under Gradescope's 10 minutes",
    (a) => {
      const m = loadManifest(a);
      const d = deadlineSeconds(m.limits.submissionTimeoutMs);
      expect(d).toBeGreaterThanOrEqual(m.limits.submissionTimeoutMs / 1000 + 60);
      expect(d).toBeLessThanOrEqual(GRADESCOPE_TIMEOUT_S - 60);
      expect(bundleEnv(m)).toMatch(
        new RegExp(`^ASSIGNMENT=${a}$[\\s\\S]*^DEADLINE_SECONDS=${d}$[\\s\\S]*^NODE_MAJOR=24$[\\s\\S]*^SUPPORTED_NODE_MAJORS="20 22 24 26"$`, "m"),
      );
    },
  );

  it("caps the deadline for a manifest whose budget is near Gradescope's timeout", () => {
    expect(deadlineSeconds(590_000)).toBeLessThan(GRADESCOPE_TIMEOUT_S);
  });
});

describe("npm run bundle: usage errors exit 2 and say what to fix", () => {
  const bundle = (args: string[]) => execa(process.execPath, ["scripts/run.mjs", "bundle", ...args], { reject: false });
  const empty = join(tmp(), "empty.txt");
  writeFileSync(empty, " \n");

  it.each([
    [["--out", "x"], /both --assignment and --out are required/],
    [["--assignment", "conv", "--out", "x"], /unknown assignment "conv": choose one of gates, layers, classifiers, two-layer-net/],
    [["--assignment", "layers", "--out", "x", "--secret-file", "no/such/file"], /--secret-file no\/such\/file: cannot be read \(ENOENT\)/],
    [["--assignment", "layers", "--out", "x", "--secret-file", empty], /the file is empty; put the secret seed in it/],
    [["--frobnicate"], /^error: --frobnicate is not an option here; the options are --assignment, --out, --secret-file, --help$/m],
  ])(
    "%j",
    async (args, message) => {
      const r = await bundle(args as string[]);
      expect(r.stderr).toMatch(message as RegExp);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(r.exitCode).toBe(2);
    },
    60_000,
  );
});
