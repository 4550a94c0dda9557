import { Cl } from "@stacks/transactions";
import { type Model, datasetOf, processQueue, sortedIds } from "./model.ts";
import { type Plan, Step, type Target, anyAccount, fail, name, success, targetDataset } from "./step.ts";

/** match-queued-bids: anyone walks a dataset's queue (at most 5 heads). */
export class MatchQueuedBidsCommand extends Step {
  readonly fn = "match-queued-bids";
  constructor(private readonly q: { t: Target }) {
    super(q);
  }
  plan(m: Model): Plan {
    const waiting = sortedIds(m.datasets).filter((id) => datasetOf(m, id).queue.length > 0);
    const id = targetDataset(m, this.q.t, waiting);
    const who = anyAccount(this.q.t);
    return {
      label: `match-queued-bids(${id}) by ${name(who)}`,
      fn: this.fn,
      sender: who,
      args: [Cl.uint(id)],
      named: [],
      predict: (m) => {
        const d = m.datasets.get(id);
        if (!d) return fail("DATASET_NOT_FOUND");
        if (m.paused) return fail("PAUSED");
        processQueue(m, id);
        return success(Cl.uint(d.queue.length));
      },
    };
  }
}
