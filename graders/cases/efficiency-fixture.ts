/**
 * fixtures/efficiency/<assignment>.json: the expected summaries of every visible efficiency test
 * of the manifest, at both of its sizes, computed from the reference (cases/expected-summaries.ts
 * reads them). Serialized deterministically: `npm run fixtures` writes the files, and a test
 * proves the committed ones are what the reference gives today, byte for byte.
 */
import stringify from "json-stringify-pretty-compact";
import { loadManifest, testSpecs } from "../manifest";
import { referenceAnswers } from "../reference/live-reference";
import { type AssignmentName, type Case, outputsOf } from "./case";
import { type ExpectedEntry, type ExpectedFile, efficiencySeed, summariesOf } from "./expected-summaries";
import { efficiencyTarget } from "./scale";

/** The file's text, or null when the assignment has no visible efficiency test. */
export function efficiencyFixtureText(assignment: AssignmentName): string | null {
  const specs = testSpecs(loadManifest(assignment)).filter((t) => t.kind === "efficiency" && t.visibility === "visible");
  if (specs.length === 0) return null;
  const entries: ExpectedEntry[] = specs.flatMap((spec) => {
    const plan = efficiencyTarget(spec.export);
    if (!plan) throw new Error(`no efficiency case for ${spec.export} (grader bug)`);
    const seed = efficiencySeed(`visible:${spec.name}`);
    const names = outputsOf({ target: plan.target } as Case, spec.export);
    return [plan.small, plan.top].map((sizes) => ({
      test: spec.name,
      export: spec.export,
      seed,
      sizes,
      summaries: summariesOf(referenceAnswers, spec.export, seed, sizes, names),
    }));
  });
  const file: ExpectedFile = { format: 1, assignment, generator: "scripts/make-fixtures.ts", entries };
  return `${stringify(file, { maxLength: 120 })}\n`;
}
