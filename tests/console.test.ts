import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { getSDK } from "@stacks/clarinet-sdk";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { colorEnabled, stripColor } from "../src/console/color.ts";
import { listElements, parseContractCall } from "../src/console/commands.ts";
import { formatStx } from "../src/console/format.ts";
import { ConsoleSession, INTERRUPT_HINT, isComplete, resolveShorthand, runConsole, type ConsoleOptions } from "../src/console/session.ts";
import { CONTRACT_NAME, MANIFEST_PATH, PROJECT_ROOT, type LoadedSimnet } from "../src/simnet.ts";
import { bidder, contractId, deployer, expectSolvent, getDataset, provider, runScript, stx, validator1, validator2 } from "./helpers.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CONSOLE = "src/console/index.ts";
const EXAMPLE = "examples/readme-usage.clar";
const exampleLines = () => readFileSync(`${ROOT}${EXAMPLE}`, "utf8").split("\n");

/** A console over vitest's global simnet (fresh for each test; it does not track costs). */
function session(options: ConsoleOptions = {}) {
  return new ConsoleSession({ simnet, accounts: simnet.getAccounts(), deployer, contractId }, options);
}

let costTracking: Promise<LoadedSimnet> | undefined;
/**
 * One simnet for the whole file that tracks costs, as `npm run console` starts it (the global
 * one does not). Made with getSDK, not loadSimnet, so initSimnet's shared instance (vitest's
 * global simnet) is left alone. Its state carries over between tests: assert differences.
 */
function costTrackingSimnet(): Promise<LoadedSimnet> {
  costTracking ??= (async () => {
    const sdk = await getSDK({ trackCosts: true, trackCoverage: false });
    await sdk.initSession(PROJECT_ROOT, MANIFEST_PATH, null);
    const accounts = sdk.getAccounts();
    const owner = accounts.get("deployer") ?? "";
    return { simnet: sdk, accounts, deployer: owner, contractId: `${owner}.${CONTRACT_NAME}` };
  })();
  return costTracking;
}

/** `u123` -> 123n: a uint the console printed. */
function uint(line: string | undefined): bigint {
  const match = /^u(\d+)$/.exec(line ?? "");
  if (!match) throw new Error(`not a uint: ${line}`);
  return BigInt(match[1]);
}

/** The Consumed column of a cost-table row (`| Runtime | 241070 | ... |`). */
function consumed(lines: string[], row: string): number {
  const line = lines.find((candidate) => candidate.startsWith(`| ${row} `));
  if (!line) throw new Error(`no ${row} row in:\n${lines.join("\n")}`);
  return Number(line.split("|")[2].trim());
}

