/**
 * The validator as a program: it finds the jobs it is seated on, fetches and checks the model and
 * the evaluation set, evaluates with the spec's pinned software, commits inside the commit window
 * and reveals inside the reveal window (or votes directly on a one-seat committee), finalizes
 * what is due, and claims its rewards.
 *
 * Each step commits on every job that is due in one `commit-validation-results` call, reveals on
 * every job that is due in one `reveal-validation-results` call and claims every settled job in one
 * `claim-validation-rewards` call (chunks of MAX_BATCH entries). A batch is all or nothing: when one
 * is refused, its entries are sent again one call each, so one bad entry never holds up the others
 * (and names itself). Claiming is also what frees a coherent seat: until then the validator's
 * stake answers for it and `withdraw-validator-stake` is refused.
 *
 * Its vote and salt are stored durably BEFORE the commit is sent: a restart between the commit
 * and the reveal finds them and reveals. Every action is checked against the chain first (the
 * committee, its vote record, the job's windows), so a repeated step never acts twice.
 * A "lazy" validator votes a fixed score without evaluating anything: the committee's median
 * then makes it an outlier, and it is penalized.
 */
import { computeCommitment, MAX_BATCH, randomSalt, type MarketCall } from "../client/index.ts";
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

/** A commit, reveal or claim due on one job, waiting for this step's batch. */
interface Due<T> {
  bidId: bigint;
  entry: T;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

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

  /** One pass: finalize what is due, then one batch each of commits, reveals and claims. */
  async step(): Promise<ValidatorAction[]> {
    const actions: ValidatorAction[] = [];
    const commits: Due<{ score: number }>[] = [];
    const reveals: Due<{ score: number; salt: string }>[] = [];
    for (const job of await this.watcher.matchedJobs()) {
      try {
        await this.serve(job, actions, commits, reveals);
      } catch (e) {
        actions.push({ kind: "failed", bidId: job.bidId, call: "step", error: e instanceof Error ? e.message : String(e) });
      }
    }
    await this.commit(commits, actions);
    await this.reveal(reveals, actions);
    await this.claim(actions);
    return actions;
  }

  /** What one job needs of this validator now: a finalization, a draw, a vote, a commit or a reveal. */
  private async serve(
    job: JobView,
    actions: ValidatorAction[],
    commits: Due<{ score: number }>[],
    reveals: Due<{ score: number; salt: string }>[],
  ): Promise<void> {
    const { chain, state } = this.opts;
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
    if (!vote && burnHeight <= timeline.commitClosesAt) {
      const judged = await this.evaluate(job, actions);
      if (committee.seats.length === 1) await this.submit(job, judged, actions);
      else commits.push({ bidId, entry: { score: judged.score } });
    } else if (vote && !vote.revealed && burnHeight > timeline.commitClosesAt && burnHeight <= timeline.revealClosesAt) {
      const record = state.get(bidId.toString());
      if (!record) actions.push({ kind: "failed", bidId, call: "reveal-validation-results", error: "no stored vote: the salt was lost" });
      else reveals.push({ bidId, entry: { score: record.score, salt: record.salt } });
    }
  }

  /** Evaluates a job once (the verdict is kept until its vote lands). */
  private async evaluate(job: JobView, actions: ValidatorAction[]): Promise<{ score: number; reason: string; verdict: Verdict | null }> {
    const judged = this.verdicts.get(job.bidId) ?? (await this.judge(job));
    this.verdicts.set(job.bidId, judged);
    actions.push({ kind: "evaluated", bidId: job.bidId, verdict: judged.verdict, score: judged.score });
    return judged;
  }

  /** A one-seat committee: the score in the clear, which settles the job at once. */
  private async submit(job: JobView, judged: { score: number; reason: string }, actions: ValidatorAction[]): Promise<void> {
    const { chain, state } = this.opts;
    const bidId = job.bidId;
    const call = await chain.client.submitValidationResult({ caller: this.address, datasetId: job.bid.datasetId, bidId, score: judged.score });
    if (await this.send("submit-validation-result", bidId, call, actions)) {
      this.verdicts.delete(bidId);
      state.set(bidId.toString(), { score: judged.score, salt: "", reason: judged.reason });
      this.toClaim.add(bidId);
      actions.push({ kind: "voted", bidId, score: judged.score });
    }
  }

  /** Commits every due vote: each salt is stored durably before the call that depends on it. */
  private async commit(due: Due<{ score: number }>[], actions: ValidatorAction[]): Promise<void> {
    const { chain, state } = this.opts;
    const entries = due.map(({ bidId, entry }) => {
      const judged = this.verdicts.get(bidId)!;
      const salt = toHex(randomSalt());
      state.set(bidId.toString(), { score: entry.score, salt, reason: judged.reason }); // before the commit
      return { bidId, commitment: computeCommitment(entry.score, salt, bidId, this.address), score: entry.score };
    });
    await this.batched(
      "commit-validation-results",
      "commit-validation-result",
      entries,
      (part) => chain.client.commitValidationResults({ commits: part }),
      (one) => chain.client.commitValidationResult(one),
      (landed, ok) => {
        if (!ok) {
          state.delete(landed.bidId.toString());
          return;
        }
        this.verdicts.delete(landed.bidId);
        this.toClaim.add(landed.bidId);
        actions.push({ kind: "committed", bidId: landed.bidId, score: landed.score });
      },
      actions,
    );
  }

