/**
 * The ML developer's client: writes a job spec and seals its evaluation set, checks the
 * commitment with the contract's own `compute-eval-commitment` before bidding, keeps the salt and
 * the set durably, places the verified bid, and after the delivery fetches the model (its digest
 * checked by the store), publishes the evaluation set and reveals it.
 *
 * The set stays private until the model's digest is on chain: it is written to the public store
 * only in the step that reveals it. Idempotent by chain state: a job already revealed is not
 * revealed again; a record is kept until its job is over.
 */
import { fromHex, toHex, type ContentStore } from "../store/index.ts";
import { prepareJob, type Dataset, type PreparedJob, type SpecChoices } from "../ml/index.ts";
import { jobTimeline } from "../client/index.ts";
import type { Chain } from "./chain.ts";
import { isLive } from "./jobs.ts";
import type { AgentState } from "./state.ts";

/** What the developer must keep from the bid to the reveal (hex strings: JSON-safe). */
export interface SealedJobRecord {
  bidId: string | null;
  specDigest: string;
  evalDigest: string;
  /** The sealed set's bytes, hex: published only at the reveal. */
  evalSet: string;
  salt: string;
  evalCommitment: string;
}

export interface DeveloperOptions {
  name: string;
  address: string;
  chain: Chain;
  store: ContentStore;
  state: AgentState<SealedJobRecord>;
  /** "reveal" (the default) or "silent": never reveals (a bidder default). */
  behaviour?: "reveal" | "silent";
  log?: (line: string) => void;
}

export type DeveloperAction =
  | { kind: "revealed"; bidId: bigint; modelFetched: boolean; commitClosesAt: bigint }
  | { kind: "closed"; bidId: bigint; status: string }
  | { kind: "ended"; bidId: bigint; call: "expire-bid" | "finalize-validation" }
  | { kind: "failed"; bidId: bigint; call: string; error: string };

export class SealMismatchError extends Error {
  constructor(expected: string, onChain: string) {
    super(`the contract computes the evaluation commitment ${onChain}, the client ${expected}: not bidding`);
    this.name = "SealMismatchError";
  }
}

export class DeveloperClient {
  readonly name: string;
  readonly address: string;

  constructor(private readonly opts: DeveloperOptions) {
    this.name = opts.name;
    this.address = opts.address;
  }

  /**
   * Seals `evaluation`, publishes the spec and places the verified bid. The record (salt and
   * set) is stored before the bid is sent, so a crash after sending never loses the reveal.
   */
  async placeJob(p: {
    datasetId: bigint;
    amount: bigint;
    duration: bigint;
    deadline: bigint;
    evaluation: Dataset;
    choices?: SpecChoices;
    /** Refuse to bid if the compute fee (paid on delivery, whatever the score) would exceed this. */
    maxComputeFee?: bigint;
  }): Promise<{ bidId: bigint; job: PreparedJob }> {
    const { chain, store, state } = this.opts;
    if (p.maxComputeFee !== undefined) {
      const fee = await chain.reader.getComputeFee(p.datasetId, p.duration);
      if (fee === null) throw new Error(`dataset ${p.datasetId} does not exist or takes no ${p.duration}-block job`);
      if (fee > p.maxComputeFee) throw new Error(`the compute fee would be ${fee} uSTX, above the ${p.maxComputeFee} uSTX accepted: not bidding`);
    }
    const job = prepareJob(p.evaluation, p.choices ?? {});
    const onChain = await chain.reader.computeEvalCommitment(job.evalDigest, job.salt);
    if (onChain !== job.evalCommitment) throw new SealMismatchError(job.evalCommitment, onChain);
    const record: SealedJobRecord = {
      bidId: null,
      specDigest: job.specDigest,
      evalDigest: job.evalDigest,
      evalSet: toHex(job.evalSet),
      salt: toHex(job.salt),
      evalCommitment: job.evalCommitment,
    };
    state.set(job.evalCommitment, record);
    await store.put(job.specBytes);
    const call = await chain.client.placeTrainingBid({
      caller: this.address,
      datasetId: p.datasetId,
      amount: p.amount,
      duration: p.duration,
      deadline: p.deadline,
      spec: job.specDigest,
      evalCommitment: job.evalCommitment,
    });
    const r = await chain.send(this.address, call);
    if (!r.ok) {
      state.delete(job.evalCommitment);
      throw new Error(`place-training-bid refused: ${r.error ?? String(r.value)}`);
    }
    const bidId = r.value as bigint;
    state.set(job.evalCommitment, { ...record, bidId: bidId.toString() });
    this.opts.log?.(`${this.name} placed verified bid ${bidId} on dataset ${p.datasetId}: spec ${job.specCid}, evaluation set sealed`);
    return { bidId, job };
  }

  /** One pass over its sealed jobs: reveal the delivered ones, drop the finished ones. */
  async step(): Promise<DeveloperAction[]> {
    const { chain, store, state } = this.opts;
    const actions: DeveloperAction[] = [];
    const burnHeight = await chain.burnHeight();
    const params = await chain.reader.getParameters();
    for (const key of state.keys()) {
      const record = state.get(key)!;
      if (record.bidId === null) continue; // a bid whose placement never returned: nothing on chain to reveal
      const bidId = BigInt(record.bidId);
      const bid = await chain.reader.getBid(bidId);
      if (!bid || !isLive(bid)) {
        state.delete(key);
        actions.push({ kind: "closed", bidId, status: bid?.status ?? "MISSING" });
        continue;
      }
      const delivery = await chain.reader.getJobDelivery(bidId);
      const stage = bid.status === "MATCHED" ? jobTimeline(bid, delivery, params, burnHeight).stage : "queued";
      if (stage === "missed" || stage === "ended") {
        // its own refund is due (a missed delivery, or a committee that never reached a result)
        const call = stage === "missed" ? "expire-bid" : "finalize-validation";
        const built = stage === "missed" ? await chain.client.expireBid({ bidId }) : await chain.client.finalizeValidation({ bidId });
        const r = await chain.send(this.address, built);
        if (r.ok) actions.push({ kind: "ended", bidId, call });
        else if (r.error !== "JOB_NOT_RUNNING") actions.push({ kind: "failed", bidId, call, error: r.error ?? String(r.value) });
        continue;
      }
      if (this.opts.behaviour === "silent" || !delivery || delivery.model === null || delivery.evalDigest !== null) continue;
      if (burnHeight > bid.deadline + params.evalRevealWindow) continue; // the reveal closed: a default
      // fetch the model the job paid for (the store checks its digest); reveal even if it is missing:
      // the validators then score it 0 and the provider, not the bidder, pays for it
      let modelFetched = true;
      try {
        await store.get(fromHex(delivery.model), { maxBytes: 64 * 1024 * 1024 });
      } catch {
        modelFetched = false;
      }
      await store.put(fromHex(record.evalSet));
      const r = await chain.send(this.address, await chain.client.revealEvaluationSet({ bidId, evalDigest: record.evalDigest, salt: record.salt }));
      if (!r.ok) actions.push({ kind: "failed", bidId, call: "reveal-evaluation-set", error: r.error ?? String(r.value) });
      else actions.push({ kind: "revealed", bidId, modelFetched, commitClosesAt: r.value as bigint });
    }
    return actions;
  }
}
