/**
 * The seam between the agents and a Stacks chain. An agent reads through `reader` (typed views),
 * plans and builds its calls through `client` (exact post-conditions) and sends them with `send`.
 * `SimnetChain` is the embedded implementation: the real Clarity VM, no network. A node-backed
 * chain implements the same interface (signing and broadcasting `MarketCall`s).
 */
import type { ClarityEvent, ParsedTransactionResult, Simnet } from "@stacks/clarinet-sdk";
import { ClarityType, type ClarityValue } from "@stacks/transactions";
import { decode, type Decoded } from "../clarity.ts";
import { ERR, type ErrorName } from "../errors.ts";
import { asyncReader, checkStxPostConditions, MarketClient, simnetReader, type MarketCall, type MarketReader } from "../client/index.ts";
import { loadSimnet, quietly } from "../simnet.ts";

export type EventTuple = { [key: string]: Decoded };

/** What a sent call did: ok and its value, or the contract's error; its print events. */
export interface TxResult {
  ok: boolean;
  value: Decoded;
  /** The contract's error name when `ok` is false (null for an unknown code). */
  error: ErrorName | null;
  /** The contract's print events, decoded. */
  events: EventTuple[];
  /** The call's result as the chain returned it, and all its events (STX transfers too), in order. */
  raw: { result: ClarityValue; events: ClarityEvent[] };
}

export interface Chain {
  /** `<address>.<name>` of the market. */
  readonly contractId: string;
  readonly reader: MarketReader;
  readonly client: MarketClient;
  burnHeight(): Promise<bigint>;
  /** A principal's STX balance (a wallet's; the market's own is `reader.getContractBalance`). */
  stxBalance(who: string): Promise<bigint>;
  /** Sends `call` as `sender` and waits for its result. */
  send(sender: string, call: MarketCall): Promise<TxResult>;
}

const ERROR_NAMES = new Map<number, ErrorName>(Object.entries(ERR).map(([name, code]) => [code, name as ErrorName]));

/**
 * A call's result and events as every `Chain` reports them: ok and its value, or the contract's
 * error name; the print events as tuples.
 */
export function txResultOf(result: ClarityValue, events: ClarityEvent[]): TxResult {
  const ok = result.type === ClarityType.ResponseOk;
  const value = decode(result);
  return {
    ok,
    value,
    error: ok ? null : (ERROR_NAMES.get(Number(value)) ?? null),
    events: events.filter((e) => e.event === "print_event" && e.data.value).map((e) => decode(e.data.value as ClarityValue) as EventTuple),
    raw: { result, events },
  };
}

/** Thrown when a call's own post-conditions would have aborted it on a node: a client bug, never hidden. */
export class PostConditionViolation extends Error {
  constructor(
    readonly call: MarketCall,
    readonly violations: string[],
  ) {
    super(`${call.functionName}: post-conditions violated: ${violations.join("; ")}`);
    this.name = "PostConditionViolation";
  }
}

/**
 * The simnet as a chain: each `send` mines one Stacks block (the burn height does not move);
 * `mine` advances the burn height. The only part of the agents, the demo and the simulation that
 * touches the simnet: they build every call with `client` and read with `reader`.
 */
export class SimnetChain implements Chain {
  readonly reader: MarketReader;
  readonly client: MarketClient;

  constructor(
    readonly simnet: Simnet,
    readonly contractId: string,
  ) {
    this.reader = asyncReader(simnetReader(simnet, contractId));
    this.client = new MarketClient(contractId, this.reader);
  }

  /** A fresh simnet with the market deployed, and its accounts (name to address). */
  static async load(): Promise<{ chain: SimnetChain; accounts: Map<string, string>; deployer: string }> {
    const { simnet, contractId, accounts, deployer } = await loadSimnet();
    return { chain: new SimnetChain(simnet, contractId), accounts, deployer };
  }

  async burnHeight(): Promise<bigint> {
    return BigInt(this.simnet.burnBlockHeight);
  }

  async stxBalance(who: string): Promise<bigint> {
    return this.simnet.getAssetsMap().get("STX")?.get(who) ?? 0n;
  }

  /** Every STX balance on the simnet, by principal (one read for many wallets). */
  stxBalances(): Map<string, bigint> {
    return new Map(this.simnet.getAssetsMap().get("STX") ?? []);
  }

  /** Creates `amount` micro-STX for `who` (the simnet's faucet, for actors without a Devnet.toml wallet). */
  mint(who: string, amount: bigint): void {
    quietly(() => this.simnet.mintSTX(who, amount));
  }

  /** A plain STX transfer between two principals (no contract involved). */
  transferStx(sender: string, recipient: string, amount: bigint): void {
    const r = quietly(() => this.simnet.transferSTX(amount, recipient, sender));
    if (!r.events.some((e) => e.event === "stx_transfer_event")) throw new Error(`transfer of ${amount} uSTX from ${sender} to ${recipient} failed`);
  }

  async send(sender: string, call: MarketCall): Promise<TxResult> {
    // the simnet echoes every print event to stdout: the caller gets them decoded instead
    const r: ParsedTransactionResult = quietly(() => this.simnet.callPublicFn(this.contractId, call.functionName, call.functionArgs, sender));
    const result = txResultOf(r.result, r.events);
    // the simnet does not enforce post-conditions: check them as a node would
    if (result.ok) {
      const check = checkStxPostConditions(call, r.events);
      if (!check.ok) throw new PostConditionViolation(call, check.violations);
    }
    return result;
  }

  /** Advances the burn height by `blocks` (each with an empty Stacks block). */
  mine(blocks = 1): void {
    if (blocks > 0) quietly(() => this.simnet.mineEmptyBlocks(blocks));
  }
}
