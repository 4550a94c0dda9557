import fc from "fast-check";
import { Cl, getAddressFromPrivateKey, type ClarityValue, type TupleCV } from "@stacks/transactions";
import { describe, expect, it } from "vitest";
import { computeCommitment, computeEvalCommitment } from "../src/client/commitment.ts";
import { committeeSeed, drawSeats, seatStart, type SetEntry } from "../src/client/committee.ts";
import { coherentScore, jobEscrow, jobTimeline, minReveals, settlementPayouts, slashBacked, weightedMedian } from "../src/client/planner.ts";
import { simnetReader } from "../src/client/readers.ts";
import {
  bidder,
  bidder2,
  contractId,
  decode,
  deliver,
  deployer,
  getBid,
  outsider,
  provider,
  provider2,
  registerDataset,
  registerValidator,
  requestExit,
  revealEval,
  setTerms,
  trainingBid,
  validator1,
  validator2,
  validator3,
  wallets,
} from "./helpers.ts";

/**
 * The rules' one reference (src/client: planner, committee, commitment), checked against the
 * contract's OWN functions on generated inputs: each property calls the private function (or the
 * read-only view) through the simnet and compares its result with the reference's.
 *
 * Not checked here: `settlementPayouts` and `deliveryPayment` (computed inside settle-job and
 * deliver-model, which take the contract's state, not plain arguments: the scenario and property
 * tests check them through the calls' payouts), and min-of / max-of / distance (trivial).
 *
 * Deterministic: fixed seed (override with REFERENCE_SEED); REFERENCE_RUNS scales every
 * property's runs (default 1).
 */

const SEED = Number(process.env.REFERENCE_SEED ?? 20240611);
const SCALE = Number(process.env.REFERENCE_RUNS ?? 1);
const runs = (n: number) => ({ numRuns: Math.max(1, Math.round(n * SCALE)), seed: SEED });

const U128_MAX = 2n ** 128n - 1n;

/** A private function's result. */
function priv(fn: string, args: ClarityValue[]): ClarityValue {
  return simnet.callPrivateFn(contractId, fn, args, deployer).result;
}

// ---------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------

/** Scores: often on a few values (ties), the thresholds, the reserved 101 and the fold's start 102. */
const scoreArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(0n, 10n, 39n, 40n, 41n, 55n, 70n, 100n, 101n) },
  { weight: 2, arbitrary: fc.bigInt({ min: 0n, max: 102n }) },
);
/** Weights: zero, small equal ones (exact halves), stakes, and large values. */
const weightArb = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(0n, 1n, 2n, 3n) },
  { weight: 2, arbitrary: fc.constantFrom(1_000_000n, 1_500_000n, 2_000_000n, 4_000_000n) },
  { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: 2n ** 64n }) },
);
type Vote = { score: bigint; weight: bigint };
const votesArb = fc.array(fc.record({ score: scoreArb, weight: weightArb }), { maxLength: 10 });
const sumOf = (votes: Vote[]) => votes.reduce((a, v) => a + v.weight, 0n);
const weightBelow = (votes: Vote[], below: bigint) => sumOf(votes.filter((v) => v.score < below));
/** x - 1, x or x + 1 (never below 0): a rule's edge and both sides of it. */
const around = (x: bigint) => fc.constantFrom(x - 1n, x, x + 1n).map((y) => (y < 0n ? 0n : y));
/**
 * A total weight: the votes' own, theirs plus silent seats', anything, or (often) about twice the
 * weight at or below one of the scores: exactly half the total there is the lower median's tie.
 */
const totalArb = (votes: Vote[]) =>
  fc.oneof(
    { weight: 2, arbitrary: fc.constant(sumOf(votes)) },
    { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: 4_000_000n }).map((silent) => sumOf(votes) + silent) },
    { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: sumOf(votes) + 1n }) },
    ...(votes.length === 0 ? [] : [{ weight: 3, arbitrary: fc.constantFrom(...votes).chain((v) => around(2n * weightBelow(votes, v.score + 1n))) }]),
  );
