/**
 * npm run benchmark [-- --rounds N --jobs N]
 * Seconds per submission for each assignment: the sample class graded N rounds with --jobs
 * students in parallel (default: cores), wall time divided by the submissions graded.
 * Includes everything a TA waits for: compiling, starting sandboxes, running and judging.
 * Then where the time goes: seconds per submission spent in each kind of test (summed over the
 * tests' own durations, so with --jobs > 1 these add up to more than the wall time above).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { ASSIGNMENTS } from "../graders/cases/case";
import { gradeBatch, studentFolders } from "../graders/batch";
import { bwrapAvailable } from "../graders/sandbox/bwrap";
import { parseCommandLine, positiveInteger, runMain } from "./cli";

await runMain(async () => {
  const usage = "usage: npm run benchmark [-- --rounds N --jobs N]";
  const { values } = parseCommandLine({ options: { rounds: { type: "string" }, jobs: { type: "string" } } }, usage);
  const rounds = positiveInteger("rounds", values.rounds, 3, usage);
  const jobs = positiveInteger("jobs", values.jobs, availableParallelism(), usage);
  console.log(
    `node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), jobs ${jobs}, bubblewrap ${(await bwrapAvailable()) ? "on" : "off"}, ${rounds} rounds`,
  );
  console.log("assignment      students  s/submission (median of rounds)  min    max");
  const byKind = new Map<string, Map<string, number>>();
  for (const assignment of ASSIGNMENTS) {
    const dir = join("fixtures", "submissions", assignment);
    const n = studentFolders(dir).length;
    const perSubmission: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const out = mkdtempSync(join(tmpdir(), "bench-"));
      const t0 = performance.now();
      const results = await gradeBatch(assignment, dir, out, { secret: `bench-${r}`, jobs, resume: false });
      perSubmission.push((performance.now() - t0) / 1000 / n);
      const kinds = byKind.get(assignment) ?? new Map<string, number>();
      for (const t of results.flatMap((x) => x.tests)) kinds.set(t.test.kind, (kinds.get(t.test.kind) ?? 0) + t.durationMs / 1000 / n / rounds);
      byKind.set(assignment, kinds);
      rmSync(out, { recursive: true, force: true });
    }
    const sorted = [...perSubmission].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    console.log(
      `${assignment.padEnd(15)} ${String(n).padStart(8)}  ${median.toFixed(3).padStart(12)}                    ${sorted[0].toFixed(3)}  ${sorted[sorted.length - 1].toFixed(3)}`,
    );
  }
  console.log("\nseconds per submission by kind of test (mean over rounds; summed test durations)");
  for (const [assignment, kinds] of byKind) {
    console.log(`${assignment.padEnd(15)} ${[...kinds].map(([k, s]) => `${k} ${s.toFixed(3)}`).join("  ")}`);
  }
});
