/** The sample class of layers: see suite.ts. */
import { sampleClassSuite } from "./suite";

sampleClassSuite("layers");
