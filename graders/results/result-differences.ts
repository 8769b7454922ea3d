/**
 * Whether two gradings of the same class gave the same verdicts: every results.json under one
 * folder (the Gradescope form `npm run grade` writes, e.g. out/sample-class/<assignment>/<student>/)
 * against the one at the same place under the other, with what a clock decides taken out. A change
 * that restructures the grader must leave the sample class's results as they were:
 * scripts/compare-results.ts is the command, and a test can compare against a committed baseline.
 *
 * Taken out: the run times (execution_time, a training run's durationMs), and of an efficiency
 * test everything but its name and number: its verdict is the clock's too (on a loaded machine a
 * call near the floor or the growth limit passes in one grading and fails in the next), so the
 * total compared is the score without the efficiency tests' points. Grade both times with the
 * same `--seed`: the hidden cases are drawn from it.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { isDeepStrictEqual } from "node:util";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const isObject = (v: unknown): v is { [key: string]: Json } => typeof v === "object" && v !== null && !Array.isArray(v);

/** A results.json with what the clock decides taken out (see the file's comment). */
function comparableResult(result: Json): Json {
  if (!isObject(result)) return result;
  const { execution_time: _time, ...rest } = result;
  if (!Array.isArray(rest.tests)) return rest;
  const timed = rest.tests.filter(isEfficiency).reduce((sum: number, t) => sum + (isObject(t) && typeof t.score === "number" ? t.score : 0), 0);
  return { ...rest, ...(typeof rest.score === "number" ? { score: rest.score - timed } : {}), tests: rest.tests.map(comparableTest) };
}

const isEfficiency = (test: Json) => isObject(test) && isObject(test.extra_data) && test.extra_data.kind === "efficiency";

function comparableTest(test: Json): Json {
  if (!isObject(test)) return test;
  const extra = isObject(test.extra_data) ? test.extra_data : {};
  if (extra.kind === "efficiency") return { name: test.name, number: test.number, max_score: test.max_score };
  if (!isObject(extra.training)) return test;
  const { durationMs: _ms, ...training } = extra.training;
  return { ...test, extra_data: { ...extra, training } };
}

/** The results.json files under `dir`, as paths relative to it, sorted. */
export function resultFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name === "results.json") found.push(relative(dir, path));
    }
  };
  walk(dir);
  return found;
}

/** "/tests/3/output: "a" → "b"": where two JSON values first differ along each branch. */
function differences(before: Json | undefined, after: Json | undefined, path: string, out: string[]): void {
  if (isDeepStrictEqual(before, after)) return;
  if (Array.isArray(before) && Array.isArray(after)) {
    for (let k = 0; k < Math.max(before.length, after.length); k++) differences(before[k], after[k], `${path}/${k}`, out);
    return;
  }
  if (isObject(before) && isObject(after)) {
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) differences(before[key], after[key], `${path}/${key}`, out);
    return;
  }
  const text = (v: Json | undefined) => (v === undefined ? "(absent)" : JSON.stringify(v));
  out.push(`${path || "/"}: ${text(before)} → ${text(after)}`);
}

/** Every difference between the results under `before` and under `after`, one line each. */
export function resultDifferences(before: string, after: string): string[] {
  const a = resultFiles(before);
  const b = resultFiles(after);
  const out: string[] = [];
  for (const file of a.filter((f) => !b.includes(f))) out.push(`${file}: only in ${before}`);
  for (const file of b.filter((f) => !a.includes(f))) out.push(`${file}: only in ${after}`);
  for (const file of a.filter((f) => b.includes(f))) {
    const read = (dir: string) => comparableResult(JSON.parse(readFileSync(join(dir, file), "utf8")) as Json);
    const found: string[] = [];
    differences(read(before), read(after), "", found);
    out.push(...found.map((d) => `${file} ${d}`));
  }
  return out;
}
