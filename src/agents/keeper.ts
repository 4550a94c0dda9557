/**
 * The keeper as a program: it settles what the contract leaves to "anyone" so that no STX stays
 * locked because nobody was paid to send a call. On a live chain nothing else guarantees it:
 * - `expire-bid` on a queued bid that can no longer meet its deadline, or whose dataset was
 *   retired: the bidder's escrow goes back;
 * - `finalize-validation` on a matched job past its running stage: a job whose committee never
 *   revealed enough (NO_QUORUM, escrow refunded, silent seats penalized), an undelivered verified
 *   job (NOT_DELIVERED), a bidder that never revealed its evaluation set (BIDDER_DEFAULT), or a
 *   job whose reveals are in but whose last reveal did not settle it. It covers every case
 *   `expire-bid` covers on a matched job, and more (a settled median);
 * - `match-queued-bids` on a dataset with a free slot and a waiting queue that no call walked
 *   (a queue longer than one walk's QUEUE_STEPS heads, or an unpause): bids start, or stale heads
 *   are refunded.
 * It leaves `draw-committee` to the validators (a validator's commit draws it too, and a job
 * without a committee still ends, refunded) and `execute-proposal` to governance.
 *
 * Whoever sends these calls pays only the transaction fee: every payout goes to the parties the
 * contract names, so anyone may run a keeper. Each call is checked first against the conditions
 * the contract checks (read through the same views) and planned by `MarketClient`, so it carries
 * exact post-conditions and is not sent when it would be refused; a call refused anyway (another
 * party landing first, a post-condition abort after a race) is reported as `failed` and retried
 * later with a growing back-off (2, 4, ... up to 144 blocks).
 *
 * Bounded work: bid ids are consecutive, so a cursor reads each new id once (at most `scanLimit`
 * per step); a live bid is remembered with the first height at which it can be due, and only
 * bids whose height has come are re-read (at most `visitLimit` per step, at most `callLimit`
 * calls). Settled, cancelled and expired bids are forgotten. The memory and the reads per step
 * grow with the live bids, never with the market's history.
 */
import { jobTimeline, type Bid, type Dataset, type MarketCall, type MarketParameters, type OutcomeName } from "../client/index.ts";
import { OUTCOME } from "../errors.ts";
import { PostConditionViolation, type Chain, type TxResult } from "./chain.ts";
import { isLive } from "./jobs.ts";
import type { Agent } from "./run.ts";

export interface KeeperOptions {
  chain: Chain;
  /** The principal that sends the keeper's calls (and pays their fees). */
  account: string;
  name?: string;
  /** The first bid id to look at (default 1: the whole history once, `scanLimit` ids per step). */
  fromBidId?: bigint;
  /** New bid ids read per step (default 200). */
  scanLimit?: number;
  /** Remembered bids re-read per step, those due first in id order (default 100). */
  visitLimit?: number;
  /** Calls sent per step (default 25). */
  callLimit?: number;
  /**
   * Blocks to wait after a bid or job falls due by height before acting (default 0): leaves the
   * interested parties (a provider owed a bidder default, a seated validator) time to settle
   * their own jobs first, so the keeper spends fees only on what they leave behind.
   */
  delay?: bigint;
  log?: (line: string) => void;
}

/** One thing the keeper did in a step. */
export type KeeperAction =
  /** `expire-bid` on a queued bid: its amount back to the bidder. */
  | { kind: "expired"; bidId: bigint; bidder: string; refund: bigint }
  /** `finalize-validation` on a matched job: its outcome and what its bidder got back. */
  | { kind: "finalized"; bidId: bigint; outcome: OutcomeName; refund: bigint; providerPayment: bigint }
  /** `match-queued-bids` on a dataset: the bids it started and the stale ones it refunded. */
  | { kind: "matched"; datasetId: bigint; matched: bigint[]; refunded: bigint[] }
  /** A call refused by the planner or the contract (retried later). */
  | { kind: "failed"; bidId?: bigint; datasetId?: bigint; call: string; error: string };

/** A live bid the keeper remembers until it is settled. */
interface Tracked {
  datasetId: bigint;
  queued: boolean;
  /** The first burn height at which it can be due (0: look at it now). */
  notBefore: bigint;
  failures: number;
}

