/** The runner of every sandboxed student file except graph.ts: no reference code inside. */
import { serve } from "./child";
import { exitIfOrphaned } from "./orphan";

exitIfOrphaned();
await serve();
