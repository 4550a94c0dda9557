/**
 * Drives agents on the simnet: every agent takes a step at the current burn height; when nobody
 * acted, the chain jumps to the next height at which some job's state can change (a deadline
 * passing, a seed becoming readable, a window opening or closing), so a job's hundreds of blocks
 * cost a handful of steps.
 */
import { jobTimeline } from "../client/index.ts";
import type { Chain, SimnetChain } from "./chain.ts";

export interface Agent {
  readonly name: string;
  step(): Promise<{ kind: string }[]>;
}

export interface RunOptions {
  /** Stops when this says so after a round in which no agent acted (so trailing claims are made). */
  done: () => Promise<boolean>;
  /** Gives up after this many burn blocks (default 5,000). */
  maxBlocks?: number;
  /** Called with every action of every agent. */
  onAction?: (agent: Agent, action: { kind: string }, burnHeight: bigint) => void;
}

/** Runs `agents` until `done()` and a quiet round; returns the burn blocks mined. Throws if `maxBlocks` pass first. */
export async function runAgents(chain: SimnetChain, agents: Agent[], opts: RunOptions): Promise<number> {
  const start = await chain.burnHeight();
  const limit = start + BigInt(opts.maxBlocks ?? 5_000);
  for (;;) {
    let acted = false;
    const height = await chain.burnHeight();
    for (const agent of agents) {
      for (const action of await agent.step()) {
        // a refused call is not progress: it would be refused again in the same block
        if (action.kind !== "failed") acted = true;
        opts.onAction?.(agent, action, height);
      }
    }
    if (!acted && (await opts.done())) return Number((await chain.burnHeight()) - start);
    const now = await chain.burnHeight();
    if (now >= limit) throw new Error(`agents still busy after ${opts.maxBlocks ?? 5_000} burn blocks`);
    // something happened: give the others a block to react; otherwise jump to the next boundary
    const next = acted ? now + 1n : await nextBoundary(chain, now);
    chain.mine(Number((next > limit ? limit : next) - now));
  }
}

/** The first height after `now` at which a matched job's timeline moves. */
export async function nextBoundary(chain: Pick<Chain, "reader">, now: bigint): Promise<bigint> {
  const { reader } = chain;
  const params = await reader.getParameters();
  const last = (await reader.getLastIds()).bidId;
  let next = now + 144n;
  for (let bidId = 1n; bidId <= last; bidId++) {
    const bid = await reader.getBid(bidId);
    if (!bid || bid.status !== "MATCHED") continue;
    const delivery = bid.verified ? await reader.getJobDelivery(bidId) : null;
    const t = jobTimeline(bid, delivery, params, now);
    const candidates = [
      bid.matchedAt + params.declineWindow + 2n,
      bid.deadline + 1n,
      t.commitClosesAt + 1n,
      t.revealClosesAt + 1n,
      bid.matchedAt + params.declineWindow + 1n,
      bid.verified ? bid.deadline + params.evalRevealWindow + 1n : 0n,
    ];
    for (const h of candidates) if (h > now && h < next) next = h;
  }
  return next;
}
