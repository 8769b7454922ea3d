/** The Gradescope bundle of classifiers: see test/helpers/gradescope/suite.ts; and the ways students hand in that are read as they meant them (graders/submission/locate.ts). */
import { expect, it } from "@jest/globals";
import { cpSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { markdownText } from "../../../graders/results/markdown";
import { bundleSuite, validResults } from "../../helpers/gradescope/suite";

bundleSuite("classifiers", ({ bundle, grade }) => {
  it("allows esbuild's install script in its package.json, so that npm 11 asks setup.sh nothing", () => {
    expect(JSON.parse(readFileSync(join(bundle().source, "package.json"), "utf8")).allowScripts).toEqual({ esbuild: true });
    expect(readFileSync(join(bundle().source, "assignments", "classifiers", "skeleton", "losses.ts"), "utf8")).toBe(
      readFileSync(join("assignments", "classifiers", "skeleton", "losses.ts"), "utf8"),
    );
  });

  it("a folder dragged onto Gradescope (the files one folder down) is graded from there, and results.json says so", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gradescope-nested-"));
    cpSync(join("fixtures", "submissions", "classifiers", "ada-loops-js"), join(dir, "classifiers-solution"), { recursive: true });
    const r = validResults(await grade("one-folder-down", { from: dir }));
    expect(r.output).toContain(
      markdownText(
        "losses.ts and linear-classifier.ts were not at the root of your submission: found in classifiers-solution/ and graded from there; next time hand in the files themselves",
      ),
    ); // Markdown, as Gradescope shows it
    expect(r.score).toBe(r.max_score);
  }, 300_000);

  it("a kit's .js files beside its untouched .ts skeletons: the .js files are graded, and results.json says so", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gradescope-versions-"));
    cpSync(join("assignments", "classifiers", "skeleton"), dir, { recursive: true });
    cpSync(join("fixtures", "submissions", "classifiers", "ada-loops-js"), dir, { recursive: true });
    const r = validResults(await grade("js-beside-skeleton", { from: dir }));
    expect(r.output).toContain(markdownText("losses.js is graded; losses.ts is the handout's skeleton, untouched, and ignored: delete it")); // Markdown, as Gradescope shows it
    expect(r.output).toContain(
      markdownText("linear-classifier.js is graded; linear-classifier.ts is the handout's skeleton, untouched, and ignored: delete it"),
    ); // Markdown, as Gradescope shows it
    expect(r.score).toBe(r.max_score);
  }, 300_000);
});
