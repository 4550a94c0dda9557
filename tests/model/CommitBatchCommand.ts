import { Cl } from "@stacks/transactions";
import { computeCommitment } from "../../src/client/commitment.ts";
import { isLazy } from "./actors.ts";
import { checkVoter, commitVote, scoreFor } from "./CommitValidationCommand.ts";
import { type Model, STATUS, bidOf, hex, saltOf, seatsFor, sortedIds, tag, timelineOf } from "./model.ts";
import { type Plan, Step, type Target, allOrNothing, anyAccount, fail, name, openSeats, plant, success, targetBid } from "./step.ts";

/**
 * A batch's planted bad entry: none; a second commit on a job of the batch (ALREADY_VOTED); a job
 * the validator holds no seat on (NOT_ON_COMMITTEE, PARTY_CANNOT_VALIDATE...); a bid that does not
 * exist (BID_NOT_FOUND); a job that ended or whose commit window closed (JOB_NOT_RUNNING,
 * VALIDATION_CLOSED...); or no entry at all (EMPTY_BATCH).
 */
export type BadCommit = "none" | "dup" | "foreign" | "missing" | "closed" | "empty";

/** Per validator of the pool: the open seats it would commit on (not the lazy ones). */
export function commitCandidates(m: Model, who: string): number[] {
  return openSeats(m)
    .filter(([id, w]) => w === who && !isLazy(id, seatsFor(m, id), w))
    .map(([id]) => id);
}

/**
 * The validator a batch is by: one of the pool with at least two candidates (a real batch) when
 * there is one, else with one; null when nobody has any.
 */
export function batchVoter(m: Model, sel: number, candidates: (who: string) => unknown[]): string | null {
  const counts = m.pool.map((w) => [w, candidates(w).length] as const);
  const several = counts.filter(([, n]) => n >= 2).map(([w]) => w);
  const some = counts.filter(([, n]) => n >= 1).map(([w]) => w);
  const from = several.length > 0 ? several : some;
  return from.length > 0 ? from[sel % from.length] : null;
}

/** Up to `count` of the candidates, from a rotation picked by `sel`. */
export function someOf<T>(xs: T[], count: number, sel: number): T[] {
  if (xs.length === 0) return [];
  const start = sel % xs.length;
  return [...xs.slice(start), ...xs.slice(0, start)].slice(0, Math.max(1, count));
}

/**
 * commit-validation-results: a validator commits on several of its open seats at once (their
 * scores as the single commit picks them), sometimes with a planted bad entry, which must fail the
 * whole call with that entry's error and leave everything as it was; now and then no entry at all.
 * check-voter first (VALIDATOR_NOT_FOUND, PAUSED), then EMPTY_BATCH, then each entry as
 * commit-validation-result. Returns the number of commits.
 */
export class CommitBatchCommand extends Step {
  readonly fn = "commit-validation-results";
  constructor(
    private readonly q: { t: Target; count: number; bad: BadCommit; at: number; near: boolean; noise: bigint; score: bigint },
  ) {
    super(q);
  }
  /** smart: a validator of the pool with several open seats, or (a batch of one) with one; otherwise when any bid exists */
  check(m: Readonly<Model>) {
    if (this.q.t.mode !== "smart") return m.bids.size > 0;
    // (a batch with a bad entry needs only one good one)
    return m.pool.some((w) => commitCandidates(m as Model, w).length >= (this.q.count > 1 && this.q.bad === "none" ? 2 : 1));
  }
  plan(m: Model): Plan {
    const smart = this.q.t.mode === "smart" ? batchVoter(m, this.q.t.who, (w) => commitCandidates(m, w)) : null;
    const who = smart ?? (this.q.t.who % 3 === 0 ? anyAccount(this.q.t) : m.pool[this.q.t.who % m.pool.length]);
    let ids = smart ? someOf(commitCandidates(m, who), this.q.count, this.q.t.sel) : [targetBid(m, this.q.t, [])];
    const bad = this.q.bad;
    if (bad === "empty") ids = [];
    else if (bad !== "none") ids = plant(ids, this.badEntry(m, who, ids), this.q.at);
    const entries = ids.map((id) => {
      const score = scoreFor(m, id, who, this.q);
      const salt = saltOf(who, id);
      return { id, score, salt, commitment: hex(computeCommitment(score, salt, id, who)) };
    });
    return {
      label: `commit-validation-results([${entries.map((e) => `${e.id}: ${e.score}`).join(", ")}]${bad === "none" ? "" : `, bad: ${bad}`}) by ${name(who)}`,
      fn: this.fn,
      sender: who,
      args: [Cl.list(entries.map((e) => Cl.tuple({ "bid-id": Cl.uint(e.id), commitment: Cl.bufferFromHex(e.commitment) })))],
      named: [...new Set(ids)],
      predict: (m) => {
        const voter = checkVoter(m, who);
        if (voter) return voter;
        if (entries.length === 0) return fail("EMPTY_BATCH");
        const r = allOrNothing(m, entries, (e) => commitVote(m, e.id, who, e.commitment, { score: e.score, salt: e.salt }));
        if ("err" in r) {
          tag(m, `batch commit refused whole (${entries.length > 1 ? "a bad entry among others" : "its one entry"})`);
          if (r.at > 0) tag(m, "batch commit refused after entries that would have committed");
          return fail(r.err);
        }
        if (entries.length > 1) tag(m, "batch commit");
        if (r.ok.length > 1 && new Set(ids.map((id) => bidOf(m, id).datasetId)).size > 1) tag(m, "batch commit across datasets");
        return success(Cl.uint(entries.length));
      },
    };
  }
  /** The planted bad entry: a job of the batch again, a job without the validator's seat, a missing bid, a closed job. */
  private badEntry(m: Model, who: string, ids: number[]): number {
    const sel = this.q.t.sel;
    switch (this.q.bad) {
      case "dup":
        return ids.length > 0 ? ids[sel % ids.length] : targetBid(m, this.q.t, []);
      case "foreign": {
        // a job taking votes without the validator's seat (NOT_ON_COMMITTEE, PARTY_CANNOT_VALIDATE), else any running one
        const running = sortedIds(m.bids).filter((id) => bidOf(m, id).status === STATUS.MATCHED && !seatsFor(m, id).includes(who));
        const voting = running.filter((id) => {
          const t = timelineOf(m, id, bidOf(m, id));
          return t.open && m.height <= t.commitClosesAt;
        });
        const from = voting.length > 0 ? voting : running;
        return from.length > 0 ? from[sel % from.length] : m.lastBidId + 1;
      }
      case "closed": {
        const closed = sortedIds(m.committees).filter((id) => bidOf(m, id).status !== STATUS.MATCHED && m.committees.get(id)?.seats.includes(who));
        return closed.length > 0 ? closed[sel % closed.length] : targetBid(m, { ...this.q.t, mode: "any" }, []);
      }
      default:
        return m.lastBidId + 1 + (sel % 2);
    }
  }
}
