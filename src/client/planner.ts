/**
 * Planners: read the current state through a `MarketReader` and compute exactly what the
 * contract will pay out of its balance in a call, so the call can carry exact `willSendEq`
 * post-conditions. They mirror the contract's arithmetic (integer division, the lower
 * stake-weighted median, the bounded FIFO queue walk) and assume the call succeeds.
 *
 * The state is read now; a transaction runs later. Every planner takes `burnHeight` (the
 * `burn-block-height` the call will run at; default: the current one), and on a live chain a
 * stale plan makes the transaction abort on its post-conditions rather than move other amounts.
 */
import { BPS, MAX_COMMITTEE_SIZE, QUEUE_STEPS, type UintLike } from "./contract.ts";
import type { Bid, Committee, Dataset, JobDelivery, MarketParameters, MarketReader, OutcomeName, RevealedVote } from "./readers.ts";

export interface PlanOptions {
  /** The `burn-block-height` the call will execute at (default: the reader's current height). */
  burnHeight?: bigint;
}

/** A queued bid refunded because it can no longer meet its deadline. */
export interface QueueRefund {
  bidId: bigint;
  bidder: string;
  amount: bigint;
}

/** What the call's queue walk does: bids matched and bids refunded, in order. */
export interface QueuePlan {
  matched: bigint[];
  refunded: QueueRefund[];
}

/** The STX a call's queue walk sends out (the sum of `queue.refunded`). */
export interface QueueOutflow {
  queueRefunds: bigint;
  queue: QueuePlan;
}

/** The contract's payouts when a job settles: what the settling builders take. */
export interface SettlementAmounts {
  providerPayment: bigint;
  bidderRefund: bigint;
  queueRefunds: bigint;
}

/** A job's settlement, as the contract will compute it. */
export interface SettlementPlan extends SettlementAmounts {
  /**
   * `finalized` by the median, or `refunded`: for lack of reveals (outcome NO_QUORUM) or because
   * the median would slash without a majority of the committee's weight (NO_MAJORITY).
   */
  kind: "finalized" | "refunded";
  bidId: bigint;
  datasetId: bigint;
  provider: string;
  bidder: string;
  /** The stake-weighted lower median (null when refunded). */
  finalScore: bigint | null;
  outcome: OutcomeName;
  slashed: bigint;
  validatorFees: bigint;
  protocolFee: bigint;
  queue: QueuePlan;
}

export class PlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PlanError";
  }
}

function must<T>(value: T | null, what: string): T {
  if (value === null) throw new PlanError(`${what} not found`);
  return value;
}

// ---------------------------------------------------------------------------
// Pure arithmetic, mirrored from the contract
// ---------------------------------------------------------------------------

/** The reserved vote on a verified job: "evaluation set unavailable" (SCORE_UNAVAILABLE). */
export const SCORE_UNAVAILABLE = 101n;

/**
 * The stake-weighted lower median (`weighted-median`): the smallest revealed score s with
 * 2 * (weight of revealed scores <= s) >= total weight. Scores run 0..101 (101: the reserved
 * vote); like the contract's fold, it starts above them all (102, never a result of a real
 * committee, whose revealed weight is the sum of its votes).
 */
export function weightedMedian(revealed: readonly RevealedVote[], totalWeight: bigint): bigint {
  let median = SCORE_UNAVAILABLE + 1n;
  for (const vote of revealed) {
    const atOrBelow = revealed.filter((v) => v.score <= vote.score).reduce((sum, v) => sum + v.weight, 0n);
    if (vote.score < median && 2n * atOrBelow >= totalWeight) median = vote.score;
  }
  return median;
}

/**
 * `slash-backed`: whether the revealed votes below the slash threshold hold a strict majority
 * of the whole committee's weight (silent seats included). A median below the threshold
 * without it is no result: the job is refunded (outcome NO_MAJORITY).
 */
export function slashBacked(revealed: readonly RevealedVote[], slashThreshold: bigint, committeeWeight: bigint): boolean {
  const below = revealed.filter((v) => v.score < slashThreshold).reduce((sum, v) => sum + v.weight, 0n);
  return 2n * below > committeeWeight;
}

