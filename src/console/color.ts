/**
 * Terminal colour for the console: results green, errors red, events and hints grey.
 * Colour is used only when the output is a terminal and the user has not opted out
 * (https://no-color.org), so piped transcripts and test output stay plain text.
 */

/** Wraps text in one colour; the identity when colour is off. */
export type Paint = (text: string) => string;

export interface Palette {
  /** Values an expression returned (`(ok u1)`, `3`) and successful command replies. */
  result: Paint;
  /** `error:` lines, usage lines and `(err ...)` results. */
  error: Paint;
  /** Event lines and hints: secondary output the eye may skip. */
  dim: Paint;
}

const ESC = "\x1b[";

function sgr(open: number, close: number): Paint {
  return (text) => (text === "" ? text : `${ESC}${open}m${text}${ESC}${close}m`);
}

const plain: Paint = (text) => text;

/** The console's palette: ANSI colours when `enabled`, plain text otherwise. */
export function palette(enabled: boolean): Palette {
  if (!enabled) return { result: plain, error: plain, dim: plain };
  return { result: sgr(32, 39), error: sgr(31, 39), dim: sgr(90, 39) };
}

/**
 * Whether to colour output written to a stream with this `isTTY`, given the environment:
 * a non-empty `NO_COLOR` always disables colour (no-color.org); `FORCE_COLOR` enables it
 * off a terminal (`FORCE_COLOR=0` or `false` disables it on one); otherwise colour iff a terminal.
 */
export function colorEnabled(isTTY: boolean | undefined, env: Readonly<Record<string, string | undefined>>): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== "0" && force.toLowerCase() !== "false";
  return isTTY === true;
}

/** `text` without ANSI colour codes (for measuring and comparing coloured lines). */
export function stripColor(text: string): string {
  return text.replace(/\x1b\[[0-9;]*m/g, "");
}
