import fc from "fast-check";
import { Cl, serializeCVBytes, type ClarityValue } from "@stacks/transactions";
import { createHash } from "node:crypto";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  DEFAULTS,
  bidder,
  bidder2,
  call,
  contractId,
  decode,
  deployer,
  expectSolvent,
  outsider,
  printEvents,
  provider,
  provider2,
  readOnly,
  validator1,
  validator2,
  validator3,
  wallets,
  type Decoded,
} from "./helpers.ts";
import { ERR, type ErrorName } from "../src/errors.ts";

/**
 * Model-based test (issue 7, part 3; issue 11; issue 12, verified jobs, with the audit's fixes): `fc.commands` + `fc.modelRun` against a TypeScript
 * model of the market. Every command predicts, from the model alone, the exact result of its call -
 * the `(ok value)` or the exact error code, following the contract's check order - and the exact
 * list of print events WITH their payloads; it asserts both, updates the model, then compares the
 * model with the chain.
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
 * - committees: seats in seat order, their weights (each member's stake at the draw) and total
 *   weight, commits, reveals, revealed weight, revealed (score, weight)s;
 * - votes: commitment (recomputed by the test from {score, salt, bid-id, validator}), score,
 *   weight (the seat's weight), revealed, claimed; the test keeps each committer's score and salt;
 * - job results: final score (weighted lower median), outcome, provider payment, bidder refund,
 *   slash, validator fees, protocol fee (1%), penalties (silent + outlier), reward pool (fees +
 *   outlier penalties) and weight, finalized-at; silence penalties go to the treasury.
 * Verified jobs follow the spec of issue 12 (/work/notes/issue12-contract.md) with the audit's rules
 * (/work/notes/fix12-rules.md), one rule per function: `feePrice` and `recordPriceChange` (a raise
 * of the ask by set-dataset-terms is recorded with the price before it; for PRICE_NOTICE_BLOCKS = 6
 * burn blocks a training bid's compute fee uses no more than that price; the ask check uses the
 * ask), `deliveryDueBy` (an undelivered job is a missed delivery only after max(deadline, matched-at
 * + decline-window)), `evalRevealClosesAt` (the evaluation set is due eval-reveal-window after the
 * DEADLINE, however early the delivery), `nonDeliverySlash` (min(stake * 10%, compute fee): a free
 * job's miss slashes nothing), `scoredSlash` (a verified slash is at least the compute fee, as far
 * as the stake goes, and at most the bid), `fullDigest` (spec, commitment, model and evaluation
 * digests are 32 bytes: INVALID_DIGEST, first in place-training-bid, last in deliver-model, before
 * the salt in reveal-evaluation-set); `timelineOf` (a verified job takes no vote before its
 * evaluation set is revealed at e, then commits until e + validation-window and reveals for
 * reveal-window; before the reveal its windows are the latest possible, deadline +
 * eval-reveal-window + validation-window; its stage: missed past deliveryDueBy, defaulted past
 * evalRevealClosesAt), `jobEscrow` (what a job holds: its amount less a delivery's payout),
 * `settleJob` (the REST of the bid by the score, the delivery's carried validators' share joining
 * the fees, the slash by scoredSlash, the reserved 101 median a bidder default; no vote: fees to the
 * treasury), `missDelivery` (full refund, nonDeliverySlash to the treasury, non-deliveries + 1,
 * seats freed without a penalty), `bidderDefault`, `coherentScore` (101 agrees only with 101),
 * deliver-model (the compute fee less the validators' share and the protocol fee) and
 * reveal-evaluation-set (sha256(digest ++ salt), a 32-byte salt); expire-bid and
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
 * After EVERY command it compares: all the globals above, every dataset, the pool's validator
 * records, and every matched bid and every bid the command named or touched, with its links,
 * committee, votes and result (a waiting bid the command did not touch: its record and links).
 * After every run: every bid, every account's validator record and provider stake. At the start
 * and end of each `it`: all of it, every account's vote on every bid, and the views `get-dataset`
 * (quality-score), `get-compute-fee` (feePrice times the duration, none for an unknown dataset),
 * `get-parameters` (version 1: the defaults, eval-reveal-window 144 and non-delivery-slash-bps
 * 1000 among them), `get-bidder-history` (mean score), `get-job-delivery`,
 * `get-validation-windows` of the running jobs, `get-voting-power`, `get-proposal-voting-power` (0 on an unknown proposal: no
 * proposal exists here; the model's voting-power-on gives the next proposal every stake held now),
 * `get-pause` and `get-market-totals` (surplus), and the governance bounds of voting-period and
 * execution-delay ([144, 52560]), eval-reveal-window ([1, 4320]) and non-delivery-slash-bps
 * ([0, 5000]).
 *
 * Commands (each `check` keeps growth bounded and, for a "smart" target, requires one to exist):
 * register-dataset and register-dataset-with-terms (valid and invalid URIs, prices and
 * capacities), add-dataset-stake (including an amount nobody can pay), set-dataset-terms,
 * retire-dataset, withdraw-dataset-stake, place-training-bid (a verified job: a spec and a sealed
 * evaluation set, now and then a spec or commitment of 0, 16 or 31 bytes; seven or eight bids in
 * ten in the last three `it`s, whose datasets ask a price more often, up to 100,000 a block, and
 * which bid one block of training due within 0-3 blocks more often: inside the decline window; a
 * training bid goes mostly to a dataset whose raise is still in its notice; the first three `it`s
 * run plain jobs only, with the very command stream they ran before verified jobs existed),
 * RaiseThenBid (the last three `it`s, most in the sixth: a provider raises its ask, 0-10 burn
 * blocks pass, then a training bid meets the new ask: its fee at the old price inside the notice,
 * at the new one after it; half the raises make the fee outweigh the slash of the dataset's stake),
 * EndAroundDeclineWindow (a one-block training due inside its decline window: expire-bid or
 * finalize-validation on the block after its deadline, refused, or after the window, a missed
 * delivery), deliver-model (by the provider or anyone, one in six with a short digest; the
 * provider of every seventh verified job never delivers: a missed delivery; a "garbage" job, whose
 * fee outweighs the slash of its stake, is delivered first and its committee scores it 10: a slash
 * raised to the compute fee), reveal-evaluation-set (right, or a wrong digest, a 31-byte digest, a
 * wrong salt, a 16-byte salt; the bidder of every seventh other job never reveals: a bidder
 * default; the bidder of another seventh, delivered early, reveals only after delivered-at +
 * eval-reveal-window, inside the window counted from the deadline; on every third verified job the
 * committee votes the reserved 101),
 * place-computation-bid (matched at once or queued; queued
 * heads matched or refunded in order, at most 5 per call, when a slot frees; deadlines up to and
 * past max-bid-wait), match-queued-bids, cancel-bid, expire-bid (queued: past its deadline or on a
 * retired dataset; matched), decline-job, register-validator, request-validator-exit (also while
 * seated), withdraw-validator-stake, draw-committee, commit-validation-result,
 * reveal-validation-result (right, wrong score, wrong salt, short salt), submit-validation-result,
 * finalize-validation (median settlement, no-majority refund or no-quorum refund),
 * claim-validation-reward, set-paused (including repeats), withdraw-treasury, a plain STX transfer
 * to the contract and sweep-surplus (any surplus left is swept at the end of the `it`), and mining
 * 1-15 / 40-120 / 4400 blocks or to a window edge of a stuck job (the close of its commit phase or
 * of its reveal window, a verified job's deliveryDueBy undelivered (and its deadline when the decline
 * window outlasts it) or its evalRevealClosesAt unrevealed, a late bidder's first block, or the
 * block before). Targets are resolved at run time from the model:
 * mostly a fitting one (an uncommitted seat of a live job, an idle dataset...), sometimes any
 * entity or account, or a missing id, so the failure paths run too. Scores: mostly a job's "true
 * quality" near the thresholds plus noise; on every fifth job ("contested") the heaviest
 * committing seat scores 30 and the others 50; the last seat of a committee of 3+ on every third
 * and every contested job never commits ("lazy"), so these jobs settle after the reveal window,
 * by a slash backed by a majority or by the no-majority refund. The last test checks that the
 * default seeds reach every settlement path, that every command succeeds at least once and that
 * the new refusals (DEADLINE_TOO_FAR, BID_BELOW_ASK, INVALID_SALT, INVALID_METADATA_URI,
 * DECLINE_CLOSED, VALIDATION_STARTED, the verified jobs' NOT_VERIFIED_JOB, ALREADY_DELIVERED,
 * DELIVERY_CLOSED, NOT_DELIVERED, EVAL_REVEAL_CLOSED, EVAL_COMMITMENT_MISMATCH,
 * EVALUATION_NOT_REVEALED...) are met, among the paths: every verified ending (a missed delivery by
 * expire-bid and by finalize-validation, a bidder default by both, a 101 median, verified jobs
 * scored, a slash capped at the bid, a refund of what a delivered job still holds) and the audit's
 * rules (a price raise, a compute fee at the old price during a notice, a slash raised to the
 * compute fee, a non-delivery slash capped at the compute fee and none for a free job, a missed
 * delivery after the decline window and a miss refused while the window runs, an early delivery
 * whose evaluation set comes past delivered-at + eval-reveal-window, INVALID_DIGEST on all three
 * calls), a pause that excuses, one
 * undone in its burn block that leaves no trace in the log (nor on the `get-pause` view) and
 * excuses nobody, a real pause after such a one that still excuses, a pause that reuses an erased
 * number, a URI refused for a character only RFC 3986 rules out.
 *
 * WHAT IT LEAVES OUT (to keep the model exact and the file under a minute):
 * - Random committees: validators come from a pool of at most 5 accounts (= committee-size), so
 *   the active set never exceeds the committee size and every committee is seated at the match
 *   without a seed (seat k probes from index k); hence a job whose match found nobody eligible
 *   never gets a committee (draw-committee succeeds never here, it is exercised for its errors),
 *   and ERR_SEED_NOT_READY is never reached. The VRF/Bitcoin-seeded draw (its seed taken from the
 *   Bitcoin block after the decline window) is covered by property.test.ts and committee.test.ts.
 * - Governance (proposals, votes, vote locks until executable-at, parameter versions): parameters
 *   stay at version 1, so ERR_VOTE_LOCKED is never reachable, `last-proposal-id`,
 *   `votes-open-until`, `registered-after-proposal` and every run field of provider-stakes stay 0;
 *   ERR_NOT_DIRECT_CALLER is not exercised (no intermediary contract). ERR_INSUFFICIENT_FUNDS is exercised only by add-dataset-stake (every account holds
 *   100M STX).
 * - Other values of the verified jobs' parameters: with version 1 every verified job has 144
 *   blocks after its deadline to reveal its evaluation set, a 6-block decline window, and a missed
 *   delivery costs 10% of the stake at most its compute fee (the fuzz sidecar runs a governed
 *   60-block eval-reveal-window and a 24-block decline window).
 * - Most read-only views (the state is read from the maps and vars directly: a read-only call costs
 *   ~5 ms here, a map read ~0.1 ms).
 *
 * The simnet is reset only per `it`: each `it` starts a fresh model from the fresh deployment and
 * that model lives through all the runs of the `it` (a run ends with the chain equal to the model,
 * which the next run starts from). Shrinking is off (`endOnFailure`): replaying a shrunk sequence
 * on the already-advanced chain would not reproduce a failure; the failure message names the
 * command, the burn height and the field that differ. Fixed seeds (override: MODEL_SEED,
 * MODEL_RUNS); MODEL_TRACE=1 prints every call with its predicted result and events.
 */

// ---------------------------------------------------------------------------
// Parameters (version 1, never changed here)
// ---------------------------------------------------------------------------

const BPS = 10_000n;
const MIN_DATASET_STAKE = DEFAULTS.minDatasetStake;
const MIN_VALIDATOR_STAKE = DEFAULTS.minValidatorStake;
const MIN_BID = DEFAULTS.minBidAmount;
const MAX_DURATION = DEFAULTS.maxComputationDuration;
const MAX_BID_WAIT = DEFAULTS.maxBidWait;
const DECLINE_WINDOW = DEFAULTS.declineWindow;
/** a verified job's bidder has this long after the DEADLINE to reveal its evaluation set */
const ERW = DEFAULTS.evalRevealWindow;
/** the share of the dataset's stake a missed delivery costs (capped at the bid's compute fee) */
const ND_SLASH_BPS = DEFAULTS.nonDeliverySlashBps;
/** a raised price binds a verified bid's compute fee only this many burn blocks after the raise */
const PRICE_NOTICE_BLOCKS = 6n;
/** artifacts (a job spec, an evaluation set, a model) are named by their full 32-byte sha256 digest */
const DIGEST_LENGTH = 32;
const STAKE_LOCK = DEFAULTS.stakeLockBlocks;
const VW = DEFAULTS.validationWindow;
const RW = DEFAULTS.revealWindow;
const UNBONDING = DEFAULTS.validatorUnbondingBlocks;
const COMMITTEE_SIZE = Number(DEFAULTS.committeeSize);
const REWARD_T = DEFAULTS.rewardThreshold;
const SLASH_T = DEFAULTS.slashThreshold;
const TOLERANCE = DEFAULTS.consensusTolerance;
const VFEE_BPS = DEFAULTS.validatorFeeBps;
const PFEE_BPS = DEFAULTS.protocolFeeBps;
const MAX_SCORE = 100n;
/** the reserved vote on a verified job: "evaluation set unavailable" */
const SCORE_UNAVAILABLE = 101n;
const QUEUE_STEPS = 5;
const MAX_PROBES = 12;
/** the contract's hard caps on terms */
const MAX_PRICE_PER_BLOCK = 1_000_000_000_000n;
const MAX_CONCURRENT_JOBS = 1000n;
/** the market's votes-open-until (the last voting-ends-at of any proposal): 0, no proposal is ever made here */
const VOTES_OPEN_UNTIL = 0n;
/** the market's last-proposal-id: 0, no proposal is ever made here */
const LAST_PROPOSAL_ID = 0n;
const MAX_UINT = 2n ** 128n - 1n;
const SALT_LENGTH = 32;

const MAX_DATASETS = 16;
const MAX_BIDS = 160;
const MAX_QUEUED = 20;

const ACCOUNTS = [deployer, ...wallets];
const PRINCIPALS = [...ACCOUNTS, contractId];
const NAMES = new Map<string, string>([
  [deployer, "deployer"],
  ...wallets.map((w, i) => [w, `wallet_${i + 1}`] as [string, string]),
  [contractId, "contract"],
]);
const nameOf = (p: string) => NAMES.get(p) ?? p;

/** Who registers datasets (validator3 too: a validator that is the provider of a job is never seated on it). */
const PROVIDERS = [provider, provider2, validator3];
/** Who bids (bidder2 is a validator in the larger pool; provider bids on the others' datasets). */
const BIDDERS = [bidder, bidder2, provider];
/** Every account that may ever be a validator (the largest pool). */
const ALL_VOTERS = [validator1, validator2, validator3, outsider, bidder2];

const json = (v: unknown) => JSON.stringify(v, (_, x) => (typeof x === "bigint" ? String(x) : x));
const absDiff = (a: bigint, b: bigint) => (a > b ? a - b : b - a);
const minOf = (a: bigint, b: bigint) => (a < b ? a : b);
const maxOf = (a: bigint, b: bigint) => (a > b ? a : b);

// ---------------------------------------------------------------------------
// Local helpers (candidates for tests/helpers.ts)
// ---------------------------------------------------------------------------

type Rec = Record<string, Decoded>;

/** A map entry, decoded, or null when the key is absent (getMapEntry throws then). */
function mapEntry(map: string, key: ClarityValue): Decoded {
  try {
    return decode(simnet.getMapEntry(contractId, map, key));
  } catch {
    return null;
  }
}

