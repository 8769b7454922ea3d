import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import seedrandom from "seedrandom";
import { classSimilarity } from "./graders/staff/similarity.ts";
import { studentFolders } from "./graders/batch.ts";
const assignment = process.argv[2] ?? "layers";
const n = Number(process.argv[3] ?? 200);
const random = seedrandom(`sim-${assignment}-${n}`);
const sample = `fixtures/submissions/${assignment}`;
const bases = studentFolders(sample);
const dir = mkdtempSync(join(tmpdir(), "sim200-"));
for (let i = 0; i < n; i++) {
  const base = bases[Math.floor(random() * bases.length)];
  const to = join(dir, `s${String(i).padStart(3, "0")}-${base}`);
  cpSync(join(sample, base), to, { recursive: true });
  for (const f of readdirSync(to)) {
    const p = join(to, f);
    if (!statSync(p).isFile()) continue;
    const lines = readFileSync(p, "utf8").split("\n");
    // perturb: a few statements of its own between top-level lines, names changed
    for (let k = 0; k < 3; k++) {
      const at = Math.floor(random() * lines.length);
      if (lines[at] === "" ) lines.splice(at, 0, `const extra${k}_${i} = ${Math.floor(random() * 100)} * ${k};`);
    }
    writeFileSync(p, lines.join("\n").replace(/\bdout\b/g, `d${i}`).replace(/\bcache\b/g, `c${i}`));
  }
}
const t0 = performance.now();
const r = await classSimilarity(dir, studentFolders(dir), { template: `assignments/${assignment}/skeleton` });
const wall = performance.now() - t0;
const mem = process.memoryUsage();
console.log(`${assignment}: ${n} students, ${r.pairs.length} pairs, classSimilarity ${Math.round(r.ms)} ms (wall incl. loading typescript ${Math.round(wall)} ms), rss ${Math.round(mem.rss / 1e6)} MB; top ${r.pairs[0].similarity.toFixed(3)}`);
