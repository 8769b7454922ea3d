/**
 * The reference implementation of each assignment, as the implementation the grader runs live.
 * Every use of the reference by the grader goes through `referenceAnswers` (graders/reference/reference-answers.ts):
 * the starter kit's build replaces this module with graders/reference/recorded-reference.ts and refuses any
 * module under reference/, so no reference code reaches a kit. REFERENCE itself is for the
 * fixture generator and the tests.
 */
import * as gates from "../../reference/gates/gates";
import * as graph from "../../reference/gates/graph";
import * as layers from "../../reference/layers/layers";
import * as linear from "../../reference/classifiers/linear-classifier";
import * as losses from "../../reference/classifiers/losses";
import * as net from "../../reference/two-layer-net/two-layer-net";
import { type AssignmentName, assignmentOf } from "../cases/case";
import { type Implementation, runCase } from "../cases/run";
import { walkGraph } from "./graph-walk";
import type { ReferenceAnswers } from "./reference-answers";

export const REFERENCE: Record<AssignmentName, Implementation> = {
  gates: { ...gates, ...graph },
  layers: { ...layers },
  classifiers: { ...losses, ...linear },
  "two-layer-net": { ...net },
};

/** The reference run here, on any case (a graph's nodes get the reference's gates). */
export const referenceAnswers: ReferenceAnswers = {
  run: (c, options = {}) =>
    options.walk
      ? walkGraph(c, options.walk, REFERENCE.gates)
      : runCase(REFERENCE[assignmentOf(c.target)], c, { forwardOnly: options.forwardOnly, gates: REFERENCE.gates }),
};