/** Structural equality of decoded values (bigint, boolean, string, null, arrays, records), key order ignored. */
function same(a: unknown, b: unknown): boolean {
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
function expectSame(actual: unknown, expected: unknown, message: string) {
  if (!same(actual, expected)) expect(actual, message).toEqual(expected);
}

/** The rule's commitment: sha256 of the consensus serialization of {score, salt, bid-id, validator}, hex. */
function commitmentOf(score: bigint, salt: Uint8Array, bidId: number, who: string): string {
  const tuple = Cl.tuple({ score: Cl.uint(score), salt: Cl.buffer(salt), "bid-id": Cl.uint(bidId), validator: Cl.principal(who) });
  return createHash("sha256").update(serializeCVBytes(tuple)).digest("hex");
}

/** A deterministic 32-byte salt per validator, job and attempt. */
function saltOf(who: string, bidId: number, attempt = 0): Uint8Array {
  return new Uint8Array(createHash("sha256").update(`model:${who}:${bidId}:${attempt}`).digest());
}

/** min-reveals: ceil(seats * min-reveals-bps / 10000). */
const minReveals = (seats: number) => (BigInt(seats) * DEFAULTS.minRevealsBps + BPS - 1n) / BPS;

/** The weighted LOWER median: the smallest revealed score s with 2 * weight(<= s) >= total weight. */
function lowerMedian(votes: { score: bigint; weight: bigint }[]): bigint {
  const total = votes.reduce((a, v) => a + v.weight, 0n);
  const sorted = [...votes].sort((a, b) => (a.score < b.score ? -1 : a.score > b.score ? 1 : 0));
  let acc = 0n;
  for (const v of sorted) {
    acc += v.weight;
    if (2n * acc >= total) return v.score;
  }
  throw new Error("lowerMedian: no votes");
}

/** slash-backed: the votes strictly below the slash threshold hold a strict majority of the committee's WHOLE weight. */
function slashBacked(votes: { score: bigint; weight: bigint }[], totalWeight: bigint): boolean {
  const below = votes.filter((v) => v.score < SLASH_T).reduce((a, v) => a + v.weight, 0n);
  return SLASH_T > 0n && 2n * below > totalWeight;
}

/**
 * coherent-score: a revealed vote agrees with the final score when within the tolerance; the
 * reserved vote (101, "evaluation set unavailable") is no number: it agrees only with itself.
 */
function coherentScore(score: bigint, final: bigint): boolean {
  if (score === SCORE_UNAVAILABLE || final === SCORE_UNAVAILABLE) return score === final;
  return absDiff(score, final) <= TOLERANCE;
}

/** A vote the contract accepts: 0-100, and on a verified job also the reserved 101. */
const validScore = (score: bigint, verified: boolean) => score <= MAX_SCORE || (verified && score === SCORE_UNAVAILABLE);

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const sha256 = (...parts: (Uint8Array | string)[]) => {
  const h = createHash("sha256");
  for (const part of parts) h.update(part);
  return new Uint8Array(h.digest());
};
/** compute-eval-commitment: sha256(eval-digest ++ salt), hex. */
const evalCommitmentOf = (digest: Uint8Array, salt: Uint8Array) => hex(sha256(digest, salt));

/** Every character RFC 3986 allows in a URI: unreserved, reserved, and % for escapes (the contract's URI_CHARACTERS). */
const URI_CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%";

/** The scheme half of valid-metadata-uri: ipfs://, ar:// or https:// with something after it. */
const uriScheme = (uri: string) => ["ipfs://", "ar://", "https://"].some((s) => uri.length > s.length && uri.startsWith(s));

/** valid-metadata-uri: a known scheme with something after it, and every character in URI_CHARACTERS. */
function validUri(uri: string): boolean {
  return uriScheme(uri) && [...uri].every((c) => URI_CHARACTERS.includes(c));
}

// ---------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------

const STATUS = { QUEUED: 1, MATCHED: 2, SETTLED: 3, CANCELLED: 4, EXPIRED: 5 } as const;
const OUTCOME = { REWARDED: 1n, PARTIAL: 2n, SLASHED: 3n, NO_QUORUM: 4n, NO_MAJORITY: 5n, NOT_DELIVERED: 6n, BIDDER_DEFAULT: 7n } as const;

interface DatasetM {
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

interface BidM {
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
interface DeliveryM {
  spec: string;
  evalCommitment: string;
  model: string | null;
  deliveredAt: bigint;
  evalDigest: string | null;
  evalRevealedAt: bigint;
}

/** price-raises: a dataset's last price raise by set-dataset-terms. */
interface PriceRaiseM {
  previousPrice: bigint;
  raisedAt: bigint;
}

/** bidder-history: a bidder's verified jobs scored (and the sum of their final scores) and its defaults. */
interface HistoryM {
  jobs: bigint;
  scoreSum: bigint;
  defaults: bigint;
}

interface ValidatorM {
  stake: bigint;
  active: boolean;
  index: bigint;
  openSeats: bigint;
  exitRequestedAt: bigint;
  registeredAt: bigint;
  ordinal: bigint;
}

interface CommitteeM {
  seats: string[];
  /** each seat's stake at the draw, seat order */
  weights: bigint[];
  totalWeight: bigint;
  commits: bigint;
  reveals: bigint;
  revealedWeight: bigint;
  revealed: { score: bigint; weight: bigint }[];
}

interface VoteM {
  commitment: string;
  score: bigint;
  weight: bigint;
  revealed: boolean;
  claimed: boolean;
}

interface ResultM {
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
interface ProviderStakeM {
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

interface Model {
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
}

type Real = object;

const voteKey = (bidId: number, who: string) => `${bidId}|${who}`;

function newModel(pool: string[]): Model {
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
  };
}

function tag(m: Model, t: string) {
  m.tags.set(t, (m.tags.get(t) ?? 0) + 1);
}

function emit(m: Model, event: string, fields: Rec) {
  m.events.push({ event, ...fields });
}

function transfer(m: Model, from: string, to: string, amount: bigint) {
  if (amount === 0n) return;
  m.balances.set(from, (m.balances.get(from) ?? 0n) - amount);
  m.balances.set(to, (m.balances.get(to) ?? 0n) + amount);
}

const payOut = (m: Model, to: string, amount: bigint) => transfer(m, contractId, to, amount);
const balanceOf = (m: Model, who: string) => m.balances.get(who) ?? 0n;

/**
 * provider-stake-added: a deposit also records the runs governance needs. With the market's
 * last-proposal-id L and votes-open-until V: if L = run-proposal the increase continues the run
 * (stake grows, run-open-until := V); otherwise it starts a new run: the current run joins the prior
 * ones (prior-floor := run-floor once the prior runs' proposals have all closed, else the lower of
 * the two), run-proposal := L, run-floor := the stake before the increase, run-open-until := V. A new
 * principal starts from all zeros. Here L stays 0, and so does a default record's run-proposal:
 * every increase continues the run, and every field but the stake stays 0.
 */
function providerStakeAdded(m: Model, who: string, amount: bigint) {
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
function votingPowerOn(m: Model, who: string, p: bigint): bigint {
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
function providerStakeRemoved(m: Model, who: string, amount: bigint) {
  const held = m.providerStakes.get(who);
  if (held) held.stake -= amount;
}

function bidOf(m: Model, id: number): BidM {
  const b = m.bids.get(id);
  if (!b) throw new Error(`model: no bid ${id}`);
  return b;
}

function datasetOf(m: Model, id: number): DatasetM {
  const d = m.datasets.get(id);
  if (!d) throw new Error(`model: no dataset ${id}`);
  return d;
}

function validatorOf(m: Model, who: string): ValidatorM {
  const v = m.validators.get(who);
  if (!v) throw new Error(`model: no validator ${nameOf(who)}`);
  return v;
}

/** remove-from-set: the last active validator moves into the hole. */
function removeFromSet(m: Model, index: bigint) {
  const last = m.set.length - 1;
  const moved = m.set[last];
  if (Number(index) !== last) {
    m.set[Number(index)] = moved;
    validatorOf(m, moved).index = index;
  }
  m.set.pop();
}

/**
 * The committee rule without a seed (n <= committee-size): seat k probes indices k, k+1, ... (mod n)
 * of the first n indices of the active set AS IT IS NOW, skipping empty indices, validators with an
 * ordinal above maxOrdinal (registered after the match), the parties and those already seated.
 * Returns the seats and their weights (stakes now).
 */
function drawSeats(m: Model, parties: string[], n: number, maxOrdinal: bigint): { seats: string[]; weights: bigint[] } {
  if (n > COMMITTEE_SIZE) throw new Error("model: the active set outgrew the committee size (random draw not modelled)");
  const seats: string[] = [];
  const weights: bigint[] = [];
  for (let k = 0; k < Math.min(COMMITTEE_SIZE, n); k++) {
    for (let offset = 0; offset < Math.min(MAX_PROBES, n); offset++) {
      const candidate = m.set[(k + offset) % n];
      if (candidate === undefined) continue;
      const v = validatorOf(m, candidate);
      if (v.ordinal > maxOrdinal || parties.includes(candidate) || seats.includes(candidate)) continue;
      seats.push(candidate);
      weights.push(v.stake);
      break;
    }
  }
  return { seats, weights };
}

function partiesOf(m: Model, bid: BidM): string[] {
  return [datasetOf(m, bid.datasetId).provider, bid.bidder];
}

/** The draw a job without a committee would get now: from the validators of its match. */
function drawFor(m: Model, bid: BidM) {
  return drawSeats(m, partiesOf(m, bid), Number(bid.validatorsAtMatch), bid.registrationsAtMatch);
}

/** The job's seats: its committee's, or those a draw would give now. */
function seatsFor(m: Model, bidId: number): string[] {
  return m.committees.get(bidId)?.seats ?? drawFor(m, bidOf(m, bidId)).seats;
}

function newCommittee(draw: { seats: string[]; weights: bigint[] }): CommitteeM {
  return {
    seats: draw.seats,
    weights: draw.weights,
    totalWeight: draw.weights.reduce((a, w) => a + w, 0n),
    commits: 0n,
    reveals: 0n,
    revealedWeight: 0n,
    revealed: [],
  };
}

/** Stores a drawn committee: each member gets an open seat. */
function storeCommittee(m: Model, bidId: number, committee: CommitteeM) {
  m.committees.set(bidId, committee);
  for (const s of committee.seats) validatorOf(m, s).openSeats += 1n;
  emit(m, "committee-drawn", { "bid-id": BigInt(bidId), seats: committee.seats, random: false });
  m.touched.add(bidId);
  tag(m, `committee of ${committee.seats.length}`);
  if (committee.seats.length < m.set.length) tag(m, "committee smaller than the active set");
}

/** seat-small-market: at a match, 0 < n <= committee-size seats every eligible non-party validator at once. */
function seatSmallMarket(m: Model, bidId: number) {
  const n = m.set.length;
  if (n > 0 && n <= COMMITTEE_SIZE) {
    const draw = drawSeats(m, partiesOf(m, bidOf(m, bidId)), n, m.registrations);
    if (draw.seats.length > 0) storeCommittee(m, bidId, newCommittee(draw));
    else tag(m, "matched with only parties in the set");
  } else if (n === 0) tag(m, "matched without validators");
}

/** A match records the validators, registrations and pauses of the moment, then seats a small market. */
function matchBid(m: Model, bidId: number) {
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

function unlink(ds: DatasetM, bidId: number) {
  const i = ds.queue.indexOf(bidId);
  if (i < 0) throw new Error(`model: bid ${bidId} not queued`);
  ds.queue.splice(i, 1);
}

/** process-queue: at most 5 heads, matched while the dataset is open with a free slot, or refunded when infeasible. */
function processQueue(m: Model, datasetId: number) {
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

type Stage = "running" | "missed" | "defaulted" | "ended";

interface Timeline {
  /** votes may be taken: a plain job, or a verified one whose evaluation set is revealed */
  open: boolean;
  delivered: boolean;
  commitClosesAt: bigint;
  revealClosesAt: bigint;
  /** what ending the job is due now */
  stage: Stage;
}

// --- the verified-job rules of the audit (/work/notes/fix12-rules.md), one function each ----------

/**
 * fee-price: the price a verified bid's compute fee uses now: the dataset's ask, but during the
 * notice after a raise (until raised-at + PRICE_NOTICE_BLOCKS) no more than the price before it.
 * The ask check (BID_BELOW_ASK) still uses the ask itself.
 */
function feePrice(m: Model, datasetId: number, price: bigint): bigint {
  const raise = m.priceRaises.get(datasetId);
  return raise !== undefined && m.height <= raise.raisedAt + PRICE_NOTICE_BLOCKS ? minOf(price, raise.previousPrice) : price;
}

/** set-dataset-terms: a raise above the current ask is recorded (previous-price = fee-price of the old ask now); a cut is not. */
function recordPriceChange(m: Model, datasetId: number, oldPrice: bigint, newPrice: bigint) {
  if (newPrice > oldPrice) m.priceRaises.set(datasetId, { previousPrice: feePrice(m, datasetId, oldPrice), raisedAt: m.height });
}

/**
 * The last block an undelivered verified job is not yet a missed delivery: the provider can deliver
 * until the deadline and decline until matched-at + decline-window, so the miss waits for both.
 */
const deliveryDueBy = (b: BidM) => maxOf(b.deadline, b.matchedAt + DECLINE_WINDOW);

/** The last block the bidder may reveal its evaluation set: eval-reveal-window after the DEADLINE (not the delivery). */
const evalRevealClosesAt = (b: BidM) => b.deadline + ERW;

/** A missed delivery's slash: non-delivery-slash-bps of the dataset's stake, capped at the compute fee (0 for a free job). */
const nonDeliverySlash = (stake: bigint, computeFee: bigint) => minOf((stake * ND_SLASH_BPS) / BPS, computeFee);

/**
 * A scored job's slash (final score under the slash threshold, no default): slash-rate-bps of the
 * stake; on a verified job at least its compute fee, as far as the stake goes, never above its amount.
 */
function scoredSlash(stake: bigint, bid: BidM): bigint {
  const ofStake = (stake * DEFAULTS.slashRateBps) / BPS;
  return bid.verified ? minOf(minOf(maxOf(ofStake, bid.computeFee), stake), bid.amount) : ofStake;
}

/** A digest argument the contract accepts: exactly 32 bytes. */
const fullDigest = (bytes: Uint8Array) => bytes.length === DIGEST_LENGTH;

/**
 * A matched job's windows and stage (the spec's "windows of a verified job"). A plain job commits
 * until deadline + validation-window, then reveals for reveal-window. A verified job takes no vote
 * before its evaluation set is revealed at e, then commits until e + validation-window; before that
 * its windows are the latest possible (deadline + eval-reveal-window + validation-window). Its
 * stage: missed once undelivered past deliveryDueBy (the deadline and the decline window);
 * defaulted once unrevealed past evalRevealClosesAt (deadline + eval-reveal-window); any job ends
 * after its reveal window.
 */
function timelineOf(m: Model, bidId: number, b: BidM): Timeline {
  const d = b.verified ? m.deliveries.get(bidId) : undefined;
  const delivered = d?.model != null;
  const revealed = d?.evalDigest != null;
  const open = !b.verified || revealed;
  const commitClosesAt = (d === undefined ? b.deadline : revealed ? d.evalRevealedAt : evalRevealClosesAt(b)) + VW;
  const revealClosesAt = commitClosesAt + RW;
  const stage: Stage =
    b.verified && !delivered
      ? m.height > deliveryDueBy(b)
        ? "missed"
        : "running"
      : !open
        ? m.height > evalRevealClosesAt(b)
          ? "defaulted"
          : "running"
        : m.height > revealClosesAt
          ? "ended"
          : "running";
  return { open, delivered, commitClosesAt, revealClosesAt, stage };
}

const commitClosesAt = (m: Model, bidId: number) => timelineOf(m, bidId, bidOf(m, bidId)).commitClosesAt;
const stageOf = (m: Model, bidId: number) => timelineOf(m, bidId, bidOf(m, bidId)).stage;

/** What a matched job still holds in escrow: its amount, less what a delivery paid out (the compute fee but its validators' share). */
function jobEscrow(m: Model, bidId: number, b: BidM): bigint {
  return timelineOf(m, bidId, b).delivered ? b.amount - (b.computeFee - (b.computeFee * VFEE_BPS) / BPS) : b.amount;
}

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
 * settle-committee: frees every seat; penalizes outliers and silent seats (a seat that never
 * committed is excused by excuseSilence or a pause in its commit window); counts coherent weight.
 * Silence and outlier penalties are summed apart.
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
    const coherent = vote ? revealed && (final === null || coherentScore(vote.score, final)) : false;
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
    if (coherent && final !== null && vote) coherentWeight += vote.weight;
    if (revealed) outlier += penalty;
    else silence += penalty;
  }
  return { coherentWeight, silence, outlier };
}

/**
 * finalize-job: a median below the slash threshold without a majority of the committee's weight
 * refunds the job; a median of the reserved vote (101) settles a verified job as a bidder default.
 */
function finalizeJob(m: Model, bidId: number, bid: BidM, committee: CommitteeM): bigint {
  const final = lowerMedian(committee.revealed);
  if (final < SLASH_T && !slashBacked(committee.revealed, committee.totalWeight)) {
    tag(m, "no majority: refunded");
    failJob(m, bidId, bid);
    return OUTCOME.NO_MAJORITY;
  }
  if (final < SLASH_T && committee.seats.length > 1) tag(m, "slash backed by a majority of a committee");
  if (final === SCORE_UNAVAILABLE) tag(m, "bidder default: the committee found the evaluation set unavailable (median 101)");
  return settleJob(m, bidId, bid, committee, final, false);
}

/**
 * settle-job: pays out a final score (the weighted lower median, or 101 for a bidder default). On a
 * verified job the compute fee was paid at delivery, its validators' share (carried) kept in escrow:
 * the REST of the bid follows the score, a slash is scoredSlash (on a verified job at least the
 * compute fee as far as the stake goes, at most the bid's amount); a final 101 pays the
 * rest in full, slashes nothing and leaves the quality score alone. With no vote (a default by
 * timeout) the validators' fees go to the treasury. excuseSilence frees silent seats without a penalty.
 */
function settleJob(m: Model, bidId: number, bid: BidM, committee: CommitteeM | undefined, final: bigint, excuseSilence: boolean): bigint {
  const ds = datasetOf(m, bid.datasetId);
  const defaulted = final === SCORE_UNAVAILABLE;
  const rest = bid.amount - bid.computeFee;
  const carried = (bid.computeFee * VFEE_BPS) / BPS;
  const payment = defaulted || final >= REWARD_T ? rest : final > SLASH_T ? (rest * (final - SLASH_T)) / (REWARD_T - SLASH_T) : 0n;
  const stakeSlash = (ds.stake * DEFAULTS.slashRateBps) / BPS;
  const slashed = !defaulted && final < SLASH_T ? scoredSlash(ds.stake, bid) : 0n;
  if (bid.verified && slashed > 0n && slashed < stakeSlash) tag(m, "verified slash capped at the bid's amount");
  if (bid.verified && slashed > stakeSlash) tag(m, "verified slash raised to the compute fee");
  if (bid.verified && slashed > 0n && slashed < bid.computeFee) tag(m, "verified slash short of the compute fee (capped at the stake)");
  const paymentFees = (payment * VFEE_BPS) / BPS;
  const protocolFee = (payment * PFEE_BPS) / BPS;
  const providerPayment = payment > 0n ? payment - paymentFees - protocolFee : 0n;
  const bidderRefund = rest - payment;
  const voted = (committee?.revealed.length ?? 0) > 0;
  const fees = voted ? carried + (payment > 0n ? paymentFees : minOf((rest * VFEE_BPS) / BPS, slashed)) : 0n;
  const { coherentWeight, silence, outlier } = settleCommittee(m, bidId, bid, committee, final, excuseSilence);
  const penalties = silence + outlier;
  const rewardPool = fees + outlier;
  // what leaves escrow: the rest and the delivery's validators' share
  const released = rest + carried;
  const treasuryGain = released + slashed - providerPayment - bidderRefund - fees + silence;
  const outcome = defaulted ? OUTCOME.BIDDER_DEFAULT : final >= REWARD_T ? OUTCOME.REWARDED : final < SLASH_T ? OUTCOME.SLASHED : OUTCOME.PARTIAL;
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
function closeJob(m: Model, bidId: number, bid: BidM, status: number, excuseSilence: boolean): { refund: bigint; penalties: bigint } {
  const ds = datasetOf(m, bid.datasetId);
  const refund = jobEscrow(m, bidId, bid);
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
function failJob(m: Model, bidId: number, bid: BidM): bigint {
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
function missDelivery(m: Model, bidId: number, bid: BidM): bigint {
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
function bidderDefault(m: Model, bidId: number, bid: BidM): bigint {
  tag(m, "bidder default: the evaluation set was not revealed");
  return settleJob(m, bidId, bid, m.committees.get(bidId), SCORE_UNAVAILABLE, true);
}

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

function committeeTuple(c: CommitteeM): Rec {
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
  };
}

/** queue-links of a bid, derived from its dataset's queue (null when not queued). */
function linkOf(m: Model, b: BidM, id: number): Rec | null {
  if (b.status !== STATUS.QUEUED) return null;
  const q = datasetOf(m, b.datasetId).queue;
  const i = q.indexOf(id);
  return { prev: BigInt(q[i - 1] ?? 0), next: BigInt(q[i + 1] ?? 0) };
}

/** The model's view of one bid and everything keyed by it. */
function expectedBid(m: Model, id: number, voters: string[]): Rec {
  const b = bidOf(m, id);
  const c = m.committees.get(id);
  const r = m.results.get(id);
  const d = m.deliveries.get(id);
  return {
    bid: bidTuple(b),
    link: linkOf(m, b, id),
    committee: c ? committeeTuple(c) : null,
    result: r ? resultTuple(r) : null,
    delivery: d ? deliveryTuple(d) : null,
    votes: Object.fromEntries(
      voters.map((w) => {
        const v = m.votes.get(voteKey(id, w));
        return [nameOf(w), v ? voteTuple(v) : null];
      }),
    ),
  };
}

function actualBid(id: number, voters: string[]): Rec {
  const decoded = (map: string) => mapEntry(map, Cl.uint(id));
  return {
    bid: decoded("bids"),
    link: decoded("queue-links"),
    committee: decoded("committees"),
    result: decoded("job-results"),
    delivery: decoded("job-deliveries"),
    votes: Object.fromEntries(
      voters.map((w) => [nameOf(w), mapEntry("votes", Cl.tuple({ "bid-id": Cl.uint(id), validator: Cl.principal(w) }))]),
    ),
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
 *   votes only on bids with a committee (nobody can vote without a seat);
 * - "final" (start and end of the `it`): everything, every account's vote on every bid, and the
 *   views `get-dataset` (quality-score), `get-voting-power`, `get-proposal-voting-power`,
 *   `get-pause` and `get-market-totals` (surplus).
 */
type Depth = "step" | "run" | "final";

function compareWithChain(m: Model, context: string, named: number[], depth: Depth) {
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
      const voters = depth === "final" ? ACCOUNTS : depth === "run" && !m.committees.has(id) ? [] : m.pool;
      expectSame(actualBid(id, voters), expectedBid(m, id, voters), `${context}: bid ${id}`);
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

// ---------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------

type Prediction = { err: ErrorName } | { ok: ClarityValue };
const fail = (e: ErrorName): Prediction => ({ err: e });
const success = (v: ClarityValue): Prediction => ({ ok: v });

interface Plan {
  label: string;
  fn: string;
  sender: string;
  args: ClarityValue[];
  /** bids the call names: compared after the call even when the model did not change them */
  named: number[];
  /** checks the model in the contract's order; on success it updates the model and returns the ok value */
  predict: (m: Model) => Prediction;
}

/** Counts per command and result, over the whole file (printed at the end). */
const stats = new Map<string, number>();
/** One summary line per `it` (commands run, paths seen), printed at the end. */
const summaries: string[] = [];
function count(key: string) {
  stats.set(key, (stats.get(key) ?? 0) + 1);
}

function execute(m: Model, plan: Plan) {
  m.events = [];
  m.touched = new Set();
  m.stacksAtCall = BigInt(simnet.stacksBlockHeight) + 1n;
  const predicted = plan.predict(m);
  const r = call(plan.fn, plan.args, plan.sender);
  const expected = "err" in predicted ? Cl.error(Cl.uint(ERR[predicted.err])) : Cl.ok(predicted.ok);
  const context = `${plan.label} at burn ${m.height}`;
  if (process.env.MODEL_TRACE) console.info(`${context} -> ${"err" in predicted ? predicted.err : "ok"} ${m.events.map((e) => e.event).join(",")}`);
  expect(r.result, `${context}: result`).toStrictEqual(expected);
  expectSame(printEvents(r), "err" in predicted ? [] : m.events, `${context}: print events`);
  count(`${plan.fn} ${"err" in predicted ? `err ${predicted.err}` : "ok"}`);
  compareWithChain(m, context, plan.named, "step");
}

type Mode = "smart" | "any" | "missing";
interface Target {
  mode: Mode;
  sel: number;
  who: number;
}

const pick = <T>(xs: T[], sel: number): T | undefined => (xs.length > 0 ? xs[sel % xs.length] : undefined);
const sortedIds = <V>(map: Map<number, V>) => [...map.keys()].sort((a, b) => a - b);

/** A bid id: a smart candidate; else (mode "any") half the time a running job, otherwise any bid; or one that does not exist. */
function targetBid(m: Model, t: Target, smart: number[]): number {
  if (t.mode === "missing") return m.lastBidId + 1 + (t.sel % 2);
  if (t.mode === "smart" && smart.length > 0) return smart[t.sel % smart.length];
  const running = sortedIds(m.bids).filter((id) => bidOf(m, id).status === STATUS.MATCHED);
  if (running.length > 0 && t.who % 2 === 0) return running[t.sel % running.length];
  return pick(sortedIds(m.bids), t.sel) ?? m.lastBidId + 1;
}

function targetDataset(m: Model, t: Target, smart: number[]): number {
  if (t.mode === "missing") return m.lastDatasetId + 1;
  if (t.mode === "smart" && smart.length > 0) return smart[t.sel % smart.length];
  return pick(sortedIds(m.datasets), t.sel) ?? m.lastDatasetId + 1;
}

const anyAccount = (t: Target) => ACCOUNTS[t.who % ACCOUNTS.length];
const name = nameOf;
const openDatasets = (m: Readonly<Model>) => [...m.datasets.values()].filter((d) => d.active).length;

abstract class Step implements fc.Command<Model, Real> {
  private resolved = "";
  constructor(protected readonly p: Record<string, unknown>) {}
  abstract readonly fn: string;
  abstract plan(m: Model): Plan;
  check(_m: Readonly<Model>): boolean {
    return true;
  }
  run(m: Model): void {
    const plan = this.plan(m);
    this.resolved = plan.label;
    execute(m, plan);
  }
  toString(): string {
    return this.resolved || `${this.fn} ${json(this.p)}`;
  }
}

// --- datasets --------------------------------------------------------------

/** register-dataset (terms null: ask 0, one slot) or register-dataset-with-terms. */
class RegisterDataset extends Step {
  readonly fn: string;
  constructor(private readonly q: { who: number; anyone: boolean; stake: bigint; uri: string; terms: { price: bigint; capacity: bigint } | null }) {
    super(q);
    this.fn = q.terms ? "register-dataset-with-terms" : "register-dataset";
  }
  private fails() {
    const { stake, uri, terms } = this.q;
    return stake < MIN_DATASET_STAKE || !validUri(uri) || (terms !== null && (terms.price > MAX_PRICE_PER_BLOCK || terms.capacity === 0n || terms.capacity > MAX_CONCURRENT_JOBS));
  }
  /** while fewer than 4 datasets are open (the failing variants always apply) */
  check(m: Readonly<Model>) {
    return this.fails() || (m.datasets.size < MAX_DATASETS && openDatasets(m) < 4);
  }
  plan(_m: Model): Plan {
    const { stake, uri, terms } = this.q;
    const price = terms?.price ?? 0n;
    const capacity = terms?.capacity ?? 1n;
    const who = this.q.anyone ? ACCOUNTS[this.q.who % ACCOUNTS.length] : PROVIDERS[this.q.who % PROVIDERS.length];
    const args = [Cl.uint(stake), Cl.stringAscii(uri), ...(terms ? [Cl.uint(price), Cl.uint(capacity)] : [])];
    return {
      label: `${this.fn}(${stake}, ${json(uri)}${terms ? `, ${price}, ${capacity}` : ""}) by ${name(who)}`,
      fn: this.fn,
      sender: who,
      args,
      named: [],
      predict: (m) => {
        if (m.paused) return fail("PAUSED");
        if (stake < MIN_DATASET_STAKE) return fail("STAKE_TOO_LOW");
        if (uri.length === 0) return fail("EMPTY_METADATA_URI");
        if (!validUri(uri)) {
          // refused only for a character the old rule (no space, tab, newline or CR) let through
          if (uriScheme(uri) && !/[ \t\n\r]/.test(uri)) tag(m, "uri refused for a character outside RFC 3986");
          return fail("INVALID_METADATA_URI");
        }
        if (/[^A-Za-z0-9:/.\-]/.test(uri)) tag(m, "uri with RFC 3986 reserved characters or escapes");
        if (price > MAX_PRICE_PER_BLOCK) return fail("INVALID_PRICE");
        if (capacity === 0n || capacity > MAX_CONCURRENT_JOBS) return fail("INVALID_CAPACITY");
        if (stake > balanceOf(m, who)) return fail("INSUFFICIENT_FUNDS");
        transfer(m, who, contractId, stake);
        m.totals.datasetStakes += stake;
        providerStakeAdded(m, who, stake);
        const id = ++m.lastDatasetId;
        m.datasets.set(id, {
          provider: who,
          stake,
          uri,
          price,
          capacity,
          activeJobs: 0n,
          queue: [],
          matchedJobs: 0n,
          validations: 0n,
          passed: 0n,
          scoreSum: 0n,
          nonDeliveries: 0n,
          lastSettledAt: 0n,
          registeredAt: m.height,
          active: true,
        });
        emit(m, "dataset-registered", {
          "dataset-id": BigInt(id),
          provider: who,
          stake,
          "metadata-uri": uri,
          "price-per-block": price,
          "max-concurrent-jobs": capacity,
        });
        if (price > 0n) tag(m, "dataset with a price");
        if (capacity > 1n) tag(m, "dataset with several slots");
        return success(Cl.uint(id));
      },
    };
  }
}

class AddDatasetStake extends Step {
  readonly fn = "add-dataset-stake";
  constructor(private readonly q: { t: Target; owner: boolean; amount: bigint }) {
    super(q);
  }
  plan(m: Model): Plan {
    // smart: active datasets, understaked ones (queue waiting behind a slash) first
    const understaked = sortedIds(m.datasets).filter((id) => {
      const d = datasetOf(m, id);
      return d.active && d.stake < MIN_DATASET_STAKE;
    });
    const active = sortedIds(m.datasets).filter((id) => datasetOf(m, id).active);
    const id = targetDataset(m, this.q.t, understaked.length > 0 && this.q.t.sel % 2 === 0 ? understaked : active);
    const ds = m.datasets.get(id);
    const who = this.q.owner && ds ? ds.provider : anyAccount(this.q.t);
    const amount = this.q.amount;
    return {
      label: `add-dataset-stake(${id}, ${amount}) by ${name(who)}`,
      fn: this.fn,
      sender: who,
      args: [Cl.uint(id), Cl.uint(amount)],
      named: [],
      predict: (m) => {
        const d = m.datasets.get(id);
        if (!d) return fail("DATASET_NOT_FOUND");
        if (amount === 0n) return fail("ZERO_AMOUNT");
        if (who !== d.provider) return fail("NOT_DATASET_PROVIDER");
        if (!d.active) return fail("DATASET_INACTIVE");
        // the deposit comes before any sum: an amount nobody can pay fails here, never as an overflow
        if (amount > balanceOf(m, who)) return fail("INSUFFICIENT_FUNDS");
        transfer(m, who, contractId, amount);
        m.totals.datasetStakes += amount;
        providerStakeAdded(m, who, amount);
        d.stake += amount;
        emit(m, "dataset-stake-added", { "dataset-id": BigInt(id), provider: who, amount, stake: d.stake });
        processQueue(m, id);
        return success(Cl.uint(d.stake));
      },
    };
  }
}

class SetDatasetTerms extends Step {
  readonly fn = "set-dataset-terms";
  constructor(private readonly q: { t: Target; owner: boolean; price: bigint; capacity: bigint }) {
    super(q);
  }
  plan(m: Model): Plan {
    // smart: active datasets, those with a queue first (new slots match it)
    const active = sortedIds(m.datasets).filter((id) => datasetOf(m, id).active);
    const waiting = active.filter((id) => datasetOf(m, id).queue.length > 0);
    const id = targetDataset(m, this.q.t, waiting.length > 0 && this.q.t.sel % 2 === 0 ? waiting : active);
    const ds = m.datasets.get(id);
    const who = this.q.owner && ds ? ds.provider : anyAccount(this.q.t);
    return termsPlan(id, who, this.q.price, this.q.capacity);
  }
}

/** set-dataset-terms(id, price, capacity) by `who`, predicted: a raise starts a notice (recordPriceChange). */
function termsPlan(id: number, who: string, price: bigint, capacity: bigint): Plan {
  return {
    label: `set-dataset-terms(${id}, ${price}, ${capacity}) by ${name(who)}`,
    fn: "set-dataset-terms",
    sender: who,
    args: [Cl.uint(id), Cl.uint(price), Cl.uint(capacity)],
    named: [],
    predict: (m) => {
      const d = m.datasets.get(id);
      if (!d) return fail("DATASET_NOT_FOUND");
      if (who !== d.provider) return fail("NOT_DATASET_PROVIDER");
      if (!d.active) return fail("DATASET_INACTIVE");
      if (price > MAX_PRICE_PER_BLOCK) return fail("INVALID_PRICE");
      if (capacity === 0n || capacity > MAX_CONCURRENT_JOBS) return fail("INVALID_CAPACITY");
      if (price > d.price) {
        tag(m, "price raised (a notice starts)");
        if (feePrice(m, id, d.price) < d.price) tag(m, "price raised again during a notice (the older price stays)");
      } else if (price < d.price && feePrice(m, id, d.price) < d.price) tag(m, "price cut during a notice");
      recordPriceChange(m, id, d.price, price);
      emit(m, "dataset-terms-set", { "dataset-id": BigInt(id), "price-per-block": price, "max-concurrent-jobs": capacity });
      if (capacity < d.activeJobs) tag(m, "capacity set below the running jobs");
      d.price = price;
      d.capacity = capacity;
      processQueue(m, id);
      return success(Cl.bool(true));
    },
  };
}

class RetireDataset extends Step {
  readonly fn = "retire-dataset";
  constructor(private readonly q: { t: Target; owner: boolean }) {
    super(q);
  }
  /** smart: while at least two datasets are open (the market keeps a dataset to trade on) */
  check(m: Readonly<Model>) {
    return this.q.t.mode !== "smart" || openDatasets(m) >= 2;
  }
  plan(m: Model): Plan {
    // smart: open datasets, mostly those with queued bids (which then expire on demand)
    const active = sortedIds(m.datasets).filter((id) => datasetOf(m, id).active);
    const queued = active.filter((id) => datasetOf(m, id).queue.length > 0);
    const id = targetDataset(m, this.q.t, queued.length > 0 && this.q.t.who % 4 !== 0 ? queued : active);
    const ds = m.datasets.get(id);
    const who = this.q.owner && ds ? ds.provider : anyAccount(this.q.t);
    return {
      label: `retire-dataset(${id}) by ${name(who)}`,
      fn: this.fn,
      sender: who,
      args: [Cl.uint(id)],
      named: [],
      predict: (m) => {
        const d = m.datasets.get(id);
        if (!d) return fail("DATASET_NOT_FOUND");
        if (who !== d.provider) return fail("NOT_DATASET_PROVIDER");
        if (!d.active) return fail("DATASET_INACTIVE");
        d.active = false;
        emit(m, "dataset-retired", {
          "dataset-id": BigInt(id),
          provider: who,
          "queued-jobs": BigInt(d.queue.length),
          "active-jobs": d.activeJobs,
        });
        tag(m, "dataset retired");
        if (d.queue.length > 0) tag(m, "dataset retired with a queue");
        if (d.activeJobs > 0n) tag(m, "dataset retired with running jobs");
        if (m.paused) tag(m, "dataset retired while paused");
        return success(Cl.bool(true));
      },
    };
  }
}

class WithdrawDatasetStake extends Step {
  readonly fn = "withdraw-dataset-stake";
  constructor(private readonly q: { t: Target; owner: boolean }) {
    super(q);
  }
  plan(m: Model): Plan {
    // smart: idle datasets that still hold a stake, mostly those whose stake is free (validated, never used, or idle past the lock)
    const idle = sortedIds(m.datasets).filter((id) => {
      const d = datasetOf(m, id);
      return (d.active || d.stake > 0n) && d.activeJobs === 0n && d.queue.length === 0;
    });
    const free = idle.filter((id) => {
      const d = datasetOf(m, id);
      return d.passed > 0n || d.matchedJobs === 0n || m.height > d.lastSettledAt + STAKE_LOCK;
    });
    const id = targetDataset(m, this.q.t, free.length > 0 && this.q.t.who % 4 !== 0 ? free : idle);
    const ds = m.datasets.get(id);
    const who = this.q.owner && ds ? ds.provider : anyAccount(this.q.t);
    return {
      label: `withdraw-dataset-stake(${id}) by ${name(who)}`,
      fn: this.fn,
      sender: who,
      args: [Cl.uint(id)],
      named: [],
      predict: (m) => {
        const d = m.datasets.get(id);
        if (!d) return fail("DATASET_NOT_FOUND");
        if (who !== d.provider) return fail("NOT_DATASET_PROVIDER");
        if (!d.active && d.stake === 0n) return fail("DATASET_INACTIVE");
        if (d.activeJobs > 0n || d.queue.length > 0) return fail("DATASET_HAS_OPEN_JOBS");
        if (!(d.passed > 0n || d.matchedJobs === 0n || m.height > d.lastSettledAt + STAKE_LOCK)) return fail("STAKE_LOCKED");
        const stake = d.stake;
        payOut(m, d.provider, stake);
        m.totals.datasetStakes -= stake;
        providerStakeRemoved(m, d.provider, stake);
        if (!d.active) tag(m, "withdraw after a retirement");
        d.stake = 0n;
        d.active = false;
        emit(m, "dataset-withdrawn", { "dataset-id": BigInt(id), provider: who, amount: stake });
        tag(m, d.passed > 0n ? "withdraw after a pass" : d.matchedJobs === 0n ? "withdraw unused" : "withdraw after the lock");
        return success(Cl.uint(stake));
      },
    };
  }
}

// --- bids ------------------------------------------------------------------

/** A training bid's digest sent short (a prefix of it): its spec or its evaluation-set commitment. */
type ShortDigest = "spec" | "commitment";

/**
 * place-computation-bid, or (verified) place-training-bid: the same checks, queue and matching; a
 * training bid also carries the job spec's digest and the commitment to its sealed evaluation set
 * (the test keeps the digest and salt, drawn from `seal`), fixes its compute fee (feePrice, the ask
 * or the price before a raise still in its notice, times the duration) and opens its delivery
 * record; `short` sends a spec or commitment shorter than 32 bytes (INVALID_DIGEST, before anything).
 * A training bid mostly goes to a dataset whose raise is still in its notice, when there is one.
 */
class PlaceBid extends Step {
  readonly fn: string;
  constructor(
    private readonly q: {
      t: Target;
      anyone: boolean;
      amount: bigint;
      duration: bigint;
      slack: bigint;
      verified: boolean;
      seal: number;
      short?: ShortDigest;
    },
  ) {
    super(q);
    this.fn = q.verified ? "place-training-bid" : "place-computation-bid";
  }
  /** bounded: at most MAX_BIDS per `it`, and new bids stop queueing once MAX_QUEUED wait */
  check(m: Readonly<Model>) {
    const queued = [...m.datasets.values()].reduce((n, d) => n + d.queue.length, 0);
    const idle = [...m.datasets.values()].some((d) => d.active && d.activeJobs < d.capacity && d.queue.length === 0);
    return m.bids.size < MAX_BIDS && (m.datasets.size > 0 || this.q.t.mode === "missing") && (queued < MAX_QUEUED || idle);
  }
  plan(m: Model): Plan {
    // smart: open datasets, mostly those with a free slot (matched at once), else the one with the longest queue
    // (long queues of which the 5-step bound handles only the first five heads per call)
    const open = sortedIds(m.datasets).filter((id) => datasetOf(m, id).active && datasetOf(m, id).stake >= MIN_DATASET_STAKE);
    const idle = open.filter((id) => datasetOf(m, id).activeJobs < datasetOf(m, id).capacity);
    const longest = [...open].sort((a, b) => datasetOf(m, b).queue.length - datasetOf(m, a).queue.length).slice(0, 1);
    const noticed = idle.filter((id) => feePrice(m, id, datasetOf(m, id).price) < datasetOf(m, id).price);
    const id = targetDataset(
      m,
      this.q.t,
      this.q.verified && noticed.length > 0 && this.q.t.who % 4 !== 3 ? noticed : idle.length > 0 && this.q.t.who % 2 === 0 ? idle : longest,
    );
    const who = this.q.anyone ? anyAccount(this.q.t) : BIDDERS[this.q.t.who % BIDDERS.length];
    return bidPlan(m, id, who, this.q);
  }
}

/** A bid's terms: its deadline is `slack` blocks past the training's end from now. */
interface BidTerms {
  amount: bigint;
  duration: bigint;
  slack: bigint;
  verified: boolean;
  seal: number;
  short?: ShortDigest;
}

/** place-computation-bid, or (verified) place-training-bid, on dataset `id` by `who`, predicted. */
function bidPlan(m: Model, id: number, who: string, q: BidTerms): Plan {
  const fn = q.verified ? "place-training-bid" : "place-computation-bid";
  const { amount, duration, verified, short } = q;
  const deadline = m.height + duration + q.slack;
  const fullSpec = sha256(`model spec ${q.seal % 3}`);
  const sealed = { digest: sha256(`evaluation set ${q.seal}`), salt: sha256(`evaluation salt ${q.seal}`) };
  const fullCommitment = evalCommitmentOf(sealed.digest, sealed.salt);
  // a short spec or commitment: a prefix of the digest (0, 16 or 31 bytes)
  const cut = [0, 16, 31][q.seal % 3];
  const spec = short === "spec" ? fullSpec.slice(0, cut) : fullSpec;
  const commitment = short === "commitment" ? fullCommitment.slice(0, 2 * cut) : fullCommitment;
  return {
    label: `${fn}(${id}, ${amount}, ${duration}, ${deadline}${verified ? ", spec, sealed set " + q.seal : ""}${verified && short ? `, a ${cut}-byte ${short}` : ""}) by ${name(who)}`,
    fn,
    sender: who,
    args: [
      Cl.uint(id),
      Cl.uint(amount),
      Cl.uint(duration),
      Cl.uint(deadline),
      ...(verified ? [Cl.buffer(spec), Cl.bufferFromHex(commitment)] : []),
    ],
    named: [],
    predict: (m) => {
      // the digests first, before anything else (even an unknown dataset)
      if (verified && (!fullDigest(spec) || commitment.length !== 2 * DIGEST_LENGTH)) {
        if (!m.datasets.has(id)) tag(m, "a short digest refused before an unknown dataset");
        return fail("INVALID_DIGEST");
      }
      const d = m.datasets.get(id);
      if (!d) return fail("DATASET_NOT_FOUND");
      if (m.paused) return fail("PAUSED");
      if (!d.active) return fail("DATASET_INACTIVE");
      if (d.stake < MIN_DATASET_STAKE) return fail("DATASET_UNDERSTAKED");
      if (who === d.provider) return fail("SELF_BID");
      if (amount < MIN_BID) return fail("BID_TOO_LOW");
      if (duration === 0n || duration > MAX_DURATION) return fail("INVALID_DURATION");
      if (amount < d.price * duration) return fail("BID_BELOW_ASK");
      if (m.height + duration > deadline) return fail("DEADLINE_UNREACHABLE");
      if (deadline > m.height + duration + MAX_BID_WAIT) return fail("DEADLINE_TOO_FAR");
      if (amount > balanceOf(m, who)) return fail("INSUFFICIENT_FUNDS");
      const matchNow = d.queue.length === 0 && d.activeJobs < d.capacity;
      const computeFee = verified ? feePrice(m, id, d.price) * duration : 0n;
      transfer(m, who, contractId, amount);
      m.totals.escrowedBids += amount;
      const bidId = ++m.lastBidId;
      m.bids.set(bidId, {
        datasetId: id,
        bidder: who,
        amount,
        duration,
        deadline,
        status: STATUS.QUEUED,
        placedAt: m.height,
        matchedAt: 0n,
        matchedBlock: 0n,
        validatorsAtMatch: 0n,
        registrationsAtMatch: 0n,
        pausesAtMatch: 0n,
        verified,
        computeFee,
      });
      m.touched.add(bidId);
      if (verified) {
        m.deliveries.set(bidId, { spec: hex(spec), evalCommitment: commitment, model: null, deliveredAt: 0n, evalDigest: null, evalRevealedAt: 0n });
        m.evalSecrets.set(bidId, sealed);
        emit(m, "bid-placed", {
          "bid-id": BigInt(bidId),
          "dataset-id": BigInt(id),
          bidder: who,
          amount,
          duration,
          deadline,
          spec: hex(spec),
          "eval-commitment": commitment,
          "compute-fee": computeFee,
        });
        tag(m, computeFee > 0n ? "training bid with a compute fee" : "training bid on a free dataset");
        if (computeFee === amount) tag(m, "training bid entirely compute fee");
        if (computeFee < d.price * duration) tag(m, "compute fee at the old price during a notice");
        if (computeFee > (d.stake * DEFAULTS.slashRateBps) / BPS) tag(m, "training bid whose compute fee outweighs the slash of the stake");
        const raise = m.priceRaises.get(id);
        if (raise && m.height > raise.raisedAt + PRICE_NOTICE_BLOCKS && m.height <= raise.raisedAt + 3n * PRICE_NOTICE_BLOCKS && raise.previousPrice < d.price)
          tag(m, "compute fee at the raised price once its notice passed");
      } else emit(m, "bid-placed", { "bid-id": BigInt(bidId), "dataset-id": BigInt(id), bidder: who, amount, duration, deadline });
      if (d.price > 0n) tag(m, "bid met a price");
      if (deadline === m.height + duration + MAX_BID_WAIT) tag(m, "bid at the longest wait");
      if (matchNow) {
        matchBid(m, bidId);
        d.activeJobs += 1n;
        d.matchedJobs += 1n;
        tag(m, "bid matched at once");
        if (d.activeJobs > 1n) tag(m, "jobs running side by side");
      } else {
        d.queue.push(bidId);
        tag(m, "bid queued");
        processQueue(m, id);
      }
      return success(Cl.uint(bidId));
    },
  };
}

class MatchQueuedBids extends Step {
  readonly fn = "match-queued-bids";
  constructor(private readonly q: { t: Target }) {
    super(q);
  }
  plan(m: Model): Plan {
    const waiting = sortedIds(m.datasets).filter((id) => datasetOf(m, id).queue.length > 0);
    const id = targetDataset(m, this.q.t, waiting);
    const who = anyAccount(this.q.t);
    return {
      label: `match-queued-bids(${id}) by ${name(who)}`,
      fn: this.fn,
      sender: who,
      args: [Cl.uint(id)],
      named: [],
      predict: (m) => {
        const d = m.datasets.get(id);
        if (!d) return fail("DATASET_NOT_FOUND");
        if (m.paused) return fail("PAUSED");
        processQueue(m, id);
        return success(Cl.uint(d.queue.length));
      },
    };
  }
}

class CancelBid extends Step {
  readonly fn = "cancel-bid";
  constructor(private readonly q: { t: Target; owner: boolean }) {
    super(q);
  }
  /** smart: only when there is a fitting target; otherwise when any bid exists (or the id is a missing one) */
  check(m: Readonly<Model>) {
    return this.q.t.mode === "smart" ? this.smart(m as Model).length > 0 : m.bids.size > 0;
  }
  smart(m: Model) {
    return sortedIds(m.bids).filter((id) => bidOf(m, id).status === STATUS.QUEUED);
  }
  plan(m: Model): Plan {
    const id = targetBid(m, this.q.t, this.smart(m));
    const b = m.bids.get(id);
    const who = this.q.owner && b ? b.bidder : anyAccount(this.q.t);
    return {
      label: `cancel-bid(${id}) by ${name(who)}`,
      fn: this.fn,
      sender: who,
      args: [Cl.uint(id)],
      named: [id],
      predict: (m) => {
        const bid = m.bids.get(id);
        if (!bid) return fail("BID_NOT_FOUND");
        if (who !== bid.bidder) return fail("NOT_BIDDER");
        if (bid.status !== STATUS.QUEUED) return fail("BID_NOT_QUEUED");
        payOut(m, bid.bidder, bid.amount);
        m.totals.escrowedBids -= bid.amount;
        unlink(datasetOf(m, bid.datasetId), id);
        bid.status = STATUS.CANCELLED;
        emit(m, "bid-cancelled", { "bid-id": BigInt(id), "dataset-id": BigInt(bid.datasetId), bidder: bid.bidder, refund: bid.amount });
        return success(Cl.uint(bid.amount));
      },
    };
  }
}

/** Honest-ish scores: the job's "true quality" (near the thresholds, by bid id) plus noise, within 0-100. */
const QUALITIES = [25n, 39n, 40n, 41n, 55n, 56n, 69n, 70n, 71n, 85n];
function judged(bidId: number, noise: bigint): bigint {
  const s = QUALITIES[bidId % QUALITIES.length] + noise;
  return s < 0n ? 0n : s > 100n ? 100n : s;
}

/**
 * The "lazy" seat: the last seat of a committee of 3+ on every third job and on contested jobs
 * never commits here, so those jobs reach the reveal phase by timeout and settle by median after
 * the reveal window (or by refund).
 */
const isLazy = (bidId: number, seats: string[], who: string) =>
  (bidId % 3 === 0 || bidId % 5 === 2) && seats.length >= 3 && who === seats[seats.length - 1];

/**
 * Every fifth job is contested: its heaviest seat that commits scores 30, the others 50. The lower
 * median then falls below the slash threshold, and whether that is a slash depends on the weights:
 * two seats slash when the low one outweighs the other (a refund on a tie); with a lazy seat, the
 * low seat rarely holds a strict majority of the whole committee's weight (the no-majority refund).
 * Returns null for other jobs.
 */
function contestedScore(m: Model, bidId: number, who: string): bigint | null {
  if (bidId % 5 !== 2 || !m.bids.has(bidId)) return null;
  const c = m.committees.get(bidId) ?? newCommittee(drawFor(m, bidOf(m, bidId)));
  if (!c.seats.includes(who)) return null;
  let low = -1;
  c.seats.forEach((s, i) => {
    if (!isLazy(bidId, c.seats, s) && (low < 0 || c.weights[i] > c.weights[low])) low = i;
  });
  return who === c.seats[low] ? 30n : 50n;
}

/** An undelivered verified job past its deadline: a miss is not due while its decline window runs (expire / finalize refused). */
const MISS_NOT_DUE = "a miss refused: past the deadline, the decline window still open";
const missNotDue = (m: Model, id: number, b: BidM) => b.verified && !timelineOf(m, id, b).delivered && m.height > b.deadline && m.height <= deliveryDueBy(b);

/** expire-bid's test for a queued bid: it can no longer meet its deadline, or its dataset was retired. */
const queuedExpired = (m: Model, b: BidM) => !datasetOf(m, b.datasetId).active || m.height + b.duration > b.deadline;

class ExpireBid extends Step {
  readonly fn = "expire-bid";
  constructor(private readonly q: { t: Target }) {
    super(q);
  }
  /** smart: only when there is a fitting target; otherwise when any bid exists (or the id is a missing one) */
  check(m: Readonly<Model>) {
    return this.q.t.mode === "smart" ? this.smart(m as Model).length > 0 : m.bids.size > 0;
  }
  /** bids due to end; and undelivered verified jobs past their deadline whose decline window still runs (refused) */
  smart(m: Model) {
    return sortedIds(m.bids).filter((id) => {
      const b = bidOf(m, id);
      if (b.status === STATUS.QUEUED) return queuedExpired(m, b);
      if (b.status !== STATUS.MATCHED) return false;
      return stageOf(m, id) !== "running" || missNotDue(m, id, b);
    });
  }
  plan(m: Model): Plan {
    return expirePlan(targetBid(m, this.q.t, this.smart(m)), anyAccount(this.q.t));
  }
}

/** expire-bid(id) by `who`, predicted. */
function expirePlan(id: number, who: string): Plan {
  return {
    label: `expire-bid(${id}) by ${name(who)}`,
    fn: "expire-bid",
    sender: who,
    args: [Cl.uint(id)],
    named: [id],
    predict: (m) => {
      const bid = m.bids.get(id);
      if (!bid) return fail("BID_NOT_FOUND");
      const queued = bid.status === STATUS.QUEUED;
      if (!queued && bid.status !== STATUS.MATCHED) return fail("BID_CLOSED");
      const stage = queued ? "running" : stageOf(m, id);
      if (queued ? !queuedExpired(m, bid) : stage === "running") {
        if (bid.verified && !queued) {
          const delivered = timelineOf(m, id, bid).delivered;
          tag(m, delivered ? "expire refused: the evaluation set may still come" : "expire refused: the model may still come");
          if (!delivered && m.height > bid.deadline) tag(m, MISS_NOT_DUE);
          if (delivered && m.height > (m.deliveries.get(id)?.deliveredAt ?? 0n) + ERW)
            tag(m, "expire refused: past delivered-at + eval-reveal-window, the set still due");
        }
        return fail("BID_NOT_EXPIRED");
      }
      const c = m.committees.get(id);
      if (stage === "ended" && c && c.reveals >= minReveals(c.seats.length)) return fail("RESULT_PENDING");
      if (stage === "missed") {
        tag(m, "expire-bid of a missed delivery (refund: the bid)");
        return success(Cl.uint(missDelivery(m, id, bid)));
      }
      if (stage === "defaulted") {
        tag(m, "expire-bid of a bidder default (refund 0)");
        bidderDefault(m, id, bid);
        return success(Cl.uint(0n));
      }
      if (queued) {
        const ds = datasetOf(m, bid.datasetId);
        payOut(m, bid.bidder, bid.amount);
        m.totals.escrowedBids -= bid.amount;
        bid.status = STATUS.EXPIRED;
        emit(m, "bid-expired", {
          "bid-id": BigInt(id),
          "dataset-id": BigInt(bid.datasetId),
          bidder: bid.bidder,
          refund: bid.amount,
          penalties: 0n,
        });
        unlink(ds, id);
        tag(m, ds.active ? "queued bid expired" : "queued bid expired (retired dataset)");
        return success(Cl.uint(bid.amount));
      }
      return success(Cl.uint(failJob(m, id, bid)));
    },
  };
}

class DeclineJob extends Step {
  readonly fn = "decline-job";
  constructor(private readonly q: { t: Target; owner: boolean }) {
    super(q);
  }
  /** smart: only when there is a fitting target; otherwise when any bid exists (or the id is a missing one) */
  check(m: Readonly<Model>) {
    return this.q.t.mode === "smart" ? this.smart(m as Model).length > 0 : m.bids.size > 0;
  }
  /** running jobs within their decline window, mostly those nobody has voted on */
  smart(m: Model) {
    const inWindow = sortedIds(m.bids).filter((id) => {
      const b = bidOf(m, id);
      return b.status === STATUS.MATCHED && m.height <= b.matchedAt + DECLINE_WINDOW;
    });
    const fresh = inWindow.filter((id) => (m.committees.get(id)?.commits ?? 0n) === 0n);
    return fresh.length > 0 && this.q.t.who % 4 !== 0 ? fresh : inWindow;
  }
  plan(m: Model): Plan {
    const id = targetBid(m, this.q.t, this.smart(m));
    const b = m.bids.get(id);
    const who = this.q.owner && b ? datasetOf(m, b.datasetId).provider : anyAccount(this.q.t);
    return {
      label: `decline-job(${id}) by ${name(who)}`,
      fn: this.fn,
      sender: who,
      args: [Cl.uint(id)],
      named: [id],
      predict: (m) => {
        const bid = m.bids.get(id);
        if (!bid) return fail("BID_NOT_FOUND");
        if (who !== datasetOf(m, bid.datasetId).provider) return fail("NOT_DATASET_PROVIDER");
        if (bid.status !== STATUS.MATCHED) return fail("JOB_NOT_RUNNING");
        if (m.height > bid.matchedAt + DECLINE_WINDOW) return fail("DECLINE_CLOSED");
        if (timelineOf(m, id, bid).delivered) return fail("MODEL_DELIVERED");
        const c = m.committees.get(id);
        if (c && c.commits > 0n) return fail("VALIDATION_STARTED");
        // no vote yet: every seat is freed without a penalty; the job does not count as a match of
        // the dataset, and its stake lock is not restarted
        const ds = datasetOf(m, bid.datasetId);
        const lastSettledAt = ds.lastSettledAt;
        closeJob(m, id, bid, STATUS.CANCELLED, true);
        if (bid.verified) tag(m, "verified job declined before its delivery");
        if (bid.verified && m.height > bid.deadline) tag(m, "verified job declined past its deadline (the decline window still open)");
        ds.matchedJobs -= 1n;
        ds.lastSettledAt = lastSettledAt;
        if (ds.matchedJobs === 0n) tag(m, "job declined: the dataset counts no match");
        else if (lastSettledAt !== m.height) tag(m, "job declined: the stake lock runs on");
        emit(m, "job-declined", {
          "bid-id": BigInt(id),
          "dataset-id": BigInt(bid.datasetId),
          provider: who,
          bidder: bid.bidder,
          refund: bid.amount,
        });
        tag(m, c ? "job declined (seats freed)" : "job declined (no committee)");
        if (m.paused) tag(m, "job declined while paused");
        processQueue(m, bid.datasetId);
        return success(Cl.uint(bid.amount));
      },
    };
  }
}

// --- verified jobs: delivery and the sealed evaluation set -----------------

/** A verified job whose provider never delivers here ("smart" deliveries skip it): it ends as a missed delivery. */
const lazyProvider = (bidId: number) => bidId % 7 === 4;
/** A verified job whose bidder never reveals its evaluation set here: it ends as a bidder default. */
const lazyBidder = (bidId: number) => bidId % 7 === 5;
/**
 * A verified job whose bidder reveals late here: not before delivered-at + eval-reveal-window (the
 * close of the old rule's window) when its model came early enough that the window, counted from the
 * deadline, still runs after that.
 */
const lateBidder = (bidId: number) => bidId % 7 === 6;
/** The block before which a late bidder holds back (null: it does not). */
function lateRevealFrom(m: Model, bidId: number): bigint | null {
  const d = m.deliveries.get(bidId);
  if (!lateBidder(bidId) || !d || d.model === null) return null;
  const from = d.deliveredAt + ERW + 1n;
  return from <= evalRevealClosesAt(bidOf(m, bidId)) ? from : null;
}
/** A verified job whose evaluation set turns out unavailable: its committee votes the reserved 101. */
const unavailable = (m: Model, bidId: number) => bidOf(m, bidId).verified && bidId % 3 === 1;
/**
 * A verified job whose compute fee outweighs half its dataset's stake (the slash of its stake): its
 * delivery is garbage here (the audit's finding), the committee scores it 10, and the slash takes
 * back at least the compute fee.
 */
function garbage(m: Model, bidId: number): boolean {
  const b = bidOf(m, bidId);
  return b.verified && b.computeFee > (datasetOf(m, b.datasetId).stake * DEFAULTS.slashRateBps) / BPS;
}
const GARBAGE_SCORE = 10n;

/**
 * deliver-model: the provider fixes the model's digest by the deadline and earns the compute fee less
 * the fees; `short` sends a prefix of the digest (INVALID_DIGEST, the last check). Mostly early: the
 * evaluation set stays due eval-reveal-window after the deadline all the same.
 */
class DeliverModel extends Step {
  readonly fn = "deliver-model";
  constructor(private readonly q: { t: Target; owner: boolean; model: number; short?: boolean }) {
    super(q);
  }
  /** smart: only when there is a fitting target; otherwise when any bid exists (or the id is a missing one) */
  check(m: Readonly<Model>) {
    return this.q.t.mode === "smart" ? this.smart(m as Model).length > 0 : m.bids.size > 0;
  }
  /**
   * running verified jobs not delivered yet, before their deadline (but the lazy providers'); mostly
   * the garbage ones first (their providers deliver at once: the fee is paid on delivery)
   */
  smart(m: Model) {
    const due = sortedIds(m.bids).filter((id) => {
      const b = bidOf(m, id);
      return b.verified && b.status === STATUS.MATCHED && !timelineOf(m, id, b).delivered && m.height <= b.deadline && (!lazyProvider(id) || garbage(m, id));
    });
    const junk = due.filter((id) => garbage(m, id));
    return junk.length > 0 && this.q.model % 2 === 0 ? junk : due;
  }
  plan(m: Model): Plan {
    const id = targetBid(m, this.q.t, this.smart(m));
    const b = m.bids.get(id);
    const who = this.q.owner && b ? datasetOf(m, b.datasetId).provider : anyAccount(this.q.t);
    const digest = sha256(`model.onnx ${id} ${this.q.model}`);
    const model = this.q.short ? digest.slice(0, [0, 16, 31][this.q.model % 3]) : digest;
    return {
      label: `deliver-model(${id}, model ${this.q.model}${this.q.short ? `, ${model.length} bytes` : ""}) by ${name(who)}`,
      fn: this.fn,
      sender: who,
      args: [Cl.uint(id), Cl.buffer(model)],
      named: [id],
      predict: (m) => {
        const bid = m.bids.get(id);
        if (!bid) return fail("BID_NOT_FOUND");
        const d = m.deliveries.get(id);
        if (!d) return fail("NOT_VERIFIED_JOB");
        const ds = datasetOf(m, bid.datasetId);
        if (who !== ds.provider) return fail("NOT_DATASET_PROVIDER");
        if (bid.status !== STATUS.MATCHED) return fail("JOB_NOT_RUNNING");
        if (d.model !== null) return fail("ALREADY_DELIVERED");
        if (m.height > bid.deadline) return fail("DELIVERY_CLOSED");
        if (!fullDigest(model)) return fail("INVALID_DIGEST");
        const fee = bid.computeFee;
        const validatorsShare = (fee * VFEE_BPS) / BPS;
        const protocolFee = (fee * PFEE_BPS) / BPS;
        const payment = fee - validatorsShare - protocolFee;
        payOut(m, who, payment);
        m.totals.escrowedBids -= payment + protocolFee;
        m.totals.treasury += protocolFee;
        d.model = hex(model);
        d.deliveredAt = m.height;
        m.touched.add(id);
        emit(m, "model-delivered", {
          "bid-id": BigInt(id),
          "dataset-id": BigInt(bid.datasetId),
          provider: who,
          model: hex(model),
          "compute-fee": fee,
          "provider-payment": payment,
          "protocol-fee": protocolFee,
        });
        tag(m, fee > 0n ? "model delivered (compute fee paid)" : "model delivered (no compute fee)");
        if (m.paused) tag(m, "model delivered while paused");
        if (m.height === bid.deadline) tag(m, "model delivered on its deadline");
        if (m.height <= bid.matchedAt + DECLINE_WINDOW) tag(m, "model delivered within the decline window");
        if (m.height + ERW < evalRevealClosesAt(bid)) tag(m, "model delivered early (the evaluation set stays due after the deadline)");
        return success(Cl.uint(payment));
      },
    };
  }
}

/** A wrong reveal: another digest, another salt, a 16-byte salt, or a prefix of the digest (shortDigest). */
type WrongSeal = "none" | "digest" | "salt" | "short" | "shortDigest";

/** reveal-evaluation-set: the bidder opens its sealed evaluation set after the delivery; the commit window opens. */
class RevealEvaluationSet extends Step {
  readonly fn = "reveal-evaluation-set";
  constructor(private readonly q: { t: Target; owner: boolean; wrong: WrongSeal }) {
    super(q);
  }
  /** smart: only when there is a fitting target; otherwise when any bid exists (or the id is a missing one) */
  check(m: Readonly<Model>) {
    return this.q.t.mode === "smart" ? this.smart(m as Model).length > 0 : m.bids.size > 0;
  }
  /**
   * delivered verified jobs whose set is not revealed, until eval-reveal-window after the deadline
   * (but the lazy bidders', and the late bidders' before their time); else any delivered one
   */
  smart(m: Model) {
    const delivered = sortedIds(m.bids).filter((id) => {
      const b = bidOf(m, id);
      return b.verified && b.status === STATUS.MATCHED && timelineOf(m, id, b).delivered;
    });
    const due = delivered.filter((id) => {
      const d = m.deliveries.get(id) as DeliveryM;
      const late = lateRevealFrom(m, id);
      // (a garbage delivery's bidder reveals at once: its set shows the model worthless)
      return (
        d.evalDigest === null &&
        m.height <= evalRevealClosesAt(bidOf(m, id)) &&
        (garbage(m, id) || (!lazyBidder(id) && (late === null || m.height >= late)))
      );
    });
    return due.length > 0 && this.q.t.who % 5 !== 0 ? due : delivered;
  }
  plan(m: Model): Plan {
    const id = targetBid(m, this.q.t, this.smart(m));
    const b = m.bids.get(id);
    const who = this.q.owner && b ? b.bidder : anyAccount(this.q.t);
    const secret = m.evalSecrets.get(id) ?? { digest: sha256(`evaluation set of ${id}`), salt: sha256(`evaluation salt of ${id}`) };
    const wrong = this.q.wrong;
    const digest = wrong === "digest" ? sha256(secret.digest) : wrong === "shortDigest" ? secret.digest.slice(0, 31) : secret.digest;
    const salt = wrong === "salt" ? sha256(secret.salt) : wrong === "short" ? secret.salt.slice(0, 16) : secret.salt;
    return {
      label: `reveal-evaluation-set(${id}${wrong === "none" ? "" : `, wrong ${wrong}`}) by ${name(who)}`,
      fn: this.fn,
      sender: who,
      args: [Cl.uint(id), Cl.buffer(digest), Cl.buffer(salt)],
      named: [id],
      predict: (m) => {
        const bid = m.bids.get(id);
        if (!bid) return fail("BID_NOT_FOUND");
        const d = m.deliveries.get(id);
        if (!d) return fail("NOT_VERIFIED_JOB");
        if (who !== bid.bidder) return fail("NOT_BIDDER");
        if (bid.status !== STATUS.MATCHED) return fail("JOB_NOT_RUNNING");
        if (d.model === null) return fail("NOT_DELIVERED");
        if (d.evalDigest !== null) return fail("EVAL_ALREADY_REVEALED");
        if (m.height > evalRevealClosesAt(bid)) {
          if (m.height <= evalRevealClosesAt(bid) + 3n) tag(m, "evaluation set refused just after its window");
          return fail("EVAL_REVEAL_CLOSED");
        }
        if (!fullDigest(digest)) return fail("INVALID_DIGEST");
        if (salt.length !== SALT_LENGTH) return fail("INVALID_SALT");
        if (evalCommitmentOf(digest, salt) !== d.evalCommitment) return fail("EVAL_COMMITMENT_MISMATCH");
        d.evalDigest = hex(digest);
        d.evalRevealedAt = m.height;
        m.touched.add(id);
        emit(m, "evaluation-revealed", { "bid-id": BigInt(id), bidder: who, "eval-digest": hex(digest), "commit-closes-at": m.height + VW });
        tag(m, "evaluation set revealed");
        if (m.paused) tag(m, "evaluation set revealed while paused");
        if (m.height === evalRevealClosesAt(bid)) tag(m, "evaluation set revealed on the last block");
        if (m.height > d.deliveredAt + ERW) tag(m, "evaluation set revealed past delivered-at + eval-reveal-window (an early delivery)");
        if (m.height > bid.deadline) tag(m, "evaluation set revealed after the deadline");
        if (m.committees.has(id)) tag(m, "evaluation set revealed to a seated committee");
        return success(Cl.uint(m.height + VW));
      },
    };
  }
}

// --- validators ------------------------------------------------------------

class RegisterValidator extends Step {
  readonly fn = "register-validator";
  constructor(private readonly q: { who: number; fresh: boolean; stake: bigint }) {
    super(q);
  }
  /** while a pool account is not registered (the failing variant always applies) */
  check(m: Readonly<Model>) {
    return m.validators.size < m.pool.length || this.q.stake < MIN_VALIDATOR_STAKE;
  }
  plan(m: Model): Plan {
    const unregistered = m.pool.filter((w) => !m.validators.has(w));
    const who = (this.q.fresh ? pick(unregistered, this.q.who) : undefined) ?? m.pool[this.q.who % m.pool.length];
    const stake = this.q.stake;
    return {
      label: `register-validator(${stake}) by ${name(who)}`,
      fn: this.fn,
      sender: who,
      args: [Cl.uint(stake)],
      named: [],
      predict: (m) => {
        if (m.paused) return fail("PAUSED");
        if (m.validators.has(who)) return fail("VALIDATOR_EXISTS");
        if (stake < MIN_VALIDATOR_STAKE) return fail("VALIDATOR_STAKE_TOO_LOW");
        transfer(m, who, contractId, stake);
        m.totals.validatorStakes += stake;
        const ordinal = ++m.registrations;
        m.validators.set(who, {
          stake,
          active: true,
          index: BigInt(m.set.length),
          openSeats: 0n,
          exitRequestedAt: 0n,
          registeredAt: m.height,
          ordinal,
        });
        m.set.push(who);
        emit(m, "validator-registered", { validator: who, stake, ordinal });
        if ([...m.bids.values()].some((b) => b.status === STATUS.MATCHED)) tag(m, "validator registered while jobs run");
        return success(Cl.bool(true));
      },
    };
  }
}

class RequestValidatorExit extends Step {
  readonly fn = "request-validator-exit";
  constructor(private readonly q: { t: Target }) {
    super(q);
  }
  /** smart: an active validator (half the time one on no committee) while the whole pool is active; otherwise any account */
  check(m: Readonly<Model>) {
    return this.q.t.mode !== "smart" || m.set.length === m.pool.length;
  }
  smart(m: Model) {
    const free = m.set.filter((w) => validatorOf(m, w).openSeats === 0n);
    return free.length > 0 && this.q.t.who % 2 !== 0 ? free : m.set;
  }
  plan(m: Model): Plan {
    const who = this.q.t.mode === "smart" ? (pick(this.smart(m), this.q.t.sel) as string) : anyAccount(this.q.t);
    return {
      label: `request-validator-exit() by ${name(who)}`,
      fn: this.fn,
      sender: who,
      args: [],
      named: [],
      predict: (m) => {
        const v = m.validators.get(who);
        if (!v) return fail("VALIDATOR_NOT_FOUND");
        if (!v.active) return fail("VALIDATOR_EXITING");
        // always allowed, seated or not: it keeps its seats and leaves the set at once
        removeFromSet(m, v.index);
        v.active = false;
        v.exitRequestedAt = m.height;
        emit(m, "validator-exit-requested", { validator: who, "unbonded-at": m.height + UNBONDING, "open-seats": v.openSeats });
        if (v.openSeats > 0n) tag(m, "exit while seated");
        return success(Cl.uint(m.height + UNBONDING));
      },
    };
  }
}

class WithdrawValidatorStake extends Step {
  readonly fn = "withdraw-validator-stake";
  constructor(private readonly q: { t: Target }) {
    super(q);
  }
  /** smart: an exiting validator (mostly one whose unbonding is over, on no committee); otherwise any account */
  check(m: Readonly<Model>) {
    return this.q.t.mode !== "smart" || this.smart(m as Model).length > 0;
  }
  smart(m: Model) {
    const exiting = [...m.validators].filter(([, v]) => !v.active).map(([w]) => w);
    const free = exiting.filter((w) => {
      const v = validatorOf(m, w);
      return v.openSeats === 0n && m.height >= v.exitRequestedAt + UNBONDING;
    });
    return free.length > 0 && this.q.t.who % 4 !== 0 ? free : exiting;
  }
  plan(m: Model): Plan {
    const who = this.q.t.mode === "smart" ? (pick(this.smart(m), this.q.t.sel) as string) : anyAccount(this.q.t);
    return {
      label: `withdraw-validator-stake() by ${name(who)}`,
      fn: this.fn,
      sender: who,
      args: [],
      named: [],
      predict: (m) => {
        const v = m.validators.get(who);
        if (!v) return fail("VALIDATOR_NOT_FOUND");
        if (v.active) return fail("VALIDATOR_NOT_EXITING");
        if (m.height < v.exitRequestedAt + UNBONDING) return fail("UNBONDING_NOT_OVER");
        if (v.openSeats > 0n) return fail("VALIDATOR_SEATED");
        payOut(m, who, v.stake);
        m.totals.validatorStakes -= v.stake;
        m.validators.delete(who);
        emit(m, "validator-withdrawn", { validator: who, amount: v.stake });
        return success(Cl.uint(v.stake));
      },
    };
  }
}

// --- validation ------------------------------------------------------------

/** The job's committee as ensure-committee returns it: the stored one, or a draw from the validators of its match (null: none eligible). */
function committeeFor(m: Model, bidId: number): { committee: CommitteeM | null; drawn: boolean } {
  const c = m.committees.get(bidId);
  if (c) return { committee: c, drawn: false };
  const draw = drawFor(m, bidOf(m, bidId));
  if (draw.seats.length === 0) return { committee: null, drawn: false };
  return { committee: newCommittee(draw), drawn: true };
}

/** Matched jobs still in their commit phase, with each (bid, seat) that has not voted yet. */
function openSeats(m: Model): [number, string][] {
  const out: [number, string][] = [];
  for (const id of sortedIds(m.bids)) {
    const b = bidOf(m, id);
    const t = timelineOf(m, id, b);
    if (b.status !== STATUS.MATCHED || !t.open || m.height > t.commitClosesAt) continue;
    for (const s of seatsFor(m, id)) if (!m.votes.has(voteKey(id, s)) && m.validators.has(s)) out.push([id, s]);
  }
  return out;
}

class DrawCommittee extends Step {
  readonly fn = "draw-committee";
  constructor(private readonly q: { t: Target }) {
    super(q);
  }
  /** smart: only when there is a fitting target; otherwise when any bid exists (or the id is a missing one) */
  check(m: Readonly<Model>) {
    return this.q.t.mode === "smart" ? this.smart(m as Model).length > 0 : m.bids.size > 0;
  }
  /** matched jobs without a committee, mostly those with someone eligible to seat */
  smart(m: Model) {
    const undrawn = sortedIds(m.bids).filter((id) => bidOf(m, id).status === STATUS.MATCHED && !m.committees.has(id));
    const drawable = undrawn.filter((id) => drawFor(m, bidOf(m, id)).seats.length > 0);
    return drawable.length > 0 && this.q.t.who % 4 !== 0 ? drawable : undrawn;
  }
  plan(m: Model): Plan {
    const id = targetBid(m, this.q.t, this.smart(m));
    const who = anyAccount(this.q.t);
    return {
      label: `draw-committee(${id}) by ${name(who)}`,
      fn: this.fn,
      sender: who,
      args: [Cl.uint(id)],
      named: [id],
      predict: (m) => {
        const bid = m.bids.get(id);
        if (!bid) return fail("BID_NOT_FOUND");
        if (m.paused) return fail("PAUSED");
        if (bid.status !== STATUS.MATCHED) return fail("JOB_NOT_RUNNING");
        if (m.committees.has(id)) return fail("COMMITTEE_DRAWN");
        if (m.height > commitClosesAt(m, id)) return fail("VALIDATION_CLOSED");
        const { committee } = committeeFor(m, id);
        if (!committee) {
          if (m.set.length > 0 && BigInt(m.set.length) !== bid.validatorsAtMatch) tag(m, "no eligible validator: the set changed since the match");
          return fail("NO_ELIGIBLE_VALIDATORS");
        }
        storeCommittee(m, id, committee);
        tag(m, "committee drawn late");
        return success(Cl.list(committee.seats.map((s) => Cl.principal(s))));
      },
    };
  }
}

/** The weight of `who`'s seat in a committee (its stake at the draw). */
const seatWeight = (c: CommitteeM, who: string) => c.weights[c.seats.indexOf(who)];

class CommitValidation extends Step {
  readonly fn = "commit-validation-result";
  constructor(private readonly q: { t: Target; voter: number; score: bigint; near: boolean; noise: bigint }) {
    super(q);
  }
  /** smart: only when there is a fitting target; otherwise when any bid exists (or the id is a missing one) */
  check(m: Readonly<Model>) {
    return this.q.t.mode === "smart" ? this.smart(m as Model).length > 0 : m.bids.size > 0;
  }
  /** Open seats but the lazy ones; half the time not those of one-seat committees (left to the direct submit). */
  smart(m: Model) {
    const seats = openSeats(m).filter(([id, who]) => !isLazy(id, seatsFor(m, id), who));
    const shared = seats.filter(([id]) => seatsFor(m, id).length > 1);
    return shared.length > 0 && this.q.voter % 2 === 0 ? shared : seats;
  }
  plan(m: Model): Plan {
    let id: number;
    let who: string;
    const seat = this.q.t.mode === "smart" ? pick(this.smart(m), this.q.t.sel) : undefined;
    if (seat) [id, who] = seat;
    else {
      id = targetBid(m, this.q.t, []);
      who = this.q.voter % 3 === 0 ? anyAccount(this.q.t) : m.pool[this.q.voter % m.pool.length];
    }
    const score =
      (m.bids.has(id) && garbage(m, id) && this.q.near ? GARBAGE_SCORE : null) ??
      (m.bids.has(id) && unavailable(m, id) && this.q.near ? SCORE_UNAVAILABLE : null) ??
      contestedScore(m, id, who) ??
      (this.q.near ? judged(id, this.q.noise) : this.q.score);
    const salt = saltOf(who, id);
    const commitment = commitmentOf(score, salt, id, who);
    return {
      label: `commit-validation-result(${id}, commitment of ${score}) by ${name(who)}`,
      fn: this.fn,
      sender: who,
      args: [Cl.uint(id), Cl.bufferFromHex(commitment)],
      named: [id],
      predict: (m) => {
        const bid = m.bids.get(id);
        if (!bid) return fail("BID_NOT_FOUND");
        const v = m.validators.get(who);
        if (!v) return fail("VALIDATOR_NOT_FOUND");
        if (m.paused) return fail("PAUSED");
        if (bid.status !== STATUS.MATCHED) return fail("JOB_NOT_RUNNING");
        const t = timelineOf(m, id, bid);
        if (!t.open) return fail("EVALUATION_NOT_REVEALED");
        if (m.height > t.commitClosesAt) return fail("VALIDATION_CLOSED");
        if (partiesOf(m, bid).includes(who)) return fail("PARTY_CANNOT_VALIDATE");
        const { committee, drawn } = committeeFor(m, id);
        if (!committee) return fail("NO_ELIGIBLE_VALIDATORS");
        if (!committee.seats.includes(who)) {
          if (v.active && v.ordinal > bid.registrationsAtMatch) tag(m, "a later registrant is not on the committee");
          return fail("NOT_ON_COMMITTEE");
        }
        if (m.votes.has(voteKey(id, who))) return fail("ALREADY_VOTED");
        if (drawn) {
          storeCommittee(m, id, committee);
          tag(m, "committee drawn by a commit");
        }
        const c = m.committees.get(id) as CommitteeM;
        const weight = seatWeight(c, who);
        if (weight !== v.stake) tag(m, "vote weighs its seat, not the stake now");
        if (!v.active) tag(m, "an exiting validator votes");
        m.votes.set(voteKey(id, who), { commitment, score: 0n, weight, revealed: false, claimed: false });
        m.secrets.set(voteKey(id, who), { score, salt });
        c.commits += 1n;
        emit(m, "validation-committed", { "bid-id": BigInt(id), validator: who, commitment });
        return success(Cl.bool(true));
      },
    };
  }
}

type WrongReveal = "none" | "score" | "salt" | "short";

class RevealValidation extends Step {
  readonly fn = "reveal-validation-result";
  constructor(private readonly q: { t: Target; voter: number; wrong: WrongReveal }) {
    super(q);
  }
  /** smart: only when there is a fitting target; otherwise when any bid exists (or the id is a missing one) */
  check(m: Readonly<Model>) {
    return this.q.t.mode === "smart" ? this.smart(m as Model).length > 0 : m.bids.size > 0;
  }
  /** unrevealed commits of live jobs, mostly those whose reveal phase is open */
  smart(m: Model) {
    const pending: [number, string][] = [];
    const open: [number, string][] = [];
    for (const id of sortedIds(m.bids)) {
      const b = bidOf(m, id);
      const c = m.committees.get(id);
      if (b.status !== STATUS.MATCHED || !c) continue;
      const t = timelineOf(m, id, b);
      const isOpen = (c.commits === BigInt(c.seats.length) || m.height > t.commitClosesAt) && m.height <= t.revealClosesAt;
      for (const s of c.seats) {
        const v = m.votes.get(voteKey(id, s));
        if (v && !v.revealed) {
          pending.push([id, s]);
          if (isOpen) open.push([id, s]);
        }
      }
    }
    return open.length > 0 && this.q.voter % 4 !== 0 ? open : pending;
  }
  plan(m: Model): Plan {
    let id: number;
    let who: string;
    const target = this.q.t.mode === "smart" ? pick(this.smart(m), this.q.t.sel) : undefined;
    if (target) [id, who] = target;
    else {
      id = targetBid(m, this.q.t, []);
      who = m.pool[this.q.voter % m.pool.length];
    }
    const wrong = this.q.wrong;
    const secret = m.secrets.get(voteKey(id, who)) ?? { score: 50n, salt: saltOf(who, id) };
    const score = wrong === "score" ? (secret.score + 1n) % 101n : secret.score;
    // a short salt: the first 16 bytes of the right one
    const salt = wrong === "salt" ? saltOf(who, id, 1) : wrong === "short" ? secret.salt.slice(0, 16) : secret.salt;
    return {
      label: `reveal-validation-result(${id}, ${score}${wrong === "salt" ? ", wrong salt" : wrong === "short" ? ", 16-byte salt" : ""}) by ${name(who)}`,
      fn: this.fn,
      sender: who,
      args: [Cl.uint(id), Cl.uint(score), Cl.buffer(salt)],
      named: [id],
      predict: (m) => {
        const bid = m.bids.get(id);
        if (!bid) return fail("BID_NOT_FOUND");
        const c = m.committees.get(id);
        if (!c) return fail("NOT_COMMITTED");
        const vote = m.votes.get(voteKey(id, who));
        if (!vote) return fail("NOT_COMMITTED");
        if (bid.status !== STATUS.MATCHED) return fail("JOB_NOT_RUNNING");
        if (vote.revealed) return fail("ALREADY_REVEALED");
        const t = timelineOf(m, id, bid);
        if (!(c.commits === BigInt(c.seats.length) || m.height > t.commitClosesAt)) return fail("REVEAL_NOT_OPEN");
        if (m.height > t.revealClosesAt) return fail("REVEAL_CLOSED");
        if (!validScore(score, bid.verified)) return fail("INVALID_SCORE");
        if (salt.length !== SALT_LENGTH) return fail("INVALID_SALT");
        if (commitmentOf(score, salt, id, who) !== vote.commitment) return fail("COMMITMENT_MISMATCH");
        vote.score = score;
        vote.revealed = true;
        c.reveals += 1n;
        c.revealedWeight += vote.weight;
        c.revealed.push({ score, weight: vote.weight });
        emit(m, "validation-revealed", { "bid-id": BigInt(id), validator: who, score, weight: vote.weight });
        const finalizes = c.reveals === BigInt(c.seats.length);
        if (finalizes) {
          tag(m, "finalized by the last reveal");
          finalizeJob(m, id, bid, c);
        }
        return success(Cl.bool(finalizes));
      },
    };
  }
}

class SubmitValidation extends Step {
  readonly fn = "submit-validation-result";
  constructor(private readonly q: { t: Target; voter: number; score: bigint; mismatch: boolean }) {
    super(q);
  }
  /** smart: only when there is a fitting target; otherwise when any bid exists (or the id is a missing one) */
  check(m: Readonly<Model>) {
    return this.q.t.mode === "smart" ? this.smart(m as Model).length > 0 : m.bids.size > 0;
  }
  smart(m: Model) {
    return openSeats(m);
  }
  plan(m: Model): Plan {
    // smart: one-seat committees first (stored or about to be drawn), then any open seat (COMMIT_REQUIRED)
    const seats = this.q.t.mode === "smart" ? this.smart(m) : [];
    const single = seats.filter(([id]) => seatsFor(m, id).length === 1);
    let id: number;
    let who: string;
    const target = pick(single.length > 0 && this.q.voter % 4 !== 0 ? single : seats, this.q.t.sel);
    if (target) [id, who] = target;
    else {
      id = targetBid(m, this.q.t, []);
      who = this.q.voter % 3 === 0 ? anyAccount(this.q.t) : m.pool[this.q.voter % m.pool.length];
    }
    const b = m.bids.get(id);
    const datasetArg = b ? b.datasetId + (this.q.mismatch ? 1 : 0) : 1;
    const score =
      b && garbage(m, id) && this.q.score <= MAX_SCORE
        ? GARBAGE_SCORE
        : b && unavailable(m, id) && this.q.score <= MAX_SCORE
          ? SCORE_UNAVAILABLE
          : this.q.score;
    return {
      label: `submit-validation-result(${datasetArg}, ${id}, ${score}) by ${name(who)}`,
      fn: this.fn,
      sender: who,
      args: [Cl.uint(datasetArg), Cl.uint(id), Cl.uint(score)],
      named: [id],
      predict: (m) => {
        const bid = m.bids.get(id);
        if (!bid) return fail("BID_NOT_FOUND");
        const v = m.validators.get(who);
        if (!v) return fail("VALIDATOR_NOT_FOUND");
        if (m.paused) return fail("PAUSED");
        if (!validScore(score, bid.verified)) return fail("INVALID_SCORE");
        if (datasetArg !== bid.datasetId) return fail("BID_DATASET_MISMATCH");
        if (bid.status !== STATUS.MATCHED) return fail("JOB_NOT_RUNNING");
        const t = timelineOf(m, id, bid);
        if (!t.open) return fail("EVALUATION_NOT_REVEALED");
        if (m.height > t.commitClosesAt) return fail("VALIDATION_CLOSED");
        if (partiesOf(m, bid).includes(who)) return fail("PARTY_CANNOT_VALIDATE");
        const { committee, drawn } = committeeFor(m, id);
        if (!committee) return fail("NO_ELIGIBLE_VALIDATORS");
        if (!committee.seats.includes(who)) return fail("NOT_ON_COMMITTEE");
        if (committee.seats.length !== 1) return fail("COMMIT_REQUIRED");
        if (m.votes.has(voteKey(id, who))) return fail("ALREADY_VOTED");
        if (drawn) {
          storeCommittee(m, id, committee);
          tag(m, "committee drawn by a submit");
        }
        const weight = seatWeight(committee, who);
        if (weight !== v.stake) tag(m, "vote weighs its seat, not the stake now");
        m.votes.set(voteKey(id, who), {
          commitment: commitmentOf(score, new Uint8Array(0), id, who),
          score,
          weight,
          revealed: true,
          claimed: false,
        });
        const c: CommitteeM = { ...committee, commits: 1n, reveals: 1n, revealedWeight: weight, revealed: [{ score, weight }] };
        m.committees.set(id, c);
        emit(m, "validation-submitted", { "bid-id": BigInt(id), "dataset-id": BigInt(datasetArg), validator: who, score, weight });
        tag(m, "finalized by a direct submit");
        finalizeJob(m, id, bid, c);
        return success(Cl.bool(true));
      },
    };
  }
}

class FinalizeValidation extends Step {
  readonly fn = "finalize-validation";
  constructor(private readonly q: { t: Target }) {
    super(q);
  }
  /** smart: only when there is a fitting target; otherwise when any bid exists (or the id is a missing one) */
  check(m: Readonly<Model>) {
    return this.q.t.mode === "smart" ? this.smart(m as Model).length > 0 : m.bids.size > 0;
  }
  /** jobs due to end; and undelivered verified jobs past their deadline whose decline window still runs (refused) */
  smart(m: Model) {
    return sortedIds(m.bids).filter((id) => {
      const b = bidOf(m, id);
      return b.status === STATUS.MATCHED && (stageOf(m, id) !== "running" || missNotDue(m, id, b));
    });
  }
  plan(m: Model): Plan {
    return finalizePlan(targetBid(m, this.q.t, this.smart(m)), anyAccount(this.q.t));
  }
}

/** finalize-validation(id) by `who`, predicted. */
function finalizePlan(id: number, who: string): Plan {
  return {
    label: `finalize-validation(${id}) by ${name(who)}`,
    fn: "finalize-validation",
    sender: who,
    args: [Cl.uint(id)],
    named: [id],
    predict: (m) => {
      const bid = m.bids.get(id);
      if (!bid) return fail("BID_NOT_FOUND");
      if (bid.status !== STATUS.MATCHED) return fail("JOB_NOT_RUNNING");
      const stage = stageOf(m, id);
      if (stage === "running") {
        if (missNotDue(m, id, bid)) tag(m, MISS_NOT_DUE);
        return fail("NOT_READY_TO_FINALIZE");
      }
      if (stage === "missed") {
        tag(m, "finalize-validation of a missed delivery (u6)");
        missDelivery(m, id, bid);
        return success(Cl.uint(OUTCOME.NOT_DELIVERED));
      }
      if (stage === "defaulted") {
        tag(m, "finalize-validation of a bidder default (u7)");
        return success(Cl.uint(bidderDefault(m, id, bid)));
      }
      const c = m.committees.get(id);
      if (c && c.reveals >= minReveals(c.seats.length)) {
        tag(m, "finalized after the reveal window");
        return success(Cl.uint(finalizeJob(m, id, bid, c)));
      }
      failJob(m, id, bid);
      return success(Cl.uint(OUTCOME.NO_QUORUM));
    },
  };
}

class ClaimReward extends Step {
  readonly fn = "claim-validation-reward";
  constructor(private readonly q: { t: Target; voter: number }) {
    super(q);
  }
  /** smart: only when there is a fitting target; otherwise when any bid exists (or the id is a missing one) */
  check(m: Readonly<Model>) {
    return this.q.t.mode === "smart" ? this.smart(m as Model).length > 0 : m.bids.size > 0;
  }
  /** unclaimed votes of finalized jobs */
  smart(m: Model) {
    const claimable: [number, string][] = [];
    for (const id of sortedIds(m.results)) {
      for (const s of m.committees.get(id)?.seats ?? []) {
        const v = m.votes.get(voteKey(id, s));
        if (v && !v.claimed) claimable.push([id, s]);
      }
    }
    return claimable;
  }
  plan(m: Model): Plan {
    let id: number;
    let who: string;
    const target = this.q.t.mode === "smart" ? pick(this.smart(m), this.q.t.sel) : undefined;
    if (target) [id, who] = target;
    else {
      id = targetBid(m, this.q.t, []);
      who = this.q.voter % 3 === 0 ? anyAccount(this.q.t) : m.pool[this.q.voter % m.pool.length];
    }
    return {
      label: `claim-validation-reward(${id}) by ${name(who)}`,
      fn: this.fn,
      sender: who,
      args: [Cl.uint(id)],
      named: [id],
      predict: (m) => {
        if (!m.bids.has(id)) return fail("BID_NOT_FOUND");
        const result = m.results.get(id);
        if (!result) return fail("JOB_NOT_FINALIZED");
        const vote = m.votes.get(voteKey(id, who));
        if (!vote) return fail("NOT_JOB_VALIDATOR");
        if (vote.claimed) return fail("ALREADY_CLAIMED");
        const coherent = vote.revealed && coherentScore(vote.score, result.finalScore);
        const reward = coherent
          ? vote.weight >= result.rewardWeight
            ? result.rewardPool
            : (result.rewardPool * vote.weight) / result.rewardWeight
          : 0n;
        payOut(m, who, reward);
        m.totals.unclaimedRewards -= reward;
        vote.claimed = true;
        if (coherent) {
          result.rewardPool -= reward;
          result.rewardWeight -= vote.weight;
        }
        m.touched.add(id);
        emit(m, "validation-reward-claimed", { "bid-id": BigInt(id), validator: who, amount: reward, coherent });
        tag(m, coherent ? (result.rewardWeight === 0n ? "last coherent claim" : "coherent claim") : "claim of an outlier or silent seat");
        if (coherent && vote.score === SCORE_UNAVAILABLE) tag(m, "claim of a coherent 101 vote");
        return success(Cl.uint(reward));
      },
    };
  }
}

// --- administration --------------------------------------------------------

type PauseAction = "resume" | "pause" | "repeat";

class SetPaused extends Step {
  readonly fn = "set-paused";
  constructor(private readonly q: { owner: boolean; who: number; action: PauseAction; pause: boolean }) {
    super(q);
  }
  /**
   * The owner resumes a paused market (often: pauses stay short, many end in the burn block they
   * began and are erased), pauses a running one (rarely), or repeats the state in force (a no-op
   * that prints); anyone else tries either value.
   */
  check(m: Readonly<Model>) {
    const { owner, action } = this.q;
    return !owner || action === "repeat" || (action === "resume") === m.paused;
  }
  plan(m: Model): Plan {
    const who = this.q.owner ? deployer : wallets[this.q.who % wallets.length];
    const pause = !this.q.owner ? this.q.pause : this.q.action === "repeat" ? m.paused : this.q.action === "pause";
    return {
      label: `set-paused(${pause}) by ${name(who)}`,
      fn: this.fn,
      sender: who,
      args: [Cl.bool(pause)],
      named: [],
      predict: (m) => {
        if (who !== deployer) return fail("NOT_AUTHORIZED");
        if (pause && !m.paused) {
          // a new pause: pauses + 1, logged {started-at: now, ended-at: 0}
          m.pauseLog.push({ startedAt: m.height, endedAt: 0n });
          if (m.erasures.some((e) => e.number === BigInt(m.pauseLog.length))) tag(m, "a pause reuses the number of an erased one");
        } else if (!pause && m.paused) {
          const current = m.pauseLog[m.pauseLog.length - 1];
          if (current.startedAt === m.height) {
            // undone in the burn block it began: erased (entry deleted, pauses - 1)
            m.pauseLog.pop();
            m.erasures.push({ number: BigInt(m.pauseLog.length + 1), at: m.height });
            tag(m, "a same-block pause leaves no trace in the log");
          } else {
            current.endedAt = m.height;
            tag(m, "a pause that lasted is logged");
          }
        } else tag(m, "set-paused repeated");
        m.paused = pause;
        emit(m, "paused-set", { paused: pause, owner: who });
        return success(Cl.bool(true));
      },
    };
  }
  /** After an erasure the view has nothing under the erased number either (the step compared the log). */
  run(m: Model): void {
    const erased = m.erasures.length;
    super.run(m);
    if (m.erasures.length > erased) {
      const { number } = m.erasures[m.erasures.length - 1];
      expect(decode(readOnly("get-pause", [Cl.uint(number)])), `get-pause ${number} after its erasure at burn ${m.height}`).toBeNull();
    }
  }
}

class WithdrawTreasury extends Step {
  readonly fn = "withdraw-treasury";
  constructor(private readonly q: { owner: boolean; who: number; kind: "zero" | "part" | "all" | "over"; pct: bigint; recipient: number }) {
    super(q);
  }
  plan(m: Model): Plan {
    const who = this.q.owner ? deployer : wallets[this.q.who % wallets.length];
    const treasury = m.totals.treasury;
    const amount = { zero: 0n, part: (treasury * this.q.pct) / 100n, all: treasury, over: treasury + 1n }[this.q.kind];
    const recipients = [...ACCOUNTS, contractId];
    const recipient = recipients[this.q.recipient % recipients.length];
    return {
      label: `withdraw-treasury(${amount}, ${name(recipient)}) by ${name(who)}`,
      fn: this.fn,
      sender: who,
      args: [Cl.uint(amount), Cl.principal(recipient)],
      named: [],
      predict: (m) => {
        if (who !== deployer) return fail("NOT_AUTHORIZED");
        if (amount === 0n) return fail("ZERO_AMOUNT");
        if (amount > m.totals.treasury) return fail("INSUFFICIENT_TREASURY");
        if (recipient === contractId) return fail("INVALID_RECIPIENT");
        payOut(m, recipient, amount);
        m.totals.treasury -= amount;
        emit(m, "treasury-withdrawn", { amount, recipient });
        return success(Cl.uint(amount));
      },
    };
  }
}

/** sweep-surplus: the owner books STX sent to the contract by plain transfers into the treasury. */
function sweepPlan(who: string): Plan {
  return {
    label: `sweep-surplus() by ${name(who)}`,
    fn: "sweep-surplus",
    sender: who,
    args: [],
    named: [],
    predict: (m) => {
      if (who !== deployer) return fail("NOT_AUTHORIZED");
      const amount = m.surplus;
      if (amount === 0n) return fail("ZERO_AMOUNT");
      m.totals.treasury += amount;
      m.surplus = 0n;
      emit(m, "surplus-swept", { amount, owner: who });
      return success(Cl.uint(amount));
    },
  };
}

class SweepSurplus extends Step {
  readonly fn = "sweep-surplus";
  constructor(private readonly q: { owner: boolean; who: number }) {
    super(q);
  }
  plan(_m: Model): Plan {
    return sweepPlan(this.q.owner ? deployer : wallets[this.q.who % wallets.length]);
  }
}

/** A plain STX transfer to the contract (not a contract call): it becomes surplus until swept. */
class Gift implements fc.Command<Model, Real> {
  constructor(private readonly q: { who: number; amount: bigint }) {}
  check() {
    return true;
  }
  run(m: Model) {
    const who = ACCOUNTS[this.q.who % ACCOUNTS.length];
    const r = simnet.transferSTX(this.q.amount, contractId, who);
    const context = `${this.toString()} by ${name(who)} at burn ${m.height}`;
    expect(r.result, `${context}: result`).toStrictEqual(Cl.ok(Cl.bool(true)));
    transfer(m, who, contractId, this.q.amount);
    m.surplus += this.q.amount;
    m.touched = new Set();
    count("stx-transfer to the contract");
    compareWithChain(m, context, [], "step");
  }
  toString() {
    return `stx-transfer(${this.q.amount}) to the contract`;
  }
}

function mine(m: Model, blocks: number, label: string) {
  simnet.mineEmptyBlocks(blocks);
  m.height += BigInt(blocks);
  m.touched = new Set();
  count(label);
  compareWithChain(m, `mine(${blocks}) to burn ${m.height}`, [], "step");
}

class Mine implements fc.Command<Model, Real> {
  constructor(private readonly blocks: number) {}
  check() {
    return true;
  }
  run(m: Model) {
    mine(m, this.blocks, `mine ${this.blocks >= 4000 ? "4400" : this.blocks >= 40 ? "40-120" : "1-15"}`);
  }
  toString() {
    return `mine(${this.blocks})`;
  }
}

/**
 * Mines to a window edge of a stuck running job (a "smart" target in time), or to the block before
 * it (the last one inside): the close of its commit phase when some but not all of its seats
 * committed (reveals then open by timeout), or the close of its reveal window when no committed
 * seat is left to reveal (finalize-validation and expire-bid then settle it); for a verified job
 * waiting on a party, the block after deliveryDueBy (undelivered: a missed delivery; and the block
 * after the deadline when the decline window runs longer) or after evalRevealClosesAt (its
 * evaluation set unrevealed: a bidder default; and, for a late bidder, the block it reveals from).
 */
class MineToEdge implements fc.Command<Model, Real> {
  private resolved = "";
  constructor(private readonly q: { sel: number; before: boolean }) {}
  /** while a running job has an edge ahead within 600 blocks */
  check(m: Readonly<Model>) {
    return this.edges(m as Model).length > 0;
  }
  edges(m: Model): bigint[] {
    const out = new Set<bigint>();
    for (const [id, b] of m.bids) {
      if (b.status !== STATUS.MATCHED) continue;
      const t = timelineOf(m, id, b);
      const c = m.committees.get(id);
      const commits = c?.commits ?? 0n;
      const waiting = t.open && c !== undefined && commits > 0n && commits < BigInt(c.seats.length) && m.height <= t.commitClosesAt;
      const done = t.open && (c === undefined || c.reveals === commits);
      const late = lateRevealFrom(m, id);
      const party =
        b.verified && !t.delivered
          ? [deliveryDueBy(b) + 1n, ...(b.deadline < deliveryDueBy(b) ? [b.deadline + 1n] : [])]
          : !t.open
            ? [evalRevealClosesAt(b) + 1n, ...(late !== null ? [late] : [])]
            : [];
      for (const edge of [...(waiting ? [t.commitClosesAt + 1n] : []), ...(done ? [t.revealClosesAt + 1n] : []), ...party]) {
        const at = this.q.before ? edge - 1n : edge;
        if (at > m.height && at <= m.height + 600n) out.add(at);
      }
    }
    return [...out].sort((a, b) => (a < b ? -1 : 1)).slice(0, 3);
  }
  run(m: Model) {
    const at = pick(this.edges(m), this.q.sel) as bigint;
    const blocks = Number(at - m.height);
    this.resolved = `mine(${blocks}) to a window edge at ${at}`;
    mine(m, blocks, "mine to a window edge");
  }
  toString() {
    return this.resolved || `mine to a window edge ${json(this.q)}`;
  }
}

/**
 * A provider raises its ask shortly before a training bid: set-dataset-terms on an open dataset with
 * a free slot and no queue (its capacity kept), `wait` burn blocks (0-10: inside the notice or past
 * it), then a training bid on it by a bidder that meets the new ask. `big`: the raise makes the bid's
 * fee at the new price outweigh the slash of the dataset's stake (a garbage delivery the slash takes
 * back); `tight`: a one-block training due within 0-3 blocks (inside the decline window).
 */
class RaiseThenBid implements fc.Command<Model, Real> {
  private resolved = "";
  constructor(
    private readonly q: {
      sel: number;
      who: number;
      raise: bigint;
      big: boolean;
      wait: number;
      duration: bigint;
      slack: bigint;
      extra: bigint;
      seal: number;
      tight: boolean;
    },
  ) {}
  targets(m: Model): number[] {
    return sortedIds(m.datasets).filter((id) => {
      const d = datasetOf(m, id);
      return d.active && d.stake >= MIN_DATASET_STAKE && d.activeJobs < d.capacity && d.queue.length === 0;
    });
  }
  check(m: Readonly<Model>) {
    return m.bids.size < MAX_BIDS && !m.paused && this.targets(m as Model).length > 0;
  }
  run(m: Model) {
    const id = pick(this.targets(m), this.q.sel) as number;
    const d = datasetOf(m, id);
    const bidders = BIDDERS.filter((w) => w !== d.provider);
    const who = bidders[this.q.who % bidders.length];
    const duration = this.q.tight ? 1n : this.q.duration;
    const slack = this.q.tight ? this.q.slack % 4n : this.q.slack;
    const raised = d.price + this.q.raise;
    const price = this.q.big ? maxOf(raised, (d.stake * DEFAULTS.slashRateBps) / BPS / duration + 1n) : raised;
    const amount = maxOf(price * duration, MIN_BID) + this.q.extra;
    this.resolved = `raise dataset ${id} to ${price}, wait ${this.q.wait}, training bid of ${amount} for ${duration} blocks by ${name(who)}`;
    execute(m, termsPlan(id, d.provider, price, d.capacity));
    if (this.q.wait > 0) mine(m, this.q.wait, "mine during a price notice");
    execute(m, bidPlan(m, id, who, { amount, duration, slack, verified: true, seal: this.q.seal }));
  }
  toString() {
    return this.resolved || `raise then bid ${json(this.q)}`;
  }
}

/** Verified jobs due inside their decline window (deadline < matched-at + decline-window), undelivered, not yet missed. */
function tightJobs(m: Model): number[] {
  return sortedIds(m.bids).filter((id) => {
    const b = bidOf(m, id);
    return b.verified && b.status === STATUS.MATCHED && !timelineOf(m, id, b).delivered && b.deadline < deliveryDueBy(b) && m.height <= deliveryDueBy(b);
  });
}

/**
 * An impatient party of a tight job (a one-block training due inside its decline window): mines to
 * the block after its deadline (or stays, when past it) and calls expire-bid or finalize-validation,
 * which the open decline window refuses; or (`after`) mines to the block after the window and ends
 * it as a missed delivery.
 */
class EndAroundDeclineWindow implements fc.Command<Model, Real> {
  private resolved = "";
  constructor(private readonly q: { sel: number; who: number; after: boolean; finalize: boolean }) {}
  check(m: Readonly<Model>) {
    return tightJobs(m as Model).length > 0;
  }
  run(m: Model) {
    const id = pick(tightJobs(m), this.q.sel) as number;
    const b = bidOf(m, id);
    const at = this.q.after ? deliveryDueBy(b) + 1n : maxOf(m.height, b.deadline + 1n);
    if (at > m.height) mine(m, Number(at - m.height), "mine around a decline window");
    const who = anyAccount({ mode: "smart", sel: this.q.sel, who: this.q.who });
    const plan = this.q.finalize ? finalizePlan(id, who) : expirePlan(id, who);
    this.resolved = `${plan.label} at burn ${m.height} (${this.q.after ? "after" : "inside"} the decline window of a job due at ${b.deadline})`;
    execute(m, plan);
  }
  toString() {
    return this.resolved || `end around a decline window ${json(this.q)}`;
  }
}

// ---------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------

const sel = fc.nat(10_000);
const targetArb: fc.Arbitrary<Target> = fc.record({
  mode: fc.oneof(
    { weight: 17, arbitrary: fc.constant<Mode>("smart") },
    { weight: 3, arbitrary: fc.constant<Mode>("any") },
    { weight: 1, arbitrary: fc.constant<Mode>("missing") },
  ),
  sel,
  who: sel,
});
const rarely = (weight = 1, of = 10) => fc.oneof({ weight: of - weight, arbitrary: fc.constant(false) }, { weight, arbitrary: fc.constant(true) });
const scoreArb = fc.oneof(
  { weight: 5, arbitrary: fc.bigInt({ min: 0n, max: 100n }) },
  // around the thresholds (40, 70) and 15 / 16 apart (the consensus tolerance)
  { weight: 6, arbitrary: fc.constantFrom(25n, 39n, 40n, 41n, 55n, 56n, 69n, 70n, 71n, 85n) },
  { weight: 1, arbitrary: fc.constant(101n) },
);
/**
 * Metadata URIs: mostly valid (the three schemes; some with every RFC 3986 reserved character and
 * escapes), sometimes empty or invalid (scheme, nothing after it, whitespace, a character outside
 * RFC 3986: quote, angle brackets, backslash, caret, backquote, braces, bar, form feed).
 */
const uriArb = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.constantFrom(
      "ipfs://dataset",
      "ipfs://dataset",
      "ar://dataset-tx",
      "https://data.example/set.json",
      "https://data.example:443/a_b~c.d-e/set.json?v=1&k=a+b;c=d,e#frag",
      "ipfs://bafy%20set/[x]@!$'()*=",
      "ar://%7Euser/~:/?#[]@!$&'()*+,;=%",
    ),
  },
  { weight: 1, arbitrary: fc.constant("") },
  {
    weight: 2,
    // refused for a character outside RFC 3986 (which the old rule let through), for the scheme, or for whitespace
    arbitrary: fc.constantFrom(
      'ipfs://data"set',
      "http://data.example/set",
      "https://data.example/<set>",
      "https://",
      "ipfs://data set",
      "ar://data\\set",
      "ipfs://",
      "https://data.example/a^b",
      "ar://",
      "ipfs://data`set",
      "ar://data\tset",
      "https://data.example/{set}",
      "https://data\n",
      "ar://data|set",
      "ipfs://x\r",
      "ipfs://data\fset",
      "IPFS://dataset",
      "https://data.example/set\f",
      "dataset",
    ),
  },
);
/** Terms: an ask of 0 or up to 20,000 per block (so 100k-250k bids fall below some asks), one to three slots; rarely out of bounds. */
const priceArb = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(0n, 0n, 5_000n, 20_000n) },
  { weight: 1, arbitrary: fc.constant(MAX_PRICE_PER_BLOCK + 1n) },
);
/**
 * Verified jobs earn their compute fee from the ask: mostly asks that bids of 100k-3M meet (50,000 and
 * 100,000 a block make fees above half the minimum stake: a slash raised to the compute fee).
 */
const verifiedPriceArb = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(0n, 1_000n, 2_000n, 5_000n, 20_000n, 50_000n, 100_000n, 100_000n) },
  { weight: 1, arbitrary: fc.constant(MAX_PRICE_PER_BLOCK + 1n) },
);
const capacityArb = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(1n, 1n, 2n, 3n) },
  { weight: 1, arbitrary: fc.constantFrom(0n, MAX_CONCURRENT_JOBS + 1n) },
);

/**
 * How much of an `it` is about verified jobs: the share (in tenths) of bids that are training bids,
 * and the weights of deliver-model and reveal-evaluation-set (the other commands weigh as before;
 * datasets ask for a price more often). Null: plain jobs only, with exactly the command stream of
 * the plain model (the contract before verified jobs), so its runs are those it ran before.
 */
interface Mix {
  training: number;
  deliver: number;
  reveal: number;
  /** the weight of RaiseThenBid: a provider's price raise, then a training bid inside its notice or past it */
  raise: number;
  /** the weight of tight training bids: one block of training, due within the decline window (0-3 blocks of slack) */
  tight: number;
}
const VERIFIED_MIX: Mix = { training: 7, deliver: 9, reveal: 9, raise: 1, tight: 2 };
/** The audit's rules (fix12): more price raises ahead of training bids, more one-block trainings due inside the decline window. */
const AUDIT_MIX: Mix = { training: 8, deliver: 9, reveal: 9, raise: 6, tight: 6 };

const placeBidFields = {
  t: targetArb,
  anyone: rarely(1, 10),
  amount: fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(MIN_BID, 250_000n, 1_000_000n, 1_000_000n, 3_000_000n) },
    { weight: 1, arbitrary: fc.constant(MIN_BID - 1n) },
  ),
  duration: fc.oneof({ weight: 15, arbitrary: fc.bigInt({ min: 1n, max: 25n }) }, { weight: 1, arbitrary: fc.constantFrom(0n, MAX_DURATION + 1n) }),
  slack: fc.oneof(
    { weight: 16, arbitrary: fc.bigInt({ min: 0n, max: 40n }) },
    { weight: 8, arbitrary: fc.bigInt({ min: 100n, max: 400n }) },
    { weight: 2, arbitrary: fc.constant(-1n) },
    // past max-bid-wait (refused) and exactly at it (accepted: a job that waits long)
    { weight: 1, arbitrary: fc.constantFrom(MAX_BID_WAIT + 1n, MAX_BID_WAIT + 1n, MAX_BID_WAIT + 1n, MAX_BID_WAIT) },
  ),
};

/**
 * The verified `it`s' bids: more one-block trainings due at once (a deadline inside the decline
 * window: a miss waits for the window), and now and then a short spec or commitment.
 */
const verifiedPlaceBidFields = (mix: Mix) => ({
  ...placeBidFields,
  // (3M twice as often: it meets asks of 100,000 a block, whose compute fees outweigh half a small stake)
  amount: fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(MIN_BID, 250_000n, 1_000_000n, 1_000_000n, 3_000_000n, 3_000_000n) },
    { weight: 1, arbitrary: fc.constant(MIN_BID - 1n) },
  ),
  duration: fc.oneof(
    { weight: 15, arbitrary: fc.bigInt({ min: 1n, max: 25n }) },
    { weight: mix.tight, arbitrary: fc.constant(1n) },
    { weight: 1, arbitrary: fc.constantFrom(0n, MAX_DURATION + 1n) },
  ),
  slack: fc.oneof(
    { weight: 16, arbitrary: fc.bigInt({ min: 0n, max: 40n }) },
    { weight: mix.tight, arbitrary: fc.bigInt({ min: 0n, max: 3n }) },
    { weight: 8, arbitrary: fc.bigInt({ min: 100n, max: 400n }) },
    { weight: 2, arbitrary: fc.constant(-1n) },
    { weight: 1, arbitrary: fc.constantFrom(MAX_BID_WAIT + 1n, MAX_BID_WAIT) },
  ),
  short: fc.oneof(
    { weight: 24, arbitrary: fc.constant<ShortDigest | undefined>(undefined) },
    { weight: 1, arbitrary: fc.constantFrom<ShortDigest>("spec", "commitment") },
  ),
});

