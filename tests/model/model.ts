import { type ClarityValue } from "@stacks/transactions";
import { createHash } from "node:crypto";
import { expect } from "vitest";
import {
  DEFAULTS,
  type Decoded,
  bidder,
  bidder2,
  contractId,
  decode,
  deployer,
  outsider,
  provider,
  provider2,
  validator1,
  validator2,
  validator3,
  wallets,
} from "../helpers.ts";
import { drawSeats } from "../../src/client/committee.ts";
import { type JobTimeline, coherentScore, jobEscrow, jobTimeline, settlementPayouts, slashBacked, weightedMedian } from "../../src/client/planner.ts";

/**
 * The model of the market: its state (plain values), its bookkeeping and the contract's rules it
 * applies. The rules the contract shares with the client (the stake-weighted lower median, the slash
 * majority, coherence, min-reveals, the job timeline and escrow, settlement payouts, the delivery
 * payment, the committee draw, the vote and evaluation-set commitments) come from the one reference
 * implementation in src/client (planner.ts, committee.ts, commitment.ts); the rest are the model's.
 *
 * WHAT THE MODEL HOLDS (exactly, as plain values):
 * - the STX balance of every simnet account and of the contract, and the contract's surplus (STX
 *   sent to it by plain transfers, not yet swept);
 * - the whole `market` record: `paused`, `pauses`, `last-dataset-id`, `last-bid-id`,
 *   `last-proposal-id` and `votes-open-until` (both stay 0), `active-validator-count`,
 *   `validator-registrations`, the five solvency buckets (the model checks that they plus the
 *   surplus sum to the contract balance) and the copies of the version-1 parameters
 *   (`max-bid-wait` included); the `pause-log` (started-at, ended-at of every pause in it: a
 *   pause undone in the burn block it began is erased, its entry deleted and `pauses` taken back
 *   by one, so the next pause reuses its number; repeating the state in force changes nothing);
 *   the active set `validator-at` 0..n ({validator, ordinal}) in swap-and-pop order;
 * - datasets: provider, stake, uri, price per block, capacity, active jobs, the FIFO queue (head,
 *   tail, queued-jobs, every bid's queue links), matched jobs, validations, passed validations,
 *   score sum (hence quality-score), non-deliveries, last-settled-at, registered-at, active (false
 *   once retired or withdrawn; a decline gives back its match: matched-jobs - 1, last-settled-at
 *   unchanged);
 *   `provider-stakes` per account: {stake, run-proposal, run-floor, run-open-until,
 *   prior-proposal, prior-floor, prior-open-until}, kept by the contract's rule (an increase
 *   continues the run iff last-proposal-id = run-proposal, else starts a new one and merges the old
 *   run into prior-*; a new principal starts from all zeros). last-proposal-id stays 0 here, as does
 *   a default record's run-proposal, so every increase, the first included, continues the run and
 *   every field but the stake stays 0 (the new-run branch is modelled but never reached);
 * - bids: every field (status, amount, deadline, placed-at, matched-at, matched-block,
 *   validators-at-match, registrations-at-match, pauses-at-match, verified, compute-fee...);
 * - verified jobs (issue 12): each training bid's `job-deliveries` record (spec, eval-commitment,
 *   model, delivered-at, eval-digest, eval-revealed-at; the test keeps each sealed evaluation set's
 *   digest and salt), every account's `bidder-history` {jobs, score-sum, defaults} and every
 *   dataset's `price-raises` record {previous-price, raised-at};
 * - validators: stake, active, index, open seats, exit-requested-at, registered-at, ordinal,
 *   registered-after-proposal (0);
 * - committees (one record per job, its votes included): seats in seat order, their weights (each
 *   member's stake at the draw) and total weight, commits, reveals, revealed weight, revealed
 *   (score, weight)s; per seat its commitment (0x00... until it commits), revealed score and SEAT_*
 *   state (drawn 0, committed 1, revealed 2, +10 once claimed), derived from the seat's vote; the
 *   copies of the job (running and verified from the bid; open and the two windows: a plain job's
 *   at the match, a verified job's (false, 0, 0) until reveal-evaluation-set opens them, a later
 *   draw's from the timeline then); and, once scored, the final score, the tolerance and the reward
 *   pool and weight STILL UNCLAIMED (claims read these);
 * - votes (the model's per-seat view; the contract keeps no votes map): commitment (recomputed by
 *   the test from {score, salt, bid-id, validator}), score, weight (the seat's weight), revealed,
 *   claimed; the test keeps each committer's score and salt;
 * - job results: final score (weighted lower median), outcome, provider payment, bidder refund,
 *   slash, validator fees, protocol fee (1%), penalties (silent + outlier), reward pool (fees +
 *   outlier penalties) and weight AS SET ASIDE AT SETTLEMENT, finalized-at; silence penalties go to
 *   the treasury.
 * Open seats: a job settled by its committee's scores (the last reveal, a submit, finalize-validation
 * with a quorum, a bidder default) frees and penalizes its outliers and silent seats at settlement,
 * but leaves each COHERENT seat counted in its validator's open seats until that validator claims
 * it (claim-validation-reward or a batch claim), which frees it; a job ending without a score frees
 * every seat at once. So a validator cannot withdraw before it has claimed its coherent seats.
 * Verified jobs follow the spec of issue 12 (/work/notes/issue12-contract.md) with the audit's rules
 * (/work/notes/fix12-rules.md), one rule per function: `feePrice` and `recordPriceChange` (a raise
 * of the ask by set-dataset-terms is recorded with the price before it; for PRICE_NOTICE_BLOCKS = 6
 * burn blocks a training bid's compute fee uses no more than that price; the ask check uses the
 * ask), `deliveryDueBy` (an undelivered job is a missed delivery only after max(deadline, matched-at
 * + decline-window)), `evalRevealClosesAt` (the evaluation set is due eval-reveal-window after the
 * DEADLINE, however early the delivery), `nonDeliverySlash` (min(stake * 10%, compute fee): a free
 * job's miss slashes nothing), `fullDigest` (spec, commitment, model and evaluation
 * digests are 32 bytes: INVALID_DIGEST, first in place-training-bid, last in deliver-model, before
 * the salt in reveal-evaluation-set); `timelineOf` (src/client's jobTimeline: a verified job takes no vote before its
 * evaluation set is revealed at e, then commits until e + validation-window and reveals for
 * reveal-window; before the reveal its windows are the latest possible, deadline +
 * eval-reveal-window + validation-window; its stage: missed past deliveryDueBy, defaulted past
 * evalRevealClosesAt), `jobEscrow` (src/client's: what a job holds, its amount less a delivery's
 * payout), `settleJob` (src/client's settlementPayouts: the REST of the bid by the score, the
 * delivery's carried validators' share joining the fees, a verified slash at least the compute fee
 * as far as the stake goes and at most the bid, the reserved 101 median a bidder default; no vote:
 * fees to the treasury), `missDelivery` (full refund, nonDeliverySlash to the treasury,
 * non-deliveries + 1, seats freed without a penalty), `bidderDefault`, `coherentScore`
 * (src/client's: 101 agrees only with 101), deliver-model (src/client's deliveryPayment: the
 * compute fee less the validators' share and the protocol fee) and reveal-evaluation-set
 * (src/client's computeEvalCommitment: sha256(digest ++ salt), a 32-byte salt); expire-bid and
 * finalize-validation route by the stage (refund 0 / u7 for a default, the bid / u6 for a missed
 * delivery); decline-job refuses a delivered job (MODEL_DELIVERED) and takes an undelivered one past
 * its deadline while its decline window runs; 101 is a valid vote on a verified job only.
 * The rules it models include: eligibility by registration ordinal (a committee is drawn from the
 * first validators-at-match indices among validators with ordinal <= registrations-at-match, so
 * later registrants never sit on a job); seat weights (a vote weighs its seat's stake at the draw,
 * penalties take a share of the stake now); the pause excuse (a seat that never committed is
 * excused iff pause number pauses-at-match + 1 is in the log and started by deadline +
 * validation-window; a pause and resume in the same burn block, which the owner's quick resumes
 * often make, leaves no trace in the log, so it excuses nobody and hides no real pause after it,
 * which then excuses if it starts in the window); the slash
 * majority (a median below the slash threshold without a strict majority of the committee's total
 * weight voting below it refunds the job like a lack of quorum: outcome u5, status EXPIRED,
 * bid-expired, no result, silent seats penalized to the treasury, revealed votes not penalized);
 * penalties split (silence to the treasury, outliers to the reward pool); the 1% protocol fee;
 * exits while seated (the exiter keeps and serves its seats); the deadline bound (max-bid-wait);
 * asks and several slots per dataset; the metadata URI rule (a known scheme, then only the RFC 3986
 * characters A-Z a-z 0-9 -._~:/?#[]@!$&'()*+,;=%: quote, <, >, \, ^, `, {, |, }, whitespace and
 * form feed are refused); the 32-byte salt; retired datasets (closed to bids and matching, their
 * queued bids expire on demand, running jobs finish, the stake is withdrawn as usual); declines
 * (full refund, seats freed without penalty, CANCELLED, the match not counted and the stake lock
 * not restarted); and the run bookkeeping of provider stakes.
 */

