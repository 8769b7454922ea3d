/** The Gradescope bundle of layers: see suite.ts. */
import { bundleSuite } from "./suite";

bundleSuite("layers");