const commandArbOf = (mix: Mix | null): fc.Arbitrary<fc.Command<Model, Real>> => {
  const prices = mix ? verifiedPriceArb : priceArb;
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc
        .record({
          who: sel,
          anyone: rarely(1, 8),
          stake: fc.oneof(
            // (with verified jobs, some stakes whose 10% and 50% exceed most bids: the slash caps)
            {
              weight: 10,
              arbitrary: mix
                ? fc.constantFrom(MIN_DATASET_STAKE, 2_000_000n, 12_000_000n, 12_000_000n)
                : fc.constantFrom(MIN_DATASET_STAKE, MIN_DATASET_STAKE, 2_000_000n, 3_500_000n),
            },
            { weight: 1, arbitrary: fc.constant(MIN_DATASET_STAKE - 1n) },
          ),
          uri: uriArb,
          terms: fc.oneof(
            { weight: 1, arbitrary: fc.constant(null) },
            { weight: 1, arbitrary: fc.record({ price: prices, capacity: capacityArb }) },
          ),
        })
        .map((q) => new RegisterDataset(q)),
    },
    {
      weight: 2,
      arbitrary: fc
        .record({
          t: targetArb,
          owner: rarely(8, 10),
          amount: fc.oneof({ weight: 12, arbitrary: fc.constantFrom(0n, 300_000n, 1_000_000n, 1_000_000n) }, { weight: 1, arbitrary: fc.constant(MAX_UINT) }),
        })
        .map((q) => new AddDatasetStake(q)),
    },
    { weight: 1, arbitrary: fc.record({ t: targetArb, owner: rarely(8, 10), price: prices, capacity: capacityArb }).map((q) => new SetDatasetTerms(q)) },
    ...(mix
      ? [
          {
            weight: mix.raise,
            arbitrary: fc
              .record({
                sel,
                who: sel,
                raise: fc.constantFrom(1_000n, 5_000n, 20_000n),
                big: rarely(1, 2),
                wait: fc.nat(10),
                duration: fc.bigInt({ min: 1n, max: 20n }),
                slack: fc.oneof({ weight: 3, arbitrary: fc.bigInt({ min: 0n, max: 40n }) }, { weight: 1, arbitrary: fc.bigInt({ min: 100n, max: 300n }) }),
                extra: fc.constantFrom(0n, 50_000n, 300_000n),
                seal: fc.nat(1_000_000),
                tight: rarely(1, 4),
              })
              .map((q) => new RaiseThenBid(q)),
          },
        ]
      : []),
    { weight: 1, arbitrary: fc.record({ t: targetArb, owner: rarely(8, 10) }).map((q) => new RetireDataset(q)) },
    { weight: 2, arbitrary: fc.record({ t: targetArb, owner: rarely(8, 10) }).map((q) => new WithdrawDatasetStake(q)) },
    {
      weight: 12,
      // a training bid (a verified job) mix.training times in ten
      arbitrary: mix
        ? fc.record({ ...verifiedPlaceBidFields(mix), verified: rarely(mix.training, 10), seal: fc.nat(1_000_000) }).map((q) => new PlaceBid(q))
        : fc.record(placeBidFields).map((q) => new PlaceBid({ ...q, verified: false, seal: 0 })),
    },
    ...(mix
      ? [
          {
            weight: mix.deliver,
            arbitrary: fc.record({ t: targetArb, owner: rarely(9, 10), model: fc.nat(3), short: rarely(1, 6) }).map((q) => new DeliverModel(q)),
          },
          {
            weight: mix.reveal,
            arbitrary: fc
              .record({
                t: targetArb,
                owner: rarely(9, 10),
                wrong: fc.oneof(
                  { weight: 10, arbitrary: fc.constant<WrongSeal>("none") },
                  { weight: 1, arbitrary: fc.constant<WrongSeal>("digest") },
                  { weight: 1, arbitrary: fc.constant<WrongSeal>("salt") },
                  { weight: 2, arbitrary: fc.constant<WrongSeal>("short") },
                  { weight: 2, arbitrary: fc.constant<WrongSeal>("shortDigest") },
                ),
              })
              .map((q) => new RevealEvaluationSet(q)),
          },
        ]
      : []),
    { weight: 1, arbitrary: fc.record({ t: targetArb }).map((q) => new MatchQueuedBids(q)) },
    { weight: 2, arbitrary: fc.record({ t: targetArb, owner: rarely(8, 10) }).map((q) => new CancelBid(q)) },
    { weight: 3, arbitrary: fc.record({ t: targetArb }).map((q) => new ExpireBid(q)) },
    { weight: 2, arbitrary: fc.record({ t: targetArb, owner: rarely(8, 10) }).map((q) => new DeclineJob(q)) },
    {
      weight: 4,
      arbitrary: fc
        .record({
          who: sel,
          fresh: rarely(8, 10),
          stake: fc.oneof(
            // equal stakes make weighted ties (the lower median, no-majority slashes); 1M leaves the set on its first
            // penalty, 1,010,101 falls to exactly 1,000,000 (stays), 1,020,000 on its second
            {
              weight: 12,
              arbitrary: fc.constantFrom(MIN_VALIDATOR_STAKE, 1_010_101n, 1_020_000n, 2_000_000n, 2_000_000n, 2_000_000n, 2_000_000n, 5_000_000n),
            },
            { weight: 1, arbitrary: fc.constant(MIN_VALIDATOR_STAKE - 1n) },
          ),
        })
        .map((q) => new RegisterValidator(q)),
    },
    { weight: 2, arbitrary: fc.record({ t: targetArb }).map((q) => new RequestValidatorExit(q)) },
    { weight: 2, arbitrary: fc.record({ t: targetArb }).map((q) => new WithdrawValidatorStake(q)) },
    { weight: 2, arbitrary: fc.record({ t: targetArb }).map((q) => new DrawCommittee(q)) },
    {
      weight: 16,
      arbitrary: fc
        .record({ t: targetArb, voter: sel, score: scoreArb, near: rarely(2, 3), noise: fc.constantFrom(-16n, -15n, -5n, 0n, 0n, 0n, 5n, 15n, 16n) })
        .map((q) => new CommitValidation(q)),
    },
    {
      weight: 16,
      arbitrary: fc
        .record({
          t: targetArb,
          voter: sel,
          wrong: fc.oneof(
            { weight: 14, arbitrary: fc.constant<WrongReveal>("none") },
            { weight: 1, arbitrary: fc.constant<WrongReveal>("score") },
            { weight: 1, arbitrary: fc.constant<WrongReveal>("salt") },
            { weight: 2, arbitrary: fc.constant<WrongReveal>("short") },
          ),
        })
        .map((q) => new RevealValidation(q)),
    },
    {
      weight: 8,
      arbitrary: fc.record({ t: targetArb, voter: sel, score: scoreArb, mismatch: rarely(1, 12) }).map((q) => new SubmitValidation(q)),
    },
    { weight: 5, arbitrary: fc.record({ t: targetArb }).map((q) => new FinalizeValidation(q)) },
    { weight: 6, arbitrary: fc.record({ t: targetArb, voter: sel }).map((q) => new ClaimReward(q)) },
    {
      weight: 10,
      arbitrary: fc
        .record({
          owner: rarely(9, 10),
          who: sel,
          action: fc.oneof(
            { weight: 20, arbitrary: fc.constant<PauseAction>("resume") },
            { weight: 2, arbitrary: fc.constant<PauseAction>("pause") },
            { weight: 1, arbitrary: fc.constant<PauseAction>("repeat") },
          ),
          pause: fc.boolean(),
        })
        .map((q) => new SetPaused(q)),
    },
    {
      weight: 2,
      arbitrary: fc
        .record({
          owner: rarely(8, 10),
          who: sel,
          kind: fc.constantFrom("zero" as const, "part" as const, "part" as const, "all" as const, "over" as const),
          pct: fc.bigInt({ min: 1n, max: 100n }),
          recipient: sel,
        })
        .map((q) => new WithdrawTreasury(q)),
    },
    { weight: 1, arbitrary: fc.record({ who: sel, amount: fc.constantFrom(1n, 12_345n, 1_000_000n) }).map((q) => new Gift(q)) },
    { weight: 1, arbitrary: fc.record({ owner: rarely(8, 10), who: sel }).map((q) => new SweepSurplus(q)) },
    { weight: 2, arbitrary: fc.record({ sel, before: rarely(1, 4) }).map((q) => new MineToEdge(q)) },
    ...(mix
      ? [
          {
            weight: mix.tight,
            arbitrary: fc.record({ sel, who: sel, after: fc.boolean(), finalize: fc.boolean() }).map((q) => new EndAroundDeclineWindow(q)),
          },
        ]
      : []),
    {
      weight: 6,
      arbitrary: fc
        .oneof(
          { weight: 20, arbitrary: fc.integer({ min: 1, max: 15 }) },
          { weight: 15, arbitrary: fc.integer({ min: 40, max: 120 }) },
          { weight: 1, arbitrary: fc.constant(4400) },
        )
        .map((n) => new Mine(n)),
    },
  );
};

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

