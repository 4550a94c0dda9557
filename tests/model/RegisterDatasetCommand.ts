import { Cl } from "@stacks/transactions";
import { contractId } from "../helpers.ts";
import {
  ACCOUNTS,
  MAX_CONCURRENT_JOBS,
  MAX_DATASETS,
  MAX_PRICE_PER_BLOCK,
  MIN_DATASET_STAKE,
  type Model,
  PROVIDERS,
  balanceOf,
  emit,
  json,
  providerStakeAdded,
  tag,
  transfer,
  uriScheme,
  validUri,
} from "./model.ts";
import { type Plan, Step, fail, name, openDatasets, success } from "./step.ts";

/** register-dataset (terms null: ask 0, one slot) or register-dataset-with-terms. */
export class RegisterDatasetCommand extends Step {
  readonly fn: string;
  constructor(private readonly q: { who: number; anyone: boolean; stake: bigint; uri: string; terms: { price: bigint; capacity: bigint } | null }) {
    super(q);
    this.fn = q.terms ? "register-dataset-with-terms" : "register-dataset";
  }
  private fails() {
    const { stake, uri, terms } = this.q;
    return stake < MIN_DATASET_STAKE || !validUri(uri) || (terms !== null && (terms.price > MAX_PRICE_PER_BLOCK || terms.capacity === 0n || terms.capacity > MAX_CONCURRENT_JOBS));
  }
  /** while fewer than 4 datasets are open (the failing variants always apply) */
  check(m: Readonly<Model>) {
    return this.fails() || (m.datasets.size < MAX_DATASETS && openDatasets(m) < 4);
  }
  plan(_m: Model): Plan {
    const { stake, uri, terms } = this.q;
    const price = terms?.price ?? 0n;
    const capacity = terms?.capacity ?? 1n;
    const who = this.q.anyone ? ACCOUNTS[this.q.who % ACCOUNTS.length] : PROVIDERS[this.q.who % PROVIDERS.length];
    const args = [Cl.uint(stake), Cl.stringAscii(uri), ...(terms ? [Cl.uint(price), Cl.uint(capacity)] : [])];
    return {
      label: `${this.fn}(${stake}, ${json(uri)}${terms ? `, ${price}, ${capacity}` : ""}) by ${name(who)}`,
      fn: this.fn,
      sender: who,
      args,
      named: [],
      predict: (m) => {
        if (m.paused) return fail("PAUSED");
        if (stake < MIN_DATASET_STAKE) return fail("STAKE_TOO_LOW");
        if (uri.length === 0) return fail("EMPTY_METADATA_URI");
        if (!validUri(uri)) {
          // refused only for a character the old rule (no space, tab, newline or CR) let through
          if (uriScheme(uri) && !/[ \t\n\r]/.test(uri)) tag(m, "uri refused for a character outside RFC 3986");
          return fail("INVALID_METADATA_URI");
        }
        if (/[^A-Za-z0-9:/.\-]/.test(uri)) tag(m, "uri with RFC 3986 reserved characters or escapes");
        if (price > MAX_PRICE_PER_BLOCK) return fail("INVALID_PRICE");
        if (capacity === 0n || capacity > MAX_CONCURRENT_JOBS) return fail("INVALID_CAPACITY");
        if (stake > balanceOf(m, who)) return fail("INSUFFICIENT_FUNDS");
        transfer(m, who, contractId, stake);
        m.totals.datasetStakes += stake;
        providerStakeAdded(m, who, stake);
        const id = ++m.lastDatasetId;
        m.datasets.set(id, {
          provider: who,
          stake,
          uri,
          price,
          capacity,
          activeJobs: 0n,
          queue: [],
          matchedJobs: 0n,
          validations: 0n,
          passed: 0n,
          scoreSum: 0n,
          nonDeliveries: 0n,
          lastSettledAt: 0n,
          registeredAt: m.height,
          active: true,
        });
        emit(m, "dataset-registered", {
          "dataset-id": BigInt(id),
          provider: who,
          stake,
          "metadata-uri": uri,
          "price-per-block": price,
          "max-concurrent-jobs": capacity,
        });
        if (price > 0n) tag(m, "dataset with a price");
        if (capacity > 1n) tag(m, "dataset with several slots");
        return success(Cl.uint(id));
      },
    };
  }
}
