import { Cl } from "@stacks/transactions";
import { DECLINE_WINDOW, type Model, STATUS, bidOf, closeJob, datasetOf, emit, processQueue, sortedIds, tag, timelineOf } from "./model.ts";
import { type Plan, Step, type Target, anyAccount, fail, name, success, targetBid } from "./step.ts";

/** decline-job: the provider refuses a matched job within its decline window, before any vote or delivery. */
export class DeclineJobCommand extends Step {
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