const SEED = Number(process.env.MODEL_SEED || 20240607);
/** Runs per `it` (scaled by MODEL_RUNS / 8 when set). */
const runsOf = (n: number) => Math.max(1, Math.round((n * Number(process.env.MODEL_RUNS || 8)) / 8));
const MAX_COMMANDS = 120;

/** Runs fast-check runs over one model that lives as long as the `it` (the chain is not reset between runs). */
function runModel(pool: string[], seed: number, runs: number, mix: Mix | null): Model {
  const model = newModel(pool);
  const total = () => [...stats.values()].reduce((a, b) => a + b, 0);
  const before = total();
  compareWithChain(model, "initial state", [], "final");
  fc.assert(
    fc.property(fc.commands([commandArbOf(mix)], { maxCommands: MAX_COMMANDS, size: "max" }), (cmds) => {
      fc.modelRun(() => ({ model, real: {} }), cmds);
      compareWithChain(model, "end of run (sweep)", [], "run");
    }),
    { seed, numRuns: runsOf(runs), endOnFailure: true },
  );
  // the books hold no surplus at the end of an `it` (afterEach checks it): the owner sweeps what is left
  if (model.surplus > 0n) execute(model, sweepPlan(deployer));
  compareWithChain(model, "end of the it (full sweep)", [], "final");
  const paths = [...model.tags].sort(([a], [b]) => a.localeCompare(b));
  summaries.push(`seed ${seed}, pool ${model.pool.map(nameOf).join("+")}: ${total() - before} commands; ${paths.map(([t, n]) => `${t} x${n}`).join(", ")}`);
  return model;
}

