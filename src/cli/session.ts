/**
 * One invocation's chain and signer: the network the flags name (a fresh simnet, our local node,
 * Hiro's testnet/mainnet API or any URL), the market's contract id, and the account that signs.
 */
import { SimnetChain } from "../agents/chain.ts";
import { NodeChain, type TxProgress } from "../agents/node-chain.ts";
import type { Chain } from "../agents/chain.ts";
import { CONTRACT_NAME } from "../simnet.ts";
import { CliError, UsageError, type CliIo } from "./io.ts";
import { devnetAddresses, devnetMnemonics, keyFromMnemonic, keyPair, Keystore, keystorePath, password } from "./keys.ts";

export const NETWORK_URLS = {
  local: "http://localhost:20443",
  testnet: "https://api.testnet.hiro.so",
  mainnet: "https://api.mainnet.hiro.so",
} as const;

/** The Devnet.toml deployer: the market's address on simnet and local nodes. */
export const DEVNET_DEPLOYER = "ST1PQHQKV0RJXZFY1DGX8MNSNYVE3VGZJSRTPGZGM";

export type NetworkKind = "simnet" | "local" | "testnet" | "mainnet" | "url";

export interface NetworkChoice {
  kind: NetworkKind;
  /** The base URL (none for simnet). */
  url: string | null;
  /**
   * Whether the chain is mainnet (SP addresses). Known from --network for the named networks;
   * for a URL, `null` until `openSession` reads the node's /v2/info network_id.
   */
  mainnet: boolean | null;
  /**
   * Whether the Devnet.toml test keys may sign: only on the simnet, `local` and loopback URLs
   * (never on a mainnet chain), since their mnemonics are public.
   */
  devnetAccounts: boolean;
}

/** The chain id a Stacks node reports as /v2/info `network_id` on mainnet. */
export const MAINNET_NETWORK_ID = 1;

/** Whether `url` names this machine (localhost, 127.0.0.0/8, ::1). */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  return host === "localhost" || host.endsWith(".localhost") || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === "[::1]" || host === "::1";
}

/** `--network` to a network; a bad value is a usage error. */
export function parseNetwork(value: string): NetworkChoice {
  if (value === "simnet") return { kind: "simnet", url: null, mainnet: false, devnetAccounts: true };
  if (value === "local") return { kind: "local", url: NETWORK_URLS.local, mainnet: false, devnetAccounts: true };
  if (value === "testnet") return { kind: "testnet", url: NETWORK_URLS.testnet, mainnet: false, devnetAccounts: false };
  if (value === "mainnet") return { kind: "mainnet", url: NETWORK_URLS.mainnet, mainnet: true, devnetAccounts: false };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`unknown network ${JSON.stringify(value)}: use simnet, local, testnet, mainnet or an http(s) URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`network URL must be http(s): ${value}`);
  // which chain a URL serves is the node's to say (/v2/info), not the URL's spelling
  return { kind: "url", url: value.replace(/\/+$/, ""), mainnet: null, devnetAccounts: isLoopbackUrl(value) };
}

/**
 * Whether the network is public: anything but the simnet, `local` and a loopback node that is not
 * mainnet. There the Devnet.toml keys are refused and the agents need --yes (or one confirmation).
 */
export function isPublicNetwork(network: NetworkChoice): boolean {
  return !network.devnetAccounts;
}

/** A URL network with its chain read from the node's /v2/info (`network_id` 1 is mainnet). */
export async function resolveChain(network: NetworkChoice): Promise<NetworkChoice> {
  if (network.mainnet !== null) return network;
  let info: { network_id?: unknown };
  try {
    const response = await fetch(`${network.url}/v2/info`);
    if (!response.ok) throw new Error(`GET /v2/info answered ${response.status}`);
    info = (await response.json()) as { network_id?: unknown };
  } catch (e) {
    throw new CliError(`the node at ${network.url} cannot be reached: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (typeof info.network_id !== "number") throw new CliError(`${network.url}/v2/info has no network_id: is it a Stacks node?`);
  const mainnet = info.network_id === MAINNET_NETWORK_ID;
  return { ...network, mainnet, devnetAccounts: network.devnetAccounts && !mainnet };
}

/** `--contract`, NTM_CONTRACT, or the Devnet deployer's market on simnet/local networks. */
export function resolveContractId(network: NetworkChoice, flag: string | undefined, env: CliIo["env"]): string {
  const id = flag ?? env.NTM_CONTRACT;
  if (id) {
    if (!/^S[A-Z0-9]{38,40}\.[a-zA-Z]([a-zA-Z0-9_-]){0,127}$/.test(id)) throw new UsageError(`not a contract id: ${id} (expected <address>.<name>)`);
    return id;
  }
  if (network.kind === "testnet" || network.kind === "mainnet") throw new UsageError(`--contract (or NTM_CONTRACT) is required on ${network.kind}`);
  return `${DEVNET_DEPLOYER}.${CONTRACT_NAME}`;
}

