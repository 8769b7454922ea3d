/**
 * Jest's global teardown: the run fails if any process it started whose command line holds the
 * run's TMPDIR (global-setup.ts) is still alive: a sandboxed child (`node … runner.mjs`, its
 * runner and bundle under that folder), or a grader started on a class or an --out there. Each is
 * named with its pid and command line, then killed, so even a failing run leaves nothing. A child
 * killed a moment ago may take a little while to go, so they get a few seconds first. Then the
 * run's temporary folder is removed.
 */
import { rmSync } from "node:fs";
import { describeLeftovers, killAll, remainingAfter } from "./leftovers";

const GRACE_MS = 3000;

export default async function globalTeardown(): Promise<void> {
  const dir = process.env.BACKPROP_TEST_RUN_TMP;
  if (!dir || process.platform !== "linux") return;
  const left = await remainingAfter(`${dir}/`, GRACE_MS);
  killAll(left);
  rmSync(dir, { recursive: true, force: true });
  if (left.length > 0) {
    throw new Error(`${left.length} process(es) started by this test run outlived it (killed now):\n${describeLeftovers(left)}`);
  }
}
