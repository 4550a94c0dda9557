import { Cl } from "@stacks/transactions";
import { contractId } from "../helpers.ts";
import { MIN_DATASET_STAKE, type Model, balanceOf, datasetOf, emit, processQueue, providerStakeAdded, sortedIds, transfer } from "./model.ts";
import { type Plan, Step, type Target, anyAccount, fail, name, success, targetDataset } from "./step.ts";

/** add-dataset-stake: a provider tops up its dataset (an understaked one reopens to its queue), or anyone tries. */
export class AddDatasetStakeCommand extends Step {
  readonly fn = "add-dataset-stake";
  constructor(private readonly q: { t: Target; owner: boolean; amount: bigint }) {
    super(q);
  }
  plan(m: Model): Plan {
    // smart: active datasets, understaked ones (queue waiting behind a slash) first
    const understaked = sortedIds(m.datasets).filter((id) => {
      const d = datasetOf(m, id);
      return d.active && d.stake < MIN_DATASET_STAKE;
    });
    const active = sortedIds(m.datasets).filter((id) => datasetOf(m, id).active);
    const id = targetDataset(m, this.q.t, understaked.length > 0 && this.q.t.sel % 2 === 0 ? understaked : active);
    const ds = m.datasets.get(id);
    const who = this.q.owner && ds ? ds.provider : anyAccount(this.q.t);
    const amount = this.q.amount;
    return {
      label: `add-dataset-stake(${id}, ${amount}) by ${name(who)}`,
      fn: this.fn,
      sender: who,
      args: [Cl.uint(id), Cl.uint(amount)],
      named: [],
      predict: (m) => {
        const d = m.datasets.get(id);
        if (!d) return fail("DATASET_NOT_FOUND");
        if (amount === 0n) return fail("ZERO_AMOUNT");
        if (who !== d.provider) return fail("NOT_DATASET_PROVIDER");
        if (!d.active) return fail("DATASET_INACTIVE");
        // the deposit comes before any sum: an amount nobody can pay fails here, never as an overflow
        if (amount > balanceOf(m, who)) return fail("INSUFFICIENT_FUNDS");
        transfer(m, who, contractId, amount);
        m.totals.datasetStakes += amount;
        providerStakeAdded(m, who, amount);
        d.stake += amount;
        emit(m, "dataset-stake-added", { "dataset-id": BigInt(id), provider: who, amount, stake: d.stake });
        processQueue(m, id);
        return success(Cl.uint(d.stake));
      },
    };
  }
}
