/**
 * Every check, by the name a manifest test gives in "check" (or, for all but "properties", its
 * kind), with the exports it can check: a manifest that names an unknown check, or a check for an
 * export it does not apply to, is refused when grading loads it (loadGradedManifest), not while a
 * class is being graded. Each check is a function CheckContext → Outcome, defined in the module of
 * its concept. The manifest module itself reads data only: it does not load the checks.
 */
import { type AssignmentName, GATE_NAMES, LAYER_NAMES } from "../cases/case";
import { efficiencyTarget } from "../cases/scale";
import { CONTRACT } from "../contract";
import { type Manifest, loadManifest } from "../manifest";
import type { RegisteredCheck } from "./context";
import { efficiency } from "./efficiency";
import { GATE_CHECKS } from "./gate-properties";
import { gradcheck } from "./gradcheck";
import { GRAPH_CHECKS } from "./graph-properties";
import { LAYER_CHECKS } from "./layer-properties";
import { LOSS_CHECKS } from "./loss-properties";
import { REUSE_CHECKS } from "./reuse";
import { training } from "./training";
import { golden, hidden } from "./values";

const ALL = Object.values(CONTRACT).flatMap((files) => files.flatMap((f) => f.exports));
/** Exports that return gradients: a layer's backward, a gate, the graph, a loss, the net's loss. */
const WITH_GRADIENTS = [
  ...LAYER_NAMES.map((l) => `${l}Backward`),
  ...GATE_NAMES,
  "ComputationalGraph",
  "svmLoss",
  "softmaxLoss",
  "linearSvmLoss",
  "linearSoftmaxLoss",
  "twoLayerNetLoss",
];

/** The checks a test runs by its kind alone (every kind but "properties", whose tests name a check). */
const KIND_CHECKS: Record<string, RegisteredCheck> = {
  golden: { run: golden, exports: ALL },
  hidden: { run: hidden, exports: ALL },
  gradcheck: { run: gradcheck, exports: WITH_GRADIENTS },
  efficiency: { run: efficiency, exports: ALL.filter((e) => efficiencyTarget(e) !== null) },
  training: { run: training, exports: ["twoLayerNetLoss"] },
};

export const CHECKS: Record<string, RegisteredCheck> = {
  ...KIND_CHECKS,
  ...LAYER_CHECKS,
  ...LOSS_CHECKS,
  ...GATE_CHECKS,
  ...GRAPH_CHECKS,
  ...REUSE_CHECKS,
};

/** The name of the check a test runs: its "check", else its kind ("properties" tests must name one). */
export function checkName(test: { kind: string; check?: string }): string {
  return test.check ?? test.kind;
}

/** What is wrong with the checks a manifest's tests name: a check that does not exist, or does not apply to the test's export. */
function checkProblems(manifest: Manifest): string[] {
  const problems: string[] = [];
  manifest.parts.forEach((part, i) =>
    part.tests.forEach((t, j) => {
      const at = `/parts/${i}/tests/${j}`;
      if (t.kind === "properties" && !t.check)
        return problems.push(
          `${at}: a properties test must name its check ("check": one of ${Object.keys(CHECKS)
            .filter((k) => !(k in KIND_CHECKS))
            .join(", ")})`,
        );
      const name = checkName(t);
      const registered = CHECKS[name];
      if (!registered) return problems.push(`${at}/check: no check is named "${name}" (known: ${Object.keys(CHECKS).join(", ")})`);
      if (!registered.exports.includes(part.export))
        problems.push(`${at}: check "${name}" does not apply to ${part.export} (it checks ${registered.exports.join(", ")})`);
    }),
  );
  return problems;
}

/** Read and validate a manifest for grading (manifest.ts loadManifest), its checks included: every problem of the file in one ManifestError. */
export function loadGradedManifest(name: AssignmentName, path?: string): Manifest {
  return loadManifest(name, path, checkProblems);
}
