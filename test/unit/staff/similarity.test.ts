/**
 * Code similarity (graders/staff/similarity.ts: Dolos's algorithm over TypeScript's syntax tree,
 * the handout's skeleton as template) on a planted class: two correct classifiers solutions
 * written independently (ada-loops-js, ben-static-ts) and a copy of ben's with its local names
 * changed, comments dropped and lines rejoined (fixtures/similarity/). The copy must be the top
 * pair, well above the independent pair. Also: the skeleton's boilerplate does not count, a
 * student with no code is named and not compared, and similarity.csv's order.
 */
import { describe, expect, it } from "@jest/globals";
import { cpSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { classSimilarity, toSimilarityCsv } from "../../../graders/staff/similarity";

const SAMPLE = "fixtures/submissions/classifiers";
const TEMPLATE = "assignments/classifiers/skeleton";

describe("code similarity on a class with a planted pair", () => {
  const dir = mkdtempSync(join(tmpdir(), "staff-similarity-"));
  cpSync(join(SAMPLE, "ada-loops-js"), join(dir, "ada-loops-js"), { recursive: true });
  cpSync(join(SAMPLE, "ben-static-ts"), join(dir, "ben-static-ts"), { recursive: true });
  cpSync("fixtures/similarity/planted-classifiers/zoe-copy-of-ben", join(dir, "zoe-copy-of-ben"), { recursive: true });
  mkdirSync(join(dir, "nil")); // handed in nothing
  const students = ["ada-loops-js", "ben-static-ts", "nil", "zoe-copy-of-ben"];

  it("ranks the disguised copy first, far above two correct solutions written independently", async () => {
    const sim = await classSimilarity(dir, students, { template: TEMPLATE });
    expect(sim.withoutCode).toEqual(["nil"]);
    expect(sim.pairs).toHaveLength(3);
    const [top, ...rest] = sim.pairs;
    expect([top.a, top.b]).toEqual(["ben-static-ts", "zoe-copy-of-ben"]);
    const independent = sim.pairs.find((p) => p.a === "ada-loops-js" && p.b === "ben-static-ts")!;
    expect(top.similarity).toBeGreaterThan(0.8);
    expect(independent.similarity).toBeLessThan(0.3);
    for (const p of rest) expect(p.similarity).toBeLessThan(top.similarity - 0.5);
    // the note's figures: the planted pair's rank and score, and the independent pair's
    console.log(
      `planted pair: rank 1 of ${sim.pairs.length}, similarity ${top.similarity.toFixed(3)}; independent correct pair: ${independent.similarity.toFixed(3)}; ${sim.ms.toFixed(0)} ms`,
    );

    // its shared code, side by side: ben's losses.ts against zoe's, line ranges in each file
    expect(top.fragments.length).toBeGreaterThan(0);
    const f = top.fragments[0];
    expect([f.a.file, f.b.file]).toEqual(["losses.ts", "losses.ts"]);
    expect(f.a.text).toContain("Matrix.max(raw, Matrix.zeros(N, C))");
    expect(f.b.text).toContain("Matrix.max(m0, Matrix.zeros(n, k))");

    const rows = parse(toSimilarityCsv(sim), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.student_a, r.student_b])).toEqual(sim.pairs.map((p) => [p.a, p.b]));
    expect(rows.map((r) => Number(r.similarity))).toEqual([...rows.map((r) => Number(r.similarity))].sort((a, b) => b - a));
  }, 60_000);

  it("does not count the handout's skeleton: two students who handed it in unchanged are 0% alike with it as template", async () => {
    const skel = mkdtempSync(join(tmpdir(), "staff-similarity-skeleton-"));
    cpSync(TEMPLATE, join(skel, "s1"), { recursive: true });
    cpSync(TEMPLATE, join(skel, "s2"), { recursive: true });
    const without = await classSimilarity(skel, ["s1", "s2"]);
    const withTemplate = await classSimilarity(skel, ["s1", "s2"], { template: TEMPLATE });
    expect(without.pairs[0].similarity).toBe(1);
    expect(withTemplate.pairs[0].similarity).toBe(0);
  }, 60_000);
});
