/**
 * Plain-text rendering shared by the console and the demo: Clarity values with principals
 * shown by name, simnet events in one line each, and STX amounts.
 */
import { ClarityType, type ClarityValue } from "@stacks/transactions";
import type { ClarityEvent } from "@stacks/clarinet-sdk";
import { decode, type Decoded } from "../clarity.ts";

/** Maps an address (or contract id) to a display name; undefined keeps the address. */
export type NameOf = (principal: string) => string | undefined;

export const MICRO_PER_STX = 1_000_000n;

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** 7125000n -> "7.125 STX" (trailing zeros trimmed). */
export function formatStx(micro: bigint): string {
  const sign = micro < 0n ? "-" : "";
  const abs = micro < 0n ? -micro : micro;
  const whole = groupThousands((abs / MICRO_PER_STX).toString());
  const fraction = (abs % MICRO_PER_STX).toString().padStart(6, "0").replace(/0+$/, "");
  return `${sign}${whole}${fraction ? `.${fraction}` : ""} STX`;
}

/** 7125000n -> "7,125,000 uSTX". */
export function formatMicro(micro: bigint): string {
  const sign = micro < 0n ? "-" : "";
  return `${sign}${groupThousands((micro < 0n ? -micro : micro).toString())} uSTX`;
}

/** 7125000n -> "7.125 STX (7,125,000 uSTX)". */
export function formatAmount(micro: bigint): string {
  return `${formatStx(micro)} (${formatMicro(micro)})`;
}

/** Fixed six decimals for tables, with an explicit sign when asked: "+7.125000". */
export function formatStxFixed(micro: bigint, signed = false): string {
  const sign = micro < 0n ? "-" : signed && micro > 0n ? "+" : "";
  const abs = micro < 0n ? -micro : micro;
  return `${sign}${groupThousands((abs / MICRO_PER_STX).toString())}.${(abs % MICRO_PER_STX).toString().padStart(6, "0")}`;
}

export interface ValueFormat {
  nameOf?: NameOf;
  /** Show at most this many bytes of a buffer, then "…" (default: all). */
  maxBufferBytes?: number;
}

function principal(address: string, format: ValueFormat): string {
  return format.nameOf?.(address) ?? `'${address}`;
}

/**
 * A Clarity value as Clarity source text (`(ok u1)`, `{ a: u1 }`, `(list ...)`), with
 * principals replaced by their display names when `nameOf` knows them.
 */
export function formatValue(cv: ClarityValue, format: ValueFormat = {}): string {
  switch (cv.type) {
    case ClarityType.UInt:
      return `u${BigInt(cv.value)}`;
    case ClarityType.Int:
      return `${BigInt(cv.value)}`;
    case ClarityType.BoolTrue:
      return "true";
    case ClarityType.BoolFalse:
      return "false";
    case ClarityType.PrincipalStandard:
    case ClarityType.PrincipalContract:
      return principal(cv.value, format);
    case ClarityType.StringASCII:
      return JSON.stringify(cv.value);
    case ClarityType.StringUTF8:
      return `u${JSON.stringify(cv.value)}`;
    case ClarityType.Buffer: {
      const hex = cv.value;
      const max = format.maxBufferBytes;
      return max !== undefined && hex.length > max * 2 ? `0x${hex.slice(0, max * 2)}…` : `0x${hex}`;
    }
    case ClarityType.OptionalNone:
      return "none";
    case ClarityType.OptionalSome:
      return `(some ${formatValue(cv.value, format)})`;
    case ClarityType.ResponseOk:
      return `(ok ${formatValue(cv.value, format)})`;
    case ClarityType.ResponseErr:
      return `(err ${formatValue(cv.value, format)})`;
    case ClarityType.List:
      return cv.value.length === 0 ? "(list)" : `(list ${cv.value.map((v) => formatValue(v, format)).join(" ")})`;
    case ClarityType.Tuple:
      return formatFields(cv.value, format);
  }
}

function formatFields(fields: Record<string, ClarityValue>, format: ValueFormat, skip?: string): string {
  const entries = Object.entries(fields).filter(([key]) => key !== skip);
  if (entries.length === 0) return "{}";
  return `{ ${entries.map(([key, value]) => `${key}: ${formatValue(value, format)}`).join(", ")} }`;
}

/**
 * One line per event: `print <event-name> { fields }` for the contract's print events
 * (tuples with an `event` key), `stx_transfer <amount> <from> -> <to>` for STX moves.
 */
export function formatEvent(event: ClarityEvent, format: ValueFormat = {}): string {
  const data = event.data;
  switch (event.event) {
    case "print_event": {
      const value = data.value;
      if (!value) return `print ${data.raw_value ?? ""}`;
      if (value.type === ClarityType.Tuple && value.value.event?.type === ClarityType.StringASCII) {
        return `print ${value.value.event.value} ${formatFields(value.value, format, "event")}`;
      }
      return `print ${formatValue(value, format)}`;
    }
    case "stx_transfer_event":
      return `stx_transfer ${formatAmount(BigInt(data.amount))} ${principal(data.sender, format)} -> ${principal(data.recipient, format)}`;
    case "stx_burn_event":
      return `stx_burn ${formatAmount(BigInt(data.amount))} ${principal(data.sender, format)}`;
    default:
      return `${event.event} ${JSON.stringify(data, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v))}`;
  }
}

export { decode, type Decoded };