const votesCV = (votes: { score: bigint; weight: bigint }[]) => Cl.list(votes.map((v) => Cl.tuple({ score: Cl.uint(v.score), weight: Cl.uint(v.weight) })));

const u128Arb = fc.oneof(fc.bigInt({ min: 0n, max: 1000n }), fc.bigInt({ min: 0n, max: U128_MAX }));
const buffArb = fc.oneof({ weight: 3, arbitrary: fc.uint8Array({ minLength: 32, maxLength: 32 }) }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 32 }) });

// ---------------------------------------------------------------------------
// The pure rules
// ---------------------------------------------------------------------------

describe("the pure rules: contract vs reference", () => {
  it("weighted-median = weightedMedian (ties, zero weights, 101, any total)", () => {
    fc.assert(
      fc.property(
        votesArb.chain((votes) => fc.tuple(fc.constant(votes), totalArb(votes))),
        ([votes, total]) => {
          expect(priv("weighted-median", [votesCV(votes), Cl.uint(total)])).toEqual(Cl.uint(weightedMedian(votes, total)));
        },
      ),
      runs(150),
    );
  });

  it("slash-backed = slashBacked (any threshold, silent seats' weight)", () => {
    // thresholds at and around the votes' scores; committee weights about twice the weight below (a tie is no majority)
    const thresholdArb = (votes: Vote[]) =>
      fc.oneof(
        fc.constantFrom(0n, 1n, 40n, 41n, 101n, 102n),
        fc.bigInt({ min: 0n, max: 110n }),
        ...(votes.length === 0 ? [] : [fc.constantFrom(...votes).chain((v) => around(v.score))]),
      );
    fc.assert(
      fc.property(
        votesArb.chain((votes) =>
          thresholdArb(votes).chain((threshold) =>
            fc.tuple(fc.constant(votes), fc.constant(threshold), fc.oneof(totalArb(votes), around(2n * weightBelow(votes, threshold)))),
          ),
        ),
        ([votes, threshold, committeeWeight]) => {
          expect(priv("slash-backed", [votesCV(votes), Cl.uint(threshold), Cl.uint(committeeWeight)])).toEqual(
            Cl.bool(slashBacked(votes, threshold, committeeWeight)),
          );
        },
      ),
      runs(150),
    );
  });

  it("coherent-score = coherentScore (the tolerance's edge, the reserved vote)", () => {
    const toleranceArb = fc.oneof(fc.constantFrom(0n, 1n, 15n, 100n, 101n), fc.bigInt({ min: 0n, max: 110n }), fc.bigInt({ min: 0n, max: U128_MAX }));
    fc.assert(
      fc.property(fc.oneof(scoreArb, u128Arb), fc.oneof(scoreArb, u128Arb), toleranceArb, (score, final, tolerance) => {
        expect(priv("coherent-score", [Cl.uint(score), Cl.uint(final), Cl.uint(tolerance)])).toEqual(Cl.bool(coherentScore(score, final, tolerance)));
      }),
      runs(80),
    );
  });

  it("min-reveals = minReveals (rounded up)", () => {
    const seatsArb = fc.oneof(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 2 ** 31 }));
    const bpsArb = fc.oneof(fc.constantFrom(0n, 1n, 5000n, 5001n, 9999n, 10_000n), fc.bigInt({ min: 0n, max: 20_000n }));
    fc.assert(
      fc.property(seatsArb, bpsArb, (seats, bps) => {
        expect(priv("min-reveals", [Cl.uint(seats), Cl.uint(bps)])).toEqual(Cl.uint(minReveals(seats, bps)));
      }),
      runs(60),
    );
  });

  it("seat-start = seatStart (with a seed: the hash mod n; without: the seat number)", () => {
    const seedArb = fc.option(buffArb, { nil: null, freq: 4 });
    const nArb = fc.oneof(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }));
    fc.assert(
      fc.property(seedArb, u128Arb, fc.oneof(fc.integer({ min: 0, max: 9 }), fc.nat()), nArb, (seed, bidId, seat, n) => {
        const args = [seed === null ? Cl.none() : Cl.some(Cl.buffer(seed)), Cl.uint(bidId), Cl.uint(seat), Cl.uint(n)];
        expect(priv("seat-start", args)).toEqual(Cl.uint(seatStart(seed, bidId, seat, n)));
        // without a seed the seat number, whatever n (even 0)
        if (seed === null) expect(priv("seat-start", [Cl.none(), Cl.uint(bidId), Cl.uint(seat), Cl.uint(0)])).toEqual(Cl.uint(seat));
      }),
      runs(80),
    );
  });

  it("compute-commitment = computeCommitment; compute-eval-commitment = computeEvalCommitment", () => {
    const contractName = fc.stringMatching(/^[a-z][a-z0-9-]{0,39}$/);
    const principalArb = fc.oneof(
      fc.constantFrom(deployer, ...wallets, contractId),
      contractName.map((name) => `${deployer}.${name}`),
    );
    fc.assert(
      fc.property(u128Arb, buffArb, u128Arb, principalArb, (score, salt, bidId, validator) => {
        const onChain = simnet.callReadOnlyFn(contractId, "compute-commitment", [Cl.uint(score), Cl.buffer(salt), Cl.uint(bidId), Cl.principal(validator)], deployer).result;
        expect(onChain).toEqual(Cl.buffer(computeCommitment(score, salt, bidId, validator)));
      }),
      runs(60),
    );
    fc.assert(
      fc.property(buffArb, buffArb, (digest, salt) => {
        const onChain = simnet.callReadOnlyFn(contractId, "compute-eval-commitment", [Cl.buffer(digest), Cl.buffer(salt)], deployer).result;
        expect(onChain).toEqual(Cl.buffer(computeEvalCommitment(digest, salt)));
      }),
      runs(40),
    );
  });
});

