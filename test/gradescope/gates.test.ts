/** The Gradescope bundle of gates: see suite.ts. */
import { bundleSuite } from "./suite";

bundleSuite("gates");
