import { DEFAULTS } from "../helpers.ts";
import { BPS, ERW, type Model, bidOf, datasetOf, drawFor, evalRevealClosesAt, newCommittee } from "./model.ts";

/**
 * How the simulated parties behave, by bid id: the validators' scores (honest-ish, contested,
 * lazy seats), and on verified jobs the providers that never deliver, the bidders that never or
 * only late reveal their evaluation sets, the sets found unavailable and the garbage deliveries.
 */

/** Honest-ish scores: the job's "true quality" (near the thresholds, by bid id) plus noise, within 0-100. */
const QUALITIES = [25n, 39n, 40n, 41n, 55n, 56n, 69n, 70n, 71n, 85n];
export function judged(bidId: number, noise: bigint): bigint {
  const s = QUALITIES[bidId % QUALITIES.length] + noise;
  return s < 0n ? 0n : s > 100n ? 100n : s;
}

/**
 * The "lazy" seat: the last seat of a committee of 3+ on every third job and on contested jobs
 * never commits here, so those jobs reach the reveal phase by timeout and settle by median after
 * the reveal window (or by refund).
 */
export const isLazy = (bidId: number, seats: string[], who: string) =>
  (bidId % 3 === 0 || bidId % 5 === 2) && seats.length >= 3 && who === seats[seats.length - 1];

/**
 * Every fifth job is contested: its heaviest seat that commits scores 30, the others 50. The lower
 * median then falls below the slash threshold, and whether that is a slash depends on the weights:
 * two seats slash when the low one outweighs the other (a refund on a tie); with a lazy seat, the
 * low seat rarely holds a strict majority of the whole committee's weight (the no-majority refund).
 * Returns null for other jobs.
 */
export function contestedScore(m: Model, bidId: number, who: string): bigint | null {
  if (bidId % 5 !== 2 || !m.bids.has(bidId)) return null;
  const c = m.committees.get(bidId) ?? newCommittee(drawFor(m, bidId));
  if (!c.seats.includes(who)) return null;
  let low = -1;
  c.seats.forEach((s, i) => {
    if (!isLazy(bidId, c.seats, s) && (low < 0 || c.weights[i] > c.weights[low])) low = i;
  });
  return who === c.seats[low] ? 30n : 50n;
}

/** A verified job whose provider never delivers here ("smart" deliveries skip it): it ends as a missed delivery. */
export const lazyProvider = (bidId: number) => bidId % 7 === 4;
/** A verified job whose bidder never reveals its evaluation set here: it ends as a bidder default. */
export const lazyBidder = (bidId: number) => bidId % 7 === 5;
/**
 * A verified job whose bidder reveals late here: not before delivered-at + eval-reveal-window (the
 * close of the old rule's window) when its model came early enough that the window, counted from the
 * deadline, still runs after that.
 */
const lateBidder = (bidId: number) => bidId % 7 === 6;
/** The block before which a late bidder holds back (null: it does not). */
export function lateRevealFrom(m: Model, bidId: number): bigint | null {
  const d = m.deliveries.get(bidId);
  if (!lateBidder(bidId) || !d || d.model === null) return null;
  const from = d.deliveredAt + ERW + 1n;
  return from <= evalRevealClosesAt(bidOf(m, bidId)) ? from : null;
}
/** A verified job whose evaluation set turns out unavailable: its committee votes the reserved 101. */
export const unavailable = (m: Model, bidId: number) => bidOf(m, bidId).verified && bidId % 3 === 1;
/**
 * A verified job whose compute fee outweighs half its dataset's stake (the slash of its stake): its
 * delivery is garbage here (the audit's finding), the committee scores it 10, and the slash takes
 * back at least the compute fee.
 */
export function garbage(m: Model, bidId: number): boolean {
  const b = bidOf(m, bidId);
  return b.verified && b.computeFee > (datasetOf(m, b.datasetId).stake * DEFAULTS.slashRateBps) / BPS;
}
export const GARBAGE_SCORE = 10n;

/**
 * In the `it`s with the batch calls (m.batching) the validators act in batches on every other job:
 * the smart single commit, reveal and claim leave its seats to the batch calls (the direct submit of
 * a one-seat committee stays), so a validator gathers the seats of the jobs running side by side
 * before it acts and its batches carry several entries.
 */
export const batched = (m: Model, bidId: number) => m.batching && bidId % 2 === 1;
/**
 * In those `it`s the validators claim only in batches (a claim waits for no window: each gathers its
 * rewards, and its coherent seats hold its stake until it claims them).
 */
export const claimsInBatches = (m: Model) => m.batching;
