/**
 * The answer's form (graders/judge/answer-form.ts): what the sandbox returns is checked before it
 * is judged. The walk accepts the reference's answer on a case of every target; it refuses a
 * transposed matrix, a missing output, a ragged row, a string entry, {"$num": "NaN"}, a short
 * gradient list, a graph answer without one of its inputs, each with the judge's exact message.
 * It finds exactly the problems ajv finds with the equivalent JSON Schema, in the same order.
 */
import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { ASSIGNMENTS, type Case, GATE_NAMES, type GraphSpec, type Mat, SIGNATURES, isGate, isLayer, outputsOf } from "../../../graders/cases/case";
import { goldenPath } from "../../../graders/cases/golden";
import { loadCaseFile } from "../../../graders/cases/load";
import { runCase } from "../../../graders/cases/run";
import type { ErrorObject } from "ajv";
import { makeAjv } from "../../../graders/ajv";
import { type FormProblem, answerFormProblems, answerProblem } from "../../../graders/judge/answer-form";
import { judgeOutputs } from "../../../graders/judge/compare";
import { REFERENCE } from "../../../graders/reference/live-reference";
import { reviveNumbers } from "../../../graders/sandbox/frames";

const TOL = { atol: 1e-7, rtol: 1e-5 };
const NON_FINITE_DETAILS = "NaN or Infinity usually comes from exp() of a large number, 0/0, or log(0).";
const golden = Object.fromEntries(ASSIGNMENTS.map((a) => [a, loadCaseFile(goldenPath(a)).cases]));
const byId = (id: string): Case => {
  const c = Object.values(golden)
    .flat()
    .find((x) => x.id === id);
  if (!c) throw new Error(`no golden case ${id}`);
  return c;
};
/** The answer as it crosses the sandbox's pipe: plain JSON. */
const wire = <T>(v: T): T => JSON.parse(JSON.stringify(v));
const transpose = (m: Mat): Mat => m[0].map((_, j) => m.map((row) => row[j]));

const affine = byId("affine/3x5x7/0"); // N = 3, D = 5, M = 7
const BACKWARD = ["dx", "dw", "db"];
const affineAnswer = () => wire(affine.expected) as Record<string, unknown> & { dx?: unknown[][]; dw: Mat; db?: Mat };

describe("the reference's answers have the answer's form", () => {
  const firstOfEachTarget = ASSIGNMENTS.flatMap((a) =>
    golden[a].filter((c, k) => golden[a].findIndex((x) => x.target === c.target) === k).map((c) => [a, c] as const),
  );

  it("covers every target", () => {
    const targets = new Set(firstOfEachTarget.map(([, c]) => c.target));
    expect([...targets].sort()).toEqual([...GATE_NAMES, "ComputationalGraph", ...Object.keys(SIGNATURES)].sort());
  });

  it.each(firstOfEachTarget.map(([a, c]) => [c.id, a, c] as const))("%s: every export's answer validates and is judged equal", (_id, a, c) => {
    for (const exportName of c.exports) {
      const forwardOnly = isLayer(c.target) && exportName.endsWith("Forward");
      const returned = wire(runCase(REFERENCE[a], c, { forwardOnly, gates: REFERENCE.gates }));
      const names = outputsOf(c, exportName);
      expect(answerFormProblems(c, returned, names)).toEqual([]);
      expect(answerProblem(c, returned, names)).toBeNull();
      expect(judgeOutputs(c, returned, names, TOL)).toEqual({ ok: true });
    }
  });
});

describe("the walk", () => {
  it("reports a huge wrong answer in a few problems, not one per entry", () => {
    const r = affineAnswer();
    r.dx = [...r.dx!, ...Array.from({ length: 100_000 }, () => Array(5).fill("x"))];
    r.dw = r.dw.map(() => Array(100_000).fill("x"));
    expect(answerFormProblems(affine, r, BACKWARD).length).toBeLessThanOrEqual(10);
    expect(judgeOutputs(affine, r, BACKWARD, TOL)).toEqual({
      ok: false,
      message: "dx has shape 100003×5, expected 3×5 (the shape of x)",
      details:
        "also: /dw/0 must NOT have more than 7 items; /dw/1 must NOT have more than 7 items; /dw/2 must NOT have more than 7 items; /dw/3 must NOT have more than 7 items; /dw/4 must NOT have more than 7 items",
    });
  });

  it("takes each matrix's shape from the sizes the case's inputs fix", () => {
    const r = affineAnswer();
    r.dw = transpose(r.dw); // 7×5 for 5×7: the rows are too many, each row too short
    expect(answerFormProblems(affine, r, BACKWARD)).toEqual([{ kind: "length", path: ["dw"], expected: 5, actual: 7 }]);
    const other = byId("affine/6x3x5/0");
    expect(answerFormProblems(other, wire(other.expected), BACKWARD)).toEqual([]);
    expect(answerFormProblems(other, affineAnswer(), BACKWARD).map((p) => p.path.join("/"))).toEqual(["dx", "dw", "db/0"]); // db: 1×7 for 1×5, its one row too long
  });
});