afterEach(() => expectSolvent());

afterAll(() => {
  // per-`it` paths and the tally of commands by result (visible with --silent=false)
  for (const line of summaries) console.info(line);
  console.info(
    `model.test required paths: ${REQUIRED_PATHS.filter((t) => seen.get(t)).length} of ${REQUIRED_PATHS.length} reached\n` +
      REQUIRED_PATHS.map((t) => `  ${t}: ${seen.get(t) ?? 0}`).join("\n"),
  );
  console.info(
    "model.test command tally:\n" +
      [...stats]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, n]) => `  ${k}: ${n}`)
        .join("\n"),
  );
});

/** Paths seen over all the `it`s (the coverage guard below reads it). */
const seen = new Map<string, number>();
let completed = 0;

function modelTest(pool: string[], seed: number, runs: number, mix: Mix | null = null) {
  const m = runModel(pool, seed, runs, mix);
  for (const [t, n] of m.tags) seen.set(t, (seen.get(t) ?? 0) + n);
  completed += 1;
}

/** Settlement and queue paths the default seeds must reach (the test is not vacuous). */
const REQUIRED_PATHS = [
  "bid matched at once",
  "bid queued",
  "queue head matched",
  "queue head skipped",
  "queued bid expired",
  "queued bid expired (retired dataset)",
  "dataset retired",
  "committee of 1",
  "committee of 2",
  "committee of 3",
  "finalized by a direct submit",
  "finalized by the last reveal",
  "finalized after the reveal window",
  "finalized outcome 1",
  "finalized outcome 2",
  "finalized outcome 3",
  "no majority: refunded",
  "slash backed by a majority of a committee",
  "job failed with committee",
  "job declined (seats freed)",
  "silence penalty",
  "outlier penalty",
  "silence excused (a pause in the commit window)",
  "a same-block pause leaves no trace in the log",
  "a pause reuses the number of an erased one",
  "silence not excused (a same-block pause left no trace)",
  "silence excused (a real pause after a same-block one)",
  "validator removed by penalty",
  "exit while seated",
  "an exiting validator votes",
  "vote weighs its seat, not the stake now",
  "last coherent claim",
  "coherent claim",
  "claim of an outlier or silent seat",
  "dataset with a price",
  "dataset with several slots",
  "jobs running side by side",
  "job declined: the stake lock runs on",
  "uri with RFC 3986 reserved characters or escapes",
  "uri refused for a character outside RFC 3986",
  "provider stake: a first increase",
  "provider stake: an increase within the run",
  // verified jobs
  "training bid with a compute fee",
  "training bid on a free dataset",
  "model delivered (compute fee paid)",
  "evaluation set revealed",
  "evaluation set revealed to a seated committee",
  "delivery missed: refunded, stake slashed",
  "delivery missed with a committee (seats freed)",
  "non-delivery slash capped at the compute fee",
  "missed delivery of a free job: no slash",
  "missed delivery after the decline window",
  MISS_NOT_DUE,
  "expire-bid of a missed delivery (refund: the bid)",
  "finalize-validation of a missed delivery (u6)",
  "bidder default: the evaluation set was not revealed",
  "expire-bid of a bidder default (refund 0)",
  "finalize-validation of a bidder default (u7)",
  "bidder default: the committee found the evaluation set unavailable (median 101)",
  "finalized outcome 7",
  "claim of a coherent 101 vote",
  "verified job scored after a paid delivery",
  "verified job scored: outcome 1",
  "verified job scored: outcome 3",
  "verified slash capped at the bid's amount",
  "verified slash raised to the compute fee",
  "delivered verified job refunded what it still held",
  // the audit's rules (fix12): the price notice, the reveal window from the deadline
  "price raised (a notice starts)",
  "compute fee at the old price during a notice",
  "model delivered early (the evaluation set stays due after the deadline)",
  "evaluation set revealed past delivered-at + eval-reveal-window (an early delivery)",
];

