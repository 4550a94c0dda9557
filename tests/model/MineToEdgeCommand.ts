import fc from "fast-check";
import { lateRevealFrom } from "./actors.ts";
import { type Model, type Real, STATUS, deliveryDueBy, evalRevealClosesAt, json, pick, timelineOf } from "./model.ts";
import { mine } from "./step.ts";

/**
 * Mines to a window edge of a stuck running job (a "smart" target in time), or to the block before
 * it (the last one inside): the close of its commit phase when some but not all of its seats
 * committed (reveals then open by timeout), or the close of its reveal window when no committed
 * seat is left to reveal (finalize-validation and expire-bid then settle it); for a verified job
 * waiting on a party, the block after deliveryDueBy (undelivered: a missed delivery; and the block
 * after the deadline when the decline window runs longer) or after evalRevealClosesAt (its
 * evaluation set unrevealed: a bidder default; and, for a late bidder, the block it reveals from).
 */
export class MineToEdgeCommand implements fc.Command<Model, Real> {
  private resolved = "";
  constructor(private readonly q: { sel: number; before: boolean }) {}
  /** while a running job has an edge ahead within 600 blocks */
  check(m: Readonly<Model>) {
    return this.edges(m as Model).length > 0;
  }
  edges(m: Model): bigint[] {
    const out = new Set<bigint>();
    for (const [id, b] of m.bids) {
      if (b.status !== STATUS.MATCHED) continue;
      const t = timelineOf(m, id, b);
      const c = m.committees.get(id);
      const commits = c?.commits ?? 0n;
      const waiting = t.open && c !== undefined && commits > 0n && commits < BigInt(c.seats.length) && m.height <= t.commitClosesAt;
      const done = t.open && (c === undefined || c.reveals === commits);
      const late = lateRevealFrom(m, id);
      const party =
        b.verified && !t.delivered
          ? [deliveryDueBy(b) + 1n, ...(b.deadline < deliveryDueBy(b) ? [b.deadline + 1n] : [])]
          : !t.open
            ? [evalRevealClosesAt(b) + 1n, ...(late !== null ? [late] : [])]
            : [];
      for (const edge of [...(waiting ? [t.commitClosesAt + 1n] : []), ...(done ? [t.revealClosesAt + 1n] : []), ...party]) {
        const at = this.q.before ? edge - 1n : edge;
        if (at > m.height && at <= m.height + 600n) out.add(at);
      }
    }
    return [...out].sort((a, b) => (a < b ? -1 : 1)).slice(0, 3);
  }
  run(m: Model) {
    const at = pick(this.edges(m), this.q.sel) as bigint;
    const blocks = Number(at - m.height);
    this.resolved = `mine(${blocks}) to a window edge at ${at}`;
    mine(m, blocks, "mine to a window edge");
  }
  toString() {
    return this.resolved || `mine to a window edge ${json(this.q)}`;
  }
}
