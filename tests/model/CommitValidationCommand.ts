import { Cl } from "@stacks/transactions";
import { computeCommitment } from "../../src/client/commitment.ts";
import { GARBAGE_SCORE, batched, contestedScore, garbage, isLazy, judged, unavailable } from "./actors.ts";
import type { ErrorName } from "../../src/errors.ts";
import {
  type Model,
  SCORE_UNAVAILABLE,
  STATUS,
  bidOf,
  committeeFor,
  emit,
  hex,
  partiesOf,
  pick,
  saltOf,
  seatWeight,
  seatsFor,
  storeCommittee,
  tag,
  timelineOf,
  validatorOf,
  voteKey,
} from "./model.ts";
import { type Plan, type Prediction, Step, type Target, anyAccount, fail, name, openSeats, success, targetBid } from "./step.ts";

/** commit-validation-result: a seat commits to its score (actors.ts picks it: judged, contested, garbage or 101). */
export class CommitValidationCommand extends Step {
  readonly fn = "commit-validation-result";
  constructor(private readonly q: { t: Target; voter: number; score: bigint; near: boolean; noise: bigint }) {
    super(q);
  }
  /** smart: only when there is a fitting target; otherwise when any bid exists (or the id is a missing one) */
  check(m: Readonly<Model>) {
    return this.q.t.mode === "smart" ? this.smart(m as Model).length > 0 : m.bids.size > 0;
  }
  /** Open seats but the lazy ones (and those of batched jobs); half the time not those of one-seat committees (left to the direct submit). */
  smart(m: Model) {
    const seats = openSeats(m).filter(([id, who]) => !isLazy(id, seatsFor(m, id), who) && !batched(m, id));
    const shared = seats.filter(([id]) => seatsFor(m, id).length > 1);
    return shared.length > 0 && this.q.voter % 2 === 0 ? shared : seats;
  }
  plan(m: Model): Plan {
    let id: number;
    let who: string;
    const seat = this.q.t.mode === "smart" ? pick(this.smart(m), this.q.t.sel) : undefined;
    if (seat) [id, who] = seat;
    else {
      id = targetBid(m, this.q.t, []);
      who = this.q.voter % 3 === 0 ? anyAccount(this.q.t) : m.pool[this.q.voter % m.pool.length];
    }
    const score = scoreFor(m, id, who, this.q);
    const salt = saltOf(who, id);
    const commitment = hex(computeCommitment(score, salt, id, who));
    return {
      label: `commit-validation-result(${id}, commitment of ${score}) by ${name(who)}`,
      fn: this.fn,
      sender: who,
      args: [Cl.uint(id), Cl.bufferFromHex(commitment)],
      named: [id],
      predict: (m) => {
        const voter = checkVoter(m, who);
        if (voter) return voter;
        const r = commitVote(m, id, who, commitment, { score, salt });
        return "err" in r ? r : success(Cl.bool(true));
      },
    };
  }
}

/**
 * The score a seat commits to (actors.ts): a garbage delivery's 10, an unavailable evaluation set's
 * 101, a contested job's 30 / 50, else (near) the job's quality plus noise, or any score.
 */
export function scoreFor(m: Model, id: number, who: string, q: { near: boolean; noise: bigint; score: bigint }): bigint {
  return (
    (m.bids.has(id) && garbage(m, id) && q.near ? GARBAGE_SCORE : null) ??
    (m.bids.has(id) && unavailable(m, id) && q.near ? SCORE_UNAVAILABLE : null) ??
    contestedScore(m, id, who) ??
    (q.near ? judged(id, q.noise) : q.score)
  );
}

/** check-voter: what every vote (commit, batch of commits, submit) needs of its caller, checked once per call. */
export function checkVoter(m: Model, who: string): Prediction | null {
  if (!m.validators.has(who)) return fail("VALIDATOR_NOT_FOUND");
  if (m.paused) return fail("PAUSED");
  return null;
}

/**
 * not-seated-error: why the caller holds no seat on a job: one of its parties (never seated), or
 * not drawn.
 */
export function notSeatedError(m: Model, id: number, who: string): ErrorName {
  const bid = m.bids.get(id);
  return bid && partiesOf(m, bid).includes(who) ? "PARTY_CANNOT_VALIDATE" : "NOT_ON_COMMITTEE";
}

/**
 * commit-vote (check-voter passed): the caller's commitment on one job, its committee drawn first
 * when none is seated (committee-for-vote: the job's checks, then the draw), then the checks on the
 * committee's copy of the job (running, open, its commit window), the seat and its state. On
 * success the model holds the vote (and the test the secret it will reveal).
 */
export function commitVote(
  m: Model,
  id: number,
  who: string,
  commitment: string,
  secret: { score: bigint; salt: Uint8Array },
): { err: ErrorName } | { ok: true } {
  const bid = m.bids.get(id);
  let c = m.committees.get(id);
  if (!c) {
    // committee-for-vote: the job's own checks, then a draw
    if (!bid) return { err: "BID_NOT_FOUND" };
    if (bid.status !== STATUS.MATCHED) return { err: "JOB_NOT_RUNNING" };
    const t = timelineOf(m, id, bid);
    if (!t.open) return { err: "EVALUATION_NOT_REVEALED" };
    if (m.height > t.commitClosesAt) return { err: "VALIDATION_CLOSED" };
    if (partiesOf(m, bid).includes(who)) return { err: "PARTY_CANNOT_VALIDATE" };
    const { committee } = committeeFor(m, id);
    if (!committee) return { err: "NO_ELIGIBLE_VALIDATORS" };
    if (!committee.seats.includes(who)) {
      const v = m.validators.get(who);
      if (v && v.active && v.ordinal > bid.registrationsAtMatch) tag(m, "a later registrant is not on the committee");
      return { err: "NOT_ON_COMMITTEE" };
    }
    storeCommittee(m, id, committee);
    tag(m, "committee drawn by a commit");
    c = committee;
  }
  // (a stored committee has its bid)
  const b = bidOf(m, id);
  if (b.status !== STATUS.MATCHED) return { err: "JOB_NOT_RUNNING" };
  if (!c.open) return { err: "EVALUATION_NOT_REVEALED" };
  if (m.height > c.commitClosesAt) return { err: "VALIDATION_CLOSED" };
  if (!c.seats.includes(who)) {
    const v = m.validators.get(who);
    if (v && v.active && v.ordinal > b.registrationsAtMatch) tag(m, "a later registrant is not on the committee");
    return { err: notSeatedError(m, id, who) };
  }
  if (m.votes.has(voteKey(id, who))) return { err: "ALREADY_VOTED" };
  const v = validatorOf(m, who);
  const weight = seatWeight(c, who);
  if (weight !== v.stake) tag(m, "vote weighs its seat, not the stake now");
  if (!v.active) tag(m, "an exiting validator votes");
  m.votes.set(voteKey(id, who), { commitment, score: 0n, weight, revealed: false, claimed: false });
  m.secrets.set(voteKey(id, who), secret);
  c.commits += 1n;
  m.touched.add(id);
  emit(m, "validation-committed", { "bid-id": BigInt(id), validator: who, commitment });
  return { ok: true };
}
