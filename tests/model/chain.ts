import { Cl } from "@stacks/transactions";
import { expect } from "vitest";
import { DEFAULTS, contractId, decode, readOnly } from "../helpers.ts";
import {
  ACCOUNTS,
  BIDDERS,
  type BidM,
  type CommitteeM,
  type DatasetM,
  type DeliveryM,
  type HistoryM,
  LAST_PROPOSAL_ID,
  type Model,
  PRINCIPALS,
  PROVIDERS,
  type PriceRaiseM,
  type ProviderStakeM,
  type Rec,
  type ResultM,
  STATUS,
  VOTES_OPEN_UNTIL,
  type ValidatorM,
  type VoteM,
  bidOf,
  datasetOf,
  expectSame,
  feePrice,
  mapEntry,
  nameOf,
  seatState,
  sortedIds,
  timelineOf,
  validatorOf,
  voteKey,
  votingPowerOn,
} from "./model.ts";

/**
 * The model against the chain. After EVERY command the test compares: all the globals the model
 * holds (model.ts), every dataset, the pool's validator
 * records, and every matched bid and every bid the command named or touched, with its links,
 * committee record (its seats' votes included) and result (a waiting bid the command did not
 * touch: its record and links). After every run: every bid, every account's validator record and
 * provider stake. At the start and end of each `it`: all of it, and the views `get-committee`,
 * `get-vote` (every seat's, and the bidder's: none) and `get-job-result` (what is still unclaimed)
 * of every committee and result, `get-dataset`
 * (quality-score), `get-compute-fee` (feePrice times the duration, none for an unknown dataset),
 * `get-parameters` (version 1: the defaults, eval-reveal-window 144 and non-delivery-slash-bps
 * 1000 among them), `get-bidder-history` (mean score), `get-job-delivery`,
 * `get-validation-windows` of the running jobs, `get-voting-power`, `get-proposal-voting-power` (0 on an unknown proposal: no
 * proposal exists here; the model's voting-power-on gives the next proposal every stake held now),
 * `get-pause` and `get-market-totals` (surplus), and the governance bounds of voting-period and
 * execution-delay ([144, 52560]), eval-reveal-window ([1, 4320]) and non-delivery-slash-bps
 * ([0, 5000]).
 */

// ---------------------------------------------------------------------------
// Model vs chain
// ---------------------------------------------------------------------------

function datasetTuple(d: DatasetM): Rec {
  return {
    provider: d.provider,
    stake: d.stake,
    "metadata-uri": d.uri,
    "price-per-block": d.price,
    "max-concurrent-jobs": d.capacity,
    "active-jobs": d.activeJobs,
    "queued-jobs": BigInt(d.queue.length),
    "queue-head": BigInt(d.queue[0] ?? 0),
    "queue-tail": BigInt(d.queue[d.queue.length - 1] ?? 0),
    "matched-jobs": d.matchedJobs,
    validations: d.validations,
    "passed-validations": d.passed,
    "score-sum": d.scoreSum,
    "non-deliveries": d.nonDeliveries,
    "last-settled-at": d.lastSettledAt,
    "registered-at": d.registeredAt,
    active: d.active,
  };
}

function bidTuple(b: BidM): Rec {
  return {
    "dataset-id": BigInt(b.datasetId),
    bidder: b.bidder,
    amount: b.amount,
    duration: b.duration,
    deadline: b.deadline,
    status: BigInt(b.status),
    "placed-at": b.placedAt,
    "matched-at": b.matchedAt,
    "matched-block": b.matchedBlock,
    "validators-at-match": b.validatorsAtMatch,
    "registrations-at-match": b.registrationsAtMatch,
    "pauses-at-match": b.pausesAtMatch,
    verified: b.verified,
    "compute-fee": b.computeFee,
    "parameter-version": 1n,
  };
}

function validatorTuple(v: ValidatorM): Rec {
  return {
    stake: v.stake,
    active: v.active,
    index: v.index,
    "open-seats": v.openSeats,
    "exit-requested-at": v.exitRequestedAt,
    "registered-at": v.registeredAt,
    ordinal: v.ordinal,
    "registered-after-proposal": LAST_PROPOSAL_ID,
  };
}

/** A 32-byte buffer of zeros: a seat's commitment until it commits (no-commitment). */
const NO_COMMITMENT = "00".repeat(32);

/**
 * The committee record: the seats, their weights and counts, the per-seat lists (each seat's
 * commitment, revealed score and SEAT_* state, from its vote), the copies of the job (running,
 * verified, open and its windows) and, once scored, the final score, the tolerance and what the
 * reward pool still holds.
 */
