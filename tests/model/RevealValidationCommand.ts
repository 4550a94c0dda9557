import { Cl } from "@stacks/transactions";
import { computeCommitment } from "../../src/client/commitment.ts";
import { batched } from "./actors.ts";
import type { ErrorName } from "../../src/errors.ts";
import {
  type Model,
  SALT_LENGTH,
  STATUS,
  bidOf,
  emit,
  finalizeJob,
  hex,
  pick,
  saltOf,
  sortedIds,
  tag,
  timelineOf,
  validScore,
  voteKey,
} from "./model.ts";
import { type Plan, Step, type Target, name, success, targetBid } from "./step.ts";

export type WrongReveal = "none" | "score" | "salt" | "short";

/** reveal-validation-result: a committed seat opens its vote (right, or a wrong score, a wrong salt, a short salt). */
export class RevealValidationCommand extends Step {
  readonly fn = "reveal-validation-result";
  constructor(private readonly q: { t: Target; voter: number; wrong: WrongReveal }) {
    super(q);
  }
  /** smart: only when there is a fitting target; otherwise when any bid exists (or the id is a missing one) */
  check(m: Readonly<Model>) {
    return this.q.t.mode === "smart" ? this.smart(m as Model).length > 0 : m.bids.size > 0;
  }
  /** unrevealed commits of live jobs (not of batched jobs), mostly those whose reveal phase is open */
  smart(m: Model) {
    const { open, pending } = unrevealed(m);
    const single = ([id]: [number, string]) => !batched(m, id);
    return open.some(single) && this.q.voter % 4 !== 0 ? open.filter(single) : pending.filter(single);
  }
  plan(m: Model): Plan {
    let id: number;
    let who: string;
    const target = this.q.t.mode === "smart" ? pick(this.smart(m), this.q.t.sel) : undefined;
    if (target) [id, who] = target;
    else {
      id = targetBid(m, this.q.t, []);
      who = m.pool[this.q.voter % m.pool.length];
    }
    const wrong = this.q.wrong;
    const { score, salt } = revealArgs(m, id, who, wrong);
    return {
      label: `reveal-validation-result(${id}, ${score}${wrong === "salt" ? ", wrong salt" : wrong === "short" ? ", 16-byte salt" : ""}) by ${name(who)}`,
      fn: this.fn,
      sender: who,
      args: [Cl.uint(id), Cl.uint(score), Cl.buffer(salt)],
      named: [id],
      predict: (m) => {
        const r = revealVote(m, id, who, score, salt);
        return "err" in r ? r : success(Cl.bool(r.ok));
      },
    };
  }
}

/** Unrevealed commits of live jobs (pending), and those whose reveal phase is open now (open). */
export function unrevealed(m: Model): { open: [number, string][]; pending: [number, string][] } {
  const pending: [number, string][] = [];
  const open: [number, string][] = [];
  for (const id of sortedIds(m.bids)) {
    const b = bidOf(m, id);
    const c = m.committees.get(id);
    if (b.status !== STATUS.MATCHED || !c) continue;
    const t = timelineOf(m, id, b);
    const isOpen = (c.commits === BigInt(c.seats.length) || m.height > t.commitClosesAt) && m.height <= t.revealClosesAt;
    for (const s of c.seats) {
      const v = m.votes.get(voteKey(id, s));
      if (v && !v.revealed) {
        pending.push([id, s]);
        if (isOpen) open.push([id, s]);
      }
    }
  }
  return { open, pending };
}

/** What `who` reveals on a job: its secret (or a guess when it has none), or a wrong score, a wrong salt, a 16-byte salt. */
export function revealArgs(m: Model, id: number, who: string, wrong: WrongReveal): { score: bigint; salt: Uint8Array } {
  const secret = m.secrets.get(voteKey(id, who)) ?? { score: 50n, salt: saltOf(who, id) };
  const score = wrong === "score" ? (secret.score + 1n) % 101n : secret.score;
  // a short salt: the first 16 bytes of the right one
  const salt = wrong === "salt" ? saltOf(who, id, 1) : wrong === "short" ? secret.salt.slice(0, 16) : secret.salt;
  return { score, salt };
}

/**
 * reveal-vote: the caller opens its vote on one job, checked against the committee's record (its
 * copy of the job's windows, its verified flag); the last reveal of the committee finalizes the job.
 * Returns whether it did.
 */
export function revealVote(m: Model, id: number, who: string, score: bigint, salt: Uint8Array): { err: ErrorName } | { ok: boolean } {
  const c = m.committees.get(id);
  if (!c) return { err: m.bids.has(id) ? "NOT_COMMITTED" : "BID_NOT_FOUND" };
  const vote = c.seats.includes(who) ? m.votes.get(voteKey(id, who)) : undefined;
  if (!vote) return { err: "NOT_COMMITTED" };
  const bid = bidOf(m, id);
  if (bid.status !== STATUS.MATCHED) return { err: "JOB_NOT_RUNNING" };
  if (vote.revealed) return { err: "ALREADY_REVEALED" };
  if (!(c.commits === BigInt(c.seats.length) || m.height > c.commitClosesAt)) return { err: "REVEAL_NOT_OPEN" };
  if (m.height > c.revealClosesAt) return { err: "REVEAL_CLOSED" };
  if (!validScore(score, bid.verified)) return { err: "INVALID_SCORE" };
  if (salt.length !== SALT_LENGTH) return { err: "INVALID_SALT" };
  if (hex(computeCommitment(score, salt, id, who)) !== vote.commitment) return { err: "COMMITMENT_MISMATCH" };
  vote.score = score;
  vote.revealed = true;
  c.reveals += 1n;
  c.revealedWeight += vote.weight;
  c.revealed.push({ score, weight: vote.weight });
  m.touched.add(id);
  emit(m, "validation-revealed", { "bid-id": BigInt(id), validator: who, score, weight: vote.weight });
  const finalizes = c.reveals === BigInt(c.seats.length);
  if (finalizes) {
    tag(m, "finalized by the last reveal");
    finalizeJob(m, id, bid, c);
  }
  return { ok: finalizes };
}
