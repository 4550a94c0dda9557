import { Cl, type ClarityValue } from "@stacks/transactions";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  DEFAULTS,
  EVAL_COMMITMENT,
  EVAL_DIGEST,
  EVAL_SALT,
  MODEL,
  OUTCOME,
  SPEC,
  addStake,
  balances,
  bidder,
  bidder2,
  call,
  cancelBid,
  claim,
  commit,
  commitmentFor,
  contractId,
  declineJob,
  deliver,
  deltas,
  deployer,
  drawCommittee,
  eventNames,
  expectErr,
  expectSolvent,
  expireBid,
  finalizeValidation,
  finalizedJob,
  height,
  isPaused,
  marketField,
  matchQueued,
  matchedJob,
  mineUntil,
  ok,
  outsider,
  placeBid,
  printEvents,
  provider,
  provider2,
  read,
  readOnly,
  registerDataset,
  registerDatasetWithTerms,
  registerValidator,
  requestExit,
  retireDataset,
  reveal,
  saltFor,
  seatsOf,
  setPaused,
  setTerms,
  stx,
  stxTransfers,
  sweepSurplus,
  trainingBid,
  validator1,
  validator2,
  validator3,
  vote,
  withdrawStake,
  withdrawTreasury,
  withdrawValidator,
} from "./helpers.ts";

afterEach(() => expectSolvent());

// ---------------------------------------------------------------------------
// Local helpers
// ---------------------------------------------------------------------------

/** Blocks after a matched job's deadline until its reveal window closes: validation-window + reveal-window (288). */
const REVEAL_CLOSES = DEFAULTS.validationWindow + DEFAULTS.revealWindow;

/** Three validators of 2,000,000 each: with at most committee-size validators, all are seated at the match. */
const THREE_VALIDATORS: [string, bigint][] = [
  [validator1, 2_000_000n],
  [validator2, 2_000_000n],
  [validator3, 2_000_000n],
];

/** Six validators of 1,000,000 (none a party of bidder's jobs on provider's datasets): more than committee-size. */
const SIX_VALIDATORS: [string, bigint][] = [validator1, validator2, validator3, provider2, bidder2, outsider].map(
  (who) => [who, DEFAULTS.minValidatorStake],
);

/**
 * A treasury filled without a slash, by a job where nobody is coherent: validator1 (stake
 * 3,000,000) sits alone on the job's committee and never votes; after deadline + 288
 * finalize-validation refunds the bidder (no result) and the silent seat loses 1% of its
 * stake, 30,000, to the treasury.
 */
const SILENT_TREASURY = 30_000n;
function silentSeatJob(datasetProvider = provider) {
  expect(registerValidator(validator1, 3_000_000n).result).toBeOk(Cl.bool(true));
  const datasetId = ok(registerDataset(datasetProvider)) as bigint;
  const bidId = ok(placeBid(bidder, datasetId)) as bigint;
  expect(read.getBid(bidId)?.status).toBe("MATCHED");
  expect(seatsOf(bidId)).toEqual([validator1]);
  mineUntil((read.getBid(bidId)?.deadline as bigint) + REVEAL_CLOSES + 1n);
  expect(finalizeValidation(outsider, bidId).result).toBeOk(Cl.uint(OUTCOME.NO_QUORUM));
  expect(read.getBid(bidId)?.status).toBe("EXPIRED");
  expect(read.getValidator(validator1)).toMatchObject({ stake: 2_970_000n, active: true });
  expect(read.getMarketTotals().treasury).toBe(SILENT_TREASURY);
  return { datasetId, bidId };
}

/** A slash: validator1 scores the job 10, so 50% of the 1,000,000 dataset stake is taken. */
function slashedJob() {
  const ids = finalizedJob(10);
  expect(read.getJobResult(ids.bidId)).toMatchObject({ outcome: "SLASHED", slashedAmount: 500_000n });
  return ids;
}

/** Dataset 1 with bid 1 (bidder) matched in its single slot and bid 2 (bidder2) queued behind it. */
function matchedAndQueued() {
  expect(registerDataset().result).toBeOk(Cl.uint(1));
  expect(placeBid(bidder, 1, 500_000n).result).toBeOk(Cl.uint(1));
  // a deadline far enough to outlast bid 1, within duration + max-bid-wait (4,420 blocks)
  expect(placeBid(bidder2, 1, 400_000n, 100n, height() + 4_000n).result).toBeOk(Cl.uint(2));
  expect(read.getBid(1)?.status).toBe("MATCHED");
  expect(read.getBid(2)?.status).toBe("QUEUED");
}

/** `propose-parameter-change` of `parameter` to `value` by `who`. */
function proposeChange(who: string, parameter: string, value: number | bigint) {
  return call("propose-parameter-change", [Cl.stringAscii(parameter), Cl.uint(value)], who);
}

/** All five buckets and the surplus at zero, as get-market-totals reports an empty market. */
const EMPTY_TOTALS = {
  datasetStakes: 0n,
  validatorStakes: 0n,
  escrowedBids: 0n,
  unclaimedRewards: 0n,
  treasury: 0n,
  surplus: 0n,
};

/**
 * A job whose single seat (validator1, 3,000,000) never votes, matched in this block; returns
 * its ids and the last block of its commit window (deadline + validation-window).
 */
function silentSeatMatched() {
  expect(registerValidator(validator1, 3_000_000n).result).toBeOk(Cl.bool(true));
  expect(registerDataset().result).toBeOk(Cl.uint(1));
  expect(placeBid(bidder, 1).result).toBeOk(Cl.uint(1));
  expect(seatsOf(1)).toEqual([validator1]);
  const deadline = read.getBid(1)?.deadline as bigint;
  return { bidId: 1n, deadline, commitClosesAt: deadline + DEFAULTS.validationWindow };
}

// ---------------------------------------------------------------------------
// set-paused
// ---------------------------------------------------------------------------

