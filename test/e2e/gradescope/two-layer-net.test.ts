/** The Gradescope bundle of two-layer-net: see test/helpers/gradescope/suite.ts. */
import { bundleSuite } from "../../helpers/gradescope/suite";

bundleSuite("two-layer-net");
