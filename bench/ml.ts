/**
 * ML benchmark: time to train and to evaluate one verified job (iris, penguins), evaluation
 * throughput, and how both grow with dataset size (penguins rows replicated x1, x4, x16).
 * `npx tsx bench/ml.ts [--epochs N] [--scales 1,4,16]`: prints markdown on stdout, progress on
 * stderr. `npm run bench` runs it too, as the last section of bench/results.md (`--no-ml` skips it).
 *
 * Training: tfjs cpu backend (single-threaded JS), the job spec's MLP (hidden [16]), batch 32.
 * Evaluation: the pinned evaluator end to end (a fresh onnxruntime sandbox process per job,
 * session creation, inference, metric); "inference" counts the runtime's run call only.
 *
 * The ML layer (tfjs, onnxruntime) is imported only when the benchmark runs, so importing this
 * module for its option parsing (bench/index.ts) costs nothing.
 */
import { fileURLToPath } from "node:url";
import type { Dataset } from "../src/ml/index.ts";

/** Options of {@link runMlBench}. */
export interface MlBenchOptions {
  /** Training epochs of every job (default 40). */
  epochs?: number;
  /** Replication factors of the penguins scaling rows (default [1, 4, 16]). */
  scales?: number[];
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
}

export const DEFAULT_ML_EPOCHS = 40;
export const DEFAULT_ML_SCALES = [1, 4, 16];

/** One measured job. */
export interface MlBenchRow {
  job: string;
  /** Replication factor of the penguins rows (null for iris). */
  scale: number | null;
  trainRows: number;
  evalRows: number;
  epochs: number;
  trainMs: number;
  /** End-to-end evaluation: sandbox start, session creation, inference, metric. */
  evalMs: number;
  loadMs: number;
  inferMs: number;
  /** Evaluation rows per second of inference alone. */
  inferRowsPerSec: number;
  /** Evaluation rows per second end to end. */
  evalRowsPerSec: number;
  score: number;
  metric: number | null;
}

/** The benchmark's rows and its markdown. */
export interface MlBenchResult {
  rows: MlBenchRow[];
  /** One-off cost of loading tfjs (before the first training; not in the rows). */
  tfLoadMs: number;
  /** Wall-clock time of the whole benchmark, tfjs load included. */
  totalMs: number;
  /** The jobs table, the growth table and notes. */
  markdown: string;
}

/** A command-line mistake: reported as one line, before any work. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** A positive integer flag value (`--epochs 40`). */
export function parsePositiveInt(flag: string, value: string | undefined, max = 100_000): number {
  if (value === undefined || value.startsWith("--")) throw new UsageError(`${flag} needs a value`);
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1 || n > max) throw new UsageError(`${flag} must be an integer from 1 to ${max}, got "${value}"`);
  return n;
}

/** A list of distinct positive integers in increasing order (`--scales 1,4,16`). */
export function parseScaleList(flag: string, value: string | undefined, max = 1_000): number[] {
  if (value === undefined || value.startsWith("--")) throw new UsageError(`${flag} needs a comma-separated list, e.g. 1,4,16`);
  const parts = value.split(",");
  const scales = parts.map((p) => parsePositiveInt(flag, p.trim(), max));
  if (scales.some((s, i) => i > 0 && s <= scales[i - 1])) throw new UsageError(`${flag} must be increasing, got "${value}"`);
  return scales;
}

async function measure(job: string, scale: number | null, train: Dataset, evaluation: Dataset, epochs: number): Promise<MlBenchRow> {
  const { evaluateModel, prepareJob, trainModel } = await import("../src/ml/index.ts");
  const prepared = prepareJob(evaluation, { hidden: [16], epochs, learningRate: 0.01, batchSize: 32, seed: 1, caps: { maxEvalRows: 1_000_000 } });
  const t = await trainModel(prepared.spec, train);
  const r = await evaluateModel(prepared.spec, t.onnx, prepared.evalSet);
  const inferMs = r.inferMs ?? NaN;
  return {
    job,
    scale,
    trainRows: train.labels.length,
    evalRows: r.rows,
    epochs,
    trainMs: t.ms,
    evalMs: r.ms,
    loadMs: r.loadMs ?? NaN,
    inferMs,
    inferRowsPerSec: r.rows / (inferMs / 1000),
    evalRowsPerSec: r.rows / (r.ms / 1000),
    score: r.score,
    metric: r.metric,
  };
}

const fmt = (x: number, digits = 0) => (Number.isFinite(x) ? x.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }) : "n/a");
const times = (x: number) => (Number.isFinite(x) ? `×${x.toFixed(x >= 10 ? 1 : 2)}` : "n/a");