describe("set-paused", () => {
  it("lets the owner pause and resume, printing paused-set each time", () => {
    expect(isPaused()).toBeBool(false);

    const paused = setPaused(true);
    expect(paused.result).toBeOk(Cl.bool(true));
    expect(printEvents(paused)).toEqual([{ event: "paused-set", paused: true, owner: deployer }]);
    expect(isPaused()).toBeBool(true);

    const resumed = setPaused(false);
    expect(resumed.result).toBeOk(Cl.bool(true));
    expect(printEvents(resumed)).toEqual([{ event: "paused-set", paused: false, owner: deployer }]);
    expect(isPaused()).toBeBool(false);
  });

  it("refuses anyone but the owner with NOT_AUTHORIZED, pausing and unpausing alike", () => {
    for (const who of [outsider, provider, validator1]) {
      const r = setPaused(true, who);
      expectErr(r, "NOT_AUTHORIZED");
      expect(r.events).toEqual([]);
    }
    expect(isPaused()).toBeBool(false);

    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    expectErr(setPaused(false, outsider), "NOT_AUTHORIZED");
    expect(isPaused()).toBeBool(true);
  });

  describe("while paused, new business is refused with PAUSED", () => {
    it("register-dataset", () => {
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      const before = balances(provider, contractId);
      const r = registerDataset();
      expectErr(r, "PAUSED");
      expect(deltas(before)).toEqual(new Map([[provider, 0n], [contractId, 0n]]));
      expect(read.getDataset(1)).toBeNull();
      expect(read.getLastIds()).toEqual({ datasetId: 0n, bidId: 0n, proposalId: 0n });
    });

    it("place-computation-bid", () => {
      expect(registerDataset().result).toBeOk(Cl.uint(1));
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      const before = balances(bidder, contractId);
      expectErr(placeBid(bidder, 1), "PAUSED");
      expect(deltas(before)).toEqual(new Map([[bidder, 0n], [contractId, 0n]]));
      expect(read.getBid(1)).toBeNull();
      expect(read.getMarketTotals().escrowedBids).toBe(0n);
    });

    it("register-validator", () => {
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      const before = balances(validator1, contractId);
      expectErr(registerValidator(validator1), "PAUSED");
      expect(deltas(before)).toEqual(new Map([[validator1, 0n], [contractId, 0n]]));
      expect(read.getValidator(validator1)).toBeNull();
      expect(read.getActiveValidatorCount()).toBe(0n);
    });

    it("submit-validation-result", () => {
      const { datasetId, bidId } = matchedJob();
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      const before = balances(provider, bidder, contractId);
      expectErr(vote(validator1, datasetId, bidId, 85), "PAUSED");
      expect(deltas(before)).toEqual(new Map([[provider, 0n], [bidder, 0n], [contractId, 0n]]));
      expect(read.getBid(bidId)?.status).toBe("MATCHED");
      expect(read.getVote(bidId, validator1)).toBeNull();
      expect(read.getJobResult(bidId)).toBeNull();
    });

    it("draw-committee", () => {
      // six validators at the match, one more than committee-size: the committee is drawn from a later seed
      const { bidId } = matchedJob(SIX_VALIDATORS);
      expect(read.getCommittee(bidId)).toBeNull();
      // the seed comes from the Bitcoin block after the decline window: decline-window + 1 = 7 blocks after the match
      const matchedAt = read.getBid(bidId)?.matchedAt as bigint;
      mineUntil(matchedAt + DEFAULTS.declineWindow);
      expectErr(drawCommittee(outsider, bidId), "SEED_NOT_READY");
      simnet.mineEmptyBlocks(1);
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      const r = drawCommittee(outsider, bidId);
      expectErr(r, "PAUSED");
      expect(r.events).toEqual([]);
      expect(read.getCommittee(bidId)).toBeNull();
      for (const [who] of SIX_VALIDATORS) expect(read.getValidator(who)?.openSeats).toBe(0n);

      // resumed: the same draw goes through, five of the six are seated
      expect(setPaused(false).result).toBeOk(Cl.bool(true));
      const drawn = ok(drawCommittee(outsider, bidId)) as string[];
      expect(drawn).toHaveLength(5);
      expect(seatsOf(bidId)).toEqual(drawn);
      for (const [who] of SIX_VALIDATORS) {
        expect(read.getValidator(who)?.openSeats).toBe(drawn.includes(who) ? 1n : 0n);
      }
    });

    it("commit-validation-result", () => {
      const { bidId } = matchedJob(THREE_VALIDATORS);
      expect(seatsOf(bidId)).toEqual([validator1, validator2, validator3]);
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      const before = balances(validator1, contractId);
      const r = commit(validator1, bidId, 80);
      expectErr(r, "PAUSED");
      expect(r.events).toEqual([]);
      expect(deltas(before)).toEqual(new Map([[validator1, 0n], [contractId, 0n]]));
      expect(read.getVote(bidId, validator1)).toBeNull();
      expect(read.getCommittee(bidId)).toMatchObject({ commits: 0n });

      // resumed: the same commit goes through
      expect(setPaused(false).result).toBeOk(Cl.bool(true));
      expect(commit(validator1, bidId, 80).result).toBeOk(Cl.bool(true));
      expect(read.getCommittee(bidId)).toMatchObject({ commits: 1n });
    });

    it("match-queued-bids", () => {
      matchedAndQueued();
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      expectErr(matchQueued(outsider, 1), "PAUSED");
      expect(read.getBid(2)?.status).toBe("QUEUED");
    });
  });

  describe("while paused, every way out still works", () => {
    it("cancel-bid refunds the queued bidder in full", () => {
      matchedAndQueued();
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      const before = balances(bidder2, contractId);
      const r = cancelBid(bidder2, 2);
      expect(r.result).toBeOk(Cl.uint(400_000));
      expect(deltas(before)).toEqual(new Map([[bidder2, 400_000n], [contractId, -400_000n]]));
      expect(eventNames(r)).toEqual(["bid-cancelled"]);
      expect(read.getBid(2)?.status).toBe("CANCELLED");
      expect(read.getDataset(1)).toMatchObject({ queuedJobs: 0n, queueHead: 0n, queueTail: 0n });
      expect(read.getMarketTotals().escrowedBids).toBe(500_000n);
    });

    it("expire-bid refunds a matched job past deadline + validation-window + reveal-window", () => {
      const { bidId } = matchedJob();
      const deadline = read.getBid(bidId)?.deadline as bigint;
      mineUntil(deadline + REVEAL_CLOSES + 1n);
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      const before = balances(bidder, provider, contractId);
      const r = expireBid(outsider, bidId);
      expect(r.result).toBeOk(Cl.uint(500_000));
      expect(deltas(before)).toEqual(new Map([[bidder, 500_000n], [provider, 0n], [contractId, -500_000n]]));
      // the pause began after validator1's commit window had closed: its silence is not excused.
      // 1% of its 1,000,000 goes to the treasury, which leaves it below the minimum stake: removed
      expect(printEvents(r)).toEqual([
        {
          event: "validator-penalized",
          "bid-id": bidId,
          validator: validator1,
          penalty: 10_000n,
          stake: 990_000n,
          removed: true,
          silent: true,
        },
        { event: "bid-expired", "bid-id": bidId, "dataset-id": 1n, bidder, refund: 500_000n, penalties: 10_000n },
      ]);
      expect(read.getBid(bidId)?.status).toBe("EXPIRED");
      expect(read.getDataset(1)).toMatchObject({ activeJobs: 0n, stake: DEFAULTS.minDatasetStake });
      expect(read.getValidator(validator1)).toMatchObject({ stake: 990_000n, active: false, openSeats: 0n });
      expect(read.getActiveValidatorCount()).toBe(0n);
      expect(read.getMarketTotals().treasury).toBe(10_000n);
    });

    it("expire-bid frees the slot but does not match the queued bid until unpaused", () => {
      matchedAndQueued();
      const deadline = read.getBid(1)?.deadline as bigint;
      mineUntil(deadline + REVEAL_CLOSES + 1n);
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      const r = expireBid(outsider, 1);
      expect(r.result).toBeOk(Cl.uint(500_000));
      expect(eventNames(r)).toEqual(["bid-expired"]);
      expect(read.getBid(2)?.status).toBe("QUEUED");
      expect(read.getDataset(1)).toMatchObject({ activeJobs: 0n, queuedJobs: 1n });

      expect(setPaused(false).result).toBeOk(Cl.bool(true));
      const pushed = matchQueued(outsider, 1);
      expect(pushed.result).toBeOk(Cl.uint(0));
      expect(eventNames(pushed)).toEqual(["bid-matched"]);
      expect(read.getBid(2)?.status).toBe("MATCHED");
    });

    it("reveal-validation-result accepts the committed scores, and the last reveal finalizes the job", () => {
      const { bidId } = matchedJob(THREE_VALIDATORS);
      for (const who of [validator1, validator2, validator3]) expect(commit(who, bidId, 80).result).toBeOk(Cl.bool(true));
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      const before = balances(provider, bidder, contractId);

      expect(reveal(validator1, bidId, 80).result).toBeOk(Cl.bool(false));
      expect(reveal(validator2, bidId, 80).result).toBeOk(Cl.bool(false));
      const last = reveal(validator3, bidId, 80);
      expect(last.result).toBeOk(Cl.bool(true));
      // finalized while paused: paid out (500,000 less 25,000 validator fees and the 5,000
      // protocol fee), but the freed slot is not refilled
      expect(eventNames(last)).toEqual(["validation-revealed", "job-finalized"]);
      expect(deltas(before)).toEqual(new Map([[provider, 470_000n], [bidder, 0n], [contractId, -470_000n]]));
      expect(read.getBid(bidId)?.status).toBe("SETTLED");
      expect(read.getJobResult(bidId)).toMatchObject({
        finalScore: 80n,
        outcome: "REWARDED",
        validatorFees: 25_000n,
        protocolFee: 5_000n,
        penalties: 0n,
        rewardPool: 25_000n,
        rewardWeight: 6_000_000n,
      });
      expect(read.getCommittee(bidId)).toMatchObject({ commits: 3n, reveals: 3n });
    });

    it("finalize-validation settles a job by the median of its reveals after the reveal window", () => {
      const { bidId } = matchedJob(THREE_VALIDATORS);
      const deadline = read.getBid(bidId)?.deadline as bigint;
      for (const who of [validator1, validator2, validator3]) expect(commit(who, bidId, 80).result).toBeOk(Cl.bool(true));
      // two of three reveal (the minimum); validator3 committed but stays silent
      expect(reveal(validator1, bidId, 80).result).toBeOk(Cl.bool(false));
      expect(reveal(validator2, bidId, 80).result).toBeOk(Cl.bool(false));
      mineUntil(deadline + REVEAL_CLOSES);
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      expectErr(finalizeValidation(outsider, bidId), "NOT_READY_TO_FINALIZE");
      simnet.mineEmptyBlocks(1);
      const before = balances(provider, bidder, validator3, contractId);
      const totals = read.getMarketTotals();

      const r = finalizeValidation(outsider, bidId);
      expect(r.result).toBeOk(Cl.uint(OUTCOME.REWARDED));
      // a seat that committed and did not reveal is penalized even while paused (1% of
      // 2,000,000); a silent seat's penalty goes to the treasury, not the pool
      expect(printEvents(r)[0]).toEqual({
        event: "validator-penalized",
        "bid-id": bidId,
        validator: validator3,
        penalty: 20_000n,
        stake: 1_980_000n,
        removed: false,
        silent: true,
      });
      expect(eventNames(r)).toEqual(["validator-penalized", "job-finalized"]);
      expect(deltas(before)).toEqual(new Map([[provider, 470_000n], [bidder, 0n], [validator3, 0n], [contractId, -470_000n]]));
      expect(read.getBid(bidId)?.status).toBe("SETTLED");
      expect(read.getJobResult(bidId)).toMatchObject({
        finalScore: 80n,
        validatorFees: 25_000n,
        protocolFee: 5_000n,
        penalties: 20_000n,
        rewardPool: 25_000n,
        rewardWeight: 4_000_000n,
      });
      // treasury: the 5,000 protocol fee and the 20,000 silence penalty
      expect(read.getMarketTotals()).toEqual({
        ...totals,
        validatorStakes: totals.validatorStakes - 20_000n,
        escrowedBids: totals.escrowedBids - 500_000n,
        unclaimedRewards: totals.unclaimedRewards + 25_000n,
        treasury: totals.treasury + 25_000n,
      });
    });

    it("withdraw-dataset-stake returns the stake and retires the dataset", () => {
      expect(registerDataset(provider, 3_000_000n).result).toBeOk(Cl.uint(1));
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      const before = balances(provider, contractId);
      const r = withdrawStake(provider, 1);
      expect(r.result).toBeOk(Cl.uint(3_000_000));
      expect(deltas(before)).toEqual(new Map([[provider, 3_000_000n], [contractId, -3_000_000n]]));
      expect(eventNames(r)).toEqual(["dataset-withdrawn"]);
      expect(read.getDataset(1)).toMatchObject({ active: false, stake: 0n });
      expect(read.getMarketTotals().datasetStakes).toBe(0n);
    });

    it("request-validator-exit stops the validator", () => {
      expect(registerValidator(validator1).result).toBeOk(Cl.bool(true));
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      const now = height();
      const r = requestExit(validator1);
      expect(r.result).toBeOk(Cl.uint(now + DEFAULTS.validatorUnbondingBlocks));
      expect(eventNames(r)).toEqual(["validator-exit-requested"]);
      expect(read.getValidator(validator1)).toMatchObject({ active: false, exitRequestedAt: now });
      expect(read.getActiveValidatorCount()).toBe(0n);
    });

    it("withdraw-validator-stake returns the stake after unbonding", () => {
      expect(registerValidator(validator1, 2_000_000n).result).toBeOk(Cl.bool(true));
      expect(requestExit(validator1).result).toBeOk(
        Cl.uint(height() + DEFAULTS.validatorUnbondingBlocks),
      );
      simnet.mineEmptyBlocks(Number(DEFAULTS.validatorUnbondingBlocks));
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      const before = balances(validator1, contractId);
      const r = withdrawValidator(validator1);
      expect(r.result).toBeOk(Cl.uint(2_000_000));
      expect(deltas(before)).toEqual(new Map([[validator1, 2_000_000n], [contractId, -2_000_000n]]));
      expect(eventNames(r)).toEqual(["validator-withdrawn"]);
      expect(read.getValidator(validator1)).toBeNull();
      expect(read.getMarketTotals().validatorStakes).toBe(0n);
    });

    it("claim-validation-reward pays the validator its fee", () => {
      const { bidId } = finalizedJob(85);
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      const before = balances(validator1, contractId);
      const r = claim(validator1, bidId);
      expect(r.result).toBeOk(Cl.uint(25_000));
      expect(deltas(before)).toEqual(new Map([[validator1, 25_000n], [contractId, -25_000n]]));
      expect(eventNames(r)).toEqual(["validation-reward-claimed"]);
      expect(read.getMarketTotals().unclaimedRewards).toBe(0n);
    });

    it("add-dataset-stake takes the top-up", () => {
      matchedAndQueued();
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      const before = balances(provider, contractId);
      const r = addStake(provider, 1, 700_000);
      expect(r.result).toBeOk(Cl.uint(1_700_000));
      expect(deltas(before)).toEqual(new Map([[provider, -700_000n], [contractId, 700_000n]]));
      expect(eventNames(r)).toEqual(["dataset-stake-added"]);
      expect(read.getDataset(1)).toMatchObject({ stake: 1_700_000n, queuedJobs: 1n });
      expect(read.getMarketTotals().datasetStakes).toBe(1_700_000n);
    });

    it("set-dataset-terms updates the terms but does not match the queue", () => {
      matchedAndQueued();
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      const before = balances(provider, bidder2, contractId);
      const r = setTerms(provider, 1, 1_000, 2);
      expect(r.result).toBeOk(Cl.bool(true));
      expect(eventNames(r)).toEqual(["dataset-terms-set"]);
      expect(deltas(before)).toEqual(new Map([[provider, 0n], [bidder2, 0n], [contractId, 0n]]));
      expect(read.getDataset(1)).toMatchObject({ pricePerBlock: 1_000n, maxConcurrentJobs: 2n, queuedJobs: 1n });
      expect(read.getBid(2)?.status).toBe("QUEUED");

      // resumed: the new slot is filled by the queued bid
      expect(setPaused(false).result).toBeOk(Cl.bool(true));
      expect(matchQueued(outsider, 1).result).toBeOk(Cl.uint(0));
      expect(read.getBid(2)?.status).toBe("MATCHED");
      expect(read.getDataset(1)).toMatchObject({ activeJobs: 2n, queuedJobs: 0n });
    });
  });

  it("unpausing restores every kind of new business", () => {
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    expectErr(registerDataset(), "PAUSED");
    expect(setPaused(false).result).toBeOk(Cl.bool(true));

    expect(registerValidator(validator1).result).toBeOk(Cl.bool(true));
    expect(registerDataset().result).toBeOk(Cl.uint(1));
    expect(placeBid(bidder, 1).result).toBeOk(Cl.uint(1));
    expect(placeBid(bidder2, 1, 400_000n, 100n, height() + 4_000n).result).toBeOk(Cl.uint(2));
    expect(matchQueued(outsider, 1).result).toBeOk(Cl.uint(1));
    const before = balances(provider, bidder, contractId);
    const r = vote(validator1, 1, 1, 85);
    expect(r.result).toBeOk(Cl.bool(true));
    // the freed slot goes to the queued bid (its committee seated at once): matching is live again
    expect(eventNames(r)).toEqual(["validation-submitted", "job-finalized", "bid-matched", "committee-drawn"]);
    expect(deltas(before)).toEqual(new Map([[provider, 470_000n], [bidder, 0n], [contractId, -470_000n]]));
    expect(read.getBid(2)?.status).toBe("MATCHED");
  });

  describe("the pause log", () => {
    it("starts empty: no pause counted in the market record, no get-pause entry", () => {
      expect(marketField("pauses")).toBe(0n);
      expect(read.getPause(0)).toBeNull();
      expect(read.getPause(1)).toBeNull();
    });

    it("pausing starts pause 1 { started-at: now, ended-at: 0 } and counts it; unpausing records its end", () => {
      simnet.mineEmptyBlocks(5);
      const start = height();
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      expect(marketField("pauses")).toBe(1n);
      expect(read.getPause(1)).toEqual({ startedAt: start, endedAt: 0n });
      simnet.mineEmptyBlocks(7);
      expect(setPaused(false).result).toBeOk(Cl.bool(true));
      expect(read.getPause(1)).toEqual({ startedAt: start, endedAt: start + 7n });
      expect(marketField("pauses")).toBe(1n);
      expect(read.getPause(2)).toBeNull();
    });

    it("each new pause takes the next number; earlier entries are kept", () => {
      const first = height();
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      simnet.mineEmptyBlocks(3);
      expect(setPaused(false).result).toBeOk(Cl.bool(true));
      simnet.mineEmptyBlocks(10);
      const second = height();
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      expect(marketField("pauses")).toBe(2n);
      expect(read.getPause(1)).toEqual({ startedAt: first, endedAt: first + 3n });
      expect(read.getPause(2)).toEqual({ startedAt: second, endedAt: 0n });
      simnet.mineEmptyBlocks(1);
      expect(setPaused(false).result).toBeOk(Cl.bool(true));
      expect(read.getPause(2)).toEqual({ startedAt: second, endedAt: second + 1n });
      expect(read.getPause(1)).toEqual({ startedAt: first, endedAt: first + 3n });
      expect(read.getPause(3)).toBeNull();
    });

    it("repeating the state in force changes nothing but prints paused-set", () => {
      // unpausing a running market: no entry, nothing counted
      const idle = setPaused(false);
      expect(idle.result).toBeOk(Cl.bool(true));
      expect(printEvents(idle)).toEqual([{ event: "paused-set", paused: false, owner: deployer }]);
      expect(isPaused()).toBeBool(false);
      expect(marketField("pauses")).toBe(0n);
      expect(read.getPause(0)).toBeNull();
      expect(read.getPause(1)).toBeNull();

      const start = height();
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      simnet.mineEmptyBlocks(3);
      // pausing a paused market: pause 1 keeps its start, no pause 2
      const again = setPaused(true);
      expect(again.result).toBeOk(Cl.bool(true));
      expect(printEvents(again)).toEqual([{ event: "paused-set", paused: true, owner: deployer }]);
      expect(isPaused()).toBeBool(true);
      expect(marketField("pauses")).toBe(1n);
      expect(read.getPause(1)).toEqual({ startedAt: start, endedAt: 0n });
      expect(read.getPause(2)).toBeNull();

      simnet.mineEmptyBlocks(2);
      expect(setPaused(false).result).toBeOk(Cl.bool(true));
      simnet.mineEmptyBlocks(4);
      // unpausing again: pause 1 keeps its end
      const resumedAgain = setPaused(false);
      expect(resumedAgain.result).toBeOk(Cl.bool(true));
      expect(printEvents(resumedAgain)).toEqual([{ event: "paused-set", paused: false, owner: deployer }]);
      expect(read.getPause(1)).toEqual({ startedAt: start, endedAt: start + 5n });
      expect(marketField("pauses")).toBe(1n);
    });

    it("a refused set-paused (not the owner) logs nothing", () => {
      expectErr(setPaused(true, outsider), "NOT_AUTHORIZED");
      expect(marketField("pauses")).toBe(0n);
      expect(read.getPause(1)).toBeNull();
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      expectErr(setPaused(false, outsider), "NOT_AUTHORIZED");
      expect(read.getPause(1)).toEqual({ startedAt: height(), endedAt: 0n });
    });

    it("a job records the pauses counted at its match", () => {
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      simnet.mineEmptyBlocks(1);
      expect(setPaused(false).result).toBeOk(Cl.bool(true));
      const { bidId } = silentSeatMatched();
      expect(read.getBid(bidId)?.pausesAtMatch).toBe(1n);
    });

    it("a pause undone in the Bitcoin block it began is erased: no log entry, the count goes back", () => {
      const start = height();
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      expect(read.getPause(1)).toEqual({ startedAt: start, endedAt: 0n });
      expect(marketField("pauses")).toBe(1n);
      const undone = setPaused(false);
      expect(undone.result).toBeOk(Cl.bool(true));
      expect(printEvents(undone)).toEqual([{ event: "paused-set", paused: false, owner: deployer }]);
      expect(read.getPause(1)).toBeNull();
      expect(marketField("pauses")).toBe(0n);
      // the next pause takes the number again
      simnet.mineEmptyBlocks(1);
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      simnet.mineEmptyBlocks(2);
      expect(setPaused(false).result).toBeOk(Cl.bool(true));
      expect(read.getPause(1)).toEqual({ startedAt: start + 1n, endedAt: start + 3n });
      expect(marketField("pauses")).toBe(1n);
    });

    it("a pause that starts by the last block of a job's commit window and lasts into the next excuses its seats that never committed", () => {
      const { bidId, deadline, commitClosesAt } = silentSeatMatched();
      expect(read.getBid(bidId)?.pausesAtMatch).toBe(0n);
      mineUntil(commitClosesAt);
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      simnet.mineEmptyBlocks(1);
      expect(setPaused(false).result).toBeOk(Cl.bool(true));
      expect(read.getPause(1)).toEqual({ startedAt: commitClosesAt, endedAt: commitClosesAt + 1n });
      mineUntil(deadline + REVEAL_CLOSES + 1n);
      const r = finalizeValidation(outsider, bidId);
      expect(r.result).toBeOk(Cl.uint(OUTCOME.NO_QUORUM));
      expect(printEvents(r)).toEqual([
        { event: "bid-expired", "bid-id": bidId, "dataset-id": 1n, bidder, refund: 500_000n, penalties: 0n },
      ]);
      expect(read.getValidator(validator1)).toMatchObject({ stake: 3_000_000n, active: true, openSeats: 0n });
      expect(read.getMarketTotals().treasury).toBe(0n);
    });

    it("a pause still in force when the job settles excuses its seats that never committed", () => {
      const { bidId, deadline } = silentSeatMatched();
      simnet.mineEmptyBlocks(20);
      const start = height();
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      mineUntil(deadline + REVEAL_CLOSES + 1n);
      expect(read.getPause(1)).toEqual({ startedAt: start, endedAt: 0n });
      // finalize-validation works while paused
      const r = finalizeValidation(outsider, bidId);
      expect(r.result).toBeOk(Cl.uint(OUTCOME.NO_QUORUM));
      expect(printEvents(r)).toEqual([
        { event: "bid-expired", "bid-id": bidId, "dataset-id": 1n, bidder, refund: 500_000n, penalties: 0n },
      ]);
      expect(read.getValidator(validator1)).toMatchObject({ stake: 3_000_000n, active: true, openSeats: 0n });
      expect(read.getMarketTotals().treasury).toBe(0n);
    });

    it("a pause and unpause in the same burn block excuses nobody, even inside the commit window", () => {
      const { bidId, deadline, commitClosesAt } = silentSeatMatched();
      simnet.mineEmptyBlocks(20);
      const start = height();
      expect(start).toBeLessThan(commitClosesAt);
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      expect(setPaused(false).result).toBeOk(Cl.bool(true));
      expect(read.getPause(1)).toBeNull();
      expect(marketField("pauses")).toBe(0n);
      mineUntil(deadline + REVEAL_CLOSES + 1n);
      const before = balances(bidder, validator1, contractId);
      const r = finalizeValidation(outsider, bidId);
      expect(r.result).toBeOk(Cl.uint(OUTCOME.NO_QUORUM));
      expect(printEvents(r)).toEqual([
        {
          event: "validator-penalized",
          "bid-id": bidId,
          validator: validator1,
          penalty: 30_000n,
          stake: 2_970_000n,
          removed: false,
          silent: true,
        },
        { event: "bid-expired", "bid-id": bidId, "dataset-id": 1n, bidder, refund: 500_000n, penalties: 30_000n },
      ]);
      expect(deltas(before)).toEqual(new Map([[bidder, 500_000n], [validator1, 0n], [contractId, -500_000n]]));
      expect(read.getValidator(validator1)).toMatchObject({ stake: 2_970_000n, active: true, openSeats: 0n });
      expect(read.getMarketTotals().treasury).toBe(30_000n);
    });

    it("a same-block pause and unpause at the last block of the commit window excuses nobody", () => {
      const { bidId, deadline, commitClosesAt } = silentSeatMatched();
      mineUntil(commitClosesAt);
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      expect(setPaused(false).result).toBeOk(Cl.bool(true));
      expect(read.getPause(1)).toBeNull();
      mineUntil(deadline + REVEAL_CLOSES + 1n);
      const r = finalizeValidation(outsider, bidId);
      expect(r.result).toBeOk(Cl.uint(OUTCOME.NO_QUORUM));
      expect(eventNames(r)).toEqual(["validator-penalized", "bid-expired"]);
      expect(printEvents(r)[1]).toMatchObject({ refund: 500_000n, penalties: 30_000n });
      expect(read.getValidator(validator1)?.stake).toBe(2_970_000n);
      expect(read.getMarketTotals().treasury).toBe(30_000n);
    });

    it("a same-block pause hides no later pause: a real pause in the window still excuses", () => {
      const { bidId, deadline, commitClosesAt } = silentSeatMatched();
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      expect(setPaused(false).result).toBeOk(Cl.bool(true));
      mineUntil(commitClosesAt - 30n);
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      mineUntil(commitClosesAt - 10n);
      expect(setPaused(false).result).toBeOk(Cl.bool(true));
      expect(read.getPause(1)).toEqual({ startedAt: commitClosesAt - 30n, endedAt: commitClosesAt - 10n });
      mineUntil(deadline + REVEAL_CLOSES + 1n);
      const r = finalizeValidation(outsider, bidId);
      expect(r.result).toBeOk(Cl.uint(OUTCOME.NO_QUORUM));
      expect(printEvents(r)).toEqual([
        { event: "bid-expired", "bid-id": bidId, "dataset-id": 1n, bidder, refund: 500_000n, penalties: 0n },
      ]);
      expect(read.getValidator(validator1)?.stake).toBe(3_000_000n);
      expect(read.getMarketTotals().treasury).toBe(0n);
    });

    it("a pause that starts after the commit window excuses nobody: the silent seat's 1% goes to the treasury", () => {
      const { bidId, deadline, commitClosesAt } = silentSeatMatched();
      mineUntil(commitClosesAt + 1n);
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      simnet.mineEmptyBlocks(1);
      expect(setPaused(false).result).toBeOk(Cl.bool(true));
      expect(read.getPause(1)).toEqual({ startedAt: commitClosesAt + 1n, endedAt: commitClosesAt + 2n });
      mineUntil(deadline + REVEAL_CLOSES + 1n);
      const r = finalizeValidation(outsider, bidId);
      expect(r.result).toBeOk(Cl.uint(OUTCOME.NO_QUORUM));
      expect(printEvents(r)).toEqual([
        {
          event: "validator-penalized",
          "bid-id": bidId,
          validator: validator1,
          penalty: 30_000n,
          stake: 2_970_000n,
          removed: false,
          silent: true,
        },
        { event: "bid-expired", "bid-id": bidId, "dataset-id": 1n, bidder, refund: 500_000n, penalties: 30_000n },
      ]);
      expect(read.getMarketTotals().treasury).toBe(30_000n);
    });

    it("a pause that ended before the match excuses nobody", () => {
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      simnet.mineEmptyBlocks(2);
      expect(setPaused(false).result).toBeOk(Cl.bool(true));
      const { bidId, deadline } = silentSeatMatched();
      expect(read.getBid(bidId)?.pausesAtMatch).toBe(1n);
      mineUntil(deadline + REVEAL_CLOSES + 1n);
      const r = finalizeValidation(outsider, bidId);
      expect(r.result).toBeOk(Cl.uint(OUTCOME.NO_QUORUM));
      expect(eventNames(r)).toEqual(["validator-penalized", "bid-expired"]);
      expect(read.getValidator(validator1)?.stake).toBe(2_970_000n);
      expect(read.getMarketTotals().treasury).toBe(30_000n);
    });

    it("the excuse covers only seats that never committed: a committed seat that never reveals is still penalized", () => {
      // five validators of 2,000,000, all seated at the match
      const five: [string, bigint][] = [...THREE_VALIDATORS, [provider2, 2_000_000n], [bidder2, 2_000_000n]];
      const { bidId } = matchedJob(five);
      expect(seatsOf(bidId)).toEqual(five.map(([who]) => who));
      // a pause inside the commit window
      expect(setPaused(true).result).toBeOk(Cl.bool(true));
      simnet.mineEmptyBlocks(10);
      expect(setPaused(false).result).toBeOk(Cl.bool(true));
      for (const who of [validator1, validator2, validator3, provider2]) expect(commit(who, bidId, 80).result).toBeOk(Cl.bool(true));
      // one seat never committed: the reveal phase opens after the commit window
      const deadline = read.getBid(bidId)?.deadline as bigint;
      mineUntil(deadline + DEFAULTS.validationWindow + 1n);
      for (const who of [validator1, validator2, validator3]) expect(reveal(who, bidId, 80).result).toBeOk(Cl.bool(false));
      mineUntil(deadline + REVEAL_CLOSES + 1n);
      const before = balances(provider, bidder, contractId);
      const r = finalizeValidation(outsider, bidId);
      expect(r.result).toBeOk(Cl.uint(OUTCOME.REWARDED));
      // provider2 committed and stayed silent: 1% of 2,000,000; bidder2 never committed: excused
      expect(eventNames(r)).toEqual(["validator-penalized", "job-finalized"]);
      expect(printEvents(r)[0]).toMatchObject({ validator: provider2, penalty: 20_000n, silent: true });
      expect(read.getValidator(bidder2)).toMatchObject({ stake: 2_000_000n, openSeats: 0n });
      expect(deltas(before)).toEqual(new Map([[provider, 470_000n], [bidder, 0n], [contractId, -470_000n]]));
      // treasury: the 5,000 protocol fee and provider2's 20,000
      expect(read.getMarketTotals().treasury).toBe(25_000n);
      expect(read.getJobResult(bidId)).toMatchObject({ penalties: 20_000n, rewardPool: 25_000n, rewardWeight: 6_000_000n });
    });
  });
});

