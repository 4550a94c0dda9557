import { Cl, ClarityType, type ClarityValue } from "@stacks/transactions";
import { afterEach, describe, expect, it } from "vitest";
import {
  DEFAULTS,
  OUTCOME,
  balances,
  bidder,
  bidder2,
  call,
  claim,
  commit,
  commitAndReveal,
  commitmentFor,
  contractId,
  decode,
  deltas,
  deployer,
  drawCommittee,
  eventNames,
  expectErr,
  expectSolvent,
  finalizeValidation,
  finalizedJob,
  height,
  marketField,
  matchedJob,
  mineUntil,
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
  stx,
  stxTransfers,
  validator1,
  validator2,
  validator3,
  vote,
  withdrawValidator,
} from "./helpers.ts";

// ---------------------------------------------------------------------------
// Local helpers
// ---------------------------------------------------------------------------

const MIN = DEFAULTS.minValidatorStake;
const PENALTY_BPS = DEFAULTS.validatorPenaltyBps;

const stakes = (...who: string[]): [string, bigint][] => who.map((w) => [w, MIN]);

/** Six validators, none a party of `matchedJob`'s job: more than committee-size (5), so the draw needs a seed. */
const LARGE = [validator1, validator2, validator3, provider2, bidder2, outsider];

/** Last block of the commit phase: deadline + validation-window. */
const commitClosesAt = (bidId: number | bigint) => read.getValidationWindows(bidId)!.commitClosesAt;
/** Last block of the reveal phase: deadline + validation-window + reveal-window. */
const revealClosesAt = (bidId: number | bigint) => read.getValidationWindows(bidId)!.revealClosesAt;

/** The hex of a commitment, as `get-vote` decodes it. */
const commitmentHex = (who: string, bidId: number | bigint, score: number, salt = saltFor(who, bidId)) =>
  read.computeCommitment(score, salt, bidId, who);

/** A matched job in a market of six validators: no committee until the seed (after the decline window) is known. */
function largeMarketJob() {
  const ids = matchedJob(stakes(...LARGE));
  expect(read.getCommittee(ids.bidId)).toBeNull();
  return ids;
}

/**
 * In a market larger than committee-size, mines to the first burn block whose seed exists:
 * matched-at + decline-window + 1 (7 blocks after the match). On the way, the seed is still none
 * at matched-at + decline-window, the provider's last block to decline.
 */
function mineToSeed(bidId: number | bigint) {
  const seedBurn = (read.getBid(bidId)?.matchedAt as bigint) + DEFAULTS.declineWindow + 1n;
  mineUntil(seedBurn - 1n);
  expect(read.getCommitteeSeed(bidId)).toBeNull();
  mineUntil(seedBurn);
  expect(read.getCommitteeSeed(bidId)).toMatch(/^[0-9a-f]{64}$/);
}

/** A matched job whose committee (three validators, 1 STX each) was seated at the match. */
function threeSeatJob() {
  const ids = matchedJob(stakes(validator1, validator2, validator3));
  expect(seatsOf(ids.bidId)).toEqual([validator1, validator2, validator3]);
  return ids;
}

const penaltyOf = (stake: bigint) => (stake * PENALTY_BPS) / 10_000n;

/** The protocol fee on a payment: protocol-fee-bps (1%) of it, out of the provider's share. */
const protocolFeeOf = (payment: bigint) => (payment * DEFAULTS.protocolFeeBps) / 10_000n;

/** The raw `validator-at` map entry ({ validator, ordinal }), or null when the index is empty. */
function validatorAtEntry(index: number | bigint): { validator: string; ordinal: bigint } | null {
  try {
    return decode(simnet.getMapEntry(contractId, "validator-at", Cl.uint(index))) as { validator: string; ordinal: bigint } | null;
  } catch {
    return null;
  }
}

/** `propose-parameter-change`: any principal with enough stake proposes a parameter value. */
const propose = (who: string, parameter: string, value: number | bigint) =>
  call("propose-parameter-change", [Cl.stringAscii(parameter), Cl.uint(value)], who);

/** `get-validator-at` as the raw Clarity value: (optional principal). */
const readOnlyValidatorAt = (index: number) => simnet.callReadOnlyFn(contractId, "get-validator-at", [Cl.uint(index)], deployer).result;

/** `validator-penalized` events of a call, keyed by validator. */
const penaltiesOf = (result: Parameters<typeof printEvents>[0]) =>
  new Map(printEvents(result).filter((e) => e.event === "validator-penalized").map((e) => [e.validator as string, e.penalty as bigint]));

/**
 * The job-finalized event of a 500,000 job rewarded at score 80 with `penalties` of silence (to the
 * treasury): provider 470,000, fees 25,000, protocol fee 5,000.
 */
const finalizedEvent = (bidId: bigint, penalties: bigint) => ({
  event: "job-finalized",
  "bid-id": bidId,
  "dataset-id": 1n,
  "final-score": 80n,
  outcome: BigInt(OUTCOME.REWARDED),
  "provider-payment": 470_000n,
  "bidder-refund": 0n,
  "slashed-amount": 0n,
  "validator-fees": 25_000n,
  "protocol-fee": 5_000n,
  penalties,
  "treasury-gain": 5_000n + penalties,
});

/** A buffer of `length` bytes (0x5a), for salts of the wrong length. */
const bytes = (length: number) => new Uint8Array(length).fill(0x5a);

const market = `'${contractId}`;

/** An intermediary contract forwarding the validation calls that tests/admin.test.ts's proxy does not cover. */
const PROXY_SOURCE = `
(define-public (draw-committee (bid-id uint))
  (contract-call? ${market} draw-committee bid-id))
(define-public (commit-validation-result (bid-id uint) (commitment (buff 32)))
  (contract-call? ${market} commit-validation-result bid-id commitment))
(define-public (reveal-validation-result (bid-id uint) (score uint) (salt (buff 32)))
  (contract-call? ${market} reveal-validation-result bid-id score salt))
(define-public (finalize-validation (bid-id uint))
  (contract-call? ${market} finalize-validation bid-id))
`;

/**
 * Calls `fn` through the proxy (tx-sender = who, contract-caller = the proxy): it must fail with
 * NOT_DIRECT_CALLER, emit nothing and move nothing; then the same call made directly must succeed.
 */
function expectRefusedThroughProxy(fn: string, args: ClarityValue[], who: string) {
  expect(simnet.deployContract("validation-proxy", PROXY_SOURCE, { clarityVersion: 4 }, deployer).result).toBeBool(true);
  const proxyId = `${deployer}.validation-proxy`;
  const before = balances(who, proxyId, contractId);
  const totals = read.getMarketTotals();
  const viaProxy = simnet.callPublicFn(proxyId, fn, args, who);
  expectErr(viaProxy, "NOT_DIRECT_CALLER");
  expect(viaProxy.events).toEqual([]);
  expect(deltas(before)).toEqual(new Map([[who, 0n], [proxyId, 0n], [contractId, 0n]]));
  expect(read.getMarketTotals()).toEqual(totals);
  const direct = call(fn, args, who);
  expect(direct.result.type).toBe(ClarityType.ResponseOk);
  return direct;
}

afterEach(() => expectSolvent());

// ---------------------------------------------------------------------------
// register-validator
// ---------------------------------------------------------------------------

describe("register-validator", () => {
  it("moves the stake into the contract and adds an active validator at index 0 of the set", () => {
    const before = balances(validator1, contractId);
    const stake = 2_500_000n;
    const r = registerValidator(validator1, stake);
    expect(r.result).toBeOk(Cl.bool(true));

    expect(stxTransfers(r)).toEqual([{ sender: validator1, recipient: contractId, amount: stake }]);
    expect(deltas(before)).toEqual(new Map([[validator1, -stake], [contractId, stake]]));
    expect(read.getValidator(validator1)).toEqual({
      stake,
      active: true,
      index: 0n,
      openSeats: 0n,
      exitRequestedAt: 0n,
      registeredAt: height(),
      ordinal: 1n,
      registeredAfterProposal: 0n,
    });
    expect(read.getValidatorAt(0)).toBe(validator1);
    expect(read.getValidatorAt(1)).toBeNull();
    expect(read.getMarketTotals().validatorStakes).toBe(stake);
    expect(read.getActiveValidatorCount()).toBe(1n);
    expect(marketField("validator-registrations")).toBe(1n);
    expect(printEvents(r)).toEqual([{ event: "validator-registered", validator: validator1, stake, ordinal: 1n }]);
  });

  it("gives each new validator the next index (get-validator-at)", () => {
    for (const v of [validator1, validator2, validator3]) expect(registerValidator(v).result).toBeOk(Cl.bool(true));
    expect([0, 1, 2].map((i) => read.getValidatorAt(i))).toEqual([validator1, validator2, validator3]);
    expect([validator1, validator2, validator3].map((v) => read.getValidator(v)?.index)).toEqual([0n, 1n, 2n]);
    expect(read.getValidatorAt(3)).toBeNull();
    expect(read.getActiveValidatorCount()).toBe(3n);
  });

  it("numbers registrations 1, 2, 3 (ordinal); the set's map keeps { validator, ordinal }, get-validator-at the principal", () => {
    const registered = [validator1, validator2, validator3].map((v) => registerValidator(v, 2_000_000n));
    registered.forEach((r, i) => {
      expect(r.result).toBeOk(Cl.bool(true));
      expect(printEvents(r)).toEqual([
        { event: "validator-registered", validator: [validator1, validator2, validator3][i], stake: 2_000_000n, ordinal: BigInt(i + 1) },
      ]);
    });
    expect([validator1, validator2, validator3].map((v) => read.getValidator(v)?.ordinal)).toEqual([1n, 2n, 3n]);
    expect(marketField("validator-registrations")).toBe(3n);
    expect([0, 1, 2].map(validatorAtEntry)).toEqual([
      { validator: validator1, ordinal: 1n },
      { validator: validator2, ordinal: 2n },
      { validator: validator3, ordinal: 3n },
    ]);
    // the view still answers with the principal alone
    expect(readOnlyValidatorAt(1)).toStrictEqual(Cl.some(Cl.principal(validator2)));
    expect(readOnlyValidatorAt(3)).toStrictEqual(Cl.none());
    expect(validatorAtEntry(3)).toBeNull();
  });

  it("keeps a validator's ordinal when an exit moves it to another index", () => {
    for (const v of [validator1, validator2, validator3]) expect(registerValidator(v).result).toBeOk(Cl.bool(true));
    expect(requestExit(validator1).result).toBeOk(Cl.uint(height() + DEFAULTS.validatorUnbondingBlocks));
    expect([0, 1, 2].map(validatorAtEntry)).toEqual([{ validator: validator3, ordinal: 3n }, { validator: validator2, ordinal: 2n }, null]);
    expect(read.getValidator(validator3)).toMatchObject({ index: 0n, ordinal: 3n });
    // an exit does not take back a number: the next registration is the fourth
    expect(marketField("validator-registrations")).toBe(3n);
    expect(registerValidator(provider2).result).toBeOk(Cl.bool(true));
    expect(read.getValidator(provider2)).toMatchObject({ index: 2n, ordinal: 4n });
    expect(validatorAtEntry(2)).toEqual({ validator: provider2, ordinal: 4n });
  });

  it("a refused registration takes no ordinal (VALIDATOR_STAKE_TOO_LOW, VALIDATOR_EXISTS, PAUSED, INSUFFICIENT_FUNDS)", () => {
    expectErr(registerValidator(validator1, MIN - 1n), "VALIDATOR_STAKE_TOO_LOW");
    expectErr(registerValidator(outsider, stx(outsider) + 1n), "INSUFFICIENT_FUNDS");
    expect(marketField("validator-registrations")).toBe(0n);
    expect(registerValidator(validator1).result).toBeOk(Cl.bool(true));
    expectErr(registerValidator(validator1), "VALIDATOR_EXISTS");
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    expectErr(registerValidator(validator2), "PAUSED");
    expect(setPaused(false).result).toBeOk(Cl.bool(true));
    expect(marketField("validator-registrations")).toBe(1n);
    expect(registerValidator(validator2).result).toBeOk(Cl.bool(true));
    expect([read.getValidator(validator1)?.ordinal, read.getValidator(validator2)?.ordinal]).toEqual([1n, 2n]);
  });

  it("records the last proposal id at registration (registered-after-proposal)", () => {
    expect(registerValidator(validator1).result).toBeOk(Cl.bool(true));
    expect(read.getValidator(validator1)?.registeredAfterProposal).toBe(0n);
    expect(propose(validator1, "committee-size", 3).result).toBeOk(Cl.uint(1));
    expect(registerValidator(validator2).result).toBeOk(Cl.bool(true));
    expect(read.getValidator(validator2)).toMatchObject({ ordinal: 2n, registeredAfterProposal: 1n });
    expect(propose(validator1, "committee-size", 4).result).toBeOk(Cl.uint(2));
    expect(registerValidator(validator3).result).toBeOk(Cl.bool(true));
    expect(read.getValidator(validator3)).toMatchObject({ ordinal: 3n, registeredAfterProposal: 2n });
    // registering does not rewrite the others
    expect(read.getValidator(validator1)).toMatchObject({ ordinal: 1n, registeredAfterProposal: 0n });
  });

  it("a re-registration after a withdrawal gets a new ordinal, above every registration in between", () => {
    expect(registerValidator(validator1).result).toBeOk(Cl.bool(true));
    mineUntil(decode(requestExit(validator1).result) as bigint);
    expect(withdrawValidator(validator1).result).toBeOk(Cl.uint(MIN));
    expect(registerValidator(validator2).result).toBeOk(Cl.bool(true));
    expect(registerValidator(validator3).result).toBeOk(Cl.bool(true));
    const again = registerValidator(validator1);
    expect(again.result).toBeOk(Cl.bool(true));
    expect(printEvents(again)).toEqual([{ event: "validator-registered", validator: validator1, stake: MIN, ordinal: 4n }]);
    expect(read.getValidator(validator1)).toMatchObject({ ordinal: 4n, index: 2n, active: true });
    expect(validatorAtEntry(2)).toEqual({ validator: validator1, ordinal: 4n });
    expect(marketField("validator-registrations")).toBe(4n);
  });

  it("accepts exactly the minimum stake and rejects one micro-STX less (VALIDATOR_STAKE_TOO_LOW)", () => {
    const low = registerValidator(validator1, MIN - 1n);
    expectErr(low, "VALIDATOR_STAKE_TOO_LOW");
    expect(read.getValidator(validator1)).toBeNull();
    expect(stxTransfers(low)).toEqual([]);
    expect(read.getActiveValidatorCount()).toBe(0n);
    expect(read.getValidatorAt(0)).toBeNull();

    expect(registerValidator(validator1, MIN).result).toBeOk(Cl.bool(true));
    expect(read.getValidator(validator1)?.stake).toBe(MIN);
  });

  it("refuses a second registration of the same principal (VALIDATOR_EXISTS)", () => {
    expect(registerValidator(validator1).result).toBeOk(Cl.bool(true));
    const before = balances(validator1, contractId);
    expectErr(registerValidator(validator1, 5_000_000n), "VALIDATOR_EXISTS");
    expect(deltas(before)).toEqual(new Map([[validator1, 0n], [contractId, 0n]]));
    expect(read.getValidator(validator1)?.stake).toBe(MIN);
    expect(read.getActiveValidatorCount()).toBe(1n);
    expect(read.getValidatorAt(1)).toBeNull();
  });

  it("refuses to re-register while an exit is pending (VALIDATOR_EXISTS)", () => {
    expect(registerValidator(validator1).result).toBeOk(Cl.bool(true));
    expect(requestExit(validator1).result).toBeOk(Cl.uint(height() + DEFAULTS.validatorUnbondingBlocks));
    expectErr(registerValidator(validator1), "VALIDATOR_EXISTS");
    expect(read.getValidator(validator1)?.active).toBe(false);
    expect(read.getActiveValidatorCount()).toBe(0n);
    expect(read.getValidatorAt(0)).toBeNull();
  });

  it("refuses a stake larger than the caller's balance (INSUFFICIENT_FUNDS)", () => {
    const all = stx(outsider);
    const r = registerValidator(outsider, all + 1n);
    expectErr(r, "INSUFFICIENT_FUNDS");
    expect(stx(outsider)).toBe(all);
    expect(read.getValidator(outsider)).toBeNull();
    expect(read.getMarketTotals().validatorStakes).toBe(0n);
    expect(read.getActiveValidatorCount()).toBe(0n);
  });

  it("is refused while paused (PAUSED) and accepted once resumed", () => {
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    const before = balances(validator1, contractId);
    expectErr(registerValidator(validator1), "PAUSED");
    expect(deltas(before)).toEqual(new Map([[validator1, 0n], [contractId, 0n]]));
    expect(read.getValidator(validator1)).toBeNull();
    expect(read.getActiveValidatorCount()).toBe(0n);

    expect(setPaused(false).result).toBeOk(Cl.bool(true));
    expect(registerValidator(validator1).result).toBeOk(Cl.bool(true));
    expect(read.getValidatorAt(0)).toBe(validator1);
  });

  it("allows re-registration after a full withdrawal, with the new stake, at the end of the set", () => {
    expect(registerValidator(validator1).result).toBeOk(Cl.bool(true));
    expect(registerValidator(validator2).result).toBeOk(Cl.bool(true));
    const unbondedAt = decode(requestExit(validator1).result) as bigint;
    mineUntil(unbondedAt);
    expect(withdrawValidator(validator1).result).toBeOk(Cl.uint(MIN));
    expect(read.getValidator(validator1)).toBeNull();
    expect(read.getValidatorAt(0)).toBe(validator2);

    const before = balances(validator1, contractId);
    const r = registerValidator(validator1, 3_000_000n);
    expect(r.result).toBeOk(Cl.bool(true));
    expect(deltas(before)).toEqual(new Map([[validator1, -3_000_000n], [contractId, 3_000_000n]]));
    expect(read.getValidator(validator1)).toEqual({
      stake: 3_000_000n,
      active: true,
      index: 1n,
      openSeats: 0n,
      exitRequestedAt: 0n,
      registeredAt: unbondedAt,
      // a new registration: the next ordinal, after validator1's first (1) and validator2's (2)
      ordinal: 3n,
      registeredAfterProposal: 0n,
    });
    expect(printEvents(r)).toEqual([{ event: "validator-registered", validator: validator1, stake: 3_000_000n, ordinal: 3n }]);
    expect([read.getValidatorAt(0), read.getValidatorAt(1)]).toEqual([validator2, validator1]);
    expect(read.getMarketTotals().validatorStakes).toBe(MIN + 3_000_000n);
    expect(read.getActiveValidatorCount()).toBe(2n);
  });
});

