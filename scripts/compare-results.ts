/**
 * npm run compare-results -- BEFORE AFTER
 *
 * Whether two gradings of the same class gave the same verdicts (graders/results/result-differences.ts
 * says what is compared and what is left out). Prints one line per difference (the file, the JSON
 * path, before → after); exits 1 when there is any, 0 when the results are the same, 2 for a
 * usage error.
 */
import { existsSync, statSync } from "node:fs";
import { resultDifferences, resultFiles } from "../graders/results/result-differences";
import { UsageError, runMain } from "./cli";

const USAGE = "usage: npm run compare-results -- BEFORE AFTER   (two folders of results.json files)";

await runMain(async () => {
  const dirs = process.argv.slice(2);
  if (dirs.length !== 2) throw new UsageError(`expected two folders, got ${dirs.length} argument${dirs.length === 1 ? "" : "s"}`, USAGE);
  for (const dir of dirs) if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${dir} is not a folder`, USAGE);
  const files = resultFiles(dirs[0]).length;
  const found = resultDifferences(dirs[0], dirs[1]);
  for (const line of found) console.log(line);
  console.log(found.length === 0 ? `the same: ${files} results.json files` : `${found.length} difference${found.length === 1 ? "" : "s"}`);
  return found.length === 0 ? 0 : 1;
});