// ---------------------------------------------------------------------------
// Parameters (version 1, never changed here)
// ---------------------------------------------------------------------------

export const BPS = 10_000n;
export const MIN_DATASET_STAKE = DEFAULTS.minDatasetStake;
export const MIN_VALIDATOR_STAKE = DEFAULTS.minValidatorStake;
export const MIN_BID = DEFAULTS.minBidAmount;
export const MAX_DURATION = DEFAULTS.maxComputationDuration;
export const MAX_BID_WAIT = DEFAULTS.maxBidWait;
export const DECLINE_WINDOW = DEFAULTS.declineWindow;
/** a verified job's bidder has this long after the DEADLINE to reveal its evaluation set */
export const ERW = DEFAULTS.evalRevealWindow;
/** the share of the dataset's stake a missed delivery costs (capped at the bid's compute fee) */
const ND_SLASH_BPS = DEFAULTS.nonDeliverySlashBps;
/** a raised price binds a verified bid's compute fee only this many burn blocks after the raise */
export const PRICE_NOTICE_BLOCKS = 6n;
/** artifacts (a job spec, an evaluation set, a model) are named by their full 32-byte sha256 digest */
export const DIGEST_LENGTH = 32;
export const STAKE_LOCK = DEFAULTS.stakeLockBlocks;
export const VW = DEFAULTS.validationWindow;
export const RW = DEFAULTS.revealWindow;
export const UNBONDING = DEFAULTS.validatorUnbondingBlocks;
const COMMITTEE_SIZE = Number(DEFAULTS.committeeSize);
const SLASH_T = DEFAULTS.slashThreshold;
export const TOLERANCE = DEFAULTS.consensusTolerance;
const VFEE_BPS = DEFAULTS.validatorFeeBps;
export const PFEE_BPS = DEFAULTS.protocolFeeBps;
export const MAX_SCORE = 100n;
/** the reserved vote on a verified job: "evaluation set unavailable" */
export const SCORE_UNAVAILABLE = 101n;
const QUEUE_STEPS = 5;
/** the contract's hard caps on terms */
export const MAX_PRICE_PER_BLOCK = 1_000_000_000_000n;
export const MAX_CONCURRENT_JOBS = 1000n;
/** the market's votes-open-until (the last voting-ends-at of any proposal): 0, no proposal is ever made here */
export const VOTES_OPEN_UNTIL = 0n;
/** the market's last-proposal-id: 0, no proposal is ever made here */
export const LAST_PROPOSAL_ID = 0n;
export const MAX_UINT = 2n ** 128n - 1n;
export const SALT_LENGTH = 32;

export const MAX_DATASETS = 16;
export const MAX_BIDS = 160;
export const MAX_QUEUED = 20;

export const ACCOUNTS = [deployer, ...wallets];
export const PRINCIPALS = [...ACCOUNTS, contractId];
const NAMES = new Map<string, string>([
  [deployer, "deployer"],
  ...wallets.map((w, i) => [w, `wallet_${i + 1}`] as [string, string]),
  [contractId, "contract"],
]);
export const nameOf = (p: string) => NAMES.get(p) ?? p;

/** Who registers datasets (validator3 too: a validator that is the provider of a job is never seated on it). */
export const PROVIDERS = [provider, provider2, validator3];
/** Who bids (bidder2 is a validator in the larger pool; provider bids on the others' datasets). */
export const BIDDERS = [bidder, bidder2, provider];
/** Every account that may ever be a validator (the largest pool). */
export const ALL_VOTERS = [validator1, validator2, validator3, outsider, bidder2];

export const json = (v: unknown) => JSON.stringify(v, (_, x) => (typeof x === "bigint" ? String(x) : x));
const minOf = (a: bigint, b: bigint) => (a < b ? a : b);
export const maxOf = (a: bigint, b: bigint) => (a > b ? a : b);

export const pick = <T>(xs: T[], sel: number): T | undefined => (xs.length > 0 ? xs[sel % xs.length] : undefined);
export const sortedIds = <V>(map: Map<number, V>) => [...map.keys()].sort((a, b) => a - b);

// ---------------------------------------------------------------------------
// Local helpers (candidates for tests/helpers.ts)
// ---------------------------------------------------------------------------

export type Rec = Record<string, Decoded>;

