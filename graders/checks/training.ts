import type { Check } from "./context";

/** (being written) */
export const TRAINING_CHECKS: Record<string, Check> = {};
