/**
 * The four handouts in assignments/: each manifest validates against the schema and matches the
 * contract (files, one part per export in order, 100 points), and each skeleton exports every
 * contract name with bodies that fail with a message naming the export.
 */
import { describe, expect, it } from "@jest/globals";
import Ajv from "ajv";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Matrix } from "ml-matrix";
import { CONTRACT, contractExports } from "../../graders/contract";
import { ASSIGNMENTS, type AssignmentName } from "../../graders/cases/case";
import { loadGradedManifest } from "../../graders/checks/registry";
import { ManifestError } from "../../graders/manifest";
import os from "node:os";

// ajv is CommonJS, but it sets module.exports to the Ajv class, so the default import is the class
// both under Node's ESM interop (Jest with --experimental-vm-modules) and under tsc.

const ROOT = process.cwd();
const DIR = path.join(ROOT, "assignments");
const readJson = (file: string): unknown => JSON.parse(fs.readFileSync(file, "utf8"));

interface TestSpec {
  kind: string;
  points: number;
  visibility: string;
  description: string;
  timeoutMs?: number;
  output?: string;
}
interface Manifest {
  $schema?: string;
  name: string;
  title: string;
  files: Record<string, string[]>;
  limits: { callTimeoutMs: number; submissionTimeoutMs: number; memoryMb: number };
  tolerances: { golden: { atol: number; rtol: number }; gradcheck: { h: number; atol: number; rtol: number } };
  parts: { export: string; tests: TestSpec[] }[];
}

const schema = readJson(path.join(DIR, "assignment.schema.json")) as Record<string, unknown>;
const validate = new Ajv({ allErrors: true }).compile(schema);
const manifest = (a: AssignmentName): Manifest => readJson(path.join(DIR, a, "assignment.json")) as Manifest;

/** Validates and returns ajv's errors (empty when valid), formatted for a readable failure. */
function schemaErrors(data: unknown): { instancePath: string; keyword: string; message?: string; params: Record<string, unknown> }[] {
  return validate(data) ? [] : [...(validate.errors ?? [])];
}

const GATE_CTOR_ARGS: Record<string, number[]> = { ScaleGate: [2], OffsetGate: [3] };
const TWO_INPUT_GATES = new Set(["AddGate", "MultiplyGate", "MaxGate"]);

/** Plausible, well-shaped arguments for each function export (the skeleton must throw anyway). */
function sampleArgs(name: string): unknown[] {
  const x = new Matrix([
    [0.5, -1, 2],
    [-0.25, 1.5, -3],
  ]); // N=2, D=3
  const w = new Matrix([
    [0.1, 0.2],
    [0.3, -0.4],
    [0.5, 0.6],
  ]); // D×M, M=2
  const b = new Matrix([[0.01, -0.02]]); // 1×M
  const dout = new Matrix([
    [1, -1],
    [0.5, 2],
  ]); // N×M
  const dx = new Matrix([
    [1, -1, 0.5],
    [0.5, 2, -2],
  ]); // N×D
  const y = [1, 0];
  const params = {
    W1: w,
    b1: b,
    W2: new Matrix([
      [1, -1],
      [0.5, 2],
    ]),
    b2: new Matrix([[0, 0.1]]),
  };
  const cache = { x, w };
  const table: Record<string, unknown[]> = {
    affineForward: [x, w, b],
    affineBackward: [dout, cache],
    reluForward: [x],
    reluBackward: [dx, { x }],
    sigmoidForward: [x],
    sigmoidBackward: [dx, { out: x }],
    tanhForward: [x],
    tanhBackward: [dx, { out: x }],
    leakyReluForward: [x],
    leakyReluBackward: [dx, { x, slope: 0.1 }],
    eluForward: [x],
    eluBackward: [dx, { x, alpha: 1 }],
    maxoutForward: [x, w, b, w, b],
    maxoutBackward: [dout, { x, w1: w, w2: w, firstWins: Matrix.ones(2, 2) }],
    svmLoss: [dout, y],
    softmaxLoss: [dout, y],
    linearSvmLoss: [w, x, y, 0.1],
    linearSoftmaxLoss: [w, x, y, 0.1],
    twoLayerNetScores: [params, x],
    twoLayerNetLoss: [params, x, y, 0.1],
  };
  const args = table[name];
  if (!args) throw new Error(`test/repo/assignments.test.ts: no sample arguments for ${name}`);
  return args;
}

