import { Cl } from "@stacks/transactions";
import {
  MAX_CONCURRENT_JOBS,
  MAX_PRICE_PER_BLOCK,
  type Model,
  datasetOf,
  emit,
  feePrice,
  processQueue,
  recordPriceChange,
  sortedIds,
  tag,
} from "./model.ts";
import { type Plan, Step, type Target, anyAccount, fail, name, success, targetDataset } from "./step.ts";

/** set-dataset-terms: the provider changes its dataset's ask and slots. */
export class SetDatasetTermsCommand extends Step {
  readonly fn = "set-dataset-terms";
  constructor(private readonly q: { t: Target; owner: boolean; price: bigint; capacity: bigint }) {
    super(q);
  }
  plan(m: Model): Plan {
    // smart: active datasets, those with a queue first (new slots match it)
    const active = sortedIds(m.datasets).filter((id) => datasetOf(m, id).active);
    const waiting = active.filter((id) => datasetOf(m, id).queue.length > 0);
    const id = targetDataset(m, this.q.t, waiting.length > 0 && this.q.t.sel % 2 === 0 ? waiting : active);
    const ds = m.datasets.get(id);
    const who = this.q.owner && ds ? ds.provider : anyAccount(this.q.t);
    return termsPlan(id, who, this.q.price, this.q.capacity);
  }
}

/** set-dataset-terms(id, price, capacity) by `who`, predicted: a raise starts a notice (recordPriceChange). */
export function termsPlan(id: number, who: string, price: bigint, capacity: bigint): Plan {
  return {
    label: `set-dataset-terms(${id}, ${price}, ${capacity}) by ${name(who)}`,
    fn: "set-dataset-terms",
    sender: who,
    args: [Cl.uint(id), Cl.uint(price), Cl.uint(capacity)],
    named: [],
    predict: (m) => {
      const d = m.datasets.get(id);
      if (!d) return fail("DATASET_NOT_FOUND");
      if (who !== d.provider) return fail("NOT_DATASET_PROVIDER");
      if (!d.active) return fail("DATASET_INACTIVE");
      if (price > MAX_PRICE_PER_BLOCK) return fail("INVALID_PRICE");
      if (capacity === 0n || capacity > MAX_CONCURRENT_JOBS) return fail("INVALID_CAPACITY");
      if (price > d.price) {
        tag(m, "price raised (a notice starts)");
        if (feePrice(m, id, d.price) < d.price) tag(m, "price raised again during a notice (the older price stays)");
      } else if (price < d.price && feePrice(m, id, d.price) < d.price) tag(m, "price cut during a notice");
      recordPriceChange(m, id, d.price, price);
      emit(m, "dataset-terms-set", { "dataset-id": BigInt(id), "price-per-block": price, "max-concurrent-jobs": capacity });
      if (capacity < d.activeJobs) tag(m, "capacity set below the running jobs");
      d.price = price;
      d.capacity = capacity;
      processQueue(m, id);
      return success(Cl.bool(true));
    },
  };
}
