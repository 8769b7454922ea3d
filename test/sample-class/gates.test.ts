/** The sample class of gates: see suite.ts. */
import { sampleClassSuite } from "./suite";

sampleClassSuite("gates");
