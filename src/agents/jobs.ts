/**
 * Finding the jobs an agent cares about. Bids have consecutive ids, so an agent scans each new id
 * once (a cursor) and then re-reads only the jobs it still follows: the work per step is bounded
 * by the number of live jobs, not the market's history.
 */
import { jobTimeline, type Bid, type JobDelivery, type JobTimeline, type MarketParameters, type MarketReader } from "../client/index.ts";

/** A bid still waiting or running (QUEUED or MATCHED): not yet settled, cancelled or expired. */
export function isLive(bid: Pick<Bid, "status"> | null): boolean {
  return bid !== null && (bid.status === "QUEUED" || bid.status === "MATCHED");
}

/** Whether every one of `bidIds` has ended (a `runAgents` stopping rule). */
export async function jobsEnded(reader: MarketReader, bidIds: readonly bigint[]): Promise<boolean> {
  for (const bidId of bidIds) if (isLive(await reader.getBid(bidId))) return false;
  return true;
}

/** A matched job as an agent sees it at one burn height. */
export interface JobView {
  bidId: bigint;
  bid: Bid;
  /** The verified job's delivery record (null for a plain job). */
  delivery: JobDelivery | null;
  timeline: JobTimeline;
  burnHeight: bigint;
}

/** Follows the bids `wanted` selects, from the first id, until they stop being QUEUED or MATCHED. */
export class JobWatcher {
  private nextId = 1n;
  private readonly following = new Set<bigint>();

  constructor(
    private readonly reader: MarketReader,
    private readonly wanted: (bid: Bid, bidId: bigint) => boolean,
  ) {}

  /** The followed jobs that are MATCHED now (new bids scanned first), in id order. */
  async matchedJobs(): Promise<JobView[]> {
    const last = (await this.reader.getLastIds()).bidId;
    for (; this.nextId <= last; this.nextId++) {
      const bid = await this.reader.getBid(this.nextId);
      if (bid && this.wanted(bid, this.nextId)) this.following.add(this.nextId);
    }
    const burnHeight = await this.reader.burnHeight();
    const params = await this.reader.getParameters();
    const views: JobView[] = [];
    for (const bidId of [...this.following].sort((a, b) => (a < b ? -1 : 1))) {
      const bid = await this.reader.getBid(bidId);
      if (!bid || !isLive(bid)) {
        this.following.delete(bidId);
        continue;
      }
      if (bid.status !== "MATCHED") continue;
      views.push(await jobView(this.reader, bidId, bid, params, burnHeight));
    }
    return views;
  }

  /** Stops following a job (the agent is done with it). */
  forget(bidId: bigint): void {
    this.following.delete(bidId);
  }
}

export async function jobView(reader: MarketReader, bidId: bigint, bid: Bid, params: MarketParameters, burnHeight: bigint): Promise<JobView> {
  const delivery = bid.verified ? await reader.getJobDelivery(bidId) : null;
  return { bidId, bid, delivery, timeline: jobTimeline(bid, delivery, params, burnHeight), burnHeight };
}
