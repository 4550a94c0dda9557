/**
 * The simulation's view of the contract on the simnet: batched transactions (one Stacks
 * block per batch), fast map reads, decoded print events, and client-side commitments.
 */
import { createHash } from "node:crypto";
import { tx, type ParsedTransactionResult, type Simnet, type Tx } from "@stacks/clarinet-sdk";
import { Cl, ClarityType, serializeCV, type ClarityValue } from "@stacks/transactions";
import { derivedAddress } from "../simnet.ts";

/** What the simulation needs of a simnet: `LoadedSimnet` from `src/simnet.ts` fits. */
export interface SimulationChain {
  simnet: Simnet;
  contractId: string;
  deployer: string;
  accounts: Map<string, string>;
}

import { decode, type Decoded } from "../clarity.ts";

export { decode, type Decoded };
export type Tuple = { [key: string]: Decoded };

/** One contract call to include in the next block. */
export interface Call {
  fn: string;
  args: ClarityValue[];
  sender: string;
}

/** The outcome of one call: ok or the contract's error code, and its print events. */
export interface CallOutcome {
  call: Call;
  ok: boolean;
  value: Decoded;
  /** The error code when `ok` is false. */
  code: number | null;
  events: Tuple[];
}

export class Market {
  readonly simnet: Simnet;
  readonly contractId: string;

  constructor(chain: SimulationChain) {
    this.simnet = chain.simnet;
    this.contractId = chain.contractId;
  }

  get burnHeight(): bigint {
    return BigInt(this.simnet.burnBlockHeight);
  }

  /** Runs the calls, in order, in one Stacks block (the burn height does not move). */
  submit(calls: Call[]): CallOutcome[] {
    if (calls.length === 0) return [];
    const txs: Tx[] = calls.map((c) => tx.callPublicFn(this.contractId, c.fn, c.args, c.sender));
    const results: ParsedTransactionResult[] = this.simnet.mineBlock(txs);
    return results.map((r, i) => {
      const ok = r.result.type === ClarityType.ResponseOk;
      const value = decode(r.result);
      return {
        call: calls[i],
        ok,
        value,
        code: ok ? null : Number(value),
        events: r.events
          .filter((e) => e.event === "print_event" && e.data.value)
          .map((e) => decode(e.data.value as ClarityValue) as Tuple),
      };
    });
  }

  /** Advances the contract's time (burn-block-height) by n blocks. */
  mine(n: number) {
    if (n > 0) this.simnet.mineEmptyBlocks(n);
  }

  /** A map entry of the contract, decoded (null when absent). */
  mapEntry(map: string, key: ClarityValue): Tuple | null {
    try {
      return decode(this.simnet.getMapEntry(this.contractId, map, key)) as Tuple | null;
    } catch (e) {
      // the simnet throws this string for a key with no entry
      if (e === "value not found" || (e instanceof Error && e.message === "value not found")) return null;
      throw e;
    }
  }

  dataset(id: bigint) {
    return this.mapEntry("datasets", Cl.uint(id));
  }
  bid(id: bigint) {
    return this.mapEntry("bids", Cl.uint(id));
  }
  committee(bidId: bigint) {
    return this.mapEntry("committees", Cl.uint(bidId));
  }
  validator(who: string) {
    return this.mapEntry("validators", Cl.principal(who));
  }
  jobResult(bidId: bigint) {
    return this.mapEntry("job-results", Cl.uint(bidId));
  }

  /** A read-only function of the contract, decoded. */
  readOnly(fn: string, args: ClarityValue[] = []): Decoded {
    return decode(this.simnet.callReadOnlyFn(this.contractId, fn, args, this.contractId.split(".")[0]).result);
  }

  totals() {
    return this.readOnly("get-market-totals") as Record<
      "dataset-stakes" | "validator-stakes" | "escrowed-bids" | "unclaimed-rewards" | "treasury" | "surplus",
      bigint
    >;
  }

  /** Every STX balance on the simnet, by principal. */
  balances(): Map<string, bigint> {
    return this.simnet.getAssetsMap().get("STX") ?? new Map();
  }
}

/**
 * The commitment `commit-validation-result` expects, computed off-chain exactly as the
 * contract's `compute-commitment`: sha256 of the consensus serialization of
 * {score, salt, bid-id, validator}.
 */
export function commitment(score: number, salt: Uint8Array, bidId: bigint, validator: string): Uint8Array {
  const cv = Cl.tuple({
    score: Cl.uint(score),
    salt: Cl.buffer(salt),
    "bid-id": Cl.uint(bidId),
    validator: Cl.principal(validator),
  });
  return new Uint8Array(createHash("sha256").update(Buffer.from(serializeCV(cv), "hex")).digest());
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
