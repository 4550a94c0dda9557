import { Cl } from "@stacks/transactions";
import { getAddressFromPrivateKey, randomPrivateKey } from "@stacks/transactions";
import { describe, expect, it } from "vitest";
import { drawSeats } from "../src/client/committee.ts";
import {
  DEFAULTS,
  addStake,
  balances,
  bidder,
  bidder2,
  call,
  claim,
  commit,
  commitmentFor,
  contractId,
  declineJob,
  deltas,
  deployer,
  drawCommittee,
  expectErr,
  expectSolvent,
  expireBid,
  finalizeValidation,
  height,
  matchedJob,
  mineUntil,
  outsider,
  placeBid,
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
  seatsOf,
  setPaused,
  stx,
  sweepSurplus,
  validator1,
  validator2,
  validator3,
  vote,
  withdrawStake,
  withdrawTreasury,
  withdrawValidator,
} from "./helpers.ts";

/**
 * One regression test per attack of the independent audit: each reproduces the attack step by
 * step, shows that it now fails, and checks the exact balances. The per-function suites test the
 * rules one by one; this file keeps the attacks themselves.
 */

const MAX_UINT = 2n ** 128n - 1n;
const STX = 1_000_000n;
const BPS = 10_000n;

function propose(who: string, parameter: string, value: bigint) {
  return call("propose-parameter-change", [Cl.stringAscii(parameter), Cl.uint(value)], who);
}
function voteOn(who: string, proposalId: number | bigint, support: boolean) {
  return call("vote-on-proposal", [Cl.uint(proposalId), Cl.bool(support)], who);
}
function execute(who: string, proposalId: number | bigint) {
  return call("execute-proposal", [Cl.uint(proposalId)], who);
}

/** A fresh principal holding `amount` micro-STX (a sybil). */
function fundedSybil(amount: bigint): string {
  const address = getAddressFromPrivateKey(randomPrivateKey(), "testnet");
  simnet.transferSTX(amount, address, deployer);
  return address;
}

/** Every seat's penalty of `bps` applied `times` times in a row to `stake`, summed (integer division each time). */
function compoundedPenalties(stake: bigint, bps: bigint, times: number): bigint {
  let left = stake;
  let total = 0n;
  for (let i = 0; i < times; i++) {
    const penalty = (left * bps) / BPS;
    total += penalty;
    left -= penalty;
  }
  return total;
}

describe("attack 1: a far deadline freezes everyone", () => {
  it("a 0.1 STX bid with the largest uint as deadline is refused with DEADLINE_TOO_FAR, and nothing moves", () => {
    registerValidator(validator1);
    registerDataset();
    const before = balances(bidder, contractId);
    expectErr(call("place-computation-bid", [Cl.uint(1), Cl.uint(100_000), Cl.uint(100), Cl.uint(MAX_UINT)], bidder), "DEADLINE_TOO_FAR");
    expect([...deltas(before).values()]).toEqual([0n, 0n]);
    // get-validation-windows of the refused bid cannot abort: there is no bid
    expect(read.getValidationWindows(1)).toBeNull();
  });

  it("a deadline 10^12 blocks away is refused; the furthest deadline allowed is now + duration + max-bid-wait", () => {
    registerValidator(validator1);
    registerDataset();
    const furthest = height() + 100n + DEFAULTS.maxBidWait;
    expectErr(placeBid(bidder, 1, 100_000n, 100n, height() + 10n ** 12n), "DEADLINE_TOO_FAR");
    expectErr(placeBid(bidder, 1, 100_000n, 100n, furthest + 1n), "DEADLINE_TOO_FAR");
    expect(placeBid(bidder, 1, 100_000n, 100n, furthest).result).toBeOk(Cl.uint(1));
  });

  it("the furthest job with a silent seat still ends: after its end the bidder is refunded and the validator and provider leave", () => {
    registerValidator(validator1);
    registerDataset();
    const deadline = height() + 100n + DEFAULTS.maxBidWait;
    expect(placeBid(bidder, 1, 100_000n, 100n, deadline).result).toBeOk(Cl.uint(1));
    expect(seatsOf(1)).toEqual([validator1]);
    // the absolute end: deadline + validation-window + reveal-window, no overflow
    const end = read.getValidationWindows(1)!.revealClosesAt;
    expect(end).toBe(deadline + DEFAULTS.validationWindow + DEFAULTS.revealWindow);
    const unbondedAt = height() + DEFAULTS.validatorUnbondingBlocks;
    expect(requestExit(validator1).result).toBeOk(Cl.uint(unbondedAt));
    // unbonded, but its seat answers for its vote until the job settles
    mineUntil(unbondedAt);
    expectErr(withdrawValidator(validator1), "VALIDATOR_SEATED");

    mineUntil(end + 1n);
    const before = balances(bidder, validator1, provider, contractId);
    expect(finalizeValidation(outsider, 1).result).toBeOk(Cl.uint(4)); // no quorum: refunded
    const silence = (DEFAULTS.minValidatorStake * DEFAULTS.validatorPenaltyBps) / BPS;
    expect(withdrawValidator(validator1).result).toBeOk(Cl.uint(DEFAULTS.minValidatorStake - silence));
    // unvalidated dataset: its stake waits stake-lock-blocks after the job settled, then leaves
    expectErr(withdrawStake(provider, 1), "STAKE_LOCKED");
    mineUntil(height() + DEFAULTS.stakeLockBlocks + 1n);
    expect(withdrawStake(provider, 1).result).toBeOk(Cl.uint(DEFAULTS.minDatasetStake));
    const moved = deltas(before);
    expect(moved.get(bidder)).toBe(100_000n);
    expect(moved.get(validator1)).toBe(DEFAULTS.minValidatorStake - silence);
    expect(moved.get(provider)).toBe(DEFAULTS.minDatasetStake);
    // what is left in the contract is the silent seat's penalty, in the treasury
    expect(stx(contractId)).toBe(silence);
    expect(read.getMarketTotals().treasury).toBe(silence);
    expectSolvent();
  });
});

