/**
 * The validator as a program: it finds the jobs it is seated on, fetches and checks the model and
 * the evaluation set, evaluates with the spec's pinned software, commits inside the commit window
 * and reveals inside the reveal window (or votes directly on a one-seat committee), finalizes
 * what is due, and claims its rewards.
 *
 * Its vote and salt are stored durably BEFORE the commit is sent: a restart between the commit
 * and the reveal finds them and reveals. Every action is checked against the chain first (the
 * committee, its vote record, the job's windows), so a repeated step never acts twice.
 * A "lazy" validator votes a fixed score without evaluating anything: the committee's median
 * then makes it an outlier, and it is penalized.
 */
import { computeCommitment, randomSalt, type Committee } from "../client/index.ts";
import { toHex, type ReadableStore } from "../store/index.ts";
import { scoreJob, type EvaluateOptions, type Verdict } from "../ml/index.ts";
import type { Chain, TxResult } from "./chain.ts";
import { JobWatcher, type JobView } from "./jobs.ts";
import type { AgentState } from "./state.ts";

/** A vote between its commit and its claim (JSON-safe). */
export interface VoteRecord {
  score: number;
  salt: string;
  /** Why this score (the evaluator's metric or the reason it could not be judged). */
  reason: string;
}

export type ValidatorBehaviour = { kind: "honest" } | { kind: "lazy"; score: number };

export interface ValidatorOptions {
  name: string;
  address: string;
  chain: Chain;
  store: ReadableStore;
  state: AgentState<VoteRecord>;
  behaviour?: ValidatorBehaviour;
  evaluate?: EvaluateOptions;
  log?: (line: string) => void;
}

export type ValidatorAction =
  | { kind: "drew"; bidId: bigint }
  | { kind: "evaluated"; bidId: bigint; verdict: Verdict | null; score: number }
  | { kind: "committed"; bidId: bigint; score: number }
  | { kind: "revealed"; bidId: bigint; score: number; settled: boolean }
  | { kind: "voted"; bidId: bigint; score: number }
  | { kind: "finalized"; bidId: bigint; outcome: string }
  | { kind: "claimed"; bidId: bigint; reward: bigint }
  | { kind: "failed"; bidId: bigint; call: string; error: string };

export class ValidatorAgent {
  readonly name: string;
  readonly address: string;
  private readonly watcher: JobWatcher;
  /** Bids it voted on whose settlement it has not claimed yet. */
  private readonly toClaim = new Set<bigint>();
  /** Verdicts of jobs it evaluated, kept until the vote is cast. */
  private readonly verdicts = new Map<bigint, { score: number; reason: string; verdict: Verdict | null }>();

  constructor(private readonly opts: ValidatorOptions) {
    this.name = opts.name;
    this.address = opts.address;
    const me = opts.address;
    this.watcher = new JobWatcher(opts.chain.reader, (bid) => bid.bidder !== me);
    // a restart: every stored vote may still need its reveal or its claim
    for (const key of opts.state.keys()) this.toClaim.add(BigInt(key));
  }

  async step(): Promise<ValidatorAction[]> {
    const actions: ValidatorAction[] = [];
    for (const job of await this.watcher.matchedJobs()) {
      try {
        await this.serve(job, actions);
      } catch (e) {
        actions.push({ kind: "failed", bidId: job.bidId, call: "step", error: e instanceof Error ? e.message : String(e) });
      }
    }
    await this.claim(actions);
    return actions;
  }

  private async serve(job: JobView, actions: ValidatorAction[]): Promise<void> {
    const { chain } = this.opts;
    const { timeline, burnHeight, bidId } = job;
    if (timeline.stage !== "running") {
      // due for its ending: anyone may finalize; a seated validator does it so its fees are paid
      if (await this.seated(bidId)) await this.finalize(bidId, actions);
      return;
    }
    // a plain job delivers nothing to evaluate: this agent serves verified jobs only
    if (!timeline.open || !job.bid.verified) return;
    let committee = await chain.reader.getCommittee(bidId);
    if (!committee) {
      if (burnHeight > timeline.commitClosesAt) return;
      const drawn = await this.send("draw-committee", bidId, await chain.client.drawCommittee({ bidId }));
      if (!drawn) return; // the seed is not ready yet, or another agent drew it first
      actions.push({ kind: "drew", bidId });
      committee = await chain.reader.getCommittee(bidId);
      if (!committee) return;
    }
    if (!committee.seats.includes(this.address)) return;
    const vote = await chain.reader.getVote(bidId, this.address);
    if (!vote && burnHeight <= timeline.commitClosesAt) await this.cast(job, committee, actions);
    else if (vote && !vote.revealed && burnHeight > timeline.commitClosesAt && burnHeight <= timeline.revealClosesAt) await this.reveal(bidId, actions);
  }

