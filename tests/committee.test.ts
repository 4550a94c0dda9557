import { Cl, ClarityType, getAddressFromPrivateKey } from "@stacks/transactions";
import { afterEach, describe, expect, it } from "vitest";
import { computeCommitment } from "../src/client/commitment.ts";
import { committeeSeed as committeeSeedOf, drawSeats } from "../src/client/committee.ts";
import { coherentScore, minReveals, settlementPayouts, slashBacked, weightedMedian } from "../src/client/planner.ts";
import {
  DEFAULTS,
  OUTCOME,
  balances,
  bidder,
  bidder2,
  claim,
  commit,
  commitAndReveal,
  commitmentFor,
  contractId,
  decode,
  declineJob,
  deltas,
  deployer,
  drawCommittee,
  eventNames,
  expectErr,
  expectSolvent,
  finalizeValidation,
  height,
  matchedJob,
  mineUntil,
  outcomeName,
  outsider,
  placeBid,
  printEvents,
  provider,
  provider2,
  read,
  registerDataset,
  registerValidator,
  requestExit,
  reveal,
  saltFor,
  seatsOf,
  setPaused,
  setTerms,
  stx,
  stxTransfers,
  validator1,
  validator2,
  validator3,
  wallets,
  withdrawStake,
  withdrawTreasury,
  withdrawValidator,
} from "./helpers.ts";

// ---------------------------------------------------------------------------
// Local helpers: the committee draw and settlement, from the rules' reference in src/client
// ---------------------------------------------------------------------------

const MIN = DEFAULTS.minValidatorStake;
const BPS = 10_000n;

/** The active validator set, in `get-validator-at` index order. */
function activeSet(): string[] {
  const n = Number(read.getActiveValidatorCount());
  return Array.from({ length: n }, (_, i) => read.getValidatorAt(i) as string);
}

/**
 * Mines until a matched bid's committee seed is readable and returns it: the seed mixes the VRF
 * seed of Stacks block matched-block + 1 (reported once the tip is past it) with the hash of
 * Bitcoin block matched-at + decline-window + 1 (reported once that block exists). When the
 * chain is not there yet, checks the seed is still none at matched-at + decline-window (the
 * provider's last block to decline) and appears one burn block later.
 */
function awaitSeed(bidId: number | bigint): string {
  const bid = read.getBid(bidId);
  const seedBurn = (bid?.matchedAt as bigint) + DEFAULTS.declineWindow + 1n;
  if (height() < seedBurn) {
    mineUntil(seedBurn - 1n);
    expect(read.getCommitteeSeed(bidId)).toBeNull();
    mineUntil(seedBurn);
  }
  const missingStacks = (bid?.matchedBlock as bigint) + 2n - BigInt(simnet.blockHeight);
  if (missingStacks > 0n) simnet.mineEmptyBlocks(Number(missingStacks));
  const seed = read.getCommitteeSeed(bidId);
  expect(seed).toMatch(/^[0-9a-f]{64}$/);
  return seed as string;
}

/** The VRF seed the chain reports for a Stacks block (that of the tenure holding it), or null. */
function tenureSeed(block: number | bigint): string | null {
  return decode(simnet.execute(`(get-tenure-info? vrf-seed u${block})`).result) as string | null;
}

/** The job's parties: the dataset's provider and the bidder. */
function partiesOf(bidId: number | bigint): [string, string] {
  const bid = read.getBid(bidId);
  return [read.getDataset(bid?.datasetId as bigint)?.provider as string, bid?.bidder as string];
}

/**
 * The committee the contract must draw (the reference `drawSeats`) over `set`, the first n indices
 * of the active set as the test lists them (null: an empty index, the set shrank since the match),
 * with the job's parties [provider, bidder]. The validators `eligible` refuses (registered after
 * the match) get an ordinal past the match's. Without a seed, seat k starts at index k.
 */
function modelCommittee(
  bidId: bigint,
  seedHex: string | null,
  set: (string | null)[],
  [provider, bidder]: string[],
  size = 5,
  eligible: (who: string) => boolean = () => true,
): string[] {
  return drawSeats({
    bidId,
    seed: seedHex === null ? null : Buffer.from(seedHex, "hex"),
    validatorsAtMatch: set.length,
    registrationsAtMatch: 0n,
    committeeSize: size,
    provider,
    bidder,
    entryAt: (i) => (set[i] ? { validator: set[i], ordinal: eligible(set[i]) ? 0n : 1n } : null),
  });
}

/** The first `n` indices of the active set as the draw reads them (null where the set has shrunk). */
function setPrefix(n: bigint): (string | null)[] {
  return Array.from({ length: Number(n) }, (_, i) => read.getValidatorAt(i));
}

/** Fresh principals (not simnet accounts), each funded by the deployer so that it can stake. */
function freshValidators(count: number, funding = 2n * MIN): string[] {
  return Array.from({ length: count }, (_, i) => {
    const who = getAddressFromPrivateKey((i + 2).toString(16).padStart(64, "0"), "testnet");
    expect(simnet.transferSTX(funding, who, deployer).result).toBeOk(Cl.bool(true));
    return who;
  });
}

/** The reference commitment (`computeCommitment`), as the hex the contract's view decodes to. */
const tsCommitment = (score: bigint, salt: Uint8Array, bidId: bigint, who: string) =>
  Buffer.from(computeCommitment(score, salt, bidId, who)).toString("hex");

type Revealed = { score: bigint; weight: bigint };

/** The votes' whole weight (the total the median of a fully revealed committee is taken against). */
const weightOf = (votes: Revealed[]) => votes.reduce((a, v) => a + v.weight, 0n);

/** The stake-weighted mean the median replaced (integer division): no rule of the contract, only the contrast. */
function weightedMean(votes: Revealed[]): bigint {
  return votes.reduce((a, v) => a + v.score * v.weight, 0n) / weightOf(votes);
}

/** validator-penalty-bps of a stake (no reference in src/client: it is not part of any planner). */
const penaltyOf = (stake: bigint) => (stake * DEFAULTS.validatorPenaltyBps) / BPS;

/** One seat of a committee as a test played it: its weight (its stake at the draw) and what it did. */
type SeatPlay = { who: string; weight: bigint; committed: boolean; revealed: boolean; score: bigint };

type Settlement = {
  kind: "finalized" | "refunded";
  finalScore: bigint;
  outcome: bigint;
  payment: bigint;
  providerPayment: bigint;
  protocolFee: bigint;
  bidderRefund: bigint;
  slashed: bigint;
  fees: bigint;
  penalties: Map<string, bigint>;
  totalPenalties: bigint;
  silencePenalties: bigint;
  outlierPenalties: bigint;
  pool: bigint;
  rewardWeight: bigint;
  coherent: SeatPlay[];
  treasuryGain: bigint;
};

/**
 * What the rules say a settlement moves: the median, payment, refund, slash, fees, the penalty of
 * every seat that is not coherent (1% of its current stake; a never-committed seat is excused when
 * `waiveSilence`), the reward pool and the treasury's gain. Silent seats' penalties (never
 * committed, or never revealed) go to the treasury, outliers' to the reward pool. With fewer
 * reveals than min-reveals (u4), or a median below 40 without a strict majority of the whole
 * committee's weight voting below 40 (u5), the bidder is refunded in full and only the silent
 * seats are penalized.
 */
function modelSettlement(
  amount: bigint,
  datasetStake: bigint,
  seats: SeatPlay[],
  stakeNow: (who: string) => bigint,
  waiveSilence = false,
): Settlement {
  const revealed = seats.filter((s) => s.revealed);
  const excused = (s: SeatPlay) => waiveSilence && !s.committed;
  const sum = (values: Iterable<bigint>) => [...values].reduce((a, b) => a + b, 0n);
  const refund = (outcome: number): Settlement => {
    const penalties = new Map(seats.filter((s) => !s.revealed && !excused(s)).map((s) => [s.who, penaltyOf(stakeNow(s.who))]));
    const total = sum(penalties.values());
    return {
      kind: "refunded", finalScore: 0n, outcome: BigInt(outcome), payment: 0n, providerPayment: 0n, protocolFee: 0n,
      bidderRefund: amount, slashed: 0n, fees: 0n, penalties, totalPenalties: total, silencePenalties: total,
      outlierPenalties: 0n, pool: 0n, rewardWeight: 0n, coherent: [], treasuryGain: total,
    };
  };
  if (BigInt(revealed.length) < minReveals(seats.length, DEFAULTS.minRevealsBps)) return refund(OUTCOME.NO_QUORUM);
  const finalScore = weightedMedian(revealed, weightOf(revealed));
  const totalWeight = sum(seats.map((s) => s.weight));
  if (finalScore < DEFAULTS.slashThreshold && !slashBacked(revealed, DEFAULTS.slashThreshold, totalWeight)) return refund(OUTCOME.NO_MAJORITY);
  const { payment, slashed, validatorFees: fees, protocolFee, providerPayment, bidderRefund, outcome } = settlementPayouts(amount, finalScore, datasetStake, DEFAULTS);
  const coherent = seats.filter((s) => s.revealed && coherentScore(s.score, finalScore, DEFAULTS.consensusTolerance));
  const penalties = new Map(
    seats.filter((s) => !coherent.includes(s) && !excused(s)).map((s) => [s.who, penaltyOf(stakeNow(s.who))]),
  );
  const silencePenalties = sum(seats.filter((s) => !s.revealed).map((s) => penalties.get(s.who) ?? 0n));
  const outlierPenalties = sum(seats.filter((s) => s.revealed).map((s) => penalties.get(s.who) ?? 0n));
  const rewardWeight = sum(coherent.map((s) => s.weight));
  const pool = fees + outlierPenalties;
  return {
    kind: "finalized",
    finalScore,
    outcome: BigInt(OUTCOME[outcome]),
    payment,
    providerPayment,
    protocolFee,
    bidderRefund,
    slashed,
    fees,
    penalties,
    totalPenalties: silencePenalties + outlierPenalties,
    silencePenalties,
    outlierPenalties,
    pool,
    rewardWeight,
    coherent,
    treasuryGain: slashed + (payment - providerPayment) - fees + silencePenalties,
  };
}

