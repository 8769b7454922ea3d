/**
 * Whose gates a graph test's nodes are (the policy's graphGates, graders/reference/grading-policy.ts),
 * and what the starter kit says because of it. The course's grader gives a student's graph.ts its
 * own gates, so a gate bug never costs a graph test there; the kit has none to give, so it compiles
 * the student's gates.ts into the graph's bundle, and every message about a graph test says so.
 */
import { basename } from "node:path";
import type { GradingPolicy } from "../reference/grading-policy";
import type { Outcome, TestSpec } from "../result-model";
import type { Located } from "../submission/locate";

/** The file that holds a graph (its nodes are gates). */
export const isGraphFile = (located: Located): boolean => located.exports.includes("ComputationalGraph");

/** Under the "student" policy, the student's gates file (found or not), whose gates every graph is built from; else undefined (the grader's gates). */
export function studentGatesFile(policy: GradingPolicy, contractFiles: Located[]): Located | undefined {
  return policy.graphGates === "student" ? contractFiles.find((f) => f.exports.includes("AddGate")) : undefined;
}

/** Why a graph file cannot be tested when the student's gates file, which its bundle needs, is missing. */
export const missingGatesText = (gatesFile: Located & { found: false }): string =>
  `the starter kit builds its graphs from your own gates (the course's grader uses its own): ${gatesFile.message}`;

/** What a compile error of a graph bundled with the student's gates names besides the file. */
export const withGatesText = (gatesPath: string): string => ` (with ${basename(gatesPath)}, whose gates the starter kit builds its graphs from)`;

/** Under the "student" policy, what every failed graph test adds: the graph ran with the student's own gates. */
const OWN_GATES =
  "the starter kit builds these graphs from your own gates.ts (it has no reference code; the course's grader uses its own gates, so that a gate bug never costs a graph test there): if a gate's tests fail too, fix that gate first";

/** `outcome` of `spec`, with OWN_GATES added to its details when it is a failed graph test graded with the student's gates. */
export function withOwnGatesNote(policy: GradingPolicy, spec: TestSpec, outcome: Outcome): Outcome {
  if (policy.graphGates === "student" && spec.export === "ComputationalGraph" && outcome.status === "failed")
    return { ...outcome, details: [outcome.details, OWN_GATES].filter(Boolean).join("\n") };
  return outcome;
}
