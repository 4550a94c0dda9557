/**
 * `npm run demo`: the main job on a fresh simnet: real training, sealed evaluation sets, a
 * committee of validator agents evaluating the delivered models, settlement and the solvency
 * check. `npm run demo -- --lifecycle` tells the contract's whole lifecycle call by call instead
 * (plain jobs, queue, expiry, governance). Exits with status 1 if the market is not solvent or a
 * step misbehaves, 2 on a bad flag.
 */
import { runDemo } from "./demo.ts";
import { runVerifiedDemo } from "./verified.ts";

const USAGE = "usage: npm run demo [-- --lifecycle]";
const HELP = [
  USAGE,
  "",
  "  (no option)   the main job: three providers train, five validators evaluate the delivered models (about 30 s)",
  "  --lifecycle   the contract's whole lifecycle call by call: plain jobs, queue, expiry, governance",
  "",
  "Exit status: 0 when the market ends solvent, 1 otherwise, 2 on a bad option.",
].join("\n");
const args = process.argv.slice(2);
if (args.includes("--help") || args.includes("-h")) {
  console.log(HELP);
  process.exit(0);
}
const unknown = args.filter((a) => a !== "--lifecycle");
if (unknown.length > 0) {
  console.error(`demo: unknown option ${unknown[0]}; ${USAGE}`);
  process.exit(2);
}
const log = (line: string) => console.log(line);
const run = args.includes("--lifecycle") ? runDemo(log) : runVerifiedDemo(log);

run.then(
  (summary) => process.exit(summary.solvent ? 0 : 1),
  (error: unknown) => {
    console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