/** `coherent-score`: within the tolerance, or equal when either side is the reserved vote. */
export function coherentScore(score: bigint, finalScore: bigint, tolerance: bigint): boolean {
  if (score === SCORE_UNAVAILABLE || finalScore === SCORE_UNAVAILABLE) return score === finalScore;
  return (score > finalScore ? score - finalScore : finalScore - score) <= tolerance;
}

/** What a matched job is due now (`job-timeline`'s stage). */
export type JobStage = "running" | "missed" | "defaulted" | "ended";

export interface JobTimeline {
  /** Votes may be taken (a plain job, or a verified job whose evaluation set is revealed). */
  open: boolean;
  delivered: boolean;
  commitClosesAt: bigint;
  revealClosesAt: bigint;
  stage: JobStage;
}

/**
 * `job-timeline`: a matched job's windows and what ending it is due at `burnHeight`. A verified
 * job takes no vote before its evaluation set is revealed, then for validation-window blocks.
 * Undelivered, it is missed once both its deadline and its decline window
 * (`matchedAt + declineWindow`) have passed; delivered but unrevealed, it is a bidder default
 * after `deadline + evalRevealWindow` (however early the delivery).
 */
export function jobTimeline(
  bid: Pick<Bid, "verified" | "deadline" | "matchedAt">,
  delivery: JobDelivery | null,
  params: Pick<MarketParameters, "validationWindow" | "revealWindow" | "evalRevealWindow" | "declineWindow">,
  burnHeight: bigint,
): JobTimeline {
  const d = bid.verified ? delivery : null;
  const delivered = d !== null && d.model !== null;
  const revealed = d !== null && d.evalDigest !== null;
  const open = !bid.verified || revealed;
  const commitClosesAt =
    d === null ? bid.deadline + params.validationWindow : (revealed ? d.evalRevealedAt : bid.deadline + params.evalRevealWindow) + params.validationWindow;
  const revealClosesAt = commitClosesAt + params.revealWindow;
  let stage: JobStage;
  // a delivery is missed once the provider can neither deliver nor decline; the set is due after the deadline
  const declineCloses = bid.matchedAt + params.declineWindow;
  if (bid.verified && !delivered) stage = burnHeight > (bid.deadline > declineCloses ? bid.deadline : declineCloses) ? "missed" : "running";
  else if (!open) stage = burnHeight > bid.deadline + params.evalRevealWindow ? "defaulted" : "running";
  else stage = burnHeight > revealClosesAt ? "ended" : "running";
  return { open, delivered, commitClosesAt, revealClosesAt, stage };
}

/** `job-escrow`: what a matched job still holds: its amount, less what a delivery paid out. */
export function jobEscrow(bid: Pick<Bid, "amount" | "computeFee">, delivered: boolean, params: Pick<MarketParameters, "validatorFeeBps">): bigint {
  return delivered ? bid.amount - (bid.computeFee - (bid.computeFee * params.validatorFeeBps) / BPS) : bid.amount;
}

/** `deliver-model`: the provider's payment on delivery, the compute fee less the validators' share and the protocol fee. */
export function deliveryPayment(computeFee: bigint, params: Pick<MarketParameters, "validatorFeeBps" | "protocolFeeBps">): bigint {
  return computeFee - (computeFee * params.validatorFeeBps) / BPS - (computeFee * params.protocolFeeBps) / BPS;
}

/** `min-reveals`: min-reveals-bps of the seats, rounded up. */
export function minReveals(seatCount: UintLike, minRevealsBps: bigint): bigint {
  return (BigInt(seatCount) * minRevealsBps + (BPS - 1n)) / BPS;
}

export interface Payouts {
  outcome: OutcomeName;
  payment: bigint;
  slashed: bigint;
  validatorFees: bigint;
  protocolFee: bigint;
  providerPayment: bigint;
  bidderRefund: bigint;
}

/**
 * Payment, slash, fees, provider payment and bidder refund of a job with a final score
 * (`settle-job`). A verified job's compute fee was paid at delivery: the rest of the bid follows
 * the score, the validators' share of the compute fee joins their fees, and a slash takes back
 * at least the compute fee (as far as the stake goes) and never exceeds the bid's amount. A final score of SCORE_UNAVAILABLE is a bidder default (the rest
 * paid in full, no slash). `coherent: false` (nobody voted) sends the validators' fees to the
 * treasury.
 */
