import type { Check } from "./context";

/** (being written) */
export const LAYER_CHECKS: Record<string, Check> = {};
