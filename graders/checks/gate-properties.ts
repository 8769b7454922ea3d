import type { Check } from "./context";

/** (being written) */
export const GATE_CHECKS: Record<string, Check> = {};