export function settlementPayouts(
  amount: bigint,
  finalScore: bigint,
  datasetStake: bigint,
  params: Pick<MarketParameters, "rewardThreshold" | "slashThreshold" | "slashRateBps" | "validatorFeeBps" | "protocolFeeBps">,
  job: { verified?: boolean; computeFee?: bigint; coherent?: boolean } = {},
): Payouts {
  const { rewardThreshold, slashThreshold } = params;
  const computeFee = job.computeFee ?? 0n;
  const rest = amount - computeFee;
  const carried = (computeFee * params.validatorFeeBps) / BPS;
  const defaulted = finalScore === SCORE_UNAVAILABLE;
  const payment =
    defaulted || finalScore >= rewardThreshold
      ? rest
      : finalScore > slashThreshold
        ? (rest * (finalScore - slashThreshold)) / (rewardThreshold - slashThreshold)
        : 0n;
  const slashOfStake = (datasetStake * params.slashRateBps) / BPS;
  // a verified slash takes back at least the compute fee (as far as the stake goes), never more than the bid
  const max = (a: bigint, b: bigint) => (a > b ? a : b);
  const min = (a: bigint, b: bigint) => (a < b ? a : b);
  const slashed =
    !defaulted && finalScore < slashThreshold ? (job.verified ? min(min(max(slashOfStake, computeFee), datasetStake), amount) : slashOfStake) : 0n;
  const paymentFees = (payment * params.validatorFeeBps) / BPS;
  const feeOfRest = (rest * params.validatorFeeBps) / BPS;
  const validatorFees = job.coherent === false ? 0n : carried + (payment > 0n ? paymentFees : feeOfRest < slashed ? feeOfRest : slashed);
  const protocolFee = (payment * params.protocolFeeBps) / BPS;
  const providerPayment = payment > 0n ? payment - paymentFees - protocolFee : 0n;
  const outcome: OutcomeName = defaulted
    ? "BIDDER_DEFAULT"
    : finalScore >= rewardThreshold
      ? "REWARDED"
      : finalScore < slashThreshold
        ? "SLASHED"
        : "PARTIAL";
  return { outcome, payment, slashed, validatorFees, protocolFee, providerPayment, bidderRefund: rest - payment };
}

// ---------------------------------------------------------------------------
// The queue walk (`process-queue` / `match-step`)
// ---------------------------------------------------------------------------

interface QueueState {
  head: bigint;
  open: boolean;
  capacity: bigint;
  activeJobs: bigint;
}

/** A bid the call itself appends to the queue (place-computation-bid), not yet readable. */
interface AppendedBid {
  bidId: bigint;
  /** The queue's tail before the append (0 when the queue was empty). */
  after: bigint;
  duration: bigint;
  deadline: bigint;
  bidder: string;
  amount: bigint;
}

/** Whether `process-queue` would consider the dataset open (contract not paused, active, stake at the minimum). */
export async function datasetOpen(reader: MarketReader, dataset: Pick<Dataset, "active" | "stake">): Promise<boolean> {
  if (!dataset.active) return false;
  const [paused, params] = await Promise.all([reader.isPaused(), reader.getParameters()]);
  return !paused && dataset.stake >= params.minDatasetStake;
}

/** Walks at most QUEUE_STEPS queue heads like `match-step`: match into free slots, refund the infeasible. */
export async function walkQueue(
  reader: MarketReader,
  state: QueueState,
  burnHeight: bigint,
  appended?: AppendedBid,
): Promise<QueueOutflow> {
  const queue: QueuePlan = { matched: [], refunded: [] };
  let { head, activeJobs } = state;
  if (appended && head === 0n) head = appended.bidId;
  for (let step = 0; step < QUEUE_STEPS; step++) {
    if (head === 0n || !state.open || activeJobs >= state.capacity) break;
    let bid: Pick<Bid, "duration" | "deadline" | "bidder" | "amount">;
    let next: bigint;
    if (appended && head === appended.bidId) {
      bid = appended;
      next = 0n;
    } else {
      bid = must(await reader.getBid(head), `queued bid ${head}`);
      next = must(await reader.getQueueLink(head), `queue link of bid ${head}`).next;
      if (appended && next === 0n && head === appended.after) next = appended.bidId;
    }
    if (burnHeight + bid.duration <= bid.deadline) {
      queue.matched.push(head);
      activeJobs += 1n;
    } else {
      queue.refunded.push({ bidId: head, bidder: bid.bidder, amount: bid.amount });
    }
    head = next;
  }
  return { queue, queueRefunds: queue.refunded.reduce((sum, r) => sum + r.amount, 0n) };
}

