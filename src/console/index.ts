/**
 * `npm run console`: a REPL over the simnet with the contract deployed, like `clarinet console`.
 *
 *   npm run console                                  interactive (readline)
 *   npm run console -- examples/readme-usage.clar    runs a script, prints the transcript
 *   cat script.clar | npm run console                reads stdin when it is not a terminal
 *
 * A script run exits with status 1 if an expression raised an error (not a Clarity `(err ...)`).
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { loadSimnet, PROJECT_ROOT } from "../simnet.ts";
import { ConsoleSession, HELP, runConsole } from "./session.ts";

function scriptPath(arg: string): string {
  // npm runs scripts from the project root; INIT_CWD is where `npm run` was typed
  const candidates = [resolve(process.env.INIT_CWD ?? process.cwd(), arg), resolve(process.cwd(), arg), resolve(PROJECT_ROOT, arg)];
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new Error(`console: no such file: ${arg}`);
  return found;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function runScript(session: ConsoleSession, text: string): number {
  for (const line of [...session.banner(), "", ...runConsole(session, text.split(/\r?\n/))]) console.log(line);
  return session.errors > 0 ? 1 : 0;
}

function interactive(session: ConsoleSession): Promise<void> {
  for (const line of session.banner()) console.log(line);
  const rl = createInterface({ input: process.stdin, output: process.stdout, prompt: ">> " });
  rl.prompt();
  return new Promise((done) => {
    rl.on("line", (line) => {
      for (const out of session.feed(line)) console.log(out);
      if (session.finished) {
        rl.close();
        return;
      }
      rl.setPrompt(session.pending ? ".. " : ">> ");
      rl.prompt();
    });
    rl.on("close", () => done());
  });
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes("--help") || args.includes("-h")) {
    console.log("usage: npm run console [-- <script.clar>]   (reads stdin when piped)");
    for (const line of HELP) console.log(line);
    return 0;
  }
  const session = new ConsoleSession(await loadSimnet());
  if (args[0]) return runScript(session, readFileSync(scriptPath(args[0]), "utf8"));
  if (!process.stdin.isTTY) return runScript(session, await readStdin());
  await interactive(session);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
