import { Cl } from "@stacks/transactions";
import { DEFAULTS, contractId } from "../helpers.ts";
import { computeEvalCommitment } from "../../src/client/commitment.ts";
import {
  BIDDERS,
  BPS,
  DIGEST_LENGTH,
  MAX_BIDS,
  MAX_BID_WAIT,
  MAX_DURATION,
  MAX_QUEUED,
  MIN_BID,
  MIN_DATASET_STAKE,
  type Model,
  PRICE_NOTICE_BLOCKS,
  STATUS,
  balanceOf,
  datasetOf,
  emit,
  feePrice,
  fullDigest,
  hex,
  matchBid,
  processQueue,
  sha256,
  sortedIds,
  tag,
  transfer,
} from "./model.ts";
import { type Plan, Step, type Target, anyAccount, fail, name, success, targetDataset } from "./step.ts";

/** A training bid's digest sent short (a prefix of it): its spec or its evaluation-set commitment. */
export type ShortDigest = "spec" | "commitment";

/**
 * place-computation-bid, or (verified) place-training-bid: the same checks, queue and matching; a
 * training bid also carries the job spec's digest and the commitment to its sealed evaluation set
 * (the test keeps the digest and salt, drawn from `seal`), fixes its compute fee (feePrice, the ask
 * or the price before a raise still in its notice, times the duration) and opens its delivery
 * record; `short` sends a spec or commitment shorter than 32 bytes (INVALID_DIGEST, before anything).
 * A training bid mostly goes to a dataset whose raise is still in its notice, when there is one.
 */
export class PlaceBidCommand extends Step {
  readonly fn: string;
  constructor(
    private readonly q: {
      t: Target;
      anyone: boolean;
      amount: bigint;
      duration: bigint;
      slack: bigint;
      verified: boolean;
      seal: number;
      short?: ShortDigest;
    },
  ) {
    super(q);
    this.fn = q.verified ? "place-training-bid" : "place-computation-bid";
  }
  /** bounded: at most MAX_BIDS per `it`, and new bids stop queueing once MAX_QUEUED wait */
  check(m: Readonly<Model>) {
    const queued = [...m.datasets.values()].reduce((n, d) => n + d.queue.length, 0);
    const idle = [...m.datasets.values()].some((d) => d.active && d.activeJobs < d.capacity && d.queue.length === 0);
    return m.bids.size < MAX_BIDS && (m.datasets.size > 0 || this.q.t.mode === "missing") && (queued < MAX_QUEUED || idle);
  }
  plan(m: Model): Plan {
    // smart: open datasets, mostly those with a free slot (matched at once), else the one with the longest queue
    // (long queues of which the 5-step bound handles only the first five heads per call)
    const open = sortedIds(m.datasets).filter((id) => datasetOf(m, id).active && datasetOf(m, id).stake >= MIN_DATASET_STAKE);
    const idle = open.filter((id) => datasetOf(m, id).activeJobs < datasetOf(m, id).capacity);
    const longest = [...open].sort((a, b) => datasetOf(m, b).queue.length - datasetOf(m, a).queue.length).slice(0, 1);
    const noticed = idle.filter((id) => feePrice(m, id, datasetOf(m, id).price) < datasetOf(m, id).price);
    const id = targetDataset(
      m,
      this.q.t,
      this.q.verified && noticed.length > 0 && this.q.t.who % 4 !== 3 ? noticed : idle.length > 0 && this.q.t.who % 2 === 0 ? idle : longest,
    );
    const who = this.q.anyone ? anyAccount(this.q.t) : BIDDERS[this.q.t.who % BIDDERS.length];
    return bidPlan(m, id, who, this.q);
  }
}

/** A bid's terms: its deadline is `slack` blocks past the training's end from now. */
interface BidTerms {
  amount: bigint;
  duration: bigint;
  slack: bigint;
  verified: boolean;
  seal: number;
  short?: ShortDigest;
}

