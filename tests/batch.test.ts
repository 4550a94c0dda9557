/**
 * The batch validation calls: commit-validation-results, reveal-validation-results and
 * claim-validation-rewards (one validator, up to 25 jobs, all or nothing), the client builders
 * for them, and the races their post-conditions must survive: two seats of one committee planning
 * from the same state, landing in either order.
 */
import { Cl, ClarityType, Pc, type ClarityValue } from "@stacks/transactions";
import { describe, expect, it } from "vitest";
import {
  MAX_BATCH,
  MarketClient,
  checkStxPostConditions,
  computeCommitment,
  drawSeats,
  marketCalls,
  planClaimValidationReward,
  planClaimValidationRewards,
  planRevealValidationResult,
  planRevealValidationResults,
  planSettlementCeiling,
  settlementTotal,
  fromSimnet,
  type MarketCall,
} from "../src/client/index.ts";
import {
  DEFAULTS,
  ERR,
  balances,
  bidder,
  bidder2,
  call,
  claim,
  commit,
  commitmentFor,
  contractId,
  deltas,
  deployer,
  eventNames,
  expectErr,
  expectSolvent,
  finalizeValidation,
  height,
  mineUntil,
  outsider,
  placeBid,
  printEvents,
  provider,
  provider2,
  read,
  registerDatasetWithTerms,
  registerValidator,
  reveal,
  saltFor,
  seatsOf,
  setPaused,
  stx,
  stxTransfers,
  validator1,
  validator2,
  validator3,
} from "./helpers.ts";

// ---------------------------------------------------------------------------
// Local helpers
// ---------------------------------------------------------------------------

type CallResult = ReturnType<typeof call>;
type Vote = [bidId: number | bigint, score: number | bigint];

/** The five validators of a small market: every one of them sits on every job at its match. */
const FIVE = [validator1, validator2, validator3, provider2, bidder2];

/**
 * Registers the validators (1 STX each unless a stake is given), then a dataset of `provider` with
 * `jobs` slots (no price), then `jobs` matched 500,000 bids of `bidder` (ids 1..jobs).
 */
function market(validators: readonly (string | [string, bigint])[], jobs: number): bigint[] {
  for (const v of validators) {
    const [who, stake] = typeof v === "string" ? [v, DEFAULTS.minValidatorStake] : v;
    expect(registerValidator(who, stake).result).toBeOk(Cl.bool(true));
  }
  expect(registerDatasetWithTerms(provider, DEFAULTS.minDatasetStake, "ipfs://batch-dataset", 0, jobs).result).toBeOk(Cl.uint(1));
  return Array.from({ length: jobs }, (_, i) => {
    const bidId = BigInt(i + 1);
    expect(placeBid(bidder, 1, 500_000n).result).toBeOk(Cl.uint(bidId));
    expect(read.getBid(bidId)?.status).toBe("MATCHED");
    return bidId;
  });
}

function commitList(who: string, votes: readonly Vote[]): ClarityValue {
  return Cl.list(votes.map(([bidId, score]) => Cl.tuple({ "bid-id": Cl.uint(bidId), commitment: commitmentFor(who, bidId, score) })));
}

/** `commit-validation-results` of `who`, each entry the commitment of its score with `saltFor(who, bidId)`. */
function commitBatch(who: string, votes: readonly Vote[]): CallResult {
  return call("commit-validation-results", [commitList(who, votes)], who);
}

/** `reveal-validation-results` of `who`; each entry's salt defaults to `saltFor(who, bidId)`. */
function revealBatch(who: string, votes: readonly [bidId: number | bigint, score: number | bigint, salt?: Uint8Array][]): CallResult {
  const entries = votes.map(([bidId, score, salt]) =>
    Cl.tuple({ "bid-id": Cl.uint(bidId), score: Cl.uint(score), salt: Cl.buffer(salt ?? saltFor(who, bidId)) }),
  );
  return call("reveal-validation-results", [Cl.list(entries)], who);
}

function claimBatch(who: string, bidIds: readonly (number | bigint)[]): CallResult {
  return call("claim-validation-rewards", [Cl.list(bidIds.map((id) => Cl.uint(id)))], who);
}

/** Runs a built call on the simnet as built (contract, function, arguments) from `sender`. */
function run(built: MarketCall, sender: string): CallResult {
  return simnet.callPublicFn(`${built.contractAddress}.${built.contractName}`, built.functionName, built.functionArgs, sender);
}

function client() {
  return MarketClient.forSimnet(simnet, contractId);
}

const reader = () => fromSimnet(simnet, contractId);

/** The post-condition of a contract that may send at most `ceiling`. */
const atMost = (ceiling: bigint) => Pc.principal(contractId).willSendLte(ceiling).ustx();
/** The post-condition of a contract that must send exactly `amount`. */
const exactly = (amount: bigint) => Pc.principal(contractId).willSendEq(amount).ustx();

/** `call` with its post-conditions replaced by the exact amount a plan expected (none for 0), as before ceilings. */
function asExact(built: MarketCall, planned: bigint): MarketCall {
  return { ...built, postConditions: planned > 0n ? [exactly(planned)] : [] };
}

/** Everything a failed batch must have left alone: these balances, and no event. */
function expectNothingMoved(res: CallResult, before: Map<string, bigint>) {
  expect(res.events).toEqual([]);
  for (const [who, delta] of deltas(before)) expect(delta, who).toBe(0n);
}

const okTuple = (revealed: number, finalized: number) => Cl.ok(Cl.tuple({ revealed: Cl.uint(revealed), finalized: Cl.uint(finalized) }));

