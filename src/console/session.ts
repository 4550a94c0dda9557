/**
 * The console's core, without any I/O: a session over a simnet that takes input lines
 * (Clarity expressions and `::` commands) and Ctrl-C interrupts, and returns the lines to
 * print. `index.ts` is the thin CLI around it (file, piped stdin or interactive readline).
 */
import type { ParsedTransactionResult } from "@stacks/clarinet-sdk";
import { ClarityType, type ClarityValue } from "@stacks/transactions";
import { ERR } from "../errors.ts";
import { quietly, type LoadedSimnet } from "../simnet.ts";
import { palette, type Palette } from "./color.ts";
import { costLines, describeLines, functionLines, helpLines, parseContractCall, UNSUPPORTED, type ContractCall, type ContractInterface } from "./commands.ts";
import { formatEvent, formatStx, formatValue, type NameOf } from "./format.ts";

/** The `::help` text (also printed by `npm run console -- --help`). */
export const HELP = helpLines();

/** What Ctrl-C at an empty prompt prints; a second Ctrl-C in a row leaves. */
export const INTERRUPT_HINT = "(press Ctrl-C again or type ::quit to exit)";

/** clarinet commands the simnet implements itself; the console passes them on unchanged. */
const SIMNET_COMMANDS = new Set([
  "::get_contracts",
  "::get_block_height",
  "::get_burn_block_height",
  "::get_stacks_block_height",
  "::get_epoch",
  "::set_epoch",
  "::encode",
  "::decode",
]);

/** The simnet's replies that report bad input rather than a result (`Failed to decode clarity value: ...`, `failed to fill whole buffer`, ...). */
const SIMNET_ERROR = /^(unable|usage|parsing error|error|invalid|encoding failed|failed)/i;

/** What `::decode` accepts: whole bytes in hex, with or without `0x`. */
const HEX_BYTES = /^(0x)?([0-9a-fA-F]{2})+$/;

/** Commands that need an argument, with the usage line printed when it is missing. */
const USAGE: ReadonlyMap<string, string> = new Map([
  ["::encode", "usage: ::encode <expr>   e.g. ::encode u1"],
  ["::decode", "usage: ::decode <hex bytes>   e.g. ::decode 0x0100000000000000000000000000000001"],
  ["::set_epoch", "usage: ::set_epoch <epoch>   e.g. ::set_epoch 3.1 (::get_epoch shows the current one)"],
  ["::describe", "usage: ::describe <function>   (::functions lists them)"],
  ["::get_costs", "usage: ::get_costs (contract-call? .neural-training-market <function> <args>...)"],
  ["::mint_stx", "usage: ::mint_stx <principal|account name> <amount in uSTX>   e.g. ::mint_stx wallet_4 1000000 (1 STX)"],
  ["::set_tx_sender", "usage: ::set_tx_sender <principal|account name>"],
]);

const MAX_U64 = 2n ** 64n - 1n;

export interface ConsoleOptions {
  /** Colour results, errors and events with ANSI codes (index.ts decides: a TTY and no NO_COLOR). Default off. */
  color?: boolean;
  /** Milliseconds clock for `::toggle_timings` (default `performance.now`). */
  now?: () => number;
}

/** Whether `source` holds complete expressions: brackets balanced outside strings and comments. */
export function isComplete(source: string): boolean {
  return incompleteReason(source) === undefined;
}

/**
 * Why `source` is not a complete expression yet: `"unterminated string"` when it ends inside
 * a string, `"missing closing brackets"` when brackets are still open; undefined when complete.
 */
export function incompleteReason(source: string): string | undefined {
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
  if (inString) return "unterminated string";
  return depth > 0 ? "missing closing brackets" : undefined;
}

/**
 * One line for a failure the simnet reported in several (a parser's diagnostics with source
 * excerpts and notes): its first `error:` line, with Rust debug text of runtime errors
 * (`Runtime error while interpreting ...: Runtime(UnwrapFailure, Some([...]))`) shortened
 * to `error: runtime: UnwrapFailure`. Always starts with `error:` or `usage:`.
 */
