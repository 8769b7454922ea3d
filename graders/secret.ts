/**
 * The secret seed prefix of hidden cases: --seed, else GRADER_SECRET, else the file named by
 * GRADER_SECRET_FILE (kept outside the student kit), else a fresh random one for this run (then
 * the hidden cases differ from run to run; the seed is printed so a run can be replayed).
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";

export function hiddenSecret(flag: string | undefined): { secret: string; source: string } {
  if (flag) return { secret: flag, source: "--seed" };
  if (process.env.GRADER_SECRET) return { secret: process.env.GRADER_SECRET, source: "GRADER_SECRET" };
  if (process.env.GRADER_SECRET_FILE) {
    return { secret: readFileSync(process.env.GRADER_SECRET_FILE, "utf8").trim(), source: process.env.GRADER_SECRET_FILE };
  }
  return { secret: randomBytes(8).toString("hex"), source: "random (set GRADER_SECRET to fix it)" };
}
