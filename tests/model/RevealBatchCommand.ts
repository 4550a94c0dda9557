import { Cl } from "@stacks/transactions";
import { batchVoter, someOf } from "./CommitBatchCommand.ts";
import { revealArgs, revealVote, unrevealed } from "./RevealValidationCommand.ts";
import { type Model, STATUS, bidOf, sortedIds, tag, validScore, voteKey } from "./model.ts";
import { type Plan, Step, type Target, allOrNothing, fail, name, plant, success, targetBid } from "./step.ts";

/**
 * A reveal batch's planted bad entry: none; a job of the batch again (ALREADY_REVEALED, or
 * JOB_NOT_RUNNING once its first reveal finalized it); one of its entries with a wrong score
 * (COMMITMENT_MISMATCH) or a 16-byte salt (INVALID_SALT) in its place; a bid that does not exist
 * (BID_NOT_FOUND); a job the validator never committed on (NOT_COMMITTED); or no entry (EMPTY_BATCH).
 */
export type BadReveal = "none" | "dup" | "wrong" | "short" | "missing" | "uncommitted" | "empty";

/**
 * The validator's unrevealed commits, those whose reveal phase is open now (else any pending one);
 * not a commit to a score the job refuses (a 101 on a plain job: the validator knows it can never
 * reveal it, and leaves it out of its batches).
 */
export function revealCandidates(m: Model, who: string, openOnly = true): number[] {
  const { open, pending } = unrevealed(m);
  const revealable = (id: number) => validScore(m.secrets.get(voteKey(id, who))?.score ?? 0n, bidOf(m, id).verified);
  return (openOnly ? open : pending).filter(([id, w]) => w === who && revealable(id)).map(([id]) => id);
}

/**
 * reveal-validation-results: a validator reveals several of its commits at once; each entry that
 * completes its committee finalizes that job in the call (a batch may finalize several). A planted
 * bad entry fails the whole call with its error, the jobs the entries before it finalized included,
 * and leaves everything as it was. NOT_DIRECT_CALLER, EMPTY_BATCH, then each entry as
 * reveal-validation-result; works while paused. Returns {revealed, finalized}.
 */
export class RevealBatchCommand extends Step {
  readonly fn = "reveal-validation-results";
  constructor(private readonly q: { t: Target; count: number; bad: BadReveal; at: number; pending: boolean }) {
    super(q);
  }
  /**
   * smart: a validator of the pool with a commit to reveal now (pending: any commit not revealed;
   * a reveal does not wait: its window closes); otherwise when any bid exists
   */
  check(m: Readonly<Model>) {
    return this.q.t.mode === "smart" ? batchVoter(m as Model, 0, (w) => revealCandidates(m as Model, w, !this.q.pending)) !== null : m.bids.size > 0;
  }
  plan(m: Model): Plan {
    // a validator whose reveals are open; now and then one with any pending commits (REVEAL_NOT_OPEN, REVEAL_CLOSED)
    const openOnly = !this.q.pending;
    const smart = this.q.t.mode === "smart" ? batchVoter(m, this.q.t.who, (w) => revealCandidates(m, w, openOnly)) : null;
    const who = smart ?? m.pool[this.q.t.who % m.pool.length];
    let entries = (smart ? someOf(revealCandidates(m, who, openOnly), this.q.count, this.q.t.sel) : [targetBid(m, this.q.t, [])]).map((id) => ({
      id,
      ...revealArgs(m, id, who, "none"),
    }));
    const bad = this.q.bad;
    const sel = this.q.t.sel;
    // the bad entry comes after an entry that would finalize its job (the last seat to reveal) when
    // there is one: the finalization must be undone with the rest; else anywhere
    const settles = (e: { id: number }) => {
      const c = m.committees.get(e.id);
      return c !== undefined && c.reveals + 1n === BigInt(c.seats.length);
    };
    const finalizing = entries.findLastIndex(settles);
    const after = finalizing + 1;
    const i = entries.length > after ? after + (sel % (entries.length - after)) : entries.length > 0 ? sel % entries.length : 0;
    const at = finalizing >= 0 ? after : this.q.at;
    if (bad === "empty") entries = [];
    else if ((bad === "wrong" || bad === "short") && entries.length > 0) {
      entries = entries.map((e, k) => (k === i ? { id: e.id, ...revealArgs(m, e.id, who, bad === "wrong" ? "score" : "short") } : e));
    } else if (bad === "dup" && entries.length > 0) {
      // mostly a second reveal on a job this batch does not finalize (ALREADY_REVEALED), else on one it does (JOB_NOT_RUNNING)
      const open = entries.findIndex((e) => !settles(e));
      entries = plant(entries, entries[open >= 0 && sel % 4 !== 0 ? open : i], at);
    } else if (bad !== "none") entries = plant(entries, { id: this.badId(m, who), ...revealArgs(m, m.lastBidId + 1, who, "none") }, at);
    const ids = entries.map((e) => e.id);
    return {
      label: `reveal-validation-results([${entries.map((e) => `${e.id}: ${e.score}${e.salt.length !== 32 ? " (16-byte salt)" : ""}`).join(", ")}]${
        bad === "none" ? "" : `, bad: ${bad}`
      }) by ${name(who)}`,
      fn: this.fn,
      sender: who,
      args: [Cl.list(entries.map((e) => Cl.tuple({ "bid-id": Cl.uint(e.id), score: Cl.uint(e.score), salt: Cl.buffer(e.salt) })))],
      named: [...new Set(ids)],
      predict: (m) => {
        if (entries.length === 0) return fail("EMPTY_BATCH");
        const r = allOrNothing(m, entries, (e) => revealVote(m, e.id, who, e.score, e.salt));
        if ("err" in r) {
          tag(m, `batch reveal refused whole (${entries.length > 1 ? "a bad entry among others" : "its one entry"})`);
          if (r.undone.has("finalized by the last reveal")) tag(m, "a batch reveal that would finalize a job fails whole");
          return fail(r.err);
        }
        const finalized = r.ok.filter((f) => f).length;
        if (entries.length > 1) tag(m, "batch reveal");
        if (finalized > 0) tag(m, "a batch reveal finalizes a job");
        if (finalized > 1) tag(m, "a batch reveal finalizes several jobs");
        if (m.paused) tag(m, "batch reveal while paused");
        return success(Cl.tuple({ revealed: Cl.uint(entries.length), finalized: Cl.uint(finalized) }));
      },
    };
  }
  /** A bid that does not exist, or a job the validator holds no commit on. */
  private badId(m: Model, who: string): number {
    if (this.q.bad === "missing") return m.lastBidId + 1;
    const uncommitted = sortedIds(m.bids).filter((id) => bidOf(m, id).status === STATUS.MATCHED && !m.votes.has(voteKey(id, who)));
    return uncommitted.length > 0 ? uncommitted[this.q.t.sel % uncommitted.length] : m.lastBidId + 1;
  }
}
