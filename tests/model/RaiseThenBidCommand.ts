import fc from "fast-check";
import { DEFAULTS } from "../helpers.ts";
import { bidPlan } from "./PlaceBidCommand.ts";
import { termsPlan } from "./SetDatasetTermsCommand.ts";
import { BIDDERS, BPS, MAX_BIDS, MIN_BID, MIN_DATASET_STAKE, type Model, type Real, datasetOf, json, maxOf, pick, sortedIds } from "./model.ts";
import { execute, mine, name } from "./step.ts";

/**
 * A provider raises its ask shortly before a training bid: set-dataset-terms on an open dataset with
 * a free slot and no queue (its capacity kept), `wait` burn blocks (0-10: inside the notice or past
 * it), then a training bid on it by a bidder that meets the new ask. `big`: the raise makes the bid's
 * fee at the new price outweigh the slash of the dataset's stake (a garbage delivery the slash takes
 * back); `tight`: a one-block training due within 0-3 blocks (inside the decline window).
 */
export class RaiseThenBidCommand implements fc.Command<Model, Real> {
  private resolved = "";
  constructor(
    private readonly q: {
      sel: number;
      who: number;
      raise: bigint;
      big: boolean;
      wait: number;
      duration: bigint;
      slack: bigint;
      extra: bigint;
      seal: number;
      tight: boolean;
    },
  ) {}
  targets(m: Model): number[] {
    return sortedIds(m.datasets).filter((id) => {
      const d = datasetOf(m, id);
      return d.active && d.stake >= MIN_DATASET_STAKE && d.activeJobs < d.capacity && d.queue.length === 0;
    });
  }
  check(m: Readonly<Model>) {
    return m.bids.size < MAX_BIDS && !m.paused && this.targets(m as Model).length > 0;
  }
  run(m: Model) {
    const id = pick(this.targets(m), this.q.sel) as number;
    const d = datasetOf(m, id);
    const bidders = BIDDERS.filter((w) => w !== d.provider);
    const who = bidders[this.q.who % bidders.length];
    const duration = this.q.tight ? 1n : this.q.duration;
    const slack = this.q.tight ? this.q.slack % 4n : this.q.slack;
    const raised = d.price + this.q.raise;
    const price = this.q.big ? maxOf(raised, (d.stake * DEFAULTS.slashRateBps) / BPS / duration + 1n) : raised;
    const amount = maxOf(price * duration, MIN_BID) + this.q.extra;
    this.resolved = `raise dataset ${id} to ${price}, wait ${this.q.wait}, training bid of ${amount} for ${duration} blocks by ${name(who)}`;
    execute(m, termsPlan(id, d.provider, price, d.capacity));
    if (this.q.wait > 0) mine(m, this.q.wait, "mine during a price notice");
    execute(m, bidPlan(m, id, who, { amount, duration, slack, verified: true, seal: this.q.seal }));
  }
  toString() {
    return this.resolved || `raise then bid ${json(this.q)}`;
  }
}