/** The job-result fields a settlement model predicts (before any claim). */
function expectedResult(m: Settlement) {
  return {
    finalScore: m.finalScore,
    outcome: outcomeName(m.outcome),
    providerPayment: m.providerPayment,
    bidderRefund: m.bidderRefund,
    slashedAmount: m.slashed,
    validatorFees: m.fees,
    protocolFee: m.protocolFee,
    penalties: m.totalPenalties,
    rewardPool: m.pool,
    rewardWeight: m.rewardWeight,
  };
}

/** Coherent claims in the given order: pool * weight / remaining weight, the last takes the rest. */
function claimShares(pool: bigint, weights: bigint[]): bigint[] {
  let left = pool;
  let weight = weights.reduce((a, b) => a + b, 0n);
  return weights.map((w) => {
    const share = w >= weight ? left : (left * w) / weight;
    left -= share;
    weight -= w;
    return share;
  });
}

/** `validator-penalized` events of a call, keyed by validator. */
function penaltiesIn(result: Parameters<typeof printEvents>[0]): Map<string, bigint> {
  return new Map(
    printEvents(result)
      .filter((e) => e.event === "validator-penalized")
      .map((e) => [e.validator as string, e.penalty as bigint]),
  );
}

/** `commit-validation-result` with a raw commitment (for the copied-commitment attack). */
function commitRaw(who: string, commitment: ReturnType<typeof commitmentFor>, bidId: number | bigint = 1) {
  return simnet.callPublicFn(contractId, "commit-validation-result", [Cl.uint(bidId), commitment], who);
}

/** A tenth signer: the simnet accepts any principal as tx-sender, so a fresh one funded by the deployer can act. */
const tenth = getAddressFromPrivateKey(`${"0".repeat(63)}1`, "testnet");

afterEach(() => expectSolvent());

// ---------------------------------------------------------------------------
// 1. The committee draw
// ---------------------------------------------------------------------------

