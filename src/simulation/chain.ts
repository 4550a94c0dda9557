/**
 * The simulation's view of the contract on the simnet: every call built by the typed client
 * (`MarketClient`: planned payouts, exact post-conditions, checked as a node would) and sent
 * through `SimnetChain` (one Stacks block per call, the burn height unchanged), every read
 * through the client's readers; print events decoded; client-side commitments.
 */
import { createHash } from "node:crypto";
import type { Simnet } from "@stacks/clarinet-sdk";
import { SimnetChain, type EventTuple } from "../agents/chain.ts";
import { computeCommitment, type MarketCall, type MarketClient, type MarketReader } from "../client/index.ts";
import type { Decoded } from "../clarity.ts";
import { derivedAddress } from "../simnet.ts";

/** What the simulation needs of a simnet: `LoadedSimnet` from `src/simnet.ts` fits. */
export interface SimulationChain {
  simnet: Simnet;
  contractId: string;
  deployer: string;
  accounts: Map<string, string>;
}

export type { Decoded };
export type Tuple = EventTuple;

/** The outcome of one call: ok or the contract's error code, and its print events. */
export interface CallOutcome {
  /** The public function called (or, when its planner refused, the function it was to call). */
  fn: string;
  sender: string;
  ok: boolean;
  value: Decoded;
  /** The contract's error code when `ok` is false (null when the client refused to build the call). */
  code: number | null;
  events: Tuple[];
}

export class Market {
  readonly chain: SimnetChain;
  readonly reader: MarketReader;
  readonly client: MarketClient;

  constructor(chain: SimulationChain) {
    this.chain = new SimnetChain(chain.simnet, chain.contractId);
    this.reader = this.chain.reader;
    this.client = this.chain.client;
  }

  burnHeight(): Promise<bigint> {
    return this.chain.burnHeight();
  }

  /**
   * Builds a call with the client (planned against the state as it is now) and sends it as
   * `sender`. A planner that cannot plan the call (the state it needs is gone) is a refused call.
   */
  async send(sender: string, fn: string, build: () => Promise<MarketCall>): Promise<CallOutcome> {
    let call: MarketCall;
    try {
      call = await build();
    } catch (e) {
      return { fn, sender, ok: false, value: e instanceof Error ? e.message : String(e), code: null, events: [] };
    }
    const r = await this.chain.send(sender, call);
    return { fn: call.functionName, sender, ok: r.ok, value: r.value, code: r.ok ? null : Number(r.value), events: r.events };
  }

  /** Advances the contract's time (burn-block-height) by n blocks. */
  mine(n: number) {
    this.chain.mine(n);
  }

  /** Every STX balance on the simnet, by principal. */
  balances(): Map<string, bigint> {
    return this.chain.stxBalances();
  }
}

/**
 * The commitment `commit-validation-result(s)` expects, computed off-chain exactly as the
 * contract's `compute-commitment` (the client's `computeCommitment`).
 */
export function commitment(score: number, salt: Uint8Array, bidId: bigint, validator: string): Uint8Array {
  return computeCommitment(score, salt, bidId, validator);
}

/** A validator's secret salt for a job, derived from the simulation seed (deterministic). */
export function saltFor(seed: number, validator: string, bidId: bigint): Uint8Array {
  return new Uint8Array(createHash("sha256").update(`salt:${seed}:${validator}:${bidId}`).digest());
}

/**
 * A fresh testnet principal for an extra agent, derived from a label: a real key pair, so
 * it could sign anywhere; on the simnet any principal may send transactions.
 */
export function principalFor(label: string): string {
  return derivedAddress(`neural-training-market simulation agent ${label}`);
}
