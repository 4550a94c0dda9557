/**
 * The CLI's input and output: the streams `main` is given (so tests run it in-process), its two
 * kinds of error (a usage error exits 2 before any work, a failure exits 1), JSON with bigints,
 * a spinner on stderr, and the prompts (a confirmation, a hidden password).
 */

/** A writable text stream (process.stdout or a test's capture). */
export interface TextOut {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** A readable stream (process.stdin or a test's). */
export interface TextIn {
  isTTY?: boolean;
  setRawMode?: (raw: boolean) => unknown;
  on(event: "data", listener: (chunk: Buffer | string) => void): unknown;
  on(event: "end", listener: () => void): unknown;
  removeListener(event: string, listener: (...args: never[]) => void): unknown;
  resume?: () => unknown;
  pause?: () => unknown;
}

export interface CliIo {
  stdout: TextOut;
  stderr: TextOut;
  stdin: TextIn;
  env: Record<string, string | undefined>;
  /** Stops a long-running command (agents, `store serve`) as Ctrl-C does; for callers in-process. */
  signal?: AbortSignal;
}

/** Bad input: exit 2, checked before any work. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** A failure while working (the network, the chain, a refused call): exit 1. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** JSON with bigints as decimal strings. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v instanceof Uint8Array ? Buffer.from(v).toString("hex") : v), 2);
}

/**
 * Progress on stderr: a spinner on a terminal. Elsewhere (a log, a pipe) it stays quiet unless
 * the wait is long: a line once `elapsedMs` passes 5 s, then at most one every 30 s.
 */
export class Progress {
  private frame = 0;
  private shown = false;
  private lastLineAt: number | null = null;
  private static readonly FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

  constructor(private readonly out: TextOut) {}

  update(message: string, elapsedMs = 0): void {
    if (this.out.isTTY) {
      const frame = Progress.FRAMES[this.frame++ % Progress.FRAMES.length];
      this.out.write(`\r\x1b[2K${frame} ${message}`);
      this.shown = true;
    } else if (elapsedMs >= 5_000 && (this.lastLineAt === null || elapsedMs - this.lastLineAt >= 30_000)) {
      this.out.write(`${message}\n`);
      this.lastLineAt = elapsedMs;
    }
  }

  done(): void {
    if (this.shown && this.out.isTTY) this.out.write("\r\x1b[2K");
    this.shown = false;
  }
}

/** Reads one line from `input`; with `hidden`, a terminal does not echo it. */
export function readLine(io: CliIo, prompt: string, hidden = false): Promise<string> {
  io.stderr.write(prompt);
  const input = io.stdin;
  const raw = hidden && input.isTTY && typeof input.setRawMode === "function";
  if (raw) input.setRawMode!(true);
  return new Promise((resolve, reject) => {
    let buffered = "";
    const finish = (line: string | null) => {
      input.removeListener("data", onData as never);
      input.removeListener("end", onEnd as never);
      if (raw) input.setRawMode!(false);
      input.pause?.();
      if (hidden) io.stderr.write("\n");
      if (line === null) reject(new CliError("no input"));
      else resolve(line);
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of chunk.toString()) {
        if (ch === "\u0003") return finish(null); // Ctrl-C at a hidden prompt
        if (ch === "\n" || ch === "\r") return finish(buffered);
        if (ch === "\u007f" || ch === "\b") buffered = buffered.slice(0, -1);
        else buffered += ch;
      }
    };
    const onEnd = () => finish(buffered.length > 0 ? buffered : null);
    input.on("data", onData);
    input.on("end", onEnd);
    input.resume?.();
  });
}
