/** The sample class of layers: see test/helpers/sample-class/suite.ts. */
import { sampleClassSuite } from "../../helpers/sample-class/suite";

sampleClassSuite("layers");
