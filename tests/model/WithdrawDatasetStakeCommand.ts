import { Cl } from "@stacks/transactions";
import { type Model, STAKE_LOCK, datasetOf, emit, payOut, providerStakeRemoved, sortedIds, tag } from "./model.ts";
import { type Plan, Step, type Target, anyAccount, fail, name, success, targetDataset } from "./step.ts";

/** withdraw-dataset-stake: the provider takes back the stake of an idle dataset once it is free. */
export class WithdrawDatasetStakeCommand extends Step {
  readonly fn = "withdraw-dataset-stake";
  constructor(private readonly q: { t: Target; owner: boolean }) {
    super(q);
  }
  plan(m: Model): Plan {
    // smart: idle datasets that still hold a stake, mostly those whose stake is free (validated, never used, or idle past the lock)
    const idle = sortedIds(m.datasets).filter((id) => {
      const d = datasetOf(m, id);
      return (d.active || d.stake > 0n) && d.activeJobs === 0n && d.queue.length === 0;
    });
    const free = idle.filter((id) => {
      const d = datasetOf(m, id);
      return d.passed > 0n || d.matchedJobs === 0n || m.height > d.lastSettledAt + STAKE_LOCK;
    });
    const id = targetDataset(m, this.q.t, free.length > 0 && this.q.t.who % 4 !== 0 ? free : idle);
    const ds = m.datasets.get(id);
    const who = this.q.owner && ds ? ds.provider : anyAccount(this.q.t);
    return {
      label: `withdraw-dataset-stake(${id}) by ${name(who)}`,
      fn: this.fn,
      sender: who,
      args: [Cl.uint(id)],
      named: [],
      predict: (m) => {
        const d = m.datasets.get(id);
        if (!d) return fail("DATASET_NOT_FOUND");
        if (who !== d.provider) return fail("NOT_DATASET_PROVIDER");
        if (!d.active && d.stake === 0n) return fail("DATASET_INACTIVE");
        if (d.activeJobs > 0n || d.queue.length > 0) return fail("DATASET_HAS_OPEN_JOBS");
        if (!(d.passed > 0n || d.matchedJobs === 0n || m.height > d.lastSettledAt + STAKE_LOCK)) return fail("STAKE_LOCKED");
        const stake = d.stake;
        payOut(m, d.provider, stake);
        m.totals.datasetStakes -= stake;
        providerStakeRemoved(m, d.provider, stake);
        if (!d.active) tag(m, "withdraw after a retirement");
        d.stake = 0n;
        d.active = false;
        emit(m, "dataset-withdrawn", { "dataset-id": BigInt(id), provider: who, amount: stake });
        tag(m, d.passed > 0n ? "withdraw after a pass" : d.matchedJobs === 0n ? "withdraw unused" : "withdraw after the lock");
        return success(Cl.uint(stake));
      },
    };
  }
}