// ---------------------------------------------------------------------------
// request-validator-exit
// ---------------------------------------------------------------------------

describe("request-validator-exit", () => {
  it("returns now + unbonding and removes the validator by swap-and-pop: the last one takes its index", () => {
    for (const v of [validator1, validator2, validator3]) expect(registerValidator(v).result).toBeOk(Cl.bool(true));
    mineUntil(10n);

    const r = requestExit(validator1);
    const unbondedAt = 10n + DEFAULTS.validatorUnbondingBlocks;
    expect(r.result).toBeOk(Cl.uint(unbondedAt));
    expect(read.getActiveValidatorCount()).toBe(2n);
    expect([read.getValidatorAt(0), read.getValidatorAt(1), read.getValidatorAt(2)]).toEqual([validator3, validator2, null]);
    expect(read.getValidator(validator3)?.index).toBe(0n);
    expect(read.getValidator(validator2)?.index).toBe(1n);
    expect(read.getValidator(validator1)).toMatchObject({ active: false, exitRequestedAt: 10n, stake: MIN, openSeats: 0n });
    // the stake stays in the contract until withdrawn
    expect(stxTransfers(r)).toEqual([]);
    expect(read.getMarketTotals().validatorStakes).toBe(3n * MIN);
    expect(printEvents(r)).toEqual([
      { event: "validator-exit-requested", validator: validator1, "unbonded-at": unbondedAt, "open-seats": 0n },
    ]);
  });

  it("pops the last index without moving anyone, and keeps the set dense through further exits and registrations", () => {
    for (const v of [validator1, validator2, validator3]) expect(registerValidator(v).result).toBeOk(Cl.bool(true));
    expect(requestExit(validator3).result).toBeOk(Cl.uint(height() + DEFAULTS.validatorUnbondingBlocks));
    expect([read.getValidatorAt(0), read.getValidatorAt(1), read.getValidatorAt(2)]).toEqual([validator1, validator2, null]);
    expect([read.getValidator(validator1)?.index, read.getValidator(validator2)?.index]).toEqual([0n, 1n]);

    expect(requestExit(validator1).result).toBeOk(Cl.uint(height() + DEFAULTS.validatorUnbondingBlocks));
    expect([read.getValidatorAt(0), read.getValidatorAt(1)]).toEqual([validator2, null]);
    expect(read.getValidator(validator2)?.index).toBe(0n);

    expect(registerValidator(provider2).result).toBeOk(Cl.bool(true));
    expect([read.getValidatorAt(0), read.getValidatorAt(1), read.getValidatorAt(2)]).toEqual([validator2, provider2, null]);
    expect(read.getValidator(provider2)?.index).toBe(1n);
    expect(read.getActiveValidatorCount()).toBe(2n);
  });

  it("takes the validator out of later committees: it is not seated and cannot vote (NOT_ON_COMMITTEE)", () => {
    expect(registerValidator(validator1).result).toBeOk(Cl.bool(true));
    expect(registerValidator(validator2).result).toBeOk(Cl.bool(true));
    expect(requestExit(validator1).result).toBeOk(Cl.uint(height() + DEFAULTS.validatorUnbondingBlocks));
    const { bidId } = matchedJob([]);
    expect(seatsOf(bidId)).toEqual([validator2]);
    expect(read.getValidator(validator1)?.openSeats).toBe(0n);
    expectErr(commit(validator1, bidId, 80), "NOT_ON_COMMITTEE");
    expect(read.getVote(bidId, validator1)).toBeNull();
  });

  it("succeeds while seated: leaves the active set, still serves its seats, and withdraw waits (VALIDATOR_SEATED)", () => {
    const { bidId } = matchedJob(stakes(validator1, validator2));
    expect(seatsOf(bidId)).toEqual([validator1, validator2]);
    expect(read.getValidator(validator1)?.openSeats).toBe(1n);

    const requestedAt = height();
    const r = requestExit(validator1);
    const unbondedAt = requestedAt + DEFAULTS.validatorUnbondingBlocks;
    expect(r.result).toBeOk(Cl.uint(unbondedAt));
    expect(printEvents(r)).toEqual([
      { event: "validator-exit-requested", validator: validator1, "unbonded-at": unbondedAt, "open-seats": 1n },
    ]);
    expect(stxTransfers(r)).toEqual([]);
    // out of the active set at once (swap-and-pop), but still on the job's committee
    expect(read.getValidator(validator1)).toMatchObject({ active: false, exitRequestedAt: requestedAt, openSeats: 1n, stake: MIN });
    expect([read.getValidatorAt(0), read.getValidatorAt(1)]).toEqual([validator2, null]);
    expect(read.getValidator(validator2)?.index).toBe(0n);
    expect(read.getActiveValidatorCount()).toBe(1n);
    expect(seatsOf(bidId)).toEqual([validator1, validator2]);

    // the stake waits for the unbonding window, then for the seat
    expectErr(withdrawValidator(validator1), "UNBONDING_NOT_OVER");
    mineUntil(unbondedAt);
    expect(height()).toBeLessThanOrEqual(commitClosesAt(bidId));
    const held = balances(validator1, contractId);
    expectErr(withdrawValidator(validator1), "VALIDATOR_SEATED");
    expect(deltas(held)).toEqual(new Map([[validator1, 0n], [contractId, 0n]]));

    // it still commits and reveals on its seat, with the seat's weight
    expect(commit(validator1, bidId, 80).result).toBeOk(Cl.bool(true));
    expect(read.getVote(bidId, validator1)?.weight).toBe(MIN);
    expect(commit(validator2, bidId, 80).result).toBeOk(Cl.bool(true));
    expect(reveal(validator1, bidId, 80).result).toBeOk(Cl.bool(false));
    expect(reveal(validator2, bidId, 80).result).toBeOk(Cl.bool(true));
    expect(read.getBid(bidId)?.status).toBe("SETTLED");
    expect(read.getJobResult(bidId)).toMatchObject({ finalScore: 80n, penalties: 0n, rewardWeight: 2n * MIN });
    // a coherent seat of a scored job stays counted until its validator claims
    expect(read.getValidator(validator1)).toMatchObject({ openSeats: 1n, stake: MIN, active: false });
    const unclaimed = balances(validator1, contractId);
    expectErr(withdrawValidator(validator1), "VALIDATOR_SEATED");
    expect(deltas(unclaimed)).toEqual(new Map([[validator1, 0n], [contractId, 0n]]));

    // the claim frees the seat; unbonded and free, the stake is paid
    const claimed = balances(validator1, contractId);
    expect(claim(validator1, bidId).result).toBeOk(Cl.uint(12_500n));
    expect(deltas(claimed)).toEqual(new Map([[validator1, 12_500n], [contractId, -12_500n]]));
    expect(read.getValidator(validator1)).toMatchObject({ openSeats: 0n, stake: MIN, active: false });
    const before = balances(validator1, contractId);
    const w = withdrawValidator(validator1);
    expect(w.result).toBeOk(Cl.uint(MIN));
    expect(deltas(before)).toEqual(new Map([[validator1, MIN], [contractId, -MIN]]));
    expect(read.getValidator(validator1)).toBeNull();
  });

  it("an exiting validator is not drawn for a job matched after its exit, in a large market", () => {
    // seven validators, one exits: six at the match (> committee-size), so the draw waits for the seed
    for (const v of [...LARGE, deployer]) expect(registerValidator(v).result).toBeOk(Cl.bool(true));
    expect(requestExit(validator1).result).toBeOk(Cl.uint(height() + DEFAULTS.validatorUnbondingBlocks));
    const { bidId } = matchedJob([]);
    expect(read.getBid(bidId)).toMatchObject({ validatorsAtMatch: 6n, registrationsAtMatch: 7n });
    mineToSeed(bidId);
    expect(drawCommittee(outsider, bidId).result.type).toBe(ClarityType.ResponseOk);
    const seats = seatsOf(bidId);
    expect(seats).toHaveLength(5);
    expect(seats).not.toContain(validator1);
    expect(read.getValidator(validator1)?.openSeats).toBe(0n);
    expectErr(commit(validator1, bidId, 80), "NOT_ON_COMMITTEE");
  });

  it("an exit between the match and the draw keeps the validator off the committee; the draw still fills every seat", () => {
    for (const v of [...LARGE, deployer]) expect(registerValidator(v).result).toBeOk(Cl.bool(true));
    const { bidId } = matchedJob([]);
    expect(read.getBid(bidId)).toMatchObject({ validatorsAtMatch: 7n, registrationsAtMatch: 7n });
    expect(requestExit(validator1).result).toBeOk(Cl.uint(height() + DEFAULTS.validatorUnbondingBlocks));
    // the last validator (deployer) took index 0
    expect(read.getValidatorAt(0)).toBe(deployer);
    mineToSeed(bidId);
    expect(drawCommittee(outsider, bidId).result.type).toBe(ClarityType.ResponseOk);
    const seats = seatsOf(bidId);
    expect(seats).toHaveLength(5);
    expect(new Set(seats).size).toBe(5);
    expect(seats).not.toContain(validator1);
    for (const v of seats) expect([...LARGE, deployer]).toContain(v);
    expect(read.getValidator(validator1)?.openSeats).toBe(0n);
  });

  it("refuses a non-validator (VALIDATOR_NOT_FOUND)", () => {
    expectErr(requestExit(outsider), "VALIDATOR_NOT_FOUND");
    expect(read.getActiveValidatorCount()).toBe(0n);
  });

  it("refuses a second exit request (VALIDATOR_EXITING) and leaves the set alone", () => {
    expect(registerValidator(validator1).result).toBeOk(Cl.bool(true));
    expect(registerValidator(validator2).result).toBeOk(Cl.bool(true));
    expect(requestExit(validator1).result).toBeOk(Cl.uint(2n + DEFAULTS.validatorUnbondingBlocks));
    mineUntil(20n);
    expectErr(requestExit(validator1), "VALIDATOR_EXITING");
    expect(read.getActiveValidatorCount()).toBe(1n);
    expect([read.getValidatorAt(0), read.getValidatorAt(1)]).toEqual([validator2, null]);
    expect(read.getValidator(validator1)?.exitRequestedAt).toBe(2n);
  });

  it("works while paused", () => {
    expect(registerValidator(validator1).result).toBeOk(Cl.bool(true));
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    expect(requestExit(validator1).result).toBeOk(Cl.uint(height() + DEFAULTS.validatorUnbondingBlocks));
    expect(read.getValidator(validator1)?.active).toBe(false);
    expect(read.getActiveValidatorCount()).toBe(0n);
  });
});

