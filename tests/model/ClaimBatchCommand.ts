import { Cl, ClarityType } from "@stacks/transactions";
import { expect } from "vitest";
import { contractId, stxTransfers } from "../helpers.ts";
import { claimSeat, claimable, payRewards } from "./ClaimRewardCommand.ts";
import { batchVoter, someOf } from "./CommitBatchCommand.ts";
import { type Model, STATUS, bidOf, sortedIds, tag, voteKey } from "./model.ts";
import { type Plan, Step, type Target, allOrNothing, anyAccount, fail, name, plant, success, targetBid } from "./step.ts";

/**
 * A claim batch's planted bad entry: none; a job of the batch again (ALREADY_CLAIMED); a job not
 * scored (running or refunded: JOB_NOT_FINALIZED); a bid that does not exist (BID_NOT_FOUND); a
 * settled job the validator has no vote on (NOT_JOB_VALIDATOR, also a job settled without a committee); or no entry
 * (EMPTY_BATCH).
 */
export type BadClaim = "none" | "dup" | "unscored" | "missing" | "stranger" | "empty";

/** The validator's unclaimed votes on scored jobs. */
export const claimCandidates = (m: Model, who: string) => claimable(m).filter(([, w]) => w === who).map(([id]) => id);

/**
 * claim-validation-rewards: a validator claims its seats on several scored jobs at once and is
 * paid their sum in ONE transfer (none when it is 0); the coherent seats it claimed are freed from
 * its open seats, once per call. A planted bad entry fails the whole call with its error and
 * leaves everything as it was. NOT_DIRECT_CALLER, EMPTY_BATCH, then each entry as
 * claim-validation-reward; works while paused. Returns the total paid.
 */
export class ClaimBatchCommand extends Step {
  readonly fn = "claim-validation-rewards";
  constructor(private readonly q: { t: Target; count: number; bad: BadClaim; at: number }) {
    super(q);
  }
  /**
   * smart: a validator of the pool with several unclaimed votes on scored jobs (a claim waits for no
   * window: it gathers them), or (a batch of one) with one; otherwise when any bid exists
   */
  check(m: Readonly<Model>) {
    if (this.q.t.mode !== "smart") return m.bids.size > 0;
    // (a batch with a bad entry needs only one good one)
    return m.pool.some((w) => claimCandidates(m as Model, w).length >= (this.q.count > 1 && this.q.bad === "none" ? 2 : 1));
  }
  plan(m: Model): Plan {
    const smart = this.q.t.mode === "smart" ? batchVoter(m, this.q.t.who, (w) => claimCandidates(m, w)) : null;
    const who = smart ?? (this.q.t.who % 3 === 0 ? anyAccount(this.q.t) : m.pool[this.q.t.who % m.pool.length]);
    let ids = smart ? someOf(claimCandidates(m, who), this.q.count, this.q.t.sel) : [targetBid(m, this.q.t, [])];
    const bad = this.q.bad;
    if (bad === "empty") ids = [];
    else if (bad !== "none") ids = plant(ids, this.badId(m, who, ids), this.q.at);
    let total = 0n;
    return {
      label: `claim-validation-rewards([${ids.join(", ")}]${bad === "none" ? "" : `, bad: ${bad}`}) by ${name(who)}`,
      fn: this.fn,
      sender: who,
      args: [Cl.list(ids.map((id) => Cl.uint(id)))],
      named: [...new Set(ids)],
      predict: (m) => {
        if (ids.length === 0) return fail("EMPTY_BATCH");
        const r = allOrNothing(m, ids, (id) => claimSeat(m, id, who));
        if ("err" in r) {
          tag(m, `batch claim refused whole (${ids.length > 1 ? "a bad entry among others" : "its one entry"})`);
          return fail(r.err);
        }
        total = r.ok.reduce((a, c) => a + c.reward, 0n);
        const released = r.ok.reduce((a, c) => a + c.released, 0n);
        payRewards(m, who, total, released);
        if (ids.length > 1) tag(m, "batch claim");
        if (released > 0n) tag(m, "a batch claim frees seats");
        if (released > 1n) tag(m, "a batch claim frees several seats at once");
        if (r.ok.filter((c) => c.reward > 0n).length > 1) tag(m, "a batch claim pays several rewards in one transfer");
        if (m.paused) tag(m, "batch claim while paused");
        return success(Cl.uint(total));
      },
      // the claims are paid in one transfer (none for nothing)
      receipt: (receipt) => {
        if (receipt.result.type !== ClarityType.ResponseOk) return;
        expect(stxTransfers(receipt), `${ids.length} claims of ${name(who)} paid in one transfer`).toEqual(
          total > 0n ? [{ sender: contractId, recipient: who, amount: total }] : [],
        );
      },
    };
  }
  /** The planted bad entry: a job of the batch again, a job not scored, a missing bid, a scored job without the validator's vote. */
  private badId(m: Model, who: string, ids: number[]): number {
    const sel = this.q.t.sel;
    switch (this.q.bad) {
      case "dup":
        return ids.length > 0 ? ids[sel % ids.length] : m.lastBidId + 1;
      case "unscored": {
        const unscored = sortedIds(m.bids).filter((id) => !m.committees.get(id)?.scored && bidOf(m, id).status !== STATUS.QUEUED);
        return unscored.length > 0 ? unscored[sel % unscored.length] : m.lastBidId + 1;
      }
      case "stranger": {
        const strange = sortedIds(m.committees).filter((id) => m.committees.get(id)?.scored && !m.votes.has(voteKey(id, who)));
        return strange.length > 0 ? strange[sel % strange.length] : targetBid(m, { ...this.q.t, mode: "any" }, []);
      }
      default:
        return m.lastBidId + 1;
    }
  }
}