async function heightOf(reader: MarketReader, options?: PlanOptions): Promise<bigint> {
  return options?.burnHeight ?? (await reader.burnHeight());
}

/** The queue walk of a dataset after the call changed it (`changes` = the merged fields). */
async function queueAfter(
  reader: MarketReader,
  dataset: Dataset,
  changes: Partial<Pick<Dataset, "stake" | "activeJobs" | "maxConcurrentJobs">>,
  burnHeight: bigint,
): Promise<QueueOutflow> {
  const updated = { ...dataset, ...changes };
  return walkQueue(
    reader,
    {
      head: updated.queueHead,
      open: await datasetOpen(reader, updated),
      capacity: updated.maxConcurrentJobs,
      activeJobs: updated.activeJobs,
    },
    burnHeight,
  );
}

// ---------------------------------------------------------------------------
// Planners, one per call whose payouts depend on state
// ---------------------------------------------------------------------------

/** `add-dataset-stake`: a top-up can reopen an understaked dataset and walk its queue. */
export async function planAddDatasetStake(
  reader: MarketReader,
  args: { datasetId: UintLike; amount: UintLike },
  options?: PlanOptions,
): Promise<QueueOutflow> {
  const dataset = must(await reader.getDataset(args.datasetId), `dataset ${args.datasetId}`);
  return queueAfter(reader, dataset, { stake: dataset.stake + BigInt(args.amount) }, await heightOf(reader, options));
}

/** `set-dataset-terms`: new slots walk the queue. */
export async function planSetDatasetTerms(
  reader: MarketReader,
  args: { datasetId: UintLike; maxConcurrentJobs: UintLike },
  options?: PlanOptions,
): Promise<QueueOutflow> {
  const dataset = must(await reader.getDataset(args.datasetId), `dataset ${args.datasetId}`);
  return queueAfter(reader, dataset, { maxConcurrentJobs: BigInt(args.maxConcurrentJobs) }, await heightOf(reader, options));
}

/** `withdraw-dataset-stake`: the whole remaining stake goes back to the provider. */
export async function planWithdrawDatasetStake(reader: MarketReader, args: { datasetId: UintLike }): Promise<{ stake: bigint }> {
  const dataset = must(await reader.getDataset(args.datasetId), `dataset ${args.datasetId}`);
  return { stake: dataset.stake };
}

/**
 * `place-computation-bid`: matched at once when the dataset has a free slot and no queue;
 * otherwise appended to the queue, which is then walked (stale heads are refunded).
 */
export async function planPlaceComputationBid(
  reader: MarketReader,
  args: { caller: string; datasetId: UintLike; amount: UintLike; duration: UintLike; deadline: UintLike },
  options?: PlanOptions,
): Promise<QueueOutflow & { bidId: bigint; matchedAtOnce: boolean }> {
  const [dataset, ids] = await Promise.all([reader.getDataset(args.datasetId), reader.getLastIds()]);
  const ds = must(dataset, `dataset ${args.datasetId}`);
  const bidId = ids.bidId + 1n;
  if (ds.queueHead === 0n && ds.activeJobs < ds.maxConcurrentJobs) {
    return { bidId, matchedAtOnce: true, queueRefunds: 0n, queue: { matched: [bidId], refunded: [] } };
  }
  const walk = await walkQueue(
    reader,
    { head: ds.queueHead, open: await datasetOpen(reader, ds), capacity: ds.maxConcurrentJobs, activeJobs: ds.activeJobs },
    await heightOf(reader, options),
    {
      bidId,
      after: ds.queueTail,
      duration: BigInt(args.duration),
      deadline: BigInt(args.deadline),
      bidder: args.caller,
      amount: BigInt(args.amount),
    },
  );
  return { ...walk, bidId, matchedAtOnce: false };
}

