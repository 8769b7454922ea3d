/**
 * An assignment's manifest (assignments/<name>/assignment.json): its files, limits, tolerances
 * and tests, validated against assignments/assignment.schema.json and the contract. A broken
 * manifest is a usage error for the TA, reported with the file, the path and what to fix.
 * Reading a manifest is reading data: this module loads no check. Whether each test's check
 * exists and applies to its export is the check registry's to say, where grading loads a
 * manifest (checks/registry.ts loadGradedManifest).
 */
import { readFileSync } from "node:fs";
import type { ValidateFunction } from "ajv";
import { makeAjv } from "./ajv";
import { ASSIGNMENTS, type AssignmentName } from "./cases/case";
import { schemaProblem } from "./cases/load";
import { contractExports } from "./contract";
import { rootPath } from "./paths";
import type { Tolerance } from "./judge/tolerance";
import type { TestKind, TestSpec, Visibility } from "./result-model";

export interface Manifest {
  name: AssignmentName;
  title: string;
  files: Record<string, string[]>;
  limits: { callTimeoutMs: number; submissionTimeoutMs: number; memoryMb: number };
  tolerances: { golden: Tolerance; gradcheck: Tolerance & { h: number } };
  parts: {
    export: string;
    tests: { kind: TestKind; points: number; visibility: Visibility; description: string; output?: string; timeoutMs?: number; check?: string }[];
  }[];
}

export const ASSIGNMENTS_DIR = `${rootPath("assignments")}/`;

export class ManifestError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file} is not a valid assignment manifest:\n${problems.map((p) => `  ${p}`).join("\n")}`);
    this.name = "ManifestError";
  }
}

let schemaValidator: ValidateFunction | undefined;

export function isAssignment(name: string): name is AssignmentName {
  return (ASSIGNMENTS as readonly string[]).includes(name);
}

/**
 * Read and validate assignments/<name>/assignment.json (or `path`, for tests). `moreProblems`
 * adds its own findings to the contract's, so that the TA reads every problem of the file at once.
 */
export function loadManifest(
  name: AssignmentName,
  path = `${ASSIGNMENTS_DIR}${name}/assignment.json`,
  moreProblems?: (manifest: Manifest) => string[],
): Manifest {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, "utf8"));
  } catch (cause) {
    throw new ManifestError(path, [`cannot be read as JSON: ${(cause as Error).message}`]);
  }
  // compiled once per process: an ajv compile costs more than grading a small submission
  const validate = (schemaValidator ??= makeAjv({ allErrors: true, schemaFile: true }).compile(
    JSON.parse(readFileSync(`${ASSIGNMENTS_DIR}assignment.schema.json`, "utf8")),
  ));
  if (!validate(data)) {
    throw new ManifestError(
      path,
      (validate.errors ?? []).map(schemaProblem).map((p) => `${p.path || "/"}: ${p.message}`),
    );
  }
  const manifest = data as Manifest;
  const problems: string[] = [];
  if (manifest.name !== name) problems.push(`/name: is "${manifest.name}", but the file belongs to assignment "${name}"`);
  const want = contractExports(name);
  const have = manifest.parts.map((p) => p.export);
  if (want.join(",") !== have.join(",")) problems.push(`/parts: must have one part per contract export, in order: ${want.join(", ")} (has ${have.join(", ")})`);
  if (moreProblems) problems.push(...moreProblems(manifest));
  if (problems.length > 0) throw new ManifestError(path, problems);
  return manifest;
}

/** Every test of the manifest, in order, with its full name "<export>: <description>". */
export function testSpecs(manifest: Manifest): TestSpec[] {
  return manifest.parts.flatMap((part) =>
    part.tests.map((t) => ({
      name: `${part.export}: ${t.description}`,
      export: part.export,
      kind: t.kind,
      description: t.description,
      points: t.points,
      visibility: t.visibility,
      ...(t.output ? { output: t.output } : {}),
      ...(t.timeoutMs ? { timeoutMs: t.timeoutMs } : {}),
      ...(t.check ? { check: t.check } : {}),
    })),
  );
}
