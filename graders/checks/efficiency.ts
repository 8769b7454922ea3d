import type { Check } from "./context";

/** (being written) */
export const EFFICIENCY_CHECKS: Record<string, Check> = {};