/** A dataset holding remembered queued bids, as last read. */
interface QueueWatch {
  active: boolean;
  matchedJobs: bigint;
  /** Refused match-queued-bids calls in a row, and the height before which none is sent again. */
  failures: number;
  retryAt: bigint;
}

/** The wait after `failures` refused calls in a row: 2, 4, 8, ... blocks, at most a day. */
function backoff(failures: number): bigint {
  const blocks = 1n << BigInt(Math.min(failures, 8));
  return blocks < MAX_BACKOFF ? blocks : MAX_BACKOFF;
}

/** The longest back-off after refused calls: a day of Bitcoin blocks. */
const MAX_BACKOFF = 144n;

const OUTCOME_NAMES = new Map<bigint, OutcomeName>(Object.entries(OUTCOME).map(([name, code]) => [BigInt(code), name as OutcomeName]));

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function min(...values: bigint[]): bigint {
  return values.reduce((a, b) => (a < b ? a : b));
}

export class KeeperAgent implements Agent {
  readonly name: string;
  readonly account: string;
  private readonly chain: Chain;
  private readonly scanLimit: number;
  private readonly visitLimit: number;
  private readonly callLimit: number;
  private readonly delay: bigint;
  private readonly log?: (line: string) => void;
  /** The next bid id never read. */
  private nextId: bigint;
  private readonly tracked = new Map<bigint, Tracked>();
  private readonly queues = new Map<bigint, QueueWatch>();
  /** Parameter sets by version (a version never changes once written). */
  private readonly paramsByVersion = new Map<bigint, MarketParameters>();

