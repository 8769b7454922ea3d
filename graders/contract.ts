/**
 * The student API of docs/api.md as data: for each assignment, its files and the
 * names each file must export. Everything that needs "which exports exist" reads it from here.
 */
import { type AssignmentName, GATE_NAMES } from "./cases/case";

export interface ContractFile {
  /** File name at the submission root, with the .ts extension the contract names. */
  file: string;
  exports: string[];
}

export const CONTRACT: Record<AssignmentName, ContractFile[]> = {
  gates: [
    {
      file: "gates.ts",
      exports: [...GATE_NAMES],
    },
    { file: "graph.ts", exports: ["ComputationalGraph"] },
  ],
  layers: [
    {
      file: "layers.ts",
      exports: [
        "affineForward",
        "affineBackward",
        "reluForward",
        "reluBackward",
        "sigmoidForward",
        "sigmoidBackward",
        "tanhForward",
        "tanhBackward",
        "leakyReluForward",
        "leakyReluBackward",
        "eluForward",
        "eluBackward",
        "maxoutForward",
        "maxoutBackward",
      ],
    },
  ],
  classifiers: [
    { file: "losses.ts", exports: ["svmLoss", "softmaxLoss"] },
    { file: "linear-classifier.ts", exports: ["linearSvmLoss", "linearSoftmaxLoss"] },
  ],
  "two-layer-net": [{ file: "two-layer-net.ts", exports: ["twoLayerNetScores", "twoLayerNetLoss"] }],
};

/** The contract file that holds `exportName` ("layers.ts"): the one place that answers it. */
export function contractFile(assignment: AssignmentName, exportName: string): string {
  const file = CONTRACT[assignment].find((f) => f.exports.includes(exportName));
  if (!file) throw new Error(`${exportName} is not an export of ${assignment} in the contract (grader bug)`);
  return file.file;
}

/** Every export of an assignment, in contract order. */
export function contractExports(assignment: AssignmentName): string[] {
  return CONTRACT[assignment].flatMap((f) => f.exports);
}