/** `match-queued-bids`: the queue walk as is. */
export async function planMatchQueuedBids(reader: MarketReader, args: { datasetId: UintLike }, options?: PlanOptions): Promise<QueueOutflow> {
  const dataset = must(await reader.getDataset(args.datasetId), `dataset ${args.datasetId}`);
  return queueAfter(reader, dataset, {}, await heightOf(reader, options));
}

/** `cancel-bid`: the bid's full amount back to the bidder. */
export async function planCancelBid(reader: MarketReader, args: { bidId: UintLike }): Promise<{ refund: bigint }> {
  const bid = must(await reader.getBid(args.bidId), `bid ${args.bidId}`);
  return { refund: bid.amount };
}

/** A job's parameters and, for a verified job, its delivery record. */
async function jobContext(reader: MarketReader, bidId: bigint, bid: Bid) {
  const [params, delivery] = await Promise.all([
    reader.getParametersAt(bid.parameterVersion),
    bid.verified ? reader.getJobDelivery(bidId) : Promise.resolve(null),
  ]);
  return { params: must(params, `parameter version ${bid.parameterVersion}`), delivery };
}

/**
 * The refund path (`fail-job`, `decline-job`, `miss-delivery`): what the job still holds in
 * escrow back to the bidder, the slot freed and the queue walked. A missed delivery also
 * slashes non-delivery-slash-bps of the dataset's stake (at most the bid's compute fee: nothing
 * when it asked nothing), which can leave the dataset under-staked for the queue.
 */
async function refundJob(
  reader: MarketReader,
  bidId: bigint,
  bid: Bid,
  burnHeight: bigint,
  outcome: OutcomeName = "NO_QUORUM",
): Promise<SettlementPlan> {
  const [dataset, { params, delivery }] = await Promise.all([reader.getDataset(bid.datasetId), jobContext(reader, bidId, bid)]);
  const ds = must(dataset, `dataset ${bid.datasetId}`);
  const timeline = jobTimeline(bid, delivery, params, burnHeight);
  const ndSlash = (ds.stake * params.nonDeliverySlashBps) / BPS;
  const slashed = outcome === "NOT_DELIVERED" ? (ndSlash > bid.computeFee ? bid.computeFee : ndSlash) : 0n;
  const walk = await queueAfter(reader, ds, { stake: ds.stake - slashed, activeJobs: ds.activeJobs - 1n }, burnHeight);
  return {
    kind: "refunded",
    bidId,
    datasetId: bid.datasetId,
    provider: ds.provider,
    bidder: bid.bidder,
    finalScore: null,
    outcome,
    providerPayment: 0n,
    bidderRefund: jobEscrow(bid, timeline.delivered, params),
    slashed,
    validatorFees: 0n,
    protocolFee: 0n,
    ...walk,
  };
}

/**
 * `finalize-job`: settles by the median of `revealed`, frees the slot and walks the queue; a
 * median below the slash threshold without a majority of `committeeWeight` is refunded instead.
 * `finalScore` given (a bidder default with no vote) skips the median.
 */
async function finalizeJob(
  reader: MarketReader,
  bidId: bigint,
  bid: Bid,
  revealed: readonly RevealedVote[],
  revealedWeight: bigint,
  committeeWeight: bigint,
  burnHeight: bigint,
  defaultScore?: bigint,
): Promise<SettlementPlan> {
  const [dataset, params] = await Promise.all([reader.getDataset(bid.datasetId), reader.getParametersAt(bid.parameterVersion)]);
  const ds = must(dataset, `dataset ${bid.datasetId}`);
  const version = must(params, `parameter version ${bid.parameterVersion}`);
  const finalScore = defaultScore ?? weightedMedian(revealed, revealedWeight);
  if (finalScore < version.slashThreshold && !slashBacked(revealed, version.slashThreshold, committeeWeight)) {
    return refundJob(reader, bidId, bid, burnHeight, "NO_MAJORITY");
  }
  const payouts = settlementPayouts(bid.amount, finalScore, ds.stake, version, {
    verified: bid.verified,
    computeFee: bid.computeFee,
    coherent: revealed.length > 0,
  });
  const walk = await queueAfter(reader, ds, { stake: ds.stake - payouts.slashed, activeJobs: ds.activeJobs - 1n }, burnHeight);
  return {
    kind: "finalized",
    bidId,
    datasetId: bid.datasetId,
    provider: ds.provider,
    bidder: bid.bidder,
    finalScore,
    outcome: payouts.outcome,
    providerPayment: payouts.providerPayment,
    bidderRefund: payouts.bidderRefund,
    slashed: payouts.slashed,
    validatorFees: payouts.validatorFees,
    protocolFee: payouts.protocolFee,
    ...walk,
  };
}

