/**
 * Argument type checks against a contract's ABI, as a node's mempool makes them before admitting
 * a contract call (`BadFunctionArgument`): a call whose arguments cannot type-check never reaches
 * a block.
 */
import type { ClarityValue } from "@stacks/transactions";

/** Why `value` does not fit the ABI type `type`, or null when it does. */
export function typeMismatch(type: unknown, value: ClarityValue): string | null {
  const v = value as { type: string; value?: unknown };
  const expect = (ok: boolean, what: string) => (ok ? null : `expected ${what}, got ${v.type}`);
  if (typeof type === "string") {
    switch (type) {
      case "uint128":
        return expect(v.type === "uint", "uint");
      case "int128":
        return expect(v.type === "int", "int");
      case "bool":
        return expect(v.type === "true" || v.type === "false", "bool");
      case "principal":
        return expect(v.type === "address" || v.type === "contract", "principal");
      case "trait_reference":
        return expect(v.type === "contract", "contract principal");
      default:
        return null;
    }
  }
  const t = type as Record<string, any>;
  if (t.buffer) {
    if (v.type !== "buffer") return expect(false, "buff");
    return String(v.value).length / 2 <= t.buffer.length ? null : `buffer longer than ${t.buffer.length} bytes`;
  }
  if (t["string-ascii"]) {
    if (v.type !== "ascii") return expect(false, "string-ascii");
    return String(v.value).length <= t["string-ascii"].length ? null : `string-ascii longer than ${t["string-ascii"].length}`;
  }
  if (t["string-utf8"]) {
    if (v.type !== "utf8") return expect(false, "string-utf8");
    return Buffer.byteLength(String(v.value)) <= t["string-utf8"].length ? null : `string-utf8 longer than ${t["string-utf8"].length}`;
  }
  if ("optional" in t) {
    if (v.type === "none") return null;
    if (v.type !== "some") return expect(false, "optional");
    return typeMismatch(t.optional, v.value as ClarityValue);
  }
  if (t.response) {
    if (v.type === "ok") return typeMismatch(t.response.ok, v.value as ClarityValue);
    if (v.type === "err") return typeMismatch(t.response.error, v.value as ClarityValue);
    return expect(false, "response");
  }
  if (t.list) {
    if (v.type !== "list") return expect(false, "list");
    const items = v.value as ClarityValue[];
    if (items.length > t.list.length) return `list longer than ${t.list.length}`;
    for (const item of items) {
      const inner = typeMismatch(t.list.type, item);
      if (inner) return `list item: ${inner}`;
    }
    return null;
  }
  if (t.tuple) {
    if (v.type !== "tuple") return expect(false, "tuple");
    const fields = v.value as Record<string, ClarityValue>;
    const declared = t.tuple as { name: string; type: unknown }[];
    if (Object.keys(fields).length !== declared.length) return `tuple needs exactly the fields ${declared.map((f) => f.name).join(", ")}`;
    for (const field of declared) {
      if (!(field.name in fields)) return `tuple lacks ${field.name}`;
      const inner = typeMismatch(field.type, fields[field.name]);
      if (inner) return `${field.name}: ${inner}`;
    }
    return null;
  }
  return null;
}
