/**
 * The `npm run node` command line: usage text and flag parsing (validated before any work).
 */
import type { NodeOptions } from "./server.ts";

export const USAGE = `Usage: npm run node -- [options]

A local Stacks node (testnet) backed by the Clarinet simnet, with the neural-training-market
deployed and the settings/Devnet.toml accounts funded. Local development only.

Options:
  --port N         port to listen on (default 20443; 0 picks a free one)
  --host HOST      address to bind (default 127.0.0.1)
  --block-time MS  mine one burn block every MS milliseconds (default: only on POST /ntm/v1/mine)
  --quiet          log mined transactions only, not every request
  --help           show this help

Point Stacks.js at it with createNetwork({ network: "testnet", client: { baseUrl: URL } }).
Each broadcast transaction is mined at once in its own Stacks block; POST /ntm/v1/mine
{"burnBlocks": n} advances the burn height.`;

export interface CliOptions extends NodeOptions {
  quiet: boolean;
}

export class UsageError extends Error {}

function integerFlag(name: string, value: string | undefined, min: number, max: number): number {
  if (value === undefined || !/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new UsageError(`${name} needs an integer from ${min} to ${max}, got ${value === undefined ? "nothing" : JSON.stringify(value)}`);
  }
  return Number(value);
}

/** Parses argv (without node and script); throws UsageError on any bad flag. Null means --help. */
export function parseArgs(argv: readonly string[]): CliOptions | null {
  const options: CliOptions = { quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case "--help":
      case "-h":
        return null;
      case "--port":
        options.port = integerFlag("--port", value(), 0, 65535);
        break;
      case "--host": {
        const host = value();
        if (!host || host.startsWith("-")) throw new UsageError("--host needs an address");
        options.host = host;
        break;
      }
      case "--block-time":
        options.blockTimeMs = integerFlag("--block-time", value(), 1, 86_400_000);
        break;
      case "--quiet":
        options.quiet = true;
        break;
      default:
        throw new UsageError(`unknown argument ${JSON.stringify(arg)} (see --help)`);
    }
  }
  return options;
}
