import { Cl } from "@stacks/transactions";
import { type Model, datasetOf, emit, sortedIds, tag } from "./model.ts";
import { type Plan, Step, type Target, anyAccount, fail, name, openDatasets, success, targetDataset } from "./step.ts";

/** retire-dataset: the provider closes its dataset to new bids and matching. */
export class RetireDatasetCommand extends Step {
  readonly fn = "retire-dataset";
  constructor(private readonly q: { t: Target; owner: boolean }) {
    super(q);
  }
  /** smart: while at least two datasets are open (the market keeps a dataset to trade on) */
  check(m: Readonly<Model>) {
    return this.q.t.mode !== "smart" || openDatasets(m) >= 2;
  }
  plan(m: Model): Plan {
    // smart: open datasets, mostly those with queued bids (which then expire on demand)
    const active = sortedIds(m.datasets).filter((id) => datasetOf(m, id).active);
    const queued = active.filter((id) => datasetOf(m, id).queue.length > 0);
    const id = targetDataset(m, this.q.t, queued.length > 0 && this.q.t.who % 4 !== 0 ? queued : active);
    const ds = m.datasets.get(id);
    const who = this.q.owner && ds ? ds.provider : anyAccount(this.q.t);
    return {
      label: `retire-dataset(${id}) by ${name(who)}`,
      fn: this.fn,
      sender: who,
      args: [Cl.uint(id)],
      named: [],
      predict: (m) => {
        const d = m.datasets.get(id);
        if (!d) return fail("DATASET_NOT_FOUND");
        if (who !== d.provider) return fail("NOT_DATASET_PROVIDER");
        if (!d.active) return fail("DATASET_INACTIVE");
        d.active = false;
        emit(m, "dataset-retired", {
          "dataset-id": BigInt(id),
          provider: who,
          "queued-jobs": BigInt(d.queue.length),
          "active-jobs": d.activeJobs,
        });
        tag(m, "dataset retired");
        if (d.queue.length > 0) tag(m, "dataset retired with a queue");
        if (d.activeJobs > 0n) tag(m, "dataset retired with running jobs");
        if (m.paused) tag(m, "dataset retired while paused");
        return success(Cl.bool(true));
      },
    };
  }
}
