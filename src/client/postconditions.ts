/**
 * Evaluates a call's STX post-conditions against the STX events a run actually emitted, the way
 * a Stacks node does after executing a transaction: every condition must hold for the total its
 * principal sent, and in deny mode no principal may send STX that no condition covers.
 * The simnet does not enforce post-conditions; this checker is how tests and scripts verify that a
 * call built by `marketCalls` would not abort on its own post-conditions.
 */
import { PostConditionMode, type PostCondition, type PostConditionModeName } from "@stacks/transactions";

export interface StxTransfer {
  sender: string;
  /** null for a burn. */
  recipient: string | null;
  amount: bigint;
}

/** The events of a simnet call (`ParsedTransactionResult.events`). */
export interface ChainEvent {
  event: string;
  data: Record<string, unknown>;
}

/** STX transfers and burns of a call's events, in order. */
export function stxTransfersOf(events: readonly ChainEvent[]): StxTransfer[] {
  return events
    .filter((e) => e.event === "stx_transfer_event" || e.event === "stx_burn_event")
    .map((e) => ({
      sender: String(e.data.sender),
      recipient: e.event === "stx_transfer_event" ? String(e.data.recipient) : null,
      amount: BigInt(e.data.amount as string | number | bigint),
    }));
}

export interface PostConditionCheck {
  ok: boolean;
  /** One line per failed condition or uncovered sender. */
  violations: string[];
  /** Total STX each principal sent. */
  sent: Map<string, bigint>;
}

/** Whether `actual` satisfies a post-condition's comparison (`eq`, `gt`, `gte`, `lt`, `lte`) with `expected`. */
export function compareAmount(actual: bigint, condition: string, expected: bigint): boolean {
  switch (condition) {
    case "eq":
      return actual === expected;
    case "gt":
      return actual > expected;
    case "gte":
      return actual >= expected;
    case "lt":
      return actual < expected;
    case "lte":
      return actual <= expected;
    default:
      throw new Error(`unknown STX condition ${condition}`);
  }
}

function isDeny(mode: PostConditionModeName | PostConditionMode | undefined): boolean {
  // makeContractCall's default mode is deny
  return mode === undefined || mode === "deny" || mode === PostConditionMode.Deny;
}

/**
 * Checks `call.postConditions` (STX only) against `transfers` (or a simnet call's events).
 * Fungible and non-fungible conditions are not supported (the market moves only STX).
 */
export function checkStxPostConditions(
  call: { postConditions?: readonly PostCondition[]; postConditionMode?: PostConditionModeName | PostConditionMode },
  movements: readonly StxTransfer[] | readonly ChainEvent[],
): PostConditionCheck {
  const transfers: StxTransfer[] = movements.some((m) => "event" in m)
    ? stxTransfersOf(movements as readonly ChainEvent[])
    : (movements as readonly StxTransfer[]).slice();
  const sent = new Map<string, bigint>();
  for (const t of transfers) sent.set(t.sender, (sent.get(t.sender) ?? 0n) + t.amount);

  const violations: string[] = [];
  const covered = new Set<string>();
  for (const pc of call.postConditions ?? []) {
    if (pc.type !== "stx-postcondition") {
      violations.push(`unsupported post-condition type ${pc.type}`);
      continue;
    }
    covered.add(pc.address);
    const actual = sent.get(pc.address) ?? 0n;
    const expected = BigInt(pc.amount);
    if (!compareAmount(actual, pc.condition, expected)) {
      violations.push(`${pc.address} sent ${actual} uSTX, post-condition requires ${pc.condition} ${expected}`);
    }
  }
  if (isDeny(call.postConditionMode)) {
    for (const [who, total] of sent) {
      if (total > 0n && !covered.has(who)) violations.push(`${who} sent ${total} uSTX not covered by any post-condition (deny mode)`);
    }
  }
  return { ok: violations.length === 0, violations, sent };
}
