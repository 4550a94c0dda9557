/**
 * The console's core, without any I/O: a session over a simnet that takes input lines
 * (Clarity expressions and `::` commands) and returns the lines to print. `index.ts` is
 * the thin CLI around it (file, piped stdin or interactive readline).
 */
import { ClarityType, type ClarityValue } from "@stacks/transactions";
import { ERR } from "../errors.ts";
import type { LoadedSimnet } from "../simnet.ts";
import { formatEvent, formatStx, formatValue, quietly, type NameOf } from "./format.ts";

export const HELP = [
  "Clarity expressions are evaluated on the simnet, as in `clarinet console`, e.g.",
  '  (contract-call? .neural-training-market register-dataset u1000000 "ipfs://dataset-metadata")',
  "  (contract-call? .neural-training-market get-market-totals)",
  "  `.neural-training-market` always means the deployer's contract, whatever the tx-sender.",
  "  An expression may span several lines; lines starting with ;; are comments.",
  "Commands:",
  "  ::set_tx_sender <principal|account>  act as another account: wallet_1, deployer or 'ST1...",
  "  ::advance_chain_tip <n>              mine n blocks (burn-block-height and stacks height + n)",
  "  ::get_assets_maps                    STX balances of the accounts and the contract",
  "  ::help                               this help",
  "  ::quit                               leave the console",
  "Other clarinet commands (::get_block_height, ::get_contracts, ::mint_stx, ::advance_burn_chain_tip,",
  "::encode, ::decode, ...) are passed to the simnet unchanged.",
];

/** Whether `source` holds complete expressions: brackets balanced outside strings and comments. */
export function isComplete(source: string): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === ";" && source[i + 1] === ";") {
      const end = source.indexOf("\n", i);
      if (end < 0) break;
      i = end;
    } else if (c === "(" || c === "{") depth++;
    else if (c === ")" || c === "}") depth--;
  }
  return !inString && depth <= 0;
}

/**
 * Rewrites the `.contract-name` shorthand of the deployer's contracts to their full id
 * (`'ST1...deployer.contract-name`). Clarinet resolves the shorthand against the current
 * tx-sender, so after `::set_tx_sender wallet_1` the README's calls would point at a contract
 * wallet_1 never deployed. Text inside strings and comments is left alone.
 */
