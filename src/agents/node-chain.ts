/**
 * `NodeChain`: the market over a Stacks node (our local node, a devnet, testnet or mainnet).
 * Reads go through `nodeReader` (read-only calls and `/v2/info`); `send` signs the `MarketCall`
 * the client built (deny-mode post-conditions and all) with the sender's key, broadcasts it, and
 * waits for the Stacks API to report it mined, then decodes it exactly as `SimnetChain` does.
 * This is the chain the `ntm` CLI and the live agents (`runAgentsLive`) run on.
 *
 * Nonces: each sender's next nonce is cached so back-to-back sends never reuse one; the cache is
 * dropped whenever a transaction may not have taken its nonce (refused, dropped, not seen mined).
 *
 * Private keys are held only in the signer map: never logged, never part of an error message.
 */
import {
  broadcastTransaction,
  ClarityType,
  deserializeCV,
  fetchNonce,
  makeContractCall,
  privateKeyToAddress,
} from "@stacks/transactions";
import { STACKS_MAINNET, STACKS_TESTNET, type StacksNetwork } from "@stacks/network";
import type { ClarityEvent } from "@stacks/clarinet-sdk";
import { MarketClient, makeContractDeployOfAnySize, nodeReader, type MarketCall, type MarketReader } from "../client/index.ts";
import { PostConditionViolation, txResultOf, type Chain, type TxResult } from "./chain.ts";
import type { Agent } from "./run.ts";

/** A node-backed chain's result: the simnet's TxResult plus the transaction's id. */
export interface NodeTxResult extends TxResult {
  txid: string;
}

/** Where a sent transaction stands while `send` waits for it. */
export interface TxProgress {
  txid: string;
  /** The API's tx_status ("pending" until mined; "unknown" while the API has not seen it yet). */
  status: string;
  elapsedMs: number;
}

export interface NodeChainOptions {
  /** The node / Stacks API base URL (e.g. http://localhost:20443), or a full `StacksNetwork`. */
  network: string | StacksNetwork;
  /** Whether addresses are mainnet ones (SP...) when `network` is a URL. Default false (ST...). */
  mainnet?: boolean;
  /** `<address>.<name>` of the market. */
  contractId: string;
  /** Private keys (hex) that may sign; keyed by their address (derived when given as a list). */
  signers?: Map<string, string> | readonly string[];
  /** A fixed fee in micro-STX; otherwise the node estimates it (`/v2/fees/transaction`). */
  fee?: bigint;
  /** How often `send` polls for its transaction (default 1,000 ms). */
  pollMs?: number;
  /** How long `send` waits for its transaction to be mined (default 30 min). */
  timeoutMs?: number;
  /** Told of each poll while `send` waits. */
  onProgress?: (progress: TxProgress) => void;
}

/** A transaction the node refused or that did not land; the message never includes a key. */
export class NodeChainError extends Error {
  constructor(
    message: string,
    readonly txid: string | null = null,
  ) {
    super(message);
    this.name = "NodeChainError";
  }
}


/** The Stacks API's event shapes that `send` decodes (GET /extended/v1/tx/{txid}). */
interface ApiEvent {
  event_type: string;
  contract_log?: { contract_id: string; topic: string; value: { hex: string; repr?: string } };
  asset?: { asset_event_type: string; sender?: string; recipient?: string; amount?: string; asset_id?: string; memo?: string };
}

interface ApiTx {
  tx_id: string;
  tx_status: string;
  tx_result?: { hex: string; repr?: string };
  events?: ApiEvent[];
}

/** An API event as the simnet's `ClarityEvent` (what `TxResult.raw.events` holds on both chains). */
export function clarityEventOf(event: ApiEvent): ClarityEvent | null {
  if (event.event_type === "smart_contract_log" && event.contract_log) {
    const value = deserializeCV(event.contract_log.value.hex);
    return {
      event: "print_event",
      data: { contract_identifier: event.contract_log.contract_id, topic: event.contract_log.topic, value, raw_value: event.contract_log.value.hex },
    } as unknown as ClarityEvent;
  }
  if (event.event_type === "stx_asset" && event.asset) {
    const a = event.asset;
    const kind = a.asset_event_type === "transfer" ? "stx_transfer_event" : a.asset_event_type === "burn" ? "stx_burn_event" : "stx_mint_event";
    return { event: kind, data: { sender: a.sender ?? "", recipient: a.recipient ?? "", amount: a.amount ?? "0", memo: a.memo ?? "" } } as unknown as ClarityEvent;
  }
  return null;
}