function committeeTuple(m: Model, id: number, c: CommitteeM): Rec {
  const b = bidOf(m, id);
  const votes = c.seats.map((s) => m.votes.get(voteKey(id, s)));
  return {
    ...committeeView(c),
    commitments: votes.map((v) => v?.commitment ?? NO_COMMITMENT),
    scores: votes.map((v) => v?.score ?? 0n),
    "seat-states": votes.map(seatState),
    running: b.status === STATUS.MATCHED,
    verified: b.verified,
    open: c.open,
    "commit-closes-at": c.commitClosesAt,
    "reveal-closes-at": c.revealClosesAt,
    scored: c.scored,
    "final-score": c.finalScore,
    tolerance: c.tolerance,
    "reward-pool": c.rewardPool,
    "reward-weight": c.rewardWeight,
  };
}

/** What the get-committee view shows: the record's first seven fields. */
function committeeView(c: CommitteeM): Rec {
  return {
    seats: c.seats,
    weights: c.weights,
    "total-weight": c.totalWeight,
    commits: c.commits,
    reveals: c.reveals,
    "revealed-weight": c.revealedWeight,
    revealed: c.revealed.map((v) => ({ score: v.score, weight: v.weight })),
  };
}

function deliveryTuple(d: DeliveryM): Rec {
  return {
    spec: d.spec,
    "eval-commitment": d.evalCommitment,
    model: d.model,
    "delivered-at": d.deliveredAt,
    "eval-digest": d.evalDigest,
    "eval-revealed-at": d.evalRevealedAt,
  };
}

function raiseTuple(r: PriceRaiseM | undefined): Rec | null {
  return r ? { "previous-price": r.previousPrice, "raised-at": r.raisedAt } : null;
}

function historyTuple(h: HistoryM | undefined): Rec | null {
  return h ? { jobs: h.jobs, "score-sum": h.scoreSum, defaults: h.defaults } : null;
}

/** Parameter version 1: the defaults (26 fields with the version), never changed here. */
function defaultParameters(): Rec {
  const kebab = (k: string) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  return { version: 1n, ...Object.fromEntries(Object.entries(DEFAULTS).map(([k, v]) => [kebab(k), v])) };
}

function voteTuple(v: VoteM): Rec {
  return { commitment: v.commitment, score: v.score, weight: v.weight, revealed: v.revealed, claimed: v.claimed };
}

function resultTuple(r: ResultM): Rec {
  return {
    "final-score": r.finalScore,
    outcome: r.outcome,
    "provider-payment": r.providerPayment,
    "bidder-refund": r.bidderRefund,
    "slashed-amount": r.slashed,
    "validator-fees": r.validatorFees,
    "protocol-fee": r.protocolFee,
    penalties: r.penalties,
    "reward-pool": r.rewardPool,
    "reward-weight": r.rewardWeight,
    "finalized-at": r.finalizedAt,
  };
}

function providerStakeTuple(p: ProviderStakeM | undefined): Rec | null {
  return p
    ? {
        stake: p.stake,
        "run-proposal": p.runProposal,
        "run-floor": p.runFloor,
        "run-open-until": p.runOpenUntil,
        "prior-proposal": p.priorProposal,
        "prior-floor": p.priorFloor,
        "prior-open-until": p.priorOpenUntil,
      }
    : null;
}

/** The `market` data-var as the model has it (no command changes parameters: the copies stay those of version 1). */
function marketTuple(m: Model): Rec {
  return {
    paused: m.paused,
    pauses: BigInt(m.pauseLog.length),
    "last-dataset-id": BigInt(m.lastDatasetId),
    "last-bid-id": BigInt(m.lastBidId),
    "last-proposal-id": LAST_PROPOSAL_ID,
    "active-validator-count": BigInt(m.set.length),
    "validator-registrations": m.registrations,
    "votes-open-until": VOTES_OPEN_UNTIL,
    "dataset-stakes": m.totals.datasetStakes,
    "validator-stakes": m.totals.validatorStakes,
    "escrowed-bids": m.totals.escrowedBids,
    "unclaimed-rewards": m.totals.unclaimedRewards,
    treasury: m.totals.treasury,
    "parameter-version": 1n,
    "min-dataset-stake": DEFAULTS.minDatasetStake,
    "min-validator-stake": DEFAULTS.minValidatorStake,
    "min-bid-amount": DEFAULTS.minBidAmount,
    "max-computation-duration": DEFAULTS.maxComputationDuration,
    "max-bid-wait": DEFAULTS.maxBidWait,
    "committee-size": DEFAULTS.committeeSize,
    "validation-window": DEFAULTS.validationWindow,
    "reveal-window": DEFAULTS.revealWindow,
  };
}

