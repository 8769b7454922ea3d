/**
 * How the grader makes its ajv instances: ajv's code optimization passes off. They make the
 * generated validators only marginally faster and cost half of every compile (measured here: the
 * case-file schema compiles in 145 ms instead of 290 ms, and validates the layers golden file in
 * the same 13 ms), and a grading process compiles more schemas than it validates data with each.
 * The schema files of the repository (`schemaFile: true`) are not checked against JSON Schema's
 * meta-schema on every start either, nor is the meta-schema loaded (another 10–20 ms each):
 * test/repo/schema-files.test.ts checks them.
 */
import Ajv, { type Options } from "ajv";

export function makeAjv(options: Options & { schemaFile?: boolean }): Ajv {
  const { schemaFile, ...rest } = options;
  return new Ajv({ ...rest, code: { ...rest.code, optimize: false }, ...(schemaFile ? { validateSchema: false, meta: false } : {}) });
}
