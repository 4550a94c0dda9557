/**
 * The keeper on the simnet: it settles what nobody else is paid to (a queued bid past reach, a
 * job whose committee stayed silent, a queue left waiting by a pause), sends nothing when nothing
 * is due, reports a call refused by a race, reads a bounded number of new bids per step, and runs
 * under any funded principal. Every call goes through the typed client, so SimnetChain checks its
 * post-conditions as a node would.
 */
import { describe, expect, it } from "vitest";
import { computeCommitment, randomSalt, type MarketCall } from "../src/client/index.ts";
import { SimnetChain, jobsEnded, runAgents, solvency, type TxResult } from "../src/agents/index.ts";
import { KeeperAgent, type KeeperAction } from "../src/agents/keeper.ts";
import { derivedAddress } from "../src/simnet.ts";
import { bidder, bidder2, contractId, deployer, provider, validator1, validator2, validator3 } from "./helpers.ts";

const STX = 1_000_000n;
const AMOUNT = 2n * STX;
const DURATION = 10n;

/** The simnet chain, recording every call sent, with a hook that runs just before one is sent. */
class RecordingChain extends SimnetChain {
  readonly sent: { sender: string; functionName: string }[] = [];
  /** Runs before each call is sent (to land another party's call first, as a race on a node would). */
  beforeSend: ((call: MarketCall) => Promise<void>) | null = null;

  override async send(sender: string, call: MarketCall): Promise<TxResult> {
    const hook = this.beforeSend;
    this.beforeSend = null;
    if (hook) await hook(call);
    this.sent.push({ sender, functionName: call.functionName });
    return super.send(sender, call);
  }

  /** The functions `sender` called, in order. */
  sentBy(sender: string): string[] {
    return this.sent.filter((c) => c.sender === sender).map((c) => c.functionName);
  }
}

/**
 * A one-slot dataset (the provider's) with, optionally, three registered validators (a small
 * market: all three are seated at each match) and a keeper run by `keeperAccount`.
 */
async function market(opts: { validators?: boolean; keeperAccount?: string; scanLimit?: number; delay?: bigint } = {}) {
  const chain = new RecordingChain(simnet, contractId);
  const send = async (who: string, call: MarketCall) => {
    const r = await chain.send(who, call);
    expect(r.ok, `${call.functionName}: ${r.error}`).toBe(true);
    return r;
  };
  const validators = opts.validators ? [validator1, validator2, validator3] : [];
  for (const v of validators) await send(v, await chain.client.registerValidator({ caller: v, stake: STX }));
  await send(provider, await chain.client.registerDataset({ caller: provider, stake: STX, metadataUri: "ipfs://dataset" }));
  const datasetId = 1n;
  const start = await chain.burnHeight();
  /** Places a plain bid due `slack` blocks after it could finish if started now; returns its id. */
  const bid = async (who: string, slack: bigint) => {
    const deadline = (await chain.burnHeight()) + DURATION + slack;
    const r = await send(who, await chain.client.placeComputationBid({ caller: who, datasetId, amount: AMOUNT, duration: DURATION, deadline }));
    return { bidId: r.value as bigint, deadline };
  };
  const keeper = new KeeperAgent({ chain, account: opts.keeperAccount ?? deployer, scanLimit: opts.scanLimit, delay: opts.delay });
  return { chain, send, keeper, datasetId, start, bid, validators };
}

/** Mines until the burn height is `height`. */
async function mineTo(chain: SimnetChain, height: bigint) {
  chain.mine(Number(height - (await chain.burnHeight())));
}