/** A map entry, decoded, or null when the key is absent (getMapEntry throws then). */
export function mapEntry(map: string, key: ClarityValue): Decoded {
  try {
    return decode(simnet.getMapEntry(contractId, map, key));
  } catch {
    return null;
  }
}

/** Structural equality of decoded values (bigint, boolean, string, null, arrays, records), key order ignored. */
export function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => k in rb && same(ra[k], rb[k]));
}

/** expect(actual).toEqual(expected), with a cheap structural check first (a step compares hundreds of fields). */
export function expectSame(actual: unknown, expected: unknown, message: string) {
  if (!same(actual, expected)) expect(actual, message).toEqual(expected);
}

/** A deterministic 32-byte salt per validator, job and attempt. */
export function saltOf(who: string, bidId: number, attempt = 0): Uint8Array {
  return new Uint8Array(createHash("sha256").update(`model:${who}:${bidId}:${attempt}`).digest());
}

/** A vote the contract accepts: 0-100, and on a verified job also the reserved 101. */
export const validScore = (score: bigint, verified: boolean) => score <= MAX_SCORE || (verified && score === SCORE_UNAVAILABLE);

export const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
export const sha256 = (...parts: (Uint8Array | string)[]) => {
  const h = createHash("sha256");
  for (const part of parts) h.update(part);
  return new Uint8Array(h.digest());
};

/** Every character RFC 3986 allows in a URI: unreserved, reserved, and % for escapes (the contract's URI_CHARACTERS). */
const URI_CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%";

/** The scheme half of valid-metadata-uri: ipfs://, ar:// or https:// with something after it. */
export const uriScheme = (uri: string) => ["ipfs://", "ar://", "https://"].some((s) => uri.length > s.length && uri.startsWith(s));

/** valid-metadata-uri: a known scheme with something after it, and every character in URI_CHARACTERS. */
export function validUri(uri: string): boolean {
  return uriScheme(uri) && [...uri].every((c) => URI_CHARACTERS.includes(c));
}

// ---------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------

export const STATUS = { QUEUED: 1, MATCHED: 2, SETTLED: 3, CANCELLED: 4, EXPIRED: 5 } as const;
export const OUTCOME = { REWARDED: 1n, PARTIAL: 2n, SLASHED: 3n, NO_QUORUM: 4n, NO_MAJORITY: 5n, NOT_DELIVERED: 6n, BIDDER_DEFAULT: 7n } as const;

export interface DatasetM {
  provider: string;
  stake: bigint;
  uri: string;
  price: bigint;
  capacity: bigint;
  activeJobs: bigint;
  /** the FIFO queue, head first: queue-head, queue-tail, queued-jobs and queue-links derive from it */
  queue: number[];
  matchedJobs: bigint;
  validations: bigint;
  passed: bigint;
  scoreSum: bigint;
  nonDeliveries: bigint;
  lastSettledAt: bigint;
  registeredAt: bigint;
  active: boolean;
}

export interface BidM {
  datasetId: number;
  bidder: string;
  amount: bigint;
  duration: bigint;
  deadline: bigint;
  status: number;
  placedAt: bigint;
  matchedAt: bigint;
  matchedBlock: bigint;
  validatorsAtMatch: bigint;
  registrationsAtMatch: bigint;
  pausesAtMatch: bigint;
  /** a verified job (place-training-bid): delivered as a model, judged on a sealed evaluation set */
  verified: boolean;
  /** price-per-block * duration at placement for a verified bid, 0 for a plain one */
  computeFee: bigint;
}

/** job-deliveries: a verified job's artifacts (digests as hex), with the blocks they arrived in. */
export interface DeliveryM {
  spec: string;
  evalCommitment: string;
  model: string | null;
  deliveredAt: bigint;
  evalDigest: string | null;
  evalRevealedAt: bigint;
}

/** price-raises: a dataset's last price raise by set-dataset-terms. */
export interface PriceRaiseM {
  previousPrice: bigint;
  raisedAt: bigint;
}

/** bidder-history: a bidder's verified jobs scored (and the sum of their final scores) and its defaults. */
export interface HistoryM {
  jobs: bigint;
  scoreSum: bigint;
  defaults: bigint;
}

export interface ValidatorM {
  stake: bigint;
  active: boolean;
  index: bigint;
  openSeats: bigint;
  exitRequestedAt: bigint;
  registeredAt: bigint;
  ordinal: bigint;
}

/**
 * A job's committee record. The per-seat lists of the contract's record (commitments, scores,
 * seat-states) are derived from the seats' votes (`votes`, by voteKey), and `running` and
 * `verified` from the bid; the rest is held here.
 */
export interface CommitteeM {
  seats: string[];
  /** each seat's stake at the draw, seat order */
  weights: bigint[];
  totalWeight: bigint;
  commits: bigint;
  reveals: bigint;
  revealedWeight: bigint;
  revealed: { score: bigint; weight: bigint }[];
  /**
   * the committee's copy of its job's windows: at a match (matchWindows) a plain job's, a verified
   * job's closed (false, 0, 0) until reveal-evaluation-set opens them; at a later draw the job's
   * timeline then (windowsOf)
   */
  open: boolean;
  commitClosesAt: bigint;
  revealClosesAt: bigint;
  /** set by a settlement with a final score (settle-job): the claims read these */
  scored: boolean;
  finalScore: bigint;
  tolerance: bigint;
  /** the reward pool and weight STILL UNCLAIMED (job-results keeps them as set aside at settlement) */
  rewardPool: bigint;
  rewardWeight: bigint;
}

/** A committee's copy of its job's windows. */
export type WindowsM = Pick<CommitteeM, "open" | "commitClosesAt" | "revealClosesAt">;

/** A seat's SEAT_* state: drawn (no vote), committed, revealed; + SEAT_CLAIMED once claimed. */
export const SEAT = { DRAWN: 0n, COMMITTED: 1n, REVEALED: 2n, CLAIMED: 10n } as const;

export interface VoteM {
  commitment: string;
  score: bigint;
  weight: bigint;
  revealed: boolean;
  claimed: boolean;
}

/** job-results: as written at settlement (reward-pool and reward-weight: as set aside then; the committee keeps what is unclaimed). */
export interface ResultM {
  finalScore: bigint;
  outcome: bigint;
  providerPayment: bigint;
  bidderRefund: bigint;
  slashed: bigint;
  validatorFees: bigint;
  protocolFee: bigint;
  penalties: bigint;
  rewardPool: bigint;
  rewardWeight: bigint;
  finalizedAt: bigint;
}

interface Totals {
  datasetStakes: bigint;
  validatorStakes: bigint;
  escrowedBids: bigint;
  unclaimedRewards: bigint;
  treasury: bigint;
}

