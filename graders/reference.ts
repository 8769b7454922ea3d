/** The reference implementation of each assignment, as the implementation the grader runs live. */
import * as gates from "../reference/gates/gates";
import * as graph from "../reference/gates/graph";
import * as layers from "../reference/layers/layers";
import * as linear from "../reference/classifiers/linear-classifier";
import * as losses from "../reference/classifiers/losses";
import * as net from "../reference/two-layer-net/two-layer-net";
import type { AssignmentName } from "./cases/case";
import type { Implementation } from "./cases/run";

export const REFERENCE: Record<AssignmentName, Implementation> = {
  gates: { ...gates, ...graph },
  layers: { ...layers },
  classifiers: { ...losses, ...linear },
  "two-layer-net": { ...net },
};