describe("KeeperAgent.step: queued bids", () => {
  it("expires a queued bid once it can no longer meet its deadline, refunding its bidder, and not one block earlier", async () => {
    const m = await market();
    const running = await m.bid(bidder, 100n); // takes the only slot
    const queued = await m.bid(bidder2, 20n); // waits; past reach once height + duration > deadline
    expect((await m.chain.reader.getBid(running.bidId))?.status).toBe("MATCHED");
    expect((await m.chain.reader.getBid(queued.bidId))?.status).toBe("QUEUED");

    await mineTo(m.chain, queued.deadline - DURATION);
    expect(await m.keeper.step()).toEqual([]);

    m.chain.mine(1);
    const before = m.chain.stxBalances();
    const actions = await m.keeper.step();
    expect(actions).toEqual([{ kind: "expired", bidId: queued.bidId, bidder: bidder2, refund: AMOUNT }]);
    const after = m.chain.stxBalances();
    expect(after.get(bidder2)).toBe(before.get(bidder2)! + AMOUNT);
    expect(after.get(contractId)).toBe(before.get(contractId)! - AMOUNT);
    expect(after.get(deployer)).toBe(before.get(deployer)); // the keeper is paid nothing and pays nothing on the simnet
    expect((await m.chain.reader.getBid(queued.bidId))?.status).toBe("EXPIRED");
    expect(m.chain.sentBy(deployer)).toEqual(["expire-bid"]);
    expect((await solvency(m.chain.reader)).solvent).toBe(true);

    // settled bids are forgotten: a second step in the same block reads the running job only
    expect(await m.keeper.step()).toEqual([]);
    expect(m.keeper.watching).toBe(1);
  });

  it("reports a call another party's call beat as failed, then drops the bid once it reads it closed", async () => {
    const m = await market();
    await m.bid(bidder, 100n);
    const queued = await m.bid(bidder2, 20n);
    await mineTo(m.chain, queued.deadline - DURATION + 1n);
    // the bidder cancels its bid in the block before the keeper's expiry lands
    m.chain.beforeSend = async () => void (await m.send(bidder2, await m.chain.client.cancelBid({ bidId: queued.bidId })));

    expect(await m.keeper.step()).toEqual([{ kind: "failed", bidId: queued.bidId, call: "expire-bid", error: "BID_CLOSED" }]);
    expect(m.keeper.watching).toBe(2);
    m.chain.mine(2); // the back-off after one refusal
    expect(await m.keeper.step()).toEqual([]);
    expect(m.keeper.watching).toBe(1);
    expect(m.chain.sentBy(deployer)).toEqual(["expire-bid"]);
  });

  it("restarts a queue a pause left waiting: match-queued-bids once the market is unpaused", async () => {
    const m = await market();
    const running = await m.bid(bidder, 0n);
    const queued = await m.bid(bidder2, 1000n);
    await m.send(deployer, await m.chain.client.setPaused({ paused: true }));
    const params = await m.chain.reader.getParameters();
    await mineTo(m.chain, running.deadline + params.validationWindow + params.revealWindow + 1n);

    // finalized while paused (anyone may, even paused), but the paused market's walk matches nothing
    const whilePaused = await m.keeper.step();
    expect(whilePaused).toEqual([{ kind: "finalized", bidId: running.bidId, outcome: "NO_QUORUM", refund: AMOUNT, providerPayment: 0n }]);
    expect((await m.chain.reader.getBid(queued.bidId))?.status).toBe("QUEUED");
    expect(await m.keeper.step()).toEqual([]); // match-queued-bids is refused while paused: not sent

    m.chain.mine(1);
    await m.send(deployer, await m.chain.client.setPaused({ paused: false }));
    expect(await m.keeper.step()).toEqual([{ kind: "matched", datasetId: m.datasetId, matched: [queued.bidId], refunded: [] }]);
    expect((await m.chain.reader.getBid(queued.bidId))?.status).toBe("MATCHED");
  });
});

