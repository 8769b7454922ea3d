/** The Gradescope bundle of classifiers: see suite.ts. */
import { bundleSuite } from "./suite";

bundleSuite("classifiers");
