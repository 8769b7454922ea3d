/**
 * Loading a case file (golden fixtures, the PyTorch oracle) with every problem reported at once:
 * the file, the path inside it, and what is wrong. JSON schema first (ajv, allErrors), then what a
 * schema cannot say: rectangular matrices, shapes that agree, labels within the classes, unique
 * ids, exports and assignment that match the targets, graphs whose names resolve.
 *
 * Compiling the case-file schema costs more than grading a small submission (0.13 s), so the
 * schema's verdict on a file is remembered: by the hash of the schema, the file's bytes and
 * ajv's version, in node_modules/.cache/backprop-grader/case-files/ where that can be written.
 * A command that loads an unchanged golden file again (a student's next self-check) skips the
 * compile; any change to the file, the schema or ajv validates it afresh. The checks a schema
 * cannot make run every time.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { ErrorObject, ValidateFunction } from "ajv";
import { makeAjv } from "../ajv";
import { type Case, type CaseFile, GATE_NAMES, type GraphSpec, SIGNATURES, assignmentOf, exportsOf, isGate } from "./case";
import { rootPath } from "../paths";
import { type Problem, signatureProblems } from "./shapes";

const SCHEMA_PATH = rootPath("fixtures", "case-file.schema.json");

let schemaText: string | undefined;
let compiled: ValidateFunction | undefined;
function schemaValidator(): ValidateFunction {
  schemaText ??= readFileSync(SCHEMA_PATH, "utf8");
  compiled ??= makeAjv({ allErrors: true, discriminator: true, schemaFile: true }).compile(JSON.parse(schemaText));
  return compiled;
}

const VERDICTS = rootPath("node_modules", ".cache", "backprop-grader", "case-files");

function ajvVersion(): string {
  try {
    return String((createRequire(import.meta.url)("ajv/package.json") as { version: unknown }).version);
  } catch {
    return "unknown";
  }
}

/** Where the schema's verdict "valid" on `text` is remembered. */
function verdictPath(text: string): string {
  schemaText ??= readFileSync(SCHEMA_PATH, "utf8");
  return join(VERDICTS, createHash("sha256").update(`${ajvVersion()}\0${schemaText}\0${text}`).digest("hex"));
}

function knownValid(text: string): boolean {
  try {
    return statSync(verdictPath(text)).isFile();
  } catch {
    return false;
  }
}

function rememberValid(text: string): void {
  try {
    mkdirSync(VERDICTS, { recursive: true });
    writeFileSync(verdictPath(text), "");
  } catch {
    // a read-only installation validates every time
  }
}

export class CaseFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: Problem[],
  ) {
    const shown = problems.slice(0, 20).map((p) => `  ${p.path || "/"}: ${p.message}`);
    const more = problems.length > 20 ? [`  … and ${problems.length - 20} more`] : [];
    super(`${file} is not a valid case file (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${[...shown, ...more].join("\n")}`);
    this.name = "CaseFileError";
  }
}

function graphProblems(c: Case, at: string): Problem[] {
  const spec = c.inputs.graph as GraphSpec;
  const problems: Problem[] = [];
  const names = new Set(spec.inputs);
  for (const n of spec.nodes) {
    if (names.has(n.name)) problems.push({ path: `${at}/inputs/graph`, message: `name "${n.name}" is defined twice` });
    names.add(n.name);
  }
  for (const n of spec.nodes) {
    for (const i of n.inputs) {
      if (!names.has(i)) problems.push({ path: `${at}/inputs/graph`, message: `node "${n.name}" reads unknown "${i}"` });
    }
  }
  if (!names.has(spec.output)) problems.push({ path: `${at}/inputs/graph`, message: `output "${spec.output}" is not defined` });
  const values = c.inputs.values as Record<string, number>;
  const grads = c.expected.grads as Record<string, number>;
  const same = (o: Record<string, number>) => Object.keys(o).sort().join(",") === [...spec.inputs].sort().join(",");
  if (!same(values)) problems.push({ path: `${at}/inputs/values`, message: `must give exactly the graph inputs ${spec.inputs.join(", ")}` });
  if (!same(grads)) problems.push({ path: `${at}/expected/grads`, message: `must give exactly the graph inputs ${spec.inputs.join(", ")}` });
  return problems;
}

const TARGETS = [...GATE_NAMES, "ComputationalGraph", ...Object.keys(SIGNATURES)];

/** An ajv error as a Problem, in words a person fixing the file can act on (manifests use it too). */
export function schemaProblem(e: ErrorObject): Problem {
  if (e.keyword === "discriminator") {
    const value = JSON.stringify((e.params as { tagValue?: unknown }).tagValue);
    return { path: `${e.instancePath}/target`, message: `${value} is not a target (one of ${TARGETS.join(", ")})` };
  }
  const { allowedValues, additionalProperty } = e.params as { allowedValues?: unknown[]; additionalProperty?: string };
  if (additionalProperty !== undefined) return { path: e.instancePath, message: `has "${additionalProperty}", which is not a field here (a typo?)` };
  return { path: e.instancePath, message: `${e.message ?? "is invalid"}${allowedValues ? ` (${allowedValues.join(", ")})` : ""}` };
}

/** Every problem of already-parsed data; an empty list means it is a valid CaseFile.
 *  `schemaPassed`: the schema's verdict is already known to be "valid" (its own checks are skipped). */
export function caseFileProblems(data: unknown, schemaPassed = false): Problem[] {
  const validate = schemaPassed ? null : schemaValidator();
  if (validate && !validate(data)) return (validate.errors ?? []).map(schemaProblem);
  const file = data as unknown as CaseFile;
  const problems: Problem[] = [];
  const ids = new Set<string>();
  file.cases.forEach((c, k) => {
    const at = `/cases/${k}`;
    if (ids.has(c.id)) problems.push({ path: `${at}/id`, message: `id "${c.id}" is used twice` });
    ids.add(c.id);
    if (assignmentOf(c.target) !== file.assignment) {
      problems.push({ path: `${at}/target`, message: `${c.target} belongs to ${assignmentOf(c.target)}, not ${file.assignment}` });
    }
    if (c.exports.join(",") !== exportsOf(c.target).join(",")) {
      problems.push({ path: `${at}/exports`, message: `must be ${exportsOf(c.target).join(", ")} for target ${c.target}` });
    }
    if (c.target === "ComputationalGraph") problems.push(...graphProblems(c, at));
    else if (!isGate(c.target)) {
      for (const p of signatureProblems(SIGNATURES[c.target], c.inputs, c.expected)) problems.push({ ...p, path: `${at}/${p.path}` });
    }
  });
  return problems;
}

/** Read, parse and validate a case file; throws a CaseFileError naming the file and every problem. */
export function loadCaseFile(path: string): CaseFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new CaseFileError(path, [{ path: "", message: `cannot be read: ${(cause as Error).message}` }]);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    throw new CaseFileError(path, [{ path: "", message: `is not JSON: ${(cause as Error).message}` }]);
  }
  const known = knownValid(text);
  const problems = caseFileProblems(data, known);
  if (problems.length > 0) throw new CaseFileError(path, problems);
  if (!known) rememberValid(text);
  return data as CaseFile;
}
