import { Cl } from "@stacks/transactions";
import { DEFAULTS } from "../helpers.ts";
import { deliveryPayment } from "../../src/client/planner.ts";
import { garbage, lazyProvider } from "./actors.ts";
import {
  BPS,
  DECLINE_WINDOW,
  ERW,
  type Model,
  PFEE_BPS,
  STATUS,
  bidOf,
  datasetOf,
  emit,
  evalRevealClosesAt,
  fullDigest,
  hex,
  payOut,
  sha256,
  sortedIds,
  tag,
  timelineOf,
} from "./model.ts";
import { type Plan, Step, type Target, anyAccount, fail, name, success, targetBid } from "./step.ts";

/**
 * deliver-model: the provider fixes the model's digest by the deadline and earns the compute fee less
 * the fees; `short` sends a prefix of the digest (INVALID_DIGEST, the last check). Mostly early: the
 * evaluation set stays due eval-reveal-window after the deadline all the same.
 */
export class DeliverModelCommand extends Step {
  readonly fn = "deliver-model";
  constructor(private readonly q: { t: Target; owner: boolean; model: number; short?: boolean }) {
    super(q);
  }
  /** smart: only when there is a fitting target; otherwise when any bid exists (or the id is a missing one) */
  check(m: Readonly<Model>) {
    return this.q.t.mode === "smart" ? this.smart(m as Model).length > 0 : m.bids.size > 0;
  }
  /**
   * running verified jobs not delivered yet, before their deadline (but the lazy providers'); mostly
   * the garbage ones first (their providers deliver at once: the fee is paid on delivery)
   */
  smart(m: Model) {
    const due = sortedIds(m.bids).filter((id) => {
      const b = bidOf(m, id);
      return b.verified && b.status === STATUS.MATCHED && !timelineOf(m, id, b).delivered && m.height <= b.deadline && (!lazyProvider(id) || garbage(m, id));
    });
    const junk = due.filter((id) => garbage(m, id));
    return junk.length > 0 && this.q.model % 2 === 0 ? junk : due;
  }
  plan(m: Model): Plan {
    const id = targetBid(m, this.q.t, this.smart(m));
    const b = m.bids.get(id);
    const who = this.q.owner && b ? datasetOf(m, b.datasetId).provider : anyAccount(this.q.t);
    const digest = sha256(`model.onnx ${id} ${this.q.model}`);
    const model = this.q.short ? digest.slice(0, [0, 16, 31][this.q.model % 3]) : digest;
    return {
      label: `deliver-model(${id}, model ${this.q.model}${this.q.short ? `, ${model.length} bytes` : ""}) by ${name(who)}`,
      fn: this.fn,
      sender: who,
      args: [Cl.uint(id), Cl.buffer(model)],
      named: [id],
      predict: (m) => {
        const bid = m.bids.get(id);
        if (!bid) return fail("BID_NOT_FOUND");
        const d = m.deliveries.get(id);
        if (!d) return fail("NOT_VERIFIED_JOB");
        const ds = datasetOf(m, bid.datasetId);
        if (who !== ds.provider) return fail("NOT_DATASET_PROVIDER");
        if (bid.status !== STATUS.MATCHED) return fail("JOB_NOT_RUNNING");
        if (d.model !== null) return fail("ALREADY_DELIVERED");
        if (m.height > bid.deadline) return fail("DELIVERY_CLOSED");
        if (!fullDigest(model)) return fail("INVALID_DIGEST");
        const fee = bid.computeFee;
        // the fee less the validators' share (kept in escrow) and the protocol fee (to the treasury)
        const protocolFee = (fee * PFEE_BPS) / BPS;
        const payment = deliveryPayment(fee, DEFAULTS);
        payOut(m, who, payment);
        m.totals.escrowedBids -= payment + protocolFee;
        m.totals.treasury += protocolFee;
        d.model = hex(model);
        d.deliveredAt = m.height;
        m.touched.add(id);
        emit(m, "model-delivered", {
          "bid-id": BigInt(id),
          "dataset-id": BigInt(bid.datasetId),
          provider: who,
          model: hex(model),
          "compute-fee": fee,
          "provider-payment": payment,
          "protocol-fee": protocolFee,
        });
        tag(m, fee > 0n ? "model delivered (compute fee paid)" : "model delivered (no compute fee)");
        if (m.paused) tag(m, "model delivered while paused");
        if (m.height === bid.deadline) tag(m, "model delivered on its deadline");
        if (m.height <= bid.matchedAt + DECLINE_WINDOW) tag(m, "model delivered within the decline window");
        if (m.height + ERW < evalRevealClosesAt(bid)) tag(m, "model delivered early (the evaluation set stays due after the deadline)");
        return success(Cl.uint(payment));
      },
    };
  }
}