describe("attack 2: a validator can be kept from ever leaving", () => {
  it("a self-dealt job seating an honest validator next to a silent sybil cannot stop its exit; it gets no new seats and leaves at the job's end", () => {
    // provider and bidder are one party; validator2 is its silent sybil; validator1 is honest
    registerValidator(validator1);
    registerValidator(validator2);
    expect(registerDatasetWithTerms(provider, DEFAULTS.minDatasetStake, "ipfs://dataset-metadata", 0, 5).result).toBeOk(Cl.uint(1));
    expect(placeBid(bidder, 1, 100_000n).result).toBeOk(Cl.uint(1));
    expect(seatsOf(1)).toEqual([validator1, validator2]);

    // the exit request succeeds at once although validator1 is seated (it used to be refused)
    const requestedAt = height();
    expect(requestExit(validator1).result).toBeOk(Cl.uint(requestedAt + DEFAULTS.validatorUnbondingBlocks));
    expect(read.getValidator(validator1)).toMatchObject({ active: false, openSeats: 1n });
    // the next cheap sybil job seats only the sybil validator
    expect(placeBid(bidder, 1, 100_000n).result).toBeOk(Cl.uint(2));
    expect(seatsOf(2)).toEqual([validator2]);

    // validator1 still serves its seat; the sybil stays silent
    expect(commit(validator1, 1, 80).result).toBeOk(Cl.bool(true));
    mineUntil(requestedAt + DEFAULTS.validatorUnbondingBlocks);
    expectErr(withdrawValidator(validator1), "VALIDATOR_SEATED");
    const { commitClosesAt: commitClose, revealClosesAt: end } = read.getValidationWindows(1)!;
    mineUntil(commitClose + 1n);
    expect(reveal(validator1, 1, 80).result).toBeOk(Cl.bool(false));
    mineUntil(end + 1n);
    const before = balances(validator1, bidder);
    // one reveal of two seats: no result, the bidder is refunded, the honest revealer keeps its stake
    expect(finalizeValidation(outsider, 1).result).toBeOk(Cl.uint(4));
    expect(withdrawValidator(validator1).result).toBeOk(Cl.uint(DEFAULTS.minValidatorStake));
    const moved = deltas(before);
    expect(moved.get(validator1)).toBe(DEFAULTS.minValidatorStake);
    expect(moved.get(bidder)).toBe(100_000n);
    expect(read.getValidator(validator1)).toBeNull();
    expectSolvent();
  });
});

describe("attack 3: committee grinding and late joiners", () => {
  it("20 sybils registered after the seed is public win no seat and take none away: the draw is the one without them", () => {
    const early = [deployer, validator1, validator2, validator3, provider2, bidder2];
    for (const who of early) expect(registerValidator(who).result).toBeOk(Cl.bool(true));
    registerDataset();
    expect(placeBid(bidder, 1).result).toBeOk(Cl.uint(1));
    expect(read.getBid(1)).toMatchObject({ validatorsAtMatch: 6n, registrationsAtMatch: 6n });
    expectErr(drawCommittee(outsider, 1), "SEED_NOT_READY");
    // the seed comes from the Bitcoin block after the decline window
    mineUntil(height() + DEFAULTS.declineWindow + 1n);
    const seed = read.getCommitteeSeed(1);
    expect(seed).not.toBeNull();

    // the attacker reads the seed, then registers 20 sybils at the minimum stake
    const sybils = Array.from({ length: 20 }, () => fundedSybil(2n * STX));
    for (const sybil of sybils) expect(registerValidator(sybil).result).toBeOk(Cl.bool(true));
    expect(read.getValidator(sybils[19])?.ordinal).toBe(26n);

    expect(drawCommittee(outsider, 1).result.type).toBe(Cl.ok(Cl.bool(true)).type);
    const seats = seatsOf(1);
    expect(seats).toHaveLength(5);
    for (const seat of seats) expect(sybils).not.toContain(seat);
    // exactly the committee the market of the match draws (indices 0..5 hold the early six)
    const expected = drawSeats({
      bidId: 1n,
      seed: Buffer.from(seed as string, "hex"),
      validatorsAtMatch: 6,
      registrationsAtMatch: 6n,
      committeeSize: 5,
      provider,
      bidder,
      entryAt: (i) => (i < 6 ? { validator: read.getValidatorAt(i) as string, ordinal: BigInt(i + 1) } : null),
    });
    expect(seats).toEqual(expected);
    expect(early.slice(0, 6).map((_, i) => read.getValidatorAt(i))).toEqual(early);
  });

  it("when nobody could sit at the match, whoever registers later never becomes the judge: the job is refunded at its end", () => {
    registerDataset();
    expect(placeBid(bidder, 1, 500_000n).result).toBeOk(Cl.uint(1));
    expect(read.getBid(1)).toMatchObject({ status: "MATCHED", validatorsAtMatch: 0n });
    expect(registerValidator(validator1).result).toBeOk(Cl.bool(true));
    expectErr(drawCommittee(outsider, 1), "NO_ELIGIBLE_VALIDATORS");
    expectErr(vote(validator1, 1, 1, 0), "NO_ELIGIBLE_VALIDATORS");
    expect(read.getCommittee(1)).toBeNull();
    mineUntil(read.getValidationWindows(1)!.revealClosesAt + 1n);
    const before = balances(bidder, provider);
    expect(expireBid(outsider, 1).result).toBeOk(Cl.uint(500_000));
    expect(deltas(before).get(bidder)).toBe(500_000n);
    expect(read.getDataset(1)?.stake).toBe(DEFAULTS.minDatasetStake);
    expectSolvent();
  });

  it("in a small market, a validator registered in the same block after the match is not seated", () => {
    registerValidator(validator1);
    registerDataset();
    expect(placeBid(bidder, 1).result).toBeOk(Cl.uint(1));
    registerValidator(validator2);
    expect(seatsOf(1)).toEqual([validator1]);
    expectErr(vote(validator2, 1, 1, 0), "NOT_ON_COMMITTEE");
  });
});

describe("review finding: a provider redraws committees by declining", () => {
  it("no committee of a larger market can be known, drawn or voted on while its provider may still decline", () => {
    for (const who of [deployer, validator1, validator2, validator3, provider2, bidder2]) registerValidator(who);
    registerDataset();
    expect(placeBid(bidder, 1).result).toBeOk(Cl.uint(1));
    const matchedAt = read.getBid(1)?.matchedAt as bigint;
    // through the last block of the decline window the seed does not exist
    mineUntil(matchedAt + DEFAULTS.declineWindow);
    expect(read.getCommitteeSeed(1)).toBeNull();
    expectErr(drawCommittee(provider, 1), "SEED_NOT_READY");
    expectErr(commit(validator1, 1, 80), "SEED_NOT_READY");
    // so the provider declines blind, or not at all
    const before = balances(bidder);
    expect(declineJob(provider, 1).result).toBeOk(Cl.uint(500_000));
    expect(deltas(before).get(bidder)).toBe(500_000n);
    // a declined job does not count as a match: the idle stake leaves at once
    expect(read.getDataset(1)).toMatchObject({ matchedJobs: 0n, lastSettledAt: 0n });
    expect(withdrawStake(provider, 1).result).toBeOk(Cl.uint(DEFAULTS.minDatasetStake));
    expectSolvent();
  });

  it("once the seed exists the decline window is closed", () => {
    for (const who of [deployer, validator1, validator2, validator3, provider2, bidder2]) registerValidator(who);
    registerDataset();
    expect(placeBid(bidder, 1).result).toBeOk(Cl.uint(1));
    mineUntil((read.getBid(1)?.matchedAt as bigint) + DEFAULTS.declineWindow + 1n);
    expect(read.getCommitteeSeed(1)).not.toBeNull();
    expectErr(declineJob(provider, 1), "DECLINE_CLOSED");
    expect(drawCommittee(outsider, 1).result.type).toBe(Cl.ok(Cl.bool(true)).type);
    expect(seatsOf(1)).toHaveLength(5);
  });
});