/**
 * provider-stakes: the stake and its runs of increases. run-proposal: the market's last-proposal-id
 * during the current run; run-floor: the stake held before it; run-open-until: the market's
 * votes-open-until at its last increase; prior-*: the runs before it, merged. With no proposal ever
 * made here (last-proposal-id and votes-open-until stay 0) every field but the stake stays 0.
 */
export interface ProviderStakeM {
  stake: bigint;
  runProposal: bigint;
  runFloor: bigint;
  runOpenUntil: bigint;
  priorProposal: bigint;
  priorFloor: bigint;
  priorOpenUntil: bigint;
}

/** A print event, decoded: {event, ...fields}. */
type Ev = Rec;

export interface Model {
  /** the validator pool of this `it` (at most committee-size accounts) */
  pool: string[];
  height: bigint;
  paused: boolean;
  /** pause-log: pause k (1-based) is pauseLog[k - 1]; its length is the market's `pauses` */
  pauseLog: { startedAt: bigint; endedAt: bigint }[];
  /**
   * the pauses erased so far (undone in the burn block they began: set-paused deleted their entry
   * and took `pauses` back by one), in order: each one's number and burn block
   */
  erasures: { number: bigint; at: bigint }[];
  /** the test's own bookkeeping: per matched bid, how many pauses had been erased at its match */
  erasuresAtMatch: Map<number, number>;
  /** validator-registrations: the last registration ordinal handed out */
  registrations: bigint;
  balances: Map<string, bigint>;
  totals: Totals;
  /** STX the contract holds beyond the five buckets (plain transfers not yet swept) */
  surplus: bigint;
  datasets: Map<number, DatasetM>;
  /** price-raises: each dataset's last price raise (the price before it, as fee-price gave it then, and its block) */
  priceRaises: Map<number, PriceRaiseM>;
  lastDatasetId: number;
  bids: Map<number, BidM>;
  lastBidId: number;
  validators: Map<string, ValidatorM>;
  /** validator-at, index 0..n-1 */
  set: string[];
  committees: Map<number, CommitteeM>;
  votes: Map<string, VoteM>;
  /** the test's own secrets: what each committed validator intends to reveal */
  secrets: Map<string, { score: bigint; salt: Uint8Array }>;
  results: Map<number, ResultM>;
  providerStakes: Map<string, ProviderStakeM>;
  /** job-deliveries, per verified bid */
  deliveries: Map<number, DeliveryM>;
  /** the test's own secrets: each verified bid's sealed evaluation set (digest and salt) */
  evalSecrets: Map<number, { digest: Uint8Array; salt: Uint8Array }>;
  bidderHistory: Map<string, HistoryM>;
  // per call
  /** stacks-block-height inside the next call (each call is mined in a new Stacks block) */
  stacksAtCall: bigint;
  events: Ev[];
  touched: Set<number>;
  /** outcome tags seen in this `it` (coverage of the paths) */
  tags: Map<string, number>;
  /** the test's own: whether this `it` runs the batch calls (actors.ts: some seats are left to them) */
  batching: boolean;
}

export type Real = object;

export const voteKey = (bidId: number, who: string) => `${bidId}|${who}`;

export function newModel(pool: string[], batching = false): Model {
  const stxMap = simnet.getAssetsMap().get("STX");
  // a fresh deployment: every account holds 100M STX, the contract nothing
  for (const a of ACCOUNTS) expect(stxMap?.get(a), `initial balance of ${nameOf(a)}`).toBe(100_000_000_000_000n);
  expect(stxMap?.get(contractId) ?? 0n, "initial contract balance").toBe(0n);
  return {
    pool,
    height: BigInt(simnet.burnBlockHeight),
    paused: false,
    pauseLog: [],
    erasures: [],
    erasuresAtMatch: new Map(),
    registrations: 0n,
    balances: new Map(PRINCIPALS.map((p) => [p, stxMap?.get(p) ?? 0n])),
    totals: { datasetStakes: 0n, validatorStakes: 0n, escrowedBids: 0n, unclaimedRewards: 0n, treasury: 0n },
    surplus: 0n,
    datasets: new Map(),
    priceRaises: new Map(),
    lastDatasetId: 0,
    bids: new Map(),
    lastBidId: 0,
    validators: new Map(),
    set: [],
    committees: new Map(),
    votes: new Map(),
    secrets: new Map(),
    results: new Map(),
    providerStakes: new Map(),
    deliveries: new Map(),
    evalSecrets: new Map(),
    bidderHistory: new Map(),
    stacksAtCall: 0n,
    events: [],
    touched: new Set(),
    tags: new Map(),
    batching,
  };
}

export function tag(m: Model, t: string) {
  m.tags.set(t, (m.tags.get(t) ?? 0) + 1);
}

export function emit(m: Model, event: string, fields: Rec) {
  m.events.push({ event, ...fields });
}

export function transfer(m: Model, from: string, to: string, amount: bigint) {
  if (amount === 0n) return;
  m.balances.set(from, (m.balances.get(from) ?? 0n) - amount);
  m.balances.set(to, (m.balances.get(to) ?? 0n) + amount);
}

export const payOut = (m: Model, to: string, amount: bigint) => transfer(m, contractId, to, amount);
export const balanceOf = (m: Model, who: string) => m.balances.get(who) ?? 0n;

/**
 * provider-stake-added: a deposit also records the runs governance needs. With the market's
 * last-proposal-id L and votes-open-until V: if L = run-proposal the increase continues the run
 * (stake grows, run-open-until := V); otherwise it starts a new run: the current run joins the prior
 * ones (prior-floor := run-floor once the prior runs' proposals have all closed, else the lower of
 * the two), run-proposal := L, run-floor := the stake before the increase, run-open-until := V. A new
 * principal starts from all zeros. Here L stays 0, and so does a default record's run-proposal:
 * every increase continues the run, and every field but the stake stays 0.
 */
export function providerStakeAdded(m: Model, who: string, amount: bigint) {
  const held: ProviderStakeM = m.providerStakes.get(who) ?? {
    stake: 0n,
    runProposal: 0n,
    runFloor: 0n,
    runOpenUntil: 0n,
    priorProposal: 0n,
    priorFloor: 0n,
    priorOpenUntil: 0n,
  };
  if (LAST_PROPOSAL_ID === held.runProposal) {
    tag(m, held.stake > 0n ? "provider stake: an increase within the run" : "provider stake: a first increase");
    m.providerStakes.set(who, { ...held, stake: held.stake + amount, runOpenUntil: VOTES_OPEN_UNTIL });
    return;
  }
  tag(m, "provider stake: a new run");
  const priorClosed = m.height > held.priorOpenUntil;
  m.providerStakes.set(who, {
    stake: held.stake + amount,
    runProposal: LAST_PROPOSAL_ID,
    runFloor: held.stake,
    runOpenUntil: VOTES_OPEN_UNTIL,
    priorProposal: held.runProposal,
    priorFloor: priorClosed ? held.runFloor : minOf(held.priorFloor, held.runFloor),
    priorOpenUntil: held.runOpenUntil,
  });
}