describe("committee draw", () => {
  /** wallet_1..8 as validators (provider, bidder, bidder2 and outsider among them): n = 8. */
  function eightValidators() {
    for (const w of wallets) expect(registerValidator(w).result).toBeOk(Cl.bool(true));
    expect(read.getActiveValidatorCount()).toBe(8n);
  }

  it("seats exactly the model's committee for several bids: deterministic, no party, distinct seats, min(5, n) of them", () => {
    eightValidators();
    expect(registerDataset(provider).result).toBeOk(Cl.uint(1));
    expect(setTerms(provider, 1, 0, 4).result).toBeOk(Cl.bool(true));
    expect(registerDataset(provider2).result).toBeOk(Cl.uint(2));
    // bidders that are validators (bidder, bidder2, outsider, validator1) and one that is not (deployer)
    const placed = [
      placeBid(bidder, 1),
      placeBid(bidder2, 1),
      placeBid(outsider, 1),
      placeBid(deployer, 1),
      placeBid(validator1, 2),
    ];
    placed.forEach((r, i) => {
      expect(r.result).toBeOk(Cl.uint(i + 1));
      // n = 8 > committee-size: nobody is seated at the match
      expect(eventNames(r)).toEqual(["bid-placed", "bid-matched"]);
      expect(read.getCommittee(i + 1)).toBeNull();
    });
    awaitSeed(5);

    const set = activeSet();
    const openSeats = new Map(set.map((w) => [w, 0n]));
    for (let bidId = 1n; bidId <= 5n; bidId++) {
      const seed = read.getCommitteeSeed(bidId);
      expect(seed).toMatch(/^[0-9a-f]{64}$/);
      const parties = partiesOf(bidId);
      const model = modelCommittee(bidId, seed, set, parties);

      const drawn = drawCommittee(validator3, bidId);
      expect(drawn.result).toBeOk(Cl.list(model.map((w) => Cl.principal(w))));
      expect(printEvents(drawn)).toEqual([{ event: "committee-drawn", "bid-id": bidId, seats: model, random: true }]);
      expect(seatsOf(bidId)).toEqual(model);
      // never a party, no validator twice, min(5, 8) seats
      for (const party of parties) expect(model).not.toContain(party);
      expect(new Set(model).size).toBe(model.length);
      expect(model).toHaveLength(5);
      // the seed is fixed by the match: drawing did not change it
      expect(read.getCommitteeSeed(bidId)).toBe(seed);
      for (const w of model) openSeats.set(w, (openSeats.get(w) ?? 0n) + 1n);
    }
    // the draws differ between bids (the seed and the bid id both enter the hash)
    expect(new Set([1, 2, 3, 4, 5].map((b) => seatsOf(b).join())).size).toBeGreaterThan(1);
    // every seat was counted on its validator
    for (const [w, seats] of openSeats) expect(read.getValidator(w)?.openSeats).toBe(seats);
  });

  it("waits for the Stacks block after the match and the Bitcoin block after the decline window; the seed mixes their VRF seed and Bitcoin hash and never changes after", () => {
    eightValidators();
    expect(registerDataset(provider).result).toBeOk(Cl.uint(1));
    expect(placeBid(bidder, 1).result).toBeOk(Cl.uint(1));
    const matchedBlock = read.getBid(1)?.matchedBlock as bigint;
    const matchedAt = read.getBid(1)?.matchedAt as bigint;
    const seedBurn = matchedAt + DEFAULTS.declineWindow + 1n;
    expect(seedBurn).toBe(matchedAt + 7n);

    // the next transaction runs in block matched-block + 1, whose seed is not known yet
    expect(read.getCommitteeSeed(1)).toBeNull();
    expectErr(drawCommittee(outsider, 1), "SEED_NOT_READY");
    expect(simnet.blockHeight).toBe(Number(matchedBlock) + 1);
    // more Stacks blocks in the same Bitcoin block are not enough: the Bitcoin block is missing
    expectErr(drawCommittee(outsider, 1), "SEED_NOT_READY");
    expect(height()).toBe(matchedAt);
    expect(read.getCommitteeSeed(1)).toBeNull();

    // every Bitcoin block of the decline window (matched-at + 1 .. matched-at + 6) is not enough either
    for (let at = matchedAt + 1n; at < seedBurn; at++) {
      mineUntil(at);
      expect(read.getCommitteeSeed(1)).toBeNull();
      expectErr(drawCommittee(outsider, 1), "SEED_NOT_READY");
    }
    expect(height()).toBe(matchedAt + 6n);

    // once both blocks exist, the seed is sha256(vrf-seed(matched-block + 1) ++ bitcoin-hash(matched-at + 7))
    mineUntil(seedBurn);
    const seed = read.getCommitteeSeed(1);
    const vrf = tenureSeed(matchedBlock + 1n) as string;
    const bitcoinHashOf = (at: bigint) => decode(simnet.execute(`(get-burn-block-info? header-hash u${at})`).result) as string;
    const bitcoinHash = bitcoinHashOf(seedBurn);
    const seedOf = (bitcoin: string) => Buffer.from(committeeSeedOf(Buffer.from(vrf, "hex"), Buffer.from(bitcoin, "hex"))).toString("hex");
    expect(seed).toBe(seedOf(bitcoinHash));
    // not the hash of the Bitcoin block right after the match (the round-1 seed)
    const early = seedOf(bitcoinHashOf(matchedAt + 1n));
    expect(seed).not.toBe(early);
    const model = modelCommittee(1n, seed, activeSet(), partiesOf(1));
    // the draw depends on the seed and the validator set only, not on when it is made
    simnet.mineEmptyBlocks(25);
    expect(read.getCommitteeSeed(1)).toBe(seed);
    expect(drawCommittee(outsider, 1).result).toBeOk(Cl.list(model.map((w) => Cl.principal(w))));
    expectErr(drawCommittee(outsider, 1), "COMMITTEE_DRAWN");
  });

  // A tenure's VRF seed is public while the tenure lasts, so the seed also mixes in the hash of the
  // Bitcoin block after the decline window, which nobody knows when the bid is placed.
  it("the committee seed is not yet known to a bidder when it places its bid", () => {
    eightValidators();
    expect(registerDataset(provider).result).toBeOk(Cl.uint(1));
    // what anyone can read just before bidding: the seed of the current tenure
    const knownBefore = tenureSeed(simnet.blockHeight - 1);
    expect(knownBefore).toMatch(/^[0-9a-f]{64}$/);
    const burnAtBid = height();
    expect(placeBid(bidder, 1).result).toBeOk(Cl.uint(1));
    // block matched-block + 1, in the same tenure (same burn block) as the match
    expectErr(drawCommittee(outsider, 1), "SEED_NOT_READY");
    expect(height()).toBe(burnAtBid);
    const seed = awaitSeed(1);
    expect(seed).not.toBe(knownBefore);
  });

  // The seed's Bitcoin block comes after the decline window: a provider that could decline every
  // job whose committee it dislikes (and have it redrawn) never sees the committee while it may.
  it("a provider cannot learn the committee before its decline window closes: no seed, no draw, no commit until matched-at + 7; decline works within the window and is DECLINE_CLOSED after", () => {
    eightValidators();
    expect(registerDataset(provider).result).toBeOk(Cl.uint(1));
    expect(setTerms(provider, 1, 0, 2).result).toBeOk(Cl.bool(true));
    expect(placeBid(bidder, 1).result).toBeOk(Cl.uint(1));
    expect(placeBid(bidder2, 1).result).toBeOk(Cl.uint(2));
    const matchedAt = read.getBid(1)?.matchedAt as bigint;
    expect(read.getBid(2)).toMatchObject({ status: "MATCHED", matchedAt, validatorsAtMatch: 8n });
    const closesAt = matchedAt + DEFAULTS.declineWindow;

    // every burn block of the window: the seed is none, and neither a draw nor a commit can reveal the committee
    for (let at = matchedAt; at <= closesAt; at++) {
      mineUntil(at);
      for (const bidId of [1, 2]) {
        expect(read.getCommitteeSeed(bidId)).toBeNull();
        expectErr(drawCommittee(outsider, bidId), "SEED_NOT_READY");
        expectErr(drawCommittee(provider2, bidId), "SEED_NOT_READY");
        expectErr(commit(validator1, bidId, 80), "SEED_NOT_READY");
        expect(read.getCommittee(bidId)).toBeNull();
      }
    }
    for (const w of wallets) expect(read.getValidator(w)?.openSeats).toBe(0n);

    // the window's last block: the provider declines job 1, blind to its committee
    expect(height()).toBe(closesAt);
    const before = balances(bidder, provider, contractId);
    const declined = declineJob(provider, 1);
    expect(declined.result).toBeOk(Cl.uint(500_000n));
    expect(eventNames(declined)).toEqual(["job-declined"]);
    expect(deltas(before)).toEqual(new Map([[bidder, 500_000n], [provider, 0n], [contractId, -500_000n]]));
    expect(read.getBid(1)?.status).toBe("CANCELLED");
    expect(read.getCommittee(1)).toBeNull();

    // one block later the seed exists, and the provider can no longer decline job 2
    mineUntil(closesAt + 1n);
    const seed = read.getCommitteeSeed(2);
    expect(seed).toMatch(/^[0-9a-f]{64}$/);
    const beforeClosed = balances(bidder2, provider, contractId);
    const closed = declineJob(provider, 2);
    expectErr(closed, "DECLINE_CLOSED");
    expect(closed.events).toEqual([]);
    expect(deltas(beforeClosed)).toEqual(new Map([[bidder2, 0n], [provider, 0n], [contractId, 0n]]));
    const model = modelCommittee(2n, seed, activeSet(), partiesOf(2));
    expect(model).toHaveLength(5);
    expect(drawCommittee(outsider, 2).result).toBeOk(Cl.list(model.map((w) => Cl.principal(w))));
    expect(seatsOf(2)).toEqual(model);
    expect(read.getBid(2)?.status).toBe("MATCHED");
    // a declined job is never drawn
    expectErr(drawCommittee(outsider, 1), "JOB_NOT_RUNNING");
    expect(read.getDataset(1)).toMatchObject({ activeJobs: 1n, matchedJobs: 1n });
  });

  it("the first commit draws the committee when nobody called draw-committee", () => {
    eightValidators();
    expect(registerDataset(provider).result).toBeOk(Cl.uint(1));
    expect(placeBid(bidder, 1).result).toBeOk(Cl.uint(1));
    const model = modelCommittee(1n, awaitSeed(1), activeSet(), partiesOf(1));
    const outsiderOfCommittee = activeSet().find((w) => !model.includes(w) && !partiesOf(1).includes(w));
    expect(outsiderOfCommittee).toBeDefined();

    // a validator left off the committee is refused, and its failed call draws nothing
    expectErr(commit(outsiderOfCommittee as string, 1, 80), "NOT_ON_COMMITTEE");
    expect(read.getCommittee(1)).toBeNull();
    // the parties are refused before any draw
    expectErr(commit(provider, 1, 80), "PARTY_CANNOT_VALIDATE");
    expectErr(commit(bidder, 1, 80), "PARTY_CANNOT_VALIDATE");

    const first = commit(model[0], 1, 80);
    expect(first.result).toBeOk(Cl.bool(true));
    expect(eventNames(first)).toEqual(["committee-drawn", "validation-committed"]);
    expect(seatsOf(1)).toEqual(model);
  });

  it("seats min(5, n) when enough non-parties exist, and fewer when the parties fill the gap", () => {
    // n = 7 with both parties registered: 5 eligible, 5 seats
    for (const w of wallets.slice(0, 7)) expect(registerValidator(w).result).toBeOk(Cl.bool(true));
    expect(registerDataset(provider).result).toBeOk(Cl.uint(1));
    expect(placeBid(bidder, 1).result).toBeOk(Cl.uint(1));
    const seven = modelCommittee(1n, awaitSeed(1), activeSet(), partiesOf(1));
    expect(drawCommittee(outsider, 1).result).toBeOk(Cl.list(seven.map((w) => Cl.principal(w))));
    expect(seven).toHaveLength(5);
    expect([...seven].sort()).toEqual(wallets.slice(2, 7).sort());
    expect(read.getValidationWindows(1)).toMatchObject({ committeeSize: 5n, minReveals: 3n });
    // every non-party is seated; an exit takes one out of the active set, not off this committee
    const leaving = seven[0];
    const exit = requestExit(leaving);
    expect(exit.result).toBeOk(Cl.uint(height() + DEFAULTS.validatorUnbondingBlocks));
    expect(printEvents(exit)[0]).toMatchObject({ validator: leaving, "open-seats": 1n });
    expect(activeSet()).not.toContain(leaving);
    expect(read.getValidator(leaving)).toMatchObject({ active: false, openSeats: 1n });
    expect(seatsOf(1)).toEqual(seven);
    expect(commit(leaving, 1, 80).result).toBeOk(Cl.bool(true));
  });

  it("seats only the non-parties when the parties are validators and n is just above committee-size", () => {
    // n = 6: provider, bidder and four others. The random draw can only find 4 seats.
    for (const w of wallets.slice(0, 6)) expect(registerValidator(w).result).toBeOk(Cl.bool(true));
    expect(registerDataset(provider).result).toBeOk(Cl.uint(1));
    expect(placeBid(bidder, 1).result).toBeOk(Cl.uint(1));
    const model = modelCommittee(1n, awaitSeed(1), activeSet(), partiesOf(1));
    expect(model).toHaveLength(4);
    expect(drawCommittee(outsider, 1).result).toBeOk(Cl.list(model.map((w) => Cl.principal(w))));
    expect([...seatsOf(1)].sort()).toEqual(wallets.slice(2, 6).sort());
    expect(read.getValidationWindows(1)!.minReveals).toBe(3n);
  });

  it("seats a small market (n <= 5) at the match, without randomness, every non-party in index order", () => {
    // provider is a validator too: n = 5, 4 of them eligible
    for (const w of [validator1, provider, validator2, validator3, outsider]) {
      expect(registerValidator(w).result).toBeOk(Cl.bool(true));
    }
    expect(registerDataset(provider).result).toBeOk(Cl.uint(1));
    const placed = placeBid(bidder, 1);
    expect(placed.result).toBeOk(Cl.uint(1));
    const expected = [validator1, validator2, validator3, outsider];
    expect(modelCommittee(1n, null, activeSet(), partiesOf(1))).toEqual(expected);
    expect(eventNames(placed)).toEqual(["bid-placed", "bid-matched", "committee-drawn"]);
    expect(printEvents(placed)[2]).toEqual({ event: "committee-drawn", "bid-id": 1n, seats: expected, random: false });
    expect(seatsOf(1)).toEqual(expected);
    expect(read.getValidator(provider)?.openSeats).toBe(0n);
    for (const w of expected) expect(read.getValidator(w)?.openSeats).toBe(1n);
    expectErr(drawCommittee(outsider, 1), "COMMITTEE_DRAWN");
  });

  it("seats nobody at the match once n exceeds committee-size", () => {
    for (const w of [validator1, validator2, validator3, outsider, provider2, bidder2]) {
      expect(registerValidator(w).result).toBeOk(Cl.bool(true));
    }
    expect(registerDataset(provider).result).toBeOk(Cl.uint(1));
    const placed = placeBid(bidder, 1);
    expect(eventNames(placed)).toEqual(["bid-placed", "bid-matched"]);
    expect(read.getCommittee(1)).toBeNull();
    expect(read.getValidationWindows(1)!.minReveals).toBe(0n);
  });

  it("with 20 validators registered after the match, the job gets exactly the seats and members it would have had without them", () => {
    eightValidators();
    expect(registerDataset(provider).result).toBeOk(Cl.uint(1));
    expect(placeBid(bidder, 1).result).toBeOk(Cl.uint(1));
    const preMatch = activeSet();
    expect(read.getBid(1)).toMatchObject({ validatorsAtMatch: 8n, registrationsAtMatch: 8n });

    const late = freshValidators(20);
    for (const w of late) expect(registerValidator(w).result).toBeOk(Cl.bool(true));
    expect(read.getActiveValidatorCount()).toBe(28n);
    expect(late.map((w) => read.getValidator(w)?.ordinal)).toEqual(late.map((_, i) => BigInt(9 + i)));
    // the bid's record of its match did not move
    expect(read.getBid(1)).toMatchObject({ validatorsAtMatch: 8n, registrationsAtMatch: 8n });

    const seed = awaitSeed(1);
    const without = modelCommittee(1n, seed, preMatch, partiesOf(1));
    expect(without).toHaveLength(5);
    const drawn = drawCommittee(outsider, 1);
    expect(drawn.result).toBeOk(Cl.list(without.map((w) => Cl.principal(w))));
    expect(printEvents(drawn)).toEqual([{ event: "committee-drawn", "bid-id": 1n, seats: without, random: true }]);
    for (const w of late) {
      expect(read.getValidator(w)?.openSeats).toBe(0n);
      expectErr(commit(w, 1, 80), "NOT_ON_COMMITTEE");
    }
    expect(read.getCommittee(1)).toMatchObject({ seats: without, weights: without.map(() => MIN), totalWeight: 5n * MIN });
  });

  it("steps over later registrants that exits moved into the indices of the match: only pre-match validators sit", () => {
    eightValidators();
    expect(registerDataset(provider).result).toBeOk(Cl.uint(1));
    expect(placeBid(bidder, 1).result).toBeOk(Cl.uint(1));
    const late = freshValidators(20);
    for (const w of late) expect(registerValidator(w).result).toBeOk(Cl.bool(true));
    // three pre-match validators exit: swap-and-pop moves the last three registrants to their indices
    for (const w of [validator1, validator2, validator3]) {
      expect(requestExit(w).result).toBeOk(Cl.uint(height() + DEFAULTS.validatorUnbondingBlocks));
    }
    const prefix = setPrefix(read.getBid(1)?.validatorsAtMatch as bigint);
    expect(prefix).toEqual([provider, bidder, late[19], late[18], late[17], provider2, bidder2, outsider]);

    const seed = awaitSeed(1);
    const model = modelCommittee(1n, seed, prefix, partiesOf(1), 5, (w) => !late.includes(w));
    // five pre-match validators are left, two of them the parties: three seats, whatever the seed
    expect([...model].sort()).toEqual([provider2, bidder2, outsider].sort());
    expect(drawCommittee(deployer, 1).result).toBeOk(Cl.list(model.map((w) => Cl.principal(w))));
    expect(seatsOf(1)).toEqual(model);
    expect(read.getValidationWindows(1)!.minReveals).toBe(2n);
    for (const w of late) expect(read.getValidator(w)?.openSeats).toBe(0n);
  });
});

// ---------------------------------------------------------------------------
// 2. Commit-reveal integrity
// ---------------------------------------------------------------------------

