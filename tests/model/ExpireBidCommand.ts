import { Cl } from "@stacks/transactions";
import { DEFAULTS } from "../helpers.ts";
import { minReveals } from "../../src/client/planner.ts";
import {
  type BidM,
  ERW,
  MISS_NOT_DUE,
  type Model,
  STATUS,
  bidOf,
  bidderDefault,
  datasetOf,
  emit,
  failJob,
  missDelivery,
  missNotDue,
  payOut,
  sortedIds,
  stageOf,
  tag,
  timelineOf,
  unlink,
} from "./model.ts";
import { type Plan, Step, type Target, anyAccount, fail, name, success, targetBid } from "./step.ts";

/** expire-bid's test for a queued bid: it can no longer meet its deadline, or its dataset was retired. */
const queuedExpired = (m: Model, b: BidM) => !datasetOf(m, b.datasetId).active || m.height + b.duration > b.deadline;

/** expire-bid: a queued bid past its deadline (or on a retired dataset), or a matched job due to end. */
export class ExpireBidCommand extends Step {
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
export function expirePlan(id: number, who: string): Plan {
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
      if (stage === "ended" && c && c.reveals >= minReveals(c.seats.length, DEFAULTS.minRevealsBps)) return fail("RESULT_PENDING");
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