// ---------------------------------------------------------------------------
// withdraw-validator-stake
// ---------------------------------------------------------------------------

describe("withdraw-validator-stake", () => {
  it("fails one block before the returned height (UNBONDING_NOT_OVER) and pays the stake back at it", () => {
    expect(registerValidator(validator1, 4_000_000n).result).toBeOk(Cl.bool(true));
    const unbondedAt = decode(requestExit(validator1).result) as bigint;
    expect(unbondedAt).toBe(height() + DEFAULTS.validatorUnbondingBlocks);

    mineUntil(unbondedAt - 1n);
    expectErr(withdrawValidator(validator1), "UNBONDING_NOT_OVER");
    expect(read.getValidator(validator1)?.stake).toBe(4_000_000n);

    mineUntil(unbondedAt);
    const before = balances(validator1, contractId);
    const r = withdrawValidator(validator1);
    expect(r.result).toBeOk(Cl.uint(4_000_000n));
    expect(stxTransfers(r)).toEqual([{ sender: contractId, recipient: validator1, amount: 4_000_000n }]);
    expect(deltas(before)).toEqual(new Map([[validator1, 4_000_000n], [contractId, -4_000_000n]]));
    expect(read.getValidator(validator1)).toBeNull();
    expect(read.getMarketTotals().validatorStakes).toBe(0n);
    expect(printEvents(r)).toEqual([{ event: "validator-withdrawn", validator: validator1, amount: 4_000_000n }]);
  });

  it("refuses a non-validator (VALIDATOR_NOT_FOUND)", () => {
    expectErr(withdrawValidator(outsider), "VALIDATOR_NOT_FOUND");
  });

  it("refuses an active validator that has not requested an exit (VALIDATOR_NOT_EXITING)", () => {
    expect(registerValidator(validator1).result).toBeOk(Cl.bool(true));
    mineUntil(500n);
    const before = balances(validator1, contractId);
    expectErr(withdrawValidator(validator1), "VALIDATOR_NOT_EXITING");
    expect(deltas(before)).toEqual(new Map([[validator1, 0n], [contractId, 0n]]));
    expect(read.getValidator(validator1)?.active).toBe(true);
  });

  it("refuses a second withdrawal once paid out (VALIDATOR_NOT_FOUND)", () => {
    expect(registerValidator(validator1).result).toBeOk(Cl.bool(true));
    mineUntil(decode(requestExit(validator1).result) as bigint);
    expect(withdrawValidator(validator1).result).toBeOk(Cl.uint(MIN));
    expectErr(withdrawValidator(validator1), "VALIDATOR_NOT_FOUND");
  });

  it("works while paused", () => {
    expect(registerValidator(validator1).result).toBeOk(Cl.bool(true));
    mineUntil(decode(requestExit(validator1).result) as bigint);
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    const before = balances(validator1, contractId);
    expect(withdrawValidator(validator1).result).toBeOk(Cl.uint(MIN));
    expect(deltas(before)).toEqual(new Map([[validator1, MIN], [contractId, -MIN]]));
  });

  it("refuses a validator removed from the set by a penalty while it is still seated on another job (VALIDATOR_SEATED)", () => {
    // validator1 (1,000,000) sits on job 1 and job 2; validator2 and validator3 hold 2,000,000 each
    expect(registerValidator(validator1, MIN).result).toBeOk(Cl.bool(true));
    expect(registerValidator(validator2, 2_000_000n).result).toBeOk(Cl.bool(true));
    expect(registerValidator(validator3, 2_000_000n).result).toBeOk(Cl.bool(true));
    expect(registerDataset(provider).result).toBeOk(Cl.uint(1));
    expect(registerDataset(provider2).result).toBeOk(Cl.uint(2));
    expect(placeBid(bidder, 1).result).toBeOk(Cl.uint(1));
    expect(placeBid(bidder2, 2, 500_000n, 100n, 1_000n).result).toBeOk(Cl.uint(2));
    expect(seatsOf(1)).toEqual([validator1, validator2, validator3]);
    expect(seatsOf(2)).toEqual([validator1, validator2, validator3]);
    expect(read.getValidator(validator1)?.openSeats).toBe(2n);

    // job 2: every seat commits now; its reveals come much later
    for (const v of [validator1, validator2, validator3]) expect(commit(v, 2, 80).result).toBeOk(Cl.bool(true));
    // job 1: validator1 stays silent; the other two commit and reveal once the commit phase is over
    for (const v of [validator2, validator3]) expect(commit(v, 1, 80).result).toBeOk(Cl.bool(true));
    mineUntil(commitClosesAt(1) + 1n);
    for (const v of [validator2, validator3]) expect(reveal(v, 1, 80).result).toBeOk(Cl.bool(false));
    mineUntil(revealClosesAt(1) + 1n);
    const removedAt = height();
    const settled = finalizeValidation(outsider, 1);
    expect(settled.result).toBeOk(Cl.uint(OUTCOME.REWARDED));
    const penalty = penaltyOf(MIN);
    expect(printEvents(settled).filter((e) => e.event === "validator-penalized")).toEqual([
      { event: "validator-penalized", "bid-id": 1n, validator: validator1, penalty, stake: MIN - penalty, removed: true, silent: true },
    ]);
    // a silent seat's penalty goes to the treasury, with job 1's protocol fee
    expect(read.getMarketTotals().treasury).toBe(penalty + protocolFeeOf(500_000n));
    expect(read.getJobResult(1)).toMatchObject({ penalties: penalty, rewardPool: 25_000n, protocolFee: 5_000n });

    // out of the set (swap-and-pop), exiting since the penalty, but still seated on job 2
    expect(read.getValidator(validator1)).toMatchObject({
      stake: MIN - penalty,
      active: false,
      exitRequestedAt: removedAt,
      openSeats: 1n,
    });
    expect(read.getActiveValidatorCount()).toBe(2n);
    expect([read.getValidatorAt(0), read.getValidatorAt(1), read.getValidatorAt(2)]).toEqual([validator3, validator2, null]);
    expect(read.getValidator(validator3)?.index).toBe(0n);
    expectErr(requestExit(validator1), "VALIDATOR_EXITING");

    mineUntil(removedAt + DEFAULTS.validatorUnbondingBlocks - 1n);
    expectErr(withdrawValidator(validator1), "UNBONDING_NOT_OVER");
    mineUntil(removedAt + DEFAULTS.validatorUnbondingBlocks);
    const before = balances(validator1, contractId);
    expectErr(withdrawValidator(validator1), "VALIDATOR_SEATED");
    expect(deltas(before)).toEqual(new Map([[validator1, 0n], [contractId, 0n]]));
    expect(read.getValidator(validator1)?.stake).toBe(MIN - penalty);

    // job 2 settles by its reveals (still within its reveal window): the coherent seat waits for its claim
    expect(height()).toBeLessThanOrEqual(revealClosesAt(2));
    expect(reveal(validator1, 2, 80).result).toBeOk(Cl.bool(false));
    expect(reveal(validator2, 2, 80).result).toBeOk(Cl.bool(false));
    expect(reveal(validator3, 2, 80).result).toBeOk(Cl.bool(true));
    expect(read.getValidator(validator1)).toMatchObject({ openSeats: 1n, stake: MIN - penalty });
    expectErr(withdrawValidator(validator1), "VALIDATOR_SEATED");
    // its claim (a fifth of job 2's 25,000: its seat weighs 1,000,000 of 5,000,000) frees it
    expect(claim(validator1, 2).result).toBeOk(Cl.uint(5_000n));
    expect(read.getValidator(validator1)).toMatchObject({ openSeats: 0n, stake: MIN - penalty });

    const atRelease = balances(validator1, contractId);
    const r = withdrawValidator(validator1);
    expect(r.result).toBeOk(Cl.uint(MIN - penalty));
    expect(deltas(atRelease)).toEqual(new Map([[validator1, MIN - penalty], [contractId, -(MIN - penalty)]]));
    expect(read.getValidator(validator1)).toBeNull();
    expect(read.getMarketTotals().validatorStakes).toBe(4_000_000n);
  });

  it("after an exit requested while seated: VALIDATOR_SEATED until the seat settles (here by expiry), then pays the stake less its silence penalty", () => {
    const { bidId } = matchedJob(stakes(validator1, validator2));
    const unbondedAt = decode(requestExit(validator1).result) as bigint;
    expect(read.getValidator(validator1)).toMatchObject({ active: false, openSeats: 1n });
    mineUntil(unbondedAt);
    expectErr(withdrawValidator(validator1), "VALIDATOR_SEATED");
    // nobody votes: the job ends without a result and both silent seats pay 1% to the treasury
    mineUntil(revealClosesAt(bidId));
    expectErr(withdrawValidator(validator1), "VALIDATOR_SEATED");
    mineUntil(revealClosesAt(bidId) + 1n);
    const treasury = read.getMarketTotals().treasury;
    const expired = call("expire-bid", [Cl.uint(bidId)], outsider);
    expect(expired.result).toBeOk(Cl.uint(500_000n));
    const penalty = penaltyOf(MIN);
    expect(printEvents(expired).filter((e) => e.event === "validator-penalized")).toEqual([
      // validator1 left the set already: not "removed" again
      { event: "validator-penalized", "bid-id": bidId, validator: validator1, penalty, stake: MIN - penalty, removed: false, silent: true },
      { event: "validator-penalized", "bid-id": bidId, validator: validator2, penalty, stake: MIN - penalty, removed: true, silent: true },
    ]);
    expect(read.getMarketTotals().treasury).toBe(treasury + 2n * penalty);
    expect(read.getValidator(validator1)).toMatchObject({ openSeats: 0n, stake: MIN - penalty, exitRequestedAt: unbondedAt - DEFAULTS.validatorUnbondingBlocks });

    const before = balances(validator1, contractId);
    expect(withdrawValidator(validator1).result).toBeOk(Cl.uint(MIN - penalty));
    expect(deltas(before)).toEqual(new Map([[validator1, MIN - penalty], [contractId, -(MIN - penalty)]]));
    expect(read.getValidator(validator1)).toBeNull();
  });

  it("waits for the claims of its coherent seats: VALIDATOR_SEATED until it claims, then withdraws", () => {
    // validator1, validator2, validator3 (1,000,000 each) sit on job 1 (dataset 1) and job 2 (dataset 2)
    for (const v of [validator1, validator2, validator3]) expect(registerValidator(v).result).toBeOk(Cl.bool(true));
    expect(registerDataset(provider).result).toBeOk(Cl.uint(1));
    expect(registerDataset(provider2).result).toBeOk(Cl.uint(2));
    expect(placeBid(bidder, 1).result).toBeOk(Cl.uint(1));
    expect(placeBid(bidder2, 2).result).toBeOk(Cl.uint(2));
    expect(seatsOf(1)).toEqual([validator1, validator2, validator3]);
    expect(seatsOf(2)).toEqual([validator1, validator2, validator3]);
    const unbondedAt = decode(requestExit(validator1).result) as bigint;
    expect(read.getValidator(validator1)).toMatchObject({ active: false, openSeats: 2n });

    // job 1: validator1 is coherent (80 of a median 80): its seat stays counted after the settlement
    expect(commitAndReveal(1, [[validator1, 80], [validator2, 80], [validator3, 80]]).result).toBeOk(Cl.bool(true));
    expect(read.getBid(1)?.status).toBe("SETTLED");
    expect(read.getValidator(validator1)).toMatchObject({ openSeats: 2n, stake: MIN });
    // job 2: validator1 is an outlier (10 of a median 80): penalized and freed at the settlement
    const settled2 = commitAndReveal(2, [[validator1, 10], [validator2, 80], [validator3, 80]]);
    expect(settled2.result).toBeOk(Cl.bool(true));
    const penalty = penaltyOf(MIN);
    expect(penaltiesOf(settled2)).toEqual(new Map([[validator1, penalty]]));
    expect(read.getValidator(validator1)).toMatchObject({ openSeats: 1n, stake: MIN - penalty });

    // unbonded, but one coherent seat is unclaimed
    mineUntil(unbondedAt);
    const held = balances(validator1, contractId);
    expectErr(withdrawValidator(validator1), "VALIDATOR_SEATED");
    // the outlier's claim pays nothing and frees nothing (its seat is free already)
    expect(claim(validator1, 2).result).toBeOk(Cl.uint(0));
    expect(read.getValidator(validator1)?.openSeats).toBe(1n);
    expectErr(withdrawValidator(validator1), "VALIDATOR_SEATED");
    expect(deltas(held)).toEqual(new Map([[validator1, 0n], [contractId, 0n]]));

    // the coherent seat's claim (a third of job 1's 25,000) frees it: the stake is paid
    expect(claim(validator1, 1).result).toBeOk(Cl.uint(8_333n));
    expect(read.getValidator(validator1)).toMatchObject({ openSeats: 0n, stake: MIN - penalty });
    const before = balances(validator1, contractId);
    expect(withdrawValidator(validator1).result).toBeOk(Cl.uint(MIN - penalty));
    expect(deltas(before)).toEqual(new Map([[validator1, MIN - penalty], [contractId, -(MIN - penalty)]]));
    expect(read.getValidator(validator1)).toBeNull();
    // the others still claim their shares; job 2's pool holds the outlier's penalty
    expect(claim(validator2, 1).result).toBeOk(Cl.uint(8_333n));
    expect(claim(validator3, 1).result).toBeOk(Cl.uint(25_000n - 2n * 8_333n));
    expect(claim(validator2, 2).result).toBeOk(Cl.uint((25_000n + penalty) / 2n));
    expect(claim(validator3, 2).result).toBeOk(Cl.uint(25_000n + penalty - (25_000n + penalty) / 2n));
    for (const v of [validator2, validator3]) expect(read.getValidator(v)?.openSeats).toBe(0n);
  });
});

// ---------------------------------------------------------------------------
// submit-validation-result (the direct path of a one-seat committee)
// ---------------------------------------------------------------------------

