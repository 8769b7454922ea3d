import type { Check } from "./context";

/** (being written) */
export const GRAPH_CHECKS: Record<string, Check> = {};
