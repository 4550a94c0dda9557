/**
 * What the CLI shows before and after a call: the function with its arguments named as the
 * contract names them (read from the contract source), its post-conditions in words, the result
 * (ok value, or the contract's error name and code) and the decoded print events.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ClarityValue, StxPostCondition } from "@stacks/transactions";
import type { Decoded } from "../clarity.ts";
import { formatStx, formatValue } from "../console/format.ts";
import type { MarketCall } from "../client/index.ts";
import type { TxResult } from "../agents/chain.ts";
import { ERR } from "../errors.ts";
import { PROJECT_ROOT } from "../simnet.ts";

export const CONTRACT_SOURCE = join(PROJECT_ROOT, "contracts", "neural-training-market.clar");

let signatures: Map<string, string[]> | null = null;

/** The closing paren matching the open one at `start`. */
function matching(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    if (text[i] === "(") depth++;
    else if (text[i] === ")" && --depth === 0) return i;
  }
  return text.length;
}

/** Each public function's argument names, in order, from the contract source. */
export function publicSignatures(source = CONTRACT_SOURCE): Map<string, string[]> {
  if (signatures) return signatures;
  const text = readFileSync(source, "utf8");
  const found = new Map<string, string[]>();
  const re = /\(define-public\s+\(/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const open = m.index + m[0].length - 1;
    const inner = text.slice(open + 1, matching(text, open));
    const name = /^\s*([a-z0-9-]+)/.exec(inner)?.[1];
    if (!name) continue;
    const args: string[] = [];
    // the top-level (arg type) groups after the name
    for (let i = inner.indexOf(name) + name.length; i < inner.length; i++) {
      if (inner[i] !== "(") continue;
      const end = matching(inner, i);
      const arg = /^\(\s*([a-z0-9-]+)/.exec(inner.slice(i, end + 1))?.[1];
      if (arg) args.push(arg);
      i = end;
    }
    found.set(name, args);
  }
  signatures = found;
  return found;
}


/** The call's arguments, named, as Clarity text. */
export function namedArgs(call: MarketCall): { name: string; value: string }[] {
  const names = publicSignatures().get(call.functionName) ?? [];
  return call.functionArgs.map((cv: ClarityValue, i) => ({ name: names[i] ?? `arg${i + 1}`, value: formatValue(cv, { maxBufferBytes: 32 }) }));
}

/** One line per post-condition, in words, plus the deny-mode rule. */
export function postConditionsInWords(call: MarketCall, sender: string, contractId: string): string[] {
  const who = (address: string) => (address === sender ? `you (${address})` : address === contractId ? `the contract` : address);
  const verbs: Record<string, string> = { eq: "exactly", lte: "at most", lt: "less than", gte: "at least", gt: "more than" };
  const lines = (call.postConditions as StxPostCondition[]).map(
    (pc) => `${who(pc.address)} will send ${verbs[pc.condition] ?? pc.condition} ${formatStx(BigInt(pc.amount))} (${BigInt(pc.amount)} uSTX)`,
  );
  lines.push(lines.length === 0 ? "no STX may move (deny mode)" : "no other STX may move (deny mode)");
  return lines;
}

/** The call, readably (several lines). */
export function describeCall(call: MarketCall, sender: string, contractId: string): string {
  const args = namedArgs(call);
  const width = Math.max(0, ...args.map((a) => a.name.length));
  return [
    `call ${call.functionName} on ${contractId}`,
    `  as ${sender}`,
    ...args.map((a) => `  ${a.name.padEnd(width)}  ${a.value}`),
    "post-conditions:",
    ...postConditionsInWords(call, sender, contractId).map((l) => `  ${l}`),
  ].join("\n");
}

/** A decoded value as text (bigints plain, tuples `{k: v}`). */
export function show(value: Decoded): string {
  if (value === null) return "none";
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map(show).join(", ")}]`;
  return `{${Object.entries(value)
    .map(([k, v]) => `${k}: ${show(v)}`)
    .join(", ")}}`;
}

/** A print event: `event-name  key=value ...`. */
export function describeEvent(event: { [key: string]: Decoded }): string {
  const { event: name, ...rest } = event;
  return `${name === undefined ? "print" : show(name)}  ${Object.entries(rest)
    .map(([k, v]) => `${k}=${show(v)}`)
    .join(" ")}`.trimEnd();
}

/** The error code of a refused call. */
export function errorCode(result: TxResult): bigint | null {
  return typeof result.value === "bigint" ? result.value : null;
}

/** One line: the contract's error name and code. */
export function describeRefusal(functionName: string, result: TxResult): string {
  const code = errorCode(result);
  const name = result.error ?? (code !== null ? Object.entries(ERR).find(([, c]) => BigInt(c) === code)?.[0] : undefined);
  return `${functionName} refused by the contract: ${name ?? "unknown error"}${code !== null ? ` (err u${code})` : ` (${show(result.value)})`}`;
}
