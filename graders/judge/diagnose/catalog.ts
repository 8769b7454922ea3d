/**
 * The catalog of known wrong variants, assembled from each assignment's file. Order matters within
 * a target: specific variants come before generic ones (a variant's key is unique within its
 * target, and a diagnosis names the first of the variants that are one bug).
 */
import { CLASSIFIER_VARIANTS } from "./classifiers";
import { GATE_VARIANTS } from "./gates";
import { LAYER_VARIANTS } from "./layers";
import { TWO_LAYER_NET_VARIANTS } from "./two-layer-net";
import type { WrongVariant } from "./variant";

/** Every known wrong variant, in the order they are tried (specific ones before generic ones). */
export const CATALOG: readonly WrongVariant[] = [...GATE_VARIANTS, ...LAYER_VARIANTS, ...CLASSIFIER_VARIANTS, ...TWO_LAYER_NET_VARIANTS];