// ---------------------------------------------------------------------------
// withdraw-treasury
// ---------------------------------------------------------------------------

describe("withdraw-treasury", () => {
  it("pays the recipient from the treasury, prints treasury-withdrawn and lowers only the treasury", () => {
    silentSeatJob();
    const totals = read.getMarketTotals();
    const before = balances(outsider, deployer, contractId);
    const r = withdrawTreasury(3_000n, outsider);
    expect(r.result).toBeOk(Cl.uint(3_000));
    expect(stxTransfers(r)).toEqual([{ sender: contractId, recipient: outsider, amount: 3_000n }]);
    expect(deltas(before)).toEqual(new Map([[outsider, 3_000n], [deployer, 0n], [contractId, -3_000n]]));
    expect(printEvents(r)).toEqual([{ event: "treasury-withdrawn", amount: 3_000n, recipient: outsider }]);
    expect(read.getMarketTotals()).toEqual({ ...totals, treasury: SILENT_TREASURY - 3_000n });

    // the rest, exactly, can be taken too (here by the owner for itself)
    const rest = withdrawTreasury(SILENT_TREASURY - 3_000n, deployer);
    expect(rest.result).toBeOk(Cl.uint(SILENT_TREASURY - 3_000n));
    expect(stxTransfers(rest)).toEqual([{ sender: contractId, recipient: deployer, amount: 27_000n }]);
    expect(read.getMarketTotals().treasury).toBe(0n);
    expectErr(withdrawTreasury(1, deployer), "INSUFFICIENT_TREASURY");
  });

  it("pays the recipient after a slash filled the treasury (500,000 slashed less the 25,000 validator fee)", () => {
    slashedJob();
    expect(read.getMarketTotals().treasury).toBe(475_000n);
    const before = balances(outsider, contractId);
    const r = withdrawTreasury(475_000n, outsider);
    expect(r.result).toBeOk(Cl.uint(475_000));
    expect(printEvents(r)).toEqual([{ event: "treasury-withdrawn", amount: 475_000n, recipient: outsider }]);
    expect(deltas(before)).toEqual(new Map([[outsider, 475_000n], [contractId, -475_000n]]));
    expect(read.getMarketTotals().treasury).toBe(0n);
  });

  it("refuses anyone but the owner with NOT_AUTHORIZED", () => {
    silentSeatJob();
    for (const who of [outsider, provider, validator1]) {
      const before = balances(who, contractId);
      const r = withdrawTreasury(1_000n, who, who);
      expectErr(r, "NOT_AUTHORIZED");
      expect(r.events).toEqual([]);
      expect(deltas(before)).toEqual(new Map([[who, 0n], [contractId, 0n]]));
    }
    expect(read.getMarketTotals().treasury).toBe(SILENT_TREASURY);
  });

  it("refuses a zero amount with ZERO_AMOUNT", () => {
    silentSeatJob();
    expectErr(withdrawTreasury(0, outsider), "ZERO_AMOUNT");
    expect(read.getMarketTotals().treasury).toBe(SILENT_TREASURY);
  });

  it("refuses more than the treasury with INSUFFICIENT_TREASURY, though the contract holds stakes and escrow", () => {
    expect(registerDataset(provider, 5_000_000n).result).toBeOk(Cl.uint(1));
    expect(stx(contractId)).toBe(5_000_000n);
    expectErr(withdrawTreasury(1, outsider), "INSUFFICIENT_TREASURY");

    silentSeatJob(provider2);
    expect(stx(contractId)).toBeGreaterThan(SILENT_TREASURY + 1n);
    const before = balances(outsider, contractId);
    expectErr(withdrawTreasury(SILENT_TREASURY + 1n, outsider), "INSUFFICIENT_TREASURY");
    expect(deltas(before)).toEqual(new Map([[outsider, 0n], [contractId, 0n]]));
    expect(read.getMarketTotals().treasury).toBe(SILENT_TREASURY);
  });

  it("refuses the contract itself as recipient with INVALID_RECIPIENT", () => {
    silentSeatJob();
    const before = balances(contractId);
    expectErr(withdrawTreasury(1_000n, contractId), "INVALID_RECIPIENT");
    expect(deltas(before)).toEqual(new Map([[contractId, 0n]]));
    expect(read.getMarketTotals().treasury).toBe(SILENT_TREASURY);
  });

  it("works while paused", () => {
    silentSeatJob();
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    const before = balances(outsider, contractId);
    expect(withdrawTreasury(SILENT_TREASURY, outsider).result).toBeOk(Cl.uint(SILENT_TREASURY));
    expect(deltas(before)).toEqual(new Map([[outsider, SILENT_TREASURY], [contractId, -SILENT_TREASURY]]));
    expect(read.getMarketTotals().treasury).toBe(0n);
  });
});

