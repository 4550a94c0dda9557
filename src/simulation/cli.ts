/**
 * `npm run simulate`: runs the agent-based simulation on a fresh simnet and prints the summary;
 * with --write (into the tracked reports/) or --out <dir>, also writes simulation.json and
 * simulation.svg. Every option, the output folder included, is checked before any work.
 */
import { accessSync, constants } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { Presets, SingleBar } from "cli-progress";
import { PROJECT_ROOT } from "../simnet.ts";
import { renderChartSvg } from "./chart.ts";
import { formatReport } from "./format.ts";
import { DEFAULT_OPTIONS, runSimulation, validateSimulationOptions, type SimulationOptions } from "./simulation.ts";
import { REAL_DEFAULTS, formatRealReport, runRealSimulation, type RealSimulationOptions } from "./real.ts";
import { makeFolder } from "../files.ts";

export const USAGE = `Usage: npm run simulate -- [options]

  --rounds <n>            trading rounds (default ${DEFAULT_OPTIONS.rounds})
  --providers <n>         provider agents, dealt good / mediocre / junk (default ${DEFAULT_OPTIONS.providers})
  --validators <n>        validator agents: a colluding pair from 6, a sixth lazy, the rest honest (default ${DEFAULT_OPTIONS.validators})
  --developers <n>        developer agents (default ${DEFAULT_OPTIONS.developers})
  --seed <n>              PRNG seed, 0..4294967295 (default ${DEFAULT_OPTIONS.seed})
  --blocks-per-round <n>  Bitcoin blocks per round (default ${DEFAULT_OPTIONS.blocksPerRound})
  --write                 also write simulation.json and simulation.svg into reports/ (the README's chart)
  --out <dir>             also write them into <dir> instead
  --real                  real models: every job is trained (TensorFlow.js) and evaluated (onnxruntime)
                          by the agents; takes --rounds (default ${REAL_DEFAULTS.rounds}, at most 20) and --seed only,
                          and with --write or --out writes real-simulation.json
  --progress              show the progress bar even when stderr is not a terminal
  --no-progress           never show the progress bar
  -h, --help              this help`;

export interface CliOptions {
  simulation: SimulationOptions;
  /** Where the report files go: --out, reports/ with --write, null (print only) otherwise. */
  outDir: string | null;
  progress: boolean | undefined;
  help: boolean;
  /** `--real`: the real-model simulation's options (null without the flag). */
  real: RealSimulationOptions | null;
}

function integer(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new Error(`--${name} expects a non-negative integer, got "${raw}"`);
  return Number(raw);
}

/** Parses the command line; throws a one-line error on unknown flags, bad numbers or an unwritable --out. */
export function parseCliArgs(argv: string[]): CliOptions {
  try {
    return parseCliArgsStrict(argv);
  } catch (e) {
    // node's parser explains a negative number over three lines: say it in one
    const message = (e as Error).message;
    const ambiguous = /Option '(--[\w-]+)' argument is ambiguous/.exec(message);
    throw new Error(ambiguous ? `${ambiguous[1]} expects a non-negative integer` : message.split("\n")[0]);
  }
}