export function resolveShorthand(source: string, contracts: ReadonlyMap<string, string>): string {
  let out = "";
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (c === '"') {
      let j = i + 1;
      while (j < source.length && source[j] !== '"') j += source[j] === "\\" ? 2 : 1;
      out += source.slice(i, j + 1);
      i = j + 1;
    } else if (c === ";" && source[i + 1] === ";") {
      const end = source.indexOf("\n", i);
      const stop = end < 0 ? source.length : end;
      out += source.slice(i, stop);
      i = stop;
    } else if (c === "." && (i === 0 || /[\s([{,<]/.test(source[i - 1]))) {
      const name = /^[a-zA-Z][a-zA-Z0-9_-]*/.exec(source.slice(i + 1))?.[0];
      const id = name === undefined ? undefined : contracts.get(name);
      if (name !== undefined && id !== undefined) {
        out += `'${id}`;
        i += 1 + name.length;
      } else {
        out += c;
        i++;
      }
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

export class ConsoleSession {
  readonly simnet: LoadedSimnet["simnet"];
  /** Account name -> address, and the deployer's contract name -> id. */
  readonly accounts: ReadonlyMap<string, string>;
  readonly contracts: ReadonlyMap<string, string>;
  /** Address or contract id -> display name used in event lines (wallet_1, .neural-training-market). */
  readonly nameOf: NameOf;
  txSender: string;
  /** Set by ::quit; later input is ignored. */
  finished = false;
  /** Expressions that raised an error (parse, type or runtime), not Clarity `(err ...)` results. */
  errors = 0;
  private buffer: string[] = [];

  constructor(private readonly loaded: LoadedSimnet) {
    this.simnet = loaded.simnet;
    this.accounts = loaded.accounts;
    const prefix = `${loaded.deployer}.`;
    this.contracts = new Map(
      [...this.simnet.getContractsInterfaces().keys()]
        .filter((id) => id.startsWith(prefix))
        .map((id) => [id.slice(prefix.length), id]),
    );
    const names = new Map<string, string>();
    for (const [name, address] of this.accounts) names.set(address, name);
    for (const [name, id] of this.contracts) names.set(id, `.${name}`);
    this.nameOf = (principal) => names.get(principal);
    this.txSender = loaded.deployer;
    // the simnet session keeps its tx-sender: start from the deployer, as clarinet console does
    quietly(() => this.simnet.executeCommand(`::set_tx_sender ${loaded.deployer}`));
  }

  /** True while a multi-line expression waits for its closing brackets. */
  get pending(): boolean {
    return this.buffer.length > 0;
  }

  /** What the console prints when it starts. */
  banner(): string[] {
    const stx = this.simnet.getAssetsMap().get("STX");
    const width = Math.max(...[...this.accounts.keys()].map((name) => name.length));
    return [
      "neural-training-market console: the Clarinet simnet with the contract deployed (::help for help)",
      `contract: ${this.loaded.contractId} (shorthand .${this.loaded.contractId.split(".")[1]})`,
      `tx-sender: ${this.label(this.txSender)}`,
      "accounts:",
      ...[...this.accounts].sort(([a], [b]) => a.localeCompare(b, "en", { numeric: true })).map(([name, address]) => `  ${name.padEnd(width)}  ${address}  ${formatStx(stx?.get(address) ?? 0n)}`),
    ];
  }

  /** Feeds one input line; returns what to print (nothing while an expression is incomplete). */
  feed(line: string): string[] {
    if (this.finished) return [];
    if (!this.pending) {
      const trimmed = line.trim();
      if (trimmed === "" || trimmed.startsWith(";;")) return [];
      if (trimmed.startsWith("::")) return this.command(trimmed);
    }
    this.buffer.push(line);
    const source = this.buffer.join("\n");
    if (!isComplete(source)) return [];
    this.buffer = [];
    return this.evaluate(source);
  }

  /** Drops a pending incomplete expression; returns the error to print, if there was one. */
  flush(): string[] {
    if (!this.pending) return [];
    this.buffer = [];
    this.errors++;
    return ["error: incomplete expression (missing closing brackets)"];
  }

  private label(address: string): string {
    const name = this.nameOf(address);
    return name ? `${address} (${name})` : address;
  }

  private command(input: string): string[] {
    const [name, ...args] = input.split(/\s+/);
    switch (name) {
      case "::help":
        return HELP;
      case "::quit":
      case "::exit":
        this.finished = true;
        return ["bye"];
      case "::set_tx_sender": {
        if (args.length !== 1) return ["usage: ::set_tx_sender <principal|account name>"];
        const who = args[0].replace(/^'/, "");
        const address = this.accounts.get(who) ?? who;
        const reply = quietly(() => this.simnet.executeCommand(`::set_tx_sender ${address}`));
        if (!reply.startsWith("tx-sender switched")) return [`error: ${reply} (not an account name or principal: ${args[0]})`];
        this.txSender = address;
        return [`tx-sender switched to ${this.label(address)}`];
      }
      case "::get_assets_maps":
        return this.withNames(this.reply(input));
      case "::advance_chain_tip": {
        const count = Number(args[0]);
        if (args.length !== 1 || !Number.isInteger(count) || count < 1) return ["usage: ::advance_chain_tip <number of blocks>"];
        // In epoch 3 clarinet's ::advance_chain_tip mines Stacks blocks only; the contract's
        // clock is burn-block-height, so mine Bitcoin blocks (each with its Stacks block).
        return this.reply(`::advance_burn_chain_tip ${count}`);
      }
      default:
        return this.reply(input);
    }
  }

  private reply(command: string): string[] {
    return quietly(() => this.simnet.executeCommand(command)).replace(/\n+$/, "").split("\n");
  }

  /** ` ;; ERR_STAKE_TOO_LOW` after an `(err uNNN)` returned by a call to one of the deployer's contracts. */
  private errorName(source: string, result: ClarityValue): string {
    if (result.type !== ClarityType.ResponseErr || result.value.type !== ClarityType.UInt) return "";
    if (![...this.contracts.keys()].some((name) => source.includes(name))) return "";
    const code = Number(result.value.value);
    const name = Object.entries(ERR).find(([, value]) => value === code)?.[0];
    return name ? ` ;; ERR_${name}` : "";
  }

  /** Adds a Name column (wallet_1, .neural-training-market) to clarinet's balance table. */
  private withNames(table: string[]): string[] {
    const width = Math.max(4, ...[...this.accounts.keys(), ...[...this.contracts.keys()].map((n) => `.${n}`)].map((n) => n.length));
    return table.map((row) => {
      if (row.startsWith("+")) return `${row}${"-".repeat(width + 2)}+`;
      if (row.startsWith("|-")) return `${row.slice(0, -1)}+${"-".repeat(width + 2)}|`;
      if (!row.startsWith("|")) return row;
      const cell = row.split("|")[1]?.trim() ?? "";
      const name = cell === "Address" ? "Name" : (this.nameOf(cell) ?? "");
      return `${row} ${name.padEnd(width)} |`;
    });
  }

  private evaluate(source: string): string[] {
    let result;
    try {
      result = quietly(() => this.simnet.execute(resolveShorthand(source, this.contracts)));
    } catch (error) {
      this.errors++;
      const message = (error instanceof Error ? error.message : String(error)).trim();
      return message.split("\n").map((line, i) => (i === 0 && !line.startsWith("error") ? `error: ${line}` : line));
    }
    const lines = [`${formatValue(result.result)}${this.errorName(source, result.result)}`];
    for (const event of result.events) lines.push(`  ${formatEvent(event, { nameOf: this.nameOf })}`);
    return lines;
  }
}

/**
 * Runs a script (the lines of a `.clar` console file) and returns the transcript: each input
 * echoed after `>> ` (`.. ` for the continuation of a multi-line expression), comments kept,
 * then its output. Stops at ::quit.
 */
export function runConsole(session: ConsoleSession, lines: Iterable<string>): string[] {
  const out: string[] = [];
  for (const line of lines) {
    if (session.finished) break;
    const trimmed = line.trim();
    if (!session.pending) {
      if (trimmed === "") {
        if (out.length > 0 && out[out.length - 1] !== "") out.push("");
        continue;
      }
      if (trimmed.startsWith(";;")) {
        out.push(trimmed);
        continue;
      }
    }
    out.push(`${session.pending ? ".." : ">>"} ${line}`);
    out.push(...session.feed(line));
  }
  out.push(...session.flush());
  return out;
}