// ---------------------------------------------------------------------------
// sweep-surplus
// ---------------------------------------------------------------------------

/** A plain STX transfer to the contract, outside its functions. */
function sendToContract(amount: number | bigint, sender = outsider) {
  expect(simnet.transferSTX(amount, contractId, sender).result).toBeOk(Cl.bool(true));
}

describe("sweep-surplus", () => {
  it("books STX sent by plain transfers into the treasury: returns the amount, prints surplus-swept, moves no STX", () => {
    silentSeatJob(); // treasury 30,000
    sendToContract(12_000);
    sendToContract(345, bidder2);
    const totals = read.getMarketTotals();
    expect(totals.surplus).toBe(12_345n);
    expect(totals.treasury).toBe(SILENT_TREASURY);
    const before = balances(deployer, outsider, contractId);

    const r = sweepSurplus();
    expect(r.result).toBeOk(Cl.uint(12_345));
    expect(printEvents(r)).toEqual([{ event: "surplus-swept", amount: 12_345n, owner: deployer }]);
    expect(stxTransfers(r)).toEqual([]);
    expect(deltas(before)).toEqual(new Map([[deployer, 0n], [outsider, 0n], [contractId, 0n]]));
    expect(read.getMarketTotals()).toEqual({ ...totals, treasury: SILENT_TREASURY + 12_345n, surplus: 0n });
    expect(marketField("treasury")).toBe(SILENT_TREASURY + 12_345n);
  });

  it("refuses with ZERO_AMOUNT when there is no surplus: at deploy, with every bucket in use, and right after a sweep", () => {
    let r = sweepSurplus();
    expectErr(r, "ZERO_AMOUNT");
    expect(r.events).toEqual([]);
    expect(read.getMarketTotals()).toEqual(EMPTY_TOTALS);

    silentSeatJob(); // dataset 1, validator1's stake, a treasury
    expect(placeBid(bidder, 1).result).toBeOk(Cl.uint(2));
    expect(vote(validator1, 1, 2, 85).result).toBeOk(Cl.bool(true)); // fees left to claim
    expect(placeBid(bidder2, 1).result).toBeOk(Cl.uint(3)); // escrow
    const totals = read.getMarketTotals();
    for (const bucket of ["datasetStakes", "validatorStakes", "escrowedBids", "unclaimedRewards", "treasury"] as const) {
      expect(totals[bucket]).toBeGreaterThan(0n);
    }
    expect(totals.surplus).toBe(0n);
    r = sweepSurplus();
    expectErr(r, "ZERO_AMOUNT");
    expect(r.events).toEqual([]);
    expect(read.getMarketTotals()).toEqual(totals);

    sendToContract(1);
    expect(sweepSurplus().result).toBeOk(Cl.uint(1));
    expectErr(sweepSurplus(), "ZERO_AMOUNT");
    expect(read.getMarketTotals()).toEqual({ ...totals, treasury: totals.treasury + 1n });
  });

  it("refuses anyone but the owner with NOT_AUTHORIZED; the surplus stays untracked", () => {
    sendToContract(5_000);
    for (const who of [outsider, provider, validator1]) {
      const r = sweepSurplus(who);
      expectErr(r, "NOT_AUTHORIZED");
      expect(r.events).toEqual([]);
      expect(read.getMarketTotals()).toEqual({ ...EMPTY_TOTALS, surplus: 5_000n });
    }
    // the owner books it (the suite checks that no test leaves surplus behind)
    expect(sweepSurplus().result).toBeOk(Cl.uint(5_000));
    expect(read.getMarketTotals()).toEqual({ ...EMPTY_TOTALS, treasury: 5_000n });
  });

  it("withdraw-treasury cannot send surplus out before the sweep, and sends it out after", () => {
    sendToContract(50_000);
    expect(stx(contractId)).toBe(50_000n);
    expectErr(withdrawTreasury(1, provider2), "INSUFFICIENT_TREASURY");
    expect(sweepSurplus().result).toBeOk(Cl.uint(50_000));
    const before = balances(provider2, contractId);
    const r = withdrawTreasury(50_000n, provider2);
    expect(r.result).toBeOk(Cl.uint(50_000));
    expect(stxTransfers(r)).toEqual([{ sender: contractId, recipient: provider2, amount: 50_000n }]);
    expect(deltas(before)).toEqual(new Map([[provider2, 50_000n], [contractId, -50_000n]]));
    expect(read.getMarketTotals()).toEqual(EMPTY_TOTALS);
    expect(stx(contractId)).toBe(0n);
  });

  it("surplus is nobody's stake: it gives no voting power and does not count in the quorum base", () => {
    sendToContract(10_000_000);
    expect(read.getVotingPower(outsider)).toBe(0n);
    expectErr(proposeChange(outsider, "committee-size", 3), "BELOW_PROPOSAL_THRESHOLD");
    expect(registerDataset().result).toBeOk(Cl.uint(1));
    expect(proposeChange(provider, "committee-size", 3).result).toBeOk(Cl.uint(1));
    expect(read.getProposal(1)?.totalStake).toBe(DEFAULTS.minDatasetStake);
    expect(sweepSurplus().result).toBeOk(Cl.uint(10_000_000));
  });

  it("works while paused", () => {
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    sendToContract(7_000);
    expect(sweepSurplus().result).toBeOk(Cl.uint(7_000));
    expect(read.getMarketTotals()).toEqual({ ...EMPTY_TOTALS, treasury: 7_000n });
  });

  it("no contract call creates surplus: along a whole market lifecycle it stays 0 and there is nothing to sweep", () => {
    /** A call that must return (ok expected), after which the books still match the balance. */
    const step = (r: { result: ClarityValue }, expected: ClarityValue) => {
      expect(r.result).toBeOk(expected);
      expectSolvent();
    };
    for (const [who, stake] of THREE_VALIDATORS) step(registerValidator(who, stake), Cl.bool(true));
    step(registerDatasetWithTerms(provider, 2_000_000n, "ipfs://dataset-metadata", 0, 2), Cl.uint(1));
    step(addStake(provider, 1, 500_000n), Cl.uint(2_500_000));

    // job 1: rewarded by the committee; each seat claims its third of the 25,000 fees
    step(placeBid(bidder, 1), Cl.uint(1));
    for (const [who] of THREE_VALIDATORS) step(commit(who, 1, 80), Cl.bool(true));
    step(reveal(validator1, 1, 80), Cl.bool(false));
    step(reveal(validator2, 1, 80), Cl.bool(false));
    step(reveal(validator3, 1, 80), Cl.bool(true));
    step(claim(validator1, 1), Cl.uint(8_333));
    step(claim(validator2, 1), Cl.uint(8_333));
    step(claim(validator3, 1), Cl.uint(8_334));

    // job 2: declined by the provider
    step(placeBid(bidder2, 1, 400_000n), Cl.uint(2));
    step(declineJob(provider, 2), Cl.uint(400_000));

    // dataset 2: one job running, two queued; one cancelled, the dataset retired, the other expired
    step(registerDataset(provider2), Cl.uint(2));
    step(placeBid(bidder, 2), Cl.uint(3));
    step(placeBid(bidder2, 2, 400_000n, 100n, height() + 4_000n), Cl.uint(4));
    step(placeBid(bidder, 2, 300_000n, 100n, height() + 4_000n), Cl.uint(5));
    step(cancelBid(bidder2, 4), Cl.uint(400_000));
    step(retireDataset(provider2, 2), Cl.bool(true));
    step(expireBid(outsider, 5), Cl.uint(300_000));

    // job 3: slashed by the committee (50% of 1,000,000, less 25,000 fees, to the treasury)
    for (const [who] of THREE_VALIDATORS) step(commit(who, 3, 10), Cl.bool(true));
    step(reveal(validator1, 3, 10), Cl.bool(false));
    step(reveal(validator2, 3, 10), Cl.bool(false));
    step(reveal(validator3, 3, 10), Cl.bool(true));
    expect(read.getJobResult(3)).toMatchObject({ outcome: "SLASHED", slashedAmount: 500_000n });
    step(claim(validator1, 3), Cl.uint(8_333));

    // the treasury: job 1's 5,000 protocol fee and job 3's 475,000
    expect(read.getMarketTotals().treasury).toBe(480_000n);
    step(withdrawTreasury(480_000n, deployer), Cl.uint(480_000));

    // leaving: a validator claims its coherent seat (by the batch call), which frees it, and takes its stake back;
    // a provider takes its stake back
    step(call("claim-validation-rewards", [Cl.list([Cl.uint(3)])], validator3), Cl.uint(8_333));
    step(requestExit(validator3), Cl.uint(height() + DEFAULTS.validatorUnbondingBlocks));
    simnet.mineEmptyBlocks(Number(DEFAULTS.validatorUnbondingBlocks));
    step(withdrawValidator(validator3), Cl.uint(2_000_000));
    step(withdrawStake(provider, 1), Cl.uint(2_500_000));

    // governance moves no STX
    step(proposeChange(validator1, "committee-size", 3), Cl.uint(1));
    step(call("vote-on-proposal", [Cl.uint(1), Cl.bool(true)], validator1), Cl.uint(2_000_000));

    expect(read.getMarketTotals().surplus).toBe(0n);
    expectErr(sweepSurplus(), "ZERO_AMOUNT");
  });
});

