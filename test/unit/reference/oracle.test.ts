/**
 * The reference against an independent oracle: PyTorch autograd in float64.
 *
 * fixtures/oracle/<assignment>.json is written by scripts/torch-oracle.py (run it with
 * `/usr/bin/python3 scripts/torch-oracle.py`, the python that has torch). Here every case of every
 * oracle file is run on the reference through runCase, and each expected key must agree with
 * torch to a scale-aware relative error
 *     max |ours − torch| / max(max |torch|, 1e-300)  ≤  1e-9
 * (over all entries of a matrix / list / record; |ours − torch| / max(|torch|, 1e-300) for a
 * scalar). The oracle files must also cover every contract export and every gate type, so an
 * export that nobody checks fails here. The worst error per assignment is logged at the end.
 */
import { afterAll, describe, expect, it } from "@jest/globals";
import { fileURLToPath } from "node:url";
import { ASSIGNMENTS, GATE_NAMES, type AssignmentName, type Case, type CaseFile, type GraphSpec } from "../../../graders/cases/case";
import { loadCaseFile } from "../../../graders/cases/load";
import { runCase } from "../../../graders/cases/run";
import { contractExports } from "../../../graders/contract";
import { REFERENCE } from "../../../graders/reference/live-reference";

const TOLERANCE = 1e-9;
const GENERATOR = "scripts/torch-oracle.py";

const oraclePath = (a: AssignmentName) => fileURLToPath(new URL(`../../../fixtures/oracle/${a}.json`, import.meta.url));

/** Every oracle file, loaded (and validated) once, at collection time. */
const FILES = Object.fromEntries(ASSIGNMENTS.map((a) => [a, loadCaseFile(oraclePath(a))])) as Record<AssignmentName, CaseFile>;

// ----------------------------------------------------------------------------- comparison

/** The scale-aware relative error of one expected value, and where it is worst. */
interface Comparison {
  rel: number;
  /** e.g. "[2][3]", "[1]", ".x", "" for a scalar. */
  where: string;
  ours: unknown;
  torch: number;
  /** A structural problem (wrong shape, missing key, not a number): always a failure. */
  problem?: string;
}

/** Flatten an expected value (number, number[], number[][], {name: number}) into coordinates. */
function coordinates(value: unknown): [string, number][] | undefined {
  if (typeof value === "number") return [["", value]];
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === "number")) return value.map((v, i) => [`[${i}]`, v as number]);
    if (value.every((r) => Array.isArray(r) && r.every((v) => typeof v === "number")))
      return (value as number[][]).flatMap((r, i) => r.map((v, j): [string, number] => [`[${i}][${j}]`, v]));
    return undefined;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.every(([, v]) => typeof v === "number")) return entries.map(([k, v]) => [`.${k}`, v as number]);
  }
  return undefined;
}

function shapeOf(value: unknown): string {
  if (typeof value === "number") return "number";
  if (Array.isArray(value)) return Array.isArray(value[0]) ? `${value.length}x${(value[0] as unknown[]).length}` : `[${value.length}]`;
  if (value !== null && typeof value === "object") return `{${Object.keys(value).sort().join(",")}}`;
  return typeof value;
}

function compare(ours: unknown, torch: unknown): Comparison {
  const want = coordinates(torch);
  if (!want) throw new Error(`oracle value of unexpected shape: ${JSON.stringify(torch)}`);
  const got = coordinates(ours);
  const fail = (problem: string): Comparison => ({ rel: Infinity, where: "", ours, torch: NaN, problem });
  if (!got) return fail(`not a number / number[] / matrix / record: ${JSON.stringify(ours)?.slice(0, 200)}`);
  if (shapeOf(ours) !== shapeOf(torch) || got.length !== want.length) return fail(`shape ${shapeOf(ours)}, torch has ${shapeOf(torch)}`);
  const ourAt = new Map(got);
  const scale = Math.max(Math.max(...want.map(([, v]) => Math.abs(v))), 1e-300);
  let worst: Comparison = { rel: 0, where: want[0][0], ours: ourAt.get(want[0][0]), torch: want[0][1] };
  for (const [where, t] of want) {
    const o = ourAt.get(where);
    if (o === undefined) return fail(`missing ${where}`);
    const rel = Number.isFinite(o) ? Math.abs(o - t) / scale : Infinity;
    if (rel > worst.rel || Number.isNaN(rel)) worst = { rel: Number.isNaN(rel) ? Infinity : rel, where, ours: o, torch: t };
  }
  return worst;
}

// ----------------------------------------------------------------------------- worst errors

interface Worst {
  rel: number;
  id: string;
  key: string;
  cases: number;
}
const WORST = Object.fromEntries(ASSIGNMENTS.map((a) => [a, { rel: 0, id: "-", key: "-", cases: 0 }])) as Record<AssignmentName, Worst>;

afterAll(() => {
  const lines = ASSIGNMENTS.map((a) => {
    const w = WORST[a];
    return `  ${a.padEnd(14)} ${String(w.cases).padStart(3)} cases  worst rel. error ${w.rel.toExponential(2)}  (${w.id}, ${w.key})`;
  });
  console.log(`reference vs PyTorch oracle (tolerance ${TOLERANCE}):\n${lines.join("\n")}`);
});

// ----------------------------------------------------------------------------- tests

describe.each([...ASSIGNMENTS])("torch oracle: %s", (assignment) => {
  const file = FILES[assignment];
  const impl = REFERENCE[assignment];

  it("is an oracle file of this assignment", () => {
    expect(file.format).toBe(1);
    expect(file.assignment).toBe(assignment);
    expect(file.generator).toBe(GENERATOR);
    const ids = file.cases.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("covers every export of the assignment", () => {
    const covered = new Set(file.cases.flatMap((c) => c.exports));
    const missing = contractExports(assignment).filter((e) => !covered.has(e));
    expect(missing).toEqual([]);
  });

  if (assignment === "gates") {
    it("covers every gate type, alone and inside a graph", () => {
      const targets = new Set<string>(file.cases.map((c) => c.target));
      const inGraphs = new Set<string>(
        file.cases.filter((c) => c.target === "ComputationalGraph").flatMap((c) => (c.inputs.graph as GraphSpec).nodes.map((n) => n.gate.type)),
      );
      expect(GATE_NAMES.filter((g) => !targets.has(g))).toEqual([]);
      expect(GATE_NAMES.filter((g) => !inGraphs.has(g))).toEqual([]);
      expect(targets.has("ComputationalGraph")).toBe(true);
    });
  }

  it.each(file.cases.map((c): [string, Case] => [c.id, c]))("%s", (id, c) => {
    const ours = runCase(impl, c) as Record<string, unknown>;
    const failures: string[] = [];
    for (const [key, torch] of Object.entries(c.expected)) {
      const r = compare(ours[key], torch);
      const w = WORST[assignment];
      if (r.rel > w.rel || r.problem) Object.assign(w, { rel: r.rel, id, key: key + r.where });
      if (r.problem) failures.push(`${key}: ${r.problem}`);
      else if (!(r.rel <= TOLERANCE))
        failures.push(`${key}${r.where}: ours ${String(r.ours)} vs torch ${r.torch} (rel. error ${r.rel.toExponential(3)} > ${TOLERANCE})`);
    }
    WORST[assignment].cases += 1;
    expect(failures).toEqual([]);
  });
});