/** voting-power-on: the weight of `who`'s vote on proposal p (dataset part by the runs, validator part by registration). */
export function votingPowerOn(m: Model, who: string, p: bigint): bigint {
  const held = m.providerStakes.get(who);
  const datasetPart = !held
    ? 0n
    : p > held.runProposal
      ? held.stake
      : minOf(held.stake, p > held.priorProposal ? held.runFloor : held.priorFloor);
  const v = m.validators.get(who);
  // registered-after-proposal is the last-proposal-id at the registration: 0 here
  const validatorPart = v && p > LAST_PROPOSAL_ID ? v.stake : 0n;
  return datasetPart + validatorPart;
}

/** provider-stake-removed: only the stake moves. */
export function providerStakeRemoved(m: Model, who: string, amount: bigint) {
  const held = m.providerStakes.get(who);
  if (held) held.stake -= amount;
}

export function bidOf(m: Model, id: number): BidM {
  const b = m.bids.get(id);
  if (!b) throw new Error(`model: no bid ${id}`);
  return b;
}

export function datasetOf(m: Model, id: number): DatasetM {
  const d = m.datasets.get(id);
  if (!d) throw new Error(`model: no dataset ${id}`);
  return d;
}

export function validatorOf(m: Model, who: string): ValidatorM {
  const v = m.validators.get(who);
  if (!v) throw new Error(`model: no validator ${nameOf(who)}`);
  return v;
}

/** remove-from-set: the last active validator moves into the hole. */
export function removeFromSet(m: Model, index: bigint) {
  const last = m.set.length - 1;
  const moved = m.set[last];
  if (Number(index) !== last) {
    m.set[Number(index)] = moved;
    validatorOf(m, moved).index = index;
  }
  m.set.pop();
}

/**
 * The committee rule without a seed (n <= committee-size), by src/client's drawSeats: seat k probes
 * indices k, k+1, ... (mod n) of the first n indices of the active set AS IT IS NOW, skipping empty
 * indices, validators with an ordinal above maxOrdinal (registered after the match), the parties and
 * those already seated. Returns the seats and their weights (stakes now).
 */
function drawOf(m: Model, bidId: number, n: number, maxOrdinal: bigint): { seats: string[]; weights: bigint[] } {
  if (n > COMMITTEE_SIZE) throw new Error("model: the active set outgrew the committee size (random draw not modelled)");
  const bid = bidOf(m, bidId);
  const seats = drawSeats({
    bidId: BigInt(bidId),
    seed: null,
    validatorsAtMatch: n,
    registrationsAtMatch: maxOrdinal,
    committeeSize: COMMITTEE_SIZE,
    provider: datasetOf(m, bid.datasetId).provider,
    bidder: bid.bidder,
    entryAt: (index) => {
      const w = m.set[index];
      return w === undefined ? null : { validator: w, ordinal: validatorOf(m, w).ordinal };
    },
  });
  return { seats, weights: seats.map((s) => validatorOf(m, s).stake) };
}

export function partiesOf(m: Model, bid: BidM): string[] {
  return [datasetOf(m, bid.datasetId).provider, bid.bidder];
}

/** The draw a job without a committee would get now: from the validators of its match. */
export function drawFor(m: Model, bidId: number) {
  const bid = bidOf(m, bidId);
  return drawOf(m, bidId, Number(bid.validatorsAtMatch), bid.registrationsAtMatch);
}

/** The job's seats: its committee's, or those a draw would give now. */
export function seatsFor(m: Model, bidId: number): string[] {
  return m.committees.get(bidId)?.seats ?? drawFor(m, bidId).seats;
}

/** The windows of a committee that never opened: a verified job's seated at its match (match-windows). */
export const CLOSED_WINDOWS: WindowsM = { open: false, commitClosesAt: 0n, revealClosesAt: 0n };

/** match-windows: a plain job votes until deadline + validation-window; a verified job's open at its evaluation set's reveal. */
export const matchWindows = (bid: BidM): WindowsM =>
  bid.verified ? CLOSED_WINDOWS : { open: true, commitClosesAt: bid.deadline + VW, revealClosesAt: bid.deadline + VW + RW };

/** windows-of: a committee drawn after the match copies its job's timeline now. */
export function windowsOf(m: Model, bidId: number): WindowsM {
  const t = timelineOf(m, bidId, bidOf(m, bidId));
  return { open: t.open, commitClosesAt: t.commitClosesAt, revealClosesAt: t.revealClosesAt };
}

export function newCommittee(draw: { seats: string[]; weights: bigint[] }, windows: WindowsM = CLOSED_WINDOWS): CommitteeM {
  return {
    seats: draw.seats,
    weights: draw.weights,
    totalWeight: draw.weights.reduce((a, w) => a + w, 0n),
    commits: 0n,
    reveals: 0n,
    revealedWeight: 0n,
    revealed: [],
    ...windows,
    scored: false,
    finalScore: 0n,
    tolerance: 0n,
    rewardPool: 0n,
    rewardWeight: 0n,
  };
}

/** The seats `who` still holds on jobs its committee scored: coherent votes not yet claimed. */
export function unclaimedCoherentSeats(m: Model, who: string): bigint {
  let n = 0n;
  for (const [id, c] of m.committees) {
    const v = c.scored ? m.votes.get(voteKey(id, who)) : undefined;
    if (v && c.seats.includes(who) && !v.claimed && v.revealed && coherentScore(v.score, c.finalScore, c.tolerance)) n += 1n;
  }
  return n;
}

/** A seat's SEAT_* state, from its vote. */
export function seatState(v: VoteM | undefined): bigint {
  if (!v) return SEAT.DRAWN;
  return (v.revealed ? SEAT.REVEALED : SEAT.COMMITTED) + (v.claimed ? SEAT.CLAIMED : 0n);
}

/** Stores a drawn committee: each member gets an open seat. */
export function storeCommittee(m: Model, bidId: number, committee: CommitteeM) {
  m.committees.set(bidId, committee);
  for (const s of committee.seats) validatorOf(m, s).openSeats += 1n;
  emit(m, "committee-drawn", { "bid-id": BigInt(bidId), seats: committee.seats, random: false });
  m.touched.add(bidId);
  tag(m, `committee of ${committee.seats.length}`);
  if (committee.seats.length < m.set.length) tag(m, "committee smaller than the active set");
}

/** The job's committee as committee-for-vote returns it: the stored one, or a draw from the validators of its match (null: none eligible). */
export function committeeFor(m: Model, bidId: number): { committee: CommitteeM | null; drawn: boolean } {
  const c = m.committees.get(bidId);
  if (c) return { committee: c, drawn: false };
  const draw = drawFor(m, bidId);
  if (draw.seats.length === 0) return { committee: null, drawn: false };
  return { committee: newCommittee(draw, windowsOf(m, bidId)), drawn: true };
}