// ---------------------------------------------------------------------------
// ERR_NOT_DIRECT_CALLER: an intermediary contract
// ---------------------------------------------------------------------------

const market = `'${contractId}`;

const PROXY_SOURCE = `
(define-public (register-dataset (stake uint) (uri (string-ascii 256)))
  (contract-call? ${market} register-dataset stake uri))
(define-public (add-dataset-stake (dataset-id uint) (amount uint))
  (contract-call? ${market} add-dataset-stake dataset-id amount))
(define-public (set-dataset-terms (dataset-id uint) (price uint) (capacity uint))
  (contract-call? ${market} set-dataset-terms dataset-id price capacity))
(define-public (withdraw-dataset-stake (dataset-id uint))
  (contract-call? ${market} withdraw-dataset-stake dataset-id))
(define-public (register-dataset-with-terms (stake uint) (uri (string-ascii 256)) (price uint) (capacity uint))
  (contract-call? ${market} register-dataset-with-terms stake uri price capacity))
(define-public (retire-dataset (dataset-id uint))
  (contract-call? ${market} retire-dataset dataset-id))
(define-public (decline-job (bid-id uint))
  (contract-call? ${market} decline-job bid-id))
(define-public (place-computation-bid (dataset-id uint) (amount uint) (duration uint) (deadline uint))
  (contract-call? ${market} place-computation-bid dataset-id amount duration deadline))
(define-public (place-training-bid (dataset-id uint) (amount uint) (duration uint) (deadline uint) (spec (buff 32)) (commitment (buff 32)))
  (contract-call? ${market} place-training-bid dataset-id amount duration deadline spec commitment))
(define-public (deliver-model (bid-id uint) (model (buff 32)))
  (contract-call? ${market} deliver-model bid-id model))
(define-public (reveal-evaluation-set (bid-id uint) (digest (buff 32)) (salt (buff 32)))
  (contract-call? ${market} reveal-evaluation-set bid-id digest salt))
(define-public (match-queued-bids (dataset-id uint))
  (contract-call? ${market} match-queued-bids dataset-id))
(define-public (cancel-bid (bid-id uint))
  (contract-call? ${market} cancel-bid bid-id))
(define-public (expire-bid (bid-id uint))
  (contract-call? ${market} expire-bid bid-id))
(define-public (register-validator (stake uint))
  (contract-call? ${market} register-validator stake))
(define-public (request-validator-exit)
  (contract-call? ${market} request-validator-exit))
(define-public (withdraw-validator-stake)
  (contract-call? ${market} withdraw-validator-stake))
(define-public (draw-committee (bid-id uint))
  (contract-call? ${market} draw-committee bid-id))
(define-public (commit-validation-result (bid-id uint) (commitment (buff 32)))
  (contract-call? ${market} commit-validation-result bid-id commitment))
(define-public (reveal-validation-result (bid-id uint) (score uint) (salt (buff 32)))
  (contract-call? ${market} reveal-validation-result bid-id score salt))
(define-public (submit-validation-result (dataset-id uint) (bid-id uint) (score uint))
  (contract-call? ${market} submit-validation-result dataset-id bid-id score))
(define-public (finalize-validation (bid-id uint))
  (contract-call? ${market} finalize-validation bid-id))
(define-public (claim-validation-reward (bid-id uint))
  (contract-call? ${market} claim-validation-reward bid-id))
(define-public (commit-validation-results (commits (list 25 { bid-id: uint, commitment: (buff 32) })))
  (contract-call? ${market} commit-validation-results commits))
(define-public (reveal-validation-results (reveals (list 25 { bid-id: uint, score: uint, salt: (buff 32) })))
  (contract-call? ${market} reveal-validation-results reveals))
(define-public (claim-validation-rewards (bid-ids (list 25 uint)))
  (contract-call? ${market} claim-validation-rewards bid-ids))
(define-public (set-paused (pause bool))
  (contract-call? ${market} set-paused pause))
(define-public (withdraw-treasury (amount uint) (recipient principal))
  (contract-call? ${market} withdraw-treasury amount recipient))
(define-public (sweep-surplus)
  (contract-call? ${market} sweep-surplus))
(define-public (propose-parameter-change (parameter (string-ascii 32)) (value uint))
  (contract-call? ${market} propose-parameter-change parameter value))
(define-public (vote-on-proposal (proposal-id uint) (support bool))
  (contract-call? ${market} vote-on-proposal proposal-id support))
(define-public (execute-proposal (proposal-id uint))
  (contract-call? ${market} execute-proposal proposal-id))

;; the proxy acting for itself: tx-sender = contract-caller = this contract
(define-public (register-dataset-as-self (stake uint))
  (as-contract? ((with-stx u1000000))
    (try! (contract-call? ${market} register-dataset stake "ipfs://proxy-dataset"))))
(define-public (withdraw-dataset-stake-as-self (dataset-id uint))
  (as-contract? ()
    (try! (contract-call? ${market} withdraw-dataset-stake dataset-id))))
`;