describe("market model (fc.commands)", () => {
  it("one- and two-seat committees (validator1, and bidder2 who is not seated on its own bids): the model holds", () => {
    modelTest([validator1, bidder2], SEED, 6);
  }, 120_000);

  it("committees of up to five, parties among the validators: the model holds", () => {
    modelTest(ALL_VOTERS, SEED + 1, 8);
  }, 120_000);

  it("three validators, one of them a provider: the model holds", () => {
    modelTest([validator1, validator2, validator3], SEED + 2, 8);
  }, 120_000);

  it("verified jobs (training bids, deliveries, sealed evaluation sets), one- and two-seat committees: the model holds", () => {
    modelTest([validator1, bidder2], SEED + 3, 10, VERIFIED_MIX);
  }, 120_000);

  it("verified jobs, three validators: the model holds", () => {
    modelTest([validator1, validator2, outsider], SEED + 4, 10, VERIFIED_MIX);
  }, 120_000);

  it("the audit's verified-job rules (price raises ahead of training bids, short digests, early deliveries, one-block trainings due inside the decline window): the model holds", () => {
    modelTest([validator1, bidder2], SEED + 5, 16, AUDIT_MIX);
  }, 120_000);

  it("the default seeds reach every settlement path and every command succeeds at least once", () => {
    // a guard on the runs above: meaningful only after all six ran with the default seeds
    if (completed < 6 || process.env.MODEL_SEED || process.env.MODEL_RUNS) return;
    expect(REQUIRED_PATHS.filter((t) => !seen.get(t)), "paths never reached").toEqual([]);
    const fns = [
      "register-dataset", "register-dataset-with-terms", "add-dataset-stake", "set-dataset-terms", "retire-dataset",
      "withdraw-dataset-stake", "place-computation-bid", "match-queued-bids", "cancel-bid", "expire-bid", "decline-job",
      "register-validator", "request-validator-exit", "withdraw-validator-stake",
      "commit-validation-result", "reveal-validation-result", "submit-validation-result",
      "finalize-validation", "claim-validation-reward", "set-paused", "withdraw-treasury", "sweep-surplus",
      "place-training-bid", "deliver-model", "reveal-evaluation-set",
    ];
    for (const fn of fns) expect(stats.get(`${fn} ok`) ?? 0, `${fn} succeeded`).toBeGreaterThan(0);
    // the new refusals are reached too
    const errors: [string, ErrorName][] = [
      ["place-computation-bid", "DEADLINE_TOO_FAR"],
      ["place-computation-bid", "BID_BELOW_ASK"],
      ["reveal-validation-result", "INVALID_SALT"],
      ["register-dataset", "INVALID_METADATA_URI"],
      ["add-dataset-stake", "INSUFFICIENT_FUNDS"],
      ["decline-job", "DECLINE_CLOSED"],
      ["decline-job", "VALIDATION_STARTED"],
      ["finalize-validation", "NOT_READY_TO_FINALIZE"],
      // verified jobs
      ["deliver-model", "NOT_VERIFIED_JOB"],
      ["deliver-model", "NOT_DATASET_PROVIDER"],
      ["deliver-model", "ALREADY_DELIVERED"],
      ["deliver-model", "DELIVERY_CLOSED"],
      ["reveal-evaluation-set", "NOT_BIDDER"],
      ["reveal-evaluation-set", "NOT_DELIVERED"],
      ["reveal-evaluation-set", "EVAL_ALREADY_REVEALED"],
      ["reveal-evaluation-set", "EVAL_REVEAL_CLOSED"],
      ["reveal-evaluation-set", "INVALID_SALT"],
      ["reveal-evaluation-set", "EVAL_COMMITMENT_MISMATCH"],
      ["commit-validation-result", "EVALUATION_NOT_REVEALED"],
      ["expire-bid", "BID_NOT_EXPIRED"],
      // digests of 32 bytes (fix12)
      ["place-training-bid", "INVALID_DIGEST"],
      ["deliver-model", "INVALID_DIGEST"],
      ["reveal-evaluation-set", "INVALID_DIGEST"],
    ];
    for (const [fn, e] of errors) expect(stats.get(`${fn} err ${e}`) ?? 0, `${fn} refused with ${e}`).toBeGreaterThan(0);
  });
});