// ---------------------------------------------------------------------------
// The committee: its seed and its draw
// ---------------------------------------------------------------------------

describe("the committee: contract vs reference", () => {
  it("committee-seed = committeeSeed of the chain's VRF seed and Bitcoin hash (none until both exist)", () => {
    simnet.mineEmptyBlocks(20);
    const chainBuff = (expr: string) => decode(simnet.execute(expr).result) as string | null;
    fc.assert(
      fc.property(fc.nat(simnet.blockHeight + 2), fc.nat(simnet.burnBlockHeight + 2), (matchedBlock, declineClosesAt) => {
        const vrf = chainBuff(`(get-tenure-info? vrf-seed u${matchedBlock + 1})`);
        const bitcoin = chainBuff(`(get-burn-block-info? header-hash u${declineClosesAt + 1})`);
        const expected = vrf === null || bitcoin === null ? Cl.none() : Cl.some(Cl.buffer(committeeSeed(Buffer.from(vrf, "hex"), Buffer.from(bitcoin, "hex"))));
        expect(priv("committee-seed", [Cl.uint(matchedBlock), Cl.uint(declineClosesAt)])).toEqual(expected);
      }),
      runs(30),
    );
  });

  it("seat-committee seats drawSeats' members: parties, later registrants, empty indices, any seed, n and size", () => {
    // an active set with history: 9 registrations, 2 exits (swap-and-pop), 3 later registrants
    const fresh = [1, 2, 3].map((i) => getAddressFromPrivateKey(`${(i + 100).toString(16).padStart(64, "0")}`, "testnet"));
    for (const who of fresh) expect(simnet.transferSTX(5_000_000n, who, deployer).result).toBeOk(Cl.bool(true));
    for (const who of [deployer, ...wallets]) expect(registerValidator(who).result).toBeOk(Cl.bool(true));
    for (const who of [validator1, provider2]) expect(requestExit(who).result).toBeOk(Cl.uint(simnet.burnBlockHeight + 144));
    for (const who of fresh) expect(registerValidator(who).result).toBeOk(Cl.bool(true));
    const count = Number(decode(simnet.callReadOnlyFn(contractId, "get-active-validator-count", [], deployer).result));
    expect(count).toBe(10);
    const entries = new Map<number, SetEntry>();
    for (let i = 0; i < count; i++) entries.set(i, decode(simnet.getMapEntry(contractId, "validator-at", Cl.uint(i))) as unknown as SetEntry);
    const parties = [deployer, provider, bidder, bidder2, validator1, validator2, validator3, outsider, ...fresh];

    fc.assert(
      fc.property(
        u128Arb,
        fc.option(buffArb, { nil: null, freq: 3 }),
        fc.integer({ min: 0, max: 14 }),
        fc.integer({ min: 0, max: 10 }),
        fc.bigInt({ min: 0n, max: 14n }),
        fc.constantFrom(...parties),
        fc.constantFrom(...parties),
        (bidId, seed, n, committeeSize, maxOrdinal, prov, bidr) => {
          const expected = drawSeats({
            bidId,
            seed,
            validatorsAtMatch: n,
            registrationsAtMatch: maxOrdinal,
            committeeSize,
            provider: prov,
            bidder: bidr,
            entryAt: (i) => entries.get(i) ?? null,
          });
          const committee = priv("seat-committee", [
            Cl.uint(bidId),
            Cl.principal(prov),
            Cl.principal(bidr),
            Cl.uint(committeeSize),
            seed === null ? Cl.none() : Cl.some(Cl.buffer(seed)),
            Cl.uint(n),
            Cl.uint(maxOrdinal),
            Cl.tuple({ verified: Cl.bool(false), open: Cl.bool(true), "commit-closes-at": Cl.uint(0), "reveal-closes-at": Cl.uint(0) }),
          ]) as TupleCV;
          expect(committee.value.seats).toEqual(Cl.list(expected.map((w) => Cl.principal(w))));
        },
      ),
      runs(100),
    );
  });
});

