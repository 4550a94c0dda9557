/** Entry point of `npm run simulate` (tsx src/simulation/index.ts); see cli.ts. */
import { main } from "./cli.ts";

process.exitCode = await main(process.argv.slice(2));