const proxyId = `${outsider}.proxy`;

function deployProxy() {
  const r = simnet.deployContract("proxy", PROXY_SOURCE, { clarityVersion: 4 }, outsider);
  expect(r.result).toBeBool(true);
}

type Case = {
  fn: string;
  who: string;
  setup: () => void;
  args: () => ClarityValue[];
  ok: () => ClarityValue;
};

const bidDeadline = () => Cl.uint(height() + 150n);

/** Every state-changing public function, with a setup in which the direct call succeeds. */
const CASES: Case[] = [
  {
    fn: "register-dataset",
    who: provider,
    setup: () => {},
    args: () => [Cl.uint(1_000_000), Cl.stringAscii("ipfs://dataset-metadata")],
    ok: () => Cl.uint(1),
  },
  {
    fn: "add-dataset-stake",
    who: provider,
    setup: () => expect(registerDataset().result).toBeOk(Cl.uint(1)),
    args: () => [Cl.uint(1), Cl.uint(500_000)],
    ok: () => Cl.uint(1_500_000),
  },
  {
    fn: "set-dataset-terms",
    who: provider,
    setup: () => expect(registerDataset().result).toBeOk(Cl.uint(1)),
    args: () => [Cl.uint(1), Cl.uint(10), Cl.uint(2)],
    ok: () => Cl.bool(true),
  },
  {
    fn: "withdraw-dataset-stake",
    who: provider,
    setup: () => expect(registerDataset().result).toBeOk(Cl.uint(1)),
    args: () => [Cl.uint(1)],
    ok: () => Cl.uint(1_000_000),
  },
  {
    fn: "register-dataset-with-terms",
    who: provider,
    setup: () => {},
    args: () => [Cl.uint(1_000_000), Cl.stringAscii("ipfs://dataset-metadata"), Cl.uint(10), Cl.uint(2)],
    ok: () => Cl.uint(1),
  },
  {
    fn: "retire-dataset",
    who: provider,
    setup: () => expect(registerDataset().result).toBeOk(Cl.uint(1)),
    args: () => [Cl.uint(1)],
    ok: () => Cl.bool(true),
  },
  {
    fn: "place-computation-bid",
    who: bidder,
    setup: () => expect(registerDataset().result).toBeOk(Cl.uint(1)),
    args: () => [Cl.uint(1), Cl.uint(500_000), Cl.uint(100), bidDeadline()],
    ok: () => Cl.uint(1),
  },
  {
    fn: "place-training-bid",
    who: bidder,
    setup: () => expect(registerDataset().result).toBeOk(Cl.uint(1)),
    args: () => [Cl.uint(1), Cl.uint(500_000), Cl.uint(100), bidDeadline(), Cl.buffer(SPEC), Cl.buffer(EVAL_COMMITMENT)],
    ok: () => Cl.uint(1),
  },
  {
    fn: "deliver-model",
    who: provider,
    setup: () => {
      expect(registerDataset().result).toBeOk(Cl.uint(1));
      expect(trainingBid(bidder, 1).result).toBeOk(Cl.uint(1));
    },
    args: () => [Cl.uint(1), Cl.buffer(MODEL)],
    // the dataset asks 0 per block: a compute fee of 0 is delivered for 0
    ok: () => Cl.uint(0),
  },
  {
    fn: "reveal-evaluation-set",
    who: bidder,
    setup: () => {
      expect(registerDataset().result).toBeOk(Cl.uint(1));
      expect(trainingBid(bidder, 1).result).toBeOk(Cl.uint(1));
      expect(deliver(provider, 1).result).toBeOk(Cl.uint(0));
    },
    args: () => [Cl.uint(1), Cl.buffer(EVAL_DIGEST), Cl.buffer(EVAL_SALT)],
    ok: () => Cl.uint(height() + DEFAULTS.validationWindow),
  },
  {
    fn: "match-queued-bids",
    who: outsider,
    setup: () => matchedAndQueued(),
    args: () => [Cl.uint(1)],
    ok: () => Cl.uint(1),
  },
  {
    fn: "cancel-bid",
    who: bidder2,
    setup: () => matchedAndQueued(),
    args: () => [Cl.uint(2)],
    ok: () => Cl.uint(400_000),
  },
  {
    fn: "expire-bid",
    who: outsider,
    setup: () => {
      const { bidId } = matchedJob();
      mineUntil((read.getBid(bidId)?.deadline as bigint) + REVEAL_CLOSES + 1n);
    },
    args: () => [Cl.uint(1)],
    ok: () => Cl.uint(500_000),
  },
  {
    fn: "decline-job",
    who: provider,
    setup: () => void matchedJob(),
    args: () => [Cl.uint(1)],
    ok: () => Cl.uint(500_000),
  },
  {
    fn: "register-validator",
    who: validator1,
    setup: () => {},
    args: () => [Cl.uint(1_000_000)],
    ok: () => Cl.bool(true),
  },
  {
    fn: "request-validator-exit",
    who: validator1,
    setup: () => expect(registerValidator(validator1).result).toBeOk(Cl.bool(true)),
    args: () => [],
    ok: () => Cl.uint(height() + DEFAULTS.validatorUnbondingBlocks),
  },
  {
    fn: "withdraw-validator-stake",
    who: validator1,
    setup: () => {
      expect(registerValidator(validator1).result).toBeOk(Cl.bool(true));
      expect(requestExit(validator1).result).toBeOk(
        Cl.uint(height() + DEFAULTS.validatorUnbondingBlocks),
      );
      simnet.mineEmptyBlocks(Number(DEFAULTS.validatorUnbondingBlocks));
    },
    args: () => [],
    ok: () => Cl.uint(1_000_000),
  },
  {
    fn: "draw-committee",
    who: outsider,
    setup: () => {
      // six validators at the match, more than committee-size: the committee is drawn from a later
      // seed, which exists decline-window + 1 = 7 blocks after the match
      matchedJob(SIX_VALIDATORS);
      simnet.mineEmptyBlocks(Number(DEFAULTS.declineWindow) + 1);
    },
    args: () => [Cl.uint(1)],
    // called after the direct call (the argument of toBeOk): the five seats it stored
    ok: () => {
      const seats = seatsOf(1);
      expect(seats).toHaveLength(5);
      return Cl.list(seats.map((v) => Cl.principal(v)));
    },
  },
  {
    fn: "commit-validation-result",
    who: validator1,
    setup: () => void matchedJob(THREE_VALIDATORS),
    args: () => [Cl.uint(1), commitmentFor(validator1, 1, 80)],
    ok: () => Cl.bool(true),
  },
  {
    fn: "reveal-validation-result",
    who: validator1,
    setup: () => {
      matchedJob(THREE_VALIDATORS);
      for (const who of [validator1, validator2, validator3]) expect(commit(who, 1, 80).result).toBeOk(Cl.bool(true));
    },
    args: () => [Cl.uint(1), Cl.uint(80), Cl.buffer(saltFor(validator1, 1))],
    ok: () => Cl.bool(false),
  },
  {
    fn: "submit-validation-result",
    who: validator1,
    setup: () => void matchedJob(),
    args: () => [Cl.uint(1), Cl.uint(1), Cl.uint(85)],
    ok: () => Cl.bool(true),
  },
  {
    fn: "finalize-validation",
    who: outsider,
    setup: () => {
      const { bidId } = matchedJob();
      mineUntil((read.getBid(bidId)?.deadline as bigint) + REVEAL_CLOSES + 1n);
    },
    args: () => [Cl.uint(1)],
    ok: () => Cl.uint(OUTCOME.NO_QUORUM),
  },
  {
    fn: "claim-validation-reward",
    who: validator1,
    setup: () => void finalizedJob(85),
    args: () => [Cl.uint(1)],
    ok: () => Cl.uint(25_000),
  },
  {
    fn: "commit-validation-results",
    who: validator1,
    setup: () => void matchedJob(THREE_VALIDATORS),
    args: () => [Cl.list([Cl.tuple({ "bid-id": Cl.uint(1), commitment: commitmentFor(validator1, 1, 80) })])],
    ok: () => Cl.uint(1),
  },
  {
    fn: "reveal-validation-results",
    who: validator1,
    setup: () => {
      matchedJob(THREE_VALIDATORS);
      for (const who of [validator1, validator2, validator3]) expect(commit(who, 1, 80).result).toBeOk(Cl.bool(true));
    },
    args: () => [Cl.list([Cl.tuple({ "bid-id": Cl.uint(1), score: Cl.uint(80), salt: Cl.buffer(saltFor(validator1, 1)) })])],
    ok: () => Cl.tuple({ revealed: Cl.uint(1), finalized: Cl.uint(0) }),
  },
  {
    fn: "claim-validation-rewards",
    who: validator1,
    setup: () => void finalizedJob(85),
    args: () => [Cl.list([Cl.uint(1)])],
    ok: () => Cl.uint(25_000),
  },
  {
    fn: "set-paused",
    who: deployer,
    setup: () => {},
    args: () => [Cl.bool(true)],
    ok: () => Cl.bool(true),
  },
  {
    fn: "withdraw-treasury",
    who: deployer,
    setup: () => void silentSeatJob(),
    args: () => [Cl.uint(SILENT_TREASURY), Cl.principal(deployer)],
    ok: () => Cl.uint(SILENT_TREASURY),
  },
  {
    fn: "sweep-surplus",
    who: deployer,
    setup: () => expect(simnet.transferSTX(1_000, contractId, outsider).result).toBeOk(Cl.bool(true)),
    args: () => [],
    ok: () => Cl.uint(1_000),
  },
  {
    fn: "propose-parameter-change",
    who: provider,
    // the provider's 1,000,000 dataset stake reaches proposal-threshold
    setup: () => expect(registerDataset().result).toBeOk(Cl.uint(1)),
    args: () => [Cl.stringAscii("committee-size"), Cl.uint(3)],
    ok: () => Cl.uint(1),
  },
  {
    fn: "vote-on-proposal",
    who: provider,
    setup: () => {
      expect(registerDataset().result).toBeOk(Cl.uint(1));
      expect(proposeChange(provider, "committee-size", 3).result).toBeOk(Cl.uint(1));
    },
    args: () => [Cl.uint(1), Cl.bool(true)],
    ok: () => Cl.uint(DEFAULTS.minDatasetStake),
  },
  {
    fn: "execute-proposal",
    who: outsider,
    setup: () => {
      expect(registerDataset().result).toBeOk(Cl.uint(1));
      expect(proposeChange(provider, "committee-size", 3).result).toBeOk(Cl.uint(1));
      expect(call("vote-on-proposal", [Cl.uint(1), Cl.bool(true)], provider).result).toBeOk(Cl.uint(DEFAULTS.minDatasetStake));
      mineUntil(read.getProposal(1)?.executableAt as bigint);
    },
    args: () => [Cl.uint(1)],
    ok: () => Cl.uint(2),
  },
];