describe("submit-validation-result", () => {
  it("the README case: one validator scores job u1 of dataset u1 with 85, which finalizes it at once", () => {
    expect(registerValidator(validator1, 1_000_000n).result).toBeOk(Cl.bool(true));
    const before = balances(provider, bidder, validator1, contractId);
    expect(registerDataset(provider, 1_000_000n, "ipfs://dataset-metadata").result).toBeOk(Cl.uint(1));
    const placed = call("place-computation-bid", [Cl.uint(1), Cl.uint(500_000), Cl.uint(100), Cl.uint(150)], bidder);
    expect(placed.result).toBeOk(Cl.uint(1));
    expect(eventNames(placed)).toEqual(["bid-placed", "bid-matched", "committee-drawn"]);

    const r = call("submit-validation-result", [Cl.uint(1), Cl.uint(1), Cl.uint(85)], validator1);
    expect(r.result).toBeOk(Cl.bool(true));
    expect(eventNames(r)).toEqual(["validation-submitted", "job-finalized"]);
    expect(read.getBid(1)?.status).toBe("SETTLED");
    // provider paid 500,000 - 25,000 (validator fees) - 5,000 (1% protocol fee)
    expect(read.getJobResult(1)).toMatchObject({
      finalScore: 85n,
      outcome: "REWARDED",
      providerPayment: 470_000n,
      validatorFees: 25_000n,
      protocolFee: 5_000n,
    });

    expect(claim(validator1, 1).result).toBeOk(Cl.uint(25_000));
    expect(deltas(before)).toEqual(
      new Map([
        [provider, -1_000_000n + 470_000n],
        [bidder, -500_000n],
        [validator1, 25_000n],
        [contractId, 1_000_000n + 5_000n],
      ]),
    );
    expect(read.getMarketTotals().treasury).toBe(5_000n);
    expect(read.getDataset(1)).toMatchObject({ qualityScore: 85n, validations: 1n, passedValidations: 1n });
  });

  it("records the revealed vote weighted by the stake, emits validation-submitted then job-finalized; the claim frees the seat", () => {
    const { datasetId, bidId } = matchedJob([[validator1, 2_000_000n]]);
    expect(seatsOf(bidId)).toEqual([validator1]);
    expect(read.getValidator(validator1)?.openSeats).toBe(1n);
    const before = balances(provider, bidder, validator1, contractId);

    const r = vote(validator1, datasetId, bidId, 77);
    expect(r.result).toBeOk(Cl.bool(true));
    const events = printEvents(r);
    expect(events.map((e) => e.event)).toEqual(["validation-submitted", "job-finalized"]);
    expect(events[0]).toEqual({
      event: "validation-submitted",
      "bid-id": bidId,
      "dataset-id": datasetId,
      validator: validator1,
      score: 77n,
      weight: 2_000_000n,
    });
    expect(events[1]).toMatchObject({ "bid-id": bidId, "final-score": 77n, outcome: BigInt(OUTCOME.REWARDED), penalties: 0n });

    expect(read.getVote(bidId, validator1)).toEqual({
      commitment: commitmentHex(validator1, bidId, 77, new Uint8Array(0)),
      score: 77n,
      weight: 2_000_000n,
      revealed: true,
      claimed: false,
    });
    // the coherent seat stays counted until its validator claims
    expect(read.getValidator(validator1)).toMatchObject({ openSeats: 1n, stake: 2_000_000n, active: true });
    expect(read.getBid(bidId)?.status).toBe("SETTLED");
    expect(read.getJobResult(bidId)).toMatchObject({ finalScore: 77n, rewardWeight: 2_000_000n, finalizedAt: height() });
    expect(deltas(before)).toEqual(
      new Map([
        [provider, 470_000n],
        [bidder, 0n],
        [validator1, 0n],
        [contractId, -470_000n],
      ]),
    );
    // the claim frees it
    expect(claim(validator1, bidId).result).toBeOk(Cl.uint(25_000n));
    expect(read.getValidator(validator1)).toMatchObject({ openSeats: 0n, stake: 2_000_000n, active: true });
  });

  it("weighs the vote by its seat (the stake at the draw), not the stake at the vote", () => {
    // validator1 alone sits on job 1 and job 2 (two slots); job 2's deadline lies far out
    expect(registerValidator(validator1).result).toBeOk(Cl.bool(true));
    expect(registerDataset().result).toBeOk(Cl.uint(1));
    expect(call("set-dataset-terms", [Cl.uint(1), Cl.uint(0), Cl.uint(2)], provider).result).toBeOk(Cl.bool(true));
    expect(placeBid(bidder, 1).result).toBeOk(Cl.uint(1));
    expect(placeBid(bidder2, 1, 500_000n, 100n, height() + 1_000n).result).toBeOk(Cl.uint(2));
    expect(read.getCommittee(2)).toMatchObject({ seats: [validator1], weights: [MIN], totalWeight: MIN });

    // job 1 expires unvoted: validator1's silence costs it 1% and its place in the set
    mineUntil(revealClosesAt(1) + 1n);
    expect(call("expire-bid", [Cl.uint(1)], outsider).result).toBeOk(Cl.uint(500_000n));
    const penalty = penaltyOf(MIN);
    expect(read.getValidator(validator1)).toMatchObject({ stake: MIN - penalty, active: false, openSeats: 1n });

    // on job 2 its vote still weighs the seat's MIN
    expect(height()).toBeLessThanOrEqual(commitClosesAt(2));
    const r = vote(validator1, 1, 2, 90);
    expect(r.result).toBeOk(Cl.bool(true));
    expect(printEvents(r)[0]).toEqual({
      event: "validation-submitted", "bid-id": 2n, "dataset-id": 1n, validator: validator1, score: 90n, weight: MIN,
    });
    expect(read.getVote(2, validator1)?.weight).toBe(MIN);
    expect(read.getCommittee(2)).toMatchObject({ revealedWeight: MIN, revealed: [{ score: 90n, weight: MIN }] });
    expect(read.getJobResult(2)).toMatchObject({ rewardWeight: MIN, rewardPool: 25_000n });
    expect(claim(validator1, 2).result).toBeOk(Cl.uint(25_000n));
  });

  it("leaves the committee record consistent with the direct vote: 1 commit, 1 reveal, the revealed vote", () => {
    const { datasetId, bidId } = matchedJob();
    expect(vote(validator1, datasetId, bidId, 90).result).toBeOk(Cl.bool(true));
    expect(read.getCommittee(bidId)).toEqual({
      seats: [validator1],
      weights: [MIN],
      totalWeight: MIN,
      commits: 1n,
      reveals: 1n,
      revealedWeight: MIN,
      revealed: [{ score: 90n, weight: MIN }],
    });
  });

  it("accepts the boundary scores 100 and 0, and rejects 101 (INVALID_SCORE)", () => {
    const { datasetId, bidId } = matchedJob();
    expectErr(vote(validator1, datasetId, bidId, 101), "INVALID_SCORE");
    expect(read.getVote(bidId, validator1)).toBeNull();
    expect(read.getBid(bidId)?.status).toBe("MATCHED");
    expect(vote(validator1, datasetId, bidId, 100).result).toBeOk(Cl.bool(true));
    expect(read.getJobResult(bidId)?.finalScore).toBe(100n);

    // a second job on the freed slot, scored 0
    expect(placeBid(bidder2, datasetId).result).toBeOk(Cl.uint(2));
    expect(seatsOf(2)).toEqual([validator1]);
    expect(vote(validator1, datasetId, 2, 0).result).toBeOk(Cl.bool(true));
    expect(read.getJobResult(2)).toMatchObject({ finalScore: 0n, outcome: "SLASHED" });
  });

  it("rejects an unknown bid (BID_NOT_FOUND)", () => {
    const { datasetId } = matchedJob();
    expectErr(vote(validator1, datasetId, 99, 80), "BID_NOT_FOUND");
  });

  it("rejects a caller that is not a validator (VALIDATOR_NOT_FOUND)", () => {
    const { datasetId, bidId } = matchedJob();
    expectErr(vote(outsider, datasetId, bidId, 80), "VALIDATOR_NOT_FOUND");
    expect(read.getVote(bidId, outsider)).toBeNull();
  });

  it("rejects a bid named with another dataset (BID_DATASET_MISMATCH)", () => {
    const { bidId } = matchedJob();
    expect(registerDataset(provider2).result).toBeOk(Cl.uint(2));
    expectErr(vote(validator1, 2, bidId, 80), "BID_DATASET_MISMATCH");
    expect(read.getVote(bidId, validator1)).toBeNull();
    expect(read.getBid(bidId)?.status).toBe("MATCHED");
  });

  it("rejects a vote on a queued bid (JOB_NOT_RUNNING)", () => {
    const { datasetId } = matchedJob();
    // the single slot is taken by bid 1, so bid 2 waits in the queue
    expect(placeBid(bidder2, datasetId).result).toBeOk(Cl.uint(2));
    expect(read.getBid(2)?.status).toBe("QUEUED");
    expectErr(vote(validator1, datasetId, 2, 80), "JOB_NOT_RUNNING");
    expect(read.getVote(2, validator1)).toBeNull();
    expect(read.getCommittee(2)).toBeNull();
  });

  it("rejects a vote on a settled job (JOB_NOT_RUNNING)", () => {
    const { datasetId, bidId } = finalizedJob(80);
    const before = balances(provider, bidder, contractId);
    expectErr(vote(validator1, datasetId, bidId, 10), "JOB_NOT_RUNNING");
    expect(deltas(before)).toEqual(new Map([[provider, 0n], [bidder, 0n], [contractId, 0n]]));
    expect(read.getJobResult(bidId)?.finalScore).toBe(80n);
    expect(read.getVote(bidId, validator1)?.score).toBe(80n);
  });

  it("is still open at exactly deadline + validation-window", () => {
    const { datasetId, bidId } = matchedJob();
    mineUntil(commitClosesAt(bidId));
    expect(vote(validator1, datasetId, bidId, 80).result).toBeOk(Cl.bool(true));
    expect(read.getBid(bidId)?.status).toBe("SETTLED");
  });

  it("is closed one block after deadline + validation-window (VALIDATION_CLOSED)", () => {
    const { datasetId, bidId } = matchedJob();
    expect(commitClosesAt(bidId)).toBe((read.getBid(bidId)?.deadline as bigint) + DEFAULTS.validationWindow);
    mineUntil(commitClosesAt(bidId) + 1n);
    expectErr(vote(validator1, datasetId, bidId, 80), "VALIDATION_CLOSED");
    expect(read.getVote(bidId, validator1)).toBeNull();
    expect(read.getBid(bidId)?.status).toBe("MATCHED");
  });

  it("rejects the job's provider registered as a validator (PARTY_CANNOT_VALIDATE), who is not seated", () => {
    const { datasetId, bidId } = matchedJob(stakes(provider, validator1));
    expect(seatsOf(bidId)).toEqual([validator1]);
    expectErr(vote(provider, datasetId, bidId, 100), "PARTY_CANNOT_VALIDATE");
    expect(read.getVote(bidId, provider)).toBeNull();
    expect(read.getBid(bidId)?.status).toBe("MATCHED");
  });

  it("rejects the job's bidder registered as a validator (PARTY_CANNOT_VALIDATE), who is not seated", () => {
    const { datasetId, bidId } = matchedJob(stakes(bidder, validator1));
    expect(seatsOf(bidId)).toEqual([validator1]);
    expectErr(vote(bidder, datasetId, bidId, 0), "PARTY_CANNOT_VALIDATE");
    expect(read.getVote(bidId, bidder)).toBeNull();
    expect(read.getBid(bidId)?.status).toBe("MATCHED");
  });

  it("rejects a validator that is not on the job's committee (NOT_ON_COMMITTEE)", () => {
    const { datasetId, bidId } = matchedJob();
    // registered after the match: the one-seat committee was seated at the match
    expect(registerValidator(validator2).result).toBeOk(Cl.bool(true));
    expectErr(vote(validator2, datasetId, bidId, 80), "NOT_ON_COMMITTEE");
    expect(read.getVote(bidId, validator2)).toBeNull();
    expect(seatsOf(bidId)).toEqual([validator1]);
  });

  it("refuses a committee of two or more seats (COMMIT_REQUIRED)", () => {
    const { datasetId, bidId } = matchedJob(stakes(validator1, validator2));
    expect(seatsOf(bidId)).toEqual([validator1, validator2]);
    expectErr(vote(validator1, datasetId, bidId, 80), "COMMIT_REQUIRED");
    expect(read.getVote(bidId, validator1)).toBeNull();
    expect(read.getCommittee(bidId)).toMatchObject({ commits: 0n, reveals: 0n });
    expect(read.getBid(bidId)?.status).toBe("MATCHED");
  });

  it("refuses a seat that already committed (ALREADY_VOTED)", () => {
    const { datasetId, bidId } = matchedJob();
    expect(commit(validator1, bidId, 60).result).toBeOk(Cl.bool(true));
    expectErr(vote(validator1, datasetId, bidId, 90), "ALREADY_VOTED");
    expect(read.getVote(bidId, validator1)).toMatchObject({ revealed: false, commitment: commitmentHex(validator1, bidId, 60) });
    expect(read.getBid(bidId)?.status).toBe("MATCHED");
  });

  it("right after a match in a market of more than 5 validators, cannot draw the committee yet (SEED_NOT_READY)", () => {
    const { datasetId, bidId } = largeMarketJob();
    expectErr(vote(validator1, datasetId, bidId, 80), "SEED_NOT_READY");
    expect(read.getCommittee(bidId)).toBeNull();
    expect(read.getVote(bidId, validator1)).toBeNull();
  });

  it("refuses when no validator besides the parties can be seated (NO_ELIGIBLE_VALIDATORS)", () => {
    // validator1 registered and exited: still a validator record, but not in the active set
    expect(registerValidator(validator1).result).toBeOk(Cl.bool(true));
    expect(requestExit(validator1).result).toBeOk(Cl.uint(height() + DEFAULTS.validatorUnbondingBlocks));
    const { datasetId, bidId } = matchedJob(stakes(provider, bidder));
    expect(read.getCommittee(bidId)).toBeNull();
    expectErr(vote(validator1, datasetId, bidId, 80), "NO_ELIGIBLE_VALIDATORS");
    expect(read.getCommittee(bidId)).toBeNull();
    expect(read.getVote(bidId, validator1)).toBeNull();
  });

  it("is refused while paused (PAUSED)", () => {
    const { datasetId, bidId } = matchedJob();
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    expectErr(vote(validator1, datasetId, bidId, 80), "PAUSED");
    expect(read.getVote(bidId, validator1)).toBeNull();
    expect(read.getBid(bidId)?.status).toBe("MATCHED");
  });
});

// ---------------------------------------------------------------------------
// draw-committee
// ---------------------------------------------------------------------------

