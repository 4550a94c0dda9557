/**
 * The data provider as a program: it watches its datasets' matched verified jobs, fetches each
 * job's spec from the content store, trains the spec's network where its data lives, stores the
 * ONNX model and delivers its digest before the deadline. It also settles its defaulted jobs
 * (a bidder that never revealed its evaluation set owes it the rest of the bid).
 *
 * Idempotent by chain state: a job whose delivery record already holds a model is never trained
 * or delivered again; a model trained but not yet delivered (the call failed) is kept and resent.
 */
import { ArtifactError, fromHex, type ContentStore } from "../store/index.ts";
import { initialModel, JobSpecError, parseJobSpec, trainForJob, type Dataset, type JobSpec, type TrainOptions } from "../ml/index.ts";
import type { Chain } from "./chain.ts";
import { JobWatcher, type JobView } from "./jobs.ts";

/** How the provider behaves: trains honestly on its data, delivers its untrained initial network, or never delivers. */
export type ProviderBehaviour = "train" | "untrained" | "absent";

export interface ProviderOptions {
  name: string;
  address: string;
  chain: Chain;
  /** Where specs are fetched and models published (the provider's IPFS node). */
  store: ContentStore;
  /** Its datasets' ids and the private data each one trains on. */
  datasets: Map<bigint, Dataset>;
  behaviour?: ProviderBehaviour;
  train?: TrainOptions;
  log?: (line: string) => void;
}

/** One thing the agent did in a step. */
export type ProviderAction =
  | { kind: "delivered"; bidId: bigint; model: string; payment: bigint; trainMs: number; trainAccuracy: number | null }
  | { kind: "spec-unavailable"; bidId: bigint; reason: string }
  | { kind: "settled-default"; bidId: bigint }
  | { kind: "failed"; bidId: bigint; call: string; error: string };

export class ProviderAgent {
  readonly name: string;
  readonly address: string;
  private readonly watcher: JobWatcher;
  /** Trained models not yet delivered: bid id -> model digest (the bytes are in the store). */
  private readonly trained = new Map<bigint, { model: string; trainMs: number; trainAccuracy: number | null }>();

  constructor(private readonly opts: ProviderOptions) {
    this.name = opts.name;
    this.address = opts.address;
    this.watcher = new JobWatcher(opts.chain.reader, (bid) => opts.datasets.has(bid.datasetId) && bid.verified);
  }

  /** One pass over its live jobs. */
  async step(): Promise<ProviderAction[]> {
    const actions: ProviderAction[] = [];
    for (const job of await this.watcher.matchedJobs()) {
      if (job.timeline.stage === "defaulted") actions.push(await this.settleDefault(job));
      else if (job.timeline.stage === "running" && !job.timeline.delivered && this.opts.behaviour !== "absent") {
        const action = await this.deliver(job);
        if (action) actions.push(action);
      }
    }
    return actions;
  }

  private async deliver(job: JobView): Promise<ProviderAction | null> {
    const { chain } = this.opts;
    let done = this.trained.get(job.bidId);
    if (!done) {
      let spec: JobSpec;
      try {
        spec = parseJobSpec(await this.opts.store.get(fromHex(job.delivery!.spec), { maxBytes: 1024 * 1024 }));
      } catch (e) {
        if (e instanceof ArtifactError || e instanceof JobSpecError) return { kind: "spec-unavailable", bidId: job.bidId, reason: e.message };
        throw e;
      }
      const data = this.opts.datasets.get(job.bid.datasetId)!;
      const t0 = performance.now();
      if (this.opts.behaviour === "untrained") {
        const model = await this.opts.store.put(initialModel(spec));
        done = { model: model.digest, trainMs: performance.now() - t0, trainAccuracy: null };
      } else {
        const delivery = await trainForJob(this.opts.store, spec, data, this.opts.train);
        done = { model: delivery.model.digest, trainMs: performance.now() - t0, trainAccuracy: delivery.trainAccuracy };
      }
      this.trained.set(job.bidId, done);
      this.opts.log?.(`${this.name} trained job ${job.bidId} in ${(done.trainMs / 1000).toFixed(1)} s: model ${done.model.slice(0, 16)}…`);
    }
    const r = await chain.send(this.address, await chain.client.deliverModel({ bidId: job.bidId, model: done.model }));
    if (!r.ok) return { kind: "failed", bidId: job.bidId, call: "deliver-model", error: r.error ?? String(r.value) };
    this.trained.delete(job.bidId);
    return { kind: "delivered", bidId: job.bidId, model: done.model, payment: r.value as bigint, trainMs: done.trainMs, trainAccuracy: done.trainAccuracy };
  }

  private async settleDefault(job: JobView): Promise<ProviderAction> {
    const { chain } = this.opts;
    const r = await chain.send(this.address, await chain.client.expireBid({ bidId: job.bidId }));
    if (!r.ok) return { kind: "failed", bidId: job.bidId, call: "expire-bid", error: r.error ?? String(r.value) };
    this.watcher.forget(job.bidId);
    return { kind: "settled-default", bidId: job.bidId };
  }
}
