/** The sample class of classifiers: see suite.ts. */
import { sampleClassSuite } from "./suite";

sampleClassSuite("classifiers");
