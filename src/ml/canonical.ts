/**
 * Canonical JSON: object keys sorted (by UTF-16 code units), no whitespace, numbers as
 * JavaScript prints them (the shortest round-trip form), UTF-8. The same value always gives the
 * same bytes, so the sha256 of a canonical encoding is a stable digest of the value.
 */

/** The canonical JSON text of a value; throws on undefined, functions, non-finite numbers, cycles. */
export function canonicalJson(value: unknown): string {
  const seen = new Set<object>();
  const walk = (v: unknown, path: string): string => {
    if (v === null) return "null";
    switch (typeof v) {
      case "boolean":
        return v ? "true" : "false";
      case "number":
        if (!Number.isFinite(v)) throw new TypeError(`canonical JSON: ${path} is not a finite number (${v})`);
        return JSON.stringify(v);
      case "string":
        return JSON.stringify(v);
      case "object": {
        if (seen.has(v as object)) throw new TypeError(`canonical JSON: cycle at ${path}`);
        seen.add(v as object);
        let out: string;
        if (Array.isArray(v)) {
          out = "[" + v.map((x, i) => walk(x, `${path}[${i}]`)).join(",") + "]";
        } else {
          const obj = v as Record<string, unknown>;
          const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
          out = "{" + keys.map((k) => JSON.stringify(k) + ":" + walk(obj[k], `${path}.${k}`)).join(",") + "}";
        }
        seen.delete(v as object);
        return out;
      }
      default:
        throw new TypeError(`canonical JSON: ${path} has unsupported type ${typeof v}`);
    }
  };
  return walk(value, "$");
}

/** The canonical JSON bytes (UTF-8) of a value. */
export function canonicalBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(canonicalJson(value));
}

/** Parses UTF-8 JSON bytes (fatal on invalid UTF-8). Throws a SyntaxError/TypeError on bad input. */
export function parseJsonBytes(bytes: Uint8Array): unknown {
  const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  return JSON.parse(text);
}
