/** The sample class of classifiers: see test/helpers/sample-class/suite.ts. */
import { sampleClassSuite } from "../../helpers/sample-class/suite";

sampleClassSuite("classifiers");
