/**
 * `npm run node -- [--port 20443] [--host 127.0.0.1] [--block-time MS] [--quiet]`: a local Stacks
 * node backed by the simnet (like Anvil/Hardhat for Ethereum). Serves the Stacks node RPC and the
 * Stacks API subset Stacks.js and wallets use; see docs/local-node.md.
 */
import { MINER_ADDRESS, startNode } from "./server.ts";
import { parseArgs, USAGE, type CliOptions } from "./cli.ts";

async function main(): Promise<void> {
  let options: CliOptions | null;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`ntm node: ${(error as Error).message}\n`);
    process.exit(2);
  }
  if (options === null) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const quiet = options.quiet;
  process.stderr.write("starting the simnet...\n");
  const running = await startNode({
    ...options,
    log: (line) => {
      if (!quiet || line.startsWith("tx ") || line.startsWith("mined")) process.stdout.write(`${new Date().toISOString()} ${line}\n`);
    },
  }).catch((error: NodeJS.ErrnoException) => {
    const reason = error.code === "EADDRINUSE" ? `port ${options.port ?? 20443} is already in use (try --port 0)` : error.message;
    process.stderr.write(`ntm node: ${reason}\n`);
    process.exit(1);
  });

  const out = [
    `ntm local node listening on ${running.url}  (testnet, chain id 0x80000000)`,
    `contract  ${running.contractId}`,
    `miner     ${MINER_ADDRESS}  (receives fees)`,
    `mining    ${options.blockTimeMs ? `one burn block every ${options.blockTimeMs} ms` : "each tx in its own Stacks block; POST /ntm/v1/mine {\"burnBlocks\": n} for burn blocks"}`,
    "funded accounts (their public test mnemonics are in settings/Devnet.toml; never use them on a real network):",
    ...[...running.node.accounts].sort(([a], [b]) => (a === "deployer" ? -1 : b === "deployer" ? 1 : a.localeCompare(b, "en", { numeric: true }))).map(([name, address]) => `  ${name.padEnd(9)} ${address}  ${running.node.stxBalance(address)} uSTX`),
    "Ctrl-C to stop.",
  ];
  process.stdout.write(`${out.join("\n")}\n`);

  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    process.stderr.write(`\n${signal}: stopping the local node\n`);
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`ntm node: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

main().catch((error: unknown) => {
  process.stderr.write(`ntm node: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