describe("draw-committee", () => {
  it("in a market of at most 5 validators, the committee is seated at the match without randomness (COMMITTEE_DRAWN after)", () => {
    for (const v of [validator1, validator2, validator3]) expect(registerValidator(v).result).toBeOk(Cl.bool(true));
    expect(registerDataset().result).toBeOk(Cl.uint(1));
    const placed = placeBid(bidder, 1);
    expect(placed.result).toBeOk(Cl.uint(1));
    expect(printEvents(placed).find((e) => e.event === "committee-drawn")).toEqual({
      event: "committee-drawn",
      "bid-id": 1n,
      seats: [validator1, validator2, validator3],
      random: false,
    });
    expect(read.getCommittee(1)).toEqual({
      seats: [validator1, validator2, validator3],
      weights: [MIN, MIN, MIN],
      totalWeight: 3n * MIN,
      commits: 0n,
      reveals: 0n,
      revealedWeight: 0n,
      revealed: [],
    });
    expect(read.getValidationWindows(1)!.minReveals).toBe(2n);
    for (const v of [validator1, validator2, validator3]) expect(read.getValidator(v)?.openSeats).toBe(1n);

    expectErr(drawCommittee(outsider, 1), "COMMITTEE_DRAWN");
    expect(seatsOf(1)).toEqual([validator1, validator2, validator3]);
  });

  it("right after the match in a market of more than 5 validators, waits for the seed (SEED_NOT_READY), then anyone draws 5 seats", () => {
    const { bidId } = largeMarketJob();
    expect(read.getCommitteeSeed(bidId)).toBeNull();
    expectErr(drawCommittee(deployer, bidId), "SEED_NOT_READY");
    expect(read.getCommittee(bidId)).toBeNull();
    for (const v of LARGE) expect(read.getValidator(v)?.openSeats).toBe(0n);

    // the decline window (matched-at .. matched-at + 6): no seed, no draw
    const matchedAt = read.getBid(bidId)?.matchedAt as bigint;
    for (let at = matchedAt + 1n; at <= matchedAt + DEFAULTS.declineWindow; at++) {
      mineUntil(at);
      expect(read.getCommitteeSeed(bidId)).toBeNull();
      expectErr(drawCommittee(deployer, bidId), "SEED_NOT_READY");
    }
    expect(read.getCommittee(bidId)).toBeNull();
    mineUntil(matchedAt + 7n);
    expect(read.getCommitteeSeed(bidId)).not.toBeNull();
    const r = drawCommittee(deployer, bidId);
    const seats = seatsOf(bidId);
    expect(r.result).toBeOk(Cl.list(seats.map((s) => Cl.principal(s))));
    expect(seats).toHaveLength(Number(DEFAULTS.committeeSize));
    expect(new Set(seats).size).toBe(seats.length);
    for (const s of seats) expect(LARGE).toContain(s);
    expect(printEvents(r)).toEqual([{ event: "committee-drawn", "bid-id": bidId, seats, random: true }]);
    expect(read.getCommittee(bidId)).toEqual({
      seats,
      weights: seats.map(() => MIN),
      totalWeight: 5n * MIN,
      commits: 0n,
      reveals: 0n,
      revealedWeight: 0n,
      revealed: [],
    });
    expect(read.getValidationWindows(bidId)!.minReveals).toBe(3n);
    for (const v of LARGE) expect(read.getValidator(v)?.openSeats).toBe(seats.includes(v) ? 1n : 0n);
    expect(stxTransfers(r)).toEqual([]);
  });

  it("weighs each seat by its member's stake at the draw; total-weight is their sum", () => {
    const stakesOf = new Map<string, bigint>([
      [validator1, 1_000_000n], [validator2, 2_000_000n], [validator3, 3_500_000n],
      [provider2, 1_250_000n], [bidder2, 4_000_000n], [outsider, 1_000_001n],
    ]);
    const { bidId } = matchedJob([...stakesOf]);
    expect(read.getCommittee(bidId)).toBeNull();
    mineToSeed(bidId);
    expect(drawCommittee(deployer, bidId).result.type).toBe(ClarityType.ResponseOk);
    const committee = read.getCommittee(bidId);
    const seats = committee?.seats as string[];
    const weights = seats.map((s) => stakesOf.get(s) as bigint);
    expect(committee).toMatchObject({ weights, totalWeight: weights.reduce((a, b) => a + b, 0n) });
  });

  it("records the set of the match in get-bid (validators-at-match, registrations-at-match); u0 while queued", () => {
    const { datasetId } = matchedJob();
    expect(read.getBid(1)).toMatchObject({ validatorsAtMatch: 1n, registrationsAtMatch: 1n, pausesAtMatch: 0n });
    // bid 2 waits behind bid 1: nothing recorded yet
    expect(placeBid(bidder2, datasetId).result).toBeOk(Cl.uint(2));
    expect(read.getBid(2)).toMatchObject({ status: "QUEUED", validatorsAtMatch: 0n, registrationsAtMatch: 0n, pausesAtMatch: 0n });
    // a validator registered while bid 2 waits is one of bid 2's, not of bid 1
    expect(registerValidator(validator2).result).toBeOk(Cl.bool(true));
    expect(seatsOf(1)).toEqual([validator1]);
    expect(vote(validator1, datasetId, 1, 80).result).toBeOk(Cl.bool(true));
    // bid 1's settlement matched bid 2 from the queue, with the set of that moment
    expect(read.getBid(2)).toMatchObject({ status: "MATCHED", validatorsAtMatch: 2n, registrationsAtMatch: 2n });
    expect(seatsOf(2)).toEqual([validator1, validator2]);
    expect(read.getBid(1)).toMatchObject({ validatorsAtMatch: 1n, registrationsAtMatch: 1n });
  });

  it("never seats a validator registered after a small market's match: the seats of the match stay the committee", () => {
    const { datasetId, bidId } = matchedJob();
    expect(seatsOf(bidId)).toEqual([validator1]);
    for (const v of [validator2, validator3, provider2, outsider]) expect(registerValidator(v).result).toBeOk(Cl.bool(true));
    expectErr(drawCommittee(outsider, bidId), "COMMITTEE_DRAWN");
    expect(read.getCommittee(bidId)).toMatchObject({ seats: [validator1], weights: [MIN], totalWeight: MIN });
    for (const v of [validator2, validator3, provider2, outsider]) {
      expectErr(vote(v, datasetId, bidId, 80), "NOT_ON_COMMITTEE");
      expect(read.getValidator(v)?.openSeats).toBe(0n);
    }
    // still a one-seat committee: the direct vote settles it
    expect(vote(validator1, datasetId, bidId, 80).result).toBeOk(Cl.bool(true));
  });

  it("never draws a validator registered after a large market's match, even one an exit moved into the range", () => {
    const { bidId } = largeMarketJob();
    expect(read.getBid(bidId)).toMatchObject({ validatorsAtMatch: 6n, registrationsAtMatch: 6n });
    // deployer registers after the match (ordinal 7, index 6), then validator1 and validator2 exit:
    // swap-and-pop moves the deployer to index 0, inside the six indices drawn from
    expect(registerValidator(deployer).result).toBeOk(Cl.bool(true));
    expect(read.getValidator(deployer)?.ordinal).toBe(7n);
    expect(requestExit(validator1).result).toBeOk(Cl.uint(height() + DEFAULTS.validatorUnbondingBlocks));
    expect(requestExit(validator2).result).toBeOk(Cl.uint(height() + DEFAULTS.validatorUnbondingBlocks));
    expect([0, 1, 2, 3, 4, 5].map((i) => read.getValidatorAt(i))).toEqual([deployer, outsider, validator3, provider2, bidder2, null]);
    expect(validatorAtEntry(0)).toEqual({ validator: deployer, ordinal: 7n });
    mineToSeed(bidId);
    const r = drawCommittee(outsider, bidId);
    // five validators sit in the range and five seats are open: only the stepped-over deployer stays out
    const seats = seatsOf(bidId);
    expect(r.result).toBeOk(Cl.list(seats.map((v) => Cl.principal(v))));
    expect([...seats].sort()).toEqual([outsider, validator3, provider2, bidder2].sort());
    expect(read.getValidator(deployer)?.openSeats).toBe(0n);
    expectErr(commit(deployer, bidId, 80), "NOT_ON_COMMITTEE");
  });

  it("a job matched with no validator never gets a committee (NO_ELIGIBLE_VALIDATORS), and expire-bid refunds it in full after its end", () => {
    expect(registerDataset().result).toBeOk(Cl.uint(1));
    const placed = placeBid(bidder, 1);
    expect(placed.result).toBeOk(Cl.uint(1));
    expect(eventNames(placed)).toEqual(["bid-placed", "bid-matched"]);
    expect(read.getBid(1)).toMatchObject({ status: "MATCHED", validatorsAtMatch: 0n, registrationsAtMatch: 0n });
    expectErr(drawCommittee(outsider, 1), "NO_ELIGIBLE_VALIDATORS");

    // validators registered after the match change nothing, now or once later blocks exist
    for (const v of [...LARGE, deployer]) expect(registerValidator(v).result).toBeOk(Cl.bool(true));
    expectErr(drawCommittee(outsider, 1), "NO_ELIGIBLE_VALIDATORS");
    simnet.mineEmptyBlocks(2);
    expectErr(drawCommittee(outsider, 1), "NO_ELIGIBLE_VALIDATORS");
    expectErr(commit(validator1, 1, 80), "NO_ELIGIBLE_VALIDATORS");
    expectErr(vote(validator1, 1, 1, 80), "NO_ELIGIBLE_VALIDATORS");
    expect(read.getCommittee(1)).toBeNull();
    for (const v of LARGE) expect(read.getValidator(v)?.openSeats).toBe(0n);

    // the job ends without a result: refunded in full, nobody penalized
    mineUntil(revealClosesAt(1));
    expectErr(call("expire-bid", [Cl.uint(1)], outsider), "BID_NOT_EXPIRED");
    mineUntil(revealClosesAt(1) + 1n);
    const before = balances(bidder, provider, contractId);
    const treasury = read.getMarketTotals().treasury;
    const r = call("expire-bid", [Cl.uint(1)], outsider);
    expect(r.result).toBeOk(Cl.uint(500_000n));
    expect(printEvents(r)).toEqual([
      { event: "bid-expired", "bid-id": 1n, "dataset-id": 1n, bidder, refund: 500_000n, penalties: 0n },
    ]);
    expect(deltas(before)).toEqual(new Map([[bidder, 500_000n], [provider, 0n], [contractId, -500_000n]]));
    expect(read.getMarketTotals().treasury).toBe(treasury);
    expect(read.getBid(1)?.status).toBe("EXPIRED");
    expect(read.getDataset(1)).toMatchObject({ activeJobs: 0n, stake: DEFAULTS.minDatasetStake });
    for (const v of LARGE) expect(read.getValidator(v)?.stake).toBe(MIN);
  });

  it("is refused a second time (COMMITTEE_DRAWN)", () => {
    const { bidId } = largeMarketJob();
    mineToSeed(bidId);
    expect(drawCommittee(provider, bidId).result.type).toBe(ClarityType.ResponseOk);
    const seats = seatsOf(bidId);
    expectErr(drawCommittee(outsider, bidId), "COMMITTEE_DRAWN");
    expect(seatsOf(bidId)).toEqual(seats);
    for (const v of LARGE) expect(read.getValidator(v)?.openSeats).toBe(seats.includes(v) ? 1n : 0n);
  });

  it("is still open at exactly deadline + validation-window", () => {
    const { bidId } = largeMarketJob();
    mineUntil(commitClosesAt(bidId));
    expect(drawCommittee(deployer, bidId).result.type).toBe(ClarityType.ResponseOk);
    expect(seatsOf(bidId)).toHaveLength(5);
  });

  it("is refused after deadline + validation-window (VALIDATION_CLOSED)", () => {
    const { bidId } = largeMarketJob();
    mineUntil(commitClosesAt(bidId) + 1n);
    expectErr(drawCommittee(deployer, bidId), "VALIDATION_CLOSED");
    expect(read.getCommittee(bidId)).toBeNull();
  });

  it("finds nobody to seat when the only validators are the job's parties (NO_ELIGIBLE_VALIDATORS)", () => {
    const placed = (() => {
      for (const v of [provider, bidder]) expect(registerValidator(v).result).toBeOk(Cl.bool(true));
      expect(registerDataset().result).toBeOk(Cl.uint(1));
      return placeBid(bidder, 1);
    })();
    expect(placed.result).toBeOk(Cl.uint(1));
    expect(eventNames(placed)).toEqual(["bid-placed", "bid-matched"]);
    expect(read.getCommittee(1)).toBeNull();

    expectErr(drawCommittee(outsider, 1), "NO_ELIGIBLE_VALIDATORS");
    expect(read.getCommittee(1)).toBeNull();
    expect(read.getValidator(provider)?.openSeats).toBe(0n);
    expect(read.getValidator(bidder)?.openSeats).toBe(0n);
  });

  it("refuses a queued bid and a settled job (JOB_NOT_RUNNING)", () => {
    const { datasetId, bidId } = matchedJob();
    expect(placeBid(bidder2, datasetId).result).toBeOk(Cl.uint(2));
    expect(read.getBid(2)?.status).toBe("QUEUED");
    expectErr(drawCommittee(outsider, 2), "JOB_NOT_RUNNING");
    expect(read.getCommittee(2)).toBeNull();

    expect(vote(validator1, datasetId, bidId, 80).result).toBeOk(Cl.bool(true));
    expect(read.getBid(bidId)?.status).toBe("SETTLED");
    expectErr(drawCommittee(outsider, bidId), "JOB_NOT_RUNNING");
  });

  it("refuses an unknown bid (BID_NOT_FOUND)", () => {
    expectErr(drawCommittee(outsider, 1), "BID_NOT_FOUND");
  });

  it("is refused while paused (PAUSED) and works once resumed", () => {
    const { bidId } = largeMarketJob();
    mineToSeed(bidId);
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    expectErr(drawCommittee(deployer, bidId), "PAUSED");
    expect(read.getCommittee(bidId)).toBeNull();
    expect(setPaused(false).result).toBeOk(Cl.bool(true));
    expect(drawCommittee(deployer, bidId).result.type).toBe(ClarityType.ResponseOk);
    expect(seatsOf(bidId)).toHaveLength(5);
  });
  it("refuses a call through an intermediary contract (NOT_DIRECT_CALLER)", () => {
    const { bidId } = largeMarketJob();
    mineToSeed(bidId);
    expectRefusedThroughProxy("draw-committee", [Cl.uint(bidId)], deployer);
    expect(seatsOf(bidId)).toHaveLength(5);
  });
});

// ---------------------------------------------------------------------------
// commit-validation-result
// ---------------------------------------------------------------------------