describe("attack 4: flash stake in governance", () => {
  it("stake deposited at the last voting block counts for nothing on the proposal: the 90% protocol fee is rejected", () => {
    // honest stakeholders: 10 STX; the attacker: 1 STX, enough to propose
    expect(registerDataset(provider2, 10n * STX).result).toBeOk(Cl.uint(1));
    expect(registerDataset(bidder2, STX).result).toBeOk(Cl.uint(2));
    expect(propose(bidder2, "protocol-fee-bps", 9000n).result).toBeOk(Cl.uint(1));
    expect(voteOn(provider2, 1, false).result).toBeOk(Cl.uint(10n * STX));
    mineUntil(read.getProposal(1)!.votingEndsAt);
    // the flash deposit: 100 STX as a new dataset, then a yes vote, in the last voting block
    expect(registerDataset(bidder2, 100n * STX).result).toBeOk(Cl.uint(3));
    expect(readOnly("get-voting-power", [Cl.principal(bidder2)])).toBeUint(101n * STX);
    expect(readOnly("get-proposal-voting-power", [Cl.uint(1), Cl.principal(bidder2)])).toBeUint(STX);
    expect(voteOn(bidder2, 1, true).result).toBeOk(Cl.uint(STX));
    // a validator registered after the proposal weighs nothing on it either
    expect(registerValidator(outsider, 50n * STX).result).toBeOk(Cl.bool(true));
    expectErr(voteOn(outsider, 1, true), "NO_VOTING_POWER");
    mineUntil(read.getProposal(1)!.executableAt);
    expectErr(execute(outsider, 1), "PROPOSAL_REJECTED");
    expect(read.getParameters().protocolFeeBps).toBe(DEFAULTS.protocolFeeBps);
  });
});

describe("attack 5: a third of a committee forces a slash", () => {
  it("one third of the stake voting 10 with an honest seat silent no longer slashes: the bidder is refunded and the honest revealer keeps its stake", () => {
    // validator1 attacks, validator2 is honest, validator3 is honest but offline
    matchedJob([
      [validator1, STX],
      [validator2, STX],
      [validator3, STX],
    ]);
    expect(read.getCommittee(1)).toMatchObject({ totalWeight: 3n * STX });
    expect(commit(validator1, 1, 10).result).toBeOk(Cl.bool(true));
    expect(commit(validator2, 1, 80).result).toBeOk(Cl.bool(true));
    const { commitClosesAt: commitClose, revealClosesAt: end } = read.getValidationWindows(1)!;
    mineUntil(commitClose + 1n);
    expect(reveal(validator1, 1, 10).result).toBeOk(Cl.bool(false));
    expect(reveal(validator2, 1, 80).result).toBeOk(Cl.bool(false));
    mineUntil(end + 1n);
    const before = balances(bidder, provider, validator1, validator2, validator3, contractId);
    const treasuryBefore = read.getMarketTotals().treasury;
    // the lower median is 10, but 1/3 of the committee's weight is no majority: no result
    expect(finalizeValidation(outsider, 1).result).toBeOk(Cl.uint(5));
    expect(read.getBid(1)?.status).toBe("EXPIRED");
    expect(read.getJobResult(1)).toBeNull();
    expect(read.getDataset(1)).toMatchObject({ stake: DEFAULTS.minDatasetStake, validations: 0n });
    expect(read.getValidator(validator1)?.stake).toBe(STX);
    expect(read.getValidator(validator2)?.stake).toBe(STX); // the honest revealer is not the attacker's prey
    const silence = (STX * DEFAULTS.validatorPenaltyBps) / BPS;
    expect(read.getValidator(validator3)?.stake).toBe(STX - silence);
    const moved = deltas(before);
    expect(moved.get(bidder)).toBe(500_000n);
    expect(moved.get(provider)).toBe(0n);
    expect(moved.get(contractId)).toBe(-500_000n);
    expect(read.getMarketTotals().treasury - treasuryBefore).toBe(silence);
    expectErr(claim(validator1, 1), "JOB_NOT_FINALIZED");
    expectSolvent();
  });

  it("a tie never slashes: half of the committee's weight below 40 is not a majority", () => {
    matchedJob([
      [validator1, STX],
      [validator2, STX],
    ]);
    expect(commit(validator1, 1, 10).result).toBeOk(Cl.bool(true));
    expect(commit(validator2, 1, 90).result).toBeOk(Cl.bool(true));
    expect(reveal(validator1, 1, 10).result).toBeOk(Cl.bool(false));
    // the last reveal settles the job, without a result
    expect(reveal(validator2, 1, 90).result).toBeOk(Cl.bool(true));
    expect(read.getBid(1)?.status).toBe("EXPIRED");
    expect(read.getDataset(1)?.stake).toBe(DEFAULTS.minDatasetStake);
    expectSolvent();
  });
});

describe("attack 6: price-0 sniping", () => {
  it("a dataset registered with its terms refuses the sniper's 0.1 STX bid for a month of training at once", () => {
    expect(registerDatasetWithTerms(provider, DEFAULTS.minDatasetStake, "ipfs://dataset-metadata", 1000, 1).result).toBeOk(Cl.uint(1));
    expectErr(placeBid(bidder, 1, 100_000n, DEFAULTS.maxComputationDuration), "BID_BELOW_ASK");
    expect(read.getDataset(1)).toMatchObject({ pricePerBlock: 1000n, activeJobs: 0n });
  });

  it("a provider sniped before setting terms declines the job within decline-window: the sniper is refunded, nothing is slashed", () => {
    registerValidator(validator1);
    registerDataset();
    expect(placeBid(bidder, 1, 100_000n, DEFAULTS.maxComputationDuration).result).toBeOk(Cl.uint(1));
    const matchedAt = read.getBid(1)?.matchedAt as bigint;
    mineUntil(matchedAt + DEFAULTS.declineWindow);
    const before = balances(bidder, provider, validator1);
    expect(declineJob(provider, 1).result).toBeOk(Cl.uint(100_000));
    const moved = deltas(before);
    expect(moved.get(bidder)).toBe(100_000n);
    expect(moved.get(provider)).toBe(0n);
    expect(read.getBid(1)?.status).toBe("CANCELLED");
    expect(read.getValidator(validator1)).toMatchObject({ stake: STX, openSeats: 0n });
    expect(read.getDataset(1)).toMatchObject({ stake: DEFAULTS.minDatasetStake, activeJobs: 0n });
    expectSolvent();
  });

  it("a job cannot be declined after decline-window", () => {
    registerValidator(validator1);
    registerDataset();
    expect(placeBid(bidder, 1, 100_000n, DEFAULTS.maxComputationDuration).result).toBeOk(Cl.uint(1));
    mineUntil((read.getBid(1)?.matchedAt as bigint) + DEFAULTS.declineWindow + 1n);
    expectErr(declineJob(provider, 1), "DECLINE_CLOSED");
  });
});