describe("NOT_DIRECT_CALLER (intermediary contracts)", () => {
  beforeEach(() => deployProxy());

  it("the proxy forwards every state-changing public function of the market (32)", () => {
    const iface = simnet.getContractsInterfaces().get(contractId);
    const publicFns = iface?.functions.filter((f) => f.access === "public").map((f) => f.name).sort();
    expect(publicFns).toHaveLength(32);
    expect(publicFns).toEqual(CASES.map((c) => c.fn).sort());
  });

  it.each(CASES)("$fn refuses a call through the proxy (u101) and accepts the same call made directly", (c) => {
    c.setup();
    const args = c.args();
    const before = balances(c.who, proxyId, contractId);
    const totals = read.getMarketTotals();

    const viaProxy = simnet.callPublicFn(proxyId, c.fn, args, c.who);
    expectErr(viaProxy, "NOT_DIRECT_CALLER");
    expect(viaProxy.events).toEqual([]);
    expect(deltas(before)).toEqual(new Map([[c.who, 0n], [proxyId, 0n], [contractId, 0n]]));
    expect(read.getMarketTotals()).toEqual(totals);

    expect(call(c.fn, args, c.who).result).toBeOk(c.ok());
  });

  it("a contract acting for itself (tx-sender = contract-caller = the proxy) may register and withdraw a dataset", () => {
    expect(simnet.transferSTX(3_000_000, proxyId, outsider).result).toBeOk(Cl.bool(true));
    const before = balances(proxyId, outsider, contractId);

    const registered = simnet.callPublicFn(proxyId, "register-dataset-as-self", [Cl.uint(1_000_000)], outsider);
    expect(registered.result).toBeOk(Cl.uint(1));
    expect(stxTransfers(registered)).toEqual([{ sender: proxyId, recipient: contractId, amount: 1_000_000n }]);
    expect(printEvents(registered)).toEqual([
      {
        event: "dataset-registered",
        "dataset-id": 1n,
        provider: proxyId,
        stake: 1_000_000n,
        "metadata-uri": "ipfs://proxy-dataset",
        "price-per-block": 0n,
        "max-concurrent-jobs": 1n,
      },
    ]);
    expect(deltas(before)).toEqual(new Map([[proxyId, -1_000_000n], [outsider, 0n], [contractId, 1_000_000n]]));
    expect(read.getDataset(1)).toMatchObject({ provider: proxyId, stake: 1_000_000n, active: true });
    expectSolvent();

    // the proxy is the provider: the outsider calling directly is not
    expectErr(withdrawStake(outsider, 1), "NOT_DATASET_PROVIDER");
    const withdrawn = simnet.callPublicFn(proxyId, "withdraw-dataset-stake-as-self", [Cl.uint(1)], outsider);
    expect(withdrawn.result).toBeOk(Cl.uint(1_000_000));
    expect(deltas(before)).toEqual(new Map([[proxyId, 0n], [outsider, 0n], [contractId, 0n]]));
    expect(read.getDataset(1)).toMatchObject({ active: false, stake: 0n });
  });

  it("the proxy's as-contract? allowance caps what the market may take from it", () => {
    expect(simnet.transferSTX(3_000_000, proxyId, outsider).result).toBeOk(Cl.bool(true));
    const before = balances(proxyId, contractId);
    // 2,000,000 exceeds the proxy's u1000000 with-stx allowance: the whole call aborts
    const r = simnet.callPublicFn(proxyId, "register-dataset-as-self", [Cl.uint(2_000_000)], outsider);
    expect(r.result).toBeErr(Cl.uint(0));
    expect(deltas(before)).toEqual(new Map([[proxyId, 0n], [contractId, 0n]]));
    expect(read.getDataset(1)).toBeNull();
  });
});

