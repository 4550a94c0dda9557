/**
 * ML benchmark: time to train and to evaluate one verified job (iris, penguins), evaluation
 * throughput, and how both grow with dataset size (penguins rows replicated x1, x4, x16).
 * `npx tsx bench/ml.ts [--epochs N] [--scales 1,4,16]`: prints a markdown table on stdout,
 * progress on stderr.
 *
 * Training: tfjs cpu backend (single-threaded JS), the job spec's MLP (hidden [16]), batch 32.
 * Evaluation: the pinned evaluator end to end (a fresh onnxruntime sandbox process per job,
 * session creation, inference, metric); "inference" counts the runtime's run call only.
 */
import { fileURLToPath } from "node:url";
import { evaluateModel, loadIris, loadPenguins, loadTf, prepareJob, replicateRows, splitDataset, trainModel, type Dataset } from "../src/ml/index.ts";

/** Options of {@link runMlBench}. */
export interface MlBenchOptions {
  /** Training epochs of every job (default 40). */
  epochs?: number;
  /** Replication factors of the penguins scaling rows (default [1, 4, 16]). */
  scales?: number[];
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
}

/** One measured job. */
export interface MlBenchRow {
  job: string;
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

/** The benchmark's rows and its markdown table. */
export interface MlBenchResult {
  rows: MlBenchRow[];
  /** One-off cost of loading tfjs (before the first training; not in the rows). */
  tfLoadMs: number;
  markdown: string;
}

async function measure(job: string, train: Dataset, evaluation: Dataset, epochs: number): Promise<MlBenchRow> {
  const prepared = prepareJob(evaluation, { hidden: [16], epochs, learningRate: 0.01, batchSize: 32, seed: 1, caps: { maxEvalRows: 1_000_000 } });
  const t = await trainModel(prepared.spec, train);
  const r = await evaluateModel(prepared.spec, t.onnx, prepared.evalSet);
  const inferMs = r.inferMs ?? NaN;
  return {
    job,
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

/** Renders rows as a markdown table. */
export function mlBenchTable(rows: MlBenchRow[]): string {
  const head = "| job | train rows | eval rows | epochs | train ms | eval ms (end to end) | session ms | inference ms | inference rows/s | end-to-end rows/s | score | metric |";
  const sep = "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|";
  const body = rows.map(
    (r) =>
      `| ${r.job} | ${r.trainRows} | ${r.evalRows} | ${r.epochs} | ${fmt(r.trainMs)} | ${fmt(r.evalMs)} | ${fmt(r.loadMs, 1)} | ${fmt(r.inferMs, 2)} | ${fmt(r.inferRowsPerSec)} | ${fmt(r.evalRowsPerSec)} | ${r.score} | ${r.metric === null ? "n/a" : r.metric.toFixed(3)} |`,
  );
  return [head, sep, ...body].join("\n");
}

/** Runs the benchmark (see the file's comment). */
export async function runMlBench(opts: MlBenchOptions = {}): Promise<MlBenchResult> {
  const epochs = opts.epochs ?? 40;
  const scales = opts.scales ?? [1, 4, 16];
  const log = opts.log ?? ((line: string) => process.stderr.write(line + "\n"));
  const rows: MlBenchRow[] = [];
  const t0 = performance.now();
  await loadTf();
  const tfLoadMs = performance.now() - t0;
  log(`ml bench: tfjs loaded in ${fmt(tfLoadMs)} ms`);
  const run = async (job: string, train: Dataset, evaluation: Dataset) => {
    log(`ml bench: ${job} (${train.labels.length} training rows, ${evaluation.labels.length} evaluation rows, ${epochs} epochs)...`);
    const row = await measure(job, train, evaluation, epochs);
    log(`  trained in ${fmt(row.trainMs)} ms, evaluated in ${fmt(row.evalMs)} ms, score ${row.score}`);
    rows.push(row);
  };
  const iris = splitDataset(loadIris().data, { evalFraction: 0.3, seed: 7 });
  await run("iris", iris.train, iris.evaluation);
  const penguins = splitDataset(loadPenguins().data, { evalFraction: 0.3, seed: 7 });
  for (const k of scales) await run(`penguins x${k}`, replicateRows(penguins.train, k), replicateRows(penguins.evaluation, k));
  const notes = [
    "",
    `tfjs (cpu backend) loads once in ${fmt(tfLoadMs)} ms, not counted above. Training time grows with rows x epochs;`,
    "evaluation is dominated by its fixed cost (a fresh onnxruntime sandbox process and session per job), so its",
    "end-to-end rate grows with the evaluation set while inference itself stays a few milliseconds.",
  ];
  return { rows, tfLoadMs, markdown: [mlBenchTable(rows), ...notes].join("\n") };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const epochs = arg("--epochs");
  const scales = arg("--scales");
  const { markdown } = await runMlBench({
    ...(epochs ? { epochs: Number(epochs) } : {}),
    ...(scales ? { scales: scales.split(",").map(Number) } : {}),
  });
  console.log(markdown);
}