describe("attack 7: flooding drains offline validators", () => {
  it("20 self-dealt jobs in one block take the offline validator's penalties to the treasury, not to the attacker's validators", () => {
    // the attacker: provider + bidder + two sybil validators (validator1, validator2); validator3 is honest and offline
    for (const who of [validator1, validator2, validator3]) registerValidator(who);
    expect(registerDatasetWithTerms(provider, DEFAULTS.minDatasetStake, "ipfs://dataset-metadata", 0, 20).result).toBeOk(Cl.uint(1));
    const jobs = Array.from({ length: 20 }, (_, i) => i + 1);
    for (const id of jobs) expect(placeBid(bidder, 1, 100_000n).result).toBeOk(Cl.uint(id));
    for (const id of jobs) {
      expect(commit(validator1, id, 80).result).toBeOk(Cl.bool(true));
      expect(commit(validator2, id, 80).result).toBeOk(Cl.bool(true));
    }
    mineUntil(read.getValidationWindows(1)!.commitClosesAt + 1n);
    for (const id of jobs) {
      expect(reveal(validator1, id, 80).result).toBeOk(Cl.bool(false));
      expect(reveal(validator2, id, 80).result).toBeOk(Cl.bool(false));
    }
    mineUntil(read.getValidationWindows(1)!.revealClosesAt + 1n);
    const coalition = [provider, bidder, validator1, validator2];
    const before = balances(...coalition, validator3);
    const treasuryBefore = read.getMarketTotals().treasury;
    for (const id of jobs) expect(finalizeValidation(outsider, id).result).toBeOk(Cl.uint(1));
    for (const id of jobs) {
      // each sybil's claim is half the 5% validator fee of 0.1 STX: the silent seat's penalty is not in the pool
      expect(claim(validator1, id).result).toBeOk(Cl.uint(2_500));
      expect(claim(validator2, id).result).toBeOk(Cl.uint(2_500));
    }
    const penalties = compoundedPenalties(STX, DEFAULTS.validatorPenaltyBps, 20);
    expect(read.getValidator(validator3)?.stake).toBe(STX - penalties);
    const protocolFees = 20n * ((100_000n * DEFAULTS.protocolFeeBps) / BPS);
    expect(read.getMarketTotals().treasury - treasuryBefore).toBe(penalties + protocolFees);
    const moved = deltas(before);
    // the provider is paid 20 x (0.1 STX - 5% - 1%); the sybils share 20 x 5,000
    expect(moved.get(provider)).toBe(20n * 94_000n);
    expect(moved.get(validator1)! + moved.get(validator2)!).toBe(100_000n);
    // the coalition as a whole lost exactly the protocol fees, and gained nothing from the offline validator
    const bidsPaid = 20n * 100_000n;
    const coalitionNet = coalition.reduce((sum, who) => sum + moved.get(who)!, 0n) - bidsPaid;
    expect(coalitionNet).toBe(-protocolFees);
    expectSolvent();
  });
});

describe("attack 8: self-dealing is free", () => {
  it("a provider's perfect quality score bought through a sybil bidder and validator costs the protocol fee, which leaves the coalition", () => {
    matchedJob();
    const coalition = [provider, bidder, validator1];
    const before = balances(...coalition);
    const treasuryBefore = read.getMarketTotals().treasury;
    expect(vote(validator1, 1, 1, 100).result).toBeOk(Cl.bool(true));
    expect(claim(validator1, 1).result).toBeOk(Cl.uint(25_000));
    const moved = deltas(before);
    const protocolFee = (500_000n * DEFAULTS.protocolFeeBps) / BPS;
    expect(protocolFee).toBe(5_000n);
    expect(moved.get(provider)).toBe(500_000n - 25_000n - protocolFee);
    // the bid was escrowed before `before`: the coalition's net is what came back minus it
    expect(coalition.reduce((sum, who) => sum + moved.get(who)!, 0n) - 500_000n).toBe(-protocolFee);
    expect(read.getMarketTotals().treasury - treasuryBefore).toBe(protocolFee);
    expect(read.getDataset(1)).toMatchObject({ qualityScore: 100n, passedValidations: 1n });
    expectSolvent();
  });
});

describe("attack 9: a pause waives penalties retroactively", () => {
  function silentSeatJob() {
    matchedJob([
      [validator1, STX],
      [validator2, STX],
      [validator3, STX],
    ]);
    expect(commit(validator1, 1, 80).result).toBeOk(Cl.bool(true));
    expect(commit(validator2, 1, 80).result).toBeOk(Cl.bool(true));
    return read.getValidationWindows(1)!;
  }

  it("a one-block pause after the commit phase excuses nobody: the silent seat pays its penalty to the treasury", () => {
    const { commitClosesAt: commitClose, revealClosesAt: end } = silentSeatJob();
    mineUntil(commitClose + 1n);
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    simnet.mineEmptyBurnBlock();
    expect(setPaused(false).result).toBeOk(Cl.bool(true));
    expect(reveal(validator1, 1, 80).result).toBeOk(Cl.bool(false));
    expect(reveal(validator2, 1, 80).result).toBeOk(Cl.bool(false));
    mineUntil(end + 1n);
    const treasuryBefore = read.getMarketTotals().treasury;
    expect(finalizeValidation(outsider, 1).result).toBeOk(Cl.uint(1));
    const silence = (STX * DEFAULTS.validatorPenaltyBps) / BPS;
    expect(read.getValidator(validator3)?.stake).toBe(STX - silence);
    // the treasury gets the silence penalty and the 1% protocol fee; the pool holds only the fees
    expect(read.getMarketTotals().treasury - treasuryBefore).toBe(silence + 5_000n);
    expect(read.getJobResult(1)).toMatchObject({ rewardPool: 25_000n, penalties: silence });
    expectSolvent();
  });

  it("a pause undone in the Bitcoin block it began excuses nobody", () => {
    const { commitClosesAt: commitClose, revealClosesAt: end } = silentSeatJob();
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    expect(setPaused(false).result).toBeOk(Cl.bool(true));
    mineUntil(commitClose + 1n);
    expect(reveal(validator1, 1, 80).result).toBeOk(Cl.bool(false));
    expect(reveal(validator2, 1, 80).result).toBeOk(Cl.bool(false));
    mineUntil(end + 1n);
    expect(finalizeValidation(outsider, 1).result).toBeOk(Cl.uint(1));
    expect(read.getValidator(validator3)?.stake).toBe(STX - (STX * DEFAULTS.validatorPenaltyBps) / BPS);
    expectSolvent();
  });

  it("a pause that overlapped the commit window still excuses the seat that could not commit", () => {
    const { revealClosesAt: end } = silentSeatJob();
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    simnet.mineEmptyBurnBlock();
    expect(setPaused(false).result).toBeOk(Cl.bool(true));
    expect(reveal(validator1, 1, 80).result.type).toBe(Cl.error(Cl.uint(0)).type); // reveals open after the commit phase
    mineUntil(read.getValidationWindows(1)!.commitClosesAt + 1n);
    expect(reveal(validator1, 1, 80).result).toBeOk(Cl.bool(false));
    expect(reveal(validator2, 1, 80).result).toBeOk(Cl.bool(false));
    mineUntil(end + 1n);
    expect(finalizeValidation(outsider, 1).result).toBeOk(Cl.uint(1));
    expect(read.getValidator(validator3)?.stake).toBe(STX);
    expectSolvent();
  });
});