/** The weight of `who`'s seat in a committee (its stake at the draw). */
export const seatWeight = (c: CommitteeM, who: string) => c.weights[c.seats.indexOf(who)];

/** seat-small-market: at a match, 0 < n <= committee-size seats every eligible non-party validator at once. */
function seatSmallMarket(m: Model, bidId: number) {
  const n = m.set.length;
  if (n > 0 && n <= COMMITTEE_SIZE) {
    const draw = drawOf(m, bidId, n, m.registrations);
    if (draw.seats.length > 0) storeCommittee(m, bidId, newCommittee(draw, matchWindows(bidOf(m, bidId))));
    else tag(m, "matched with only parties in the set");
  } else if (n === 0) tag(m, "matched without validators");
}

/** A match records the validators, registrations and pauses of the moment, then seats a small market. */
export function matchBid(m: Model, bidId: number) {
  const bid = bidOf(m, bidId);
  bid.status = STATUS.MATCHED;
  bid.matchedAt = m.height;
  bid.matchedBlock = m.stacksAtCall;
  bid.validatorsAtMatch = BigInt(m.set.length);
  bid.registrationsAtMatch = m.registrations;
  bid.pausesAtMatch = BigInt(m.pauseLog.length);
  m.erasuresAtMatch.set(bidId, m.erasures.length);
  m.touched.add(bidId);
  emit(m, "bid-matched", { "bid-id": BigInt(bidId), "dataset-id": BigInt(bid.datasetId), bidder: bid.bidder, "matched-at": m.height });
  seatSmallMarket(m, bidId);
}

export function unlink(ds: DatasetM, bidId: number) {
  const i = ds.queue.indexOf(bidId);
  if (i < 0) throw new Error(`model: bid ${bidId} not queued`);
  ds.queue.splice(i, 1);
}

/** process-queue: at most 5 heads, matched while the dataset is open with a free slot, or refunded when infeasible. */
export function processQueue(m: Model, datasetId: number) {
  const ds = datasetOf(m, datasetId);
  const open = !m.paused && ds.active && ds.stake >= MIN_DATASET_STAKE;
  for (let step = 0; step < QUEUE_STEPS; step++) {
    const head = ds.queue[0];
    if (head === undefined || !open || ds.activeJobs >= ds.capacity) return;
    const bid = bidOf(m, head);
    ds.queue.shift();
    if (m.height + bid.duration <= bid.deadline) {
      matchBid(m, head);
      ds.activeJobs += 1n;
      ds.matchedJobs += 1n;
      tag(m, "queue head matched");
      if (ds.capacity > 1n) tag(m, "queue head matched into a slot of several");
    } else {
      payOut(m, bid.bidder, bid.amount);
      m.totals.escrowedBids -= bid.amount;
      bid.status = STATUS.EXPIRED;
      m.touched.add(head);
      emit(m, "bid-expired", {
        "bid-id": BigInt(head),
        "dataset-id": BigInt(datasetId),
        bidder: bid.bidder,
        refund: bid.amount,
        penalties: 0n,
      });
      tag(m, "queue head skipped");
    }
  }
}

// --- the verified-job rules of the audit (/work/notes/fix12-rules.md), one function each ----------

/**
 * fee-price: the price a verified bid's compute fee uses now: the dataset's ask, but during the
 * notice after a raise (until raised-at + PRICE_NOTICE_BLOCKS) no more than the price before it.
 * The ask check (BID_BELOW_ASK) still uses the ask itself.
 */
export function feePrice(m: Model, datasetId: number, price: bigint): bigint {
  const raise = m.priceRaises.get(datasetId);
  return raise !== undefined && m.height <= raise.raisedAt + PRICE_NOTICE_BLOCKS ? minOf(price, raise.previousPrice) : price;
}

/** set-dataset-terms: a raise above the current ask is recorded (previous-price = fee-price of the old ask now); a cut is not. */
export function recordPriceChange(m: Model, datasetId: number, oldPrice: bigint, newPrice: bigint) {
  if (newPrice > oldPrice) m.priceRaises.set(datasetId, { previousPrice: feePrice(m, datasetId, oldPrice), raisedAt: m.height });
}

/**
 * The last block an undelivered verified job is not yet a missed delivery: the provider can deliver
 * until the deadline and decline until matched-at + decline-window, so the miss waits for both.
 */
export const deliveryDueBy = (b: BidM) => maxOf(b.deadline, b.matchedAt + DECLINE_WINDOW);

/** The last block the bidder may reveal its evaluation set: eval-reveal-window after the DEADLINE (not the delivery). */
export const evalRevealClosesAt = (b: BidM) => b.deadline + ERW;

/** A missed delivery's slash: non-delivery-slash-bps of the dataset's stake, capped at the compute fee (0 for a free job). */
const nonDeliverySlash = (stake: bigint, computeFee: bigint) => minOf((stake * ND_SLASH_BPS) / BPS, computeFee);

/** A digest argument the contract accepts: exactly 32 bytes. */
export const fullDigest = (bytes: Uint8Array) => bytes.length === DIGEST_LENGTH;

/**
 * A matched job's windows and stage (the spec's "windows of a verified job"), by src/client's
 * jobTimeline. A plain job commits until deadline + validation-window, then reveals for
 * reveal-window. A verified job takes no vote before its evaluation set is revealed at e, then
 * commits until e + validation-window; before that its windows are the latest possible (deadline +
 * eval-reveal-window + validation-window). Its stage: missed once undelivered past deliveryDueBy
 * (the deadline and the decline window); defaulted once unrevealed past evalRevealClosesAt
 * (deadline + eval-reveal-window); any job ends after its reveal window.
 */
export function timelineOf(m: Model, bidId: number, b: BidM): JobTimeline {
  return jobTimeline(b, m.deliveries.get(bidId) ?? null, DEFAULTS, m.height);
}

export const commitClosesAt = (m: Model, bidId: number) => timelineOf(m, bidId, bidOf(m, bidId)).commitClosesAt;
export const stageOf = (m: Model, bidId: number) => timelineOf(m, bidId, bidOf(m, bidId)).stage;

/** An undelivered verified job past its deadline: a miss is not due while its decline window runs (expire / finalize refused). */
export const MISS_NOT_DUE = "a miss refused: past the deadline, the decline window still open";
export const missNotDue = (m: Model, id: number, b: BidM) => b.verified && !timelineOf(m, id, b).delivered && m.height > b.deadline && m.height <= deliveryDueBy(b);