/** queue-links of a bid, derived from its dataset's queue (null when not queued). */
function linkOf(m: Model, b: BidM, id: number): Rec | null {
  if (b.status !== STATUS.QUEUED) return null;
  const q = datasetOf(m, b.datasetId).queue;
  const i = q.indexOf(id);
  return { prev: BigInt(q[i - 1] ?? 0), next: BigInt(q[i + 1] ?? 0) };
}

/** The model's view of one bid and everything keyed by it (the votes live in the committee record). */
function expectedBid(m: Model, id: number): Rec {
  const b = bidOf(m, id);
  const c = m.committees.get(id);
  const r = m.results.get(id);
  const d = m.deliveries.get(id);
  return {
    bid: bidTuple(b),
    link: linkOf(m, b, id),
    committee: c ? committeeTuple(m, id, c) : null,
    result: r ? resultTuple(r) : null,
    delivery: d ? deliveryTuple(d) : null,
  };
}

function actualBid(id: number): Rec {
  const decoded = (map: string) => mapEntry(map, Cl.uint(id));
  return {
    bid: decoded("bids"),
    link: decoded("queue-links"),
    committee: decoded("committees"),
    result: decoded("job-results"),
    delivery: decoded("job-deliveries"),
  };
}

/** A waiting bid the command did not touch: its record and queue links only (the rest is swept at the end of the run). */
function queuedBidParts(m: Model, id: number, actual: boolean): Rec {
  if (actual) return { bid: mapEntry("bids", Cl.uint(id)), link: mapEntry("queue-links", Cl.uint(id)) };
  const b = bidOf(m, id);
  return { bid: bidTuple(b), link: linkOf(m, b, id) };
}

function expectedGlobals(m: Model, voters: string[], stakers: string[]): Rec {
  return {
    height: m.height,
    balances: Object.fromEntries(PRINCIPALS.map((p) => [nameOf(p), m.balances.get(p) ?? 0n])),
    market: marketTuple(m),
    // pause 1..pauses, and nothing after
    "pause-log": [...m.pauseLog.map((p) => ({ "started-at": p.startedAt, "ended-at": p.endedAt })), null],
    "validator-at": [...m.set.map((w) => ({ validator: w, ordinal: validatorOf(m, w).ordinal })), null],
    datasets: Object.fromEntries([...m.datasets].map(([id, d]) => [id, datasetTuple(d)])),
    "price-raises": Object.fromEntries([...m.datasets.keys()].map((id) => [id, raiseTuple(m.priceRaises.get(id))])),
    validators: Object.fromEntries(voters.map((w) => [nameOf(w), m.validators.has(w) ? validatorTuple(validatorOf(m, w)) : null])),
    "provider-stakes": Object.fromEntries(stakers.map((w) => [nameOf(w), providerStakeTuple(m.providerStakes.get(w))])),
    "bidder-history": Object.fromEntries(stakers.map((w) => [nameOf(w), historyTuple(m.bidderHistory.get(w))])),
  };
}

function actualGlobals(m: Model, voters: string[], stakers: string[]): Rec {
  const stxMap = simnet.getAssetsMap().get("STX");
  const market = decode(simnet.getDataVar(contractId, "market")) as Rec;
  return {
    height: BigInt(simnet.burnBlockHeight),
    balances: Object.fromEntries(PRINCIPALS.map((p) => [nameOf(p), stxMap?.get(p) ?? 0n])),
    market,
    "pause-log": Array.from({ length: m.pauseLog.length + 1 }, (_, i) => mapEntry("pause-log", Cl.uint(i + 1))),
    "validator-at": Array.from({ length: m.set.length + 1 }, (_, i) => mapEntry("validator-at", Cl.uint(i))),
    datasets: Object.fromEntries(
      Array.from({ length: Math.max(m.lastDatasetId, Number(market["last-dataset-id"])) }, (_, i) => [
        i + 1,
        mapEntry("datasets", Cl.uint(i + 1)),
      ]),
    ),
    "price-raises": Object.fromEntries(
      Array.from({ length: Math.max(m.lastDatasetId, Number(market["last-dataset-id"])) }, (_, i) => [
        i + 1,
        mapEntry("price-raises", Cl.uint(i + 1)),
      ]),
    ),
    validators: Object.fromEntries(voters.map((w) => [nameOf(w), mapEntry("validators", Cl.principal(w))])),
    "provider-stakes": Object.fromEntries(stakers.map((w) => [nameOf(w), mapEntry("provider-stakes", Cl.principal(w))])),
    "bidder-history": Object.fromEntries(stakers.map((w) => [nameOf(w), mapEntry("bidder-history", Cl.principal(w))])),
  };
}

