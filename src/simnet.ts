/**
 * The Clarinet simnet for scripts that run outside vitest (demo, console, simulation, bench):
 * the real Clarity VM in WebAssembly, with the project's contract deployed, no network.
 */
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { initSimnet, type Simnet } from "@stacks/clarinet-sdk";
import { privateKeyToAddress } from "@stacks/transactions";

export const CONTRACT_NAME = "neural-training-market";

/**
 * A testnet principal derived from `label` (its key is sha256 of the label): the same label
 * always gives the same address, a real key pair that could sign anywhere. For actors that have
 * no Devnet.toml wallet; on the simnet any principal may send transactions once funded.
 */
export function derivedAddress(label: string): string {
  const key = createHash("sha256").update(label).digest("hex");
  return privateKeyToAddress(`${key}01`, "testnet");
}

/** The project root (where Clarinet.toml lives), wherever the script is started from. */
export const PROJECT_ROOT = fileURLToPath(new URL("..", import.meta.url));

export const MANIFEST_PATH = fileURLToPath(new URL("../Clarinet.toml", import.meta.url));

export interface LoadedSimnet {
  simnet: Simnet;
  /** Simnet account name (deployer, wallet_1..8) to address. */
  accounts: Map<string, string>;
  deployer: string;
  /** `<deployer>.neural-training-market` */
  contractId: string;
}

/**
 * Starts a fresh simnet with the contract deployed. `trackCosts` makes every call's result
 * carry its execution cost (used by the benchmark).
 */
export async function loadSimnet(options: { trackCosts?: boolean } = {}): Promise<LoadedSimnet> {
  const cwd = process.cwd();
  // the SDK resolves the deployment plan and contract paths against the working directory
  process.chdir(PROJECT_ROOT);
  try {
    const simnet = await initSimnet(MANIFEST_PATH, true, { trackCosts: options.trackCosts ?? false, trackCoverage: false });
    const accounts = simnet.getAccounts();
    const deployer = accounts.get("deployer");
    if (!deployer) throw new Error("Devnet.toml has no deployer account");
    return { simnet, accounts, deployer, contractId: `${deployer}.${CONTRACT_NAME}` };
  } finally {
    process.chdir(cwd);
  }
}

type ConsoleMethod = "log" | "error" | "warn";

function muting<T>(methods: readonly ConsoleMethod[], fn: () => T): T {
  const saved = methods.map((method) => console[method]);
  for (const method of methods) console[method] = () => {};
  try {
    return fn();
  } finally {
    methods.forEach((method, i) => (console[method] = saved[i]!));
  }
}

/**
 * Runs `fn` with `console.log` silenced: the simnet echoes every print event to stdout,
 * which would duplicate the compact event lines the console, the demo and the agents print themselves.
 */
export function quietly<T>(fn: () => T): T {
  return muting(["log"], fn);
}

/** As `quietly`, and runtime errors and warnings too: for callers (the local node) that report outcomes themselves. */
export function silently<T>(fn: () => T): T {
  return muting(["log", "error", "warn"], fn);
}