describe("what a wrong answer is told", () => {
  it("a transposed matrix: whose shape it should have, from the ShapeBinder", () => {
    const r = affineAnswer();
    r.dw = transpose(r.dw);
    expect(judgeOutputs(affine, r, BACKWARD, TOL)).toEqual({ ok: false, message: "dw has shape 7×5, expected 5×7 (the shape of w)" });
    const b = affineAnswer();
    b.db = [[...b.db![0], 1]];
    expect(judgeOutputs(affine, b, BACKWARD, TOL)).toEqual({ ok: false, message: "db has shape 1×8, expected 1×7 (the shape of b)" });
  });

  it("a missing output, a missing loss", () => {
    const r = affineAnswer();
    delete r.db;
    expect(judgeOutputs(affine, r, BACKWARD, TOL)).toEqual({ ok: false, message: "db is missing: the result must have out, dx, dw, db" });
    const svm = byId("svmLoss/3x5/0");
    expect(judgeOutputs(svm, { dscores: wire(svm.expected.dscores) }, ["loss", "dscores"], TOL)).toEqual({
      ok: false,
      message: "loss is missing: the result must have loss, dscores",
    });
  });

  it("a ragged row", () => {
    const r = affineAnswer();
    r.dx![1].pop();
    expect(judgeOutputs(affine, r, BACKWARD, TOL)).toEqual({
      ok: false,
      message: "dx is not rectangular: row 0 has 5 entries, row 1 has 4 (return an ml-matrix Matrix or a number[][])",
    });
  });

  it("a string entry, a string loss", () => {
    const r = affineAnswer();
    r.dx![1][2] = "0.5";
    expect(judgeOutputs(affine, r, BACKWARD, TOL)).toEqual({ ok: false, message: "dx[1][2] is string 0.5, expected a number" });
    const svm = byId("svmLoss/3x5/0");
    expect(judgeOutputs(svm, { ...wire(svm.expected), loss: "1" }, ["loss", "dscores"], TOL)).toEqual({
      ok: false,
      message: "loss is string 1, expected a number",
    });
  });

  it('{"$num": "NaN"} as sent, and NaN as the parent revives it: the same message', () => {
    const r = affineAnswer();
    r.dx![0][1] = { $num: "NaN" };
    const told = { ok: false, message: "dx[0][1] is NaN: every entry must be a finite number", details: NON_FINITE_DETAILS };
    expect(judgeOutputs(affine, r, BACKWARD, TOL)).toEqual(told);
    expect(judgeOutputs(affine, JSON.parse(JSON.stringify(r), reviveNumbers), BACKWARD, TOL)).toEqual(told);
    r.dx![2][4] = { $num: "-Infinity" };
    expect(judgeOutputs(affine, r, BACKWARD, TOL)).toEqual({
      ...told,
      message: "dx[0][1] is NaN (2 entries are NaN or ±Infinity): every entry must be a finite number",
    });
    const svm = byId("svmLoss/3x5/0");
    expect(judgeOutputs(svm, { ...wire(svm.expected), loss: { $num: "Infinity" } }, ["loss", "dscores"], TOL)).toEqual({
      ...told,
      message: "loss is Infinity: every entry must be a finite number",
    });
  });

  it("a value that cannot cross the pipe ($unsupported)", () => {
    const r = affineAnswer();
    r.dx = { $unsupported: "function" } as never;
    expect(judgeOutputs(affine, r, BACKWARD, TOL)).toEqual({
      ok: false,
      message: "dx is a function, not a matrix (return an ml-matrix Matrix or a number[][])",
    });
  });

  it("a gate's gradient list one short, or not a list", () => {
    const gate = byId("MultiplyGate/0");
    const z = gate.expected.z;
    expect(judgeOutputs(gate, { z, grads: [1] }, ["z", "grads"], TOL)).toEqual({
      ok: false,
      message: "backward returned 1 gradient for 2 inputs: return one per input, in input order",
    });
    expect(judgeOutputs(gate, { z, grads: 1 }, ["z", "grads"], TOL)).toEqual({
      ok: false,
      message: "backward returned number 1, expected an array of 2 gradients (one per input, in input order)",
    });
    expect(judgeOutputs(gate, { z, grads: [1, { $num: "NaN" }] }, ["z", "grads"], TOL)).toEqual({
      ok: false,
      message: "gradient[1] is NaN: every entry must be a finite number",
      details: NON_FINITE_DETAILS,
    });
  });

  it("a graph answer without one of its inputs", () => {
    const graph = byId("ComputationalGraph/graph=lecture/0");
    const grads = wire(graph.expected.grads) as Record<string, number>;
    delete grads.y;
    expect(judgeOutputs(graph, { value: graph.expected.value, grads }, ["value", "grads"], TOL)).toEqual({
      ok: false,
      message: 'backward() has no number for "y": return d output / d input for every graph input',
    });
  });

  it("several problems: the first in output order is the message, up to 5 more in details", () => {
    const r = affineAnswer();
    r.db = [[1]];
    r.dx![2][3] = null;
    expect(judgeOutputs(affine, r, ["db", "dx"], TOL)).toEqual({
      ok: false,
      message: "db has shape 1×1, expected 1×7 (the shape of b)",
      details: "also: /dx/2/3 must be number (is null)",
    });
    expect(judgeOutputs(affine, r, BACKWARD, TOL)).toEqual({
      ok: false,
      message: "dx[2][3] is null, expected a number",
      details: "also: /db/0 must NOT have fewer than 7 items",
    });
    const missing = affineAnswer();
    missing.db = [[1]];
    delete missing.dx;
    expect(judgeOutputs(affine, missing, ["db", "dx"], TOL)).toEqual({
      ok: false,
      message: "db has shape 1×1, expected 1×7 (the shape of b)",
      details: "also: /dx is missing",
    });
    for (let j = 0; j < 5; j++) r.dw[0][j] = "x" as never;
    expect(judgeOutputs(affine, r, BACKWARD, TOL)).toEqual({
      ok: false,
      message: "dx[2][3] is null, expected a number",
      details:
        "also: /dw/0/0 must be number (is string x); /dw/0/1 must be number (is string x); /dw/0/2 must be number (is string x); /dw/0/3 must be number (is string x); /dw/0/4 must be number (is string x) (and 1 more)",
    });
  });

  it("a verdict with details of its own lists nothing more", () => {
    const r = affineAnswer();
    r.dx![0][0] = NaN;
    r.db = [[1]];
    expect(judgeOutputs(affine, r, BACKWARD, TOL)).toEqual({
      ok: false,
      message: "dx[0][0] is NaN: every entry must be a finite number",
      details: NON_FINITE_DETAILS,
    });
  });

  it("an answer of the right form is compared entry by entry as before", () => {
    const r = affineAnswer();
    r.dx![0][0] = (r.dx![0][0] as number) + 1;
    const v = judgeOutputs(affine, r, BACKWARD, TOL);
    expect(v.ok).toBe(false);
    if (v.ok) throw new Error("expected the judge to refuse the answer");
    expect(v.message).toMatch(/^dx\[0\]\[0\] = -?[\d.]+, expected -?[\d.]+ \(1 of 15 entries differ\)$/);
    expect(v.details).toMatch(/CS231n relative error/);
  });

  it("anything but an object", () => {
    expect(judgeOutputs(affine, null, BACKWARD, TOL)).toEqual({ ok: false, message: "returned null" });
    expect(judgeOutputs(affine, 3, BACKWARD, TOL)).toEqual({ ok: false, message: "returned number 3" });
  });
});