export interface SessionOptions {
  network: NetworkChoice;
  contractId: string;
  /** --account: a Devnet.toml name, a keystore name, or an address. */
  account?: string;
  accountIndex: number;
  fee?: bigint;
  onProgress?: (p: TxProgress) => void;
}

/** An open chain; `signer()` resolves (and on a node, unlocks) the account that sends. */
export interface Session {
  network: NetworkChoice;
  chain: Chain;
  simnet: SimnetChain | null;
  node: NodeChain | null;
  /** Simnet account names to addresses (simnet only). */
  accounts: Map<string, string>;
  signer(): Promise<string>;
}

/** Opens the chain (loading a simnet takes a few seconds). */
export async function openSession(io: CliIo, opts: SessionOptions): Promise<Session> {
  if (opts.network.kind === "simnet") {
    const loaded = await SimnetChain.load();
    if (opts.contractId !== loaded.chain.contractId) throw new UsageError(`on simnet the market is ${loaded.chain.contractId}`);
    return {
      network: opts.network,
      chain: loaded.chain,
      simnet: loaded.chain,
      node: null,
      accounts: loaded.accounts,
      signer: async () => simnetSender(io, opts, loaded.accounts),
    };
  }
  const network = await resolveChain(opts.network);
  const node = new NodeChain({ network: network.url!, mainnet: network.mainnet!, contractId: opts.contractId, fee: opts.fee, onProgress: opts.onProgress, pollMs: 500 });
  let signer: string | null = null;
  return {
    network,
    chain: node,
    simnet: null,
    node,
    accounts: new Map(),
    signer: async () => (signer ??= node.addSigner(await signingKey(io, { ...opts, network }))),
  };
}

function simnetSender(io: CliIo, opts: SessionOptions, accounts: Map<string, string>): string {
  const account = opts.account;
  if (!account) {
    const key = io.env.NTM_PRIVATE_KEY;
    if (key) return keyPair(key).testnet;
    throw new UsageError("no account: pass --account <wallet_1..wallet_8|deployer|address> on simnet");
  }
  const named = accounts.get(account);
  if (named) return named;
  if ([...accounts.values()].includes(account)) return account;
  const stored = new Keystore(keystorePath(io.env)).find(account);
  if (stored) return stored.testnet;
  if (/^S[A-Z0-9]{38,40}$/.test(account)) return account;
  throw new UsageError(`unknown account ${account}: a Devnet.toml name (${[...accounts.keys()].join(", ")}), a keystore name or an address`);
}

/**
 * The private key that signs on a node: never printed. On a network where the Devnet.toml keys
 * are refused, they are refused however they come: by name, as NTM_PRIVATE_KEY / NTM_MNEMONIC,
 * from the keystore, or as an --account address.
 */
async function signingKey(io: CliIo, opts: SessionOptions): Promise<string> {
  const account = opts.account;
  const env = io.env;
  const refuseDevnet = !opts.network.devnetAccounts;
  const where = opts.network.kind === "url" ? `${opts.network.url} (${opts.network.mainnet ? "mainnet" : "not loopback"})` : opts.network.kind;
  const publicKey = (what: string) => new UsageError(`${what} is a public Devnet.toml test key: refused on ${where}; only on simnet, local or a loopback node`);
  const checked = async (key: string, what: string): Promise<string> => {
    if (refuseDevnet && (await devnetAddresses()).has(keyPair(key).testnet)) throw publicKey(what);
    return key;
  };
  const fromEnv = async (): Promise<{ key: string; what: string } | null> => {
    if (env.NTM_PRIVATE_KEY) return { key: keyPair(env.NTM_PRIVATE_KEY).privateKey, what: "NTM_PRIVATE_KEY" };
    if (env.NTM_MNEMONIC) return { key: await keyFromMnemonic(env.NTM_MNEMONIC, opts.accountIndex), what: `NTM_MNEMONIC account ${opts.accountIndex}` };
    return null;
  };
  if (!account) {
    const found = await fromEnv();
    if (found) return checked(found.key, found.what);
    throw new UsageError("no account: pass --account <keystore name|address> or set NTM_PRIVATE_KEY (or NTM_MNEMONIC)");
  }
  const devnet = devnetMnemonics();
  if (devnet.has(account)) {
    if (refuseDevnet) throw publicKey(account);
    return keyFromMnemonic(devnet.get(account)!, 0);
  }
  // an address of a Devnet key is refused before any password is asked
  if (refuseDevnet && (await devnetAddresses()).has(account)) throw publicKey(account);
  const keystore = new Keystore(keystorePath(env));
  if (keystore.find(account)) return checked(keystore.unlock(account, await password(io, `Password for ${account}: `)).privateKey, `keystore key ${account}`);
  const found = await fromEnv();
  if (found) {
    const pair = keyPair(found.key);
    if (pair.testnet === account || pair.mainnet === account) return checked(found.key, found.what);
  }
  throw new UsageError(`no key for account ${account}: not a Devnet.toml name, not in the keystore, not the NTM_PRIVATE_KEY/NTM_MNEMONIC account`);
}