/**
 * How much of the chain a comparison reads:
 * - "step" (after every command): globals, every dataset, the pool's validator records, and the
 *   matched bids and the bids the command named or touched, in full; queued bids: record and links;
 * - "run" (end of every run): every bid, every account's validator record and provider stake;
 * - "final" (start and end of the `it`): everything, and the views `get-committee`, `get-vote`,
 *   `get-job-result`, `get-dataset` (quality-score), `get-voting-power`, `get-proposal-voting-power`,
 *   `get-pause` and `get-market-totals` (surplus).
 */
type Depth = "step" | "run" | "final";

export function compareWithChain(m: Model, context: string, named: number[], depth: Depth) {
  // the model keeps the solvency invariant itself: the buckets plus the surplus are the balance
  const t = m.totals;
  expect(t.datasetStakes + t.validatorStakes + t.escrowedBids + t.unclaimedRewards + t.treasury + m.surplus, `${context}: model solvency`).toBe(
    m.balances.get(contractId),
  );
  const sweep = depth !== "step";
  // every account in a sweep; per step, the validator pool and the accounts that hold or held dataset stakes
  const accounts = sweep ? ACCOUNTS : m.pool;
  // (and the bidders' histories: the same accounts, plus every bidder)
  const stakers = sweep ? ACCOUNTS : [...new Set([...PROVIDERS, ...BIDDERS, ...m.providerStakes.keys(), ...m.bidderHistory.keys()])];
  expectSame(actualGlobals(m, accounts, stakers), expectedGlobals(m, accounts, stakers), `${context}: globals`);
  for (const id of sortedIds(m.bids)) {
    const b = bidOf(m, id);
    const inFull = sweep || b.status === STATUS.MATCHED || m.touched.has(id) || named.includes(id);
    if (inFull) {
      expectSame(actualBid(id), expectedBid(m, id), `${context}: bid ${id}`);
      // the model's own rule: an open committee's windows are its job's
      const c = m.committees.get(id);
      if (c?.open && b.status === STATUS.MATCHED) {
        const t = timelineOf(m, id, b);
        expect([c.commitClosesAt, c.revealClosesAt], `${context}: model windows of bid ${id}'s committee`).toEqual([t.commitClosesAt, t.revealClosesAt]);
      }
    } else if (b.status === STATUS.QUEUED) {
      expectSame(queuedBidParts(m, id, true), queuedBidParts(m, id, false), `${context}: queued bid ${id}`);
    }
  }
  if (sweep) {
    // nothing beyond the last ids
    expect(mapEntry("bids", Cl.uint(m.lastBidId + 1)), `${context}: no bid past the last id`).toBeNull();
    expect(mapEntry("datasets", Cl.uint(m.lastDatasetId + 1)), `${context}: no dataset past the last id`).toBeNull();
  }
  if (depth === "final") {
    // the views agree with the model (a read-only call costs ~5 ms: once per `it`)
    for (const [id, d] of m.datasets) {
      const view = decode(readOnly("get-dataset", [Cl.uint(id)])) as Rec;
      expect(view["quality-score"], `${context}: quality-score of dataset ${id}`).toBe(d.validations > 0n ? d.scoreSum / d.validations : 0n);
      // the fee a training bid placed now would carry (feePrice: the price before a raise still in its notice)
      expect(decode(readOnly("get-compute-fee", [Cl.uint(id), Cl.uint(10)])), `${context}: get-compute-fee of dataset ${id}`).toBe(
        feePrice(m, id, d.price) * 10n,
      );
    }
    expect(decode(readOnly("get-compute-fee", [Cl.uint(m.lastDatasetId + 1), Cl.uint(10)])), `${context}: get-compute-fee of no dataset`).toBeNull();
    for (const w of ACCOUNTS) {
      const power = (m.providerStakes.get(w)?.stake ?? 0n) + (m.validators.get(w)?.stake ?? 0n);
      expect(decode(readOnly("get-voting-power", [Cl.principal(w)])), `${context}: voting power of ${nameOf(w)}`).toBe(power);
      // no proposal was ever made: an unknown proposal weighs nothing (voting-power-on would give it every stake held now)
      expect(votingPowerOn(m, w, LAST_PROPOSAL_ID + 1n), `${context}: model power of ${nameOf(w)} on the next proposal`).toBe(power);
      for (const p of [0n, LAST_PROPOSAL_ID + 1n]) {
        expect(decode(readOnly("get-proposal-voting-power", [Cl.uint(p), Cl.principal(w)])), `${context}: power of ${nameOf(w)} on unknown proposal ${p}`).toBe(0n);
      }
    }
    for (let k = 1; k <= m.pauseLog.length + 1; k++) {
      const p = m.pauseLog[k - 1];
      expect(decode(readOnly("get-pause", [Cl.uint(k)])), `${context}: get-pause ${k}`).toEqual(
        p ? { "started-at": p.startedAt, "ended-at": p.endedAt } : null,
      );
    }
    expect((decode(readOnly("get-market-totals")) as Rec).surplus, `${context}: surplus`).toBe(m.surplus);
    // the parameters in force: version 1, the defaults (the two verified-job parameters among them)
    expect(decode(readOnly("get-parameters")), `${context}: parameters`).toEqual(defaultParameters());
    // bidder histories with their mean final score, deliveries, and the windows of the running jobs
    for (const w of ACCOUNTS) {
      const h = m.bidderHistory.get(w) ?? { jobs: 0n, scoreSum: 0n, defaults: 0n };
      expect(decode(readOnly("get-bidder-history", [Cl.principal(w)])), `${context}: bidder history of ${nameOf(w)}`).toEqual({
        ...historyTuple(h),
        "mean-score": h.jobs > 0n ? h.scoreSum / h.jobs : 0n,
      });
    }
    for (const [id, d] of m.deliveries) {
      expect(decode(readOnly("get-job-delivery", [Cl.uint(id)])), `${context}: get-job-delivery ${id}`).toEqual(deliveryTuple(d));
    }
    // the views of the committee record: get-committee (its first seven fields), get-vote (each
    // seat's vote, none before it commits; none for an account with no seat: the bidder) and
    // get-job-result (reward-pool and reward-weight: what is still unclaimed)
    for (const [id, c] of m.committees) {
      expect(decode(readOnly("get-committee", [Cl.uint(id)])), `${context}: get-committee ${id}`).toEqual(committeeView(c));
      for (const w of [...c.seats, bidOf(m, id).bidder]) {
        const v = c.seats.includes(w) ? m.votes.get(voteKey(id, w)) : undefined;
        expect(decode(readOnly("get-vote", [Cl.uint(id), Cl.principal(w)])), `${context}: get-vote ${id} of ${nameOf(w)}`).toEqual(v ? voteTuple(v) : null);
      }
    }
    for (const [id, r] of m.results) {
      const c = m.committees.get(id);
      expect(decode(readOnly("get-job-result", [Cl.uint(id)])), `${context}: get-job-result ${id}`).toEqual({
        ...resultTuple(r),
        ...(c ? { "reward-pool": c.rewardPool, "reward-weight": c.rewardWeight } : {}),
      });
    }
    for (const id of sortedIds(m.bids)) {
      if (bidOf(m, id).status !== STATUS.MATCHED) continue;
      const t = timelineOf(m, id, bidOf(m, id));
      const w = decode(readOnly("get-validation-windows", [Cl.uint(id)])) as Rec;
      expect([w["commit-closes-at"], w["reveal-closes-at"]], `${context}: windows of bid ${id}`).toEqual([t.commitClosesAt, t.revealClosesAt]);
    }
    // a day to vote and a day to object, at the least
    for (const b of ["voting-period", "execution-delay"]) {
      expect(mapEntry("parameter-bounds", Cl.stringAscii(b)), `${context}: bounds of ${b}`).toEqual({ "min-value": 144n, "max-value": 52560n });
    }
    // the verified jobs' parameters: a reveal window of 1 to 4320 blocks, a non-delivery slash of at most half the stake
    expect(mapEntry("parameter-bounds", Cl.stringAscii("eval-reveal-window")), `${context}: bounds of eval-reveal-window`).toEqual({
      "min-value": 1n,
      "max-value": 4320n,
    });
    expect(mapEntry("parameter-bounds", Cl.stringAscii("non-delivery-slash-bps")), `${context}: bounds of non-delivery-slash-bps`).toEqual({
      "min-value": 0n,
      "max-value": 5000n,
    });
  }
}