describe("commit-validation-result", () => {
  it("stores the hidden vote with its seat's weight (the stake at the draw), counts the commit, emits validation-committed", () => {
    const { bidId } = matchedJob([
      [validator1, 3_000_000n],
      [validator2, MIN],
      [validator3, MIN],
    ]);
    const before = balances(validator1, contractId);
    const commitment = commitmentHex(validator1, bidId, 75);
    const r = commit(validator1, bidId, 75);
    expect(r.result).toBeOk(Cl.bool(true));
    expect(stxTransfers(r)).toEqual([]);
    expect(deltas(before)).toEqual(new Map([[validator1, 0n], [contractId, 0n]]));
    expect(printEvents(r)).toEqual([{ event: "validation-committed", "bid-id": bidId, validator: validator1, commitment }]);
    expect(read.getVote(bidId, validator1)).toEqual({ commitment, score: 0n, weight: 3_000_000n, revealed: false, claimed: false });
    expect(read.getCommittee(bidId)).toMatchObject({ commits: 1n, reveals: 0n, revealedWeight: 0n, revealed: [] });
    expect(read.getBid(bidId)?.status).toBe("MATCHED");
  });

  it("the first commit in a market of more than 5 validators draws the committee (committee-drawn, then validation-committed)", () => {
    const { bidId } = largeMarketJob();
    mineToSeed(bidId);
    // the one validator the draw leaves out is refused, and its failed call draws nothing
    let first: ReturnType<typeof commit> | undefined;
    for (const v of LARGE) {
      const r = commit(v, bidId, 80);
      if (r.result.type === ClarityType.ResponseOk) {
        first = r;
        break;
      }
      expectErr(r, "NOT_ON_COMMITTEE");
      expect(read.getCommittee(bidId)).toBeNull();
    }
    if (!first) throw new Error("no validator was seated");
    const seats = seatsOf(bidId);
    expect(seats).toHaveLength(5);
    const committer = printEvents(first)[1]?.validator as string;
    expect(seats).toContain(committer);
    expect(printEvents(first)).toEqual([
      { event: "committee-drawn", "bid-id": bidId, seats, random: true },
      { event: "validation-committed", "bid-id": bidId, validator: committer, commitment: commitmentHex(committer, bidId, 80) },
    ]);
    expect(read.getCommittee(bidId)).toMatchObject({ commits: 1n });
    expectErr(drawCommittee(deployer, bidId), "COMMITTEE_DRAWN");
  });

  it("rejects a validator the draw left out (NOT_ON_COMMITTEE)", () => {
    const { bidId } = largeMarketJob();
    mineToSeed(bidId);
    expect(drawCommittee(deployer, bidId).result.type).toBe(ClarityType.ResponseOk);
    const left = LARGE.filter((v) => !seatsOf(bidId).includes(v));
    expect(left).toHaveLength(1);
    expectErr(commit(left[0], bidId, 80), "NOT_ON_COMMITTEE");
    expect(read.getVote(bidId, left[0])).toBeNull();
    expect(read.getCommittee(bidId)?.commits).toBe(0n);
  });

  it("rejects a validator registered after a small market's match (NOT_ON_COMMITTEE)", () => {
    const { bidId } = threeSeatJob();
    expect(registerValidator(provider2).result).toBeOk(Cl.bool(true));
    expectErr(commit(provider2, bidId, 80), "NOT_ON_COMMITTEE");
    expect(read.getVote(bidId, provider2)).toBeNull();
    expect(seatsOf(bidId)).toEqual([validator1, validator2, validator3]);
  });

  it("right after a match in a market of more than 5 validators, cannot draw yet (SEED_NOT_READY)", () => {
    const { bidId } = largeMarketJob();
    expectErr(commit(validator1, bidId, 80), "SEED_NOT_READY");
    expect(read.getCommittee(bidId)).toBeNull();
    expect(read.getVote(bidId, validator1)).toBeNull();
  });

  it("refuses when no validator besides the parties can be seated (NO_ELIGIBLE_VALIDATORS)", () => {
    expect(registerValidator(validator1).result).toBeOk(Cl.bool(true));
    expect(requestExit(validator1).result).toBeOk(Cl.uint(height() + DEFAULTS.validatorUnbondingBlocks));
    const { bidId } = matchedJob(stakes(provider, bidder));
    expectErr(commit(validator1, bidId, 80), "NO_ELIGIBLE_VALIDATORS");
    expect(read.getCommittee(bidId)).toBeNull();
    expect(read.getVote(bidId, validator1)).toBeNull();
  });

  it("rejects the job's provider and bidder, even registered as validators (PARTY_CANNOT_VALIDATE)", () => {
    const { bidId } = matchedJob(stakes(provider, bidder, validator1));
    expect(seatsOf(bidId)).toEqual([validator1]);
    expectErr(commit(provider, bidId, 100), "PARTY_CANNOT_VALIDATE");
    expectErr(commit(bidder, bidId, 0), "PARTY_CANNOT_VALIDATE");
    expect(read.getVote(bidId, provider)).toBeNull();
    expect(read.getVote(bidId, bidder)).toBeNull();
    expect(read.getCommittee(bidId)?.commits).toBe(0n);
  });

  it("rejects a caller that is not a validator (VALIDATOR_NOT_FOUND)", () => {
    const { bidId } = threeSeatJob();
    expectErr(commit(outsider, bidId, 80), "VALIDATOR_NOT_FOUND");
    expect(read.getVote(bidId, outsider)).toBeNull();
  });

  it("rejects an unknown bid (BID_NOT_FOUND)", () => {
    threeSeatJob();
    expectErr(commit(validator1, 99, 80), "BID_NOT_FOUND");
  });

  it("rejects a queued bid and a settled job (JOB_NOT_RUNNING)", () => {
    const { datasetId, bidId } = threeSeatJob();
    expect(placeBid(bidder2, datasetId).result).toBeOk(Cl.uint(2));
    expect(read.getBid(2)?.status).toBe("QUEUED");
    expectErr(commit(validator1, 2, 80), "JOB_NOT_RUNNING");
    expect(read.getVote(2, validator1)).toBeNull();

    commitAndReveal(bidId, [[validator1, 80], [validator2, 80], [validator3, 80]]);
    expect(read.getBid(bidId)?.status).toBe("SETTLED");
    // the freed slot matched bid 2: a validator that voted on job 1 cannot commit on it again
    expectErr(commit(validator1, bidId, 80), "JOB_NOT_RUNNING");
  });

  it("is open at exactly deadline + validation-window and closed one block later (VALIDATION_CLOSED)", () => {
    const { bidId } = threeSeatJob();
    mineUntil(commitClosesAt(bidId));
    expect(commit(validator1, bidId, 80).result).toBeOk(Cl.bool(true));
    mineUntil(commitClosesAt(bidId) + 1n);
    expectErr(commit(validator2, bidId, 80), "VALIDATION_CLOSED");
    expect(read.getVote(bidId, validator2)).toBeNull();
    expect(read.getCommittee(bidId)?.commits).toBe(1n);
  });

  it("accepts one commit per seat (ALREADY_VOTED) and keeps the first", () => {
    const { bidId } = threeSeatJob();
    expect(commit(validator1, bidId, 80).result).toBeOk(Cl.bool(true));
    expectErr(commit(validator1, bidId, 20), "ALREADY_VOTED");
    expect(read.getVote(bidId, validator1)?.commitment).toBe(commitmentHex(validator1, bidId, 80));
    expect(read.getCommittee(bidId)?.commits).toBe(1n);
  });

  it("is refused while paused (PAUSED) and accepted once resumed", () => {
    const { bidId } = threeSeatJob();
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    expectErr(commit(validator1, bidId, 80), "PAUSED");
    expect(read.getVote(bidId, validator1)).toBeNull();
    expect(setPaused(false).result).toBeOk(Cl.bool(true));
    expect(commit(validator1, bidId, 80).result).toBeOk(Cl.bool(true));
  });
  it("refuses a call through an intermediary contract (NOT_DIRECT_CALLER)", () => {
    const { bidId } = threeSeatJob();
    expectRefusedThroughProxy("commit-validation-result", [Cl.uint(bidId), commitmentFor(validator1, bidId, 80)], validator1);
    expect(read.getCommittee(bidId)?.commits).toBe(1n);
  });
});

// ---------------------------------------------------------------------------
// reveal-validation-result
// ---------------------------------------------------------------------------