/** The `StacksNetwork` for a base URL (testnet addresses unless `mainnet`). */
export function networkForUrl(url: string, mainnet = false): StacksNetwork {
  const base = mainnet ? STACKS_MAINNET : STACKS_TESTNET;
  return { ...base, client: { baseUrl: url.replace(/\/+$/, "") } };
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });

export class NodeChain implements Chain {
  readonly reader: MarketReader;
  readonly client: MarketClient;
  readonly network: StacksNetwork;
  readonly baseUrl: string;
  private readonly signers = new Map<string, string>();
  /** The next nonce each sender may use (so back-to-back sends never reuse one). */
  private readonly nextNonce = new Map<string, bigint>();

  constructor(private readonly opts: NodeChainOptions) {
    this.network = typeof opts.network === "string" ? networkForUrl(opts.network, opts.mainnet) : opts.network;
    this.baseUrl = this.network.client.baseUrl;
    this.reader = nodeReader({ contract: opts.contractId, network: this.network });
    this.client = new MarketClient(opts.contractId, this.reader);
    const signers = opts.signers ?? [];
    if (signers instanceof Map) for (const [address, key] of signers) this.signers.set(address, key);
    else for (const key of signers) this.addSigner(key);
  }

  get contractId(): string {
    return this.opts.contractId;
  }

  /** Adds a key that may sign; returns its address on this chain's network. */
  addSigner(privateKey: string): string {
    const address = privateKeyToAddress(privateKey, this.network);
    this.signers.set(address, privateKey);
    return address;
  }

  /** The addresses this chain can send as. */
  signerAddresses(): string[] {
    return [...this.signers.keys()];
  }

  async burnHeight(): Promise<bigint> {
    return this.reader.burnHeight();
  }

  async stxBalance(who: string): Promise<bigint> {
    const account = (await this.getJson(`/v2/accounts/${encodeURIComponent(who)}?proof=0`)) as { balance?: string };
    if (typeof account.balance !== "string") throw new NodeChainError(`/v2/accounts/${who} has no balance`);
    return BigInt(account.balance);
  }

  /**
   * Signs, broadcasts and waits for `call` as `sender`. The contract refusing the call is a result
   * (`ok: false` and the error's name), even when the node reports `abort_by_post_condition`: a
   * node evaluates post-conditions on an `(err ...)` response too, and a refused call moves none
   * of the STX its deny-mode post-conditions promise, so the refusal is the cause. A post-condition
   * abort of an `(ok ...)` response throws PostConditionViolation (a client bug or a race).
   */
  async send(sender: string, call: MarketCall): Promise<NodeTxResult> {
    const txid = await this.broadcast(sender, call);
    const tx = await this.awaitMined(sender, txid);
    const result = tx.tx_result?.hex ? deserializeCV(tx.tx_result.hex) : null;
    if (tx.tx_status === "abort_by_post_condition") {
      // rolled back: no event of an aborted transaction happened
      if (result?.type === ClarityType.ResponseErr) return { ...txResultOf(result, []), txid: tx.tx_id ?? txid };
      throw new PostConditionViolation(call, [`the node aborted transaction ${txid} on its post-conditions (abort_by_post_condition)`]);
    }
    if (tx.tx_status !== "success" && tx.tx_status !== "abort_by_response") {
      throw new NodeChainError(`${call.functionName}: transaction ${txid} ended with status ${tx.tx_status}`, txid);
    }
    if (!result) throw new NodeChainError(`${call.functionName}: transaction ${txid} has no result`, txid);
    const events = (tx.events ?? []).map(clarityEventOf).filter((e): e is ClarityEvent => e !== null);
    return { ...txResultOf(result, events), txid: tx.tx_id ?? txid };
  }

  /**
   * `waitFor`, forgetting `sender`'s cached nonce unless the transaction used it: one that was
   * dropped (dropped_replace_by_fee, dropped_stale_garbage_collect, ...), or that was not seen
   * mined in time, may never take its nonce, and a cache left ahead would give every later
   * transaction a nonce gap (never mined).
   */
  private async awaitMined(sender: string, txid: string): Promise<ApiTx> {
    let tx: ApiTx;
    try {
      tx = await this.waitFor(txid);
    } catch (e) {
      this.nextNonce.delete(sender);
      throw e;
    }
    if (!consumedNonce(tx.tx_status)) this.nextNonce.delete(sender);
    return tx;
  }

