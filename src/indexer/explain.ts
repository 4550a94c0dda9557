/**
 * Which print event explains an STX transfer out of the contract. The contract pays out in a
 * few places (job settlement, refunds, delivery payments, reward claims, stake withdrawals,
 * treasury withdrawals) and each prints an event carrying the amount paid, and mostly the payee,
 * in the same transaction. So a transfer of A to R is explained by the print of its transaction
 * that holds A in an amount field and names R; failing that, by the prints naming R whose
 * `amount` fields add up to A (a batched reward claim pays several jobs in one transfer);
 * failing that, by one that holds A without naming R (job-finalized carries provider-payment and
 * bidder-refund but no principals). The rules are generic on purpose: a new event with an amount and a payee is
 * explained without a change here.
 */
import type { Decoded } from "../clarity.ts";

/** A print event of one transaction, as the matcher needs it. */
export interface PrintCandidate {
  eventIndex: number;
  event: string | null;
  bidId: bigint | null;
  datasetId: bigint | null;
  data: Decoded;
  /** Principals the print names. */
  names: Set<string>;
}

/** An STX transfer of the same transaction. */
export interface TransferToExplain {
  eventIndex: number;
  recipient: string;
  amount: bigint;
}

/** One print event behind a payment, and which of its fields holds (its share of) the amount. */
export interface PaymentReason {
  eventIndex: number;
  /** The print's `event` name: validation-reward-claimed, job-finalized, bid-expired... */
  event: string | null;
  /** The field equal to the amount paid (`provider-payment`, `refund`, `amount`...), null if none is. */
  field: string | null;
  /** The part of the payment this print accounts for (the whole payment unless it is one of a batch). */
  amount: bigint | null;
  bidId: bigint | null;
  datasetId: bigint | null;
  data: Decoded;
}

/** Numeric fields that are identifiers, heights, scores or weights: never the amount paid. */
function isAmountField(field: string): boolean {
  return !/(^|-)(id|at|ordinal|score|weight|version|value|seats|tolerance|block|blocks)$/.test(field);
}

/** The fields the contract's payouts print their amount in: preferred when another field holds the same number. */
const PAYOUT_FIELDS = new Set(["amount", "refund", "provider-payment", "bidder-refund"]);

function amountFields(print: PrintCandidate): [string, bigint][] {
  const data = print.data;
  if (data === null || typeof data !== "object" || Array.isArray(data)) return [];
  return Object.entries(data).filter((entry): entry is [string, bigint] => typeof entry[1] === "bigint" && isAmountField(entry[0]));
}

function reasonOf(print: PrintCandidate, field: string | null, amount: bigint | null): PaymentReason {
  return { eventIndex: print.eventIndex, event: print.event, field, amount, bidId: print.bidId, datasetId: print.datasetId, data: print.data };
}

/**
 * Explains every transfer of one transaction by its prints. Returns, per transfer event index,
 * the reasons and whether they account for the amount (`explained`); an unexplained transfer
 * still lists the prints naming its recipient.
 */
export function explainTransfers(
  transfers: TransferToExplain[],
  prints: PrintCandidate[],
): Map<number, { reasons: PaymentReason[]; explained: boolean }> {
  const used = new Set<number>();
  const explanations = new Map<number, { reasons: PaymentReason[]; explained: boolean }>();
  const ordered = [...transfers].sort((a, b) => a.eventIndex - b.eventIndex);
  const open = () => ordered.filter((transfer) => !explanations.has(transfer.eventIndex));
  const explain = (transfer: TransferToExplain, reasons: PaymentReason[], explained: boolean) => {
    for (const reason of reasons) used.add(reason.eventIndex);
    explanations.set(transfer.eventIndex, { reasons, explained });
  };
  // Each pass runs over every transfer before the next, so a print naming a payee goes to that
  // payee's transfer before a weaker rule can give it to another.
  // 1. one print naming the payee and holding the amount
  for (const transfer of open()) {
    const best = bestPrint(transfer, prints.filter((print) => print.names.has(transfer.recipient)), used);
    if (best) explain(transfer, [reasonOf(best.print, best.field, transfer.amount)], true);
  }
  // 2. several prints naming the payee whose `amount` fields add up to it (a batched claim)
  for (const transfer of open()) {
    const shares = prints.filter((print) => print.names.has(transfer.recipient) && !used.has(print.eventIndex) && typeof fieldOf(print, "amount") === "bigint");
    const sum = shares.reduce((total, print) => total + (fieldOf(print, "amount") as bigint), 0n);
    if (shares.length > 1 && sum === transfer.amount) {
      const paying = shares.filter((print) => (fieldOf(print, "amount") as bigint) > 0n);
      explain(transfer, paying.map((print) => reasonOf(print, "amount", fieldOf(print, "amount") as bigint)), true);
    }
  }
  // 3. one print holding the amount without naming the payee (job-finalized names nobody);
  //    a print naming other principals is about them, so one naming nobody is preferred
  for (const transfer of open()) {
    const best = bestPrint(transfer, prints, used);
    if (best) explain(transfer, [reasonOf(best.print, best.field, transfer.amount)], true);
  }
  // 4. unexplained: at least show what the transaction printed about the payee
  for (const transfer of open()) {
    explanations.set(transfer.eventIndex, {
      reasons: prints.filter((print) => print.names.has(transfer.recipient)).map((print) => reasonOf(print, null, null)),
      explained: false,
    });
  }
  return explanations;
}

/**
 * The print among `candidates` with a field equal to the transfer's amount: an unused print beats
 * a used one, a payout field beats another amount field, a print naming nobody beats one naming
 * others, nearer beats farther.
 */
function bestPrint(transfer: TransferToExplain, candidates: PrintCandidate[], used: Set<number>): { print: PrintCandidate; field: string } | null {
  let best: { print: PrintCandidate; field: string; rank: number[] } | null = null;
  for (const print of candidates) {
    for (const [field, value] of amountFields(print)) {
      if (value !== transfer.amount) continue;
      const rank = [
        used.has(print.eventIndex) ? 0 : 1,
        PAYOUT_FIELDS.has(field) ? 1 : 0,
        print.names.size === 0 || print.names.has(transfer.recipient) ? 1 : 0,
        -Math.abs(print.eventIndex - transfer.eventIndex),
      ];
      if (!best || compareRanks(rank, best.rank) > 0) best = { print, field, rank };
    }
  }
  return best;
}

function fieldOf(print: PrintCandidate, field: string): Decoded | undefined {
  const data = print.data;
  return data !== null && typeof data === "object" && !Array.isArray(data) ? data[field] : undefined;
}

function compareRanks(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}