describe("reveal-validation-result", () => {
  it("records the score (ok false), and the reveal that completes every seat finalizes (ok true) by the median", () => {
    const { bidId } = threeSeatJob();
    for (const [v, s] of [[validator1, 70], [validator2, 80], [validator3, 90]] as const) {
      expect(commit(v, bidId, s).result).toBeOk(Cl.bool(true));
    }
    const r = reveal(validator1, bidId, 70);
    expect(r.result).toBeOk(Cl.bool(false));
    expect(printEvents(r)).toEqual([{ event: "validation-revealed", "bid-id": bidId, validator: validator1, score: 70n, weight: MIN }]);
    expect(stxTransfers(r)).toEqual([]);
    expect(read.getVote(bidId, validator1)).toMatchObject({ score: 70n, revealed: true, weight: MIN });
    expect(read.getCommittee(bidId)).toMatchObject({ commits: 3n, reveals: 1n, revealedWeight: MIN, revealed: [{ score: 70n, weight: MIN }] });

    expect(reveal(validator2, bidId, 80).result).toBeOk(Cl.bool(false));
    expect(read.getBid(bidId)?.status).toBe("MATCHED");
    const last = reveal(validator3, bidId, 90);
    expect(last.result).toBeOk(Cl.bool(true));
    expect(eventNames(last)).toEqual(["validation-revealed", "job-finalized"]);
    expect(read.getBid(bidId)?.status).toBe("SETTLED");
    expect(read.getJobResult(bidId)).toMatchObject({ finalScore: 80n, outcome: "REWARDED", rewardWeight: 3n * MIN });
    expect(read.getCommittee(bidId)).toMatchObject({ reveals: 3n, revealedWeight: 3n * MIN });
  });

  it("is not open before every seat committed (REVEAL_NOT_OPEN), and opens when the last seat commits", () => {
    const { bidId } = threeSeatJob();
    expect(commit(validator1, bidId, 80).result).toBeOk(Cl.bool(true));
    expect(commit(validator2, bidId, 80).result).toBeOk(Cl.bool(true));
    expectErr(reveal(validator1, bidId, 80), "REVEAL_NOT_OPEN");
    expect(read.getVote(bidId, validator1)?.revealed).toBe(false);
    expect(read.getCommittee(bidId)?.reveals).toBe(0n);

    expect(commit(validator3, bidId, 80).result).toBeOk(Cl.bool(true));
    expect(reveal(validator1, bidId, 80).result).toBeOk(Cl.bool(false));
    expect(read.getCommittee(bidId)?.reveals).toBe(1n);
  });

  it("opens without every commit once deadline + validation-window has passed", () => {
    const { bidId } = threeSeatJob();
    expect(commit(validator1, bidId, 80).result).toBeOk(Cl.bool(true));
    expect(commit(validator2, bidId, 80).result).toBeOk(Cl.bool(true));
    mineUntil(commitClosesAt(bidId));
    expectErr(reveal(validator1, bidId, 80), "REVEAL_NOT_OPEN");
    mineUntil(commitClosesAt(bidId) + 1n);
    expect(reveal(validator1, bidId, 80).result).toBeOk(Cl.bool(false));
    expect(read.getVote(bidId, validator1)).toMatchObject({ score: 80n, revealed: true });
  });

  it("is accepted at exactly deadline + validation-window + reveal-window and closed after (REVEAL_CLOSED)", () => {
    const { bidId } = threeSeatJob();
    expect(commit(validator1, bidId, 80).result).toBeOk(Cl.bool(true));
    expect(commit(validator2, bidId, 70).result).toBeOk(Cl.bool(true));
    expect(revealClosesAt(bidId)).toBe(commitClosesAt(bidId) + DEFAULTS.revealWindow);
    mineUntil(revealClosesAt(bidId));
    expect(reveal(validator1, bidId, 80).result).toBeOk(Cl.bool(false));
    mineUntil(revealClosesAt(bidId) + 1n);
    expectErr(reveal(validator2, bidId, 70), "REVEAL_CLOSED");
    expect(read.getVote(bidId, validator2)?.revealed).toBe(false);
    expect(read.getCommittee(bidId)?.reveals).toBe(1n);
  });

  it("rejects another score, another salt, and a commitment copied from another validator (COMMITMENT_MISMATCH)", () => {
    const { bidId } = threeSeatJob();
    expect(commit(validator1, bidId, 80).result).toBeOk(Cl.bool(true));
    // validator2 copies validator1's commitment byte for byte
    const copied = commitmentFor(validator1, bidId, 80);
    expect(call("commit-validation-result", [Cl.uint(bidId), copied], validator2).result).toBeOk(Cl.bool(true));
    expect(read.getVote(bidId, validator2)?.commitment).toBe(decode(copied));
    expect(commit(validator3, bidId, 80).result).toBeOk(Cl.bool(true));

    expectErr(reveal(validator1, bidId, 81), "COMMITMENT_MISMATCH");
    const otherSalt = saltFor(validator1, bidId).map((b) => b ^ 0xff);
    expectErr(reveal(validator1, bidId, 80, otherSalt), "COMMITMENT_MISMATCH");
    // the validator's principal is in the hash: validator1's score and salt do not open it for validator2
    expectErr(reveal(validator2, bidId, 80, saltFor(validator1, bidId)), "COMMITMENT_MISMATCH");
    expect(read.getVote(bidId, validator2)?.revealed).toBe(false);
    expect(read.getCommittee(bidId)?.reveals).toBe(0n);

    // the honest opening still works
    expect(reveal(validator1, bidId, 80).result).toBeOk(Cl.bool(false));
    expect(read.getVote(bidId, validator1)).toMatchObject({ score: 80n, revealed: true });
  });

  it("rejects a score above 100 even when it opens the commitment (INVALID_SCORE)", () => {
    const { bidId } = threeSeatJob();
    expect(commit(validator1, bidId, 101).result).toBeOk(Cl.bool(true));
    expect(commit(validator2, bidId, 80).result).toBeOk(Cl.bool(true));
    expect(commit(validator3, bidId, 80).result).toBeOk(Cl.bool(true));
    expectErr(reveal(validator1, bidId, 101), "INVALID_SCORE");
    expect(read.getVote(bidId, validator1)?.revealed).toBe(false);
    expect(read.getCommittee(bidId)?.reveals).toBe(0n);
  });

  it("rejects a second reveal (ALREADY_REVEALED)", () => {
    const { bidId } = threeSeatJob();
    for (const v of [validator1, validator2, validator3]) expect(commit(v, bidId, 80).result).toBeOk(Cl.bool(true));
    expect(reveal(validator1, bidId, 80).result).toBeOk(Cl.bool(false));
    expectErr(reveal(validator1, bidId, 80), "ALREADY_REVEALED");
    expect(read.getCommittee(bidId)).toMatchObject({ reveals: 1n, revealedWeight: MIN, revealed: [{ score: 80n, weight: MIN }] });
  });

  it("rejects a seat that never committed and a non-member (NOT_COMMITTED)", () => {
    const { bidId } = threeSeatJob();
    for (const v of [validator1, validator2]) expect(commit(v, bidId, 80).result).toBeOk(Cl.bool(true));
    mineUntil(commitClosesAt(bidId) + 1n);
    expectErr(reveal(validator3, bidId, 80), "NOT_COMMITTED");
    expectErr(reveal(outsider, bidId, 80), "NOT_COMMITTED");
    expect(read.getVote(bidId, validator3)).toBeNull();
    expect(read.getCommittee(bidId)?.reveals).toBe(0n);
  });

  it("rejects a reveal on a job without a committee (NOT_COMMITTED)", () => {
    const { bidId } = largeMarketJob();
    expectErr(reveal(validator1, bidId, 80), "NOT_COMMITTED");
    expect(read.getCommittee(bidId)).toBeNull();
  });

  it("rejects a reveal on a settled job (JOB_NOT_RUNNING)", () => {
    const { bidId } = threeSeatJob();
    for (const v of [validator1, validator2, validator3]) expect(commit(v, bidId, 80).result).toBeOk(Cl.bool(true));
    expect(reveal(validator1, bidId, 80).result).toBeOk(Cl.bool(false));
    expect(reveal(validator2, bidId, 80).result).toBeOk(Cl.bool(false));
    mineUntil(revealClosesAt(bidId) + 1n);
    expect(finalizeValidation(outsider, bidId).result).toBeOk(Cl.uint(OUTCOME.REWARDED));
    expectErr(reveal(validator3, bidId, 80), "JOB_NOT_RUNNING");
    expect(read.getVote(bidId, validator3)?.revealed).toBe(false);
  });

  it("rejects an unknown bid (BID_NOT_FOUND)", () => {
    threeSeatJob();
    expectErr(reveal(validator1, 99, 80), "BID_NOT_FOUND");
  });

  it("works while paused: the last reveal still finalizes the job", () => {
    const { bidId } = threeSeatJob();
    for (const v of [validator1, validator2, validator3]) expect(commit(v, bidId, 80).result).toBeOk(Cl.bool(true));
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    const before = balances(provider, bidder, contractId);
    expect(reveal(validator1, bidId, 80).result).toBeOk(Cl.bool(false));
    expect(reveal(validator2, bidId, 80).result).toBeOk(Cl.bool(false));
    const last = reveal(validator3, bidId, 80);
    expect(last.result).toBeOk(Cl.bool(true));
    expect(eventNames(last)).toEqual(["validation-revealed", "job-finalized"]);
    expect(read.getBid(bidId)?.status).toBe("SETTLED");
    expect(deltas(before)).toEqual(new Map([[provider, 470_000n], [bidder, 0n], [contractId, -470_000n]]));
  });

  it("rejects a salt shorter than 32 bytes even when it opens the commitment (INVALID_SALT): empty, 1 and 31 bytes", () => {
    const { bidId } = threeSeatJob();
    // validator1 committed with an empty salt, validator2 with 31 bytes, validator3 with a full 32
    expect(commit(validator1, bidId, 80, bytes(0)).result).toBeOk(Cl.bool(true));
    expect(commit(validator2, bidId, 80, bytes(31)).result).toBeOk(Cl.bool(true));
    expect(commit(validator3, bidId, 80, bytes(32)).result).toBeOk(Cl.bool(true));
    for (const [v, salt] of [[validator1, bytes(0)], [validator1, bytes(1)], [validator2, bytes(31)]] as const) {
      const r = reveal(v, bidId, 80, salt);
      expectErr(r, "INVALID_SALT");
      expect(r.events).toEqual([]);
    }
    expect(read.getVote(bidId, validator1)).toMatchObject({ revealed: false, score: 0n });
    expect(read.getVote(bidId, validator2)).toMatchObject({ revealed: false, score: 0n });
    expect(read.getCommittee(bidId)).toMatchObject({ reveals: 0n, revealedWeight: 0n, revealed: [] });
    // exactly 32 bytes is accepted
    expect(reveal(validator3, bidId, 80, bytes(32)).result).toBeOk(Cl.bool(false));
    expect(read.getCommittee(bidId)).toMatchObject({ reveals: 1n, revealed: [{ score: 80n, weight: MIN }] });
  });

  it("checks the score before the salt, and the salt before the commitment (INVALID_SCORE, INVALID_SALT, COMMITMENT_MISMATCH)", () => {
    const { bidId } = threeSeatJob();
    for (const v of [validator1, validator2, validator3]) expect(commit(v, bidId, 80).result).toBeOk(Cl.bool(true));
    // a bad score and a short salt: the score is reported
    expectErr(reveal(validator1, bidId, 101, bytes(31)), "INVALID_SCORE");
    // a valid score that does not open the commitment, with a short salt: the salt is reported
    expectErr(reveal(validator1, bidId, 81, bytes(31)), "INVALID_SALT");
    expectErr(reveal(validator1, bidId, 80, bytes(0)), "INVALID_SALT");
    // a full-length salt that does not open it: the commitment is reported
    expectErr(reveal(validator1, bidId, 80, bytes(32)), "COMMITMENT_MISMATCH");
    expect(read.getVote(bidId, validator1)?.revealed).toBe(false);
    expect(reveal(validator1, bidId, 80).result).toBeOk(Cl.bool(false));
  });

  it("reports a closed or unopened reveal window before a short salt (REVEAL_NOT_OPEN, REVEAL_CLOSED)", () => {
    const { bidId } = threeSeatJob();
    expect(commit(validator1, bidId, 80, bytes(0)).result).toBeOk(Cl.bool(true));
    expectErr(reveal(validator1, bidId, 80, bytes(0)), "REVEAL_NOT_OPEN");
    mineUntil(revealClosesAt(bidId) + 1n);
    expectErr(reveal(validator1, bidId, 80, bytes(0)), "REVEAL_CLOSED");
  });

  it("refuses a call through an intermediary contract (NOT_DIRECT_CALLER)", () => {
    const { bidId } = threeSeatJob();
    for (const v of [validator1, validator2, validator3]) expect(commit(v, bidId, 80).result).toBeOk(Cl.bool(true));
    const args = [Cl.uint(bidId), Cl.uint(80), Cl.buffer(saltFor(validator1, bidId))];
    expectRefusedThroughProxy("reveal-validation-result", args, validator1);
    expect(read.getCommittee(bidId)?.reveals).toBe(1n);
  });
});

// ---------------------------------------------------------------------------
// finalize-validation
// ---------------------------------------------------------------------------

