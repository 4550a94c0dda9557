import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { ConsoleSession, isComplete, resolveShorthand, runConsole } from "../src/console/session.ts";
import { bidder, contractId, deployer, expectSolvent, getDataset, provider, stx, validator1 } from "./helpers.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const EXAMPLE = "examples/readme-usage.clar";
const exampleLines = () => readFileSync(`${ROOT}${EXAMPLE}`, "utf8").split("\n");

/** A console over vitest's global simnet (fresh for each test). */
function session() {
  return new ConsoleSession({ simnet, accounts: simnet.getAccounts(), deployer, contractId });
}

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

  it("runs through the real CLI (tsx, file argument and piped stdin) with the same results", () => {
    const tsx = `${ROOT}node_modules/.bin/tsx`;
    const fromFile = spawnSync(tsx, ["src/console/index.ts", EXAMPLE], { cwd: ROOT, encoding: "utf8" });
    expect(fromFile.status).toBe(0);
    const fileTranscript = fromFile.stdout.split("\n");
    expect(callResults(fileTranscript)).toEqual(["(ok true)", "(ok u1)", "(ok u1)", "(ok true)", "(ok u25000)"]);
    expect(fileTranscript[0]).toContain("neural-training-market console");
    // the simnet's own echo of print events is silenced: each event appears once, compactly
    expect(fromFile.stdout).not.toContain("(neural-training-market:");

    const piped = spawnSync(tsx, ["src/console/index.ts"], {
      cwd: ROOT,
      encoding: "utf8",
      input: '(contract-call? .neural-training-market register-dataset u1000000 "ipfs://x")\n(+ 1 u1)\n',
    });
    expect(piped.status).toBe(1); // an expression raised an error
    const pipedTranscript = piped.stdout.split("\n");
    expect(callResults(pipedTranscript)).toEqual(["(ok u1)"]);
    expect(replies(pipedTranscript, (line) => line === ">> (+ 1 u1)")).toEqual(["error: expecting expression of type 'int', found 'uint'"]);
  }, 180_000);
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
    expect(runConsole(session(), ["(+ 1", "2"])).toEqual([">> (+ 1", ".. 2", "error: incomplete expression (missing closing brackets)"]);
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

describe("commands", () => {
  it("::set_tx_sender takes an account name, an address or a quoted principal, and rejects unknown names", () => {
    const s = session();
    expect(s.feed("::set_tx_sender wallet_2")).toEqual([`tx-sender switched to ${bidder} (wallet_2)`]);
    expect(s.txSender).toBe(bidder);
    expect(s.feed(`::set_tx_sender '${provider}`)).toEqual([`tx-sender switched to ${provider} (wallet_1)`]);
    expect(s.feed("(print tx-sender)")[0]).toBe(`'${provider}`);
    expect(s.feed("::set_tx_sender nobody")[0]).toMatch(/^error: .*nobody/);
    expect(s.txSender).toBe(provider);
    expect(s.feed("::set_tx_sender")).toEqual(["usage: ::set_tx_sender <principal|account name>"]);
  });

  it("::advance_chain_tip <n> advances burn-block-height (the contract's clock) by n", () => {
    const s = session();
    const start = simnet.burnBlockHeight;
    const out = s.feed("::advance_chain_tip 10");
    expect(simnet.burnBlockHeight).toBe(start + 10);
    expect(out).toContain(`new burn height: ${start + 10}`);
    expect(s.feed("(contract-call? .neural-training-market get-last-ids)")).toEqual(["{ bid-id: u0, dataset-id: u0, proposal-id: u0 }"]);
    expect(s.feed("::advance_chain_tip x")).toEqual(["usage: ::advance_chain_tip <number of blocks>"]);
  });

  it("::help lists the commands; ::quit ends the script", () => {
    const s = session();
    const help = s.feed("::help").join("\n");
    for (const command of ["::set_tx_sender", "::advance_chain_tip", "::get_assets_maps", "::help", "::quit"]) expect(help).toContain(command);
    const transcript = runConsole(s, ["::quit", '(contract-call? .neural-training-market register-dataset u1000000 "ipfs://x")']);
    expect(transcript).toEqual([">> ::quit", "bye"]);
    expect(s.finished).toBe(true);
    expect(stx(contractId)).toBe(0n);
  });

  it("passes other clarinet commands to the simnet", () => {
    const s = session();
    expect(s.feed("::get_block_height")).toEqual([`Current height: ${simnet.blockHeight}`]);
  });
});
