import { Cl } from "@stacks/transactions";
import { type Model, STATUS, bidOf, commitClosesAt, committeeFor, drawFor, sortedIds, storeCommittee, tag } from "./model.ts";
import { type Plan, Step, type Target, anyAccount, fail, name, success, targetBid } from "./step.ts";

/** draw-committee: a late draw for a matched job without a committee (never a success here: committees are seated at the match; its refusals run). */
export class DrawCommitteeCommand extends Step {
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
    const drawable = undrawn.filter((id) => drawFor(m, id).seats.length > 0);
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