describe("KeeperAgent.step: matched jobs", () => {
  it("finalizes a job whose committee committed but never revealed: the bidder is refunded in full, the silent seats penalized", async () => {
    const m = await market({ validators: true });
    const job = await m.bid(bidder, 0n);
    const committee = await m.chain.reader.getCommittee(job.bidId);
    expect(committee?.seats.length).toBe(3);
    for (const v of m.validators) {
      const commitment = computeCommitment(80, randomSalt(), job.bidId, v);
      await m.send(v, await m.chain.client.commitValidationResult({ bidId: job.bidId, commitment }));
    }
    const params = await m.chain.reader.getParameters();
    const revealClosesAt = job.deadline + params.validationWindow + params.revealWindow;

    await mineTo(m.chain, revealClosesAt);
    expect(await m.keeper.step()).toEqual([]); // the last reveal block: validators may still reveal

    m.chain.mine(1);
    const before = m.chain.stxBalances();
    const totalsBefore = await m.chain.reader.getMarketTotals();
    const actions = await m.keeper.step();
    expect(actions).toEqual([{ kind: "finalized", bidId: job.bidId, outcome: "NO_QUORUM", refund: AMOUNT, providerPayment: 0n }]);
    const after = m.chain.stxBalances();
    expect(after.get(bidder)).toBe(before.get(bidder)! + AMOUNT);
    expect(after.get(provider)).toBe(before.get(provider)); // nothing judged, nothing paid
    expect((await m.chain.reader.getBid(job.bidId))?.status).toBe("EXPIRED");
    expect(await m.chain.reader.getJobResult(job.bidId)).toBeNull();
    const penalty = (STX * params.validatorPenaltyBps) / 10_000n;
    for (const v of m.validators) expect((await m.chain.reader.getValidator(v))?.stake).toBe(STX - penalty);
    expect((await m.chain.reader.getMarketTotals()).treasury).toBe(totalsBefore.treasury + 3n * penalty);
    expect((await solvency(m.chain.reader)).solvent).toBe(true);
  });

  it("is run by any funded principal: a stranger's keeper ends a job nobody voted on", async () => {
    const stranger = derivedAddress("keeper test: a stranger");
    const m = await market({ keeperAccount: stranger });
    m.chain.mint(stranger, STX); // its transaction fees on a live chain
    const job = await m.bid(bidder, 0n);
    const seen: KeeperAction[] = [];
    const bidderBefore = await m.chain.stxBalance(bidder);

    await runAgents(m.chain, [m.keeper], { done: () => jobsEnded(m.chain.reader, [job.bidId]), onAction: (_, a) => seen.push(a as KeeperAction) });
    expect(seen).toEqual([{ kind: "finalized", bidId: job.bidId, outcome: "NO_QUORUM", refund: AMOUNT, providerPayment: 0n }]);
    expect(m.chain.sentBy(stranger)).toEqual(["finalize-validation"]);
    expect(await m.chain.stxBalance(bidder)).toBe(bidderBefore + AMOUNT);
    expect(await m.chain.stxBalance(stranger)).toBe(STX);
  });
});

describe("KeeperAgent.step: nothing due", () => {
  it("sends nothing and changes nothing while every bid and job can still complete", async () => {
    const m = await market({ validators: true });
    await m.bid(bidder, 50n);
    await m.bid(bidder2, 50n);
    m.chain.mine(5);
    const balances = m.chain.stxBalances();
    const totals = await m.chain.reader.getMarketTotals();
    const stacksHeight = simnet.blockHeight;
    const sentBefore = m.chain.sent.length;

    expect(await m.keeper.step()).toEqual([]);
    expect(await m.keeper.step()).toEqual([]);
    expect(m.chain.sent.length).toBe(sentBefore);
    expect(simnet.blockHeight).toBe(stacksHeight); // each sent call would have mined a block
    expect(m.chain.stxBalances()).toEqual(balances);
    expect(await m.chain.reader.getMarketTotals()).toEqual(totals);
    expect(m.keeper.watching).toBe(2);
  });

  it("reads at most scanLimit new bids per step: the cursor moves by that many", async () => {
    const m = await market({ scanLimit: 1 });
    await m.bid(bidder, 50n);
    await m.bid(bidder2, 50n);
    expect(m.keeper.cursor).toBe(1n);
    await m.keeper.step();
    expect([m.keeper.cursor, m.keeper.watching]).toEqual([2n, 1]);
    await m.keeper.step();
    expect([m.keeper.cursor, m.keeper.watching]).toEqual([3n, 2]);
    await m.keeper.step();
    expect(m.keeper.cursor).toBe(3n);
  });
});

describe("KeeperAgent: options", () => {
  it("waits `delay` blocks after a bid falls due before acting (the parties go first)", async () => {
    const m = await market({ delay: 10n });
    await m.bid(bidder, 100n);
    const queued = await m.bid(bidder2, 20n);
    await mineTo(m.chain, queued.deadline - DURATION + 10n); // due for 9 blocks
    expect(await m.keeper.step()).toEqual([]);
    m.chain.mine(1);
    expect(await m.keeper.step()).toEqual([{ kind: "expired", bidId: queued.bidId, bidder: bidder2, refund: AMOUNT }]);
  });

  it("refuses a limit that is not a positive integer before any read", () => {
    const chain = new SimnetChain(simnet, contractId);
    expect(() => new KeeperAgent({ chain, account: deployer, scanLimit: 0 })).toThrow("scanLimit must be a positive integer");
    expect(() => new KeeperAgent({ chain, account: deployer, delay: -1n })).toThrow("delay must not be negative");
  });
});
