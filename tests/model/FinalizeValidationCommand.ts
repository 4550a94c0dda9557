import { Cl } from "@stacks/transactions";
import { DEFAULTS } from "../helpers.ts";
import { minReveals } from "../../src/client/planner.ts";
import {
  MISS_NOT_DUE,
  type Model,
  OUTCOME,
  STATUS,
  bidOf,
  bidderDefault,
  failJob,
  finalizeJob,
  missDelivery,
  missNotDue,
  sortedIds,
  stageOf,
  tag,
} from "./model.ts";
import { type Plan, Step, type Target, anyAccount, fail, name, success, targetBid } from "./step.ts";

/** finalize-validation: a job past its windows settles by the median, or is refunded, missed or defaulted by its stage. */
export class FinalizeValidationCommand extends Step {
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
export function finalizePlan(id: number, who: string): Plan {
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
      if (c && c.reveals >= minReveals(c.seats.length, DEFAULTS.minRevealsBps)) {
        tag(m, "finalized after the reveal window");
        return success(Cl.uint(finalizeJob(m, id, bid, c)));
      }
      failJob(m, id, bid);
      return success(Cl.uint(OUTCOME.NO_QUORUM));
    },
  };
}