describe("finalize-validation", () => {
  it("is not ready until deadline + validation-window + reveal-window has passed (NOT_READY_TO_FINALIZE)", () => {
    const { bidId } = threeSeatJob();
    for (const v of [validator1, validator2]) expect(commit(v, bidId, 80).result).toBeOk(Cl.bool(true));
    mineUntil(commitClosesAt(bidId) + 1n);
    for (const v of [validator1, validator2]) expect(reveal(v, bidId, 80).result).toBeOk(Cl.bool(false));
    expectErr(finalizeValidation(outsider, bidId), "NOT_READY_TO_FINALIZE");
    mineUntil(revealClosesAt(bidId));
    expectErr(finalizeValidation(outsider, bidId), "NOT_READY_TO_FINALIZE");
    expect(read.getBid(bidId)?.status).toBe("MATCHED");
    expect(read.getJobResult(bidId)).toBeNull();
    mineUntil(revealClosesAt(bidId) + 1n);
    expect(finalizeValidation(outsider, bidId).result).toBeOk(Cl.uint(OUTCOME.REWARDED));
  });

  it("finalizes by the median of a majority of reveals and penalizes the seat that did not reveal", () => {
    const { bidId } = threeSeatJob();
    for (const [v, s] of [[validator1, 80], [validator2, 90], [validator3, 10]] as const) {
      expect(commit(v, bidId, s).result).toBeOk(Cl.bool(true));
    }
    expect(reveal(validator1, bidId, 80).result).toBeOk(Cl.bool(false));
    expect(reveal(validator2, bidId, 90).result).toBeOk(Cl.bool(false));
    expect(read.getValidationWindows(bidId)!.minReveals).toBe(2n);
    mineUntil(revealClosesAt(bidId) + 1n);

    const before = balances(provider, bidder, contractId);
    const treasury = read.getMarketTotals().treasury;
    const r = finalizeValidation(outsider, bidId);
    expect(r.result).toBeOk(Cl.uint(OUTCOME.REWARDED));
    expect(eventNames(r)).toEqual(["validator-penalized", "job-finalized"]);
    const penalty = penaltyOf(MIN);
    // validator3 committed and never revealed: a silent seat, penalized to the treasury (and out of the set)
    expect(printEvents(r)[0]).toEqual({
      event: "validator-penalized", "bid-id": bidId, validator: validator3, penalty, stake: MIN - penalty, removed: true, silent: true,
    });
    expect(read.getJobResult(bidId)).toMatchObject({
      finalScore: 80n,
      outcome: "REWARDED",
      providerPayment: 470_000n,
      bidderRefund: 0n,
      validatorFees: 25_000n,
      protocolFee: 5_000n,
      penalties: penalty,
      rewardPool: 25_000n,
      rewardWeight: 2n * MIN,
      finalizedAt: height(),
    });
    expect(read.getBid(bidId)?.status).toBe("SETTLED");
    expect(deltas(before)).toEqual(new Map([[provider, 470_000n], [bidder, 0n], [contractId, -470_000n]]));
    expect(read.getMarketTotals().treasury).toBe(treasury + 5_000n + penalty);
    // the silent seat is freed at settlement; the two coherent seats when their validators claim
    expect([validator1, validator2, validator3].map((v) => read.getValidator(v)?.openSeats)).toEqual([1n, 1n, 0n]);
    expect(read.getDataset(1)).toMatchObject({ validations: 1n, passedValidations: 1n, activeJobs: 0n });
    for (const v of [validator1, validator2]) {
      expect(claim(v, bidId).result).toBeOk(Cl.uint(12_500n));
      expect(read.getValidator(v)?.openSeats).toBe(0n);
    }
  });

  it("with too few reveals refunds the bidder in full (u4), without a slash, and penalizes the silent seats to the treasury", () => {
    const { bidId } = threeSeatJob();
    // validator1 commits and reveals, validator2 commits only, validator3 never commits
    expect(commit(validator1, bidId, 80).result).toBeOk(Cl.bool(true));
    expect(commit(validator2, bidId, 80).result).toBeOk(Cl.bool(true));
    mineUntil(commitClosesAt(bidId) + 1n);
    expect(reveal(validator1, bidId, 80).result).toBeOk(Cl.bool(false));
    mineUntil(revealClosesAt(bidId) + 1n);

    const before = balances(provider, bidder, contractId);
    const totals = read.getMarketTotals();
    const r = finalizeValidation(deployer, bidId);
    expect(r.result).toBeOk(Cl.uint(OUTCOME.NO_QUORUM));
    const penalty = penaltyOf(MIN);
    expect(stxTransfers(r)).toEqual([{ sender: contractId, recipient: bidder, amount: 500_000n }]);
    expect(deltas(before)).toEqual(new Map([[provider, 0n], [bidder, 500_000n], [contractId, -500_000n]]));
    expect(printEvents(r).filter((e) => e.event === "validator-penalized")).toEqual(
      [validator2, validator3].map((validator) => ({
        event: "validator-penalized", "bid-id": bidId, validator, penalty, stake: MIN - penalty, removed: true, silent: true,
      })),
    );
    expect(printEvents(r).find((e) => e.event === "bid-expired")).toEqual({
      event: "bid-expired",
      "bid-id": bidId,
      "dataset-id": 1n,
      bidder,
      refund: 500_000n,
      penalties: 2n * penalty,
    });
    expect(read.getBid(bidId)?.status).toBe("EXPIRED");
    expect(read.getJobResult(bidId)).toBeNull();
    expect(read.getValidator(validator1)).toMatchObject({ stake: MIN, openSeats: 0n });
    expect(read.getValidator(validator2)).toMatchObject({ stake: MIN - penalty, openSeats: 0n });
    expect(read.getValidator(validator3)).toMatchObject({ stake: MIN - penalty, openSeats: 0n });
    expect(read.getMarketTotals()).toEqual({
      ...totals,
      escrowedBids: totals.escrowedBids - 500_000n,
      validatorStakes: totals.validatorStakes - 2n * penalty,
      treasury: totals.treasury + 2n * penalty,
    });
    expect(read.getDataset(1)).toMatchObject({ stake: DEFAULTS.minDatasetStake, validations: 0n, activeJobs: 0n });
    expectErr(claim(validator1, bidId), "JOB_NOT_FINALIZED");
  });

  it("refunds a job that never got a committee (u4), with no penalties", () => {
    const { bidId } = matchedJob(stakes(provider, bidder));
    expect(read.getCommittee(bidId)).toBeNull();
    mineUntil(revealClosesAt(bidId) + 1n);
    const before = balances(bidder, contractId);
    const r = finalizeValidation(outsider, bidId);
    expect(r.result).toBeOk(Cl.uint(OUTCOME.NO_QUORUM));
    expect(eventNames(r)).toEqual(["bid-expired"]);
    expect(printEvents(r)[0]).toMatchObject({ refund: 500_000n, penalties: 0n });
    expect(deltas(before)).toEqual(new Map([[bidder, 500_000n], [contractId, -500_000n]]));
    expect(read.getBid(bidId)?.status).toBe("EXPIRED");
  });

  it("refuses a settled job, an expired one and a queued bid (JOB_NOT_RUNNING)", () => {
    const { datasetId, bidId } = finalizedJob(80);
    mineUntil(revealClosesAt(bidId) + 1n);
    expectErr(finalizeValidation(outsider, bidId), "JOB_NOT_RUNNING");
    expect(read.getJobResult(bidId)?.finalScore).toBe(80n);

    // bid 2 matches on the freed slot, bid 3 queues behind it
    expect(placeBid(bidder2, datasetId).result).toBeOk(Cl.uint(2));
    expect(placeBid(bidder, datasetId).result).toBeOk(Cl.uint(3));
    expect(read.getBid(3)?.status).toBe("QUEUED");
    expectErr(finalizeValidation(outsider, 3), "JOB_NOT_RUNNING");

    // validator1 never votes on bid 2: refunded, then refused a second time
    mineUntil(revealClosesAt(2) + 1n);
    expect(finalizeValidation(outsider, 2).result).toBeOk(Cl.uint(OUTCOME.NO_QUORUM));
    expectErr(finalizeValidation(outsider, 2), "JOB_NOT_RUNNING");
  });

  it("refuses an unknown bid (BID_NOT_FOUND)", () => {
    expectErr(finalizeValidation(outsider, 1), "BID_NOT_FOUND");
  });

  it("works while paused; a pause begun after the commit window excuses nobody", () => {
    const { bidId } = threeSeatJob();
    for (const v of [validator1, validator2]) expect(commit(v, bidId, 80).result).toBeOk(Cl.bool(true));
    mineUntil(commitClosesAt(bidId) + 1n);
    for (const v of [validator1, validator2]) expect(reveal(v, bidId, 80).result).toBeOk(Cl.bool(false));
    mineUntil(revealClosesAt(bidId) + 1n);
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    const before = balances(provider, contractId);
    const treasury = read.getMarketTotals().treasury;
    const r = finalizeValidation(outsider, bidId);
    expect(r.result).toBeOk(Cl.uint(OUTCOME.REWARDED));
    expect(read.getBid(bidId)?.status).toBe("SETTLED");
    expect(deltas(before)).toEqual(new Map([[provider, 470_000n], [contractId, -470_000n]]));
    // validator3 never committed, but the pause came after its commit window: penalized, to the treasury
    const penalty = penaltyOf(MIN);
    expect(printEvents(r).filter((e) => e.event === "validator-penalized")).toEqual([
      { event: "validator-penalized", "bid-id": bidId, validator: validator3, penalty, stake: MIN - penalty, removed: true, silent: true },
    ]);
    expect(read.getJobResult(bidId)).toMatchObject({ penalties: penalty, rewardPool: 25_000n });
    expect(read.getValidator(validator3)?.stake).toBe(MIN - penalty);
    expect(read.getMarketTotals().treasury).toBe(treasury + 5_000n + penalty);
  });

  it("refunds in full (u5, bid-expired) when the median would slash without a strict majority of the committee's weight", () => {
    const { bidId } = threeSeatJob();
    for (const [v, s] of [[validator1, 10], [validator2, 90], [validator3, 80]] as const) {
      expect(commit(v, bidId, s).result).toBeOk(Cl.bool(true));
    }
    // two reveals (enough for the quorum): lower median 10 < 40, but the seat below 40 holds 1/3 of the weight
    expect(reveal(validator1, bidId, 10).result).toBeOk(Cl.bool(false));
    expect(reveal(validator2, bidId, 90).result).toBeOk(Cl.bool(false));
    mineUntil(revealClosesAt(bidId) + 1n);

    const before = balances(provider, bidder, contractId);
    const totals = read.getMarketTotals();
    const r = finalizeValidation(outsider, bidId);
    expect(r.result).toBeOk(Cl.uint(OUTCOME.NO_MAJORITY));
    const penalty = penaltyOf(MIN);
    // revealed votes are not judged (no result); the silent seat pays, to the treasury
    expect(printEvents(r)).toEqual([
      { event: "validator-penalized", "bid-id": bidId, validator: validator3, penalty, stake: MIN - penalty, removed: true, silent: true },
      { event: "bid-expired", "bid-id": bidId, "dataset-id": 1n, bidder, refund: 500_000n, penalties: penalty },
    ]);
    expect(stxTransfers(r)).toEqual([{ sender: contractId, recipient: bidder, amount: 500_000n }]);
    expect(deltas(before)).toEqual(new Map([[provider, 0n], [bidder, 500_000n], [contractId, -500_000n]]));
    expect(read.getMarketTotals()).toEqual({
      ...totals,
      escrowedBids: totals.escrowedBids - 500_000n,
      validatorStakes: totals.validatorStakes - penalty,
      treasury: totals.treasury + penalty,
    });
    expect(read.getBid(bidId)?.status).toBe("EXPIRED");
    expect(read.getJobResult(bidId)).toBeNull();
    expect(read.getValidator(validator1)).toMatchObject({ stake: MIN, openSeats: 0n });
    expect(read.getValidator(validator2)).toMatchObject({ stake: MIN, openSeats: 0n });
    expect(read.getDataset(1)).toMatchObject({ stake: DEFAULTS.minDatasetStake, validations: 0n, activeJobs: 0n });
    expectErr(claim(validator1, bidId), "JOB_NOT_FINALIZED");
    expectErr(finalizeValidation(outsider, bidId), "JOB_NOT_RUNNING");
  });

  it("pause excuse: a pause started at the last block of the commit window excuses a seat that never committed", () => {
    const { bidId } = threeSeatJob();
    expect(read.getBid(bidId)?.pausesAtMatch).toBe(0n);
    for (const v of [validator1, validator2]) expect(commit(v, bidId, 80).result).toBeOk(Cl.bool(true));
    mineUntil(commitClosesAt(bidId));
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    expect(read.getPause(1)).toEqual({ startedAt: commitClosesAt(bidId), endedAt: 0n });
    mineUntil(commitClosesAt(bidId) + 1n);
    for (const v of [validator1, validator2]) expect(reveal(v, bidId, 80).result).toBeOk(Cl.bool(false));
    mineUntil(revealClosesAt(bidId) + 1n);
    const r = finalizeValidation(outsider, bidId);
    expect(r.result).toBeOk(Cl.uint(OUTCOME.REWARDED));
    expect(eventNames(r)).toEqual(["job-finalized"]);
    expect(read.getJobResult(bidId)).toMatchObject({ penalties: 0n, rewardPool: 25_000n });
    expect(read.getValidator(validator3)).toMatchObject({ stake: MIN, active: true, openSeats: 0n });
    expect(read.getMarketTotals().treasury).toBe(5_000n);
  });

  it("pause excuse: a pause undone in the Bitcoin block it began excuses nobody (penalty to the treasury)", () => {
    const { bidId } = threeSeatJob();
    for (const v of [validator1, validator2]) expect(commit(v, bidId, 80).result).toBeOk(Cl.bool(true));
    mineUntil(commitClosesAt(bidId) - 10n);
    const at = height();
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    expect(setPaused(false).result).toBeOk(Cl.bool(true));
    expect(height()).toBe(at);
    // a pause undone in its own block is erased from the log
    expect(read.getPause(1)).toBeNull();
    expect(marketField("pauses")).toBe(0n);
    mineUntil(commitClosesAt(bidId) + 1n);
    for (const v of [validator1, validator2]) expect(reveal(v, bidId, 80).result).toBeOk(Cl.bool(false));
    mineUntil(revealClosesAt(bidId) + 1n);
    const before = balances(provider, validator3, contractId);
    const r = finalizeValidation(outsider, bidId);
    expect(r.result).toBeOk(Cl.uint(OUTCOME.REWARDED));
    // validator3 never committed: the pause began inside its commit window but never lasted a block
    const penalty = penaltyOf(MIN);
    expect(printEvents(r)).toEqual([
      { event: "validator-penalized", "bid-id": bidId, validator: validator3, penalty, stake: MIN - penalty, removed: true, silent: true },
      finalizedEvent(bidId, penalty),
    ]);
    expect(deltas(before)).toEqual(new Map([[provider, 470_000n], [validator3, 0n], [contractId, -470_000n]]));
    expect(read.getJobResult(bidId)).toMatchObject({ penalties: penalty, rewardPool: 25_000n });
    expect(read.getValidator(validator3)).toMatchObject({ stake: MIN - penalty, active: false, openSeats: 0n });
    expect(read.getMarketTotals().treasury).toBe(5_000n + penalty);
  });

  it("pause excuse: a pause at the commit window's last block undone in the same Bitcoin block excuses nobody", () => {
    const { bidId } = threeSeatJob();
    for (const v of [validator1, validator2]) expect(commit(v, bidId, 80).result).toBeOk(Cl.bool(true));
    mineUntil(commitClosesAt(bidId));
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    expect(setPaused(false).result).toBeOk(Cl.bool(true));
    expect(read.getPause(1)).toBeNull();
    mineUntil(commitClosesAt(bidId) + 1n);
    for (const v of [validator1, validator2]) expect(reveal(v, bidId, 80).result).toBeOk(Cl.bool(false));
    mineUntil(revealClosesAt(bidId) + 1n);
    const r = finalizeValidation(outsider, bidId);
    expect(r.result).toBeOk(Cl.uint(OUTCOME.REWARDED));
    const penalty = penaltyOf(MIN);
    expect(penaltiesOf(r)).toEqual(new Map([[validator3, penalty]]));
    expect(read.getJobResult(bidId)).toMatchObject({ penalties: penalty, rewardPool: 25_000n });
    expect(read.getMarketTotals().treasury).toBe(5_000n + penalty);
  });

  it("pause excuse: a pause inside the commit window that lasts into the next Bitcoin block excuses a seat that never committed", () => {
    const { bidId } = threeSeatJob();
    for (const v of [validator1, validator2]) expect(commit(v, bidId, 80).result).toBeOk(Cl.bool(true));
    mineUntil(commitClosesAt(bidId) - 10n);
    const at = height();
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    mineUntil(at + 1n);
    expect(setPaused(false).result).toBeOk(Cl.bool(true));
    expect(read.getPause(1)).toEqual({ startedAt: at, endedAt: at + 1n });
    mineUntil(commitClosesAt(bidId) + 1n);
    for (const v of [validator1, validator2]) expect(reveal(v, bidId, 80).result).toBeOk(Cl.bool(false));
    mineUntil(revealClosesAt(bidId) + 1n);
    const before = balances(provider, validator3, contractId);
    const r = finalizeValidation(outsider, bidId);
    expect(r.result).toBeOk(Cl.uint(OUTCOME.REWARDED));
    expect(printEvents(r)).toEqual([finalizedEvent(bidId, 0n)]);
    expect(deltas(before)).toEqual(new Map([[provider, 470_000n], [validator3, 0n], [contractId, -470_000n]]));
    expect(read.getJobResult(bidId)).toMatchObject({ penalties: 0n, rewardPool: 25_000n });
    expect(read.getValidator(validator3)).toMatchObject({ stake: MIN, active: true, openSeats: 0n });
    expect(read.getMarketTotals().treasury).toBe(5_000n);
  });

  it("pause excuse: a pause started one block after the commit window excuses nobody (penalty to the treasury)", () => {
    const { bidId } = threeSeatJob();
    for (const v of [validator1, validator2]) expect(commit(v, bidId, 80).result).toBeOk(Cl.bool(true));
    mineUntil(commitClosesAt(bidId) + 1n);
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    simnet.mineEmptyBlocks(3);
    expect(setPaused(false).result).toBeOk(Cl.bool(true));
    expect(read.getPause(1)).toEqual({ startedAt: commitClosesAt(bidId) + 1n, endedAt: commitClosesAt(bidId) + 4n });
    for (const v of [validator1, validator2]) expect(reveal(v, bidId, 80).result).toBeOk(Cl.bool(false));
    mineUntil(revealClosesAt(bidId) + 1n);
    const r = finalizeValidation(outsider, bidId);
    expect(r.result).toBeOk(Cl.uint(OUTCOME.REWARDED));
    const penalty = penaltyOf(MIN);
    expect(printEvents(r)[0]).toEqual({
      event: "validator-penalized", "bid-id": bidId, validator: validator3, penalty, stake: MIN - penalty, removed: true, silent: true,
    });
    expect(read.getJobResult(bidId)).toMatchObject({ penalties: penalty, rewardPool: 25_000n });
    expect(read.getMarketTotals().treasury).toBe(5_000n + penalty);
  });

  it("pause excuse: a pause that ended before the match excuses nobody on the job", () => {
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    simnet.mineEmptyBlocks(2);
    expect(setPaused(false).result).toBeOk(Cl.bool(true));
    const { bidId } = threeSeatJob();
    expect(read.getBid(bidId)?.pausesAtMatch).toBe(1n);
    for (const v of [validator1, validator2]) expect(commit(v, bidId, 80).result).toBeOk(Cl.bool(true));
    mineUntil(commitClosesAt(bidId) + 1n);
    for (const v of [validator1, validator2]) expect(reveal(v, bidId, 80).result).toBeOk(Cl.bool(false));
    mineUntil(revealClosesAt(bidId) + 1n);
    const r = finalizeValidation(outsider, bidId);
    const penalty = penaltyOf(MIN);
    expect(penaltiesOf(r)).toEqual(new Map([[validator3, penalty]]));
    expect(read.getMarketTotals().treasury).toBe(5_000n + penalty);
  });

  it("pause excuse: only a seat that never committed is excused; a committed seat that never revealed still pays", () => {
    const { bidId } = threeSeatJob();
    for (const v of [validator1, validator2]) expect(commit(v, bidId, 80).result).toBeOk(Cl.bool(true));
    expect(setPaused(true).result).toBeOk(Cl.bool(true));
    simnet.mineEmptyBlocks(5);
    expect(setPaused(false).result).toBeOk(Cl.bool(true));
    mineUntil(commitClosesAt(bidId) + 1n);
    // only validator1 reveals: too few reveals, the job is refunded (u4)
    expect(reveal(validator1, bidId, 80).result).toBeOk(Cl.bool(false));
    mineUntil(revealClosesAt(bidId) + 1n);
    const r = finalizeValidation(outsider, bidId);
    expect(r.result).toBeOk(Cl.uint(OUTCOME.NO_QUORUM));
    const penalty = penaltyOf(MIN);
    expect(penaltiesOf(r)).toEqual(new Map([[validator2, penalty]]));
    expect(printEvents(r).find((e) => e.event === "bid-expired")).toMatchObject({ refund: 500_000n, penalties: penalty });
    expect(read.getValidator(validator3)).toMatchObject({ stake: MIN, openSeats: 0n });
    expect(read.getMarketTotals().treasury).toBe(penalty);
  });

  it("refuses a call through an intermediary contract (NOT_DIRECT_CALLER)", () => {
    const { bidId } = matchedJob();
    mineUntil(revealClosesAt(bidId) + 1n);
    expectRefusedThroughProxy("finalize-validation", [Cl.uint(bidId)], outsider);
    expect(read.getBid(bidId)?.status).toBe("EXPIRED");
  });
});