  constructor(options: KeeperOptions) {
    const positive = (value: number | undefined, fallback: number, what: string) => {
      const v = value ?? fallback;
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`keeper: ${what} must be a positive integer, got ${value}`);
      return v;
    };
    this.chain = options.chain;
    this.account = options.account;
    this.name = options.name ?? "keeper";
    this.scanLimit = positive(options.scanLimit, 200, "scanLimit");
    this.visitLimit = positive(options.visitLimit, 100, "visitLimit");
    this.callLimit = positive(options.callLimit, 25, "callLimit");
    this.delay = options.delay ?? 0n;
    if (this.delay < 0n) throw new RangeError(`keeper: delay must not be negative, got ${this.delay}`);
    this.nextId = options.fromBidId ?? 1n;
    if (this.nextId < 1n) throw new RangeError(`keeper: fromBidId must be at least 1, got ${this.nextId}`);
    this.log = options.log;
  }

  /** How many live bids it remembers (to settle when they fall due). */
  get watching(): number {
    return this.tracked.size;
  }

  /** The lowest bid id it has not read yet. */
  get cursor(): bigint {
    return this.nextId;
  }

  /** One pass: read new bids, restart stalled queues, then settle every remembered bid that is due. */
  async step(): Promise<KeeperAction[]> {
    const actions: KeeperAction[] = [];
    const budget = { calls: this.callLimit };
    const height = await this.chain.reader.burnHeight();
    await this.scan();
    await this.watchQueues(height, actions, budget);
    await this.settleDue(height, actions, budget);
    return actions;
  }

  /** Reads up to `scanLimit` new bids; the live ones are remembered, to be looked at now. */
  private async scan(): Promise<void> {
    const last = (await this.chain.reader.getLastIds()).bidId;
    for (let read = 0; this.nextId <= last && read < this.scanLimit; read++, this.nextId++) {
      const bid = await this.chain.reader.getBid(this.nextId);
      if (bid && isLive(bid)) this.tracked.set(this.nextId, { datasetId: bid.datasetId, queued: bid.status === "QUEUED", notBefore: 0n, failures: 0 });
    }
  }

  /**
   * Reads each dataset that holds remembered queued bids (one read per dataset): a retired one,
   * or one that matched bids since, has its queued bids looked at now; an open one with a free slot and
   * a waiting queue gets the `match-queued-bids` no settlement sent.
   */
  private async watchQueues(height: bigint, actions: KeeperAction[], budget: { calls: number }): Promise<void> {
    const datasetIds = new Set<bigint>();
    for (const t of this.tracked.values()) if (t.queued) datasetIds.add(t.datasetId);
    for (const id of this.queues.keys()) if (!datasetIds.has(id)) this.queues.delete(id);
    let paused: boolean | null = null;
    for (const datasetId of [...datasetIds].sort((a, b) => (a < b ? -1 : 1))) {
      const dataset = await this.chain.reader.getDataset(datasetId);
      if (!dataset) continue;
      const seen = this.queues.get(datasetId);
      // only a match or a retirement can make a queued bid due sooner than its own height says
      // (a bid refunded or cancelled meanwhile is simply dropped when its height comes)
      const moved = !seen || seen.active !== dataset.active || seen.matchedJobs !== dataset.matchedJobs;
      const watch: QueueWatch = { active: dataset.active, matchedJobs: dataset.matchedJobs, failures: seen?.failures ?? 0, retryAt: seen?.retryAt ?? 0n };
      this.queues.set(datasetId, watch);
      if (moved) this.revisitQueued(datasetId);
      if (budget.calls === 0 || height < watch.retryAt || !(await this.queueStalled(dataset))) continue;
      paused ??= await this.chain.reader.isPaused();
      if (paused) continue; // match-queued-bids is refused while paused
      budget.calls--;
      if (await this.matchQueue(datasetId, height, actions)) watch.failures = 0;
      else watch.retryAt = height + backoff(++watch.failures);
      this.revisitQueued(datasetId);
    }
  }

  /** A waiting queue the contract would walk now: open (active, staked), a free slot, a head. */
  private async queueStalled(dataset: Dataset): Promise<boolean> {
    if (dataset.queueHead === 0n || !dataset.active || dataset.activeJobs >= dataset.maxConcurrentJobs) return false;
    const params = await this.chain.reader.getParameters();
    return dataset.stake >= params.minDatasetStake;
  }

  private revisitQueued(datasetId: bigint): void {
    for (const t of this.tracked.values()) if (t.queued && t.datasetId === datasetId) t.notBefore = 0n;
  }

  private async matchQueue(datasetId: bigint, height: bigint, actions: KeeperAction[]): Promise<boolean> {
    const r = await this.send("match-queued-bids", { datasetId }, () => this.chain.client.matchQueuedBids({ datasetId }), actions);
    if (!r) return false;
    const matched = r.events.filter((e) => e.event === "bid-matched").map((e) => e["bid-id"] as bigint);
    const refunded = r.events.filter((e) => e.event === "bid-expired").map((e) => e["bid-id"] as bigint);
    actions.push({ kind: "matched", datasetId, matched, refunded });
    this.log?.(`${this.name}: matched the queue of dataset ${datasetId} at ${height}: ${matched.length} started, ${refunded.length} refunded`);
    return true;
  }

  /** Re-reads the remembered bids whose height has come, in id order, and settles those that are due. */
  private async settleDue(height: bigint, actions: KeeperAction[], budget: { calls: number }): Promise<void> {
    const due = [...this.tracked.entries()].filter(([, t]) => t.notBefore <= height).sort(([a], [b]) => (a < b ? -1 : 1));
    for (const [bidId, t] of due.slice(0, this.visitLimit)) {
      if (budget.calls === 0) return;
      try {
        const bid = await this.chain.reader.getBid(bidId);
        if (!bid || !isLive(bid)) {
          this.tracked.delete(bidId); // settled, cancelled or expired by someone else
          continue;
        }
        t.queued = bid.status === "QUEUED";
        const next = t.queued ? await this.queuedDueAt(bid, height) : await this.jobDueAt(bidId, bid, height);
        if (next > height) {
          t.notBefore = next;
          continue;
        }
        budget.calls--;
        const settled = t.queued ? await this.expire(bidId, bid, actions) : await this.finalize(bidId, actions);
        if (settled) this.tracked.delete(bidId);
        else {
          // refused (someone else landed first, or the state moved): look again after a back-off
          t.notBefore = height + backoff(++t.failures);
        }
      } catch (e) {
        // a read failed (the node is unreachable): look again next block
        actions.push({ kind: "failed", bidId, call: "read", error: message(e) });
        t.notBefore = height + 1n;
      }
    }
  }

  /**
   * The first height at which `expire-bid` takes a queued bid (the contract's rule: its dataset
   * is retired, or `burn-block-height + duration > deadline`), plus the keeper's delay.
   */
  private async queuedDueAt(bid: Bid, height: bigint): Promise<bigint> {
    const dataset = await this.chain.reader.getDataset(bid.datasetId);
    if (dataset && !dataset.active) return height;
    return bid.deadline - bid.duration + 1n + this.delay;
  }

  /**
   * The first height at which `finalize-validation` takes a matched job (its stage is no longer
   * running, read with the parameters of the bid's version), plus the keeper's delay. While a
   * verified job's delivery or evaluation set may still come, the earliest height any of its
   * futures could end at: a reveal at `height` or later closes its windows no sooner than
   * `height + validation-window + reveal-window + 1`.
   */
  private async jobDueAt(bidId: bigint, bid: Bid, height: bigint): Promise<bigint> {
    const params = await this.paramsOf(bid.parameterVersion);
    const delivery = bid.verified ? await this.chain.reader.getJobDelivery(bidId) : null;
    const judged = height - this.delay;
    const timeline = jobTimeline(bid, delivery, params, judged < 0n ? 0n : judged);
    if (timeline.stage !== "running") return height;
    if (!bid.verified || (delivery !== null && delivery.evalDigest !== null)) return timeline.revealClosesAt + 1n + this.delay;
    const soonestReveal = height + params.validationWindow + params.revealWindow + 1n;
    const defaultAt = bid.deadline + params.evalRevealWindow + 1n;
    if (timeline.delivered) return min(defaultAt, soonestReveal) + this.delay;
    const declineCloses = bid.matchedAt + params.declineWindow;
    const missedAt = (bid.deadline > declineCloses ? bid.deadline : declineCloses) + 1n;
    return min(missedAt, defaultAt, soonestReveal) + this.delay;
  }

  private async paramsOf(version: bigint): Promise<MarketParameters> {
    let params = this.paramsByVersion.get(version);
    if (!params) {
      const read = await this.chain.reader.getParametersAt(version);
      if (!read) throw new Error(`parameter version ${version} not found`);
      params = read;
      this.paramsByVersion.set(version, params);
    }
    return params;
  }

  private async expire(bidId: bigint, bid: Bid, actions: KeeperAction[]): Promise<boolean> {
    const r = await this.send("expire-bid", { bidId }, () => this.chain.client.expireBid({ bidId }), actions);
    if (!r) return false;
    actions.push({ kind: "expired", bidId, bidder: bid.bidder, refund: r.value as bigint });
    this.log?.(`${this.name}: expired queued bid ${bidId}: ${r.value} uSTX back to ${bid.bidder}`);
    return true;
  }

  private async finalize(bidId: bigint, actions: KeeperAction[]): Promise<boolean> {
    const r = await this.send("finalize-validation", { bidId }, () => this.chain.client.finalizeValidation({ bidId }), actions);
    if (!r) return false;
    const outcome = OUTCOME_NAMES.get(r.value as bigint) ?? "NO_QUORUM";
    // the job's own event: job-finalized (a median or a bidder default), bid-expired (no result), delivery-missed
    const finalized = r.events.find((e) => ["job-finalized", "bid-expired", "delivery-missed"].includes(String(e.event)) && e["bid-id"] === bidId);
    const refund = (finalized?.refund as bigint | undefined) ?? (finalized?.["bidder-refund"] as bigint | undefined) ?? 0n;
    const providerPayment = (finalized?.["provider-payment"] as bigint | undefined) ?? 0n;
    actions.push({ kind: "finalized", bidId, outcome, refund, providerPayment });
    this.log?.(`${this.name}: finalized job ${bidId}: ${outcome}`);
    return true;
  }

  /** Plans and sends a call; a planner's refusal or the contract's is reported as `failed`. */
  private async send(
    call: string,
    subject: { bidId?: bigint; datasetId?: bigint },
    build: () => Promise<MarketCall>,
    actions: KeeperAction[],
  ): Promise<TxResult | null> {
    try {
      const r = await this.chain.send(this.account, await build());
      if (r.ok) return r;
      actions.push({ kind: "failed", ...subject, call, error: r.error ?? String(r.value) });
    } catch (e) {
      // a post-condition abort is reported, not thrown: on a live chain another call landing
      // between the plan's read and this one moves the amounts (the call is planned afresh later);
      // on the simnet, where nothing can land in between, it shows as a failed action in the tests
      actions.push({ kind: "failed", ...subject, call, error: e instanceof PostConditionViolation ? `post-conditions: ${e.violations.join("; ")}` : message(e) });
    }
    return null;
  }
}