  /** Signs and broadcasts `call`; returns its txid without waiting. */
  async broadcast(sender: string, call: MarketCall): Promise<string> {
    const senderKey = this.signers.get(sender);
    if (!senderKey) throw new NodeChainError(`no key to sign as ${sender}`);
    const nonce = await this.nonceFor(sender);
    let transaction;
    try {
      transaction = await makeContractCall({ ...call, senderKey, network: this.network, nonce, ...(this.opts.fee !== undefined ? { fee: this.opts.fee } : {}) });
    } catch (e) {
      throw new NodeChainError(`${call.functionName}: cannot build the transaction: ${safeMessage(e)}`);
    }
    let result;
    try {
      result = await broadcastTransaction({ transaction, network: this.network });
    } catch (e) {
      throw new NodeChainError(`${call.functionName}: broadcast to ${this.baseUrl} failed: ${safeMessage(e)}`);
    }
    if ("error" in result && result.error) {
      // a stale nonce is worth one fresh look at the node next time
      this.nextNonce.delete(sender);
      const reason = "reason" in result && result.reason ? ` (${result.reason})` : "";
      throw new NodeChainError(`${call.functionName}: the node refused the transaction: ${result.error}${reason}`);
    }
    this.nextNonce.set(sender, nonce + 1n);
    const txid = (result as { txid: string }).txid;
    return txid.startsWith("0x") ? txid : `0x${txid}`;
  }

  /**
   * Deploys `codeBody` as `<sender>.<contractName>` (Clarity 4) and waits for it to be mined.
   * Returns the contract id, the txid, the fee paid and the tx's execution cost as the API reports it.
   */
  async deployContract(
    sender: string,
    contractName: string,
    codeBody: string,
  ): Promise<{ contractId: string; txid: string; fee: bigint; status: string; cost: Record<string, number> }> {
    const senderKey = this.signers.get(sender);
    if (!senderKey) throw new NodeChainError(`no key to sign as ${sender}`);
    const nonce = await this.nonceFor(sender);
    let transaction;
    try {
      transaction = await makeContractDeployOfAnySize({
        contractName,
        codeBody,
        senderKey,
        network: this.network,
        baseUrl: this.baseUrl,
        nonce,
        ...(this.opts.fee !== undefined ? { fee: this.opts.fee } : {}),
      });
    } catch (e) {
      throw new NodeChainError(`cannot build the deployment: ${safeMessage(e)}`);
    }
    const fee = BigInt(transaction.auth.spendingCondition.fee);
    const result = await broadcastTransaction({ transaction, network: this.network }).catch((e: unknown) => {
      throw new NodeChainError(`broadcast to ${this.baseUrl} failed: ${safeMessage(e)}`);
    });
    if ("error" in result && result.error) {
      this.nextNonce.delete(sender);
      const reason = "reason" in result && result.reason ? ` (${result.reason})` : "";
      throw new NodeChainError(`the node refused the deployment: ${result.error}${reason}`);
    }
    this.nextNonce.set(sender, nonce + 1n);
    const raw = (result as { txid: string }).txid;
    const txid = raw.startsWith("0x") ? raw : `0x${raw}`;
    const tx = (await this.awaitMined(sender, txid)) as ApiTx & Record<string, unknown>;
    if (tx.tx_status !== "success") throw new NodeChainError(`deployment ${txid} ended with status ${tx.tx_status}`, txid);
    const cost: Record<string, number> = {};
    for (const [key, value] of Object.entries(tx)) if (key.startsWith("execution_cost_") && typeof value === "number") cost[key.slice("execution_cost_".length)] = value;
    return { contractId: `${sender}.${contractName}`, txid, fee, status: tx.tx_status, cost };
  }

  /** Polls the API until `txid` is mined (or aborted); throws after `timeoutMs`. */
  async waitFor(txid: string): Promise<ApiTx> {
    const pollMs = this.opts.pollMs ?? 1_000;
    const timeoutMs = this.opts.timeoutMs ?? 30 * 60_000;
    const started = Date.now();
    const id = txid.startsWith("0x") ? txid : `0x${txid}`;
    for (;;) {
      const response = await this.fetchUrl(`/extended/v1/tx/${id}`);
      let status = "unknown";
      if (response.ok) {
        const tx = (await response.json()) as ApiTx;
        status = tx.tx_status;
        if (status !== "pending") return tx;
      } else if (response.status !== 404) {
        throw new NodeChainError(`GET /extended/v1/tx/${id} failed: ${response.status}`, txid);
      }
      const elapsedMs = Date.now() - started;
      this.opts.onProgress?.({ txid: id, status, elapsedMs });
      if (elapsedMs > timeoutMs) throw new NodeChainError(`transaction ${id} not mined after ${Math.round(timeoutMs / 1000)} s (still ${status})`, txid);
      await sleep(pollMs);
    }
  }