describe("attack 10: a pause plus a far queued bid traps a provider", () => {
  it("the provider retires while paused, anyone refunds the queued bid, the running job ends and the stake comes back", () => {
    registerValidator(validator1);
    registerDataset();
    expect(placeBid(bidder, 1, 500_000n).result).toBeOk(Cl.uint(1));
    // a far queued bid waits behind the running job
    expect(placeBid(bidder2, 1, 100_000n, 100n, height() + 100n + DEFAULTS.maxBidWait).result).toBeOk(Cl.uint(2));
    expect(read.getBid(2)?.status).toBe("QUEUED");
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    expectErr(withdrawStake(provider, 1), "DATASET_HAS_OPEN_JOBS");

    expect(retireDataset(provider, 1).result).toBeOk(Cl.bool(true));
    const before = balances(bidder, bidder2, provider);
    expect(expireBid(outsider, 2).result).toBeOk(Cl.uint(100_000));
    expect(read.getDataset(1)).toMatchObject({ active: false, queuedJobs: 0n, activeJobs: 1n });
    // the running job ends at its end (its seat was paused through its commit window: excused)
    mineUntil(read.getValidationWindows(1)!.revealClosesAt + 1n);
    expect(finalizeValidation(outsider, 1).result).toBeOk(Cl.uint(4));
    expect(read.getValidator(validator1)?.stake).toBe(STX);
    // the unvalidated stake waits stake-lock-blocks after the settlement, still paused
    mineUntil(height() + DEFAULTS.stakeLockBlocks + 1n);
    expect(withdrawStake(provider, 1).result).toBeOk(Cl.uint(DEFAULTS.minDatasetStake));
    expectErr(withdrawStake(provider, 1), "DATASET_INACTIVE");
    const moved = deltas(before);
    expect(moved.get(bidder2)).toBe(100_000n);
    expect(moved.get(bidder)).toBe(500_000n);
    expect(moved.get(provider)).toBe(DEFAULTS.minDatasetStake);
    expect(stx(contractId)).toBe(STX); // only the validator's stake is left
    expectSolvent();
  });
});

describe("attack 11: old proposals undo new ones", () => {
  it("a passed proposal cannot execute after a newer one changed its parameter: PARAMETER_CHANGED", () => {
    expect(registerValidator(validator1, 5n * STX).result).toBeOk(Cl.bool(true));
    expect(propose(validator1, "protocol-fee-bps", 200n).result).toBeOk(Cl.uint(1));
    expect(voteOn(validator1, 1, true).result).toBeOk(Cl.uint(5n * STX));
    mineUntil(height() + 10n);
    expect(propose(validator1, "protocol-fee-bps", 300n).result).toBeOk(Cl.uint(2));
    expect(voteOn(validator1, 2, true).result).toBeOk(Cl.uint(5n * STX));
    // the newer proposal executes first, while the older one is still executable
    mineUntil(read.getProposal(2)!.executableAt);
    expect(execute(outsider, 2).result).toBeOk(Cl.uint(2));
    expect(height()).toBeLessThan(read.getProposal(1)!.expiresAt);
    expectErr(execute(outsider, 1), "PARAMETER_CHANGED");
    expect(read.getParameters().protocolFeeBps).toBe(300n);
  });
});

describe("attack 12: governance can lock itself out", () => {
  it("proposal-threshold above 100 STX and a quorum above 50% are out of bounds", () => {
    expect(registerValidator(validator1, 5n * STX).result).toBeOk(Cl.bool(true));
    expectErr(propose(validator1, "proposal-threshold", 10n ** 15n), "VALUE_OUT_OF_RANGE");
    expectErr(propose(validator1, "proposal-threshold", 100n * STX + 1n), "VALUE_OUT_OF_RANGE");
    expect(propose(validator1, "proposal-threshold", 100n * STX).result).toBeOk(Cl.uint(1));
    expectErr(propose(validator1, "governance-quorum-bps", 10_000n), "VALUE_OUT_OF_RANGE");
    expectErr(propose(validator1, "governance-quorum-bps", 5_001n), "VALUE_OUT_OF_RANGE");
    expect(propose(validator1, "governance-quorum-bps", 5_000n).result).toBeOk(Cl.uint(2));
  });
});

describe("attack 13: a plain transfer to the contract breaks the books", () => {
  it("STX sent outside the contract's functions shows as surplus, the owner books it into the treasury, and it can leave", () => {
    matchedJob();
    simnet.transferSTX(STX, contractId, outsider);
    const totals = read.getMarketTotals();
    expect(totals.surplus).toBe(STX);
    const owed = totals.datasetStakes + totals.validatorStakes + totals.escrowedBids + totals.unclaimedRewards + totals.treasury;
    expect(stx(contractId)).toBe(owed + STX);
    expectErr(sweepSurplus(outsider), "NOT_AUTHORIZED");
    expect(sweepSurplus().result).toBeOk(Cl.uint(STX));
    expect(read.getMarketTotals()).toMatchObject({ surplus: 0n, treasury: totals.treasury + STX });
    expectErr(sweepSurplus(), "ZERO_AMOUNT");
    const before = stx(deployer);
    expect(withdrawTreasury(STX, deployer).result).toBeOk(Cl.uint(STX));
    expect(stx(deployer) - before).toBe(STX);
    expectSolvent();
  });
});

describe("attack 14: metadata-uri accepts anything", () => {
  it('" " and "not a uri" are refused with INVALID_METADATA_URI and nothing moves', () => {
    const before = stx(provider);
    expectErr(registerDataset(provider, DEFAULTS.minDatasetStake, " "), "INVALID_METADATA_URI");
    expectErr(registerDataset(provider, DEFAULTS.minDatasetStake, "not a uri"), "INVALID_METADATA_URI");
    expect(stx(provider)).toBe(before);
    expect(registerDataset(provider, DEFAULTS.minDatasetStake, "ar://dataset-manifest").result).toBeOk(Cl.uint(1));
  });
});

describe("attack 15: add-dataset-stake with the largest uint aborts", () => {
  it("returns INSUFFICIENT_FUNDS instead of an arithmetic abort, and nothing moves", () => {
    registerDataset();
    const before = balances(provider, contractId);
    expectErr(addStake(provider, 1, MAX_UINT), "INSUFFICIENT_FUNDS");
    expect([...deltas(before).values()]).toEqual([0n, 0n]);
    expect(read.getDataset(1)?.stake).toBe(DEFAULTS.minDatasetStake);
  });
});

describe("attack 16: an empty salt makes a commitment brute-forceable", () => {
  it("a commitment over an empty salt can never be revealed (INVALID_SALT); only a full 32-byte salt opens one", () => {
    matchedJob([
      [validator1, STX],
      [validator2, STX],
    ]);
    const empty = new Uint8Array(0);
    const weak = commitmentFor(validator1, 1, 80, empty);
    // the 101 candidate scores are all a watcher needs to open a weak commitment
    const opened = Array.from({ length: 101 }, (_, s) => s).find(
      (s) => JSON.stringify(commitmentFor(validator1, 1, s, empty)) === JSON.stringify(weak),
    );
    expect(opened).toBe(80);
    expect(call("commit-validation-result", [Cl.uint(1), weak], validator1).result).toBeOk(Cl.bool(true));
    expect(commit(validator2, 1, 80).result).toBeOk(Cl.bool(true));
    expectErr(reveal(validator1, 1, 80, empty), "INVALID_SALT");
    expectErr(reveal(validator1, 1, 80, new Uint8Array(31)), "INVALID_SALT");
    expect(reveal(validator2, 1, 80).result).toBeOk(Cl.bool(false));
  });
});