describe("commit-reveal integrity", () => {
  const three = (): [string, bigint][] => [validator1, validator2, validator3].map((w) => [w, 2n * MIN]);

  it("compute-commitment is sha256 of the consensus serialization of {score, salt, bid-id, validator}", () => {
    const cases: [bigint, Uint8Array, bigint, string][] = [
      [0n, saltFor(validator1, 1), 1n, validator1],
      [85n, saltFor(validator2, 7), 7n, validator2],
      [100n, new Uint8Array(32).fill(0xff), 123_456n, outsider],
      [42n, new Uint8Array(32), 1n, contractId],
    ];
    for (const [score, salt, bidId, who] of cases) {
      const onChain = read.computeCommitment(score, salt, bidId, who);
      expect(onChain).toBe(tsCommitment(score, salt, bidId, who));
    }
    // the validator's principal is part of the hash: same score, salt and job, different commitment
    const salt = saltFor(validator1, 1);
    expect(tsCommitment(80n, salt, 1n, validator1)).not.toBe(tsCommitment(80n, salt, 1n, validator2));
  });

  it("refuses a reveal with another score or another salt, and leaves the vote unrevealed", () => {
    matchedJob(three());
    for (const w of [validator1, validator2, validator3]) expect(commit(w, 1, 80).result).toBeOk(Cl.bool(true));

    expectErr(reveal(validator1, 1, 81), "COMMITMENT_MISMATCH");
    expectErr(reveal(validator1, 1, 0), "COMMITMENT_MISMATCH");
    const otherSalt = new Uint8Array(32).fill(7);
    expectErr(reveal(validator1, 1, 80, otherSalt), "COMMITMENT_MISMATCH");
    const flipped = saltFor(validator1, 1);
    flipped[31] ^= 1;
    expectErr(reveal(validator1, 1, 80, flipped), "COMMITMENT_MISMATCH");

    expect(read.getVote(1, validator1)).toMatchObject({ revealed: false, score: 0n });
    expect(read.getCommittee(1)).toMatchObject({ commits: 3n, reveals: 0n, revealedWeight: 0n, revealed: [] });

    // the right score and salt open it
    const opened = reveal(validator1, 1, 80);
    expect(opened.result).toBeOk(Cl.bool(false));
    expect(printEvents(opened)).toEqual([
      { event: "validation-revealed", "bid-id": 1n, validator: validator1, score: 80n, weight: 2n * MIN },
    ]);
    expect(read.getVote(1, validator1)).toMatchObject({ revealed: true, score: 80n });
  });

  it("a commitment copied from another validator never verifies, even with the right score and salt", () => {
    matchedJob(three());
    const honest = commitmentFor(validator1, 1, 85);
    expect(commitRaw(validator1, honest).result).toBeOk(Cl.bool(true));
    // validator2 copies validator1's commitment byte for byte
    expect(commitRaw(validator2, honest).result).toBeOk(Cl.bool(true));
    expect(read.getVote(1, validator2)?.commitment).toBe(read.getVote(1, validator1)?.commitment);
    expect(commit(validator3, 1, 90).result).toBeOk(Cl.bool(true));

    // the copier knows validator1's score and salt (say they leaked): still refused
    expectErr(reveal(validator2, 1, 85, saltFor(validator1, 1)), "COMMITMENT_MISMATCH");
    expectErr(reveal(validator2, 1, 85, saltFor(validator2, 1)), "COMMITMENT_MISMATCH");
    // and it cannot commit again
    expectErr(commit(validator2, 1, 85), "ALREADY_VOTED");

    expect(reveal(validator1, 1, 85).result).toBeOk(Cl.bool(false));
    expect(reveal(validator3, 1, 90).result).toBeOk(Cl.bool(false));
    // the copier's seat stays silent and pays for it at settlement
    mineUntil(read.getValidationWindows(1)!.revealClosesAt + 1n);
    const settled = finalizeValidation(outsider, 1);
    expect(settled.result).toBeOk(Cl.uint(OUTCOME.REWARDED));
    expect(penaltiesIn(settled)).toEqual(new Map([[validator2, penaltyOf(2n * MIN)]]));
    expect(claim(validator2, 1).result).toBeOk(Cl.uint(0));
  });
});

// ---------------------------------------------------------------------------
// 3. The stake-weighted median
// ---------------------------------------------------------------------------

describe("stake-weighted median", () => {
  it("ignores a single outlier that the mean would follow: 80, 82 and 0 give 80 (rewarded), not 54 (partial)", () => {
    const stake = 2n * MIN;
    matchedJob([validator1, validator2, validator3].map((w) => [w, stake]));
    const votes: Revealed[] = [80n, 82n, 0n].map((score) => ({ score, weight: stake }));
    expect(weightedMedian(votes, weightOf(votes))).toBe(80n);
    expect(weightedMean(votes)).toBe(54n);
    const byMean = settlementPayouts(500_000n, 54n, DEFAULTS.minDatasetStake, DEFAULTS);
    expect(byMean.payment).toBe(233_333n);

    const before = balances(provider, bidder, validator1, validator2, validator3, contractId);
    const last = commitAndReveal(1, [[validator1, 80], [validator2, 82], [validator3, 0]]);
    expect(last.result).toBeOk(Cl.bool(true));
    const fin = printEvents(last).find((e) => e.event === "job-finalized");
    expect(fin).toMatchObject({ "final-score": 80n, outcome: BigInt(OUTCOME.REWARDED), "provider-payment": 470_000n, "bidder-refund": 0n });

    // the provider is paid in full (less fees and the 1% protocol fee), not the 233,333 the mean would give
    const moved = deltas(before);
    expect(moved.get(provider)).toBe(470_000n);
    expect(moved.get(provider)).not.toBe(byMean.providerPayment);
    expect(moved.get(bidder)).toBe(0n);

    // the outlier pays 1% of its stake to the two coherent validators
    const penalty = penaltyOf(stake);
    expect(penaltiesIn(last)).toEqual(new Map([[validator3, penalty]]));
    expect(claim(validator1, 1).result).toBeOk(Cl.uint((25_000n + penalty) / 2n));
    expect(claim(validator2, 1).result).toBeOk(Cl.uint((25_000n + penalty) / 2n));
    expect(claim(validator3, 1).result).toBeOk(Cl.uint(0));
    const paid = deltas(before);
    expect(paid.get(validator1)).toBe(22_500n);
    expect(paid.get(validator2)).toBe(22_500n);
    expect(paid.get(validator3)).toBe(0n);
    expect(read.getValidator(validator3)?.stake).toBe(stake - penalty);
    expect(read.getDataset(1)).toMatchObject({ qualityScore: 80n, passedValidations: 1n });
  });

  it("follows a heavy validator: 3M at 75 against 1M at 20 and 1M at 25 gives 75, where the plain median is 25", () => {
    matchedJob([[validator1, 3n * MIN], [validator2, MIN], [validator3, MIN]]);
    const votes: Revealed[] = [
      { score: 75n, weight: 3n * MIN },
      { score: 20n, weight: MIN },
      { score: 25n, weight: MIN },
    ];
    expect(weightedMedian(votes, weightOf(votes))).toBe(75n);
    expect(weightedMean(votes)).toBe(54n);

    const before = balances(provider, bidder, validator1, validator2, validator3, contractId);
    const last = commitAndReveal(1, [[validator1, 75], [validator2, 20], [validator3, 25]]);
    expect(last.result).toBeOk(Cl.bool(true));
    expect(read.getJobResult(1)).toMatchObject({
      finalScore: 75n,
      outcome: "REWARDED",
      providerPayment: 470_000n,
      bidderRefund: 0n,
      slashedAmount: 0n,
      validatorFees: 25_000n,
      protocolFee: 5_000n,
      penalties: 20_000n,
      rewardPool: 45_000n,
      rewardWeight: 3n * MIN,
    });
    expect(penaltiesIn(last)).toEqual(new Map([[validator2, 10_000n], [validator3, 10_000n]]));
    expect(claim(validator1, 1).result).toBeOk(Cl.uint(45_000n));
    expect(claim(validator2, 1).result).toBeOk(Cl.uint(0));
    expect(claim(validator3, 1).result).toBeOk(Cl.uint(0));
    const moved = deltas(before);
    expect(moved.get(provider)).toBe(470_000n);
    expect(moved.get(bidder)).toBe(0n);
    expect(moved.get(validator1)).toBe(45_000n);
    // the outliers' penalties went to the pool; the treasury has the protocol fee only
    expect(read.getMarketTotals().treasury).toBe(5_000n);
    expect(read.getDataset(1)?.stake).toBe(DEFAULTS.minDatasetStake);
  });

  it("takes the lower median when a heavy validator holds exactly half the weight: 35 < 40, but half is no majority (u5 refund)", () => {
    matchedJob([[validator1, 2n * MIN], [validator2, MIN], [validator3, MIN]]);
    const votes: Revealed[] = [
      { score: 90n, weight: 2n * MIN },
      { score: 30n, weight: MIN },
      { score: 35n, weight: MIN },
    ];
    expect(weightedMedian(votes, weightOf(votes))).toBe(35n);
    const seats: SeatPlay[] = [[validator1, 90n], [validator2, 30n], [validator3, 35n]].map(([who, score], i) => ({
      who: who as string, weight: votes[i].weight, committed: true, revealed: true, score: score as bigint,
    }));
    const model = modelSettlement(500_000n, DEFAULTS.minDatasetStake, seats, (w) => read.getValidator(w)?.stake as bigint);
    expect(model).toMatchObject({ kind: "refunded", outcome: BigInt(OUTCOME.NO_MAJORITY), bidderRefund: 500_000n, totalPenalties: 0n });

    const before = balances(provider, bidder, contractId);
    const totals = read.getMarketTotals();
    const last = commitAndReveal(1, [[validator1, 90], [validator2, 30], [validator3, 35]]);
    // the last reveal settles the job, without a result
    expect(last.result).toBeOk(Cl.bool(true));
    expect(printEvents(last)).toEqual([
      { event: "validation-revealed", "bid-id": 1n, validator: validator3, score: 35n, weight: MIN },
      { event: "bid-expired", "bid-id": 1n, "dataset-id": 1n, bidder, refund: 500_000n, penalties: 0n },
    ]);
    expect(deltas(before)).toEqual(new Map([[provider, 0n], [bidder, 500_000n], [contractId, -500_000n]]));
    expect(read.getBid(1)?.status).toBe("EXPIRED");
    expect(read.getJobResult(1)).toBeNull();
    // no slash, and the revealed votes are not judged: validator1 (90, far from 35) keeps its stake
    expect(read.getDataset(1)).toMatchObject({ stake: DEFAULTS.minDatasetStake, validations: 0n, activeJobs: 0n });
    expect(read.getValidator(validator1)).toMatchObject({ stake: 2n * MIN, openSeats: 0n });
    expect(read.getMarketTotals()).toEqual({ ...totals, escrowedBids: totals.escrowedBids - 500_000n });
    expectErr(claim(validator2, 1), "JOB_NOT_FINALIZED");
  });

  it("slashes when the votes below 40 hold a strict majority of the committee's weight", () => {
    const stakes: [string, bigint][] = [[validator1, 2n * MIN], [validator2, MIN], [validator3, 1_500_000n]];
    matchedJob(stakes);
    const seats: SeatPlay[] = stakes.map(([who, weight], i) => ({ who, weight, committed: true, revealed: true, score: [90n, 30n, 35n][i] }));
    const model = modelSettlement(500_000n, DEFAULTS.minDatasetStake, seats, (w) => read.getValidator(w)?.stake as bigint);
    // 2,500,000 of 4,500,000 below 40
    expect(model).toMatchObject({ kind: "finalized", finalScore: 35n, outcome: BigInt(OUTCOME.SLASHED), slashed: 500_000n, fees: 25_000n });

    const before = balances(provider, bidder, contractId);
    const last = commitAndReveal(1, seats.map((p) => [p.who, p.score]));
    expect(last.result).toBeOk(Cl.bool(true));
    expect(read.getJobResult(1)).toMatchObject(expectedResult(model));
    expect(penaltiesIn(last)).toEqual(model.penalties);
    expect(deltas(before)).toEqual(new Map([[provider, 0n], [bidder, 500_000n], [contractId, -500_000n]]));
    expect(read.getDataset(1)?.stake).toBe(DEFAULTS.minDatasetStake - 500_000n);
    expect(read.getMarketTotals().treasury).toBe(model.treasuryGain);
    expect(model.treasuryGain).toBe(500_000n - 25_000n);
  });

  it("counts silent seats in the committee's weight: 2 of 5 equal seats below 40 is no majority (u5)", () => {
    const five = [validator1, validator2, validator3, provider2, outsider];
    matchedJob(five.map((w) => [w, MIN]));
    expect(read.getCommittee(1)).toMatchObject({ seats: five, totalWeight: 5n * MIN });
    // three reveal (the quorum), two commit and stay silent
    const scores = [10n, 20n, 90n, 50n, 50n];
    five.forEach((w, i) => expect(commit(w, 1, scores[i]).result).toBeOk(Cl.bool(true)));
    for (const [i, w] of five.slice(0, 3).entries()) expect(reveal(w, 1, scores[i]).result).toBeOk(Cl.bool(false));
    mineUntil(read.getValidationWindows(1)!.revealClosesAt + 1n);
    const seats: SeatPlay[] = five.map((who, i) => ({ who, weight: MIN, committed: true, revealed: i < 3, score: scores[i] }));
    const model = modelSettlement(500_000n, DEFAULTS.minDatasetStake, seats, () => MIN);
    const revealed = seats.filter((p) => p.revealed);
    expect(weightedMedian(revealed, weightOf(revealed))).toBe(20n);
    expect(model).toMatchObject({ kind: "refunded", outcome: BigInt(OUTCOME.NO_MAJORITY), silencePenalties: 2n * penaltyOf(MIN) });

    const before = balances(provider, bidder);
    const settled = finalizeValidation(deployer, 1);
    expect(settled.result).toBeOk(Cl.uint(OUTCOME.NO_MAJORITY));
    expect(penaltiesIn(settled)).toEqual(model.penalties);
    expect(printEvents(settled).filter((e) => e.event === "validator-penalized").map((e) => e.silent)).toEqual([true, true]);
    expect(deltas(before)).toEqual(new Map([[provider, 0n], [bidder, 500_000n]]));
    expect(read.getDataset(1)?.stake).toBe(DEFAULTS.minDatasetStake);
    expect(read.getMarketTotals().treasury).toBe(model.treasuryGain);
    expect(read.getJobResult(1)).toBeNull();
  });

  it("3 of 5 equal seats below 40 slash, with the other 2 silent", () => {
    const five = [validator1, validator2, validator3, provider2, outsider];
    matchedJob(five.map((w) => [w, MIN]));
    const scores = [10n, 20n, 30n, 50n, 50n];
    for (const [i, w] of five.slice(0, 3).entries()) expect(commit(w, 1, scores[i]).result).toBeOk(Cl.bool(true));
    mineUntil(read.getValidationWindows(1)!.commitClosesAt + 1n);
    for (const [i, w] of five.slice(0, 3).entries()) expect(reveal(w, 1, scores[i]).result).toBeOk(Cl.bool(false));
    mineUntil(read.getValidationWindows(1)!.revealClosesAt + 1n);
    const seats: SeatPlay[] = five.map((who, i) => ({ who, weight: MIN, committed: i < 3, revealed: i < 3, score: scores[i] }));
    const model = modelSettlement(500_000n, DEFAULTS.minDatasetStake, seats, () => MIN);
    expect(model).toMatchObject({ finalScore: 20n, outcome: BigInt(OUTCOME.SLASHED), slashed: 500_000n, silencePenalties: 2n * penaltyOf(MIN) });

    const settled = finalizeValidation(deployer, 1);
    expect(settled.result).toBeOk(Cl.uint(OUTCOME.SLASHED));
    expect(read.getJobResult(1)).toMatchObject(expectedResult(model));
    expect(penaltiesIn(settled)).toEqual(model.penalties);
    // the silent seats' penalties went to the treasury, not to the pool
    expect(read.getJobResult(1)?.rewardPool).toBe(25_000n);
    expect(read.getMarketTotals().treasury).toBe(model.treasuryGain);
    expect(model.treasuryGain).toBe(500_000n - 25_000n + 2n * penaltyOf(MIN));
  });
});

