/**
 * The runner of a student's graph.ts: graph cases are built from the grader's own gates, so a
 * gate bug never fails a graph test. Only this runner carries them (a student's gates.ts must
 * not be able to read reference gate classes out of its runner).
 */
import * as gates from "../../reference/gates/gates";
import { serve } from "./child";
import { exitIfOrphaned } from "./orphan";

exitIfOrphaned();
await serve({ ...gates });