// ---------------------------------------------------------------------------
// Review 12 (verified jobs, /work/notes/review-12.md): one regression test per fixed finding,
// replaying the review's scripts (.cache/review12/f1..f4) step by step. Finding #9 (digest
// lengths) is tested with the check orders in verified.test.ts.
// ---------------------------------------------------------------------------

import { createHash } from "node:crypto";
import {
  OUTCOME,
  commitAndReveal,
  deliver,
  printEvents,
  revealEval,
  setTerms,
  trainingBid,
} from "./helpers.ts";

const sha = (text: string) => new Uint8Array(createHash("sha256").update(text).digest());
const GARBAGE = sha("garbage");
/** The three 1 STX validators of the review's scripts: every one is seated at the match. */
const REVIEW_VALIDATORS = [validator1, validator2, validator3];

function reviewValidators() {
  for (const who of REVIEW_VALIDATORS) expect(registerValidator(who, STX).result).toBeOk(Cl.bool(true));
}

/** A verified bid's compute fee as stored and as announced in its bid-placed event. */
function placedFee(r: ReturnType<typeof trainingBid>, bidId: number) {
  const placed = printEvents(r).find((e) => e.event === "bid-placed");
  expect(placed?.["bid-id"]).toBe(BigInt(bidId));
  expect(read.getBid(bidId)?.computeFee).toBe(placed?.["compute-fee"]);
  return placed?.["compute-fee"];
}

describe("review 12 #1: the provider raises its price ahead of a verified bid (f2-frontrun-price)", () => {
  it("a raise in the same block as the bid leaves the compute fee at the old price: the bidder pays the 10 STX it planned, not its whole 30 STX", () => {
    reviewValidators();
    // stake 1 STX, ask 0.1 STX per block: the bidder plans a 10 STX fee and escrows 30 STX
    expect(registerDatasetWithTerms(provider, STX, "ipfs://x", 100_000, 1).result).toBeOk(Cl.uint(1));
    const h0 = height();
    const before = balances(provider, bidder, contractId);
    const treasuryBefore = read.getMarketTotals().treasury;
    // same block, the provider's transaction first: the ask becomes amount / duration
    expect(setTerms(provider, 1, 300_000, 1).result).toBeOk(Cl.bool(true));
    const r = trainingBid(bidder, 1, { amount: 30n * STX, duration: 100n, deadline: h0 + 100n, spec: sha("spec") });
    expect(r.result).toBeOk(Cl.uint(1));
    // the ask was met at the new price; the fee is the old one (it used to be 30,000,000)
    expect(placedFee(r, 1)).toBe(10n * STX);
    // 10 STX - 5% for the committee - 1% protocol fee
    expect(deliver(provider, 1, GARBAGE).result).toBeOk(Cl.uint(9_400_000));
    expect(revealEval(bidder, 1).result).toBeOk(Cl.uint(h0 + DEFAULTS.validationWindow));
    expect(commitAndReveal(1, REVIEW_VALIDATORS.map((v) => [v, 0] as [string, number])).result).toBeOk(Cl.bool(true));
    // slashed: max(50% of the stake, the 10 STX fee), capped at the 1 STX stake; the 20 STX rest goes back
    expect(read.getJobResult(1)).toMatchObject({
      outcome: "SLASHED",
      providerPayment: 0n,
      bidderRefund: 20n * STX,
      slashedAmount: STX,
      validatorFees: 1_500_000n,
    });
    for (const v of REVIEW_VALIDATORS) expect(claim(v, 1).result).toBeOk(Cl.uint(500_000));
    // the review saw provider +28,200,000 and bidder -30,000,000; the validators' 1,500,000 came from the slash and the fee
    expect(deltas(before)).toEqual(new Map([[provider, 9_400_000n], [bidder, -10n * STX], [contractId, -900_000n]]));
    expect(read.getDataset(1)?.stake).toBe(0n);
    // the treasury holds the delivery's protocol fee
    expect(read.getMarketTotals().treasury - treasuryBefore).toBe(100_000n);
    expectSolvent();
  });

  it("the raise binds PRICE_NOTICE_BLOCKS (6) blocks later: old price through raised-at + 6, the new one from raised-at + 7; the ask is the new price at once; plain bids carry no fee", () => {
    registerValidator(validator1);
    expect(registerDatasetWithTerms(provider, STX, "ipfs://x", 1_000, 10).result).toBeOk(Cl.uint(1));
    const raisedAt = height();
    expect(setTerms(provider, 1, 3_000, 10).result).toBeOk(Cl.bool(true));
    expectErr(trainingBid(bidder, 1, { amount: 299_999n }), "BID_BELOW_ASK");
    expect(placedFee(trainingBid(bidder, 1), 1)).toBe(100_000n);
    expect(placeBid(bidder2, 1, 600_000n).result).toBeOk(Cl.uint(2));
    expect(read.getBid(2)).toMatchObject({ verified: false, computeFee: 0n });
    mineUntil(raisedAt + 6n);
    expect(placedFee(trainingBid(bidder, 1), 3)).toBe(100_000n);
    mineUntil(raisedAt + 7n);
    expect(placedFee(trainingBid(bidder, 1), 4)).toBe(300_000n);
    mineUntil(raisedAt + 8n);
    expect(placedFee(trainingBid(bidder, 1), 5)).toBe(300_000n);
    // the fee is the one paid at the delivery: 100,000 or 300,000, less 6%
    expect(deliver(provider, 3).result).toBeOk(Cl.uint(94_000));
    expect(deliver(provider, 4).result).toBeOk(Cl.uint(282_000));
    expectSolvent();
  });

  it("a lowered price applies at once, during a notice too (the lower of the two)", () => {
    registerValidator(validator1);
    expect(registerDatasetWithTerms(provider, STX, "ipfs://x", 1_000, 10).result).toBeOk(Cl.uint(1));
    const h0 = height();
    expect(setTerms(provider, 1, 500, 10).result).toBeOk(Cl.bool(true));
    expect(placedFee(trainingBid(bidder, 1), 1)).toBe(50_000n);
    // a raise from 500 at h0 + 1, then two cuts inside its notice
    mineUntil(h0 + 1n);
    expect(setTerms(provider, 1, 3_000, 10).result).toBeOk(Cl.bool(true));
    expect(placedFee(trainingBid(bidder, 1), 2)).toBe(50_000n);
    mineUntil(h0 + 2n);
    expect(setTerms(provider, 1, 2_000, 10).result).toBeOk(Cl.bool(true));
    expect(placedFee(trainingBid(bidder, 1), 3)).toBe(50_000n);
    mineUntil(h0 + 3n);
    expect(setTerms(provider, 1, 400, 10).result).toBeOk(Cl.bool(true));
    expect(placedFee(trainingBid(bidder, 1), 4)).toBe(40_000n);
    // past the notice the current price, 400, is the fee
    mineUntil(h0 + 8n);
    expect(placedFee(trainingBid(bidder, 1), 5)).toBe(40_000n);
    expectSolvent();
  });

  it("two raises in a row keep the first previous price for the second raise's notice; a raise after a notice has ended starts from the price then", () => {
    registerValidator(validator1);
    expect(registerDatasetWithTerms(provider, STX, "ipfs://x", 1_000, 10).result).toBeOk(Cl.uint(1));
    const r = height();
    expect(setTerms(provider, 1, 2_000, 10).result).toBeOk(Cl.bool(true));
    mineUntil(r + 3n);
    expect(setTerms(provider, 1, 3_000, 10).result).toBeOk(Cl.bool(true));
    expect(placedFee(trainingBid(bidder, 1), 1)).toBe(100_000n);
    // the first raise (to 2,000) is older than 6 blocks, but the second one's notice runs on 1,000
    mineUntil(r + 7n);
    expect(placedFee(trainingBid(bidder, 1), 2)).toBe(100_000n);
    mineUntil(r + 9n);
    expect(placedFee(trainingBid(bidder, 1), 3)).toBe(100_000n);
    mineUntil(r + 10n);
    expect(placedFee(trainingBid(bidder, 1), 4)).toBe(300_000n);
    // a raise to 4,000 once the notice is over: 3,000 until its own notice ends
    mineUntil(r + 20n);
    expect(setTerms(provider, 1, 4_000, 10).result).toBeOk(Cl.bool(true));
    expect(placedFee(trainingBid(bidder, 1), 5)).toBe(300_000n);
    mineUntil(r + 27n);
    expect(placedFee(trainingBid(bidder, 1), 6)).toBe(400_000n);
    expectSolvent();
  });
});

