/**
 * Ends the process with `code` once stdout and stderr are flushed: a long transcript or a large
 * --json document written to a pipe is never cut, and no idle handle (a keep-alive socket, the
 * simnet) keeps the process alive.
 */
export function exitWhenFlushed(code: number): void {
  process.exitCode = code;
  process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
}