/**
 * commit-window-paused: pause number pauses-at-match + 1 exists in the log and started by the close
 * of the commit window (the job's timeline at the settlement). A pause undone in the burn block it
 * began is not in the log (erased), so it excuses nobody, and the next pause, which takes its
 * number, is the one looked at.
 */
function commitWindowPaused(m: Model, bidId: number, bid: BidM): boolean {
  const pause = m.pauseLog[Number(bid.pausesAtMatch)];
  return pause !== undefined && pause.startedAt <= commitClosesAt(m, bidId);
}

/** Whether a pause was erased after the bid's match, in a burn block of its commit window (the test's own bookkeeping). */
function erasedInWindow(m: Model, bidId: number): boolean {
  const since = m.erasuresAtMatch.get(bidId) ?? m.erasures.length;
  return m.erasures.slice(since).some((e) => e.at <= commitClosesAt(m, bidId));
}

/**
 * settle-committee: counts coherent weight; frees every other seat and penalizes outliers and
 * silent seats (a seat that never committed is excused by excuseSilence or a pause in its commit
 * window). A COHERENT seat of a scored job (final !== null) is left as it is: its validator's
 * open seat stays counted until it claims (claimSeat / payRewards free it). With no final score
 * every seat is freed. Silence and outlier penalties are summed apart.
 */
function settleCommittee(m: Model, bidId: number, bid: BidM, committee: CommitteeM | undefined, final: bigint | null, excuseSilence: boolean) {
  const pausedWindow = commitWindowPaused(m, bidId, bid);
  const erasedWindow = erasedInWindow(m, bidId);
  const waive = excuseSilence || pausedWindow;
  let coherentWeight = 0n;
  let silence = 0n;
  let outlier = 0n;
  for (const member of committee?.seats ?? []) {
    // a seated validator cannot withdraw, so its record exists
    const v = validatorOf(m, member);
    const vote = m.votes.get(voteKey(bidId, member));
    const revealed = vote?.revealed ?? false;
    const coherent = vote ? revealed && (final === null || coherentScore(vote.score, final, TOLERANCE)) : false;
    if (coherent && final !== null && vote) {
      // kept seated until its claim: no validator write at settlement
      coherentWeight += vote.weight;
      tag(m, "coherent seat kept until its claim");
      continue;
    }
    const excused = !vote && waive;
    const penalty = coherent || excused ? 0n : (v.stake * DEFAULTS.validatorPenaltyBps) / BPS;
    const newStake = v.stake - penalty;
    const removed = v.active && penalty > 0n && newStake < MIN_VALIDATOR_STAKE;
    if (removed) removeFromSet(m, v.index);
    v.stake = newStake;
    v.openSeats -= 1n;
    if (removed) {
      v.active = false;
      v.exitRequestedAt = m.height;
      tag(m, "validator removed by penalty");
    }
    if (penalty > 0n) {
      emit(m, "validator-penalized", {
        "bid-id": BigInt(bidId),
        validator: member,
        penalty,
        stake: newStake,
        removed,
        silent: !revealed,
      });
      tag(m, revealed ? "outlier penalty" : "silence penalty");
      if (!v.active && !removed) tag(m, "penalty of an exiting validator");
    }
    const pause = m.pauseLog[Number(bid.pausesAtMatch)];
    if (excused && !excuseSilence) {
      tag(m, "silence excused (a pause in the commit window)");
      if (pause.endedAt === 0n) tag(m, "silence excused (a pause that still lasts)");
      if (erasedWindow) tag(m, "silence excused (a real pause after a same-block one)");
    }
    if (!vote && !waive) {
      // a logged pause that started in the window always excuses: one that did not came after it
      if (pause !== undefined) tag(m, "silence not excused (the pause came after the commit window)");
      if (erasedWindow) tag(m, "silence not excused (a same-block pause left no trace)");
    }
    if (revealed) outlier += penalty;
    else silence += penalty;
  }
  return { coherentWeight, silence, outlier };
}

/**
 * finalize-job: a median below the slash threshold without a majority of the committee's weight
 * refunds the job; a median of the reserved vote (101) settles a verified job as a bidder default.
 */
export function finalizeJob(m: Model, bidId: number, bid: BidM, committee: CommitteeM): bigint {
  if (committee.revealed.length === 0) throw new Error("model: finalize-job without a revealed vote");
  const final = weightedMedian(committee.revealed, committee.revealedWeight);
  if (final < SLASH_T && !slashBacked(committee.revealed, SLASH_T, committee.totalWeight)) {
    tag(m, "no majority: refunded");
    failJob(m, bidId, bid);
    return OUTCOME.NO_MAJORITY;
  }
  if (final < SLASH_T && committee.seats.length > 1) tag(m, "slash backed by a majority of a committee");
  if (final === SCORE_UNAVAILABLE) tag(m, "bidder default: the committee found the evaluation set unavailable (median 101)");
  return settleJob(m, bidId, bid, committee, final, false);
}

/**
 * settle-job: pays out a final score (the weighted lower median, or 101 for a bidder default), the
 * amounts by src/client's settlementPayouts. On a verified job the compute fee was paid at delivery,
 * its validators' share (carried) kept in escrow: the REST of the bid follows the score, a slash on a
 * verified job is at least the compute fee as far as the stake goes, at most the bid's amount; a
 * final 101 pays the rest in full, slashes nothing and leaves the quality score alone. With no vote
 * (a default by timeout) the validators' fees go to the treasury. excuseSilence frees silent seats
 * without a penalty.
 */
