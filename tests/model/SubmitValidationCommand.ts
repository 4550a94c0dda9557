import { Cl } from "@stacks/transactions";
import { computeCommitment } from "../../src/client/commitment.ts";
import { GARBAGE_SCORE, garbage, unavailable } from "./actors.ts";
import {
  type CommitteeM,
  MAX_SCORE,
  type Model,
  SCORE_UNAVAILABLE,
  STATUS,
  committeeFor,
  emit,
  finalizeJob,
  hex,
  partiesOf,
  pick,
  seatWeight,
  seatsFor,
  storeCommittee,
  tag,
  timelineOf,
  validScore,
  voteKey,
} from "./model.ts";
import { notSeatedError } from "./CommitValidationCommand.ts";
import { type Plan, Step, type Target, anyAccount, fail, name, openSeats, success, targetBid } from "./step.ts";

/** submit-validation-result: the one seat of a one-seat committee scores the job directly (others: COMMIT_REQUIRED). */
export class SubmitValidationCommand extends Step {
  readonly fn = "submit-validation-result";
  constructor(private readonly q: { t: Target; voter: number; score: bigint; mismatch: boolean }) {
    super(q);
  }
  /** smart: only when there is a fitting target; otherwise when any bid exists (or the id is a missing one) */
  check(m: Readonly<Model>) {
    return this.q.t.mode === "smart" ? this.smart(m as Model).length > 0 : m.bids.size > 0;
  }
  smart(m: Model) {
    return openSeats(m);
  }
  plan(m: Model): Plan {
    // smart: one-seat committees first (stored or about to be drawn), then any open seat (COMMIT_REQUIRED)
    const seats = this.q.t.mode === "smart" ? this.smart(m) : [];
    const single = seats.filter(([id]) => seatsFor(m, id).length === 1);
    let id: number;
    let who: string;
    const target = pick(single.length > 0 && this.q.voter % 4 !== 0 ? single : seats, this.q.t.sel);
    if (target) [id, who] = target;
    else {
      id = targetBid(m, this.q.t, []);
      who = this.q.voter % 3 === 0 ? anyAccount(this.q.t) : m.pool[this.q.voter % m.pool.length];
    }
    const b = m.bids.get(id);
    const datasetArg = b ? b.datasetId + (this.q.mismatch ? 1 : 0) : 1;
    const score =
      b && garbage(m, id) && this.q.score <= MAX_SCORE
        ? GARBAGE_SCORE
        : b && unavailable(m, id) && this.q.score <= MAX_SCORE
          ? SCORE_UNAVAILABLE
          : this.q.score;
    return {
      label: `submit-validation-result(${datasetArg}, ${id}, ${score}) by ${name(who)}`,
      fn: this.fn,
      sender: who,
      args: [Cl.uint(datasetArg), Cl.uint(id), Cl.uint(score)],
      named: [id],
      predict: (m) => {
        const bid = m.bids.get(id);
        if (!bid) return fail("BID_NOT_FOUND");
        const v = m.validators.get(who);
        if (!v) return fail("VALIDATOR_NOT_FOUND");
        if (m.paused) return fail("PAUSED");
        if (!validScore(score, bid.verified)) return fail("INVALID_SCORE");
        if (datasetArg !== bid.datasetId) return fail("BID_DATASET_MISMATCH");
        if (bid.status !== STATUS.MATCHED) return fail("JOB_NOT_RUNNING");
        // committee-for-vote: a stored committee as it is; else the job's checks, then a draw
        let committee = m.committees.get(id);
        const drawn = !committee;
        if (!committee) {
          const t = timelineOf(m, id, bid);
          if (!t.open) return fail("EVALUATION_NOT_REVEALED");
          if (m.height > t.commitClosesAt) return fail("VALIDATION_CLOSED");
          if (partiesOf(m, bid).includes(who)) return fail("PARTY_CANNOT_VALIDATE");
          committee = committeeFor(m, id).committee ?? undefined;
          if (!committee) return fail("NO_ELIGIBLE_VALIDATORS");
        }
        // then the checks on the committee's copy of the job
        if (!committee.open) return fail("EVALUATION_NOT_REVEALED");
        if (m.height > committee.commitClosesAt) return fail("VALIDATION_CLOSED");
        if (!committee.seats.includes(who)) return fail(notSeatedError(m, id, who));
        if (committee.seats.length !== 1) return fail("COMMIT_REQUIRED");
        if (m.votes.has(voteKey(id, who))) return fail("ALREADY_VOTED");
        if (drawn) {
          storeCommittee(m, id, committee);
          tag(m, "committee drawn by a submit");
        }
        const weight = seatWeight(committee, who);
        if (weight !== v.stake) tag(m, "vote weighs its seat, not the stake now");
        m.votes.set(voteKey(id, who), {
          commitment: hex(computeCommitment(score, new Uint8Array(0), id, who)),
          score,
          weight,
          revealed: true,
          claimed: false,
        });
        const c: CommitteeM = { ...committee, commits: 1n, reveals: 1n, revealedWeight: weight, revealed: [{ score, weight }] };
        m.committees.set(id, c);
        emit(m, "validation-submitted", { "bid-id": BigInt(id), "dataset-id": BigInt(datasetArg), validator: who, score, weight });
        tag(m, "finalized by a direct submit");
        finalizeJob(m, id, bid, c);
        return success(Cl.bool(true));
      },
    };
  }
}