/** Renders rows as a markdown table. */
export function mlBenchTable(rows: MlBenchRow[]): string {
  const head =
    "| job | train rows | eval rows | epochs | train ms | eval ms (end to end) | train + eval ms | session ms | inference ms | inference rows/s | end-to-end rows/s | score | metric |";
  const sep = "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|";
  const body = rows.map(
    (r) =>
      `| ${r.job} | ${fmt(r.trainRows)} | ${fmt(r.evalRows)} | ${r.epochs} | ${fmt(r.trainMs)} | ${fmt(r.evalMs)} | ${fmt(r.trainMs + r.evalMs)} | ${fmt(r.loadMs, 1)} | ${fmt(r.inferMs, 2)} | ${fmt(r.inferRowsPerSec)} | ${fmt(r.evalRowsPerSec)} | ${r.score} | ${r.metric === null ? "n/a" : r.metric.toFixed(3)} |`,
  );
  return [head, sep, ...body].join("\n");
}

/** Growth with dataset size: the penguins rows against the smallest replication. */
export function mlGrowthTable(rows: MlBenchRow[]): string {
  const scaled = rows.filter((r) => r.scale !== null);
  if (scaled.length < 2) return "";
  const base = scaled[0];
  const head = "| job | rows (train / eval) | rows × | train ms (×) | train µs per row-epoch | eval ms end to end (×) | inference ms (×) |";
  const sep = "|---|---:|---:|---:|---:|---:|---:|";
  const body = scaled.map((r) => {
    const perRowEpoch = (r.trainMs * 1000) / (r.trainRows * r.epochs);
    return (
      `| ${r.job} | ${fmt(r.trainRows)} / ${fmt(r.evalRows)} | ${times(r.trainRows / base.trainRows)} | ${fmt(r.trainMs)} (${times(r.trainMs / base.trainMs)}) | ` +
      `${fmt(perRowEpoch, 1)} | ${fmt(r.evalMs)} (${times(r.evalMs / base.evalMs)}) | ${fmt(r.inferMs, 2)} (${times(r.inferMs / base.inferMs)}) |`
    );
  });
  return [head, sep, ...body].join("\n");
}

/** Runs the benchmark (see the file's comment). */
export async function runMlBench(opts: MlBenchOptions = {}): Promise<MlBenchResult> {
  const epochs = opts.epochs ?? DEFAULT_ML_EPOCHS;
  const scales = opts.scales ?? DEFAULT_ML_SCALES;
  const log = opts.log ?? ((line: string) => process.stderr.write(line + "\n"));
  const rows: MlBenchRow[] = [];
  const t0 = performance.now();
  const { loadIris, loadPenguins, loadTf, replicateRows, splitDataset } = await import("../src/ml/index.ts");
  await loadTf();
  const tfLoadMs = performance.now() - t0;
  log(`ml bench: tfjs loaded in ${fmt(tfLoadMs)} ms`);
  const run = async (job: string, scale: number | null, train: Dataset, evaluation: Dataset) => {
    log(`ml bench: ${job} (${train.labels.length} training rows, ${evaluation.labels.length} evaluation rows, ${epochs} epochs) ...`);
    const row = await measure(job, scale, train, evaluation, epochs);
    log(`ml bench:   trained in ${fmt(row.trainMs)} ms, evaluated in ${fmt(row.evalMs)} ms, score ${row.score}`);
    rows.push(row);
  };
  const iris = splitDataset(loadIris().data, { evalFraction: 0.3, seed: 7 });
  await run("iris", null, iris.train, iris.evaluation);
  const penguins = splitDataset(loadPenguins().data, { evalFraction: 0.3, seed: 7 });
  for (const k of scales) await run(`penguins x${k}`, k, replicateRows(penguins.train, k), replicateRows(penguins.evaluation, k));
  const totalMs = performance.now() - t0;
  const growth = mlGrowthTable(rows);
  const notes = [
    `tfjs (cpu backend) loads once in ${fmt(tfLoadMs)} ms, not counted above. Training time follows rows × epochs; ` +
      "the µs per row-epoch column is the cost of one row through one epoch, and a fixed per-epoch overhead makes it " +
      "fall as the data grows. Evaluation is dominated by its fixed cost (a fresh onnxruntime sandbox process and " +
      "session per job, hundreds of milliseconds), so its end-to-end rate grows almost in proportion to the evaluation " +
      "set; inference itself takes milliseconds. One run per job: wall-clock times move with the machine's load.",
  ];
  return {
    rows,
    tfLoadMs,
    totalMs,
    markdown: [mlBenchTable(rows), ...(growth ? ["", "Growth with dataset size (against the smallest penguins run):", "", growth] : []), "", ...notes].join("\n"),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const opts: MlBenchOptions = {};
  try {
    const argv = process.argv.slice(2);
    for (let i = 0; i < argv.length; i++) {
      if (argv[i] === "--epochs") opts.epochs = parsePositiveInt("--epochs", argv[++i]);
      else if (argv[i] === "--scales") opts.scales = parseScaleList("--scales", argv[++i]);
      else if (argv[i] === "--help" || argv[i] === "-h") {
        process.stdout.write("usage: npx tsx bench/ml.ts [--epochs N] [--scales 1,4,16]\n");
        process.exit(0);
      } else throw new UsageError(`unknown argument "${argv[i]}" (use --epochs N, --scales 1,4,16)`);
    }
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`bench/ml.ts: ${e.message}\n`);
    process.exit(2);
  }
  const { markdown } = await runMlBench(opts);
  process.stdout.write(markdown + "\n");
}