const escapeRe = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Calls fn and returns what it threw (or fails the test if it returned). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected the skeleton to throw, but it returned");
}

function expectNotImplemented(fn: () => unknown, exportName: string, file: string): void {
  const e = thrown(fn);
  expect(e).toBeInstanceOf(Error);
  expect((e as Error).message).toBe(`${exportName}: not implemented yet (TODO in ${file})`);
}

describe("assignment.schema.json", () => {
  it("is a draft-07 schema that ajv compiles", () => {
    expect(schema.$schema).toBe("http://json-schema.org/draft-07/schema#");
    expect(typeof validate).toBe("function");
  });

  const good = (): Manifest => JSON.parse(JSON.stringify(manifest("layers"))) as Manifest;

  it("accepts a valid manifest", () => {
    expect(schemaErrors(good())).toEqual([]);
  });

  it("rejects a test without points and a test with an unknown kind, naming both fields", () => {
    const m = good() as unknown as { parts: { tests: Record<string, unknown>[] }[] };
    delete m.parts[0].tests[0].points;
    m.parts[0].tests[1].kind = "speed";
    const errors = schemaErrors(m);
    expect(errors).toContainEqual(
      expect.objectContaining({
        instancePath: "/parts/0/tests/0",
        keyword: "required",
        params: { missingProperty: "points" },
      }),
    );
    expect(errors).toContainEqual(expect.objectContaining({ instancePath: "/parts/0/tests/1/kind", keyword: "enum" }));
  });

  it("rejects unknown fields, non-integer or negative points, bad visibility and non-positive limits", () => {
    const m = good() as unknown as Record<string, unknown> & {
      limits: Record<string, unknown>;
      tolerances: { gradcheck: Record<string, unknown> };
      parts: { tests: Record<string, unknown>[] }[];
    };
    m.extra = true;
    m.limits.memoryMb = 0;
    m.tolerances.gradcheck.h = 0;
    m.parts[0].tests[0].points = 1.5;
    m.parts[0].tests[1].points = -1;
    m.parts[0].tests[2].visibility = "public";
    m.parts[0].tests[2].pts = 3;
    const at = schemaErrors(m).map((e) => `${e.instancePath} ${e.keyword}`);
    expect(at).toEqual(
      expect.arrayContaining([
        " additionalProperties",
        "/limits/memoryMb exclusiveMinimum",
        "/tolerances/gradcheck/h exclusiveMinimum",
        "/parts/0/tests/0/points type",
        "/parts/0/tests/1/points minimum",
        "/parts/0/tests/2/visibility enum",
        "/parts/0/tests/2 additionalProperties",
      ]),
    );
  });

  it("rejects an unknown assignment name and a capitalized description", () => {
    const m = good() as unknown as { name: string; parts: { tests: { description: string }[] }[] };
    m.name = "convnets";
    m.parts[0].tests[0].description = "Matches the reference.";
    const at = schemaErrors(m).map((e) => `${e.instancePath} ${e.keyword}`);
    expect(at).toEqual(expect.arrayContaining(["/name enum", "/parts/0/tests/0/description pattern"]));
  });
});

