/**
 * The CLI's read-only views: the market (`status`), one job's story (`job`), one principal's
 * place in the market (`account`). Each returns a JSON-able object and its text rendering.
 */
import type { Chain } from "../agents/chain.ts";
import { contractRef, jobTimeline } from "../client/index.ts";
import { CliError } from "./io.ts";
import { formatStx } from "../console/format.ts";

export interface View {
  data: Record<string, unknown>;
  text: string;
}

function kebab(camel: string): string {
  return camel.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Market parameters, counts and the contract's balance. */
export async function statusView(chain: Chain): Promise<View> {
  const { reader } = chain;
  const [params, totals, last, balance, validators, paused, burnHeight, owner] = await Promise.all([
    reader.getParameters(),
    reader.getMarketTotals(),
    reader.getLastIds(),
    reader.getContractBalance(),
    reader.getActiveValidatorCount(),
    reader.isPaused(),
    chain.burnHeight(),
    reader.getContractOwner(),
  ]);
  const data = { contract: chain.contractId, burnHeight, paused, owner, counts: { datasets: last.datasetId, bids: last.bidId, proposals: last.proposalId, activeValidators: validators }, balance, totals, parameters: params };
  const text = [
    `market ${chain.contractId}${paused ? "  (PAUSED)" : ""}`,
    `burn height ${burnHeight}, owner ${owner}`,
    `datasets ${last.datasetId}, bids ${last.bidId}, proposals ${last.proposalId}, active validators ${validators}`,
    `balance ${formatStx(balance)}: dataset stakes ${formatStx(totals.datasetStakes)}, validator stakes ${formatStx(totals.validatorStakes)}, escrowed bids ${formatStx(totals.escrowedBids)}, unclaimed rewards ${formatStx(totals.unclaimedRewards)}, treasury ${formatStx(totals.treasury)}, surplus ${formatStx(totals.surplus)}`,
    "parameters:",
    ...Object.entries(params).map(([k, v]) => `  ${kebab(k).padEnd(28)} ${v}`),
  ].join("\n");
  return { data, text };
}

/** A job's story: its bid, match, delivery, committee, votes and result. */
export async function jobView(chain: Chain, bidId: bigint): Promise<View> {
  const { reader } = chain;
  const bid = await reader.getBid(bidId);
  if (!bid) throw new CliError(`bid ${bidId} not found on ${chain.contractId}`);
  const [delivery, committee, result, burnHeight, params] = await Promise.all([
    bid.verified ? reader.getJobDelivery(bidId) : Promise.resolve(null),
    reader.getCommittee(bidId),
    reader.getJobResult(bidId),
    chain.burnHeight(),
    reader.getParameters(),
  ]);
  const timeline = bid.status === "MATCHED" ? jobTimeline(bid, delivery, params, burnHeight) : null;
  const votes = committee ? await Promise.all(committee.seats.map(async (seat) => ({ seat, vote: await reader.getVote(bidId, seat) }))) : [];
  const lines = [
    `job ${bidId} (${bid.verified ? "verified" : "plain"}) on dataset ${bid.datasetId}: ${bid.status}   [burn height ${burnHeight}]`,
    `bid     ${bid.bidder} offered ${formatStx(bid.amount)} for ${bid.duration} blocks, deadline ${bid.deadline}, placed at ${bid.placedAt}`,
  ];
  if (bid.matchedAt > 0n) lines.push(`match   matched at ${bid.matchedAt}${bid.computeFee > 0n ? `, compute fee ${formatStx(bid.computeFee)}` : ""}`);
  else if (bid.status === "QUEUED") lines.push("match   waiting in the dataset's queue");
  if (delivery) {
    lines.push(`spec    ${delivery.spec}`);
    lines.push(delivery.model ? `model   ${delivery.model} delivered at ${delivery.deliveredAt}` : "model   not delivered yet");
    lines.push(delivery.evalDigest ? `eval    set ${delivery.evalDigest} revealed at ${delivery.evalRevealedAt}` : "eval    sealed (not revealed yet)");
  }
  if (timeline) {
    lines.push(`now     ${timeline.stage}${timeline.open ? `: votes commit until ${timeline.commitClosesAt}, reveal until ${timeline.revealClosesAt}` : bid.verified ? " (no vote before the evaluation set is revealed)" : ""}`);
  }
  if (committee) {
    lines.push(`committee ${committee.seats.length} seat(s), ${committee.commits} commit(s), ${committee.reveals} reveal(s)`);
    for (const { seat, vote } of votes) {
      lines.push(`  ${seat}  ${vote ? (vote.revealed ? `score ${vote.score}` : "committed") + (vote.claimed ? ", claimed" : "") : "no vote"}`);
    }
  } else if (bid.status === "MATCHED") lines.push("committee not drawn yet");
  if (result) {
    lines.push(
      `result  ${result.outcome}, score ${result.finalScore} at ${result.finalizedAt}: provider paid ${formatStx(result.providerPayment)}, bidder refunded ${formatStx(result.bidderRefund)}, slashed ${formatStx(result.slashedAmount)}, validator fees ${formatStx(result.validatorFees)}, protocol fee ${formatStx(result.protocolFee)}`,
    );
  }
  return { data: { bidId, bid, delivery, timeline, committee, votes, result, burnHeight }, text: lines.join("\n") };
}

/** Scans ids 1..last (a view of a small market; an indexer answers this for a large one). */
async function scan<T>(last: bigint, read: (id: bigint) => Promise<T | null>): Promise<{ id: bigint; value: T }[]> {
  const out: { id: bigint; value: T }[] = [];
  for (let id = 1n; id <= last; id++) {
    const value = await read(id);
    if (value !== null) out.push({ id, value });
  }
  return out;
}

/** A principal's balance, stakes (datasets, validator), bids and committee seats. */
export async function accountView(chain: Chain, who: string): Promise<View> {
  const { reader } = chain;
  const [balance, validator, history, last] = await Promise.all([chain.stxBalance(who), reader.getValidator(who), reader.getBidderHistory(who), reader.getLastIds()]);
  const datasets = (await scan(last.datasetId, (id) => reader.getDataset(id))).filter((d) => d.value.provider === who);
  const allBids = await scan(last.bidId, (id) => reader.getBid(id));
  const bids = allBids.filter((b) => b.value.bidder === who);
  const seats: { bidId: bigint; status: string }[] = [];
  if (validator) {
    for (const b of allBids) {
      if (b.value.matchedAt === 0n) continue;
      const committee = await reader.getCommittee(b.id);
      if (committee?.seats.includes(who)) seats.push({ bidId: b.id, status: b.value.status });
    }
  }
  const lines = [`account ${who}: ${formatStx(balance)}`];
  lines.push(datasets.length ? `datasets (${datasets.length}):` : "datasets: none");
  for (const d of datasets) lines.push(`  #${d.id} ${d.value.metadataUri} stake ${formatStx(d.value.stake)} ${d.value.active ? "active" : "retired"}, ${d.value.activeJobs} active / ${d.value.queuedJobs} queued job(s)`);
  lines.push(validator ? `validator: stake ${formatStx(validator.stake)}, ${validator.active ? "active" : validator.exitRequestedAt > 0n ? `exiting since ${validator.exitRequestedAt}` : "inactive"}, ${validator.openSeats} open seat(s)` : "validator: no");
  lines.push(bids.length ? `bids (${bids.length}), ${history.jobs} finished job(s), ${history.defaults} default(s):` : "bids: none");
  for (const b of bids) lines.push(`  #${b.id} dataset ${b.value.datasetId} ${formatStx(b.value.amount)} ${b.value.status}${b.value.verified ? " (verified)" : ""}`);
  if (seats.length) lines.push(`seats: ${seats.map((s) => `job ${s.bidId} (${s.status})`).join(", ")}`);
  return {
    data: { principal: who, balance, validator, bidderHistory: history, datasets: datasets.map((d) => ({ id: d.id, ...d.value })), bids: bids.map((b) => ({ id: b.id, ...b.value })), seats },
    text: lines.join("\n"),
  };
}

/** Checks a principal or contract id's shape. */
export function isPrincipal(value: string): boolean {
  if (/^S[A-Z0-9]{38,40}$/.test(value)) return true;
  try {
    return /^S[A-Z0-9]{38,40}$/.test(contractRef(value).contractAddress);
  } catch {
    return false;
  }
}