function parseCliArgsStrict(argv: string[]): CliOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      rounds: { type: "string" },
      providers: { type: "string" },
      validators: { type: "string" },
      developers: { type: "string" },
      seed: { type: "string" },
      "blocks-per-round": { type: "string" },
      out: { type: "string" },
      write: { type: "boolean" },
      progress: { type: "boolean" },
      "no-progress": { type: "boolean" },
      help: { type: "boolean", short: "h" },
      real: { type: "boolean" },
    },
  });
  if (values.real) {
    const ignored = (["providers", "validators", "developers", "blocks-per-round"] as const).find((k) => values[k] !== undefined);
    if (ignored) throw new Error(`--${ignored} does not apply to --real (its cast is fixed: four providers, two developers, five validators)`);
    const rounds = integer("rounds", values.rounds, REAL_DEFAULTS.rounds);
    if (rounds < 1 || rounds > 20) throw new Error(`--rounds with --real must be 1..20, got ${rounds}`);
  }
  if (values.write && values.out !== undefined) throw new Error("--write writes into reports/, --out into another folder: give one of them");
  const outDir = values.out !== undefined ? resolve(values.out) : values.write ? join(PROJECT_ROOT, "reports") : null;
  if (outDir !== null) checkWritableFolder(outDir);
  const simulation: SimulationOptions = {
    rounds: integer("rounds", values.rounds, DEFAULT_OPTIONS.rounds),
    providers: integer("providers", values.providers, DEFAULT_OPTIONS.providers),
    validators: integer("validators", values.validators, DEFAULT_OPTIONS.validators),
    developers: integer("developers", values.developers, DEFAULT_OPTIONS.developers),
    seed: integer("seed", values.seed, DEFAULT_OPTIONS.seed),
    blocksPerRound: integer("blocks-per-round", values["blocks-per-round"], DEFAULT_OPTIONS.blocksPerRound),
  };
  if (!values.real) validateSimulationOptions(simulation);
  return {
    simulation,
    outDir,
    progress: values["no-progress"] ? false : values.progress ? true : undefined,
    help: values.help ?? false,
    real: values.real ? { rounds: integer("rounds", values.rounds, REAL_DEFAULTS.rounds), seed: integer("seed", values.seed, REAL_DEFAULTS.seed) } : null,
  };
}

/**
 * Creates `dir` if needed and checks that it is a folder this process can write, so a bad --out
 * fails in one line before the simulation runs, not after it.
 */
function checkWritableFolder(dir: string): void {
  try {
    makeFolder(dir);
    accessSync(dir, constants.W_OK);
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new Error(`--out ${dir}: cannot write there (${reason})`);
  }
}

export async function main(argv: string[]): Promise<number> {
  let cli: CliOptions;
  try {
    cli = parseCliArgs(argv);
  } catch (e) {
    process.stderr.write(`simulate: ${(e as Error).message}; see npm run simulate -- --help\n`);
    return 2;
  }
  if (cli.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (cli.real) return runReal(cli.real, cli.outDir);
  const showProgress = cli.progress ?? process.stderr.isTTY === true;
  const bar = showProgress
    ? new SingleBar(
        {
          stream: process.stderr,
          noTTYOutput: true,
          hideCursor: true,
          format: "simulating [{bar}] {value}/{total} rounds | {phase} | burn height {height} | open jobs {open}",
        },
        Presets.shades_classic,
      )
    : null;
  bar?.start(cli.simulation.rounds, 0, { phase: "loading simnet", height: "-", open: 0 });
  let report;
  try {
    report = await runSimulation(cli.simulation, (p) => {
      const phase = p.phase === "trading" ? "trading" : `settling (+${p.round - p.rounds})`;
      bar?.update(Math.min(p.round, p.rounds), { phase, height: p.burnHeight, open: p.openJobs });
    });
  } catch (e) {
    bar?.stop();
    process.stderr.write(`simulation failed: ${(e as Error).message}\n`);
    return 1;
  }
  bar?.stop();

  process.stdout.write(`${formatReport(report)}\n`);
  if (cli.outDir !== null) {
    makeFolder(cli.outDir);
    const jsonPath = join(cli.outDir, "simulation.json");
    const svgPath = join(cli.outDir, "simulation.svg");
    await writeFile(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(svgPath, `${await renderChartSvg(report)}\n`);
    const shown = (p: string) => relative(process.cwd(), p) || p;
    process.stdout.write(`\nWrote ${shown(jsonPath)} and ${shown(svgPath)}\n`);
  }
  return report.market.solvent ? 0 : 1;
}

async function runReal(options: RealSimulationOptions, outDir: string | null): Promise<number> {
  let report;
  try {
    report = await runRealSimulation(options, (line) => process.stderr.write(`${line}\n`));
  } catch (e) {
    process.stderr.write(`simulation failed: ${(e as Error).message}\n`);
    return 1;
  }
  process.stdout.write(`${formatRealReport(report)}\n`);
  if (outDir) {
    makeFolder(outDir);
    const path = join(outDir, "real-simulation.json");
    await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`\nWrote ${relative(process.cwd(), path) || path}\n`);
  }
  return report.solvent ? 0 : 1;
}
