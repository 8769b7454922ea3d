/**
 * The JSON Schema files of the repository are valid schemas (draft-07): the grader compiles them
 * without checking them against JSON Schema's meta-schema on every start (graders/ajv.ts), so
 * this is where a broken schema file is caught.
 */
import { expect, it } from "@jest/globals";
import Ajv from "ajv";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const files = execFileSync("git", ["ls-files", "*.schema.json"], { encoding: "utf8" }).split("\n").filter(Boolean);

it("finds the schema files (manifest, case files, results, sample class, hostile fixtures)", () => {
  expect(files).toEqual(
    expect.arrayContaining(["assignments/assignment.schema.json", "fixtures/case-file.schema.json", "graders/results/results.schema.json"]),
  );
});

it.each(files)("%s is valid against JSON Schema's meta-schema", (file) => {
  const ajv = new Ajv();
  expect(ajv.validateSchema(JSON.parse(readFileSync(file, "utf8"))) ? [] : ajv.errors).toEqual([]);
  // and the meta-schema check does fail on a broken schema
  expect(ajv.validateSchema({ type: "object", required: "id" })).toBe(false);
});