/** A matched job due to end (`expire-bid` / `finalize-validation` past the running stage). */
async function endJob(reader: MarketReader, bidId: bigint, bid: Bid, burnHeight: bigint): Promise<SettlementPlan> {
  const { params, delivery } = await jobContext(reader, bidId, bid);
  const timeline = jobTimeline(bid, delivery, params, burnHeight);
  if (timeline.stage === "missed") return refundJob(reader, bidId, bid, burnHeight, "NOT_DELIVERED");
  if (timeline.stage === "defaulted") return finalizeJob(reader, bidId, bid, [], 0n, 0n, burnHeight, SCORE_UNAVAILABLE);
  const committee = await reader.getCommittee(bidId);
  if (committee && committee.reveals >= minReveals(committee.seats.length, params.minRevealsBps)) {
    return finalizeJob(reader, bidId, bid, committee.revealed, committee.revealedWeight, committee.totalWeight, burnHeight);
  }
  return refundJob(reader, bidId, bid, burnHeight);
}

/**
 * `expire-bid`: a queued bid gets its amount back (no queue walk); a matched job is refunded
 * (`fail-job`), or, verified, failed for a missed delivery (refund, slash) or settled as a
 * bidder default (the provider is paid, refund 0); its slot is freed and the queue walked.
 */
export async function planExpireBid(
  reader: MarketReader,
  args: { bidId: UintLike },
  options?: PlanOptions,
): Promise<{ refund: bigint; providerPayment: bigint; queueRefunds: bigint; queue: QueuePlan }> {
  const bidId = BigInt(args.bidId);
  const bid = must(await reader.getBid(bidId), `bid ${bidId}`);
  if (bid.status === "QUEUED") return { refund: bid.amount, providerPayment: 0n, queueRefunds: 0n, queue: { matched: [], refunded: [] } };
  const settlement = await endJob(reader, bidId, bid, await heightOf(reader, options));
  return {
    refund: settlement.bidderRefund,
    providerPayment: settlement.providerPayment,
    queueRefunds: settlement.queueRefunds,
    queue: settlement.queue,
  };
}

/** `deliver-model`: the provider's payment on delivery. */
export async function planDeliverModel(reader: MarketReader, args: { bidId: UintLike }): Promise<{ payment: bigint }> {
  const bidId = BigInt(args.bidId);
  const bid = must(await reader.getBid(bidId), `bid ${bidId}`);
  const params = must(await reader.getParametersAt(bid.parameterVersion), `parameter version ${bid.parameterVersion}`);
  return { payment: deliveryPayment(bid.computeFee, params) };
}

/**
 * `decline-job`: the provider refuses a job early: the bid's amount back to the bidder, the
 * slot freed and the queue walked.
 */
export async function planDeclineJob(
  reader: MarketReader,
  args: { bidId: UintLike },
  options?: PlanOptions,
): Promise<{ refund: bigint; queueRefunds: bigint; queue: QueuePlan }> {
  const bidId = BigInt(args.bidId);
  const bid = must(await reader.getBid(bidId), `bid ${bidId}`);
  const settlement = await refundJob(reader, bidId, bid, await heightOf(reader, options));
  return { refund: settlement.bidderRefund, queueRefunds: settlement.queueRefunds, queue: settlement.queue };
}

