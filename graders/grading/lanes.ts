/**
 * The order tests are graded in: two lanes, each in manifest order, run side by side. The
 * efficiency tests keep a child busy (their calls are timed in the child's own CPU time, one
 * request at a time: Sandbox.call); every other test runs beside them, its answers judged here
 * meanwhile. Results stay in manifest order whatever order they finish in.
 */
import type { TestSpec } from "../result-model";

/** Call `gradeAt(k)` for every index of `specs`: the efficiency tests in one lane, the others in the other. */
export async function inTwoLanes(specs: TestSpec[], gradeAt: (k: number) => Promise<void>): Promise<void> {
  const lanes = [specs.flatMap((s, k) => (s.kind === "efficiency" ? [] : [k])), specs.flatMap((s, k) => (s.kind === "efficiency" ? [k] : []))];
  await Promise.all(
    lanes.map(async (lane) => {
      for (const k of lane) await gradeAt(k);
    }),
  );
}
