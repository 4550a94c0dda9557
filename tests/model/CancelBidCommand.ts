import { Cl } from "@stacks/transactions";
import { type Model, STATUS, bidOf, datasetOf, emit, payOut, sortedIds, unlink } from "./model.ts";
import { type Plan, Step, type Target, anyAccount, fail, name, success, targetBid } from "./step.ts";

/** cancel-bid: the bidder takes back a queued bid in full. */
export class CancelBidCommand extends Step {
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