export function errorLine(message: string): string {
  const lines = message.split("\n").map((line) => line.trim()).filter((line) => line !== "");
  const first = lines.find((line) => /^error\b/i.test(line)) ?? lines[0] ?? "unknown error";
  const runtime = /Runtime error while interpreting \S+: Runtime\((\w+)/.exec(first);
  if (runtime) return `error: runtime: ${runtime[1]}`;
  if (/^usage:/i.test(first)) return `usage:${first.slice("usage:".length)}`;
  return /^error:/i.test(first) ? `error:${first.slice("error:".length)}` : `error: ${first}`;
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
  /** Set by ::quit or a second Ctrl-C; later input is ignored. */
  finished = false;
  /** Inputs that failed: expressions that raised an error (parse, type or runtime, not a Clarity `(err ...)`) and rejected commands. */
  errors = 0;
  /** The input line (1-based, counting every line fed) of the first failed input; undefined while none failed. */
  firstErrorLine: number | undefined;
  /** Lines fed so far: the number of the last one. */
  private lineNumber = 0;
  /** The line the input being handled started on (a multi-line expression's first line); failures are reported at it. */
  private inputLine = 0;
  /** Whether the simnet reports costs; probed on first use by ::get_costs. */
  private tracksCosts: boolean | undefined;
  /** ::toggle_costs: print the execution cost after every contract call. */
  showCosts = false;
  /** ::toggle_timings: print how long every expression took. */
  showTimings = false;
  private buffer: string[] = [];
  /** The last input was a Ctrl-C at an empty prompt: the next one leaves. */
  private interruptedAtPrompt = false;
  private readonly paint: Palette;
  private readonly now: () => number;

  constructor(
    private readonly loaded: LoadedSimnet,
    options: ConsoleOptions = {},
  ) {
    this.simnet = loaded.simnet;
    this.accounts = loaded.accounts;
    this.paint = palette(options.color ?? false);
    this.now = options.now ?? (() => performance.now());
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
      "neural-training-market console: the Clarinet simnet with the contract deployed (::help for help, ::quit to leave)",
      `contract: ${this.loaded.contractId} (shorthand .${this.loaded.contractId.split(".")[1]})`,
      `tx-sender: ${this.label(this.txSender)}`,
      "accounts:",
      ...[...this.accounts].sort(([a], [b]) => a.localeCompare(b, "en", { numeric: true })).map(([name, address]) => `  ${name.padEnd(width)}  ${address}  ${formatStx(stx?.get(address) ?? 0n)}`),
    ];
  }

  /**
   * Feeds one input line (every line counts for line numbers, blank and comment lines too);
   * returns what to print (nothing while an expression is incomplete). A `::` command line
   * cannot continue an expression: it drops an unfinished one, with an error, and runs.
   */
  feed(line: string): string[] {
    if (this.finished) return [];
    this.lineNumber++;
    this.interruptedAtPrompt = false;
    const trimmed = line.trim();
    if (trimmed.startsWith("::")) {
      const dropped = this.pending ? this.dropPending("dropped") : [];
      this.inputLine = this.lineNumber;
      return [...dropped, ...this.command(trimmed)];
    }
    if (!this.pending) {
      if (trimmed === "" || trimmed.startsWith(";;")) return [];
      this.inputLine = this.lineNumber;
    }
    this.buffer.push(line);
    const source = this.buffer.join("\n");
    if (!isComplete(source)) return [];
    this.buffer = [];
    return this.evaluate(source);
  }

  /**
   * Ctrl-C, like Node's REPL: with an unfinished expression or text on the current line
   * (`partialLine`), drops that input and stays (state and tx-sender are kept); at an empty
   * prompt prints a hint, and a second Ctrl-C in a row ends the session (`finished`).
   */
  interrupt(partialLine = ""): string[] {
    if (this.finished) return [];
    if (this.pending || partialLine.trim() !== "") {
      this.buffer = [];
      this.interruptedAtPrompt = false;
      return [];
    }
    if (this.interruptedAtPrompt) {
      this.finished = true;
      return [];
    }
    this.interruptedAtPrompt = true;
    return [this.paint.dim(INTERRUPT_HINT)];
  }

  /** Drops a pending incomplete expression (end of input); returns the error to print, if there was one. */
  flush(): string[] {
    return this.pending ? this.dropPending("left at the end of the input") : [];
  }

  /** Drops the unfinished expression with one counted error naming the line it started on and why it is unfinished. */
  private dropPending(what: string): string[] {
    const reason = incompleteReason(this.buffer.join("\n")) ?? "missing closing brackets";
    this.buffer = [];
    return this.fail(`error: unfinished expression from line ${this.inputLine} ${what} (${reason})`);
  }

  private label(address: string): string {
    const name = this.nameOf(address);
    return name ? `${address} (${name})` : address;
  }

  /** A rejected input: one red line, counted in `errors`. */
  private fail(...lines: string[]): string[] {
    this.errors++;
    this.firstErrorLine ??= this.inputLine;
    return lines.map((line) => this.paint.error(line));
  }

  /** An account name (wallet_1, deployer), `.contract` of the deployer or a principal (quoted or not) -> principal. */
  private principal(text: string): string {
    const bare = text.replace(/^'/, "");
    if (bare.startsWith(".")) return this.contracts.get(bare.slice(1)) ?? bare;
    return this.accounts.get(bare) ?? bare;
  }

  private accountNames(): string {
    return [...this.accounts.keys()].sort((a, b) => a.localeCompare(b, "en", { numeric: true })).join(", ");
  }

  private command(input: string): string[] {
    const [name, ...args] = input.split(/\s+/);
    const rest = input.slice(name.length).trim();
    const usage = USAGE.get(name);
    if (usage !== undefined && rest === "") return this.fail(usage);
    switch (name) {
      case "::help":
        return HELP;
      case "::quit":
      case "::exit":
        this.finished = true;
        return ["bye"];
      case "::functions":
        return this.functions();
      case "::describe":
        return args.length === 1 ? this.describe(args[0]) : this.fail(usage ?? "");
      case "::toggle_costs":
        this.showCosts = !this.showCosts;
        return [this.paint.result(`Always show costs: ${this.showCosts}`)];
      case "::toggle_timings":
        this.showTimings = !this.showTimings;
        return [this.paint.result(`Always show timings: ${this.showTimings}`)];
      case "::get_costs": {
        const incomplete = incompleteReason(rest);
        if (incomplete) return this.fail(`error: incomplete expression (${incomplete})`);
        const source = resolveShorthand(rest, this.contracts);
        const call = parseContractCall(source);
        if (!call) return this.fail("error: ::get_costs measures one (contract-call? <contract> <function> <args>...) expression");
        // an argument's own contract-call? would run, and commit, as a separate call before the measured one
        if (call.args.some((arg) => arg.includes("contract-call?"))) {
          return this.fail("error: ::get_costs cannot measure a call whose arguments make their own contract-call? (it would run separately); pass its result as a literal");
        }
        // refuse before running: the measured call commits, so a report without costs would be a plain call
        if (!this.costsTracked()) return this.fail("error: costs are not tracked by this simnet (start it with trackCosts, as `npm run console` does); nothing was run");
        return this.timed(() => this.measuredCall(call, source));
      }
      case "::set_tx_sender": {
        if (args.length !== 1) return this.fail(usage ?? "");
        const address = this.principal(args[0]);
        if (address.includes(".")) return this.fail(`error: a contract cannot be tx-sender: ${args[0]} (accounts: ${this.accountNames()})`);
        const reply = quietly(() => this.simnet.executeCommand(`::set_tx_sender ${address}`));
        if (!reply.startsWith("tx-sender switched")) return this.fail(`error: ${reply} (not an account name or principal: ${args[0]}; accounts: ${this.accountNames()})`);
        this.txSender = address;
        return [this.paint.result(`tx-sender switched to ${this.label(address)}`)];
      }
      case "::mint_stx":
        return this.mintStx(args);
      case "::get_assets_maps":
        return this.withNames(this.reply(input));
      case "::advance_chain_tip":
      case "::advance_burn_chain_tip":
      case "::advance_stacks_chain_tip": {
        const count = args.length === 0 ? 1 : Number(args[0]);
        if (args.length > 1 || !Number.isInteger(count) || count < 1 || count > 1_000_000) return this.fail(`usage: ${name} <number of blocks, 1 to 1000000>`);
        // In epoch 3 clarinet's ::advance_chain_tip mines Stacks blocks only; the contract's
        // clock is burn-block-height, so mine Bitcoin blocks (each with its Stacks block).
        const command = name === "::advance_chain_tip" ? "::advance_burn_chain_tip" : name;
        return this.simnetReply(`${command} ${count}`);
      }
      case "::decode":
        if (!HEX_BYTES.test(rest)) return this.fail(`error: ::decode takes a Clarity value's bytes in hex (e.g. 0x0100000000000000000000000000000001), got ${rest}`);
        return this.simnetReply(`${name} ${rest}`);
      default: {
        if (SIMNET_COMMANDS.has(name)) return this.simnetReply(name === "::encode" ? `${name} ${resolveShorthand(rest, this.contracts)}` : input);
        const reason = UNSUPPORTED.get(name);
        if (reason) return this.fail(`error: ${name} is not available in this console: ${reason} (::help lists the commands)`);
        return this.fail(`error: unknown command ${name} (::help lists the commands)`);
      }
    }
  }

  private reply(command: string): string[] {
    return quietly(() => this.simnet.executeCommand(command)).replace(/\n+$/, "").split("\n");
  }

  /** A simnet command's reply: green, or one red, counted `error:` line when the simnet rejected the input. */
  private simnetReply(command: string): string[] {
    const lines = this.reply(command);
    if (SIMNET_ERROR.test(lines[0] ?? "")) return this.fail(errorLine(lines.join("\n")));
    return lines.map((line) => this.paint.result(line));
  }

  /**
   * Whether the simnet reports execution costs, probed once with a read-only call of a
   * deployer's function without arguments (read-only calls mine no block and change nothing).
   */
  private costsTracked(): boolean {
    if (this.tracksCosts !== undefined) return this.tracksCosts;
    const interfaces = this.simnet.getContractsInterfaces();
    for (const id of this.contracts.values()) {
      const fn = interfaces.get(id)?.functions.find((candidate) => candidate.access === "read_only" && candidate.args.length === 0);
      if (!fn) continue;
      try {
        this.tracksCosts = quietly(() => this.simnet.callReadOnlyFn(id, fn.name, [], this.txSender)).costs != null;
      } catch {
        this.tracksCosts = false;
      }
      return this.tracksCosts;
    }
    this.tracksCosts = false;
    return false;
  }

  /** ::mint_stx <principal|account> <amount>: clarinet's command, with account names and checked input. */
  private mintStx(args: string[]): string[] {
    if (args.length !== 2) return this.fail(USAGE.get("::mint_stx") ?? "");
    const [who, amountText] = args;
    if (!/^\d+$/.test(amountText) || BigInt(amountText) === 0n || BigInt(amountText) > MAX_U64) {
      return this.fail(`error: amount must be a whole number of uSTX from 1 to ${MAX_U64}, got ${amountText}`);
    }
    const recipient = this.principal(who);
    const reply = quietly(() => this.simnet.executeCommand(`::mint_stx ${recipient} ${amountText}`)).trim();
    const minted = /^→ (\S+): (\d+) µSTX$/.exec(reply);
    if (!minted) {
      const reason = reply.startsWith("Unable to parse the address") ? `not an account name or principal: ${who} (accounts: ${this.accountNames()})` : reply;
      return this.fail(`error: ${reason}`);
    }
    return [this.paint.result(`→ ${this.label(minted[1])}: ${minted[2]} µSTX (${formatStx(BigInt(minted[2]))}, +${formatStx(BigInt(amountText))})`)];
  }

  /** ::functions: the public and read-only functions of the deployer's contracts. */
  private functions(): string[] {
    const interfaces = this.simnet.getContractsInterfaces();
    return [...this.contracts].flatMap(([name, id]) => {
      const iface = interfaces.get(id);
      return iface ? functionLines(`.${name}`, iface) : [];
    });
  }

  /** ::describe <function>: a function of the deployer's contracts (`name` or `.contract.name`). */
  private describe(query: string): string[] {
    const interfaces = this.simnet.getContractsInterfaces();
    const qualified = /^\.([a-zA-Z][a-zA-Z0-9_-]*)\.(.+)$/.exec(query);
    const contracts = qualified ? [...this.contracts].filter(([name]) => name === qualified[1]) : [...this.contracts];
    const functionName = qualified ? qualified[2] : query;
    if (qualified && contracts.length === 0) {
      return this.fail(`error: no contract .${qualified[1]} (the deployer's contracts: ${[...this.contracts.keys()].map((name) => `.${name}`).join(", ")})`);
    }
    for (const [name, id] of contracts) {
      const fn = interfaces.get(id)?.functions.find((candidate) => candidate.name === functionName);
      if (fn) return describeLines(`.${name}`, fn);
    }
    const where = contracts.map(([name]) => `.${name}`).join(", ") || query;
    return this.fail(`error: no function ${functionName} in ${where} (::functions lists them; Clarity's native functions are documented at https://docs.stacks.co/reference/clarity/functions)`);
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

  /** Runs `work`, then appends its duration when ::toggle_timings is on. */
  private timed(work: () => string[]): string[] {
    const started = this.now();
    const lines = work();
    if (!this.showTimings) return lines;
    return [...lines, this.paint.dim(`execution duration: ${(this.now() - started).toFixed(2)} ms`)];
  }

  /** The printed form of a transaction result: the value (with its error name), then one line per event. */
  private resultLines(source: string, result: ParsedTransactionResult): string[] {
    const value = `${formatValue(result.result)}${this.errorName(source, result.result)}`;
    const paintValue = result.result.type === ClarityType.ResponseErr ? this.paint.error : this.paint.result;
    return [paintValue(value), ...result.events.map((event) => this.paint.dim(`  ${formatEvent(event, { nameOf: this.nameOf })}`))];
  }

  /** An error the simnet threw (a string with the VM's diagnostics): one counted `error:` line. */
  private thrown(error: unknown): string[] {
    return this.fail(errorLine(error instanceof Error ? error.message : String(error)));
  }

  private evaluate(source: string): string[] {
    const resolved = resolveShorthand(source, this.contracts);
    let costNote = "costs: measured for a single (contract-call? ...) expression only";
    if (this.showCosts) {
      const call = parseContractCall(resolved);
      // a call whose arguments make their own contract-call? runs as plain Clarity (those would commit separately)
      if (call && !call.args.some((arg) => arg.includes("contract-call?"))) return this.timed(() => this.measuredCall(call, resolved));
      if (call) costNote = "costs: not measured: an argument makes its own contract-call?";
    }
    return this.timed(() => {
      let result;
      try {
        result = quietly(() => this.simnet.execute(resolved));
      } catch (error) {
        return this.thrown(error);
      }
      const lines = this.resultLines(source, result);
      if (this.showCosts) lines.push(this.paint.dim(costNote));
      return lines;
    });
  }

  /**
   * Runs one contract call as a transaction from the tx-sender (callPublicFn or
   * callReadOnlyFn, the simnet calls that report costs) and prints its result, events and
   * cost table. Each argument is evaluated first, as Clarity, with `simnet.execute`. A public
   * function mines one Stacks block, as a real transaction would.
   */
  private measuredCall(call: ContractCall, source: string): string[] {
    const bare = call.contract.replace(/^'/, "");
    const contractId = bare.startsWith(".") ? `${this.txSender}${bare}` : bare;
    const iface: ContractInterface | undefined = this.simnet.getContractsInterfaces().get(contractId);
    if (!iface) return this.fail(`error: use of unresolved contract '${contractId}'`);
    const fn = iface.functions.find((candidate) => candidate.name === call.functionName);
    if (!fn || fn.access === "private") {
      return this.fail(`error: no public or read-only function ${call.functionName} in ${this.nameOf(contractId) ?? contractId} (::functions lists them)`);
    }
    if (fn.args.length !== call.args.length) {
      return this.fail(`error: ${fn.name} takes ${fn.args.length} argument${fn.args.length === 1 ? "" : "s"}, got ${call.args.length} (::describe ${fn.name})`);
    }
    const args: ClarityValue[] = [];
    for (const arg of call.args) {
      try {
        args.push(quietly(() => this.simnet.execute(arg)).result);
      } catch (error) {
        return this.thrown(error);
      }
    }
    let result: ParsedTransactionResult;
    try {
      result = quietly(() =>
        fn.access === "public" ? this.simnet.callPublicFn(contractId, fn.name, args, this.txSender) : this.simnet.callReadOnlyFn(contractId, fn.name, args, this.txSender),
      );
    } catch (error) {
      return this.thrown(error);
    }
    const lines = this.resultLines(source, result);
    if (result.costs) return [...lines, ...costLines(result.costs)];
    return [...lines, this.paint.dim("costs: not tracked by this simnet (start it with trackCosts, as `npm run console` does)")];
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
      // fed too, so the session's line numbers are the script's
      if (trimmed === "") {
        session.feed(line);
        if (out.length > 0 && out[out.length - 1] !== "") out.push("");
        continue;
      }
      if (trimmed.startsWith(";;")) {
        session.feed(line);
        out.push(trimmed);
        continue;
      }
    }
    out.push(`${session.pending && !trimmed.startsWith("::") ? ".." : ">>"} ${line}`);
    out.push(...session.feed(line));
  }
  out.push(...session.flush());
  return out;
}

