/**
 * Jest's global setup: the whole test run gets its own temporary folder, as TMPDIR, before any
 * worker starts. Every sandboxed child the run starts (in a test's own process or under a grader
 * the test starts) has its runner and the student's bundle under it, so its command line names
 * it: the global teardown finds the run's children by it, and never another run's or another
 * user's. Its path is passed on in BACKPROP_TEST_RUN_TMP.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default function globalSetup(): void {
  const dir = mkdtempSync(join(tmpdir(), "backprop-test-run-"));
  process.env.BACKPROP_TEST_RUN_TMP = dir;
  process.env.TMPDIR = dir;
}