  /** Reveals every due vote; an entry that completes its committee settles the job. */
  private async reveal(due: Due<{ score: number; salt: string }>[], actions: ValidatorAction[]): Promise<void> {
    const { chain } = this.opts;
    const entries = due.map(({ bidId, entry }) => ({ bidId, score: entry.score, salt: entry.salt }));
    await this.batched(
      "reveal-validation-results",
      "reveal-validation-result",
      entries,
      (part) => chain.client.revealValidationResults({ caller: this.address, reveals: part }),
      (one) => chain.client.revealValidationResult({ caller: this.address, ...one }),
      (landed, ok, r) => {
        if (!ok) return;
        const settled = r!.events.some((e) => (e.event === "job-finalized" || e.event === "bid-expired") && e["bid-id"] === landed.bidId);
        actions.push({ kind: "revealed", bidId: landed.bidId, score: landed.score, settled });
      },
      actions,
    );
  }

  private async finalize(bidId: bigint, actions: ValidatorAction[]): Promise<void> {
    const { chain } = this.opts;
    const r = await chain.send(this.address, await chain.client.finalizeValidation({ bidId }));
    if (r.ok) actions.push({ kind: "finalized", bidId, outcome: String(r.value) });
    else if (r.error !== "JOB_NOT_RUNNING") actions.push({ kind: "failed", bidId, call: "finalize-validation", error: r.error ?? String(r.value) });
  }

  /**
   * Claims every settled job it revealed on (a reward of 0 is claimed too: it closes the record),
   * in one call. A job that ended without a result, or a vote never revealed (its seat was freed at
   * settlement), has nothing to claim: its record is dropped.
   */
  private async claim(actions: ValidatorAction[]): Promise<void> {
    const { chain, state } = this.opts;
    const due: { bidId: bigint }[] = [];
    for (const bidId of [...this.toClaim]) {
      const drop = () => {
        this.toClaim.delete(bidId);
        state.delete(bidId.toString());
      };
      const result = await chain.reader.getJobResult(bidId);
      if (!result) {
        const bid = await chain.reader.getBid(bidId);
        if (!bid || (bid.status !== "MATCHED" && bid.status !== "QUEUED")) drop(); // closed without a result
        continue;
      }
      const vote = await chain.reader.getVote(bidId, this.address);
      if (!vote || vote.claimed || !vote.revealed) drop();
      else due.push({ bidId });
    }
    await this.batched(
      "claim-validation-rewards",
      "claim-validation-reward",
      due,
      (part) => chain.client.claimValidationRewards({ caller: this.address, bidIds: part.map((d) => d.bidId) }),
      (one) => chain.client.claimValidationReward({ caller: this.address, bidId: one.bidId }),
      (landed, ok, r) => {
        // claimed or refused, the record is closed (a refused claim would be refused again)
        this.toClaim.delete(landed.bidId);
        state.delete(landed.bidId.toString());
        if (!ok) return;
        const event = r!.events.find((e) => e.event === "validation-reward-claimed" && e["bid-id"] === landed.bidId);
        actions.push({ kind: "claimed", bidId: landed.bidId, reward: (event?.amount as bigint | undefined) ?? 0n });
      },
      actions,
    );
  }

  /**
   * Sends `entries` in batch calls of up to MAX_BATCH; a refused batch of several entries is sent
   * again one call per entry. `settle` learns each entry's fate (with the call that carried it).
   */
  private async batched<E extends { bidId: bigint }>(
    batchName: string,
    singleName: string,
    entries: readonly E[],
    buildBatch: (part: E[]) => Promise<MarketCall>,
    buildOne: (entry: E) => Promise<MarketCall>,
    settle: (entry: E, ok: boolean, r: TxResult | null) => void,
    actions: ValidatorAction[],
  ): Promise<void> {
    for (const part of chunks(entries, MAX_BATCH)) {
      const r = await this.trySend(() => buildBatch(part));
      if (r.ok) {
        for (const entry of part) settle(entry, true, r.result);
        continue;
      }
      if (part.length === 1) {
        actions.push({ kind: "failed", bidId: part[0]!.bidId, call: batchName, error: r.error });
        settle(part[0]!, false, null);
        continue;
      }
      // all or nothing: find the entries that can land, one call each
      for (const entry of part) {
        const one = await this.trySend(() => buildOne(entry));
        if (!one.ok) actions.push({ kind: "failed", bidId: entry.bidId, call: singleName, error: one.error });
        settle(entry, one.ok, one.ok ? one.result : null);
      }
    }
  }

  /** Builds (plans) and sends a call; a planner's refusal is a failure like the contract's. */
  private async trySend(build: () => Promise<MarketCall>): Promise<{ ok: true; result: TxResult } | { ok: false; error: string }> {
    let call: MarketCall;
    try {
      call = await build();
    } catch (e) {
      return { ok: false, error: e instanceof Error ? e.message : String(e) };
    }
    const r = await this.opts.chain.send(this.address, call);
    return r.ok ? { ok: true, result: r } : { ok: false, error: r.error ?? String(r.value) };
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

  private async seated(bidId: bigint): Promise<boolean> {
    const committee = await this.opts.chain.reader.getCommittee(bidId);
    return committee?.seats.includes(this.address) ?? false;
  }

  private async send(name: string, bidId: bigint, call: MarketCall, actions?: ValidatorAction[]): Promise<TxResult | null> {
    const r = await this.opts.chain.send(this.address, call);
    if (r.ok) return r;
    if (actions) actions.push({ kind: "failed", bidId, call: name, error: r.error ?? String(r.value) });
    return null;
  }
}