/** `withdraw-validator-stake`: the validator's whole (possibly penalized) stake. */
export async function planWithdrawValidatorStake(reader: MarketReader, args: { caller: string }): Promise<{ stake: bigint }> {
  const validator = must(await reader.getValidator(args.caller), `validator ${args.caller}`);
  return { stake: validator.stake };
}

/**
 * `reveal-validation-result`: the reveal that completes every seat finalizes the job;
 * `settlement` is null when this reveal does not (the call then moves no STX).
 */
export async function planRevealValidationResult(
  reader: MarketReader,
  args: { caller: string; bidId: UintLike; score: UintLike },
  options?: PlanOptions,
): Promise<{ settlement: SettlementPlan | null }> {
  const bidId = BigInt(args.bidId);
  const [bid, committee, vote] = await Promise.all([reader.getBid(bidId), reader.getCommittee(bidId), reader.getVote(bidId, args.caller)]);
  const drawn: Committee = must(committee, `committee of bid ${bidId}`);
  const cast = must(vote, `vote of ${args.caller} on bid ${bidId}`);
  if (drawn.reveals + 1n !== BigInt(drawn.seats.length)) return { settlement: null };
  const revealed = [...drawn.revealed, { score: BigInt(args.score), weight: cast.weight }];
  const settlement = await finalizeJob(
    reader,
    bidId,
    must(bid, `bid ${bidId}`),
    revealed,
    drawn.revealedWeight + cast.weight,
    drawn.totalWeight,
    await heightOf(reader, options),
  );
  return { settlement };
}

/** `submit-validation-result` (one-seat committee): finalizes at once with the caller's score. */
export async function planSubmitValidationResult(
  reader: MarketReader,
  args: { caller: string; bidId: UintLike; score: UintLike },
  options?: PlanOptions,
): Promise<{ settlement: SettlementPlan }> {
  const bidId = BigInt(args.bidId);
  const [bid, validator, committee] = await Promise.all([
    reader.getBid(bidId),
    reader.getValidator(args.caller),
    reader.getCommittee(bidId),
  ]);
  // the seat's weight: fixed at the draw, or the stake now when this call draws the committee
  const seat = committee ? committee.seats.indexOf(args.caller) : -1;
  const weight = seat >= 0 ? committee!.weights[seat] : must(validator, `validator ${args.caller}`).stake;
  const settlement = await finalizeJob(
    reader,
    bidId,
    must(bid, `bid ${bidId}`),
    [{ score: BigInt(args.score), weight }],
    weight,
    weight,
    await heightOf(reader, options),
  );
  return { settlement };
}

/**
 * `finalize-validation`: by the median with at least min-reveals reveals, otherwise the
 * refund path (outcome NO_QUORUM); a verified job may instead be due for a missed delivery or a
 * bidder default (`endJob`).
 */
export async function planFinalizeValidation(
  reader: MarketReader,
  args: { bidId: UintLike },
  options?: PlanOptions,
): Promise<{ settlement: SettlementPlan }> {
  const bidId = BigInt(args.bidId);
  const bid = must(await reader.getBid(bidId), `bid ${bidId}`);
  return { settlement: await endJob(reader, bidId, bid, await heightOf(reader, options)) };
}

/**
 * The most a call settling `bidIds` can send, whatever lands before it: what each job holds in
 * escrow (its provider payment and refund together never exceed it), plus, per dataset, the bids at
 * the head of its queue that settlements can refund as no longer feasible: each of the dataset's
 * running jobs (this call's among them) may settle first and walk QUEUE_STEPS heads. A bid placed
 * into the queue after this read is not counted: a walk refunds only bids that can no longer meet
 * their deadline, which a bid placed moments before cannot.
 */