/** place-computation-bid, or (verified) place-training-bid, on dataset `id` by `who`, predicted. */
export function bidPlan(m: Model, id: number, who: string, q: BidTerms): Plan {
  const fn = q.verified ? "place-training-bid" : "place-computation-bid";
  const { amount, duration, verified, short } = q;
  const deadline = m.height + duration + q.slack;
  const fullSpec = sha256(`model spec ${q.seal % 3}`);
  const sealed = { digest: sha256(`evaluation set ${q.seal}`), salt: sha256(`evaluation salt ${q.seal}`) };
  const fullCommitment = hex(computeEvalCommitment(sealed.digest, sealed.salt));
  // a short spec or commitment: a prefix of the digest (0, 16 or 31 bytes)
  const cut = [0, 16, 31][q.seal % 3];
  const spec = short === "spec" ? fullSpec.slice(0, cut) : fullSpec;
  const commitment = short === "commitment" ? fullCommitment.slice(0, 2 * cut) : fullCommitment;
  return {
    label: `${fn}(${id}, ${amount}, ${duration}, ${deadline}${verified ? ", spec, sealed set " + q.seal : ""}${verified && short ? `, a ${cut}-byte ${short}` : ""}) by ${name(who)}`,
    fn,
    sender: who,
    args: [
      Cl.uint(id),
      Cl.uint(amount),
      Cl.uint(duration),
      Cl.uint(deadline),
      ...(verified ? [Cl.buffer(spec), Cl.bufferFromHex(commitment)] : []),
    ],
    named: [],
    predict: (m) => {
      // the digests first, before anything else (even an unknown dataset)
      if (verified && (!fullDigest(spec) || commitment.length !== 2 * DIGEST_LENGTH)) {
        if (!m.datasets.has(id)) tag(m, "a short digest refused before an unknown dataset");
        return fail("INVALID_DIGEST");
      }
      const d = m.datasets.get(id);
      if (!d) return fail("DATASET_NOT_FOUND");
      if (m.paused) return fail("PAUSED");
      if (!d.active) return fail("DATASET_INACTIVE");
      if (d.stake < MIN_DATASET_STAKE) return fail("DATASET_UNDERSTAKED");
      if (who === d.provider) return fail("SELF_BID");
      if (amount < MIN_BID) return fail("BID_TOO_LOW");
      if (duration === 0n || duration > MAX_DURATION) return fail("INVALID_DURATION");
      if (amount < d.price * duration) return fail("BID_BELOW_ASK");
      if (m.height + duration > deadline) return fail("DEADLINE_UNREACHABLE");
      if (deadline > m.height + duration + MAX_BID_WAIT) return fail("DEADLINE_TOO_FAR");
      if (amount > balanceOf(m, who)) return fail("INSUFFICIENT_FUNDS");
      const matchNow = d.queue.length === 0 && d.activeJobs < d.capacity;
      const computeFee = verified ? feePrice(m, id, d.price) * duration : 0n;
      transfer(m, who, contractId, amount);
      m.totals.escrowedBids += amount;
      const bidId = ++m.lastBidId;
      m.bids.set(bidId, {
        datasetId: id,
        bidder: who,
        amount,
        duration,
        deadline,
        status: STATUS.QUEUED,
        placedAt: m.height,
        matchedAt: 0n,
        matchedBlock: 0n,
        validatorsAtMatch: 0n,
        registrationsAtMatch: 0n,
        pausesAtMatch: 0n,
        verified,
        computeFee,
      });
      m.touched.add(bidId);
      if (verified) {
        m.deliveries.set(bidId, { spec: hex(spec), evalCommitment: commitment, model: null, deliveredAt: 0n, evalDigest: null, evalRevealedAt: 0n });
        m.evalSecrets.set(bidId, sealed);
        emit(m, "bid-placed", {
          "bid-id": BigInt(bidId),
          "dataset-id": BigInt(id),
          bidder: who,
          amount,
          duration,
          deadline,
          spec: hex(spec),
          "eval-commitment": commitment,
          "compute-fee": computeFee,
        });
        tag(m, computeFee > 0n ? "training bid with a compute fee" : "training bid on a free dataset");
        if (computeFee === amount) tag(m, "training bid entirely compute fee");
        if (computeFee < d.price * duration) tag(m, "compute fee at the old price during a notice");
        if (computeFee > (d.stake * DEFAULTS.slashRateBps) / BPS) tag(m, "training bid whose compute fee outweighs the slash of the stake");
        const raise = m.priceRaises.get(id);
        if (raise && m.height > raise.raisedAt + PRICE_NOTICE_BLOCKS && m.height <= raise.raisedAt + 3n * PRICE_NOTICE_BLOCKS && raise.previousPrice < d.price)
          tag(m, "compute fee at the raised price once its notice passed");
      } else emit(m, "bid-placed", { "bid-id": BigInt(bidId), "dataset-id": BigInt(id), bidder: who, amount, duration, deadline });
      if (d.price > 0n) tag(m, "bid met a price");
      if (deadline === m.height + duration + MAX_BID_WAIT) tag(m, "bid at the longest wait");
      if (matchNow) {
        matchBid(m, bidId);
        d.activeJobs += 1n;
        d.matchedJobs += 1n;
        tag(m, "bid matched at once");
        if (d.activeJobs > 1n) tag(m, "jobs running side by side");
      } else {
        d.queue.push(bidId);
        tag(m, "bid queued");
        processQueue(m, id);
      }
      return success(Cl.uint(bidId));
    },
  };
}