// ---------------------------------------------------------------------------
// Read-only views
// ---------------------------------------------------------------------------

describe("read-only views", () => {
  it("get-parameters returns the defaults, version 1, also recorded as get-parameters-at u1", () => {
    const expected = { version: 1n, ...DEFAULTS };
    expect(read.getParameters()).toEqual(expected);
    expect(read.getParametersAt(1)).toEqual(expected);
    expect(read.getParametersAt(2)).toBeNull();
  });

  it("get-market-totals: the five buckets, and surplus = balance - their sum (0 unless STX arrive by a plain transfer)", () => {
    expect(read.getMarketTotals()).toEqual(EMPTY_TOTALS);
    expect(registerDataset(provider, 2_000_000n).result).toBeOk(Cl.uint(1));
    expect(read.getMarketTotals()).toEqual({ ...EMPTY_TOTALS, datasetStakes: 2_000_000n });
    sendToContract(7);
    expect(stx(contractId)).toBe(2_000_007n);
    expect(read.getMarketTotals()).toEqual({ ...EMPTY_TOTALS, datasetStakes: 2_000_000n, surplus: 7n });
    expect(sweepSurplus().result).toBeOk(Cl.uint(7));
    expect(read.getMarketTotals()).toEqual({ ...EMPTY_TOTALS, datasetStakes: 2_000_000n, treasury: 7n });
  });

  it("get-contract-owner is the deployer", () => {
    expect(readOnly("get-contract-owner")).toBePrincipal(deployer);
  });

  it("is-paused is false at deploy and follows set-paused", () => {
    expect(isPaused()).toBeBool(false);
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    expect(isPaused()).toBeBool(true);
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    expect(isPaused()).toBeBool(true);
    expect(setPaused(false).result).toBeOk(Cl.bool(true));
    expect(isPaused()).toBeBool(false);
  });

  it("get-last-ids starts at zero and counts only successful registrations, bids and proposals", () => {
    expect(read.getLastIds()).toEqual({ datasetId: 0n, bidId: 0n, proposalId: 0n });
    expect(registerDataset().result).toBeOk(Cl.uint(1));
    expectErr(registerDataset(provider, 1n), "STAKE_TOO_LOW");
    expect(registerDataset(bidder2).result).toBeOk(Cl.uint(2));
    expect(placeBid(bidder, 1).result).toBeOk(Cl.uint(1));
    expectErr(placeBid(bidder, 2, 1n), "BID_TOO_LOW");
    expect(proposeChange(provider, "committee-size", 3).result).toBeOk(Cl.uint(1));
    expectErr(proposeChange(provider, "committee-size", 11), "VALUE_OUT_OF_RANGE");
    expectErr(proposeChange(outsider, "committee-size", 3), "BELOW_PROPOSAL_THRESHOLD");
    expect(read.getLastIds()).toEqual({ datasetId: 2n, bidId: 1n, proposalId: 1n });
  });
});