export async function planSettlementCeiling(reader: MarketReader, args: { bidIds: readonly UintLike[] }): Promise<bigint> {
  let ceiling = 0n;
  const datasets = new Map<bigint, Dataset>();
  for (const id of args.bidIds) {
    const bidId = BigInt(id);
    const bid = must(await reader.getBid(bidId), `bid ${bidId}`);
    const { params, delivery } = await jobContext(reader, bidId, bid);
    ceiling += jobEscrow(bid, jobTimeline(bid, delivery, params, 0n).delivered, params);
    if (!datasets.has(bid.datasetId)) datasets.set(bid.datasetId, must(await reader.getDataset(bid.datasetId), `dataset ${bid.datasetId}`));
  }
  for (const dataset of datasets.values()) {
    const heads = BigInt(QUEUE_STEPS) * (dataset.activeJobs > 1n ? dataset.activeJobs : 1n);
    let head = dataset.queueHead;
    for (let step = 0n; step < heads && head !== 0n; step++) {
      const [queued, link] = await Promise.all([reader.getBid(head), reader.getQueueLink(head)]);
      ceiling += must(queued, `queued bid ${head}`).amount;
      head = link ? link.next : 0n;
    }
  }
  return ceiling;
}

/**
 * `reveal-validation-results`: the settlement ceiling of the jobs revealed on (each entry may
 * complete its committee, whoever else reveals first), and the settlements planned for the entries
 * that complete their committee as things stand (null for the others).
 */
export async function planRevealValidationResults(
  reader: MarketReader,
  args: { caller: string; reveals: readonly { bidId: UintLike; score: UintLike }[] },
  options?: PlanOptions,
): Promise<{ ceiling: bigint; settlements: (SettlementPlan | null)[] }> {
  const [planned, ceiling] = await Promise.all([
    Promise.all(args.reveals.map((r) => planRevealValidationResult(reader, { caller: args.caller, bidId: r.bidId, score: r.score }, options))),
    planSettlementCeiling(reader, { bidIds: args.reveals.map((r) => r.bidId) }),
  ]);
  return { ceiling, settlements: planned.map((p) => p.settlement) };
}

/**
 * `claim-validation-rewards`: the rewards planned now (planClaimValidationReward per job), their
 * total, and the ceiling a post-condition can safely allow: a claimant's share can exceed its
 * planned share only by the rounding the other coherent claimants leave behind (at most one
 * micro-STX each, so MAX_COMMITTEE_SIZE per job), never beyond the job's pool.
 */
export async function planClaimValidationRewards(
  reader: MarketReader,
  args: { caller: string; bidIds: readonly UintLike[] },
): Promise<{ rewards: bigint[]; total: bigint; ceiling: bigint }> {
  const planned = await Promise.all(
    args.bidIds.map(async (bidId) => {
      const [{ reward, coherent }, result] = await Promise.all([
        planClaimValidationReward(reader, { caller: args.caller, bidId }),
        reader.getJobResult(bidId),
      ]);
      const pool = must(result, `job result of bid ${bidId}`).rewardPool;
      const ceiling = coherent ? (reward + MAX_COMMITTEE_SIZE < pool ? reward + MAX_COMMITTEE_SIZE : pool) : 0n;
      return { reward, ceiling };
    }),
  );
  return {
    rewards: planned.map((p) => p.reward),
    total: planned.reduce((sum, p) => sum + p.reward, 0n),
    ceiling: planned.reduce((sum, p) => sum + p.ceiling, 0n),
  };
}

/**
 * `claim-validation-reward`: a coherent vote's stake-weighted share of the remaining pool
 * (the last coherent claimant takes the rest); 0 for an outlier or an unrevealed vote.
 */
export async function planClaimValidationReward(
  reader: MarketReader,
  args: { caller: string; bidId: UintLike },
): Promise<{ reward: bigint; coherent: boolean }> {
  const bidId = BigInt(args.bidId);
  const [bid, result, vote] = await Promise.all([reader.getBid(bidId), reader.getJobResult(bidId), reader.getVote(bidId, args.caller)]);
  const job = must(bid, `bid ${bidId}`);
  const final = must(result, `job result of bid ${bidId}`);
  const cast = must(vote, `vote of ${args.caller} on bid ${bidId}`);
  const params = must(await reader.getParametersAt(job.parameterVersion), `parameter version ${job.parameterVersion}`);
  const coherent = cast.revealed && coherentScore(cast.score, final.finalScore, params.consensusTolerance);
  if (!coherent) return { reward: 0n, coherent };
  const reward = cast.weight >= final.rewardWeight ? final.rewardPool : (final.rewardPool * cast.weight) / final.rewardWeight;
  return { reward, coherent };
}