// ---------------------------------------------------------------------------
// 4. Penalties, rewards and solvency
// ---------------------------------------------------------------------------

describe("penalties and rewards", () => {
  it("an outlier loses exactly 1% of its stake, which the coherent validators share with the fees", () => {
    matchedJob([[validator1, 3n * MIN], [validator2, 2n * MIN], [validator3, 1_500_000n]]);
    const totalsBefore = read.getMarketTotals();
    const before = balances(provider, bidder, validator1, validator2, validator3, contractId);
    const last = commitAndReveal(1, [[validator1, 80], [validator2, 85], [validator3, 10]]);
    expect(last.result).toBeOk(Cl.bool(true));

    const penalized = printEvents(last).filter((e) => e.event === "validator-penalized");
    expect(penalized).toEqual([
      { event: "validator-penalized", "bid-id": 1n, validator: validator3, penalty: 15_000n, stake: 1_485_000n, removed: false, silent: false },
    ]);
    expect(read.getValidator(validator3)).toMatchObject({ stake: 1_485_000n, active: true, openSeats: 0n });
    expect(read.getMarketTotals().validatorStakes).toBe(totalsBefore.validatorStakes - 15_000n);
    expect(read.getJobResult(1)).toMatchObject({ validatorFees: 25_000n, penalties: 15_000n, rewardPool: 40_000n, rewardWeight: 5n * MIN });

    expect(claim(validator1, 1).result).toBeOk(Cl.uint(24_000n));
    expect(claim(validator2, 1).result).toBeOk(Cl.uint(16_000n));
    expect(claim(validator3, 1).result).toBeOk(Cl.uint(0));
    const moved = deltas(before);
    expect(moved.get(validator1)).toBe(24_000n);
    expect(moved.get(validator2)).toBe(16_000n);
    expect(moved.get(validator3)).toBe(0n);
    expect(moved.get(provider)).toBe(470_000n);
    // out of the contract went the escrow and the outlier's penalty, less the protocol fee it keeps
    expect(moved.get(contractId)).toBe(-(500_000n + 15_000n - 5_000n));
    expect(read.getMarketTotals()).toMatchObject({ treasury: 5_000n, unclaimedRewards: 0n });
  });

  it("penalizes a seat that committed but never revealed, to the treasury; its claim pays nothing", () => {
    matchedJob([validator1, validator2, validator3].map((w) => [w, 2n * MIN]));
    for (const w of [validator1, validator2, validator3]) expect(commit(w, 1, 80).result).toBeOk(Cl.bool(true));
    expect(reveal(validator1, 1, 80).result).toBeOk(Cl.bool(false));
    expect(reveal(validator2, 1, 80).result).toBeOk(Cl.bool(false));
    expectErr(finalizeValidation(outsider, 1), "NOT_READY_TO_FINALIZE");
    mineUntil(read.getValidationWindows(1)!.revealClosesAt + 1n);

    const settled = finalizeValidation(outsider, 1);
    expect(settled.result).toBeOk(Cl.uint(OUTCOME.REWARDED));
    expect(penaltiesIn(settled)).toEqual(new Map([[validator3, 20_000n]]));
    expect(printEvents(settled).find((e) => e.event === "validator-penalized")?.silent).toBe(true);
    expect(read.getValidator(validator3)?.stake).toBe(2n * MIN - 20_000n);
    expect(read.getJobResult(1)).toMatchObject({ penalties: 20_000n, rewardPool: 25_000n });
    expect(claim(validator1, 1).result).toBeOk(Cl.uint(12_500n));
    expect(claim(validator2, 1).result).toBeOk(Cl.uint(12_500n));
    expect(claim(validator3, 1).result).toBeOk(Cl.uint(0));
    expectErr(claim(validator3, 1), "ALREADY_CLAIMED");
    // the protocol fee and the silent seat's penalty
    expect(read.getMarketTotals()).toMatchObject({ treasury: 5_000n + 20_000n, unclaimedRewards: 0n });
  });

  it("penalizes a seat that never voted, to the treasury; it has nothing to claim", () => {
    matchedJob([validator1, validator2, validator3].map((w) => [w, 2n * MIN]));
    expect(commit(validator1, 1, 70).result).toBeOk(Cl.bool(true));
    expect(commit(validator2, 1, 76).result).toBeOk(Cl.bool(true));
    // the reveal phase opens only when the commit phase ends (validator3 never commits)
    expectErr(reveal(validator1, 1, 70), "REVEAL_NOT_OPEN");
    mineUntil(read.getValidationWindows(1)!.commitClosesAt + 1n);
    expect(reveal(validator1, 1, 70).result).toBeOk(Cl.bool(false));
    expect(reveal(validator2, 1, 76).result).toBeOk(Cl.bool(false));
    mineUntil(read.getValidationWindows(1)!.revealClosesAt + 1n);

    const settled = finalizeValidation(outsider, 1);
    // lower median of {70, 76} with equal weights is 70
    expect(settled.result).toBeOk(Cl.uint(OUTCOME.REWARDED));
    expect(read.getJobResult(1)).toMatchObject({ finalScore: 70n, penalties: 20_000n, rewardPool: 25_000n });
    expect(penaltiesIn(settled)).toEqual(new Map([[validator3, 20_000n]]));
    expect(printEvents(settled).find((e) => e.event === "validator-penalized")?.silent).toBe(true);
    expect(read.getMarketTotals().treasury).toBe(5_000n + 20_000n);
    expectErr(claim(validator3, 1), "NOT_JOB_VALIDATOR");
    expect(claim(validator1, 1).result).toBeOk(Cl.uint(12_500n));
    expect(claim(validator2, 1).result).toBeOk(Cl.uint(12_500n));
  });

  it("coherent claims add up to the fees plus the outlier's penalty exactly, with no dust; the treasury gets the protocol fee only", () => {
    const stakes: [string, bigint][] = [
      [validator1, 1_000_000n],
      [validator2, 1_100_000n],
      [validator3, 1_300_000n],
      [provider2, 1_700_000n],
      [outsider, 3_300_000n],
    ];
    matchedJob(stakes);
    const scores = [80, 81, 82, 83, 0];
    const seats: SeatPlay[] = stakes.map(([who, weight], i) => ({ who, weight, committed: true, revealed: true, score: BigInt(scores[i]) }));
    const model = modelSettlement(500_000n, DEFAULTS.minDatasetStake, seats, (w) => stakes.find(([s]) => s === w)?.[1] ?? 0n);
    expect(model).toMatchObject({ finalScore: 80n, fees: 25_000n, totalPenalties: 33_000n, outlierPenalties: 33_000n, pool: 58_000n, treasuryGain: 5_000n });

    const last = commitAndReveal(1, seats.map((s) => [s.who, s.score]));
    expect(last.result).toBeOk(Cl.bool(true));
    expect(read.getJobResult(1)).toMatchObject(expectedResult(model));

    const weights = model.coherent.map((s) => s.weight);
    const shares = claimShares(model.pool, weights);
    // plain pro-rata shares would strand dust; the last claimant takes it
    const proRata = weights.reduce((a, w) => a + (model.pool * w) / model.rewardWeight, 0n);
    expect(proRata).toBeLessThan(model.pool);
    expect(shares.reduce((a, b) => a + b, 0n)).toBe(model.pool);

    const before = balances(...stakes.map(([w]) => w));
    model.coherent.forEach((s, i) => {
      const r = claim(s.who, 1);
      expect(r.result).toBeOk(Cl.uint(shares[i]));
      expect(stxTransfers(r)).toEqual([{ sender: contractId, recipient: s.who, amount: shares[i] }]);
    });
    expect(claim(outsider, 1).result).toBeOk(Cl.uint(0));
    const moved = deltas(before);
    expect([...moved.values()].reduce((a, b) => a + b, 0n)).toBe(58_000n);
    expect(read.getJobResult(1)).toMatchObject({ rewardPool: 0n, rewardWeight: 0n });
    expect(read.getMarketTotals()).toMatchObject({ unclaimedRewards: 0n, treasury: 5_000n, escrowedBids: 0n });
  });

  it("a validator penalized below 1,000,000 leaves the active set by swap-and-pop", () => {
    // validator1 at index 0, validator3 last at index 2
    matchedJob([[validator1, MIN], [validator2, 2n * MIN], [validator3, 2n * MIN]]);
    expect(activeSet()).toEqual([validator1, validator2, validator3]);
    const last = commitAndReveal(1, [[validator1, 0], [validator2, 80], [validator3, 80]]);
    expect(printEvents(last).filter((e) => e.event === "validator-penalized")).toEqual([
      { event: "validator-penalized", "bid-id": 1n, validator: validator1, penalty: 10_000n, stake: 990_000n, removed: true, silent: false },
    ]);
    expect(read.getActiveValidatorCount()).toBe(2n);
    expect(activeSet()).toEqual([validator3, validator2]);
    expect(read.getValidatorAt(2)).toBeNull();
    expect(read.getValidator(validator3)?.index).toBe(0n);
    expect(read.getValidator(validator1)).toMatchObject({ stake: 990_000n, active: false, exitRequestedAt: height(), openSeats: 0n });

    // it has already left: no exit to request, and it withdraws its remaining stake after unbonding
    expectErr(requestExit(validator1), "VALIDATOR_EXITING");
    expectErr(withdrawValidator(validator1), "UNBONDING_NOT_OVER");
    simnet.mineEmptyBlocks(Number(DEFAULTS.validatorUnbondingBlocks));
    const before = balances(validator1);
    expect(withdrawValidator(validator1).result).toBeOk(Cl.uint(990_000n));
    expect(deltas(before).get(validator1)).toBe(990_000n);
  });

  it("a removed validator stays seated on its other jobs until they settle (a coherent seat until its claim), where its vote weighs its seat, not its reduced stake", () => {
    for (const [w, s] of [[validator1, MIN], [validator2, 2n * MIN], [validator3, 2n * MIN]] as const) {
      expect(registerValidator(w, s).result).toBeOk(Cl.bool(true));
    }
    expect(registerDataset().result).toBeOk(Cl.uint(1));
    expect(setTerms(provider, 1, 0, 2).result).toBeOk(Cl.bool(true));
    expect(placeBid(bidder, 1).result).toBeOk(Cl.uint(1));
    expect(placeBid(bidder2, 1).result).toBeOk(Cl.uint(2));
    expect(seatsOf(2)).toEqual([validator1, validator2, validator3]);
    expect(read.getCommittee(2)).toMatchObject({ weights: [MIN, 2n * MIN, 2n * MIN], totalWeight: 5n * MIN });
    expect(read.getValidator(validator1)?.openSeats).toBe(2n);

    commitAndReveal(1, [[validator1, 0], [validator2, 80], [validator3, 80]]);
    expect(read.getValidator(validator1)).toMatchObject({ active: false, stake: 990_000n, openSeats: 1n });
    expect(activeSet()).not.toContain(validator1);

    // still on job 2's committee: its vote weighs its seat, the 1,000,000 it held at the draw
    expect(commit(validator1, 2, 80).result).toBeOk(Cl.bool(true));
    expect(read.getVote(2, validator1)?.weight).toBe(MIN);
    simnet.mineEmptyBlocks(Number(DEFAULTS.validatorUnbondingBlocks));
    expectErr(withdrawValidator(validator1), "VALIDATOR_SEATED");
    expect(commit(validator2, 2, 80).result).toBeOk(Cl.bool(true));
    expect(commit(validator3, 2, 80).result).toBeOk(Cl.bool(true));
    for (const w of [validator1, validator2, validator3]) expect(reveal(w, 2, 80).result.type).toBe(ClarityType.ResponseOk);
    expect(read.getBid(2)?.status).toBe("SETTLED");
    // coherent on job 2: no penalty, and the seat held until the claim of its share of the fees
    expect(read.getValidator(validator1)).toMatchObject({ stake: 990_000n, openSeats: 1n });
    expect(read.getCommittee(2)).toMatchObject({ revealedWeight: 5n * MIN });
    expect(read.getJobResult(2)).toMatchObject({ rewardWeight: 5n * MIN, rewardPool: 25_000n });
    expectErr(withdrawValidator(validator1), "VALIDATOR_SEATED");
    expect(claim(validator1, 2).result).toBeOk(Cl.uint((25_000n * MIN) / (5n * MIN)));
    // the claim freed the seat: free to leave
    expect(read.getValidator(validator1)).toMatchObject({ stake: 990_000n, openSeats: 0n });
    expect(withdrawValidator(validator1).result).toBeOk(Cl.uint(990_000n));
  });

  it("too few reveals at the end: full refund, no slash, silent seats penalized to the treasury, claims refused", () => {
    matchedJob([validator1, validator2, validator3].map((w) => [w, 2n * MIN]));
    expect(read.getValidationWindows(1)!.minReveals).toBe(2n);
    expect(commit(validator1, 1, 90).result).toBeOk(Cl.bool(true));
    expect(commit(validator2, 1, 90).result).toBeOk(Cl.bool(true));
    mineUntil(read.getValidationWindows(1)!.commitClosesAt + 1n);
    expect(reveal(validator1, 1, 90).result).toBeOk(Cl.bool(false));
    mineUntil(read.getValidationWindows(1)!.revealClosesAt + 1n);

    const before = balances(provider, bidder, validator1, validator2, validator3, contractId);
    const totalsBefore = read.getMarketTotals();
    const settled = finalizeValidation(outsider, 1);
    expect(settled.result).toBeOk(Cl.uint(OUTCOME.NO_QUORUM));
    // validator2 committed but did not reveal, validator3 never voted: both silent
    expect(penaltiesIn(settled)).toEqual(new Map([[validator2, 20_000n], [validator3, 20_000n]]));
    expect(printEvents(settled).find((e) => e.event === "bid-expired")).toMatchObject({ refund: 500_000n, penalties: 40_000n });
    expect(stxTransfers(settled)).toEqual([{ sender: contractId, recipient: bidder, amount: 500_000n }]);
    const moved = deltas(before);
    expect(moved.get(bidder)).toBe(500_000n);
    expect(moved.get(provider)).toBe(0n);
    expect(read.getDataset(1)).toMatchObject({ stake: DEFAULTS.minDatasetStake, validations: 0n, activeJobs: 0n });
    expect(read.getBid(1)?.status).toBe("EXPIRED");
    expect(read.getValidator(validator1)?.stake).toBe(2n * MIN);
    expect(read.getMarketTotals()).toMatchObject({
      treasury: totalsBefore.treasury + 40_000n,
      validatorStakes: totalsBefore.validatorStakes - 40_000n,
      unclaimedRewards: 0n,
    });
    expect(read.getJobResult(1)).toBeNull();
    expectErr(claim(validator1, 1), "JOB_NOT_FINALIZED");
    expectErr(claim(validator2, 1), "JOB_NOT_FINALIZED");
    expectErr(claim(validator3, 1), "JOB_NOT_FINALIZED");
  });

  it("pause waiver: a seat that never committed while a pause blocked commits is not penalized", () => {
    matchedJob([validator1, validator2, validator3].map((w) => [w, 2n * MIN]));
    expect(commit(validator1, 1, 80).result).toBeOk(Cl.bool(true));
    expect(commit(validator2, 1, 80).result).toBeOk(Cl.bool(true));
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    expectErr(commit(validator3, 1, 80), "PAUSED");
    simnet.mineEmptyBlocks(10);
    expect(setPaused(false).result).toBeOk(Cl.bool(true));

    mineUntil(read.getValidationWindows(1)!.commitClosesAt + 1n);
    expect(reveal(validator1, 1, 80).result).toBeOk(Cl.bool(false));
    expect(reveal(validator2, 1, 80).result).toBeOk(Cl.bool(false));
    mineUntil(read.getValidationWindows(1)!.revealClosesAt + 1n);
    const settled = finalizeValidation(outsider, 1);
    expect(settled.result).toBeOk(Cl.uint(OUTCOME.REWARDED));
    expect(penaltiesIn(settled).size).toBe(0);
    expect(read.getValidator(validator3)).toMatchObject({ stake: 2n * MIN, active: true, openSeats: 0n });
    expect(read.getJobResult(1)).toMatchObject({ penalties: 0n, rewardPool: 25_000n });
  });

  it("pause waiver on the refund path: a pause begun in the commit window excuses a never-committed seat, not a committed one", () => {
    matchedJob([validator1, validator2, validator3].map((w) => [w, 2n * MIN]));
    expect(commit(validator1, 1, 80).result).toBeOk(Cl.bool(true));
    expect(commit(validator2, 1, 80).result).toBeOk(Cl.bool(true));
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    mineUntil(read.getValidationWindows(1)!.commitClosesAt + 1n);
    // reveals work while paused; only validator1 reveals
    expect(reveal(validator1, 1, 80).result).toBeOk(Cl.bool(false));
    mineUntil(read.getValidationWindows(1)!.revealClosesAt + 1n);
    const settled = finalizeValidation(outsider, 1);
    expect(settled.result).toBeOk(Cl.uint(OUTCOME.NO_QUORUM));
    expect(penaltiesIn(settled)).toEqual(new Map([[validator2, 20_000n]]));
    expect(read.getValidator(validator3)?.stake).toBe(2n * MIN);
  });

  it("without a pause, the same never-committed seat is penalized", () => {
    matchedJob([validator1, validator2, validator3].map((w) => [w, 2n * MIN]));
    expect(commit(validator1, 1, 80).result).toBeOk(Cl.bool(true));
    expect(commit(validator2, 1, 80).result).toBeOk(Cl.bool(true));
    mineUntil(read.getValidationWindows(1)!.commitClosesAt + 1n);
    expect(reveal(validator1, 1, 80).result).toBeOk(Cl.bool(false));
    expect(reveal(validator2, 1, 80).result).toBeOk(Cl.bool(false));
    mineUntil(read.getValidationWindows(1)!.revealClosesAt + 1n);
    const settled = finalizeValidation(outsider, 1);
    expect(penaltiesIn(settled)).toEqual(new Map([[validator3, 20_000n]]));
  });
});

