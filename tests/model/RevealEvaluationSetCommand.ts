import { Cl } from "@stacks/transactions";
import { computeEvalCommitment } from "../../src/client/commitment.ts";
import { garbage, lateRevealFrom, lazyBidder } from "./actors.ts";
import {
  type DeliveryM,
  ERW,
  type Model,
  SALT_LENGTH,
  STATUS,
  RW,
  VW,
  bidOf,
  emit,
  evalRevealClosesAt,
  fullDigest,
  hex,
  sha256,
  sortedIds,
  tag,
  timelineOf,
} from "./model.ts";
import { type Plan, Step, type Target, anyAccount, fail, name, success, targetBid } from "./step.ts";

/** A wrong reveal: another digest, another salt, a 16-byte salt, or a prefix of the digest (shortDigest). */
export type WrongSeal = "none" | "digest" | "salt" | "short" | "shortDigest";

/** reveal-evaluation-set: the bidder opens its sealed evaluation set after the delivery; the commit window opens. */
export class RevealEvaluationSetCommand extends Step {
  readonly fn = "reveal-evaluation-set";
  constructor(private readonly q: { t: Target; owner: boolean; wrong: WrongSeal }) {
    super(q);
  }
  /** smart: only when there is a fitting target; otherwise when any bid exists (or the id is a missing one) */
  check(m: Readonly<Model>) {
    return this.q.t.mode === "smart" ? this.smart(m as Model).length > 0 : m.bids.size > 0;
  }
  /**
   * delivered verified jobs whose set is not revealed, until eval-reveal-window after the deadline
   * (but the lazy bidders', and the late bidders' before their time); else any delivered one
   */
  smart(m: Model) {
    const delivered = sortedIds(m.bids).filter((id) => {
      const b = bidOf(m, id);
      return b.verified && b.status === STATUS.MATCHED && timelineOf(m, id, b).delivered;
    });
    const due = delivered.filter((id) => {
      const d = m.deliveries.get(id) as DeliveryM;
      const late = lateRevealFrom(m, id);
      // (a garbage delivery's bidder reveals at once: its set shows the model worthless)
      return (
        d.evalDigest === null &&
        m.height <= evalRevealClosesAt(bidOf(m, id)) &&
        (garbage(m, id) || (!lazyBidder(id) && (late === null || m.height >= late)))
      );
    });
    return due.length > 0 && this.q.t.who % 5 !== 0 ? due : delivered;
  }
  plan(m: Model): Plan {
    const id = targetBid(m, this.q.t, this.smart(m));
    const b = m.bids.get(id);
    const who = this.q.owner && b ? b.bidder : anyAccount(this.q.t);
    const secret = m.evalSecrets.get(id) ?? { digest: sha256(`evaluation set of ${id}`), salt: sha256(`evaluation salt of ${id}`) };
    const wrong = this.q.wrong;
    const digest = wrong === "digest" ? sha256(secret.digest) : wrong === "shortDigest" ? secret.digest.slice(0, 31) : secret.digest;
    const salt = wrong === "salt" ? sha256(secret.salt) : wrong === "short" ? secret.salt.slice(0, 16) : secret.salt;
    return {
      label: `reveal-evaluation-set(${id}${wrong === "none" ? "" : `, wrong ${wrong}`}) by ${name(who)}`,
      fn: this.fn,
      sender: who,
      args: [Cl.uint(id), Cl.buffer(digest), Cl.buffer(salt)],
      named: [id],
      predict: (m) => {
        const bid = m.bids.get(id);
        if (!bid) return fail("BID_NOT_FOUND");
        const d = m.deliveries.get(id);
        if (!d) return fail("NOT_VERIFIED_JOB");
        if (who !== bid.bidder) return fail("NOT_BIDDER");
        if (bid.status !== STATUS.MATCHED) return fail("JOB_NOT_RUNNING");
        if (d.model === null) return fail("NOT_DELIVERED");
        if (d.evalDigest !== null) return fail("EVAL_ALREADY_REVEALED");
        if (m.height > evalRevealClosesAt(bid)) {
          if (m.height <= evalRevealClosesAt(bid) + 3n) tag(m, "evaluation set refused just after its window");
          return fail("EVAL_REVEAL_CLOSED");
        }
        if (!fullDigest(digest)) return fail("INVALID_DIGEST");
        if (salt.length !== SALT_LENGTH) return fail("INVALID_SALT");
        if (hex(computeEvalCommitment(digest, salt)) !== d.evalCommitment) return fail("EVAL_COMMITMENT_MISMATCH");
        d.evalDigest = hex(digest);
        d.evalRevealedAt = m.height;
        // a committee seated at the match takes votes from now on
        const c = m.committees.get(id);
        if (c) Object.assign(c, { open: true, commitClosesAt: m.height + VW, revealClosesAt: m.height + VW + RW });
        m.touched.add(id);
        emit(m, "evaluation-revealed", { "bid-id": BigInt(id), bidder: who, "eval-digest": hex(digest), "commit-closes-at": m.height + VW });
        tag(m, "evaluation set revealed");
        if (m.paused) tag(m, "evaluation set revealed while paused");
        if (m.height === evalRevealClosesAt(bid)) tag(m, "evaluation set revealed on the last block");
        if (m.height > d.deliveredAt + ERW) tag(m, "evaluation set revealed past delivered-at + eval-reveal-window (an early delivery)");
        if (m.height > bid.deadline) tag(m, "evaluation set revealed after the deadline");
        if (m.committees.has(id)) tag(m, "evaluation set revealed to a seated committee");
        return success(Cl.uint(m.height + VW));
      },
    };
  }
}
