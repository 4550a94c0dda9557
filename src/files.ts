/**
 * Creating a folder in a way that cannot hang. Node's `mkdir(path, { recursive: true })` loops
 * forever under a pseudo-filesystem such as /proc (each level answers ENOENT, so it keeps
 * retrying the parent), which turned a mistyped `--out /proc/…` into a command that never
 * returned. Here the missing levels are found first and created one by one, so every bad path
 * fails at once with the system's error code.
 */
import { mkdirSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";

function errorCode(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException).code;
}

/** Creates `dir` and any missing parent folders (each with `mode` if given); a no-op if it exists. */
export function makeFolder(dir: string, mode?: number): void {
  const missing: string[] = [];
  for (let current = resolve(dir); ; ) {
    try {
      if (!statSync(current).isDirectory()) throw Object.assign(new Error(`not a folder: ${current}`), { code: "ENOTDIR" });
      break;
    } catch (e) {
      const parent = dirname(current);
      if (errorCode(e) !== "ENOENT" || parent === current) throw e;
      missing.push(current);
      current = parent;
    }
  }
  for (const folder of missing.reverse()) {
    try {
      mkdirSync(folder, mode === undefined ? undefined : { mode });
    } catch (e) {
      // EEXIST: another process made it at the same moment (fine if it is a folder), or it is a
      // dangling symbolic link, which statSync reported as missing (then stat fails here too)
      if (errorCode(e) !== "EEXIST") throw e;
      if (!statSync(folder).isDirectory()) throw Object.assign(new Error(`not a folder: ${folder}`), { code: "ENOTDIR" });
    }
  }
}
