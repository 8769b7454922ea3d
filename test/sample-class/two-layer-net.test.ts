/** The sample class of two-layer-net: see suite.ts. */
import { sampleClassSuite } from "./suite";

sampleClassSuite("two-layer-net");