  private async nonceFor(sender: string): Promise<bigint> {
    let fetched: bigint;
    try {
      fetched = await fetchNonce({ address: sender, network: this.network });
    } catch (e) {
      throw new NodeChainError(`cannot read ${sender}'s nonce from ${this.baseUrl}: ${safeMessage(e)}`);
    }
    const local = this.nextNonce.get(sender);
    return local !== undefined && local > fetched ? local : fetched;
  }

  private async fetchUrl(path: string): Promise<Response> {
    try {
      return await fetch(`${this.baseUrl}${path}`);
    } catch (e) {
      throw new NodeChainError(`cannot reach ${this.baseUrl}: ${safeMessage(e)}`);
    }
  }

  private async getJson(path: string): Promise<unknown> {
    const response = await this.fetchUrl(path);
    if (!response.ok) throw new NodeChainError(`GET ${path} failed: ${response.status}`);
    return response.json();
  }
}

/** Whether a mined transaction's status means it took its nonce (success or any abort_*). */
function consumedNonce(status: string): boolean {
  return status === "success" || status.startsWith("abort_");
}

/** Anything shaped like a private key: 64 hex digits, optionally 0x-prefixed and/or 01-suffixed. */
const KEY_SHAPED = /(?<![0-9a-zA-Z])(?:0x)?[0-9a-fA-F]{64}(?:01)?(?![0-9a-zA-Z])/g;

/**
 * `text` with everything shaped like a private key masked, except the exact strings in `keep`
 * (the txids an error is about: a txid has a private key's shape, and is public).
 */
export function redactKeys(text: string, keep: readonly string[] = []): string {
  const kept = new Set(keep.flatMap((k) => [k.toLowerCase(), k.toLowerCase().replace(/^0x/, "")]));
  return text.replace(KEY_SHAPED, (match) => (kept.has(match.toLowerCase()) ? match : "<redacted>"));
}

/** The txids an error of ours is about (public, so kept by the redaction). */
export function errorTxids(e: unknown): string[] {
  if (e instanceof NodeChainError) return e.txid ? [e.txid] : [];
  if (e instanceof PostConditionViolation) return e.violations.flatMap((v) => [...v.matchAll(/transaction (0x[0-9a-fA-F]{64})/g)].map((m) => m[1]!));
  return [];
}

/**
 * An error's message (and its cause's) with anything shaped like a private key masked (0x-prefixed
 * or not): library errors may echo their input. Our own errors keep the txids they are about.
 */
export function safeMessage(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  const cause = e instanceof Error && e.cause instanceof Error ? `: ${e.cause.message}` : "";
  return redactKeys(`${message}${cause}`, errorTxids(e));
}

export interface LiveRunOptions {
  /** How often the burn height is read (default 2,000 ms). */
  pollMs?: number;
  /** Stops when this says so (checked after every poll, with the height just read). */
  until?: (burnHeight: bigint) => boolean | Promise<boolean>;
  /** Stops the loop (Ctrl-C). */
  signal?: AbortSignal;
  /** Told of each action of each agent. */
  onAction?: (agent: Agent, action: { kind: string }, burnHeight: bigint) => void;
  /** Told of an agent's step that threw (the loop carries on; default: rethrow). */
  onError?: (agent: Agent, error: unknown, burnHeight: bigint) => void;
}

/**
 * Drives agents on a live chain, which mines by itself: every agent steps each time the burn
 * height moves, and again at the same height after a round in which some agent acted (the others
 * may react to it, as `runAgents` gives them a block). Returns the number of rounds run.
 */
export async function runAgentsLive(chain: Chain, agents: Agent[], opts: LiveRunOptions = {}): Promise<number> {
  const pollMs = opts.pollMs ?? 2_000;
  let last: bigint | null = null;
  let acted = false;
  let rounds = 0;
  while (!opts.signal?.aborted) {
    const height = await chain.burnHeight();
    if (height !== last || acted) {
      last = height;
      acted = false;
      rounds++;
      for (const agent of agents) {
        if (opts.signal?.aborted) break;
        try {
          for (const action of await agent.step()) {
            if (action.kind !== "failed") acted = true;
            opts.onAction?.(agent, action, height);
          }
        } catch (e) {
          if (!opts.onError) throw e;
          opts.onError(agent, e, height);
        }
      }
    }
    if (opts.until && (await opts.until(height))) break;
    if (!acted) await sleep(pollMs, opts.signal);
  }
  return rounds;
}