describe("review 12 #2: a garbage delivery is paid its compute fee (f1-garbage)", () => {
  // [stake, amount, slash, the provider's net]: ask 0.1 STX per block for 100 blocks, a 10 STX compute fee, of
  // which the garbage delivery pays 9.4 STX; the slash is max(50% of the stake, the fee), within the stake and the bid
  it.each([
    // 50% of the stake (7.5 STX) is less than the fee: the slash is the fee (it used to be 7.5 STX: +1.9 STX)
    [15n * STX, 10n * STX, 10n * STX, -600_000n],
    // the stake (5 STX) is less than the fee: all of it goes, and the delivery still nets 4.4 STX
    [5n * STX, 10n * STX, 5n * STX, 4_400_000n],
    // 50% of the stake (15 STX) is more than the bid (12 STX): the bid is the cap, and it is at least the fee
    [30n * STX, 12n * STX, 12n * STX, -2_600_000n],
    // 50% of the stake (15 STX) is more than the fee and less than the bid
    [30n * STX, 20n * STX, 15n * STX, -5_600_000n],
  ])("a stake of %i, a bid of %i: a worthless model scored 0 is slashed %i (provider net %i)", (stake, amount, slash, providerNet) => {
    reviewValidators();
    expect(registerDatasetWithTerms(provider, stake, "ipfs://x", 100_000, 1).result).toBeOk(Cl.uint(1));
    const h0 = height();
    const before = balances(provider, bidder, contractId);
    const totals = read.getMarketTotals();
    expect(trainingBid(bidder, 1, { amount, duration: 100n, deadline: h0 + 100n, spec: sha("spec") }).result).toBeOk(Cl.uint(1));
    expect(read.getBid(1)?.computeFee).toBe(10n * STX);
    mineUntil(h0 + 7n);
    expect(deliver(provider, 1, GARBAGE).result).toBeOk(Cl.uint(9_400_000));
    expect(revealEval(bidder, 1).result).toBeOk(Cl.uint(h0 + 7n + DEFAULTS.validationWindow));
    expect(commitAndReveal(1, REVIEW_VALIDATORS.map((v) => [v, 0] as [string, number])).result).toBeOk(Cl.bool(true));
    const rest = amount - 10n * STX;
    // the validators' fees: the fee's 5% carried from the delivery plus 5% of the rest, out of the slash
    const validatorFees = 500_000n + (rest * 500n) / BPS;
    expect(read.getJobResult(1)).toMatchObject({
      outcome: "SLASHED",
      providerPayment: 0n,
      bidderRefund: rest,
      slashedAmount: slash,
      validatorFees,
    });
    // the bidder loses the fee it priced; the contract keeps the 0.6 STX of fees
    expect(deltas(before)).toEqual(new Map([[provider, 9_400_000n], [bidder, -10n * STX], [contractId, 600_000n]]));
    expect(read.getDataset(1)?.stake).toBe(stake - slash);
    expect(9_400_000n - slash).toBe(providerNet);
    expect(read.getMarketTotals()).toMatchObject({
      datasetStakes: totals.datasetStakes - slash,
      escrowedBids: totals.escrowedBids,
      unclaimedRewards: totals.unclaimedRewards + validatorFees,
      treasury: totals.treasury + 100_000n + slash + 500_000n - validatorFees,
    });
    expectSolvent();
  });

  it("as reviewed (1 STX stake, 3 slots, three 10 STX fees): the empty digest is refused; garbage digests are still paid, and the one stake covers one slash (the residual docs/verified-training.md names)", () => {
    reviewValidators();
    const bidders = [bidder, bidder2, outsider];
    expect(registerDatasetWithTerms(provider, STX, "ipfs://x", 100_000, 3).result).toBeOk(Cl.uint(1));
    const h0 = height();
    const before = balances(provider, ...bidders, contractId);
    for (const [i, b] of bidders.entries())
      expect(trainingBid(b, 1, { amount: 10n * STX, duration: 100n, deadline: h0 + 100n, spec: sha("spec") }).result).toBeOk(Cl.uint(i + 1));
    mineUntil(h0 + 7n);
    expectErr(deliver(provider, 1, new Uint8Array(0)), "INVALID_DIGEST");
    for (const id of [1, 2, 3]) expect(deliver(provider, id, GARBAGE).result).toBeOk(Cl.uint(9_400_000));
    for (const [i, b] of bidders.entries()) expect(revealEval(b, i + 1).result).toBeOk(Cl.uint(h0 + 7n + DEFAULTS.validationWindow));
    for (const id of [1, 2, 3]) expect(commitAndReveal(id, REVIEW_VALIDATORS.map((v) => [v, 0] as [string, number])).result).toBeOk(Cl.bool(true));
    // the first slash takes the whole stake (the review saw 500,000, 250,000, 125,000); nothing is left for the others
    expect([1, 2, 3].map((id) => read.getJobResult(id)?.slashedAmount)).toEqual([STX, 0n, 0n]);
    expect(read.getDataset(1)?.stake).toBe(0n);
    expect(deltas(before)).toEqual(
      new Map([
        [provider, 28_200_000n],
        [bidder, -10n * STX],
        [bidder2, -10n * STX],
        [outsider, -10n * STX],
        [contractId, 1_800_000n],
      ]),
    );
    expectSolvent();
  });
});