function settleJob(m: Model, bidId: number, bid: BidM, committee: CommitteeM | undefined, final: bigint, excuseSilence: boolean): bigint {
  const ds = datasetOf(m, bid.datasetId);
  const defaulted = final === SCORE_UNAVAILABLE;
  const rest = bid.amount - bid.computeFee;
  const carried = (bid.computeFee * VFEE_BPS) / BPS;
  const voted = (committee?.revealed.length ?? 0) > 0;
  const payouts = settlementPayouts(bid.amount, final, ds.stake, DEFAULTS, { verified: bid.verified, computeFee: bid.computeFee, coherent: voted });
  const { slashed, protocolFee, providerPayment, bidderRefund, validatorFees: fees } = payouts;
  const stakeSlash = (ds.stake * DEFAULTS.slashRateBps) / BPS;
  if (bid.verified && slashed > 0n && slashed < stakeSlash) tag(m, "verified slash capped at the bid's amount");
  if (bid.verified && slashed > stakeSlash) tag(m, "verified slash raised to the compute fee");
  if (bid.verified && slashed > 0n && slashed < bid.computeFee) tag(m, "verified slash short of the compute fee (capped at the stake)");
  const { coherentWeight, silence, outlier } = settleCommittee(m, bidId, bid, committee, final, excuseSilence);
  const penalties = silence + outlier;
  const rewardPool = fees + outlier;
  // what leaves escrow: the rest and the delivery's validators' share
  const released = rest + carried;
  const treasuryGain = released + slashed - providerPayment - bidderRefund - fees + silence;
  const outcome = OUTCOME[payouts.outcome];
  payOut(m, ds.provider, providerPayment);
  payOut(m, bid.bidder, bidderRefund);
  if (slashed > 0n) providerStakeRemoved(m, ds.provider, slashed);
  m.totals.datasetStakes -= slashed;
  m.totals.validatorStakes -= penalties;
  m.totals.escrowedBids -= released;
  m.totals.unclaimedRewards += rewardPool;
  m.totals.treasury += treasuryGain;
  bid.status = STATUS.SETTLED;
  m.touched.add(bidId);
  // the committee record answers the claims from here on (a job without one writes none)
  if (committee) Object.assign(committee, { scored: true, finalScore: final, tolerance: TOLERANCE, rewardPool, rewardWeight: coherentWeight });
  m.results.set(bidId, {
    finalScore: final,
    outcome,
    providerPayment,
    bidderRefund,
    slashed,
    validatorFees: fees,
    protocolFee,
    penalties,
    rewardPool,
    rewardWeight: coherentWeight,
    finalizedAt: m.height,
  });
  if (bid.verified) {
    const h = m.bidderHistory.get(bid.bidder) ?? { jobs: 0n, scoreSum: 0n, defaults: 0n };
    m.bidderHistory.set(bid.bidder, defaulted ? { ...h, defaults: h.defaults + 1n } : { ...h, jobs: h.jobs + 1n, scoreSum: h.scoreSum + final });
  }
  emit(m, "job-finalized", {
    "bid-id": BigInt(bidId),
    "dataset-id": BigInt(bid.datasetId),
    "final-score": final,
    outcome,
    "provider-payment": providerPayment,
    "bidder-refund": bidderRefund,
    "slashed-amount": slashed,
    "validator-fees": fees,
    "protocol-fee": protocolFee,
    penalties,
    "treasury-gain": treasuryGain,
  });
  tag(m, `finalized outcome ${outcome}`);
  if (bid.verified && !defaulted) tag(m, `verified job scored: outcome ${outcome}`);
  if (bid.verified && bid.computeFee > 0n && !defaulted) tag(m, "verified job scored after a paid delivery");
  if (silence > 0n && outlier > 0n) tag(m, "settled with silent and outlier penalties");
  ds.stake -= slashed;
  ds.activeJobs -= 1n;
  // a default is no validation of the data
  if (!defaulted) {
    ds.validations += 1n;
    ds.scoreSum += final;
  }
  if (outcome === OUTCOME.REWARDED) ds.passed += 1n;
  ds.lastSettledAt = m.height;
  processQueue(m, bid.datasetId);
  return outcome;
}

/**
 * close-job: the bidder gets back what the job still holds in escrow (its amount, less a delivered
 * verified job's compute fee but the validators' share), no slash, every seat freed (revealed votes
 * unpenalized, silent seats penalized to the treasury unless excused), the job takes `status`.
 * Returns the refund and the penalties; the caller prints its event and hands the slot to the queue.
 */
export function closeJob(m: Model, bidId: number, bid: BidM, status: number, excuseSilence: boolean): { refund: bigint; penalties: bigint } {
  const ds = datasetOf(m, bid.datasetId);
  const refund = jobEscrow(bid, timelineOf(m, bidId, bid).delivered, DEFAULTS);
  const committee = m.committees.get(bidId);
  const penalties = committee ? settleCommittee(m, bidId, bid, committee, null, excuseSilence).silence : 0n;
  payOut(m, bid.bidder, refund);
  m.totals.validatorStakes -= penalties;
  m.totals.escrowedBids -= refund;
  m.totals.treasury += penalties;
  bid.status = status;
  m.touched.add(bidId);
  ds.activeJobs -= 1n;
  ds.lastSettledAt = m.height;
  return { refund, penalties };
}

/** fail-job: close-job as EXPIRED, event bid-expired, then the queue. Returns the refund. */
export function failJob(m: Model, bidId: number, bid: BidM): bigint {
  const { refund, penalties } = closeJob(m, bidId, bid, STATUS.EXPIRED, false);
  emit(m, "bid-expired", {
    "bid-id": BigInt(bidId),
    "dataset-id": BigInt(bid.datasetId),
    bidder: bid.bidder,
    refund,
    penalties,
  });
  tag(m, m.committees.has(bidId) ? "job failed with committee" : "job failed without committee");
  if (refund < bid.amount) tag(m, "delivered verified job refunded what it still held");
  processQueue(m, bid.datasetId);
  return refund;
}

/**
 * A missed delivery: the bidder is refunded in full, the seats freed without a penalty,
 * nonDeliverySlash (min(stake * non-delivery-slash-bps, compute fee)) goes to the treasury, the
 * dataset counts a non-delivery; EXPIRED, event delivery-missed, then the queue. Returns the refund.
 */
export function missDelivery(m: Model, bidId: number, bid: BidM): bigint {
  const ds = datasetOf(m, bid.datasetId);
  const { refund } = closeJob(m, bidId, bid, STATUS.EXPIRED, true);
  const stakeSlash = (ds.stake * ND_SLASH_BPS) / BPS;
  const slashed = nonDeliverySlash(ds.stake, bid.computeFee);
  if (slashed > 0n) providerStakeRemoved(m, ds.provider, slashed);
  m.totals.datasetStakes -= slashed;
  m.totals.treasury += slashed;
  emit(m, "delivery-missed", {
    "bid-id": BigInt(bidId),
    "dataset-id": BigInt(bid.datasetId),
    provider: ds.provider,
    bidder: bid.bidder,
    refund,
    "slashed-amount": slashed,
  });
  ds.stake -= slashed;
  ds.nonDeliveries += 1n;
  tag(m, "delivery missed: refunded, stake slashed");
  if (slashed < stakeSlash) tag(m, bid.computeFee === 0n ? "missed delivery of a free job: no slash" : "non-delivery slash capped at the compute fee");
  if (bid.matchedAt + DECLINE_WINDOW > bid.deadline) tag(m, "missed delivery after the decline window");
  if (m.committees.has(bidId)) tag(m, "delivery missed with a committee (seats freed)");
  if (ds.stake < MIN_DATASET_STAKE) tag(m, "a non-delivery slash leaves the dataset understaked");
  processQueue(m, bid.datasetId);
  return refund;
}

/** A bidder default (the evaluation set not revealed in time): settled with the reserved score, no vote, seats freed. */
export function bidderDefault(m: Model, bidId: number, bid: BidM): bigint {
  tag(m, "bidder default: the evaluation set was not revealed");
  return settleJob(m, bidId, bid, m.committees.get(bidId), SCORE_UNAVAILABLE, true);
}
