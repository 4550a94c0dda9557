/**
 * `npm run console`: a REPL over the simnet with the contract deployed, like `clarinet console`.
 *
 *   npm run console                                  interactive (readline)
 *   npm run console -- examples/readme-usage.clar    runs a script, prints the transcript
 *   cat script.clar | npm run console                reads stdin when it is not a terminal
 *
 * A script run exits with status 1 if an input failed: an expression raised an error (not a
 * Clarity `(err ...)`) or a command was rejected; the transcript on stdout is then followed by
 * one summary line on stderr. Bad arguments (checked before the simnet loads): one line on
 * stderr, exit status 2. Interactively, Ctrl-C drops an unfinished
 * expression (the session stays), and at an empty prompt a second Ctrl-C leaves. Output is
 * coloured on a terminal unless NO_COLOR is set (FORCE_COLOR forces it).
 */
import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { createInterface, type Interface } from "node:readline";
import { loadSimnet, PROJECT_ROOT } from "../simnet.ts";
import { colorEnabled } from "./color.ts";
import { ConsoleSession, HELP, runConsole } from "./session.ts";
import { exitWhenFlushed } from "../exit.ts";

const USAGE = "usage: npm run console [-- <script.clar>]   (reads stdin when piped)";

/** Bad command-line arguments: reported as one line on stderr, exit status 2. */
class UsageError extends Error {}

/** What the command line asks for. */
type Invocation = { kind: "help" } | { kind: "script"; text: string } | { kind: "stdin" };

/** The script file an argument names: from where `npm run` was typed, the cwd, or the project root. */
function scriptPath(arg: string): string {
  // npm runs scripts from the project root; INIT_CWD is where `npm run` was typed
  const candidates = [resolve(process.env.INIT_CWD ?? process.cwd(), arg), resolve(process.cwd(), arg), resolve(PROJECT_ROOT, arg)];
  for (const path of candidates) {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat?.isDirectory()) throw new UsageError(`console: ${arg} is a folder, not a script file`);
    if (stat) return path;
  }
  throw new UsageError(`console: no such file: ${arg}`);
}

/** Checks the arguments and reads the script, before anything slow happens (the simnet takes seconds to load). */
function parseArgs(args: string[]): Invocation {
  if (args.includes("--help") || args.includes("-h")) return { kind: "help" };
  const option = args.find((arg) => arg.startsWith("-"));
  if (option !== undefined) throw new UsageError(`console: unknown option ${option}; see npm run console -- --help`);
  if (args.length > 1) throw new UsageError(`console: expected at most one script, got ${args.length} arguments (${args.join(" ")}); see npm run console -- --help`);
  if (args.length === 0) return { kind: "stdin" };
  const path = scriptPath(args[0]);
  try {
    return { kind: "script", text: readFileSync(path, "utf8") };
  } catch (error) {
    throw new UsageError(`console: cannot read ${args[0]}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Prints the transcript; when inputs failed, one summary line on stderr and status 1. */
function runScript(session: ConsoleSession, text: string): number {
  for (const line of [...session.banner(), "", ...runConsole(session, text.split(/\r?\n/))]) console.log(line);
  if (session.errors === 0) return 0;
  const count = session.errors === 1 ? "1 input" : `${session.errors} inputs`;
  console.error(`console: ${count} failed (first at line ${session.firstErrorLine})`);
  return 1;
}

/**
 * Ends the current input line and empties readline's buffer, keeping the interrupted text on
 * screen, as Node's REPL does on Ctrl-C (its `clearLine`, on Node's readline since Node 20 but
 * not in its typings).
 */
function clearInput(rl: Interface): void {
  (rl as Interface & { clearLine: () => void }).clearLine();
}

function interactive(session: ConsoleSession): Promise<void> {
  for (const line of session.banner()) console.log(line);
  const rl = createInterface({ input: process.stdin, output: process.stdout, prompt: ">> " });
  const prompt = () => {
    rl.setPrompt(session.pending ? ".. " : ">> ");
    rl.prompt();
  };
  rl.prompt();
  return new Promise((done) => {
    rl.on("line", (line) => {
      for (const out of session.feed(line)) console.log(out);
      if (session.finished) {
        rl.close();
        return;
      }
      prompt();
    });
    // With a SIGINT listener readline neither pauses nor kills the process: Ctrl-C is an input
    // the session handles (drop the unfinished expression, or leave on the second one).
    rl.on("SIGINT", () => {
      const out = session.interrupt(rl.line);
      if (session.finished) {
        process.stdout.write("\n");
        rl.close();
        return;
      }
      clearInput(rl);
      for (const line of out) console.log(line);
      prompt();
    });
    rl.on("close", () => done());
  });
}

async function main(): Promise<number> {
  let invocation: Invocation;
  try {
    invocation = parseArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(error.message);
    return 2;
  }
  if (invocation.kind === "help") {
    console.log(USAGE);
    for (const line of HELP) console.log(line);
    return 0;
  }
  const piped = invocation.kind === "stdin" && !process.stdin.isTTY ? await readStdin() : undefined;
  // cost tracking makes call results carry their execution cost (::get_costs, ::toggle_costs)
  const session = new ConsoleSession(await loadSimnet({ trackCosts: true }), { color: colorEnabled(process.stdout.isTTY, process.env) });
  if (invocation.kind === "script") return runScript(session, invocation.text);
  if (piped !== undefined) return runScript(session, piped);
  await interactive(session);
  return 0;
}

main().then(exitWhenFlushed, (error: unknown) => {
  console.error(`console: ${error instanceof Error ? error.message : String(error)}`);
  exitWhenFlushed(1);
});
