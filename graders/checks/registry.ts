/**
 * Every check beyond the value comparisons (golden, hidden), by the name a manifest
 * test gives in "check" (or its kind). Each is a function CheckContext → Outcome, defined in the
 * module of its concept.
 */
import type { Check } from "./context";
import { EFFICIENCY_CHECKS } from "./efficiency";
import { GATE_CHECKS } from "./gate-properties";
import { GRADCHECK_CHECKS } from "./gradcheck";
import { GRAPH_CHECKS } from "./graph-properties";
import { LAYER_CHECKS } from "./layer-properties";
import { LOSS_CHECKS } from "./loss-properties";
import { TRAINING_CHECKS } from "./training";

export const CHECKS: Record<string, Check> = {
  ...LAYER_CHECKS,
  ...LOSS_CHECKS,
  ...GATE_CHECKS,
  ...GRAPH_CHECKS,
  ...EFFICIENCY_CHECKS,
  ...TRAINING_CHECKS,
  ...GRADCHECK_CHECKS,
};