/**
 * The JSON Schema of the answer's form (what the grader validated with ajv before the walk):
 * an array of exactly n items, looked at only when the length is right.
 */
function schemaOf(c: Case, names: string[]): object {
  const NUMBER = { type: "number" };
  const exactly = (n: number, items: object) => ({ type: "array", minItems: n, maxItems: n, if: { minItems: n, maxItems: n }, then: { items } });
  const properties: Record<string, object> = {};
  for (const n of names) {
    const expected = c.expected[n];
    if (isGate(c.target) && n === "grads") properties[n] = exactly((c.inputs.x as number[]).length, NUMBER);
    else if (c.target === "ComputationalGraph" && n === "grads") {
      const inputs = (c.inputs.graph as GraphSpec).inputs;
      properties[n] = { type: "object", required: inputs, properties: Object.fromEntries(inputs.map((i) => [i, NUMBER])) };
    } else if (Array.isArray(expected)) properties[n] = exactly(expected.length, exactly((expected[0] as unknown[]).length, NUMBER));
    else properties[n] = NUMBER;
  }
  return { type: "object", required: names, properties };
}
const pathOf = (e: ErrorObject) => [
  ...(e.instancePath === "" ? [] : e.instancePath.slice(1).split("/")),
  ...(e.keyword === "required" ? [(e.params as { missingProperty: string }).missingProperty] : []),
];
const ajvProblem = (e: ErrorObject) => ({ path: pathOf(e), message: e.keyword === "required" ? "is missing" : e.message });
const walkProblem = (p: FormProblem) => ({
  path: p.path,
  message:
    p.kind === "missing"
      ? "is missing"
      : p.kind === "type"
        ? `must be ${p.expected}`
        : `must NOT have ${p.actual > p.expected ? "more" : "fewer"} than ${p.expected} items`,
});

