import { ClarityType, type ClarityValue } from "@stacks/transactions";

/** Any JS value decoded from a Clarity value. */
export type Decoded = bigint | boolean | string | null | Decoded[] | { [key: string]: Decoded };

/** Decodes a Clarity value into plain JS: ints as bigint, tuples as objects, none as null, ok/err/some unwrapped. */
export function decode(cv: ClarityValue): Decoded {
  switch (cv.type) {
    case ClarityType.UInt:
    case ClarityType.Int:
      return BigInt(cv.value);
    case ClarityType.BoolTrue:
      return true;
    case ClarityType.BoolFalse:
      return false;
    case ClarityType.PrincipalStandard:
    case ClarityType.PrincipalContract:
    case ClarityType.StringASCII:
    case ClarityType.StringUTF8:
    case ClarityType.Buffer:
      return cv.value;
    case ClarityType.OptionalNone:
      return null;
    case ClarityType.OptionalSome:
    case ClarityType.ResponseOk:
    case ClarityType.ResponseErr:
      return decode(cv.value);
    case ClarityType.List:
      return cv.value.map(decode);
    case ClarityType.Tuple:
      return Object.fromEntries(Object.entries(cv.value).map(([key, value]) => [key, decode(value)]));
  }
}
