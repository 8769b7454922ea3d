/**
 * The leak finder the kit suite relies on (test/helpers/kit/leaks.ts) finds what it looks for: every function body
 * of reference/ in a bundle of the reference, plain and minified, and a distinctive constant in
 * code or data; an idiom shorter than its minimum, or a trivial number, is not a finding.
 */
import { afterAll, expect, it } from "@jest/globals";
import { buildSync } from "esbuild";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ASSIGNMENTS } from "../../../graders/cases/case";
import { CONTRACT } from "../../../graders/contract";
import { findLeaks, referenceFingerprints } from "../../helpers/kit/leaks";

const made: string[] = [];
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "backprop-leaks-"));
  made.push(d);
  return d;
};

it.each([false, true])("finds every reference body in a bundle of the whole reference (minified: %s)", (minify) => {
  const fingerprints = referenceFingerprints("reference");
  const dir = tmp();
  const entries = ASSIGNMENTS.flatMap((a) => CONTRACT[a].map((f) => `reference/${a}/${f.file}`));
  buildSync({
    stdin: { contents: entries.map((f, i) => `export * as m${i} from "./${f}";`).join("\n"), resolveDir: process.cwd(), loader: "ts" },
    bundle: true,
    format: "esm",
    platform: "node",
    minify,
    outfile: join(dir, "grader.mjs"),
    external: ["ml-matrix"],
  });
  const found = new Set(findLeaks(dir, fingerprints).map((l) => l.what));
  const expected = fingerprints.bodies.filter((b) => b.where.includes(": minified ") === minify);
  expect(expected.length).toBeGreaterThan(10);
  expect(expected.filter((b) => ![...found].some((w) => w.startsWith(`the body of ${b.where} `))).map((b) => b.where)).toEqual([]);
});

it("finds a distinctive constant in code and in data, not a trivial one, and not a short idiom", () => {
  const ref = join(tmp(), "reference");
  mkdirSync(ref);
  writeFileSync(
    join(ref, "x.ts"),
    "export function f(x: number): number {\n  return x > 0 ? x : 0.01 * x + 1e-300;\n}\nexport function g(a: number, b: number) {\n  return a + b;\n}\n",
  );
  const fingerprints = referenceFingerprints(ref);
  expect([...fingerprints.constants.keys()].sort()).toEqual(["0.01", "1e-300"]);
  expect(fingerprints.short).toBe(1); // g: { return $ + $; }
  const kit = tmp();
  writeFileSync(join(kit, "code.mjs"), "const tiny = 1e-300; export const add = (p, q) => { return p + q; };\n");
  writeFileSync(join(kit, "data.json"), '{"slope": 0.01, "one": 1}\n');
  writeFileSync(join(kit, "other.mjs"), "export function h(y) { return y > 0 ? y : 0.01 * y + 1e-300; }\n");
  const leaks = findLeaks(kit, fingerprints)
    .map((l) => `${l.file}: ${l.what}`)
    .sort();
  expect(leaks).toEqual([
    "code.mjs: the constant 1e-300 of reference/x.ts",
    "data.json: the constant 0.01 of reference/x.ts",
    "other.mjs: the body of reference/x.ts: f (15 tokens)",
    "other.mjs: the constant 0.01 of reference/x.ts",
    "other.mjs: the constant 1e-300 of reference/x.ts",
  ]);
});