const ESCAPE = /\x1b\[/;
const REGISTER = '(contract-call? .neural-training-market register-dataset u1000000 "ipfs://x")';

/** The output line right after each echoed input line that satisfies `isInput`. */
function replies(transcript: string[], isInput: (line: string) => boolean): string[] {
  return transcript.flatMap((line, i) => (isInput(line) ? [transcript[i + 1]] : []));
}
const callResults = (transcript: string[]) => replies(transcript, (line) => line.startsWith(">> (contract-call?"));

// the console switches the simnet session's tx-sender: put it back for the other suites
afterEach(() => {
  simnet.executeCommand(`::set_tx_sender ${deployer}`);
  expectSolvent();
});

describe("examples/readme-usage.clar", () => {
  it("replays the README's four calls: (ok u1), (ok u1), (ok true), (ok u25000) after the validator registers", () => {
    const before = [provider, bidder, validator1].map(stx);
    const transcript = runConsole(session(), exampleLines());

    expect(callResults(transcript)).toEqual(["(ok true)", "(ok u1)", "(ok u1)", "(ok true)", "(ok u25000)"]);
    // the README's calls are echoed exactly as written
    for (const call of [
      '(contract-call? .neural-training-market register-dataset u1000000 "ipfs://dataset-metadata")',
      "(contract-call? .neural-training-market place-computation-bid u1 u500000 u100 u150)",
      "(contract-call? .neural-training-market submit-validation-result u1 u1 u85)",
      "(contract-call? .neural-training-market claim-validation-reward u1)",
    ]) expect(transcript).toContain(`>> ${call}`);
    // each call ran as the account the script switched to
    expect(replies(transcript, (line) => line.startsWith(">> ::set_tx_sender"))).toEqual([
      `tx-sender switched to ${validator1} (wallet_3)`,
      `tx-sender switched to ${provider} (wallet_1)`,
      `tx-sender switched to ${bidder} (wallet_2)`,
      `tx-sender switched to ${validator1} (wallet_3)`,
    ]);
    // events, compactly, with principals by account name
    expect(transcript).toContain("  stx_transfer 0.47 STX (470,000 uSTX) .neural-training-market -> wallet_1");
    expect(transcript).toContain("  stx_transfer 0.025 STX (25,000 uSTX) .neural-training-market -> wallet_3");
    expect(transcript).toContain("  print committee-drawn { bid-id: u1, random: false, seats: (list wallet_3) }");
    expect(transcript.some((line) => line.startsWith("  print job-finalized { bid-id: u1,") && line.includes("final-score: u85"))).toBe(true);

    // the real simnet state moved: provider paid 0.47 STX for a 1 STX stake, bidder paid 0.5, validator earned 0.025
    expect([provider, bidder, validator1].map((who, i) => stx(who) - before[i])).toEqual([-530_000n, -500_000n, -975_000n]);
    // the 1% protocol fee (0.005 STX) stays in the treasury
    expect(transcript.some((line) => line.startsWith("  print job-finalized { bid-id: u1,") && line.includes("protocol-fee: u5000, provider-payment: u470000,"))).toBe(true);
    expect(getDataset(1)).toMatchObject({ "quality-score": 85n, validations: 1n, "passed-validations": 1n });

    // ::get_assets_maps prints clarinet's table, with a Name column
    const contractRow = transcript.find((line) => line.startsWith(`| ${contractId} `));
    expect(contractRow).toMatch(/\| 2005000 +\| \.neural-training-market +\|$/);
    expect(transcript.find((line) => line.startsWith(`| ${provider} `))).toMatch(/\| 99999999470000 +\| wallet_1 +\|$/);
  });

  it("runs through the real CLI with the same results; failed inputs add one summary line on stderr and exit 1", async () => {
    // one child run (loading the simnet takes seconds): the example, then two failing inputs
    const folder = mkdtempSync(join(tmpdir(), "console-test-"));
    const script = join(folder, "script.clar");
    const lines = [...exampleLines(), "(+ 1 u1)", "(+ 1 2)", "::decode 01"];
    writeFileSync(script, lines.join("\n"));
    // output to a pipe is plain text unless FORCE_COLOR asks otherwise (the child inherits process.env)
    const saved = { FORCE_COLOR: process.env.FORCE_COLOR, NO_COLOR: process.env.NO_COLOR };
    delete process.env.FORCE_COLOR;
    delete process.env.NO_COLOR;
    const run = runScript(CONSOLE, [script]);
    Object.assign(process.env, Object.fromEntries(Object.entries(saved).filter(([, value]) => value !== undefined)));
    const { code, stdout, stderr } = await run;
    rmSync(folder, { recursive: true });

    expect(code).toBe(1);
    expect(stderr.trim().split("\n")).toEqual([`console: 2 inputs failed (first at line ${lines.indexOf("(+ 1 u1)") + 1})`]);
    expect(stdout).not.toMatch(ESCAPE);
    const transcript = stdout.split("\n");
    expect(transcript[0]).toContain("neural-training-market console");
    expect(callResults(transcript)).toEqual(["(ok true)", "(ok u1)", "(ok u1)", "(ok true)", "(ok u25000)"]);
    // the simnet's own echo of print events is silenced: each event appears once, compactly
    expect(stdout).not.toContain("(neural-training-market:");
    // the transcript is complete: the last inputs and their replies reached the pipe
    expect(transcript.slice(-7)).toEqual([">> (+ 1 u1)", "error: expecting expression of type 'int', found 'uint'", ">> (+ 1 2)", "3", ">> ::decode 01", "error: failed to fill whole buffer", ""]);
  }, 120_000);
});

describe("command-line arguments", () => {
  it("rejects bad arguments with one stderr line and exit status 2, before loading the simnet (no banner)", async () => {
    const cases: [string[], string][] = [
      [["no-such-script.clar"], "console: no such file: no-such-script.clar"],
      [["src"], "console: src is a folder, not a script file"],
      [["--bogus"], "console: unknown option --bogus; see npm run console -- --help"],
      [[EXAMPLE, EXAMPLE], `console: expected at most one script, got 2 arguments (${EXAMPLE} ${EXAMPLE}); see npm run console -- --help`],
    ];
    const runs = await Promise.all(cases.map(([args]) => runScript(CONSOLE, args)));
    expect(runs).toEqual(cases.map(([, message]) => ({ code: 2, stdout: "", stderr: `${message}\n` })));
  }, 120_000);
});

describe("expressions", () => {
  it("prints results like clarinet: ok, err (with the error's name), tuples, plain values", () => {
    const s = session();
    expect(s.feed("(+ 1 2)")).toEqual(["3"]);
    expect(s.feed('(contract-call? .neural-training-market register-dataset u10 "ipfs://x")')).toEqual(["(err u201) ;; ERR_STAKE_TOO_LOW"]);
    expect(s.feed("(contract-call? .neural-training-market get-market-totals)")).toEqual([
      "{ dataset-stakes: u0, escrowed-bids: u0, surplus: u0, treasury: u0, unclaimed-rewards: u0, validator-stakes: u0 }",
    ]);
    expect(s.errors).toBe(0);
  });

  it("resolves .neural-training-market to the deployer's contract whatever the tx-sender", () => {
    const s = session();
    s.feed("::set_tx_sender wallet_1");
    expect(s.feed('(contract-call? .neural-training-market register-dataset u1000000 "ipfs://x")')[0]).toBe("(ok u1)");
    expect(getDataset(1)?.provider).toBe(provider);
    expect(stx(contractId)).toBe(1_000_000n);
  });

  it("reports parse and type errors as `error:` lines and counts them", () => {
    const s = session();
    expect(s.feed("(+ 1 u2)")).toEqual(["error: expecting expression of type 'int', found 'uint'"]);
    expect(s.feed("(contract-call? .no-such-contract foo)")[0]).toMatch(/^error: /);
    expect(s.errors).toBe(2);
  });

  it("joins a multi-line expression until its brackets close, and skips ;; comments", () => {
    const s = session();
    const transcript = runConsole(s, [";; totals", "(contract-call? .neural-training-market", "  get-market-totals) ;; done"]);
    expect(transcript).toEqual([
      ";; totals",
      ">> (contract-call? .neural-training-market",
      "..   get-market-totals) ;; done",
      "{ dataset-stakes: u0, escrowed-bids: u0, surplus: u0, treasury: u0, unclaimed-rewards: u0, validator-stakes: u0 }",
    ]);
    expect(runConsole(session(), ["", ";; c", "(+ 1", "2"])).toEqual([";; c", ">> (+ 1", ".. 2", "error: unfinished expression from line 3 left at the end of the input (missing closing brackets)"]);
  });

  it("a :: line cannot continue an expression: it drops the unfinished one (one counted error naming its line) and runs", () => {
    const s = session();
    expect(runConsole(s, ["(+ 1", "  2", "::quit", "(+ 2 3)"])).toEqual([
      ">> (+ 1",
      "..   2",
      ">> ::quit",
      "error: unfinished expression from line 1 dropped (missing closing brackets)",
      "bye",
    ]);
    expect([s.finished, s.errors, s.firstErrorLine]).toEqual([true, 1, 1]);
    const t = session();
    expect(t.feed("(+ 1 2)")).toEqual(["3"]);
    expect(t.feed('(print "abc')).toEqual([]);
    expect(t.feed("::get_block_height")).toEqual(["error: unfinished expression from line 2 dropped (unterminated string)", `Current height: ${simnet.blockHeight}`]);
    expect(t.pending).toBe(false);
    expect(t.feed("(+ 2 3)")).toEqual(["5"]);
  });

  it("shortens multi-line diagnostics to their first error: line and runtime errors to their kind", () => {
    const s = session();
    expect(s.feed("::encode (")).toEqual(["error: expected closing ')'"]);
    expect(s.feed("(unwrap-panic (contract-call? .neural-training-market get-dataset u999))")).toEqual(["error: runtime: UnwrapFailure"]);
    expect(s.errors).toBe(2);
  });

  it("isComplete and resolveShorthand ignore brackets and shorthands inside strings and comments", () => {
    expect(isComplete('(print ")")')).toBe(true);
    expect(isComplete('(print "(")')).toBe(true);
    expect(isComplete("(print 1 ;; )\n")).toBe(false);
    expect(isComplete("{ a: u1 }")).toBe(true);
    const contracts = new Map([["neural-training-market", contractId]]);
    expect(resolveShorthand('(contract-call? .neural-training-market f ".neural-training-market") ;; .neural-training-market', contracts)).toBe(
      `(contract-call? '${contractId} f ".neural-training-market") ;; .neural-training-market`,
    );
    // other names and decimal-looking text are not contracts of the deployer
    expect(resolveShorthand("(contract-call? .other f) (list .5)", contracts)).toBe("(contract-call? .other f) (list .5)");
  });
});

describe("::set_tx_sender", () => {
  it("takes an account name, an address or a quoted principal, and rejects unknown names", () => {
    const s = session();
    expect(s.feed("::set_tx_sender wallet_2")).toEqual([`tx-sender switched to ${bidder} (wallet_2)`]);
    expect(s.txSender).toBe(bidder);
    expect(s.feed(`::set_tx_sender '${provider}`)).toEqual([`tx-sender switched to ${provider} (wallet_1)`]);
    expect(s.feed("(print tx-sender)")[0]).toBe(`'${provider}`);
    expect(s.feed("::set_tx_sender nobody")).toEqual([expect.stringMatching(/^error: .*nobody.*accounts: deployer, wallet_1,/)]);
    expect(s.txSender).toBe(provider);
    expect(s.feed("::set_tx_sender")).toEqual(["usage: ::set_tx_sender <principal|account name>"]);
    expect(s.errors).toBe(2);
  });

  it("refuses a contract: .neural-training-market or a contract id", () => {
    const s = session();
    expect(s.feed("::set_tx_sender .neural-training-market")).toEqual([expect.stringMatching(/^error: a contract cannot be tx-sender: \.neural-training-market \(accounts: deployer, /)]);
    expect(s.feed(`::set_tx_sender ${contractId}`)[0]).toMatch(/^error: a contract cannot be tx-sender: /);
    expect([s.txSender, s.errors]).toEqual([deployer, 2]);
  });
});

describe("::mint_stx", () => {
  it("accepts an account name: ::mint_stx wallet_4 1000 adds 1000 uSTX to wallet_4's balance", () => {
    const s = session();
    const balance = `(stx-get-balance '${validator2})`;
    const before = uint(s.feed(balance)[0]);
    const after = before + 1000n;
    expect(s.feed("::mint_stx wallet_4 1000")).toEqual([`→ ${validator2} (wallet_4): ${after} µSTX (${formatStx(after)}, +0.001 STX)`]);
    expect(uint(s.feed(balance)[0])).toBe(after);
    expect(stx(validator2)).toBe(after);
    expect(s.errors).toBe(0);
  });

  it("accepts deployer and a quoted principal", () => {
    const s = session();
    const [deployerBefore, providerBefore] = [deployer, provider].map(stx);
    expect(s.feed("::mint_stx deployer 5")[0]).toMatch(new RegExp(`^→ ${deployer} \\(deployer\\): ${deployerBefore + 5n} µSTX`));
    expect(s.feed(`::mint_stx '${provider} 7`)[0]).toMatch(new RegExp(`^→ ${provider} \\(wallet_1\\): ${providerBefore + 7n} µSTX`));
    expect([deployer, provider].map(stx)).toEqual([deployerBefore + 5n, providerBefore + 7n]);
  });

  it("accepts the contract's shorthand (on the file's own simnet: an unaccounted mint breaks the solvency check)", async () => {
    const loaded = await costTrackingSimnet();
    const balance = () => loaded.simnet.getAssetsMap().get("STX")?.get(loaded.contractId) ?? 0n;
    const before = balance();
    expect(new ConsoleSession(loaded).feed("::mint_stx .neural-training-market 9")[0]).toMatch(new RegExp(`^→ ${loaded.contractId} \\(\\.neural-training-market\\): ${before + 9n} µSTX`));
    expect(balance()).toBe(before + 9n);
  });

  it("rejects an unknown account, a bad amount or missing arguments with one line, minting nothing", () => {
    const s = session();
    const before = stx(validator2);
    expect(s.feed("::mint_stx wallet_9 1000")).toEqual([expect.stringMatching(/^error: not an account name or principal: wallet_9 \(accounts: deployer, wallet_1, .*wallet_8\)$/)]);
    for (const amount of ["x", "-5", "0", "1.5", "18446744073709551616"]) {
      expect(s.feed(`::mint_stx wallet_4 ${amount}`)).toEqual([`error: amount must be a whole number of uSTX from 1 to 18446744073709551615, got ${amount}`]);
    }
    expect(s.feed("::mint_stx wallet_4")).toEqual(["usage: ::mint_stx <principal|account name> <amount in uSTX>   e.g. ::mint_stx wallet_4 1000000 (1 STX)"]);
    expect(stx(validator2)).toBe(before);
    expect(s.errors).toBe(7);
  });
});

describe("::functions", () => {
  it("lists the contract's public and read-only functions with their typed arguments, not its private ones", () => {
    const lines = session().feed("::functions");
    const publicAt = lines.findIndex((line) => /^\.neural-training-market public functions \(\d+\):$/.test(line));
    const readOnlyAt = lines.findIndex((line) => /^\.neural-training-market read-only functions \(\d+\):$/.test(line));
    expect(publicAt).toBe(0);
    expect(readOnlyAt).toBeGreaterThan(publicAt);
    const interfaceFns = simnet.getContractsInterfaces().get(contractId)?.functions ?? [];
    expect(lines.length - 2).toBe(interfaceFns.filter((fn) => fn.access !== "private").length);
    expect(lines.slice(publicAt, readOnlyAt)).toContain("  (register-dataset (stake uint) (metadata-uri (string-ascii 256)))");
    expect(lines.slice(publicAt, readOnlyAt)).toContain("  (withdraw-treasury (amount uint) (recipient principal))");
    expect(lines.slice(readOnlyAt)).toContain("  (get-market-totals)");
    expect(lines.slice(readOnlyAt)).toContain("  (get-validator (who principal))");
    const privateName = interfaceFns.find((fn) => fn.access === "private")?.name;
    expect(privateName).toBeDefined();
    expect(lines.some((line) => line.startsWith(`  (${privateName} `) || line === `  (${privateName})`)).toBe(false);
  });
});

describe("::describe", () => {
  it("prints a public function's definition, argument names and types, and return type", () => {
    expect(session().feed("::describe register-dataset")).toEqual([
      "(define-public (register-dataset (stake uint) (metadata-uri (string-ascii 256))))",
      "  contract: .neural-training-market",
      "  access:   public",
      "  args:",
      "    stake         uint",
      "    metadata-uri  (string-ascii 256)",
      "  returns:  (response uint uint)",
    ]);
  });

  it("describes read-only functions (tuple and optional types) and marks private ones as not callable", () => {
    const s = session();
    const totals = s.feed("::describe get-market-totals");
    expect(totals[0]).toBe("(define-read-only (get-market-totals))");
    expect(totals).toContain("  args:     none");
    expect(totals).toContain("  returns:  { dataset-stakes: uint, escrowed-bids: uint, surplus: uint, treasury: uint, unclaimed-rewards: uint, validator-stakes: uint }");
    expect(s.feed("::describe get-dataset").at(-1)).toMatch(/^ {2}returns: {2}\(optional \{ active: bool, /);
    expect(s.feed("::describe .neural-training-market.get-validator")).toContain("    who  principal");
    const privateName = simnet.getContractsInterfaces().get(contractId)?.functions.find((fn) => fn.access === "private")?.name;
    expect(s.feed(`::describe ${privateName}`)).toContain("  access:   private (not callable with contract-call?)");
    expect(s.errors).toBe(0);
  });

  it("answers an unknown function or a missing name with one clear line", () => {
    const s = session();
    expect(s.feed("::describe no-such-fn")).toEqual([expect.stringMatching(/^error: no function no-such-fn in \.neural-training-market \(::functions lists them/)]);
    expect(s.feed("::describe")).toEqual(["usage: ::describe <function>   (::functions lists them)"]);
    expect(s.feed("::describe .other.foo")).toEqual(["error: no contract .other (the deployer's contracts: .neural-training-market)"]);
    expect(s.errors).toBe(3);
  });
});

describe("::get_costs", () => {
  let loaded: LoadedSimnet;
  beforeAll(async () => {
    loaded = await costTrackingSimnet();
  });

  it("runs a public call as the tx-sender and prints its result, events and a cost table with real consumption", () => {
    const s = new ConsoleSession(loaded);
    s.feed("::set_tx_sender wallet_1");
    const lastDataset = () => s.feed("(contract-call? .neural-training-market get-last-ids)")[0];
    const before = lastDataset();
    const lines = s.feed(`::get_costs ${REGISTER}`);
    expect(lines[0]).toMatch(/^\(ok u\d+\)$/);
    expect(lines).toContain("  stx_transfer 1 STX (1,000,000 uSTX) wallet_1 -> .neural-training-market");
    expect(lines).toContain("|                      | Consumed |      Limit | Percentage |");
    expect(consumed(lines, "Runtime")).toBeGreaterThan(0);
    expect(consumed(lines, "Read count")).toBeGreaterThan(0);
    expect(consumed(lines, "Write count")).toBeGreaterThan(0);
    expect(consumed(lines, "Write length (bytes)")).toBeGreaterThan(0);
    expect(lines.find((line) => line.startsWith("| Runtime "))).toMatch(/\| +5000000000 \| +\d+\.\d\d % \|$/);
    // the call really happened, from wallet_1
    expect(lastDataset()).not.toBe(before);
    const id = /dataset-id: u(\d+)/.exec(lines.join("\n"))?.[1];
    expect(s.feed(`(get provider (unwrap-panic (contract-call? .neural-training-market get-dataset u${id})))`)).toEqual([`'${provider}`]);
    expect(s.errors).toBe(0);
  });

  it("measures read-only calls (no writes) with arguments that are Clarity expressions", () => {
    const s = new ConsoleSession(loaded);
    const lines = s.feed("::get_costs (contract-call? .neural-training-market get-validator (unwrap-panic (some tx-sender)))");
    expect(lines[0]).toBe("none");
    expect(consumed(lines, "Runtime")).toBeGreaterThan(0);
    expect(consumed(lines, "Write count")).toBe(0);
  });

  it("rejects anything but one contract call, unknown functions and wrong arity with one line each", () => {
    const s = new ConsoleSession(loaded);
    expect(s.feed("::get_costs (+ 1 2)")).toEqual(["error: ::get_costs measures one (contract-call? <contract> <function> <args>...) expression"]);
    expect(s.feed("::get_costs")).toEqual(["usage: ::get_costs (contract-call? .neural-training-market <function> <args>...)"]);
    expect(s.feed("::get_costs (contract-call? .neural-training-market get-dataset")).toEqual(["error: incomplete expression (missing closing brackets)"]);
    expect(s.feed("::get_costs (contract-call? .neural-training-market no-such-fn)")).toEqual([
      "error: no public or read-only function no-such-fn in .neural-training-market (::functions lists them)",
    ]);
    expect(s.feed("::get_costs (contract-call? .neural-training-market register-dataset u1)")).toEqual(["error: register-dataset takes 2 arguments, got 1 (::describe register-dataset)"]);
    expect(s.feed("::get_costs (contract-call? .no-such-contract f)")).toEqual([`error: use of unresolved contract '${loaded.deployer}.no-such-contract'`]);
    expect(s.errors).toBe(6);
  });

  it("refuses, running nothing, on a simnet that does not track costs", () => {
    const s = session();
    expect(s.feed(`::get_costs ${REGISTER}`)).toEqual(["error: costs are not tracked by this simnet (start it with trackCosts, as `npm run console` does); nothing was run"]);
    expect(stx(contractId)).toBe(0n);
    expect(getDataset(1)).toBeNull();
    expect(s.errors).toBe(1);
  });

  it("refuses a call whose arguments make their own contract-call? (they would commit separately)", () => {
    const s = new ConsoleSession(loaded);
    const height = loaded.simnet.blockHeight;
    expect(s.feed("::get_costs (contract-call? .neural-training-market get-dataset (get dataset-id (contract-call? .neural-training-market get-last-ids)))")).toEqual([
      "error: ::get_costs cannot measure a call whose arguments make their own contract-call? (it would run separately); pass its result as a literal",
    ]);
    expect([loaded.simnet.blockHeight, s.errors]).toEqual([height, 1]);
  });
});

describe("::toggle_costs", () => {
  let loaded: LoadedSimnet;
  beforeAll(async () => {
    loaded = await costTrackingSimnet();
  });

  it("prints the cost table after every contract call while on, a note for other expressions, nothing when off", () => {
    const s = new ConsoleSession(loaded);
    const call = "(contract-call? .neural-training-market get-market-totals)";
    expect(s.feed(call)).toHaveLength(1);
    expect(s.feed("::toggle_costs")).toEqual(["Always show costs: true"]);
    const measured = s.feed(call);
    expect(measured[0]).toMatch(/^\{ dataset-stakes: u\d+, /);
    expect(consumed(measured, "Runtime")).toBeGreaterThan(0);
    // a multi-line call is measured too
    expect(runConsole(s, ["(contract-call? .neural-training-market", "  get-last-ids)"]).some((line) => line.startsWith("| Runtime "))).toBe(true);
    expect(s.feed("(+ 1 2)")).toEqual(["3", "costs: measured for a single (contract-call? ...) expression only"]);
    expect(s.feed("::toggle_costs")).toEqual(["Always show costs: false"]);
    expect(s.feed(call)).toHaveLength(1);
  });
});

describe("::toggle_timings", () => {
  it("prints each expression's duration while on, and nothing when off", () => {
    let clock = 0;
    const s = session({ now: () => (clock += 2.5) });
    expect(s.feed("(+ 1 2)")).toEqual(["3"]);
    expect(s.feed("::toggle_timings")).toEqual(["Always show timings: true"]);
    expect(s.feed("(+ 1 2)")).toEqual(["3", "execution duration: 2.50 ms"]);
    expect(s.feed("(+ 1 u2)")).toEqual(["error: expecting expression of type 'int', found 'uint'", "execution duration: 2.50 ms"]);
    expect(s.feed("::toggle_timings")).toEqual(["Always show timings: false"]);
    expect(s.feed("(+ 1 2)")).toEqual(["3"]);
  });
});

describe("::advance_chain_tip, ::advance_burn_chain_tip, ::advance_stacks_chain_tip", () => {
  it("::advance_chain_tip <n> advances burn-block-height (the contract's clock) by n", () => {
    const s = session();
    const start = simnet.burnBlockHeight;
    const out = s.feed("::advance_chain_tip 10");
    expect(simnet.burnBlockHeight).toBe(start + 10);
    expect(out).toContain(`new burn height: ${start + 10}`);
    expect(s.feed("(contract-call? .neural-training-market get-last-ids)")).toEqual(["{ bid-id: u0, dataset-id: u0, proposal-id: u0 }"]);
    expect(s.feed("::advance_chain_tip x")).toEqual(["usage: ::advance_chain_tip <number of blocks, 1 to 1000000>"]);
  });

  it("::advance_stacks_chain_tip mines Stacks blocks only, ::advance_burn_chain_tip burn blocks; a missing count means 1", () => {
    const s = session();
    const [burn, stacks] = [simnet.burnBlockHeight, simnet.stacksBlockHeight];
    expect(s.feed("::advance_stacks_chain_tip 3")).toEqual([`new burn height: ${burn}`, `new stacks height: ${stacks + 3}`]);
    expect(s.feed("::advance_burn_chain_tip")).toEqual([`new burn height: ${burn + 1}`, `new stacks height: ${stacks + 4}`]);
    expect(s.feed("::advance_burn_chain_tip 0")).toEqual(["usage: ::advance_burn_chain_tip <number of blocks, 1 to 1000000>"]);
    expect(s.errors).toBe(1);
  });
});

describe("other commands", () => {
  it("::help lists every command; ::quit ends the script", () => {
    const s = session();
    const help = s.feed("::help").join("\n");
    for (const command of ["::functions", "::describe", "::get_costs", "::toggle_costs", "::toggle_timings", "::mint_stx", "::set_tx_sender", "::advance_chain_tip", "::get_assets_maps", "::help", "::quit"]) {
      expect(help).toContain(command);
    }
    // ::functions and ::describe cover the contract's functions; Clarity's natives are documented online
    expect(help).toContain("https://docs.stacks.co/reference/clarity/functions");
    const transcript = runConsole(s, ["::quit", '(contract-call? .neural-training-market register-dataset u1000000 "ipfs://x")']);
    expect(transcript).toEqual([">> ::quit", "bye"]);
    expect(s.finished).toBe(true);
    expect(stx(contractId)).toBe(0n);
  });

  it("passes the simnet's own commands on (::get_block_height, ::get_burn_block_height, ::get_contracts, ::encode, ::decode)", () => {
    const s = session();
    expect(s.feed("::get_block_height")).toEqual([`Current height: ${simnet.blockHeight}`]);
    expect(s.feed("::get_burn_block_height")).toEqual([`Current height: ${simnet.burnBlockHeight}`]);
    expect(s.feed("::get_contracts")).toContain(contractId);
    expect(s.feed("::encode u1")).toEqual(["0100000000000000000000000000000001"]);
    expect(s.feed("::decode 0x0100000000000000000000000000000001")).toEqual(["u1"]);
    expect(s.errors).toBe(0);
  });

  it("::decode: bad hex, or bytes that are not a Clarity value, are counted errors", () => {
    const s = session();
    expect(s.feed("::decode zz")).toEqual(["error: ::decode takes a Clarity value's bytes in hex (e.g. 0x0100000000000000000000000000000001), got zz"]);
    expect(s.feed("::decode 01")).toEqual(["error: failed to fill whole buffer"]);
    expect(s.feed("::decode ff00")).toEqual([expect.stringMatching(/^error: Failed to decode clarity value: /)]);
    expect(s.errors).toBe(3);
  });

  it("::encode, ::decode and ::set_epoch without an argument print their usage", () => {
    const s = session();
    expect(s.feed("::encode")).toEqual(["usage: ::encode <expr>   e.g. ::encode u1"]);
    expect(s.feed("::decode  ")).toEqual(["usage: ::decode <hex bytes>   e.g. ::decode 0x0100000000000000000000000000000001"]);
    expect(s.feed("::set_epoch")).toEqual(["usage: ::set_epoch <epoch>   e.g. ::set_epoch 3.1 (::get_epoch shows the current one)"]);
    expect(s.errors).toBe(3);
  });

  it("answers an unknown command, or a clarinet one the simnet cannot offer, with one line naming ::help", () => {
    const s = session();
    expect(s.feed("::frobnicate 1")).toEqual(["error: unknown command ::frobnicate (::help lists the commands)"]);
    expect(s.feed("::debug (+ 1 2)")).toEqual(["error: ::debug is not available in this console: the simnet has no step debugger (::help lists the commands)"]);
    expect(s.feed("::mint_ft x wallet_1 1")[0]).toMatch(/^error: ::mint_ft is not available in this console: the deployed contracts define no fungible token/);
    expect(s.errors).toBe(3);
  });
});

describe("Ctrl-C (ConsoleSession.interrupt)", () => {
  it("drops an unfinished multi-line expression and keeps the session: state and tx-sender", () => {
    const s = session();
    s.feed("::set_tx_sender wallet_1");
    expect(s.feed(REGISTER)).toEqual(["(ok u1)", expect.any(String), expect.any(String)]);
    expect(s.feed("(contract-call? .neural-training-market")).toEqual([]);
    expect(s.feed("  register-dataset u1000000")).toEqual([]);
    expect(s.pending).toBe(true);
    expect(s.interrupt()).toEqual([]);
    expect(s.pending).toBe(false);
    expect(s.finished).toBe(false);
    // the dropped call never ran; the earlier one did, and wallet_1 is still the sender
    expect(s.feed("(contract-call? .neural-training-market get-last-ids)")).toEqual(["{ bid-id: u0, dataset-id: u1, proposal-id: u0 }"]);
    expect(s.feed("tx-sender")).toEqual([`'${provider}`]);
    expect(s.errors).toBe(0);
  });

  it("drops text typed on the current line without a hint", () => {
    const s = session();
    expect(s.interrupt("(+ 1")).toEqual([]);
    expect(s.finished).toBe(false);
    expect(s.interrupt()).toEqual([INTERRUPT_HINT]);
  });

  it("at an empty prompt prints the hint, and a second Ctrl-C in a row ends the session", () => {
    const s = session();
    expect(s.interrupt()).toEqual(["(press Ctrl-C again or type ::quit to exit)"]);
    expect(s.finished).toBe(false);
    expect(s.interrupt()).toEqual([]);
    expect(s.finished).toBe(true);
    expect(s.feed("(+ 1 2)")).toEqual([]);
  });

  it("needs the two Ctrl-C in a row: any input in between starts over", () => {
    const s = session();
    expect(s.interrupt()).toEqual([INTERRUPT_HINT]);
    expect(s.feed("(+ 1 2)")).toEqual(["3"]);
    expect(s.interrupt()).toEqual([INTERRUPT_HINT]);
    expect(s.feed("")).toEqual([]);
    expect(s.interrupt()).toEqual([INTERRUPT_HINT]);
    expect(s.finished).toBe(false);
  });
});

describe("colour", () => {
  it("is off by default: no escape codes in results, errors, events or hints", () => {
    const s = session();
    const out = [...s.feed(REGISTER), ...s.feed("(+ 1 u2)"), ...s.feed("::nope"), ...s.interrupt(), ...s.feed("::mint_stx wallet_4 1")];
    expect(out.length).toBeGreaterThan(5);
    expect(out.join("\n")).not.toMatch(ESCAPE);
  });

  it("when on: results green, errors and (err ...) red, events and hints grey; the text is unchanged", () => {
    const s = session({ color: true });
    const registered = s.feed(REGISTER);
    expect(registered[0]).toBe("\x1b[32m(ok u1)\x1b[39m");
    expect(registered.slice(1).every((line) => line.startsWith("\x1b[90m  ") && line.endsWith("\x1b[39m"))).toBe(true);
    expect(registered.map(stripColor)).toEqual([
      "(ok u1)",
      "  stx_transfer 1 STX (1,000,000 uSTX) deployer -> .neural-training-market",
      '  print dataset-registered { dataset-id: u1, max-concurrent-jobs: u1, metadata-uri: "ipfs://x", price-per-block: u0, provider: deployer, stake: u1000000 }',
    ]);
    expect(s.feed('(contract-call? .neural-training-market register-dataset u10 "ipfs://x")')).toEqual(["\x1b[31m(err u201) ;; ERR_STAKE_TOO_LOW\x1b[39m"]);
    expect(s.feed("(+ 1 u2)")).toEqual(["\x1b[31merror: expecting expression of type 'int', found 'uint'\x1b[39m"]);
    expect(s.feed("::nope")).toEqual(["\x1b[31merror: unknown command ::nope (::help lists the commands)\x1b[39m"]);
    expect(s.interrupt()).toEqual([`\x1b[90m${INTERRUPT_HINT}\x1b[39m`]);
    expect(s.feed("::set_tx_sender wallet_1")).toEqual([`\x1b[32mtx-sender switched to ${provider} (wallet_1)\x1b[39m`]);
  });

  it("colorEnabled: a terminal without NO_COLOR; a non-empty NO_COLOR always wins; FORCE_COLOR forces it on or off", () => {
    expect(colorEnabled(true, {})).toBe(true);
    expect(colorEnabled(false, {})).toBe(false);
    expect(colorEnabled(undefined, {})).toBe(false);
    expect(colorEnabled(true, { NO_COLOR: "1" })).toBe(false);
    expect(colorEnabled(true, { NO_COLOR: "" })).toBe(true);
    expect(colorEnabled(false, { FORCE_COLOR: "1" })).toBe(true);
    expect(colorEnabled(false, { FORCE_COLOR: "" })).toBe(true);
    expect(colorEnabled(true, { FORCE_COLOR: "0" })).toBe(false);
    expect(colorEnabled(true, { FORCE_COLOR: "false" })).toBe(false);
    expect(colorEnabled(false, { FORCE_COLOR: "1", NO_COLOR: "1" })).toBe(false);
  });
});

describe("formatStx (the console's, the demo's and ntm's STX amounts)", () => {
  it("keeps the sign of a negative amount with a fraction, drops trailing zeros, groups thousands", () => {
    expect(formatStx(-1_500_000n)).toBe("-1.5 STX");
    expect(formatStx(-500_000n)).toBe("-0.5 STX");
    expect(formatStx(12_500_000n)).toBe("12.5 STX");
    expect(formatStx(1_234_567_890_000n)).toBe("1,234,567.89 STX");
    expect(formatStx(0n)).toBe("0 STX");
  });
});

describe("listElements and parseContractCall", () => {
  it("split one list into its top-level elements, keeping strings, lists and tuples whole", () => {
    expect(listElements('(f u1 "a b)" (g (h 2)) { a: u1, b: "}" } ;; note )\n tx-sender)')).toEqual(["f", "u1", '"a b)"', "(g (h 2))", '{ a: u1, b: "}" }', "tx-sender"]);
    expect(listElements("(f)")).toEqual(["f"]);
    expect(listElements("(f) (g)")).toBeUndefined();
    expect(listElements("u1")).toBeUndefined();
    expect(listElements("(f")).toBeUndefined();
    expect(parseContractCall("(contract-call? .c fn u1 (list u2))")).toEqual({ contract: ".c", functionName: "fn", args: ["u1", "(list u2)"] });
    expect(parseContractCall("(+ 1 2)")).toBeUndefined();
    expect(parseContractCall("(contract-call? .c)")).toBeUndefined();
  });
});