// ---------------------------------------------------------------------------
// A job's escrow and timeline (the contract's bid and parameter tuples, fields overridden)
// ---------------------------------------------------------------------------

describe("a job's escrow and timeline: contract vs reference", () => {
  /**
   * Three verified jobs on dataset 1 (1,000 per block): bid 1 delivered, bid 2 delivered and its
   * evaluation set revealed, bid 3 not delivered (its record holds no model); bid 99 has no record.
   */
  function verifiedJobs() {
    expect(registerValidator(validator1).result).toBeOk(Cl.bool(true));
    expect(registerDataset(provider).result).toBeOk(Cl.uint(1));
    expect(setTerms(provider, 1, 1_000, 5).result).toBeOk(Cl.bool(true));
    for (const id of [1, 2, 3]) expect(trainingBid(bidder, 1).result).toBeOk(Cl.uint(id));
    expect(deliver(provider, 1).result.type).toBe("ok");
    expect(deliver(provider, 2).result.type).toBe("ok");
    expect(revealEval(bidder, 2).result.type).toBe("ok");
    const bid = simnet.callReadOnlyFn(contractId, "get-bid", [Cl.uint(1)], deployer).result as { value: TupleCV };
    const params = simnet.callReadOnlyFn(contractId, "get-parameters", [], deployer).result as TupleCV;
    expect(getBid(1)?.verified).toBe(true);
    return { bid: bid.value, params };
  }

  it("job-escrow = jobEscrow (delivered or not, any fee share)", () => {
    const { bid, params } = verifiedJobs();
    const bpsArb = fc.oneof(fc.constantFrom(0n, 500n, 700n, 10_000n), fc.bigInt({ min: 0n, max: 10_000n }));
    fc.assert(
      fc.property(
        // the bid's amount covers its compute fee (place-training-bid checks it)
        fc
          .oneof(fc.bigInt({ min: 0n, max: 10_000_000n }), fc.bigInt({ min: 0n, max: 2n ** 100n }))
          .chain((amount) => fc.tuple(fc.constant(amount), fc.oneof(fc.constant(0n), fc.constant(amount), fc.bigInt({ min: 0n, max: amount })))),
        fc.boolean(),
        bpsArb,
        ([amount, computeFee], delivered, validatorFeeBps) => {
          const args = [
            Cl.tuple({ ...bid.value, amount: Cl.uint(amount), "compute-fee": Cl.uint(computeFee) }),
            Cl.bool(delivered),
            Cl.tuple({ ...params.value, "validator-fee-bps": Cl.uint(validatorFeeBps) }),
          ];
          expect(priv("job-escrow", args)).toEqual(Cl.uint(jobEscrow({ amount, computeFee }, delivered, { validatorFeeBps })));
        },
      ),
      runs(60),
    );
  });

  it("settlement-amounts = settlementPayouts (every score band, plain and verified, with and without a coherent seat)", () => {
    const { params } = verifiedJobs();
    const OUTCOME_CODES = { REWARDED: 1n, PARTIAL: 2n, SLASHED: 3n, BIDDER_DEFAULT: 7n } as const;
    const thresholdsArb = fc
      .tuple(fc.bigInt({ min: 0n, max: 99n }), fc.bigInt({ min: 1n, max: 100n }))
      .filter(([slash, reward]) => slash < reward)
      .map(([slashThreshold, rewardThreshold]) => ({ slashThreshold, rewardThreshold }));
    const bpsArb = fc.oneof(fc.constantFrom(0n, 100n, 500n, 5_000n, 10_000n), fc.bigInt({ min: 0n, max: 10_000n }));
    fc.assert(
      fc.property(
        fc.oneof(fc.bigInt({ min: 0n, max: 10_000_000n }), fc.bigInt({ min: 0n, max: 2n ** 90n })).chain((amount) =>
          fc.tuple(fc.constant(amount), fc.oneof(fc.constant(0n), fc.constant(amount), fc.bigInt({ min: 0n, max: amount }))),
        ),
        fc.oneof(fc.bigInt({ min: 0n, max: 100n }), fc.constant(101n)),
        fc.oneof(fc.bigInt({ min: 0n, max: 10_000_000n }), fc.bigInt({ min: 0n, max: 2n ** 90n })),
        thresholdsArb,
        // governance keeps the two fees together within the payment (ERR_FEES_TOO_HIGH)
        fc.record({ slashRateBps: bpsArb, validatorFeeBps: bpsArb, protocolFeeBps: bpsArb }).filter((f) => f.validatorFeeBps + f.protocolFeeBps <= 10_000n),
        fc.boolean(),
        fc.boolean(),
        ([amount, computeFee], finalScore, stake, thresholds, fees, verified, coherent) => {
          const p = { ...thresholds, ...fees };
          const fee = verified ? computeFee : 0n;
          const args = [
            Cl.uint(amount),
            Cl.uint(finalScore),
            Cl.uint(stake),
            Cl.tuple({
              ...params.value,
              "reward-threshold": Cl.uint(p.rewardThreshold),
              "slash-threshold": Cl.uint(p.slashThreshold),
              "slash-rate-bps": Cl.uint(p.slashRateBps),
              "validator-fee-bps": Cl.uint(p.validatorFeeBps),
              "protocol-fee-bps": Cl.uint(p.protocolFeeBps),
            }),
            Cl.bool(verified),
            Cl.uint(fee),
            Cl.bool(coherent),
          ];
          const expected = settlementPayouts(amount, finalScore, stake, p, { verified, computeFee: fee, coherent });
          const actual = priv("settlement-amounts", args) as TupleCV;
          expect(actual).toEqual(
            Cl.tuple({
              payment: Cl.uint(expected.payment),
              slashed: Cl.uint(expected.slashed),
              "provider-payment": Cl.uint(expected.providerPayment),
              "bidder-refund": Cl.uint(expected.bidderRefund),
              "validator-fees": Cl.uint(expected.validatorFees),
              "protocol-fee": Cl.uint(expected.protocolFee),
              released: Cl.uint(amount - fee + (fee * p.validatorFeeBps) / 10_000n),
              outcome: Cl.uint(OUTCOME_CODES[expected.outcome as keyof typeof OUTCOME_CODES]),
            }),
          );
        },
      ),
      runs(150),
    );
  });

  it("job-timeline = jobTimeline (no record, undelivered, delivered, revealed; every stage and edge)", () => {
    const { bid, params } = verifiedJobs();
    simnet.mineEmptyBlocks(200);
    const reader = simnetReader(simnet, contractId);
    const deliveries = new Map([1, 2, 3, 99].map((id) => [id, reader.getJobDelivery(id)]));
    expect([...deliveries.values()].map((d) => d && [d.model !== null, d.evalDigest !== null])).toEqual([[true, false], [true, true], [false, false], null]);
    const STAGES = { running: 0n, missed: 1n, defaulted: 2n, ended: 3n } as const;
    // the call runs at this burn height (a private call mines a Stacks block, not a Bitcoin one)
    const now = BigInt(simnet.burnBlockHeight);
    const revealedAt = deliveries.get(2)!.evalRevealedAt;
    const windowArb = fc.oneof(fc.constantFrom(0n, 1n, 6n, 60n), fc.bigInt({ min: 0n, max: 60n }));
    const anyHeight = fc.bigInt({ min: now - 190n, max: now + 50n });
    // every stage's edge (now just before, at or just after it) is drawn often: the delivery's
    // (deadline, or the decline window's close), the evaluation set's (deadline + eval-reveal-window)
    // and the vote's (the reveal window's close, after the deadline or after the revealed set)
    const caseArb = fc
      .record({ bidId: fc.constantFrom(1, 2, 3, 99), verified: fc.boolean(), revealWindow: windowArb, evalRevealWindow: windowArb, declineWindow: windowArb })
      .chain((c) => fc.record({ c: fc.constant(c), validationWindow: fc.oneof(windowArb, around(now - revealedAt - c.revealWindow)) }))
      .chain(({ c, validationWindow }) =>
        fc.record({
          c: fc.constant({ ...c, validationWindow }),
          deadline: fc.oneof(anyHeight, around(now), around(now - c.evalRevealWindow), around(now - validationWindow - c.revealWindow)),
          matchedAt: fc.oneof(anyHeight, around(now - c.declineWindow)),
        }),
      );
    fc.assert(
      fc.property(caseArb, ({ c: { bidId, verified, ...windows }, deadline, matchedAt }) => {
        const args = [
          Cl.uint(bidId),
          Cl.tuple({ ...bid.value, verified: Cl.bool(verified), deadline: Cl.uint(deadline), "matched-at": Cl.uint(matchedAt) }),
          Cl.tuple({
            ...params.value,
            "validation-window": Cl.uint(windows.validationWindow),
            "reveal-window": Cl.uint(windows.revealWindow),
            "eval-reveal-window": Cl.uint(windows.evalRevealWindow),
            "decline-window": Cl.uint(windows.declineWindow),
          }),
        ];
        const t = jobTimeline({ verified, deadline, matchedAt }, deliveries.get(bidId) ?? null, windows, now);
        expect(priv("job-timeline", args)).toEqual(
          Cl.tuple({
            open: Cl.bool(t.open),
            delivered: Cl.bool(t.delivered),
            "commit-closes-at": Cl.uint(t.commitClosesAt),
            "reveal-closes-at": Cl.uint(t.revealClosesAt),
            stage: Cl.uint(STAGES[t.stage]),
          }),
        );
      }),
      runs(80),
    );
  });
});