describe("review 12 #3: non-delivery griefing with duration-1 bids (f4-nodelivery-grief)", () => {
  it("a duration-1 job is not missed before matched-at + decline-window; the provider declines until then; a miss costs at most the compute fee, not 10% of the stake", () => {
    registerValidator(validator1);
    // stake 100 STX, ask 0.1 STX per block, 5 slots
    expect(registerDatasetWithTerms(provider, 100n * STX, "ipfs://x", 100_000, 5).result).toBeOk(Cl.uint(1));
    const h0 = height();
    const before = balances(provider, bidder, contractId);
    const treasuryBefore = read.getMarketTotals().treasury;
    for (let i = 1; i <= 5; i++)
      expect(trainingBid(bidder, 1, { amount: 100n * STX, duration: 1n, deadline: h0 + 1n, commitment: sha(`c0${i}`) }).result).toBeOk(Cl.uint(i));
    for (let i = 1; i <= 5; i++) expect(read.getBid(i)).toMatchObject({ status: "MATCHED", matchedAt: h0, computeFee: 100_000n });
    // the review expired all five here, at deadline + 1
    mineUntil(h0 + 2n);
    for (let i = 1; i <= 5; i++) {
      expectErr(expireBid(bidder, i), "BID_NOT_EXPIRED");
      expectErr(finalizeValidation(bidder, i), "NOT_READY_TO_FINALIZE");
    }
    expectErr(deliver(provider, 1), "DELIVERY_CLOSED");
    // the last block of the decline window: still not missed, and the provider declines two jobs
    mineUntil(h0 + DEFAULTS.declineWindow);
    for (let i = 1; i <= 5; i++) expectErr(expireBid(bidder, i), "BID_NOT_EXPIRED");
    expect(declineJob(provider, 4).result).toBeOk(Cl.uint(100n * STX));
    expect(declineJob(provider, 5).result).toBeOk(Cl.uint(100n * STX));
    mineUntil(h0 + DEFAULTS.declineWindow + 1n);
    expectErr(declineJob(provider, 3), "DECLINE_CLOSED");
    for (let i = 1; i <= 3; i++) {
      const r = expireBid(bidder, i);
      expect(r.result).toBeOk(Cl.uint(100n * STX));
      expect(printEvents(r)[0]).toMatchObject({ event: "delivery-missed", refund: 100n * STX, "slashed-amount": 100_000n });
    }
    // the review saw 100 STX -> 59,049,000 after five misses
    expect(read.getDataset(1)).toMatchObject({ stake: 100n * STX - 300_000n, nonDeliveries: 3n, activeJobs: 0n });
    expect(deltas(before)).toEqual(new Map([[provider, 0n], [bidder, 0n], [contractId, 0n]]));
    expect(read.getMarketTotals().treasury - treasuryBefore).toBe(300_000n);
    expectSolvent();
  });

  it("a duration-1 job at price 0 (compute fee 0) costs its provider nothing when missed", () => {
    registerValidator(validator1);
    expect(registerDatasetWithTerms(provider, 100n * STX, "ipfs://x", 0, 1).result).toBeOk(Cl.uint(1));
    const h0 = height();
    expect(trainingBid(bidder, 1, { amount: 100n * STX, duration: 1n, deadline: h0 + 1n }).result).toBeOk(Cl.uint(1));
    expect(read.getBid(1)?.computeFee).toBe(0n);
    mineUntil(h0 + DEFAULTS.declineWindow + 1n);
    const before = balances(provider, bidder, contractId);
    const totals = read.getMarketTotals();
    const r = finalizeValidation(bidder, 1);
    expect(r.result).toBeOk(Cl.uint(OUTCOME.NOT_DELIVERED));
    expect(printEvents(r)[0]).toMatchObject({ event: "delivery-missed", refund: 100n * STX, "slashed-amount": 0n });
    expect(deltas(before)).toEqual(new Map([[provider, 0n], [bidder, 100n * STX], [contractId, -100n * STX]]));
    expect(read.getMarketTotals()).toMatchObject({ datasetStakes: totals.datasetStakes, treasury: totals.treasury });
    expect(read.getDataset(1)).toMatchObject({ stake: 100n * STX, nonDeliveries: 1n });
    expectSolvent();
  });
});

describe("review 12 #4: an early delivery forces a bidder default (f3-early-delivery)", () => {
  it("a garbage model delivered 7 blocks after the match of a 1000-block job: the bidder may still reveal at deadline + eval-reveal-window, and the committee's 0 slashes the provider", () => {
    reviewValidators();
    expect(registerDatasetWithTerms(provider, 10n * STX, "ipfs://x", 10_000, 1).result).toBeOk(Cl.uint(1));
    const h0 = height();
    const deadline = h0 + 1_000n;
    const before = balances(provider, bidder, contractId);
    const treasuryBefore = read.getMarketTotals().treasury;
    // 1000 blocks of training: a 10 STX fee, 40 STX paid by the score
    expect(trainingBid(bidder, 1, { amount: 50n * STX, duration: 1_000n, deadline, spec: sha("spec") }).result).toBeOk(Cl.uint(1));
    mineUntil(h0 + 7n);
    expect(deliver(provider, 1, GARBAGE).result).toBeOk(Cl.uint(9_400_000));
    // the view's latest commit close is the reveal deadline + validation-window
    expect(read.getValidationWindows(1)!.commitClosesAt).toBe(deadline + DEFAULTS.evalRevealWindow + DEFAULTS.validationWindow);
    // the block where the review's bidder was refused (u319) and the job defaulted
    mineUntil(h0 + 7n + DEFAULTS.evalRevealWindow + 1n);
    expectErr(expireBid(provider, 1), "BID_NOT_EXPIRED");
    expectErr(finalizeValidation(provider, 1), "NOT_READY_TO_FINALIZE");
    mineUntil(deadline + DEFAULTS.evalRevealWindow);
    expectErr(expireBid(provider, 1), "BID_NOT_EXPIRED");
    expect(revealEval(bidder, 1).result).toBeOk(Cl.uint(deadline + DEFAULTS.evalRevealWindow + DEFAULTS.validationWindow));
    expect(read.getJobDelivery(1)).toMatchObject({ deliveredAt: h0 + 7n, evalRevealedAt: deadline + DEFAULTS.evalRevealWindow });
    expect(commitAndReveal(1, REVIEW_VALIDATORS.map((v) => [v, 0] as [string, number])).result).toBeOk(Cl.bool(true));
    // slashed max(5 STX, the 10 STX fee), within the 10 STX stake; the 40 STX rest goes back
    expect(read.getJobResult(1)).toMatchObject({
      outcome: "SLASHED",
      providerPayment: 0n,
      bidderRefund: 40n * STX,
      slashedAmount: 10n * STX,
      validatorFees: 2_500_000n,
    });
    // the delivery's protocol fee and the slash less the validators' fees
    expect(read.getMarketTotals().treasury - treasuryBefore).toBe(100_000n + 8n * STX);
    // the review saw provider +47,000,000, bidder -50,000,000 and a default on the bidder's record
    expect(deltas(before)).toEqual(new Map([[provider, 9_400_000n], [bidder, -10n * STX], [contractId, 600_000n]]));
    expect(read.getDataset(1)?.stake).toBe(0n);
    expect(read.getBidderHistory(bidder)).toEqual({ jobs: 1n, scoreSum: 0n, defaults: 0n, meanScore: 0n });
    expectSolvent();
  });
});
