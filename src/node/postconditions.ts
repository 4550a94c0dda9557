/**
 * Post-condition enforcement for the local node: STX, fungible and non-fungible conditions
 * against a transaction's asset events, in deny, allow and originator mode, the way a Stacks node
 * decides `abort_by_post_condition`. (src/client/postconditions.ts checks STX only, for scripts;
 * the node must refuse every uncovered asset movement a real node refuses.)
 */
import { serializeCV, type PostCondition, type PostConditionModeName } from "@stacks/transactions";
import type { ClarityEvent } from "@stacks/clarinet-sdk";
import { compareAmount } from "../client/postconditions.ts";

export interface PostConditionVerdict {
  ok: boolean;
  /** One line per failed condition or uncovered asset movement. */
  violations: string[];
}

/** What one principal sent of one asset: fungible totals (STX is the asset "STX") and NFT ids (serialized hex). */
interface Outflows {
  fungible: Map<string, Map<string, bigint>>;
  nonFungible: Map<string, Map<string, Set<string>>>;
}

function add(map: Map<string, Map<string, bigint>>, who: string, asset: string, amount: bigint): void {
  const byAsset = map.get(who) ?? new Map<string, bigint>();
  byAsset.set(asset, (byAsset.get(asset) ?? 0n) + amount);
  map.set(who, byAsset);
}

function hexOf(value: string): string {
  return value.startsWith("0x") ? value.slice(2).toLowerCase() : value.toLowerCase();
}

/** Everything each principal sent (transfers and burns; mints send nothing), from a run's events. */
function outflowsOf(events: readonly ClarityEvent[]): Outflows {
  const fungible = new Map<string, Map<string, bigint>>();
  const nonFungible = new Map<string, Map<string, Set<string>>>();
  for (const e of events) {
    const d = e.data;
    switch (e.event) {
      case "stx_transfer_event":
      case "stx_burn_event":
        add(fungible, String(d.sender), "STX", BigInt(d.amount));
        break;
      case "ft_transfer_event":
      case "ft_burn_event":
        add(fungible, String(d.sender), String(d.asset_identifier), BigInt(d.amount));
        break;
      case "nft_transfer_event":
      case "nft_burn_event": {
        const who = String(d.sender);
        const byAsset = nonFungible.get(who) ?? new Map<string, Set<string>>();
        const ids = byAsset.get(String(d.asset_identifier)) ?? new Set<string>();
        ids.add(hexOf(String(d.raw_value ?? (d.value ? serializeCV(d.value) : ""))));
        byAsset.set(String(d.asset_identifier), ids);
        nonFungible.set(who, byAsset);
        break;
      }
      default:
        break;
    }
  }
  return { fungible, nonFungible };
}

/**
 * Checks `postConditions` (as `wireToPostCondition` gives them; the principal `origin` means the
 * transaction's sender) against a run's asset events (none for a run that returned `err`: its
 * effects were rolled back, and a node still checks the conditions against that empty outcome).
 * - every condition must hold (fungible: the total its principal sent of that asset; NFT: whether
 *   the id left its principal);
 * - `deny`: any asset a principal sent that no condition covers aborts: fungible coverage is per
 *   principal and asset, NFT coverage per principal, asset and token id;
 * - `originator`: like deny, but only for the origin's own assets;
 * - `allow`: only the listed conditions are checked.
 */
export function checkPostConditions(
  postConditions: readonly PostCondition[],
  mode: PostConditionModeName,
  origin: string,
  events: readonly ClarityEvent[],
): PostConditionVerdict {
  const { fungible, nonFungible } = outflowsOf(events);
  const violations: string[] = [];
  const coveredFungible = new Set<string>();
  // an NFT condition covers one token: stacks-core keys NFT coverage by principal, asset AND value,
  // so every id that left a principal needs a condition of its own in deny/originator mode
  const coveredNft = new Set<string>();
  for (const pc of postConditions) {
    const who = pc.address === "origin" ? origin : pc.address;
    if (pc.type === "stx-postcondition" || pc.type === "ft-postcondition") {
      const asset = pc.type === "stx-postcondition" ? "STX" : pc.asset;
      coveredFungible.add(`${who}|${asset}`);
      const actual = fungible.get(who)?.get(asset) ?? 0n;
      if (!compareAmount(actual, pc.condition, BigInt(pc.amount))) {
        violations.push(`${who} sent ${actual} ${asset === "STX" ? "uSTX" : asset}, post-condition requires ${pc.condition} ${pc.amount}`);
      }
    } else {
      const id = hexOf(serializeCV(pc.assetId));
      coveredNft.add(`${who}|${pc.asset}|${id}`);
      const sent = nonFungible.get(who)?.get(pc.asset)?.has(id) ?? false;
      if (pc.condition === "sent" && !sent) violations.push(`${who} did not send ${pc.asset} ${id}, post-condition requires sent`);
      if (pc.condition === "not-sent" && sent) violations.push(`${who} sent ${pc.asset} ${id}, post-condition requires not-sent`);
    }
  }
  if (mode !== "allow") {
    const guarded = (who: string) => mode === "deny" || who === origin;
    for (const [who, byAsset] of fungible) {
      if (!guarded(who)) continue;
      for (const [asset, total] of byAsset) {
        if (total > 0n && !coveredFungible.has(`${who}|${asset}`)) {
          violations.push(`${who} sent ${total} ${asset === "STX" ? "uSTX" : asset} not covered by any post-condition (${mode} mode)`);
        }
      }
    }
    for (const [who, byAsset] of nonFungible) {
      if (!guarded(who)) continue;
      for (const [asset, ids] of byAsset) {
        for (const id of ids) {
          if (!coveredNft.has(`${who}|${asset}|${id}`)) violations.push(`${who} sent ${asset} ${id} not covered by any post-condition (${mode} mode)`);
        }
      }
    }
  }
  return { ok: violations.length === 0, violations };
}
