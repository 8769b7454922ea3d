/**
 * Dependencies point downward: reading data loads no behaviour above it. The manifest module reads
 * a manifest and loads no check (the check registry validates check names where grading loads a
 * manifest, checks/registry.ts loadGradedManifest), and nothing under graders/cases/ loads a check.
 * Measured by what esbuild bundles from each entry (type-only imports are erased, as at run time).
 */
import { describe, expect, it } from "@jest/globals";
import { build } from "esbuild";
import { readdirSync } from "node:fs";

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