describe("the walk against ajv", () => {
  const SEED = 20261129;
  const cases = ASSIGNMENTS.flatMap((a) => golden[a].map((c) => [a, c] as const));
  /** A change to an answer, as a student's code could return it. */
  const mutation = fc.oneof(
    fc.constant("none"),
    fc.constant("drop an output"),
    fc.constant("NaN entry"),
    fc.constant("marker entry"),
    fc.constant("string entry"),
    fc.constant("short row"),
    fc.constant("extra row"),
    fc.constant("number for a matrix"),
    fc.constant("Infinity number"),
    fc.constant("extra key"),
    fc.constant("array answer"),
  );
  const mutate = (v: Record<string, unknown>, how: string, pick: number): unknown => {
    const keys = Object.keys(v);
    const k = keys[pick % keys.length];
    const m = v[k];
    const firstRow = Array.isArray(m) && Array.isArray(m[0]) ? (m[0] as unknown[]) : null;
    switch (how) {
      case "drop an output":
        delete v[k];
        return v;
      case "NaN entry":
        if (firstRow) firstRow[0] = NaN;
        else v[k] = NaN;
        return v;
      case "marker entry":
        if (firstRow) firstRow[0] = { $num: "Infinity" };
        else v[k] = { $num: "NaN" };
        return v;
      case "string entry":
        if (firstRow) firstRow[0] = "0.5";
        else if (Array.isArray(m)) m[0] = "0.5";
        else v[k] = "0.5";
        return v;
      case "short row":
        if (firstRow) firstRow.pop();
        else if (Array.isArray(m)) m.pop();
        return v;
      case "extra row":
        if (Array.isArray(m)) m.push(firstRow ? [...firstRow] : 1);
        return v;
      case "number for a matrix":
        v[k] = 1;
        return v;
      case "Infinity number":
        v[k] = Infinity;
        return v;
      case "extra key":
        v.extra = "whatever";
        return v;
      case "array answer":
        return Object.values(v);
      default:
        return v;
    }
  };

  it(`finds exactly the problems ajv finds with the equivalent JSON Schema, in order, on mutated reference answers of every golden case (fast-check seed ${SEED})`, () => {
    const ajv = makeAjv({ allErrors: true, strict: true });
    fc.assert(
      fc.property(fc.constantFrom(...cases), mutation, fc.nat(), ([a, c], how, pick) => {
        for (const exportName of c.exports) {
          const forwardOnly = isLayer(c.target) && exportName.endsWith("Forward");
          const names = outputsOf(c, exportName);
          const answer = mutate(wire(runCase(REFERENCE[a], c, { forwardOnly, gates: REFERENCE.gates })) as Record<string, unknown>, how, pick);
          const validate = ajv.compile(schemaOf(c, names));
          validate(answer);
          const fromAjv = (validate.errors ?? []).filter((e) => e.keyword !== "if").map(ajvProblem); // "must match then": its items say why
          expect(answerFormProblems(c, answer, names).map(walkProblem)).toEqual(fromAjv);
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});
