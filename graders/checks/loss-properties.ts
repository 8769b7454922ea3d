import type { Check } from "./context";

/** (being written) */
export const LOSS_CHECKS: Record<string, Check> = {};
