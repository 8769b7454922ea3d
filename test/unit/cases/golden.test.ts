/**
 * Golden fixtures: regenerating them from the reference is byte-identical, they validate, and a
 * broken file is refused with the file, the path inside it and what is wrong.
 */
import { describe, expect, it } from "@jest/globals";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ASSIGNMENTS, type CaseFile, GATE_NAMES, SIGNATURES, exportsOf } from "../../../graders/cases/case";
import { goldenPath, goldenText } from "../../../graders/cases/golden";
import { CaseFileError, caseFileProblems, loadCaseFile } from "../../../graders/cases/load";
import { PLAN } from "../../../graders/cases/plan";
import { contractExports } from "../../../graders/contract";

const committed = (a: (typeof ASSIGNMENTS)[number]) => readFileSync(goldenPath(a), "utf8");

describe.each(ASSIGNMENTS)("fixtures/golden/%s.json", (assignment) => {
  it("is byte-identical to a fresh regeneration from the reference (npm run fixtures)", () => {
    const fresh = goldenText(assignment);
    const old = committed(assignment);
    if (fresh !== old) {
      const at = [...fresh].findIndex((ch, k) => ch !== old[k]);
      throw new Error(`differs from byte ${at}: …${old.slice(at - 80, at + 40)}… vs …${fresh.slice(at - 80, at + 40)}…`);
    }
  });

  it("validates and covers every export of the assignment", () => {
    const file = loadCaseFile(goldenPath(assignment));
    expect(file.assignment).toBe(assignment);
    const covered = new Set(file.cases.flatMap((c) => c.exports));
    expect(contractExports(assignment).filter((e) => !covered.has(e))).toEqual([]);
  });
});

describe("the case-file schema agrees with the code's signature table", () => {
  const schema = JSON.parse(readFileSync("fixtures/case-file.schema.json", "utf8"));
  const branches = new Map<string, { inputs: { properties: object; required: string[] }; expected: { properties: object } }>(
    schema.definitions.case.oneOf.map((b: { properties: Record<string, { const?: string }> }) => [b.properties.target.const, b.properties]),
  );
  it("has one branch per target, no more", () => {
    expect([...branches.keys()].sort()).toEqual([...GATE_NAMES, "ComputationalGraph", ...Object.keys(SIGNATURES)].sort());
  });
  it.each(Object.entries(SIGNATURES))("%s: same input and output names, same optional ones", (target, sig) => {
    const b = branches.get(target)!;
    const args = [...sig.args, ...(sig.upstream ? [sig.upstream] : [])];
    expect(Object.keys(b.inputs.properties).sort()).toEqual(args.map((a) => a.name).sort());
    expect([...b.inputs.required].sort()).toEqual(
      args
        .filter((a) => !a.optional)
        .map((a) => a.name)
        .sort(),
    );
    expect(Object.keys(b.expected.properties).sort()).toEqual(sig.outputs.map((o) => o.name).sort());
  });
});

