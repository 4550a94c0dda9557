/**
 * Line coverage of the contract from `lcov.info` (written by `vitest run -- --coverage`).
 * The simnet is reset before every test, so the file holds one record per test: a line counts as
 * covered when any record hit it. Exits non-zero below the floor (95%).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const FLOOR = 95;
const CONTRACT = "contracts/neural-training-market.clar";
const lcovPath = fileURLToPath(new URL("../lcov.info", import.meta.url));

const hits = new Map<number, number>();
for (const record of readFileSync(lcovPath, "utf8").split("end_of_record")) {
  if (!record.includes(CONTRACT)) continue;
  for (const [, line, count] of record.matchAll(/^DA:(\d+),(\d+)$/gm)) {
    hits.set(Number(line), (hits.get(Number(line)) ?? 0) + Number(count));
  }
}
const total = hits.size;
const covered = [...hits.values()].filter((count) => count > 0).length;
const percent = total === 0 ? 0 : (100 * covered) / total;
const missed = [...hits].filter(([, count]) => count === 0).map(([line]) => line).sort((a, b) => a - b);
console.log(`${CONTRACT}: line coverage ${covered}/${total} = ${percent.toFixed(1)}% (floor ${FLOOR}%)`);
if (missed.length > 0) console.log(`lines never run: ${missed.join(", ")}`);
if (percent < FLOOR) process.exit(1);
