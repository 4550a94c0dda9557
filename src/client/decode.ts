/**
 * Strict decoding of Clarity values into plain TypeScript values: uints as bigint, tuples as
 * camelCase objects. Every decoder checks the Clarity type and throws on anything else, so a
 * contract change that alters a view's shape is caught at the first read instead of yielding
 * `undefined` fields.
 */
import { ClarityType, type ClarityValue } from "@stacks/transactions";

export type Decoder<T> = (cv: ClarityValue) => T;

export class DecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DecodeError";
  }
}

function fail(expected: string, cv: ClarityValue): never {
  throw new DecodeError(`expected ${expected}, got ${cv.type}`);
}

export const uint: Decoder<bigint> = (cv) => (cv.type === ClarityType.UInt ? BigInt(cv.value) : fail("uint", cv));

export const bool: Decoder<boolean> = (cv) => {
  if (cv.type === ClarityType.BoolTrue) return true;
  if (cv.type === ClarityType.BoolFalse) return false;
  return fail("bool", cv);
};

export const principal: Decoder<string> = (cv) =>
  cv.type === ClarityType.PrincipalStandard || cv.type === ClarityType.PrincipalContract ? cv.value : fail("principal", cv);

export const ascii: Decoder<string> = (cv) => (cv.type === ClarityType.StringASCII ? cv.value : fail("string-ascii", cv));

/** A buffer, as lowercase hex without `0x`. */
export const buffHex: Decoder<string> = (cv) => (cv.type === ClarityType.Buffer ? cv.value.toLowerCase() : fail("buff", cv));

/** `(optional T)` as `T | null`. */
export function optional<T>(inner: Decoder<T>): Decoder<T | null> {
  return (cv) => {
    if (cv.type === ClarityType.OptionalNone) return null;
    if (cv.type === ClarityType.OptionalSome) return inner(cv.value);
    return fail("optional", cv);
  };
}

export function list<T>(inner: Decoder<T>): Decoder<T[]> {
  return (cv) => (cv.type === ClarityType.List ? cv.value.map(inner) : fail("list", cv));
}

/** `metadataUri` -> `metadata-uri`. */
export function kebab(camel: string): string {
  return camel.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

type DecodedShape<S extends Record<string, Decoder<unknown>>> = { [K in keyof S]: ReturnType<S[K]> };

/**
 * A tuple decoder from a camelCase spec: each key is read from the tuple field of the same name
 * in kebab-case. The tuple must have exactly the spec's fields.
 */
export function tuple<S extends Record<string, Decoder<unknown>>>(spec: S): Decoder<DecodedShape<S>> {
  const fields = Object.entries(spec).map(([key, decode]) => ({ key, name: kebab(key), decode }));
  return (cv) => {
    if (cv.type !== ClarityType.Tuple) return fail("tuple", cv);
    const data = cv.value;
    const extra = Object.keys(data).filter((name) => !fields.some((f) => f.name === name));
    if (extra.length > 0) throw new DecodeError(`unexpected tuple field(s): ${extra.join(", ")}`);
    const out: Record<string, unknown> = {};
    for (const { key, name, decode } of fields) {
      const value = data[name];
      if (value === undefined) throw new DecodeError(`missing tuple field ${name}`);
      try {
        out[key] = decode(value);
      } catch (e) {
        throw new DecodeError(`field ${name}: ${(e as Error).message}`);
      }
    }
    return out as DecodedShape<S>;
  };
}

/** A uint code mapped to its name in a `{ NAME: code }` table (src/errors.ts). */
export function named<T extends Record<string, number>>(table: T, what: string): Decoder<keyof T & string> {
  const byCode = new Map(Object.entries(table).map(([name, code]) => [BigInt(code), name]));
  return (cv) => {
    const code = uint(cv);
    const name = byCode.get(code);
    if (name === undefined) throw new DecodeError(`unknown ${what} code ${code}`);
    return name as keyof T & string;
  };
}