/** The reward-claimed events of a call as [bid-id, amount, coherent]. */
function claimsOf(res: CallResult): [bigint, bigint, boolean][] {
  return printEvents(res)
    .filter((e) => e.event === "validation-reward-claimed")
    .map((e) => [e["bid-id"] as bigint, e.amount as bigint, e.coherent as boolean]);
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

// ---------------------------------------------------------------------------
// commit-validation-results
// ---------------------------------------------------------------------------

/**
 * A small market for the commit tests: validator1..3 and provider2 (1 STX each) sit on job 1;
 * bidder2 registers after it, so jobs 2 and 3 (bidder's) seat all five and job 4 (provider2's
 * own bid) seats everyone but provider2. Dataset 1 has 4 slots.
 */
function commitMarket() {
  market([validator1, validator2, validator3, provider2], 1);
  expect(seatsOf(1)).toEqual([validator1, validator2, validator3, provider2]);
  expect(call("set-dataset-terms", [Cl.uint(1), Cl.uint(0), Cl.uint(4)], provider).result).toBeOk(Cl.bool(true));
  expect(registerValidator(bidder2).result).toBeOk(Cl.bool(true));
  expect(placeBid(bidder, 1, 500_000n).result).toBeOk(Cl.uint(2));
  expect(placeBid(bidder, 1, 500_000n).result).toBeOk(Cl.uint(3));
  expect(placeBid(provider2, 1, 500_000n).result).toBeOk(Cl.uint(4));
  expect(seatsOf(2)).toEqual(FIVE);
  expect(seatsOf(3)).toEqual(FIVE);
  expect(seatsOf(4)).toEqual([validator1, validator2, validator3, bidder2]);
}

describe("commit-validation-results", () => {
  it("commits on several jobs in one call: a vote per job, each committee's commit count, one validation-committed event per entry, (ok count)", () => {
    commitMarket();
    const votes: Vote[] = [
      [1, 80],
      [2, 55],
      [3, 70],
      [4, 10],
    ];
    const res = commitBatch(validator1, votes);
    expect(res.result).toBeOk(Cl.uint(4));
    for (const [bidId, score] of votes) {
      expect(read.getVote(bidId, validator1)).toEqual({
        commitment: hex(computeCommitment(score, saltFor(validator1, bidId), bidId, validator1)),
        score: 0n,
        weight: DEFAULTS.minValidatorStake,
        revealed: false,
        claimed: false,
      });
      expect(read.getCommittee(bidId)).toMatchObject({ commits: 1n, reveals: 0n });
      // nobody else's vote appeared
      for (const other of [validator2, validator3, bidder2]) expect(read.getVote(bidId, other)).toBeNull();
    }
    const events = printEvents(res);
    expect(events.map((e) => [e.event, e["bid-id"], e.validator])).toEqual(
      votes.map(([bidId]) => ["validation-committed", BigInt(bidId), validator1]),
    );
    expect(stxTransfers(res)).toEqual([]);
  });

  it("each validator's batch counts on every committee; the full commits open the reveals", () => {
    commitMarket();
    for (const who of FIVE) {
      const jobs: Vote[] = [[2, 70], [3, 70]];
      expect(commitBatch(who, jobs).result).toBeOk(Cl.uint(2));
    }
    expect(read.getCommittee(2)).toMatchObject({ commits: 5n });
    expect(read.getCommittee(3)).toMatchObject({ commits: 5n });
    // every seat committed: the reveals are open before the commit phase ends
    expect(reveal(validator1, 2, 70).result).toBeOk(Cl.bool(false));
    expect(read.getVote(2, validator1)).toMatchObject({ revealed: true, score: 70n });
  });

  it("in a market larger than the committee, the batch's first commit on a job draws its committee (committee-drawn, then validation-committed)", () => {
    const six = [deployer, validator1, validator2, validator3, provider2, bidder2];
    market(six, 3);
    for (const bidId of [1n, 2n, 3n]) expect(read.getCommittee(bidId)).toBeNull();
    // no seed before the Bitcoin block after the decline window: the batch fails, nothing drawn
    expectErr(commitBatch(validator1, [[1, 80]]), "SEED_NOT_READY");
    expect(read.getCommittee(1)).toBeNull();
    expect(read.getVote(1, validator1)).toBeNull();
    mineUntil(height() + DEFAULTS.declineWindow + 1n);
    const predicted = [1n, 2n, 3n].map((bidId) =>
      drawSeats({
        bidId,
        seed: Buffer.from(read.getCommitteeSeed(bidId) as string, "hex"),
        validatorsAtMatch: 6,
        registrationsAtMatch: 6n,
        committeeSize: 5,
        provider,
        bidder,
        entryAt: (i) => (i < 6 ? { validator: read.getValidatorAt(i) as string, ordinal: BigInt(i + 1) } : null),
      }),
    );
    const everywhere = six.find((v) => predicted.every((seats) => seats.includes(v)));
    expect(everywhere).toBeDefined();
    const who = everywhere as string;
    const res = commitBatch(who, [
      [1, 80],
      [2, 80],
      [3, 80],
    ]);
    expect(res.result).toBeOk(Cl.uint(3));
    expect(eventNames(res)).toEqual(["committee-drawn", "validation-committed", "committee-drawn", "validation-committed", "committee-drawn", "validation-committed"]);
    expect(printEvents(res).filter((e) => e.event === "committee-drawn").map((e) => [e["bid-id"], e.seats, e.random])).toEqual(
      predicted.map((seats, i) => [BigInt(i + 1), seats, true]),
    );
    for (const [i, seats] of predicted.entries()) {
      expect(read.getCommittee(i + 1)).toMatchObject({ seats, commits: 1n });
      expect(read.getVote(i + 1, who)).toMatchObject({ revealed: false });
    }
  });

  it("a failing entry also undoes the committees the batch drew before it", () => {
    const six = [deployer, validator1, validator2, validator3, provider2, bidder2];
    market(six, 3);
    mineUntil(height() + DEFAULTS.declineWindow + 1n);
    const seatsAt = (bidId: bigint) =>
      drawSeats({
        bidId,
        seed: Buffer.from(read.getCommitteeSeed(bidId) as string, "hex"),
        validatorsAtMatch: 6,
        registrationsAtMatch: 6n,
        committeeSize: 5,
        provider,
        bidder,
        entryAt: (i) => (i < 6 ? { validator: read.getValidatorAt(i) as string, ordinal: BigInt(i + 1) } : null),
      });
    const drawn = [1n, 2n, 3n].map(seatsAt);
    // a validator seated on job a but not on job b (each job leaves exactly one of the six out)
    let pick: { who: string; a: bigint; b: bigint } | undefined;
    for (const who of six)
      for (const a of [0, 1, 2])
        for (const b of [0, 1, 2]) if (!pick && drawn[a].includes(who) && !drawn[b].includes(who)) pick = { who, a: BigInt(a + 1), b: BigInt(b + 1) };
    expect(pick).toBeDefined();
    const { who, a, b } = pick!;
    const res = commitBatch(who, [
      [a, 80],
      [b, 80],
    ]);
    expectErr(res, "NOT_ON_COMMITTEE");
    expect(res.events).toEqual([]);
    expect(read.getCommittee(a)).toBeNull();
    expect(read.getCommittee(b)).toBeNull();
    expect(read.getVote(a, who)).toBeNull();
    // the same commit alone draws the committee and lands
    const alone = commitBatch(who, [[a, 80]]);
    expect(alone.result).toBeOk(Cl.uint(1));
    expect(read.getCommittee(a)).toMatchObject({ seats: drawn[Number(a) - 1], commits: 1n });
  });

  it("an empty batch is refused with EMPTY_BATCH (after the once-per-call caller checks)", () => {
    commitMarket();
    expectErr(call("commit-validation-results", [Cl.list([])], validator1), "EMPTY_BATCH");
    expect(ERR.EMPTY_BATCH).toBe(519);
    // the caller checks come first: a non-validator's empty batch is refused for who it is
    expectErr(call("commit-validation-results", [Cl.list([])], outsider), "VALIDATOR_NOT_FOUND");
  });

  it.each([
    { name: "a duplicate bid-id", who: validator1, entries: [2, 3, 2], error: "ALREADY_VOTED", first: 0 },
    { name: "a job already committed on", who: validator1, entries: [2, 1, 3], error: "ALREADY_VOTED", first: 1 },
    { name: "an unknown bid", who: validator1, entries: [2, 99, 3], error: "BID_NOT_FOUND", first: 0 },
    { name: "a job whose committee the caller does not sit on", who: bidder2, entries: [2, 1, 3], error: "NOT_ON_COMMITTEE", first: 0 },
    { name: "a job of the caller's own bid", who: provider2, entries: [2, 4, 3], error: "PARTY_CANNOT_VALIDATE", first: 0 },
  ] as const)("$name in the middle fails the whole call with its error ($error) and records nothing", ({ who, entries, error, first }) => {
    commitMarket();
    if (first) expect(commit(who, first, 50).result).toBeOk(Cl.bool(true));
    const commitsBefore = [1, 2, 3, 4].map((id) => read.getCommittee(id)?.commits);
    const res = commitBatch(
      who,
      entries.map((id): Vote => [id, 80]),
    );
    expectErr(res, error);
    expect(res.events).toEqual([]);
    // the good entries around the bad one left no vote, and no committee counted them
    expect(read.getVote(2, who)).toBeNull();
    expect(read.getVote(3, who)).toBeNull();
    expect([1, 2, 3, 4].map((id) => read.getCommittee(id)?.commits)).toEqual(commitsBefore);
    // a vote from before the batch is untouched
    if (first) expect(read.getVote(first, who)).toMatchObject({ commitment: hex(computeCommitment(50, saltFor(who, first), first, who)) });
  });

  it("paused: refused with PAUSED, nothing recorded; unpaused, the same batch lands", () => {
    commitMarket();
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    const votes: Vote[] = [
      [2, 80],
      [3, 80],
    ];
    expectErr(commitBatch(validator1, votes), "PAUSED");
    expect(read.getVote(2, validator1)).toBeNull();
    expect(read.getCommittee(2)).toMatchObject({ commits: 0n });
    expect(setPaused(false).result).toBeOk(Cl.bool(true));
    expect(commitBatch(validator1, votes).result).toBeOk(Cl.uint(2));
  });

  it("a caller that is not a validator is refused with VALIDATOR_NOT_FOUND", () => {
    commitMarket();
    expectErr(commitBatch(outsider, [[2, 80]]), "VALIDATOR_NOT_FOUND");
    // nor is a party of the jobs, registered as nothing
    expectErr(commitBatch(provider, [[2, 80]]), "VALIDATOR_NOT_FOUND");
    expect(read.getVote(2, outsider)).toBeNull();
    expect(read.getCommittee(2)).toMatchObject({ commits: 0n });
  });

  it("after the commit phase, refused with VALIDATION_CLOSED", () => {
    commitMarket();
    mineUntil(read.getValidationWindows(2)!.commitClosesAt + 1n);
    expectErr(commitBatch(validator1, [[2, 80]]), "VALIDATION_CLOSED");
  });

  it("25 entries: five validators commit, reveal (the last batch finalizing 25 jobs) and claim 25 jobs, one call each", () => {
    const jobs = market(FIVE, 25);
    const votes = jobs.map((id): Vote => [id, 80]);
    for (const who of FIVE) expect(commitBatch(who, votes).result).toBeOk(Cl.uint(25));
    for (const id of jobs) expect(read.getCommittee(id)).toMatchObject({ commits: 5n });
    for (const who of FIVE.slice(0, 4)) expect(revealBatch(who, votes).result).toStrictEqual(okTuple(25, 0));
    const before = balances(provider, contractId);
    const last = revealBatch(bidder2, votes);
    expect(last.result).toStrictEqual(okTuple(25, 25));
    expect(eventNames(last).filter((e) => e === "job-finalized")).toHaveLength(25);
    // each job pays the provider 500,000 less 5% validator fees and 1% protocol fee
    expect(deltas(before).get(provider)).toBe(25n * 470_000n);
    for (const id of jobs) expect(read.getJobResult(id)).toMatchObject({ finalScore: 80n, outcome: "REWARDED", rewardPool: 25_000n });
    for (const who of FIVE) {
      const claimed = claimBatch(who, jobs);
      // 25,000 shared by five equal seats: 5,000 per job, paid in one transfer
      expect(claimed.result).toBeOk(Cl.uint(25n * 5_000n));
      expect(stxTransfers(claimed)).toEqual([{ sender: contractId, recipient: who, amount: 125_000n }]);
    }
    for (const id of jobs) expect(read.getJobResult(id)).toMatchObject({ rewardPool: 0n, rewardWeight: 0n });
    expect(read.getMarketTotals().unclaimedRewards).toBe(0n);
    expectSolvent();
  });

  it("26 entries do not fit the list type: the call is not even accepted", () => {
    const jobs = market(FIVE, 1);
    const votes = Array.from({ length: 26 }, (): Vote => [jobs[0], 80]);
    expect(() => commitBatch(validator1, votes)).toThrow(/TypeValueError.*max_len: 25/);
    expect(read.getVote(1, validator1)).toBeNull();
  });
});

// ---------------------------------------------------------------------------
// reveal-validation-results
// ---------------------------------------------------------------------------

/**
 * Five equal seats (1 STX) on four jobs of dataset 1:
 * - job 1: all commit 80; validator1..provider2 reveal; bidder2's reveal is the last.
 * - job 2: all commit 55; validator1..provider2 reveal; bidder2's reveal is the last.
 * - job 3: all commit 70; only validator1 reveals: bidder2's reveal is not the last.
 * - job 4: everyone but bidder2 commits.
 */
const SCORE = { 1: 80, 2: 55, 3: 70, 4: 60 } as const;
function revealMarket() {
  market(FIVE, 4);
  for (const who of FIVE) {
    const jobs = (who === bidder2 ? [1, 2, 3] : [1, 2, 3, 4]) as (keyof typeof SCORE)[];
    expect(commitBatch(who, jobs.map((id): Vote => [id, SCORE[id]])).result).toBeOk(Cl.uint(jobs.length));
  }
  for (const who of FIVE.slice(0, 4)) {
    expect(reveal(who, 1, SCORE[1]).result).toBeOk(Cl.bool(false));
    expect(reveal(who, 2, SCORE[2]).result).toBeOk(Cl.bool(false));
  }
  expect(reveal(validator1, 3, SCORE[3]).result).toBeOk(Cl.bool(false));
}

describe("reveal-validation-results", () => {
  it("reveals on several jobs; each entry completing its committee finalizes that job in the same call (ok {revealed, finalized})", () => {
    revealMarket();
    const before = balances(provider, bidder, contractId);
    const res = revealBatch(bidder2, [
      [1, SCORE[1]],
      [2, SCORE[2]],
      [3, SCORE[3]],
    ]);
    expect(res.result).toStrictEqual(okTuple(3, 2));
    expect(eventNames(res)).toEqual(["validation-revealed", "job-finalized", "validation-revealed", "job-finalized", "validation-revealed"]);
    // job 1 (80): the provider gets 500,000 - 25,000 - 5,000; job 2 (55): half the payment
    // (250,000 - 12,500 - 2,500) and the bidder the other half back
    expect(stxTransfers(res)).toEqual([
      { sender: contractId, recipient: provider, amount: 470_000n },
      { sender: contractId, recipient: provider, amount: 235_000n },
      { sender: contractId, recipient: bidder, amount: 250_000n },
    ]);
    const moved = deltas(before);
    expect(moved.get(provider)).toBe(705_000n);
    expect(moved.get(bidder)).toBe(250_000n);
    expect(moved.get(contractId)).toBe(-955_000n);
    expect(read.getJobResult(1)).toMatchObject({ finalScore: 80n, outcome: "REWARDED", providerPayment: 470_000n });
    expect(read.getJobResult(2)).toMatchObject({ finalScore: 55n, outcome: "PARTIAL", bidderRefund: 250_000n });
    expect(read.getBid(1)?.status).toBe("SETTLED");
    expect(read.getBid(2)?.status).toBe("SETTLED");
    // job 3 only took the reveal
    expect(read.getBid(3)?.status).toBe("MATCHED");
    expect(read.getJobResult(3)).toBeNull();
    expect(read.getCommittee(3)).toMatchObject({ reveals: 2n });
    for (const id of [1, 2, 3] as const) expect(read.getVote(id, bidder2)).toMatchObject({ revealed: true, score: BigInt(SCORE[id]) });
    expectSolvent();
  });

  it("the batch settles a job exactly as the single reveal does (twin jobs)", () => {
    // jobs 1 and 2 of a fresh market both score 80 by all five: bidder2 reveals job 1 alone, job 2 in a batch
    market(FIVE, 2);
    for (const who of FIVE) expect(commitBatch(who, [[1, 80], [2, 80]]).result).toBeOk(Cl.uint(2));
    for (const who of FIVE.slice(0, 4)) expect(revealBatch(who, [[1, 80], [2, 80]]).result).toStrictEqual(okTuple(2, 0));
    const single = reveal(bidder2, 1, 80);
    expect(single.result).toBeOk(Cl.bool(true));
    const batch = revealBatch(bidder2, [[2, 80]]);
    expect(batch.result).toStrictEqual(okTuple(1, 1));
    expect(stxTransfers(batch)).toEqual(stxTransfers(single));
    const { ["finalized-at"]: _a, ...one } = read.getJobResult(1) as Record<string, unknown>;
    const { ["finalized-at"]: _b, ...two } = read.getJobResult(2) as Record<string, unknown>;
    expect(two).toEqual(one);
    const strip = (res: CallResult) => printEvents(res).map(({ ["bid-id"]: _id, ...rest }) => rest);
    expect(strip(batch)).toEqual(strip(single));
  });

  it.each([
    { name: "a wrong salt", entry: [2, SCORE[2], saltFor(outsider, 2)], error: "COMMITMENT_MISMATCH" },
    { name: "a score other than the committed one", entry: [2, SCORE[2] + 1], error: "COMMITMENT_MISMATCH" },
    { name: "a score above 100", entry: [2, 101], error: "INVALID_SCORE" },
    { name: "a salt shorter than 32 bytes", entry: [2, SCORE[2], saltFor(bidder2, 2).subarray(0, 16)], error: "INVALID_SALT" },
    { name: "an unknown bid", entry: [99, 80], error: "BID_NOT_FOUND" },
    { name: "a job the caller never committed on", entry: [4, 60], error: "NOT_COMMITTED" },
    { name: "a job it finalized earlier in the batch", entry: [1, SCORE[1]], error: "JOB_NOT_RUNNING" },
  ] as const)("$name fails everything ($error): no reveal recorded, no job finalized, no STX moved", ({ entry, error }) => {
    revealMarket();
    const before = balances(provider, bidder, bidder2, contractId);
    const totals = read.getMarketTotals();
    const res = revealBatch(bidder2, [
      [1, SCORE[1]], // completes job 1: would finalize it and pay the provider
      [3, SCORE[3]],
      entry as unknown as [number, number, Uint8Array?],
    ]);
    expectErr(res, error);
    expectNothingMoved(res, before);
    expect(read.getMarketTotals()).toEqual(totals);
    for (const id of [1, 3]) expect(read.getVote(id, bidder2)).toMatchObject({ revealed: false, score: 0n });
    expect(read.getCommittee(1)).toMatchObject({ reveals: 4n });
    expect(read.getCommittee(3)).toMatchObject({ reveals: 1n });
    expect(read.getJobResult(1)).toBeNull();
    expect(read.getBid(1)?.status).toBe("MATCHED");
  });

  it("a duplicate entry fails with ALREADY_REVEALED and keeps nothing", () => {
    revealMarket();
    const res = revealBatch(bidder2, [
      [3, SCORE[3]],
      [3, SCORE[3]],
    ]);
    expectErr(res, "ALREADY_REVEALED");
    expect(read.getVote(3, bidder2)).toMatchObject({ revealed: false });
    expect(read.getCommittee(3)).toMatchObject({ reveals: 1n });
  });

  it("before every seat committed and while the commit phase runs, refused with REVEAL_NOT_OPEN", () => {
    revealMarket();
    // job 4 still misses bidder2's commit
    expectErr(revealBatch(validator1, [[4, SCORE[4]]]), "REVEAL_NOT_OPEN");
    expect(read.getVote(4, validator1)).toMatchObject({ revealed: false });
  });

  it("works while paused: the batch reveals and finalizes", () => {
    revealMarket();
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    const before = balances(provider);
    const res = revealBatch(bidder2, [
      [1, SCORE[1]],
      [3, SCORE[3]],
    ]);
    expect(res.result).toStrictEqual(okTuple(2, 1));
    expect(deltas(before).get(provider)).toBe(470_000n);
    expect(read.getJobResult(1)).toMatchObject({ outcome: "REWARDED" });
    expectSolvent();
  });

  it("an empty batch is refused with EMPTY_BATCH", () => {
    revealMarket();
    expectErr(call("reveal-validation-results", [Cl.list([])], bidder2), "EMPTY_BATCH");
  });
});

// ---------------------------------------------------------------------------
// claim-validation-rewards
// ---------------------------------------------------------------------------

/** Seat weights of the claims market: stakes 1, 2, 3, 1.5 and 1 STX (8.5 STX in all). */
const STAKES: [string, bigint][] = [
  [validator1, 1_000_000n],
  [validator2, 2_000_000n],
  [validator3, 3_000_000n],
  [provider2, 1_500_000n],
  [bidder2, 1_000_000n],
];

/**
 * Jobs 1..3 finalized by batches (every seat commits and reveals them, bidder2's reveal last):
 * jobs 1 and 2 scored 80 by all (pool 25,000); job 3 scored 80 but 20 by bidder2, an outlier
 * whose 1% penalty (10,000) joins the pool (35,000 for 7.5 STX of coherent weight).
 * Job 4: committed by all but bidder2, never revealed (still running).
 */
function claimsMarket() {
  market(STAKES, 4);
  const score = (who: string, id: number) => (id === 3 && who === bidder2 ? 20 : 80);
  for (const [who] of STAKES) {
    const jobs = who === bidder2 ? [1, 2, 3] : [1, 2, 3, 4];
    expect(commitBatch(who, jobs.map((id): Vote => [id, score(who, id)])).result).toBeOk(Cl.uint(jobs.length));
  }
  for (const [who] of STAKES) {
    const res = revealBatch(who, [1, 2, 3].map((id): Vote => [id, score(who, id)]));
    expect(res.result).toStrictEqual(okTuple(3, who === bidder2 ? 3 : 0));
  }
  expect(read.getJobResult(1)).toMatchObject({ rewardPool: 25_000n, rewardWeight: 8_500_000n });
  expect(read.getJobResult(2)).toMatchObject({ rewardPool: 25_000n, rewardWeight: 8_500_000n });
  expect(read.getJobResult(3)).toMatchObject({ rewardPool: 35_000n, rewardWeight: 7_500_000n });
}

describe("claim-validation-rewards", () => {
  it("claims several finalized jobs: one transfer of the sum, each share what a single claim pays (planner and twin job)", async () => {
    claimsMarket();
    const planned = await Promise.all([1, 2, 3].map((bidId) => planClaimValidationReward(reader(), { caller: validator2, bidId })));
    // 2 of 8.5 STX of 25,000, and 2 of 7.5 STX of 35,000
    expect(planned.map((p) => p.reward)).toEqual([5_882n, 5_882n, 9_333n]);
    const pools = [1, 2, 3].map((id) => read.getJobResult(id)?.rewardPool as bigint);
    const unclaimed = read.getMarketTotals().unclaimedRewards;

    // the twin: job 1 claimed alone
    const single = claim(validator2, 1);
    expect(single.result).toBeOk(Cl.uint(5_882n));

    const before = balances(validator2, contractId);
    const res = claimBatch(validator2, [2, 3]);
    expect(res.result).toBeOk(Cl.uint(5_882n + 9_333n));
    expect(stxTransfers(res)).toEqual([{ sender: contractId, recipient: validator2, amount: 15_215n }]);
    expect(deltas(before).get(validator2)).toBe(15_215n);
    expect(claimsOf(res)).toEqual([
      [2n, 5_882n, true],
      [3n, 9_333n, true],
    ]);
    // job 2 paid what job 1's single claim paid
    expect(claimsOf(single)).toEqual([[1n, 5_882n, true]]);
    // the pools and their weights shrank by the share and the seat
    for (const [i, id] of [1, 2, 3].entries()) {
      expect(read.getJobResult(id)).toMatchObject({
        rewardPool: pools[i] - planned[i].reward,
        rewardWeight: (id === 3 ? 7_500_000n : 8_500_000n) - 2_000_000n,
      });
      expect(read.getVote(id, validator2)).toMatchObject({ claimed: true });
    }
    expect(read.getMarketTotals().unclaimedRewards).toBe(unclaimed - 5_882n - 15_215n);
    expectSolvent();
  });

  it("a second claim fails with ALREADY_CLAIMED and pays nothing, even batched with an unclaimed job", () => {
    claimsMarket();
    expect(claimBatch(validator3, [1, 2]).result).toBeOk(Cl.uint(8_823n + 8_823n));
    const pool3 = read.getJobResult(3)?.rewardPool;
    const before = balances(validator3, contractId);
    expectErr(claimBatch(validator3, [1, 2]), "ALREADY_CLAIMED");
    const res = claimBatch(validator3, [3, 1]);
    expectErr(res, "ALREADY_CLAIMED");
    expectNothingMoved(res, before);
    expect(read.getVote(3, validator3)).toMatchObject({ claimed: false });
    expect(read.getJobResult(3)?.rewardPool).toBe(pool3);
    expectErr(claim(validator3, 1), "ALREADY_CLAIMED");
    // the unclaimed job still pays alone
    expect(claimBatch(validator3, [3]).result).toBeOk(Cl.uint(14_000n));
  });

  it("an outlier's entry contributes 0: its seat is spent and its job's pool is untouched", () => {
    claimsMarket();
    const pool3 = read.getJobResult(3)?.rewardPool;
    const res = claimBatch(bidder2, [1, 3]);
    // 1 of 8.5 STX of 25,000 on job 1, nothing on job 3
    expect(res.result).toBeOk(Cl.uint(2_941n));
    expect(claimsOf(res)).toEqual([
      [1n, 2_941n, true],
      [3n, 0n, false],
    ]);
    expect(stxTransfers(res)).toEqual([{ sender: contractId, recipient: bidder2, amount: 2_941n }]);
    expect(read.getVote(3, bidder2)).toMatchObject({ claimed: true });
    expect(read.getJobResult(3)).toMatchObject({ rewardPool: pool3, rewardWeight: 7_500_000n });
    expectErr(claimBatch(bidder2, [3]), "ALREADY_CLAIMED");
  });

  it("a batch of outlier seats only pays (ok u0) without any transfer", () => {
    claimsMarket();
    const res = claimBatch(bidder2, [3]);
    expect(res.result).toBeOk(Cl.uint(0));
    expect(stxTransfers(res)).toEqual([]);
    expect(eventNames(res)).toEqual(["validation-reward-claimed"]);
    expectSolvent();
  });

  it.each([
    { name: "a job not finalized", who: validator1, bad: 4, error: "JOB_NOT_FINALIZED" },
    { name: "an unknown bid", who: validator1, bad: 99, error: "BID_NOT_FOUND" },
    { name: "a duplicate bid-id", who: validator1, bad: 1, error: "ALREADY_CLAIMED" },
  ] as const)("$name fails the whole batch ($error): nothing paid, no seat spent", ({ who, bad, error }) => {
    claimsMarket();
    const before = balances(who, contractId);
    const pools = [1, 2].map((id) => read.getJobResult(id)?.rewardPool);
    const res = claimBatch(who, [1, bad, 2]);
    expectErr(res, error);
    expectNothingMoved(res, before);
    expect([1, 2].map((id) => read.getJobResult(id)?.rewardPool)).toEqual(pools);
    for (const id of [1, 2]) expect(read.getVote(id, who)).toMatchObject({ claimed: false });
    expectSolvent();
  });

  it("a finalized job the caller had no vote on fails the whole batch with NOT_JOB_VALIDATOR", () => {
    claimsMarket();
    // job 4 ends after its windows without bidder2's vote
    mineUntil(read.getValidationWindows(4)!.commitClosesAt + 1n);
    for (const [who] of STAKES.slice(0, 4)) expect(reveal(who, 4, 80).result).toBeOk(Cl.bool(false));
    mineUntil(read.getValidationWindows(4)!.revealClosesAt + 1n);
    expect(finalizeValidation(outsider, 4).result.type).toBe(ClarityType.ResponseOk);
    expect(read.getJobResult(4)).not.toBeNull();
    const before = balances(bidder2, contractId);
    const res = claimBatch(bidder2, [1, 4]);
    expectErr(res, "NOT_JOB_VALIDATOR");
    expectNothingMoved(res, before);
    expect(read.getVote(1, bidder2)).toMatchObject({ claimed: false });
  });

  it("works while paused", () => {
    claimsMarket();
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    expect(claimBatch(validator1, [1, 2, 3]).result).toBeOk(Cl.uint(2_941n + 2_941n + 4_666n));
    expectSolvent();
  });

  it("an empty batch is refused with EMPTY_BATCH", () => {
    claimsMarket();
    expectErr(call("claim-validation-rewards", [Cl.list([])], validator1), "EMPTY_BATCH");
  });

  it("every seat's batch drains the pools exactly (the last claimant takes the dust) and the market stays solvent", () => {
    claimsMarket();
    const paid = new Map<bigint, bigint>();
    for (const [who] of STAKES) {
      const res = claimBatch(who, [1, 2, 3]);
      expect(res.result.type).toBe(ClarityType.ResponseOk);
      for (const [id, amount] of claimsOf(res)) paid.set(id, (paid.get(id) ?? 0n) + amount);
      expect(stxTransfers(res).map((t) => t.amount)).toEqual([claimsOf(res).reduce((s, [, a]) => s + a, 0n)]);
      expectSolvent();
    }
    expect([...paid]).toEqual([
      [1n, 25_000n],
      [2n, 25_000n],
      [3n, 35_000n],
    ]);
    for (const id of [1, 2, 3]) expect(read.getJobResult(id)).toMatchObject({ rewardPool: 0n, rewardWeight: 0n });
    expect(read.getMarketTotals().unclaimedRewards).toBe(0n);
  });
});

// ---------------------------------------------------------------------------
// Races: plans made from the same state, landing in either order
// ---------------------------------------------------------------------------

const ORDERS = [
  { order: "validator1 lands first", first: 0, second: 1 },
  { order: "validator2 lands first", first: 1, second: 0 },
] as const;

/**
 * A 2-seat committee (validator1 1 STX, validator2 2 STX) on job 1 (bidder, 500,000) of a
 * one-slot dataset; bid 2 (bidder2, 300,000, 10 blocks, deadline 12 blocks away) queued behind
 * it and stale once the chain has moved 3 blocks: whoever settles job 1 refunds it.
 * Both seats committed 80 on job 1.
 */
function raceMarket() {
  market(
    [
      [validator1, 1_000_000n],
      [validator2, 2_000_000n],
    ],
    1,
  );
  expect(placeBid(bidder2, 1, 300_000n, 10n, height() + 12n).result).toBeOk(Cl.uint(2));
  expect(read.getBid(2)?.status).toBe("QUEUED");
  expect(seatsOf(1)).toEqual([validator1, validator2]);
  for (const who of [validator1, validator2]) expect(commit(who, 1, 80).result).toBeOk(Cl.bool(true));
  mineUntil(height() + 5n);
}

describe("races: both seats plan from the same state", () => {
  it.each(ORDERS)("reveal-validation-result: $order; whichever lands second settles within its ceiling", async ({ first, second }) => {
    raceMarket();
    const seats = [validator1, validator2];
    const c = client();
    // both planned now: neither is the last reveal as things stand
    for (const who of seats) {
      expect((await planRevealValidationResult(reader(), { caller: who, bidId: 1n, score: 80n })).settlement).toBeNull();
    }
    expect(await planSettlementCeiling(reader(), { bidIds: [1n] })).toBe(800_000n);
    const calls = await Promise.all(seats.map((who) => c.revealValidationResult({ caller: who, bidId: 1n, score: 80n, salt: saltFor(who, 1n) })));
    for (const built of calls) expect(built.postConditions).toEqual([atMost(800_000n)]);
    // the old way: the plan taken as exact (no settlement: the contract sends nothing)
    const old = seats.map((who) => marketCalls(contractId).revealValidationResult({ bidId: 1n, score: 80n, salt: saltFor(who, 1n), settlement: null }));
    expect(old[0].postConditions).toEqual([]);

    const one = run(calls[first], seats[first]);
    expect(one.result).toBeOk(Cl.bool(false));
    expect(stxTransfers(one)).toEqual([]);
    expect(checkStxPostConditions(calls[first], one.events).ok).toBe(true);
    expect(checkStxPostConditions(old[first], one.events).ok).toBe(true);

    const two = run(calls[second], seats[second]);
    expect(two.result).toBeOk(Cl.bool(true));
    expect(stxTransfers(two)).toEqual([
      { sender: contractId, recipient: provider, amount: 470_000n },
      { sender: contractId, recipient: bidder2, amount: 300_000n },
    ]);
    expect(checkStxPostConditions(calls[second], two.events)).toMatchObject({ ok: true, violations: [] });
    const broken = checkStxPostConditions(old[second], two.events);
    expect(broken.ok).toBe(false);
    expect(broken.violations).toEqual([`${contractId} sent 770000 uSTX not covered by any post-condition (deny mode)`]);
    expect(read.getBid(2)?.status).toBe("EXPIRED");
    expectSolvent();
  });

  it.each(ORDERS)("reveal-validation-results on two jobs: $order; the second batch finalizes both within its ceiling", async ({ first, second }) => {
    market(
      [
        [validator1, 1_000_000n],
        [validator2, 2_000_000n],
      ],
      2,
    );
    const seats = [validator1, validator2];
    const scores = { 1: 80n, 2: 55n } as const;
    for (const who of seats)
      expect(
        commitBatch(who, [
          [1, scores[1]],
          [2, scores[2]],
        ]).result,
      ).toBeOk(Cl.uint(2));
    const c = client();
    const reveals = (who: string) => [1n, 2n].map((bidId) => ({ bidId, score: scores[bidId as unknown as 1 | 2], salt: saltFor(who, bidId) }));
    const plans = await Promise.all(seats.map((who) => planRevealValidationResults(reader(), { caller: who, reveals: reveals(who) })));
    for (const plan of plans) expect(plan).toEqual({ ceiling: 1_000_000n, settlements: [null, null] });
    const calls = await Promise.all(seats.map((who) => c.revealValidationResults({ caller: who, reveals: reveals(who) })));
    for (const built of calls) expect(built.postConditions).toEqual([atMost(1_000_000n)]);
    // the old way: the entries' planned settlements taken as exact (none completes a committee: nothing sent)
    const old = calls.map((built, i) => asExact(built, plans[i].settlements.reduce((sum, p) => sum + settlementTotal(p), 0n)));
    expect(old.map((built) => built.postConditions)).toEqual([[], []]);

    const one = run(calls[first], seats[first]);
    expect(one.result).toStrictEqual(okTuple(2, 0));
    expect(checkStxPostConditions(calls[first], one.events).ok).toBe(true);
    expect(checkStxPostConditions(old[first], one.events).ok).toBe(true);

    const two = run(calls[second], seats[second]);
    expect(two.result).toStrictEqual(okTuple(2, 2));
    // job 1 (80): 470,000 to the provider; job 2 (55): 235,000 to the provider, 250,000 back to the bidder
    expect(stxTransfers(two).reduce((s, t) => s + t.amount, 0n)).toBe(955_000n);
    expect(checkStxPostConditions(calls[second], two.events)).toMatchObject({ ok: true, violations: [] });
    expect(checkStxPostConditions(old[second], two.events).ok).toBe(false);
    expectSolvent();
  });

  it.each(ORDERS)("claims of two coherent seats of one job: $order; both stay within their ceilings", async ({ first, second }) => {
    raceMarket();
    expect(reveal(validator1, 1, 80).result).toBeOk(Cl.bool(false));
    expect(reveal(validator2, 1, 80).result).toBeOk(Cl.bool(true));
    // pool 25,000 for 3 STX of weight: 8,333 and 16,666 planned, 1 micro-STX of dust
    expect(read.getJobResult(1)).toMatchObject({ rewardPool: 25_000n, rewardWeight: 3_000_000n });
    const seats = [validator1, validator2];
    const c = client();
    const plans = await Promise.all(seats.map((who) => planClaimValidationRewards(reader(), { caller: who, bidIds: [1n] })));
    expect(plans.map((p) => p.total)).toEqual([8_333n, 16_666n]);
    expect(plans.map((p) => p.ceiling)).toEqual([8_343n, 16_676n]);
    const calls = await Promise.all(seats.map((who) => c.claimValidationRewards({ caller: who, bidIds: [1n] })));
    expect(calls.map((b) => b.postConditions)).toEqual([[atMost(8_343n)], [atMost(16_676n)]]);
    // the single claim as MarketClient builds it: the same ceiling
    const single = await Promise.all(seats.map((who) => c.claimValidationReward({ caller: who, bidId: 1n })));
    expect(single.map((b) => b.postConditions)).toEqual([[atMost(8_343n)], [atMost(16_676n)]]);
    // the old way: the planned reward taken as exact
    const exact = plans.map((p) => marketCalls(contractId).claimValidationReward({ bidId: 1n, reward: p.total }));
    expect(exact.map((b) => b.postConditions)).toEqual([[exactly(8_333n)], [exactly(16_666n)]]);

    const one = run(calls[first], seats[first]);
    expect(one.result).toBeOk(Cl.uint(plans[first].total));
    expect(checkStxPostConditions(calls[first], one.events).ok).toBe(true);
    expect(checkStxPostConditions(exact[first], one.events).ok).toBe(true);

    // the last claimant takes the remainder: one micro-STX more than planned
    const two = run(calls[second], seats[second]);
    expect(two.result).toBeOk(Cl.uint(plans[second].total + 1n));
    expect(checkStxPostConditions(calls[second], two.events)).toMatchObject({ ok: true, violations: [] });
    expect(checkStxPostConditions(single[second], two.events).ok).toBe(true);
    expect(checkStxPostConditions(exact[second], two.events).ok).toBe(false);
    expect(read.getJobResult(1)).toMatchObject({ rewardPool: 0n });
    expectSolvent();
  });
});

// ---------------------------------------------------------------------------
// One batch settling two jobs of one dataset
// ---------------------------------------------------------------------------

/**
 * validator1 alone (a one-seat committee) on jobs 1 and 2 of a two-slot dataset, committed 80 on
 * both; behind them ten stale queued bids: 3..7 (bidder2, 100,000 each), then 8..12 (outsider,
 * 1,000,000 each), none able to meet its deadline any more.
 */
function twoJobsAndAStaleQueue() {
  market([validator1], 2);
  const due = height() + 12n;
  for (let id = 3; id <= 12; id++) {
    const [who, amount] = id <= 7 ? [bidder2, 100_000n] : [outsider, 1_000_000n];
    expect(placeBid(who, 1, amount, 10n, due).result).toBeOk(Cl.uint(id));
  }
  for (const id of [1, 2]) expect(commit(validator1, id, 80).result).toBeOk(Cl.bool(true));
  mineUntil(height() + 5n);
}

describe("a batch settling two jobs of one dataset", () => {
  it("walks the dataset's queue once per job: ten stale bids refunded in one call", () => {
    twoJobsAndAStaleQueue();
    const res = revealBatch(validator1, [
      [1, 80],
      [2, 80],
    ]);
    expect(res.result).toStrictEqual(okTuple(2, 2));
    const refunds = stxTransfers(res).filter((t) => t.recipient !== provider);
    expect(refunds.map((t) => t.amount)).toEqual([...Array(5).fill(100_000n), ...Array(5).fill(1_000_000n)]);
    expect(stxTransfers(res).reduce((s, t) => s + t.amount, 0n)).toBe(2n * 470_000n + 500_000n + 5_000_000n);
    for (let id = 3; id <= 12; id++) expect(read.getBid(id)?.status).toBe("EXPIRED");
    expectSolvent();
  });

  // BUG (src/client/planner.ts, planRevealValidationResults): the ceiling sums each entry's
  // planSettlementCeiling, and every one counts the SAME first QUEUE_STEPS heads of the dataset's
  // queue; but each job a batch settles walks the queue again from where the previous walk left it.
  // Here: ceiling 2,000,000 (2 x (500,000 + 5 x 100,000)), the batch sends 6,440,000, so the call
  // MarketClient.revealValidationResults builds would abort on its own post-condition.
  it("planRevealValidationResults' ceiling covers a batch whose jobs share a dataset (the queue walked twice)", async () => {
    twoJobsAndAStaleQueue();
    const reveals = [1n, 2n].map((bidId) => ({ bidId, score: 80n, salt: saltFor(validator1, bidId) }));
    const built = await client().revealValidationResults({ caller: validator1, reveals });
    const res = run(built, validator1);
    expect(res.result).toStrictEqual(okTuple(2, 2));
    expect(checkStxPostConditions(built, res.events).violations).toEqual([]);
  });
});

// ---------------------------------------------------------------------------
// The client builders
// ---------------------------------------------------------------------------

describe("marketCalls: the batch builders", () => {
  const calls = marketCalls(contractId);
  const salt = saltFor(validator1, 1n);
  const commitment = computeCommitment(80n, salt, 1n, validator1);
  const n = (count: number) => Array.from({ length: count }, (_, i) => BigInt(i + 1));

  it("MAX_BATCH is the contract's list bound, 25", () => {
    expect(MAX_BATCH).toBe(25);
  });

  it("commitValidationResults: RangeError on 0 or 26 entries; the list of {bid-id, commitment} tuples, no post-condition", () => {
    expect(() => calls.commitValidationResults({ commits: [] })).toThrow(RangeError);
    expect(() => calls.commitValidationResults({ commits: n(26).map((bidId) => ({ bidId, commitment })) })).toThrow(RangeError);
    expect(calls.commitValidationResults({ commits: n(25).map((bidId) => ({ bidId, commitment })) }).functionArgs[0]).toMatchObject({
      type: ClarityType.List,
    });
    const built = calls.commitValidationResults({
      commits: [
        { bidId: 1n, commitment },
        { bidId: 7, commitment: hex(commitment) },
      ],
    });
    expect(built).toMatchObject({ functionName: "commit-validation-results", postConditionMode: "deny", postConditions: [] });
    expect(`${built.contractAddress}.${built.contractName}`).toBe(contractId);
    expect(built.functionArgs).toEqual([
      Cl.list([
        Cl.tuple({ "bid-id": Cl.uint(1), commitment: Cl.buffer(commitment) }),
        Cl.tuple({ "bid-id": Cl.uint(7), commitment: Cl.buffer(commitment) }),
      ]),
    ]);
    // a commitment that is not 32 bytes never reaches the chain
    expect(() => calls.commitValidationResults({ commits: [{ bidId: 1n, commitment: commitment.subarray(1) }] })).toThrow(RangeError);
  });

  it("revealValidationResults: RangeError on 0 or 26 entries; the list of {bid-id, score, salt} tuples; the contract sends at most the ceiling", () => {
    expect(() => calls.revealValidationResults({ reveals: [], ceiling: 1n })).toThrow(RangeError);
    expect(() => calls.revealValidationResults({ reveals: n(26).map((bidId) => ({ bidId, score: 80n, salt })), ceiling: 1n })).toThrow(RangeError);
    expect(() => calls.revealValidationResults({ reveals: n(25).map((bidId) => ({ bidId, score: 80n, salt })), ceiling: 1n })).not.toThrow();
    const built = calls.revealValidationResults({
      reveals: [
        { bidId: 1n, score: 80n, salt },
        { bidId: 2n, score: 0, salt: hex(salt) },
      ],
      ceiling: 1_234_567n,
    });
    expect(built.functionName).toBe("reveal-validation-results");
    expect(built.functionArgs).toEqual([
      Cl.list([
        Cl.tuple({ "bid-id": Cl.uint(1), score: Cl.uint(80), salt: Cl.buffer(salt) }),
        Cl.tuple({ "bid-id": Cl.uint(2), score: Cl.uint(0), salt: Cl.buffer(salt) }),
      ]),
    ]);
    expect(built.postConditionMode).toBe("deny");
    expect(built.postConditions).toEqual([atMost(1_234_567n)]);
    expect(built.postConditions[0]).toMatchObject({ type: "stx-postcondition", address: contractId, condition: "lte" });
    // a ceiling of 0: no condition, deny mode forbids any transfer
    expect(calls.revealValidationResults({ reveals: [{ bidId: 1n, score: 80n, salt }], ceiling: 0n }).postConditions).toEqual([]);
    expect(() => calls.revealValidationResults({ reveals: [{ bidId: 1n, score: 80n, salt }], ceiling: -1n })).toThrow(RangeError);
  });

  it("claimValidationRewards: RangeError on 0 or 26 entries; the list of bid ids; the contract sends at most the ceiling", () => {
    expect(() => calls.claimValidationRewards({ bidIds: [], ceiling: 1n })).toThrow(RangeError);
    expect(() => calls.claimValidationRewards({ bidIds: n(26), ceiling: 1n })).toThrow(RangeError);
    expect(calls.claimValidationRewards({ bidIds: n(25), ceiling: 1n }).functionArgs).toEqual([Cl.list(n(25).map((id) => Cl.uint(id)))]);
    const built = calls.claimValidationRewards({ bidIds: [3n, 1, 2n], ceiling: 9_999n });
    expect(built).toMatchObject({ functionName: "claim-validation-rewards", postConditionMode: "deny" });
    expect(built.functionArgs).toEqual([Cl.list([Cl.uint(3), Cl.uint(1), Cl.uint(2)])]);
    expect(built.postConditions).toEqual([atMost(9_999n)]);
  });

  it("the single reveal, submit and claim take an optional ceiling: willSendLte instead of the exact amount", () => {
    const settlement = { providerPayment: 470_000n, bidderRefund: 0n, queueRefunds: 0n };
    const p = { bidId: 1n, score: 80n, salt };
    expect(calls.revealValidationResult({ ...p, settlement: null }).postConditions).toEqual([]);
    expect(calls.revealValidationResult({ ...p, settlement }).postConditions).toEqual([exactly(470_000n)]);
    expect(calls.revealValidationResult({ ...p, settlement: null, ceiling: 800_000n }).postConditions).toEqual([atMost(800_000n)]);
    expect(calls.revealValidationResult({ ...p, settlement, ceiling: 800_000n }).postConditions).toEqual([atMost(800_000n)]);
    const v = { datasetId: 1n, bidId: 1n, score: 80n };
    expect(calls.submitValidationResult({ ...v, settlement }).postConditions).toEqual([exactly(470_000n)]);
    expect(calls.submitValidationResult({ ...v, settlement, ceiling: 500_000n }).postConditions).toEqual([atMost(500_000n)]);
    expect(calls.claimValidationReward({ bidId: 1n, reward: 8_333n }).postConditions).toEqual([exactly(8_333n)]);
    expect(calls.claimValidationReward({ bidId: 1n, reward: 8_333n, ceiling: 8_343n }).postConditions).toEqual([atMost(8_343n)]);
  });

  it("the built batch calls run on the simnet as built", async () => {
    const jobs = market(FIVE, 2);
    const c = client();
    for (const who of FIVE) {
      const built = await c.commitValidationResults({ commits: jobs.map((bidId) => ({ bidId, commitment: computeCommitment(80n, saltFor(who, bidId), bidId, who) })) });
      const res = run(built, who);
      expect(res.result).toBeOk(Cl.uint(2));
      expect(checkStxPostConditions(built, res.events).ok).toBe(true);
    }
    for (const [i, who] of FIVE.entries()) {
      const built = await c.revealValidationResults({ caller: who, reveals: jobs.map((bidId) => ({ bidId, score: 80n, salt: saltFor(who, bidId) })) });
      expect(built.postConditions).toEqual([atMost(1_000_000n)]);
      const res = run(built, who);
      expect(res.result).toStrictEqual(okTuple(2, i === 4 ? 2 : 0));
      expect(checkStxPostConditions(built, res.events).ok).toBe(true);
    }
    for (const who of FIVE) {
      const built = await c.claimValidationRewards({ caller: who, bidIds: jobs });
      const res = run(built, who);
      expect(res.result).toBeOk(Cl.uint(10_000n));
      expect(checkStxPostConditions(built, res.events)).toMatchObject({ ok: true, violations: [] });
    }
    expect(stx(contractId)).toBe(read.getMarketTotals().datasetStakes + read.getMarketTotals().validatorStakes + read.getMarketTotals().treasury);
    expectSolvent();
  });
});