// ---------------------------------------------------------------------------
// 5. A ten-validator market, end to end
// ---------------------------------------------------------------------------

/**
 * The ten-validator market: deployer, the eight wallets and a tenth principal funded by the
 * deployer (the simnet takes any principal as tx-sender). Every call is followed by a solvency
 * check. A TypeScript model tracks the stakes and the ordered active set (swap-and-pop), draws the
 * committees, settles the jobs and keeps each account's expected net gain.
 */
function tenValidatorMarket() {
  const step = <T>(r: T): T => {
    expectSolvent();
    return r;
  };
  expect(simnet.transferSTX(10_000_000n, tenth, deployer).result).toBeOk(Cl.bool(true));
  const everyone = [deployer, ...wallets, tenth];
  const initial = balances(...everyone, contractId);

  // model state
  const stakes = new Map<string, bigint>();
  const set: string[] = [];
  const ledger = new Map(everyone.map((w) => [w, 0n]));
  const gain = (who: string, amount: bigint) => ledger.set(who, (ledger.get(who) ?? 0n) + amount);
  let treasury = 0n;
  const removeAt = (i: number) => {
    const last = set.pop() as string;
    if (i < set.length) set[i] = last;
  };

  const stakePlan: [string, bigint][] = [
    [deployer, 3_000_000n],
    [provider, 2_000_000n],
    [bidder, 2_000_000n],
    [validator1, 4_000_000n],
    [validator2, 2_500_000n],
    [validator3, 1_000_000n],
    [provider2, 2_000_000n],
    [bidder2, 1_500_000n],
    [outsider, 5_000_000n],
    [tenth, 2_000_000n],
  ];
  for (const [who, stake] of stakePlan) {
    expect(step(registerValidator(who, stake)).result).toBeOk(Cl.bool(true));
    stakes.set(who, stake);
    set.push(who);
  }
  expect(activeSet()).toEqual(set);

  const datasetStake = new Map([[1n, 2_000_000n], [2n, 3_000_000n]]);
  expect(step(registerDataset(provider, 2_000_000n)).result).toBeOk(Cl.uint(1));
  expect(step(setTerms(provider, 1, 0, 2)).result).toBeOk(Cl.bool(true));
  expect(step(registerDataset(provider2, 3_000_000n)).result).toBeOk(Cl.uint(2));

  type Job = { id: bigint; dataset: bigint; provider: string; bidder: string; amount: bigint; scores: number[] };
  const jobs: Job[] = [
    { id: 1n, dataset: 1n, provider, bidder, amount: 1_000_000n, scores: [90, 85, 80, 88, 10] },
    { id: 2n, dataset: 1n, provider, bidder: bidder2, amount: 600_000n, scores: [55, 60, 50, 58, 95] },
    { id: 3n, dataset: 2n, provider: provider2, bidder: outsider, amount: 800_000n, scores: [20, 25, 15, 30, 90] },
    // queued behind job 3 on dataset 2; too few reveals: seats 0-1 reveal, seat 2 only commits, seats 3-4 stay silent
    { id: 4n, dataset: 2n, provider: provider2, bidder: deployer, amount: 400_000n, scores: [70, 75, 72] },
  ];

  const first = step(placeBid(jobs[0].bidder, 1, jobs[0].amount));
  expect(first.result).toBeOk(Cl.uint(1));
  // n = 10: no committee at the match, and none until the seed (after the decline window) exists
  expect(eventNames(first)).toEqual(["bid-placed", "bid-matched"]);
  expectErr(step(drawCommittee(tenth, 1)), "SEED_NOT_READY");
  for (const job of jobs.slice(1)) {
    expect(step(placeBid(job.bidder, job.dataset, job.amount)).result).toBeOk(Cl.uint(job.id));
  }
  expect([1, 2, 3, 4].map((b) => read.getBid(b)?.status)).toEqual(["MATCHED", "MATCHED", "MATCHED", "QUEUED"]);

  const seats = new Map<bigint, string[]>();
  /** Each job's seat weights: its members' stakes at the draw. */
  const drawWeights = new Map<bigint, Map<string, bigint>>();
  /** Draws a job's committee from the model, checks the contract agrees. `via` draws it by a first commit. */
  const drawFromSeed = (job: Job, via: "draw" | "commit") => {
    const seed = read.getCommitteeSeed(job.id);
    expect(seed).not.toBeNull();
    expect(activeSet()).toEqual(set);
    // nothing changed the set since the match: the draw reads the set of the match
    expect(read.getBid(job.id)).toMatchObject({ validatorsAtMatch: BigInt(set.length) });
    const model = modelCommittee(job.id, seed, set, [job.provider, job.bidder]);
    expect(model).toHaveLength(5);
    expect(model).not.toContain(job.provider);
    expect(model).not.toContain(job.bidder);
    expect(new Set(model).size).toBe(5);
    if (via === "draw") {
      expect(step(drawCommittee(tenth, job.id)).result).toBeOk(Cl.list(model.map((w) => Cl.principal(w))));
    } else {
      const r = step(commit(model[0], job.id, job.scores[0]));
      expect(eventNames(r)).toEqual(["committee-drawn", "validation-committed"]);
    }
    expect(seatsOf(job.id)).toEqual(model);
    const weights = model.map((w) => stakes.get(w) as bigint);
    expect(read.getCommittee(job.id)).toMatchObject({ weights, totalWeight: weights.reduce((a, b) => a + b, 0n) });
    seats.set(job.id, model);
    drawWeights.set(job.id, new Map(model.map((w, i) => [w, weights[i]])));
    return model;
  };

  const settlements = new Map<bigint, Settlement>();
  /** Commits (those not yet committed) and reveals all seats; the last reveal finalizes. */
  const settleByReveals = (job: Job) => {
    // a vote weighs its seat: the stake at the draw, even after penalties on earlier jobs
    const plays: SeatPlay[] = (seats.get(job.id) as string[]).map((who, i) => ({
      who, weight: drawWeights.get(job.id)?.get(who) as bigint, committed: true, revealed: true, score: BigInt(job.scores[i]),
    }));
    const model = modelSettlement(job.amount, datasetStake.get(job.dataset) as bigint, plays, (w) => stakes.get(w) as bigint);
    for (const p of plays) expect(step(commit(p.who, job.id, p.score)).result).toBeOk(Cl.bool(true));
    const before = balances(job.provider, job.bidder, contractId);
    let last: ReturnType<typeof reveal> | undefined;
    plays.forEach((p, i) => {
      last = step(reveal(p.who, job.id, p.score));
      expect(last.result).toBeOk(Cl.bool(i === plays.length - 1));
    });
    const r = last as ReturnType<typeof reveal>;
    expect(read.getJobResult(job.id)).toMatchObject(expectedResult(model));
    expect(penaltiesIn(r)).toEqual(model.penalties);
    const moved = deltas(before);
    expect(moved.get(job.provider)).toBe(model.providerPayment);
    expect(moved.get(job.bidder)).toBe(model.bidderRefund);
    expect(moved.get(contractId)).toBe(-(model.providerPayment + model.bidderRefund));
    return { model, plays, result: r };
  };

  /** Applies a settlement to the model: penalties (in seat order, removals by swap-and-pop), payments, treasury. */
  const applySettlement = (job: Job, model: Settlement, seatOrder: string[]) => {
    for (const who of seatOrder) {
      const p = model.penalties.get(who) ?? 0n;
      if (p === 0n) continue;
      const stake = (stakes.get(who) as bigint) - p;
      stakes.set(who, stake);
      gain(who, -p);
      if (stake < MIN && set.includes(who)) removeAt(set.indexOf(who));
    }
    gain(job.provider, model.providerPayment - model.slashed);
    gain(job.bidder, -job.amount + model.bidderRefund);
    datasetStake.set(job.dataset, (datasetStake.get(job.dataset) as bigint) - model.slashed);
    treasury += model.treasuryGain;
    settlements.set(job.id, model);
    expect(read.getMarketTotals().treasury).toBe(treasury);
    expect(activeSet()).toEqual(set);
    for (const [who, stake] of stakes) expect(read.getValidator(who)?.stake).toBe(stake);
  };

  return { step, everyone, initial, stakes, set, ledger, gain, jobs, seats, drawWeights, settlements, drawFromSeed, settleByReveals, applySettlement, removeAt, getTreasury: () => treasury };
}

