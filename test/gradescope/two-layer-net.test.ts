/** The Gradescope bundle of two-layer-net: see suite.ts. */
import { bundleSuite } from "./suite";

bundleSuite("two-layer-net");
