/**
 * `npm run demo`: the market's whole lifecycle on a fresh simnet, step by step, ending with
 * the balance table and the solvency check. Exits with status 1 if the market is not
 * solvent or any step misbehaves.
 */
import { runDemo } from "./demo.ts";

runDemo((line) => console.log(line)).then(
  (summary) => process.exit(summary.solvent ? 0 : 1),
  (error: unknown) => {
    console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