type Market = ReturnType<typeof tenValidatorMarket>;

/**
 * Draws jobs 1-3; one seated validator exits (it leaves the set, keeps its seats and votes on
 * them later), then one unseated validator exits.
 */
function drawFirstCommittees(m: Market) {
  for (const job of m.jobs.slice(0, 3)) awaitSeed(job.id);
  for (const job of m.jobs.slice(0, 3)) m.drawFromSeed(job, "draw");
  const seatCount = (w: string) => [...m.seats.values()].filter((s) => s.includes(w)).length;
  for (const w of m.set) expect(read.getValidator(w)?.openSeats).toBe(BigInt(seatCount(w)));
  // the seated validator with the most seats that is not a party of job 4
  const seated = m.set.filter((w) => seatCount(w) > 0 && w !== provider2 && w !== deployer);
  const busiest = seated.reduce((a, b) => (seatCount(b) > seatCount(a) ? b : a));
  const exit = m.step(requestExit(busiest));
  expect(exit.result).toBeOk(Cl.uint(height() + DEFAULTS.validatorUnbondingBlocks));
  expect(printEvents(exit)[0]).toMatchObject({ validator: busiest, "open-seats": BigInt(seatCount(busiest)) });
  m.removeAt(m.set.indexOf(busiest));
  expect(read.getValidator(busiest)).toMatchObject({ active: false, openSeats: BigInt(seatCount(busiest)) });
  for (const [id, members] of m.seats) expect(seatsOf(id)).toEqual(members);

  const idle = m.set.filter((w) => seatCount(w) === 0);
  expect(idle.length).toBeGreaterThan(0);
  expect(m.step(requestExit(idle[0])).result).toBeOk(Cl.uint(height() + DEFAULTS.validatorUnbondingBlocks));
  m.removeAt(m.set.indexOf(idle[0]));
  expect(activeSet()).toEqual(m.set);
}

