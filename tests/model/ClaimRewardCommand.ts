import { Cl } from "@stacks/transactions";
import type { ErrorName } from "../../src/errors.ts";
import { coherentScore } from "../../src/client/planner.ts";
import { claimsInBatches } from "./actors.ts";
import { type CommitteeM, type Model, SCORE_UNAVAILABLE, emit, payOut, pick, sortedIds, tag, voteKey } from "./model.ts";
import { type Plan, Step, type Target, anyAccount, name, success, targetBid } from "./step.ts";

/** claim-validation-reward: a seat of a finalized job claims its weighted share of the reward pool (0 unless coherent). */
export class ClaimRewardCommand extends Step {
  readonly fn = "claim-validation-reward";
  constructor(private readonly q: { t: Target; voter: number }) {
    super(q);
  }
  /** smart: only when there is a fitting target; otherwise when any bid exists (or the id is a missing one) */
  check(m: Readonly<Model>) {
    return this.q.t.mode === "smart" ? this.smart(m as Model).length > 0 : m.bids.size > 0;
  }
  /** unclaimed votes of finalized jobs (none in the `it`s with the batch calls: their validators claim in batches) */
  smart(m: Model) {
    return claimsInBatches(m) ? [] : claimable(m);
  }
  plan(m: Model): Plan {
    let id: number;
    let who: string;
    const target = this.q.t.mode === "smart" ? pick(this.smart(m), this.q.t.sel) : undefined;
    if (target) [id, who] = target;
    else {
      id = targetBid(m, this.q.t, []);
      who = this.q.voter % 3 === 0 ? anyAccount(this.q.t) : m.pool[this.q.voter % m.pool.length];
    }
    return {
      label: `claim-validation-reward(${id}) by ${name(who)}`,
      fn: this.fn,
      sender: who,
      args: [Cl.uint(id)],
      named: [id],
      predict: (m) => {
        const r = claimSeat(m, id, who);
        if ("err" in r) return r;
        payRewards(m, who, r.ok.reward, r.ok.released);
        if (r.ok.released > 0n) tag(m, "a claim frees a coherent seat");
        return success(Cl.uint(r.ok.reward));
      },
    };
  }
}

/** Unclaimed votes of jobs scored by their committee. */
export function claimable(m: Model): [number, string][] {
  const out: [number, string][] = [];
  for (const id of sortedIds(m.committees)) {
    const c = m.committees.get(id) as CommitteeM;
    if (!c.scored) continue;
    for (const s of c.seats) {
      const v = m.votes.get(voteKey(id, s));
      if (v && !v.claimed) out.push([id, s]);
    }
  }
  return out;
}

/**
 * claim-seat: marks the caller's seat on a scored job claimed and takes its share out of what the
 * committee's pool still holds (the last coherent claimant takes the rest); the caller pays it
 * (payRewards). Read from the committee record: a job settled without one (a bidder default with no
 * committee) has nobody to pay (NOT_JOB_VALIDATOR). Returns the share and whether the claim
 * freed the seat (a coherent one: settlement left it counted).
 */
export function claimSeat(m: Model, id: number, who: string): { err: ErrorName } | { ok: { reward: bigint; released: bigint } } {
  const c = m.committees.get(id);
  if (!c) {
    if (!m.bids.has(id)) return { err: "BID_NOT_FOUND" };
    if (!m.results.has(id)) return { err: "JOB_NOT_FINALIZED" };
    tag(m, "claim on a job settled without a committee (NOT_JOB_VALIDATOR)");
    return { err: "NOT_JOB_VALIDATOR" };
  }
  if (!c.scored) return { err: "JOB_NOT_FINALIZED" };
  const vote = c.seats.includes(who) ? m.votes.get(voteKey(id, who)) : undefined;
  if (!vote) return { err: "NOT_JOB_VALIDATOR" };
  if (vote.claimed) return { err: "ALREADY_CLAIMED" };
  const coherent = vote.revealed && coherentScore(vote.score, c.finalScore, c.tolerance);
  const reward = coherent ? (vote.weight >= c.rewardWeight ? c.rewardPool : (c.rewardPool * vote.weight) / c.rewardWeight) : 0n;
  vote.claimed = true;
  c.rewardPool -= reward;
  if (coherent) c.rewardWeight -= vote.weight;
  m.touched.add(id);
  emit(m, "validation-reward-claimed", { "bid-id": BigInt(id), validator: who, amount: reward, coherent });
  tag(m, coherent ? (c.rewardWeight === 0n ? "last coherent claim" : "coherent claim") : "claim of an outlier or silent seat");
  if (coherent && vote.score === SCORE_UNAVAILABLE) tag(m, "claim of a coherent 101 vote");
  return { ok: { reward, released: coherent ? 1n : 0n } };
}

/**
 * pay-rewards: pays the caller what its claims took out of the pools, in one transfer, books it out
 * of the unclaimed rewards, and frees the coherent seats they released from its validator record.
 */
export function payRewards(m: Model, who: string, total: bigint, released: bigint) {
  payOut(m, who, total);
  m.totals.unclaimedRewards -= total;
  const v = m.validators.get(who);
  if (released > 0n && v) {
    v.openSeats -= released;
    if (v.openSeats === 0n && !v.active) tag(m, "a claim frees the last seat of an exiting validator");
  }
}
