/**
 * Validating a results.json before it is written: the JSON schema (results.schema.json, ajv,
 * allErrors), then what a schema cannot say. Every problem is reported at once, with its path
 * (a JSON pointer into the results: "/tests/3/status") and what is wrong.
 */
import { readFileSync } from "node:fs";
import type { ErrorObject, ValidateFunction } from "ajv";
import { makeAjv } from "../ajv";
import type { Problem } from "../cases/shapes";
import { rootPath } from "../paths";
import type { GradescopeResults } from "./gradescope";

export type { Problem };

const SCHEMA_PATH = rootPath("graders", "results", "results.schema.json");
/** Sums are compared within this (points are sums of floats). */
const EPSILON = 1e-9;

let compiled: ValidateFunction | undefined;
function schemaValidator(): ValidateFunction {
  compiled ??= makeAjv({ allErrors: true, schemaFile: true }).compile(JSON.parse(readFileSync(SCHEMA_PATH, "utf8")));
  return compiled;
}

/** An ajv error as a Problem whose path names the property at fault (also a missing or extra one). */
function schemaProblem(e: ErrorObject): Problem {
  const p = e.params as { missingProperty?: string; additionalProperty?: string; allowedValues?: unknown[] };
  const child = p.missingProperty ?? p.additionalProperty;
  const path = child === undefined ? e.instancePath : `${e.instancePath}/${child.replace(/~/g, "~0").replace(/\//g, "~1")}`;
  const allowed = p.allowedValues ? ` (${p.allowedValues.map((v) => JSON.stringify(v)).join(", ")})` : "";
  const extra = p.additionalProperty !== undefined ? ": not a field of this object" : "";
  return { path: path || "/", message: `${e.message ?? "is invalid"}${allowed}${extra}` };
}

const near = (a: number, b: number) => Math.abs(a - b) <= EPSILON;

/** What the schema cannot express; `data` has already passed the schema. */
function consistencyProblems(r: GradescopeResults): Problem[] {
  const problems: Problem[] = [];
  const sum = r.tests.reduce((a, t) => a + t.score, 0);
  if (!near(r.score, sum)) problems.push({ path: "/score", message: `is ${r.score}, but the tests' scores sum to ${sum}` });
  const maxSum = r.tests.reduce((a, t) => a + t.max_score, 0);
  if (!near(r.max_score, maxSum)) {
    problems.push({ path: "/max_score", message: `is ${r.max_score}, but the tests' max_score values sum to ${maxSum}` });
  }
  const numbers = new Set<string>();
  r.tests.forEach((t, k) => {
    const at = `/tests/${k}`;
    if (t.score > t.max_score + EPSILON) problems.push({ path: `${at}/score`, message: `is ${t.score}, more than the test's max_score ${t.max_score}` });
    // No partial credit within one test (result.ts): a pass earns every point, anything else none.
    if (t.status === "passed" && !near(t.score, t.max_score)) {
      problems.push({ path: `${at}/score`, message: `is ${t.score}, but a passed test earns its max_score ${t.max_score}` });
    }
    if (t.status === "failed" && t.score !== 0) problems.push({ path: `${at}/score`, message: `is ${t.score}, but a failed test earns 0` });
    if ((t.status === "passed") !== (t.extra_data.status === "passed")) {
      problems.push({ path: `${at}/extra_data/status`, message: `is "${t.extra_data.status}", which does not agree with status "${t.status}"` });
    }
    const named = t.name.slice(0, t.name.indexOf(": ")).split("+");
    if (!named.includes(t.extra_data.export)) {
      problems.push({ path: `${at}/name`, message: `must begin with the export it checks, "${t.extra_data.export}: "` });
    }
    if (numbers.has(t.number)) problems.push({ path: `${at}/number`, message: `"${t.number}" is used by an earlier test` });
    numbers.add(t.number);
  });
  return problems;
}

/** Every problem of a results.json (already parsed); an empty list means it may be written. */
export function resultsProblems(data: unknown): Problem[] {
  const validate = schemaValidator();
  if (!validate(data)) return (validate.errors ?? []).map(schemaProblem);
  return consistencyProblems(data as GradescopeResults);
}

/** Throws an Error listing every problem, unless `data` is a valid results.json. */
export function assertValidResults(data: unknown): asserts data is GradescopeResults {
  const problems = resultsProblems(data);
  if (problems.length === 0) return;
  const lines = problems.map((p) => `  ${p.path}: ${p.message}`);
  throw new Error(`results.json is invalid (${problems.length} problem${problems.length === 1 ? "" : "s"}); this is a grader bug:\n${lines.join("\n")}`);
}
