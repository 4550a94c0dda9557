/**
 * Pure helpers behind the console's clarinet-style commands: the help text, contract
 * function signatures from the simnet's contract interfaces (`::functions`, `::describe`),
 * splitting a `(contract-call? ...)` into its parts (`::get_costs`) and the cost table.
 */
import type { ParsedTransactionResult, Simnet } from "@stacks/clarinet-sdk";

/** The execution cost the simnet reports for a call when it tracks costs. */
export type ClarityCosts = NonNullable<ParsedTransactionResult["costs"]>;

/** One contract's interface as `simnet.getContractsInterfaces()` returns it. */
export type ContractInterface = ReturnType<Simnet["getContractsInterfaces"]> extends Map<string, infer I> ? I : never;
export type ContractFunction = ContractInterface["functions"][number];
type AtomType = ContractFunction["args"][number]["type"];

/** `[command, what it does]`, in the order clarinet's `::help` lists them. */
export const COMMANDS: ReadonlyArray<readonly [string, string]> = [
  ["::help", "Display help"],
  ["::functions", "The deployer's contracts' public and read-only functions, with their arguments"],
  ["::describe <function>", "Arguments, return type and access of a contract function"],
  ["::toggle_costs", "Display the execution cost after every contract call"],
  ["::toggle_timings", "Display the execution duration after every expression"],
  ["::get_costs <expr>", "Run a (contract-call? ...) and display its execution cost"],
  ["::mint_stx <principal|account> <amount>", "Mint <amount> uSTX for an account (wallet_4, deployer, 'ST...)"],
  ["::set_tx_sender <principal|account>", "Act as another account: wallet_1, deployer or 'ST1..."],
  ["::get_assets_maps", "STX balances of the accounts and the contract"],
  ["::get_contracts", "The deployed contracts"],
  ["::get_block_height", "Current Stacks block height"],
  ["::get_burn_block_height", "Current burn block height (the contract's clock)"],
  ["::advance_chain_tip <count>", "Mine <count> blocks: burn-block-height and Stacks height + count"],
  ["::advance_stacks_chain_tip <count>", "Mine <count> Stacks blocks only"],
  ["::advance_burn_chain_tip <count>", "Mine <count> burn blocks (each with its Stacks block)"],
  ["::get_epoch", "Current epoch"],
  ["::set_epoch <epoch>", "Update the current epoch"],
  ["::encode <expr>", "Encode an expression to a Clarity value's bytes"],
  ["::decode <bytes>", "Decode a Clarity value's bytes"],
  ["::quit", "Leave the console (also Ctrl-C twice, or Ctrl-D)"],
];

/** clarinet console commands this console cannot offer, with the reason shown when one is typed. */
export const UNSUPPORTED: ReadonlyMap<string, string> = new Map([
  ["::keywords", "the simnet has no Clarity keyword reference"],
  ["::debug", "the simnet has no step debugger"],
  ["::trace", "the simnet has no execution tracer"],
  ["::reload", "restart the console to reload the contract"],
  ["::read", "run a script with `npm run console -- <file.clar>`"],
  ["::mint_ft", "the deployed contracts define no fungible token (::mint_stx mints STX)"],
]);

/** The `::help` text. */
export function helpLines(): string[] {
  const width = Math.max(...COMMANDS.map(([command]) => command.length));
  return [
    "Clarity expressions are evaluated on the simnet, as in `clarinet console`, e.g.",
    '  (contract-call? .neural-training-market register-dataset u1000000 "ipfs://dataset-metadata")',
    "  (contract-call? .neural-training-market get-market-totals)",
    "  `.neural-training-market` always means the deployer's contract, whatever the tx-sender.",
    "  An expression may span several lines (Ctrl-C drops an unfinished one); ;; starts a comment.",
    "Commands:",
    ...COMMANDS.map(([command, what]) => `  ${command.padEnd(width)}  ${what}`),
    "::functions and ::describe cover the deployed contracts' functions (clarinet's cover Clarity's",
    "  native functions, documented at https://docs.stacks.co/reference/clarity/functions).",
    "::get_costs and ::toggle_costs measure a call by running it as a transaction (callPublicFn /",
    "  callReadOnlyFn), which mines one Stacks block per public call, as a real transaction would.",
  ];
}

/** An interface type as Clarity source: `uint`, `(string-ascii 256)`, `(response uint uint)`, `{ a: uint }`. */
export function formatType(type: AtomType): string {
  if (typeof type === "string") {
    switch (type) {
      case "uint128":
        return "uint";
      case "int128":
        return "int";
      case "trait_reference":
        return "<trait>";
      default:
        return type; // bool, principal, none
    }
  }
  if ("buffer" in type) return `(buff ${type.buffer.length})`;
  if ("string-ascii" in type) return `(string-ascii ${type["string-ascii"].length})`;
  if ("string-utf8" in type) return `(string-utf8 ${type["string-utf8"].length})`;
  if ("optional" in type) return `(optional ${formatType(type.optional)})`;
  if ("response" in type) return `(response ${formatType(type.response.ok)} ${formatType(type.response.error)})`;
  if ("list" in type) return `(list ${type.list.length} ${formatType(type.list.type)})`;
  return `{ ${type.tuple.map((entry) => `${entry.name}: ${formatType(entry.type)}`).join(", ")} }`;
}