  /** Evaluates once, then commits (or votes directly on a one-seat committee). */
  private async cast(job: JobView, committee: Committee, actions: ValidatorAction[]): Promise<void> {
    const { chain, state } = this.opts;
    const bidId = job.bidId;
    const judged = this.verdicts.get(bidId) ?? (await this.judge(job));
    this.verdicts.set(bidId, judged);
    actions.push({ kind: "evaluated", bidId, verdict: judged.verdict, score: judged.score });
    if (committee.seats.length === 1) {
      const call = await chain.client.submitValidationResult({ caller: this.address, datasetId: job.bid.datasetId, bidId, score: judged.score });
      if (await this.send("submit-validation-result", bidId, call, actions)) {
        this.verdicts.delete(bidId);
        state.set(bidId.toString(), { score: judged.score, salt: "", reason: judged.reason });
        this.toClaim.add(bidId);
        actions.push({ kind: "voted", bidId, score: judged.score });
      }
      return;
    }
    const salt = toHex(randomSalt());
    state.set(bidId.toString(), { score: judged.score, salt, reason: judged.reason }); // before the commit
    const commitment = computeCommitment(judged.score, salt, bidId, this.address);
    if (await this.send("commit-validation-result", bidId, await chain.client.commitValidationResult({ bidId, commitment }), actions)) {
      this.verdicts.delete(bidId);
      this.toClaim.add(bidId);
      actions.push({ kind: "committed", bidId, score: judged.score });
    } else state.delete(bidId.toString());
  }

  private async judge(job: JobView): Promise<{ score: number; reason: string; verdict: Verdict | null }> {
    const behaviour = this.opts.behaviour ?? { kind: "honest" };
    if (behaviour.kind === "lazy") return { score: behaviour.score, reason: "not evaluated", verdict: null };
    const verdict = await scoreJob(
      this.opts.store,
      { spec: job.delivery!.spec, model: job.delivery!.model!, evalSet: job.delivery!.evalDigest! },
      this.opts.evaluate,
    );
    const reason = verdict.outcome === "unavailable" ? `evaluation set unavailable: ${verdict.reason}` : verdict.metric === null ? `model refused: ${verdict.reason}` : `${verdict.metric.toFixed(4)}`;
    this.opts.log?.(`${this.name} evaluated job ${job.bidId}: score ${verdict.vote} (${reason})`);
    return { score: verdict.vote, reason, verdict };
  }

  private async reveal(bidId: bigint, actions: ValidatorAction[]): Promise<void> {
    const { chain, state } = this.opts;
    const record = state.get(bidId.toString());
    if (!record) {
      actions.push({ kind: "failed", bidId, call: "reveal-validation-result", error: "no stored vote: the salt was lost" });
      return;
    }
    const call = await chain.client.revealValidationResult({ caller: this.address, bidId, score: record.score, salt: record.salt });
    const r = await chain.send(this.address, call);
    if (!r.ok) actions.push({ kind: "failed", bidId, call: "reveal-validation-result", error: r.error ?? String(r.value) });
    else actions.push({ kind: "revealed", bidId, score: record.score, settled: r.events.some((e) => e.event === "job-finalized") });
  }

  private async finalize(bidId: bigint, actions: ValidatorAction[]): Promise<void> {
    const { chain } = this.opts;
    const r = await chain.send(this.address, await chain.client.finalizeValidation({ bidId }));
    if (r.ok) actions.push({ kind: "finalized", bidId, outcome: String(r.value) });
    else if (r.error !== "JOB_NOT_RUNNING") actions.push({ kind: "failed", bidId, call: "finalize-validation", error: r.error ?? String(r.value) });
  }

  /** Claims every settled job it voted on (a reward of 0 is claimed too: it closes the record). */
  private async claim(actions: ValidatorAction[]): Promise<void> {
    const { chain, state } = this.opts;
    for (const bidId of [...this.toClaim]) {
      const result = await chain.reader.getJobResult(bidId);
      if (!result) continue;
      const vote = await chain.reader.getVote(bidId, this.address);
      if (!vote || vote.claimed || !vote.revealed) {
        this.toClaim.delete(bidId);
        state.delete(bidId.toString());
        continue;
      }
      const call = await chain.client.claimValidationReward({ caller: this.address, bidId });
      const r = await chain.send(this.address, call);
      if (r.ok) actions.push({ kind: "claimed", bidId, reward: r.value as bigint });
      else actions.push({ kind: "failed", bidId, call: "claim-validation-reward", error: r.error ?? String(r.value) });
      this.toClaim.delete(bidId);
      state.delete(bidId.toString());
    }
  }

  private async seated(bidId: bigint): Promise<boolean> {
    const committee = await this.opts.chain.reader.getCommittee(bidId);
    return committee?.seats.includes(this.address) ?? false;
  }

  private async send(name: string, bidId: bigint, call: Parameters<Chain["send"]>[1], actions?: ValidatorAction[]): Promise<TxResult | null> {
    const r = await this.opts.chain.send(this.address, call);
    if (r.ok) return r;
    if (actions) actions.push({ kind: "failed", bidId, call: name, error: r.error ?? String(r.value) });
    return null;
  }
}
