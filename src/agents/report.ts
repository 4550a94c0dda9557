/**
 * What a run of agents is judged by: what each principal still holds in the market, and the
 * solvency check (the five buckets of `get-market-totals` against the contract's balance).
 */
import type { MarketReader, MarketTotals } from "../client/index.ts";

/** `who`'s stake in the market: its validator stake plus the stakes of the datasets it provides. */
export async function stakeHeld(reader: MarketReader, who: string): Promise<bigint> {
  let total = (await reader.getValidator(who))?.stake ?? 0n;
  const last = (await reader.getLastIds()).datasetId;
  for (let id = 1n; id <= last; id++) {
    const dataset = await reader.getDataset(id);
    if (dataset?.provider === who) total += dataset.stake;
  }
  return total;
}

export interface Solvency {
  totals: MarketTotals;
  /** dataset-stakes + validator-stakes + escrowed-bids + unclaimed-rewards + treasury. */
  sum: bigint;
  balance: bigint;
  /** The sum equals the contract's balance, and nothing was sent to it outside its functions. */
  solvent: boolean;
}

export async function solvency(reader: MarketReader): Promise<Solvency> {
  const totals = await reader.getMarketTotals();
  const sum = totals.datasetStakes + totals.validatorStakes + totals.escrowedBids + totals.unclaimedRewards + totals.treasury;
  const balance = await reader.getContractBalance();
  return { totals, sum, balance, solvent: sum === balance && totals.surplus === 0n };
}
