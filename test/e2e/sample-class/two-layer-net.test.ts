/** The sample class of two-layer-net: see test/helpers/sample-class/suite.ts. */
import { sampleClassSuite } from "../../helpers/sample-class/suite";

sampleClassSuite("two-layer-net");
