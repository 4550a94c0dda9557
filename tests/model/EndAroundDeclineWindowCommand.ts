import fc from "fast-check";
import { expirePlan } from "./ExpireBidCommand.ts";
import { finalizePlan } from "./FinalizeValidationCommand.ts";
import { type Model, type Real, STATUS, bidOf, deliveryDueBy, json, maxOf, pick, sortedIds, timelineOf } from "./model.ts";
import { anyAccount, execute, mine } from "./step.ts";

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
export class EndAroundDeclineWindowCommand implements fc.Command<Model, Real> {
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