/** Settles jobs 1-3 by full reveals, then job 4 (matched from the queue) by too few reveals. */
function settleAllJobs(m: Market) {
  const [j1, j2, j3, j4] = m.jobs;
  const outcomes: bigint[] = [];
  for (const job of [j1, j2, j3]) {
    const { model } = m.settleByReveals(job);
    outcomes.push(model.outcome);
    m.applySettlement(job, model, m.seats.get(job.id) as string[]);
  }
  expect(outcomes).toEqual([OUTCOME.REWARDED, OUTCOME.PARTIAL, OUTCOME.SLASHED].map(BigInt));
  // job 3's settlement freed dataset 2's slot: job 4 was matched from the queue
  expect(read.getBid(4)).toMatchObject({ status: "MATCHED", matchedAt: height() });
  expect(read.getCommittee(4)).toBeNull();

  // job 4: its committee is drawn by the first commit, from the seed of the blocks after its match and decline window
  awaitSeed(4);
  const seats4 = m.drawFromSeed(j4, "commit");
  const weights = m.drawWeights.get(4n) as Map<string, bigint>;
  expect(m.step(commit(seats4[1], 4, j4.scores[1])).result).toBeOk(Cl.bool(true));
  expect(m.step(commit(seats4[2], 4, j4.scores[2])).result).toBeOk(Cl.bool(true));
  expect(read.getValidationWindows(4)!.minReveals).toBe(3n);
  mineUntil(read.getValidationWindows(4)!.commitClosesAt + 1n);
  expectErr(m.step(commit(seats4[3], 4, 50)), "VALIDATION_CLOSED");
  expect(m.step(reveal(seats4[0], 4, j4.scores[0])).result).toBeOk(Cl.bool(false));
  expect(m.step(reveal(seats4[1], 4, j4.scores[1])).result).toBeOk(Cl.bool(false));
  mineUntil(read.getValidationWindows(4)!.revealClosesAt + 1n);
  const plays: SeatPlay[] = seats4.map((who, i) => ({
    who, weight: weights.get(who) as bigint, committed: i < 3, revealed: i < 2, score: BigInt(j4.scores[i] ?? 0),
  }));
  const model = modelSettlement(j4.amount, 0n, plays, (w) => m.stakes.get(w) as bigint);
  expect(model.kind).toBe("refunded");
  const before = balances(j4.bidder, j4.provider);
  const r = m.step(finalizeValidation(tenth, 4));
  expect(r.result).toBeOk(Cl.uint(OUTCOME.NO_QUORUM));
  expect(penaltiesIn(r)).toEqual(model.penalties);
  expect(deltas(before).get(j4.bidder)).toBe(j4.amount);
  expect(deltas(before).get(j4.provider)).toBe(0n);
  m.applySettlement(j4, model, seats4);

  // claims: coherent seats share each pool, outliers get u0, job 4 has no result
  for (const job of [j1, j2, j3]) {
    const s = m.settlements.get(job.id) as Settlement;
    const shares = claimShares(s.pool, s.coherent.map((c) => c.weight));
    s.coherent.forEach((c, i) => {
      expect(m.step(claim(c.who, job.id)).result).toBeOk(Cl.uint(shares[i]));
      m.gain(c.who, shares[i]);
    });
    for (const who of m.seats.get(job.id) as string[]) {
      if (!s.coherent.some((c) => c.who === who)) expect(m.step(claim(who, job.id)).result).toBeOk(Cl.uint(0));
    }
    expectErr(m.step(claim(job.provider, job.id)), "NOT_JOB_VALIDATOR");
  }
  expectErr(m.step(claim(seats4[0], 4)), "JOB_NOT_FINALIZED");
  expect(read.getMarketTotals().unclaimedRewards).toBe(0n);
  expect(read.getMarketTotals().escrowedBids).toBe(0n);
}

/** Every validator exits and withdraws, both datasets are withdrawn and the treasury is paid out. */
function closeMarket(m: Market) {
  for (const w of [...m.set]) {
    expect(m.step(requestExit(w)).result).toBeOk(Cl.uint(height() + DEFAULTS.validatorUnbondingBlocks));
    m.removeAt(m.set.indexOf(w));
  }
  expect(read.getActiveValidatorCount()).toBe(0n);
  simnet.mineEmptyBlocks(Number(DEFAULTS.validatorUnbondingBlocks));
  for (const [who, stake] of m.stakes) expect(m.step(withdrawValidator(who)).result).toBeOk(Cl.uint(stake));

  // dataset 1 passed a validation: free at once; dataset 2 never did: locked for stake-lock-blocks
  expect(m.step(withdrawStake(provider, 1)).result).toBeOk(Cl.uint(2_000_000n));
  expectErr(m.step(withdrawStake(provider2, 2)), "STAKE_LOCKED");
  mineUntil((read.getDataset(2)?.lastSettledAt as bigint) + DEFAULTS.stakeLockBlocks + 1n);
  // 3,000,000 less job 3's 50% slash
  expect(m.step(withdrawStake(provider2, 2)).result).toBeOk(Cl.uint(1_500_000n));

  const treasury = m.getTreasury();
  expect(treasury).toBeGreaterThan(0n);
  expect(m.step(withdrawTreasury(treasury, deployer)).result).toBeOk(Cl.uint(treasury));
  m.gain(deployer, treasury);
}

describe("ten-validator market", () => {
  it("draws every committee from its seed; a seated validator's exit keeps its seats, an idle one simply leaves", () => {
    const m = tenValidatorMarket();
    expect(m.set).toHaveLength(10);
    drawFirstCommittees(m);
    expect(read.getActiveValidatorCount()).toBe(8n);
  });

  it("commits, reveals and finalizes every job moving exactly the model's STX, solvent after every step", () => {
    const m = tenValidatorMarket();
    drawFirstCommittees(m);
    settleAllJobs(m);
    expect([...m.settlements.keys()]).toEqual([1n, 2n, 3n, 4n]);
    expect(read.getDataset(1)).toMatchObject({ validations: 2n, passedValidations: 1n });
    expect(read.getDataset(2)).toMatchObject({ validations: 1n, passedValidations: 0n, stake: 1_500_000n });
  });

  it("after exits and withdrawals the contract is empty and every balance reconciles with the job results", () => {
    const m = tenValidatorMarket();
    drawFirstCommittees(m);
    settleAllJobs(m);
    closeMarket(m);

    expect(stx(contractId)).toBe(0n);
    expect(read.getMarketTotals()).toEqual({ datasetStakes: 0n, validatorStakes: 0n, escrowedBids: 0n, unclaimedRewards: 0n, treasury: 0n, surplus: 0n });
    const moved = deltas(m.initial);
    for (const who of m.everyone) expect([who, moved.get(who)]).toEqual([who, m.ledger.get(who)]);
    // a closed system: what one account gained another lost
    expect([...m.ledger.values()].reduce((a, b) => a + b, 0n)).toBe(0n);
    expect(moved.get(contractId)).toBe(0n);
  });
});

// ---------------------------------------------------------------------------
// 6. The README's calls in a one-validator market: tests/readme-usage.test.ts (not duplicated here).
// ---------------------------------------------------------------------------