describe.each(ASSIGNMENTS.map((a) => [a]))("assignment %s", (a: AssignmentName) => {
  const m = manifest(a);

  it("assignment.json validates against the schema", () => {
    const errors = schemaErrors(m);
    if (errors.length > 0) {
      // Printed so that a failing run says which field is wrong.
      console.error(
        `${a}/assignment.json:\n${errors.map((e) => `  ${e.instancePath || "/"} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`).join("\n")}`,
      );
    }
    expect(errors).toEqual([]);
    expect(m.$schema).toBe("../assignment.schema.json");
  });

  it("is named after its folder", () => {
    expect(m.name).toBe(a);
  });

  it("files equal the contract, file by file, in contract order", () => {
    expect(Object.entries(m.files)).toEqual(CONTRACT[a].map((f) => [f.file, f.exports]));
  });

  it("has one part per contract export, in contract order", () => {
    expect(m.parts.map((p) => p.export)).toEqual(contractExports(a));
  });

  it("names every test '<export>: <description>', uniquely", () => {
    const names = m.parts.flatMap((p) => p.tests.map((t) => `${p.export}: ${t.description}`));
    for (const [i, p] of m.parts.entries()) {
      for (const t of p.tests) {
        const name = `${p.export}: ${t.description}`;
        expect(name.startsWith(`${m.parts[i].export}: `)).toBe(true);
        expect(t.description).toBe(t.description.trim());
      }
    }
    expect(new Set(names).size).toBe(names.length);
  });

  it("totals exactly 100 points", () => {
    const total = m.parts.reduce((s, p) => s + p.tests.reduce((t, x) => t + x.points, 0), 0);
    expect(total).toBe(100);
  });

  it("uses the visibilities and time limits the graders expect", () => {
    for (const p of m.parts) {
      for (const t of p.tests) {
        const where = `${p.export}: ${t.description}`;
        if (t.kind === "golden" || t.kind === "properties") expect([where, t.visibility]).toEqual([where, "visible"]);
        if (t.kind === "hidden") expect([where, t.visibility]).toEqual([where, "after_published"]);
        if (t.kind === "efficiency" || t.kind === "training") {
          expect([where, (t.timeoutMs ?? 0) > m.limits.callTimeoutMs]).toEqual([where, true]);
        }
        if (t.timeoutMs !== undefined) expect(t.timeoutMs).toBeLessThan(m.limits.submissionTimeoutMs);
      }
      // Every export is checked against the reference on visible and on hidden cases.
      expect([p.export, p.tests.some((t) => t.kind === "golden"), p.tests.some((t) => t.kind === "hidden")]).toEqual([p.export, true, true]);
    }
  });

  it("its handout lists every test with its points, and the total", () => {
    const readme = fs.readFileSync(path.join(DIR, a, "README.md"), "utf8");
    for (const p of m.parts) {
      for (const t of p.tests) {
        expect(readme).toMatch(new RegExp(`\\| \`${escapeRe(`${p.export}: ${t.description}`)}\` \\| [a-z ]+ \\| ${t.points} \\|`));
      }
    }
    expect(readme).toContain("| **total** | | **100** | |");
    expect(readme).toContain("npm run check");
  });

  if (a === "two-layer-net") {
    it("grades twoLayerNetLoss's loss and each gradient in a test of its own", () => {
      const loss = m.parts.find((p) => p.export === "twoLayerNetLoss");
      expect(loss).toBeDefined();
      const tests = loss!.tests;
      expect(tests.filter((t) => t.kind === "golden").map((t) => t.output)).toEqual(["loss"]);
      expect(tests.filter((t) => t.kind === "gradcheck").map((t) => t.output)).toEqual(["dW1", "db1", "dW2", "db2"]);
      expect(tests.some((t) => t.kind === "training")).toBe(true);
      expect(tests.some((t) => t.kind === "efficiency")).toBe(true);
    });
  }

  describe.each(CONTRACT[a].map((f) => [f.file, f.exports] as const))("skeleton/%s", (file: string, exports: readonly string[]) => {
    const load = async (): Promise<Record<string, unknown>> =>
      (await import(pathToFileURL(path.join(DIR, a, "skeleton", file)).href)) as Record<string, unknown>;

    it("exists, with a handout next to it", () => {
      expect(fs.existsSync(path.join(DIR, a, "skeleton", file))).toBe(true);
      expect(fs.existsSync(path.join(DIR, a, "README.md"))).toBe(true);
    });

    it("imports nothing but ml-matrix", () => {
      const src = fs.readFileSync(path.join(DIR, a, "skeleton", file), "utf8");
      const specs = [...src.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']/gm)].map((x) => x[1]);
      for (const s of specs) expect(s).toBe("ml-matrix");
    });

    it.each(exports.map((e) => [e]))("exports %s as a function or class", async (name: string) => {
      const mod = await load();
      expect(typeof mod[name]).toBe("function");
    });

    it.each(exports.map((e) => [e]))("%s fails with a message that names it", async (name: string) => {
      const mod = await load();
      const value = mod[name] as (...args: unknown[]) => unknown;
      if (a === "gates" && name !== "ComputationalGraph") {
        const Gate = value as unknown as new (...args: number[]) => {
          forward(...xs: number[]): number;
          backward(dz: number): number[];
        };
        let gate: InstanceType<typeof Gate> | undefined;
        expect(() => {
          gate = new Gate(...(GATE_CTOR_ARGS[name] ?? []));
        }).not.toThrow();
        const xs = TWO_INPUT_GATES.has(name) ? [1.5, -2] : [0.5];
        expectNotImplemented(() => gate!.forward(...xs), name, file);
        expectNotImplemented(() => gate!.backward(1), name, file);
        if (name === "ScaleGate") expect((gate as unknown as { a: number }).a).toBe(2);
        if (name === "OffsetGate") expect((gate as unknown as { c: number }).c).toBe(3);
      } else if (name === "ComputationalGraph") {
        const Graph = value as unknown as new (
          inputs: string[],
          nodes: { name: string; gate: unknown; inputs: string[] }[],
          output: string,
        ) => { forward(values: Record<string, number>): number; backward(): Record<string, number> };
        // Any object with forward/backward is a gate; nodes are given out of order on purpose.
        const add = { forward: (x: number, y: number) => x + y, backward: (dz: number) => [dz, dz] };
        const kept = { x: 0, y: 0 };
        const mul = {
          forward: (x: number, y: number) => {
            kept.x = x;
            kept.y = y;
            return x * y;
          },
          backward: (dz: number) => [kept.y * dz, kept.x * dz],
        };
        let graph: InstanceType<typeof Graph> | undefined;
        expect(() => {
          graph = new Graph(
            ["x", "y", "z"],
            [
              { name: "f", gate: mul, inputs: ["q", "z"] },
              { name: "q", gate: add, inputs: ["x", "y"] },
            ],
            "f",
          );
        }).not.toThrow();
        expectNotImplemented(() => graph!.forward({ x: -2, y: 5, z: -4 }), name, file);
        expectNotImplemented(() => graph!.backward(), name, file);
      } else {
        expectNotImplemented(() => value(...sampleArgs(name)), name, file);
      }
    });
  });
});

describe("loadGradedManifest refuses checks that do not exist or do not apply (before any grading)", () => {
  const load = (edit: (m: Manifest) => void) => {
    const m = manifest("layers");
    edit(m);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "manifest-"));
    fs.writeFileSync(path.join(dir, "assignment.json"), JSON.stringify(m));
    return () => loadGradedManifest("layers", path.join(dir, "assignment.json"));
  };
  const testOf = (m: Manifest, exportName: string, check: string) =>
    (m as unknown as { parts: { export: string; tests: { check?: string }[] }[] }).parts
      .find((p) => p.export === exportName)!
      .tests.find((t) => t.check === check)!;

  it("a misspelt check name, with its JSON path and the known names", () => {
    const bad = load((m) => (testOf(m, "reluBackward", "backward-properties").check = "backward-propertys"));
    expect(bad).toThrow(ManifestError);
    expect(bad).toThrow(
      /\/parts\/3\/tests\/3\/check: no check is named "backward-propertys" \(known: golden, hidden, gradcheck, efficiency, training, backward-properties/,
    );
  });

  it("a check for an export it does not apply to", () => {
    const bad = load((m) => (testOf(m, "reluBackward", "backward-properties").check = "forward-properties"));
    expect(bad).toThrow(
      /\/parts\/3\/tests\/3: check "forward-properties" does not apply to reluBackward \(it checks reluForward, sigmoidForward, leakyReluForward, eluForward\)/,
    );
  });

  it("a properties test without a check", () => {
    const bad = load((m) => delete testOf(m, "reluBackward", "backward-properties").check);
    expect(bad).toThrow(/\/parts\/3\/tests\/3: a properties test must name its check/);
  });

  it("every committed manifest loads", () => {
    for (const a of ASSIGNMENTS) expect(() => loadGradedManifest(a)).not.toThrow();
  });
});