const DEFINE: Record<ContractFunction["access"], string> = { public: "define-public", read_only: "define-read-only", private: "define-private" };
const ACCESS: Record<ContractFunction["access"], string> = { public: "public", read_only: "read-only", private: "private" };

/** `(register-dataset (stake uint) (metadata-uri (string-ascii 256)))`: the function as it is called. */
export function signature(fn: ContractFunction): string {
  return `(${[fn.name, ...fn.args.map((arg) => `(${arg.name} ${formatType(arg.type)})`)].join(" ")})`;
}

/** The `::functions` listing of one contract: public then read-only functions, by name. */
export function functionLines(contractLabel: string, iface: ContractInterface): string[] {
  const lines: string[] = [];
  for (const access of ["public", "read_only"] as const) {
    const fns = iface.functions.filter((fn) => fn.access === access).sort((a, b) => a.name.localeCompare(b.name));
    if (fns.length === 0) continue;
    lines.push(`${contractLabel} ${ACCESS[access]} functions (${fns.length}):`);
    for (const fn of fns) lines.push(`  ${signature(fn)}`);
  }
  return lines;
}

/** The `::describe` text of one function: definition, access, each argument, return type. */
export function describeLines(contractLabel: string, fn: ContractFunction): string[] {
  const width = Math.max(0, ...fn.args.map((arg) => arg.name.length));
  return [
    `(${DEFINE[fn.access]} ${signature(fn)})`,
    `  contract: ${contractLabel}`,
    `  access:   ${ACCESS[fn.access]}${fn.access === "private" ? " (not callable with contract-call?)" : ""}`,
    fn.args.length === 0 ? "  args:     none" : "  args:",
    ...fn.args.map((arg) => `    ${arg.name.padEnd(width)}  ${formatType(arg.type)}`),
    `  returns:  ${formatType(fn.outputs.type)}`,
  ];
}

/**
 * The top-level elements of one parenthesised expression, as source text:
 * `(f u1 "a b" (g 2) { a: u1 })` -> [`f`, `u1`, `"a b"`, `(g 2)`, `{ a: u1 }`].
 * Undefined when `source` is not exactly one list (comments aside).
 */
export function listElements(source: string): string[] | undefined {
  const elements: string[] = [];
  let depth = 0;
  let start = -1;
  let closed = false;
  const flush = (end: number) => {
    if (start >= 0) elements.push(source.slice(start, end));
    start = -1;
  };
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === ";" && source[i + 1] === ";") {
      if (depth === 1) flush(i);
      const end = source.indexOf("\n", i);
      i = end < 0 ? source.length : end;
      continue;
    }
    if (closed) {
      if (/\s/.test(c)) continue;
      return undefined; // something after the closing bracket
    }
    if (depth === 0) {
      if (/\s/.test(c)) continue;
      if (c !== "(") return undefined;
      depth = 1;
      continue;
    }
    if (c === '"') {
      if (depth === 1 && start < 0) start = i;
      let j = i + 1;
      while (j < source.length && source[j] !== '"') j += source[j] === "\\" ? 2 : 1;
      i = j;
      continue;
    }
    if (c === "(" || c === "{") {
      if (depth === 1 && start < 0) start = i;
      depth++;
    } else if (c === ")" || c === "}") {
      depth--;
      if (depth === 0) {
        flush(i);
        closed = true;
      } else if (depth === 1) flush(i + 1);
    } else if (depth === 1) {
      if (/[\s,]/.test(c)) flush(i);
      else if (start < 0) start = i;
    }
  }
  return closed ? elements : undefined;
}

export interface ContractCall {
  /** The callee as written: `.name` or `'ST...name`. */
  contract: string;
  functionName: string;
  /** Each argument's source text. */
  args: string[];
}

/** The parts of a single `(contract-call? <contract> <function> <args>...)`; undefined for any other expression. */
export function parseContractCall(source: string): ContractCall | undefined {
  const elements = listElements(source);
  if (!elements || elements[0] !== "contract-call?" || elements.length < 3) return undefined;
  return { contract: elements[1], functionName: elements[2], args: elements.slice(3) };
}

/** clarinet's cost table: consumed, limit and percentage of each block limit. */
export function costLines(costs: ClarityCosts): string[] {
  const rows: [string, keyof ClarityCosts["total"]][] = [
    ["Runtime", "runtime"],
    ["Read count", "readCount"],
    ["Read length (bytes)", "readLength"],
    ["Write count", "writeCount"],
    ["Write length (bytes)", "writeLength"],
  ];
  const table = [
    ["", "Consumed", "Limit", "Percentage"],
    ...rows.map(([label, key]) => {
      const consumed = costs.total[key];
      const limit = costs.limit[key];
      return [label, String(consumed), String(limit), `${limit > 0 ? ((consumed / limit) * 100).toFixed(2) : "0.00"} %`];
    }),
  ];
  const widths = table[0].map((_, column) => Math.max(...table.map((row) => row[column].length)));
  const rule = `+${widths.map((w) => "-".repeat(w + 2)).join("+")}+`;
  const line = (row: string[]) => `| ${row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join(" | ")} |`;
  return [rule, line(table[0]), rule, ...table.slice(1).map(line), rule];
}