describe("a broken case file is refused with where and what", () => {
  const good = (): CaseFile => JSON.parse(committed("layers"));
  const problemsAfter = (edit: (f: CaseFile) => void) => {
    const f = good();
    edit(f);
    return caseFileProblems(f);
  };
  const affine = (f: CaseFile) => f.cases.find((c) => c.target === "affine")!;

  it("a transposed expected gradient: names the output, both shapes and whose shape it should have", () => {
    const p = problemsAfter((f) => {
      const c = affine(f);
      const dw = c.expected.dw as number[][];
      c.expected.dw = dw[0].map((_, j) => dw.map((row) => row[j]));
    });
    expect(p).toEqual([{ path: "/cases/0/expected/dw", message: "dw has shape 7×5, expected 5×7 (the shape of w)" }]);
  });

  it("an input that disagrees with another: names the size and who fixed it", () => {
    const p = problemsAfter((f) => {
      (affine(f).inputs.b as number[][])[0].pop();
    });
    expect(p).toEqual([{ path: "/cases/0/inputs/b", message: "b has shape 1×6, expected 1×7 (M = 7, from w)" }]);
  });

  it("a ragged matrix, a non-number, an unknown target, a missing field: all reported at once", () => {
    const p = problemsAfter((f) => {
      (f.cases[0].inputs.x as number[][])[1].push(1);
      (f.cases[1].expected.out as unknown[][])[0][0] = null; // what JSON.stringify makes of NaN
      (f.cases[2] as { target: string }).target = "conv2d";
      delete (f.cases[3] as Partial<CaseFile["cases"][0]>).seed;
    });
    const paths = p.map((x) => x.path);
    expect(paths).toEqual(expect.arrayContaining(["/cases/1/expected/out/0/0", "/cases/2/target", "/cases/3"]));
    expect(p.find((x) => x.path === "/cases/3")?.message).toMatch(/seed/);
    expect(p.find((x) => x.path === "/cases/2/target")?.message).toMatch(/^"conv2d" is not a target \(one of AddGate, /);
    // the ragged row is caught by the code checks once the schema passes:
    const ragged = problemsAfter((f) => {
      (f.cases[0].inputs.x as number[][])[1].push(1);
    });
    expect(ragged).toEqual([{ path: "/cases/0/inputs/x", message: "x is not rectangular: row 0 has 5 entries, row 1 has 6" }]);
  });

  it("labels outside the classes, duplicate ids, exports that do not match the target", () => {
    const f: CaseFile = JSON.parse(committed("classifiers"));
    (f.cases[0].inputs.y as number[])[0] = 99;
    f.cases[1].id = f.cases[0].id;
    f.cases[2].exports = ["svmLoss", "softmaxLoss"];
    const p = caseFileProblems(f);
    expect(p).toEqual(
      expect.arrayContaining([
        { path: "/cases/0/inputs/y", message: "y[0] = 99 is not a class in [0, 5)" },
        { path: "/cases/1/id", message: `id "${f.cases[0].id}" is used twice` },
        { path: "/cases/2/exports", message: `must be ${exportsOf(f.cases[2].target).join(", ")} for target ${f.cases[2].target}` },
      ]),
    );
  });

  it("loadCaseFile names the file: unreadable, not JSON, invalid", () => {
    const dir = mkdtempSync(join(tmpdir(), "golden-"));
    expect(() => loadCaseFile(join(dir, "missing.json"))).toThrow(/missing\.json is not a valid case file .*\n {2}\/: cannot be read: ENOENT/);
    writeFileSync(join(dir, "bad.json"), "{ not json");
    expect(() => loadCaseFile(join(dir, "bad.json"))).toThrow(/bad\.json .*\n {2}\/: is not JSON/);
    writeFileSync(join(dir, "wrong.json"), JSON.stringify({ ...good(), format: 2 }));
    try {
      loadCaseFile(join(dir, "wrong.json"));
      throw new Error("accepted format 2");
    } catch (e) {
      expect(e).toBeInstanceOf(CaseFileError);
      expect((e as CaseFileError).problems).toEqual([{ path: "/format", message: "must be equal to constant" }]);
    }
  });
});

describe("the schema's verdict, remembered by the file's bytes", () => {
  const verdicts = "node_modules/.cache/backprop-grader/case-files";
  const markers = () => new Set(existsSync(verdicts) ? readdirSync(verdicts) : []);

  it("a valid file is remembered once; an invalid one never, and is refused every time", () => {
    const dir = mkdtempSync(join(tmpdir(), "golden-verdict-"));
    const text = committed("layers").replace('"generator": "scripts/make-fixtures.ts"', `"generator": "a copy made at ${dir}"`);
    writeFileSync(join(dir, "copy.json"), text);
    const before = markers();
    const added = () => [...markers()].filter((m) => !before.has(m));
    try {
      expect(loadCaseFile(join(dir, "copy.json")).cases.length).toBeGreaterThan(0);
      expect(added()).toHaveLength(1);
      expect(loadCaseFile(join(dir, "copy.json")).cases.length).toBeGreaterThan(0); // from the verdict: no new one
      expect(added()).toHaveLength(1);
      writeFileSync(join(dir, "copy.json"), text.replace('"format": 1', '"format": 2'));
      expect(() => loadCaseFile(join(dir, "copy.json"))).toThrow(/\/format: must be equal to constant/);
      expect(() => loadCaseFile(join(dir, "copy.json"))).toThrow(/\/format: must be equal to constant/);
      expect(added()).toHaveLength(1);
    } finally {
      for (const m of added()) rmSync(join(verdicts, m));
    }
  });
});

describe("the case plan", () => {
  it("draws inputs away from kinks: every ReLU-family input, hinge margin and max gap is ≥ 1e-2 from its kink", () => {
    const far = (v: number) => Math.abs(v) >= 1e-2;
    for (const c of loadCaseFile(goldenPath("layers")).cases) {
      if (["relu", "leakyRelu", "elu"].includes(c.target)) expect((c.inputs.x as number[][]).flat().every(far)).toBe(true);
    }
    for (const c of loadCaseFile(goldenPath("classifiers")).cases.filter((x) => x.target === "svmLoss")) {
      const s = c.inputs.scores as number[][];
      const y = c.inputs.y as number[];
      expect(s.every((row, i) => row.every((v, j) => j === y[i] || far(v - row[y[i]] + 1)))).toBe(true);
    }
    for (const c of loadCaseFile(goldenPath("gates")).cases.filter((x) => x.target === "MaxGate" && !x.id.includes("tie"))) {
      const [a, b] = c.inputs.x as number[];
      expect(far(a - b)).toBe(true);
    }
  });

  it("has both active and inactive hinge margins in the SVM cases (both branches are tested)", () => {
    const m = loadCaseFile(goldenPath("classifiers"))
      .cases.filter((c) => c.target === "svmLoss")
      .flatMap((c) =>
        (c.inputs.scores as number[][]).flatMap((row, i) =>
          row.filter((_, j) => j !== (c.inputs.y as number[])[i]).map((v) => v - row[(c.inputs.y as number[])[i]] + 1),
        ),
      );
    expect(m.some((v) => v > 0) && m.some((v) => v < 0)).toBe(true);
  });

  it("plans every assignment with non-square sizes", () => {
    for (const a of ASSIGNMENTS) expect(PLAN[a].length).toBeGreaterThan(0);
    expect(PLAN.layers.some((p) => p.dims && new Set(Object.values(p.dims)).size === 3)).toBe(true);
  });
});
