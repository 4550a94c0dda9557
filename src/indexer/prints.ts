/**
 * Decoding the contract's print events: the event's name, its job and dataset, and every
 * principal it names (with the field naming it), which is what lets the index answer
 * "which events concern this principal" with one indexed lookup.
 */
import { ClarityType, hexToCV, type ClarityValue } from "@stacks/transactions";
import { decode, type Decoded } from "../clarity.ts";
import { IndexerError } from "./api.ts";

/** A print value, decoded once for storage. */
export interface DecodedPrint {
  data: Decoded;
  /** The tuple's `event` field (every print of this contract has one), else null. */
  event: string | null;
  bidId: bigint | null;
  datasetId: bigint | null;
  /** Each principal the value names, with the tuple field (dotted for nested tuples) naming it. */
  principals: { principal: string; field: string }[];
}

/** Parses a serialized Clarity value; `where` names the event in the error. */
export function parseValue(hex: string, where: string): ClarityValue {
  try {
    return hexToCV(hex);
  } catch (error) {
    throw new IndexerError(`${where}: not a serialized Clarity value (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** Decodes a print value (hex) into what the index stores about it. */
export function decodePrint(hex: string, where: string): DecodedPrint {
  const cv = parseValue(hex, where);
  const data = decode(cv);
  const principals: DecodedPrint["principals"] = [];
  collectPrincipals(cv, "", principals);
  const field = (name: string) => (data !== null && typeof data === "object" && !Array.isArray(data) ? data[name] : undefined);
  const event = field("event");
  const bidId = field("bid-id");
  const datasetId = field("dataset-id");
  return {
    data,
    event: typeof event === "string" ? event : null,
    bidId: typeof bidId === "bigint" ? bidId : null,
    datasetId: typeof datasetId === "bigint" ? datasetId : null,
    principals,
  };
}

/** Walks a value for principals; a principal in a list is named by the list's field. */
function collectPrincipals(cv: ClarityValue, field: string, into: DecodedPrint["principals"]): void {
  switch (cv.type) {
    case ClarityType.PrincipalStandard:
    case ClarityType.PrincipalContract:
      if (!into.some((seen) => seen.principal === cv.value && seen.field === field)) into.push({ principal: cv.value, field: field || "value" });
      return;
    case ClarityType.OptionalSome:
    case ClarityType.ResponseOk:
    case ClarityType.ResponseErr:
      collectPrincipals(cv.value, field, into);
      return;
    case ClarityType.List:
      for (const item of cv.value) collectPrincipals(item, field, into);
      return;
    case ClarityType.Tuple:
      for (const [key, value] of Object.entries(cv.value)) collectPrincipals(value, field ? `${field}.${key}` : key, into);
      return;
    default:
      return;
  }
}
