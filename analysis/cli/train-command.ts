/** `mlshield train --data <benchmark dir> [--seed n] [--out <dir>]` */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Command } from './command.js';
import { UsageError } from './command.js';
import { EXIT } from './exit-codes.js';
import { loadBenchmark } from '../models/benchmark-dataset.js';
import { trainModels } from '../models/train-models.js';
import { modelsDir, saveModelFiles } from '../models/model-files.js';
import { renderTrainingReport } from '../models/training-report.js';

const HELP = `Usage: mlshield train --data <benchmark dir> [--seed n] [--out <dir>]

Trains Layer 2 of the cascade on a benchmark written by \`mlshield generate --benchmark\`: the LSTM
over trajectory event windows and the Isolation Forest over GPU telemetry windows, both in
TypeScript and deterministic for a seed, exported to ONNX and checked against the TypeScript
forward pass. Writes event-lstm.onnx, gpu-iforest.onnx and training-report.json (data hash, seed,
features, validation/test/held-out metrics, the score bands the cascade applies).

Options:
  --data <dir>   the benchmark folder (train/, validation/, test/, heldout/)
  --seed <n>     training seed (default 1)
  --out <dir>    where to write the models (default: the package's analysis/models)`;

export const trainCommand: Command = {
  name: 'train',
  summary: 'train the Layer-2 models on a generated benchmark and export them to ONNX',
  help: HELP,
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { data: { type: 'string' }, seed: { type: 'string', default: '1' }, out: { type: 'string' } } });
    if (!values.data) throw new UsageError('--data <benchmark dir> is required');
    const seed = Number(values.seed);
    if (!Number.isSafeInteger(seed)) throw new UsageError('--seed must be an integer');
    const out = values.out ? resolve(values.out) : modelsDir();
    if (!out) throw new UsageError('--out <dir> is required outside the MLShield package');
    const log = (s: string): void => void process.stderr.write(s + '\n');
    const data = await loadBenchmark(resolve(values.data), log);
    log(`training on ${data.train.length} train / ${data.validation.length} validation / ${data.test.length} test trajectories` +
      (data.heldOut ? ` / ${data.heldOut.length} held-out` : ''));
    const trained = await trainModels(data, seed, { log });
    const paths = saveModelFiles(out, { lstmOnnx: trained.lstmOnnx, iforestOnnx: trained.iforestOnnx, reportJson: renderTrainingReport(trained.report) });
    const r = trained.report;
    const f = (x: number | null | undefined): string => (x === null || x === undefined ? '—' : x.toFixed(4));
    process.stdout.write(
      `Wrote ${paths.lstm}, ${paths.iforest}, ${paths.report}\n` +
        `LSTM AUC: validation ${f(r.lstm.metrics.validation.auc)}, test ${f(r.lstm.metrics.test.auc)}, held-out ${f(r.lstm.metrics.heldOut?.auc)}; ` +
        `bands clear < ${f(r.lstm.bands.clearBelow)}, alert ≥ ${f(r.lstm.bands.alertAtOrAbove)}\n` +
        `Isolation Forest AUC: validation ${f(r.iforest.metrics.validation.auc)}, test ${f(r.iforest.metrics.test.auc)}; parity LSTM ${r.lstm.parity.maxAbsDiff.toExponential(2)}, forest ${r.iforest.parity.maxAbsDiff.toExponential(2)}\n` +
        `Seconds: features ${trained.seconds.features.toFixed(1)}, LSTM ${trained.seconds.lstm.toFixed(1)}, forest ${trained.seconds.iforest.toFixed(1)}, evaluation ${trained.seconds.evaluation.toFixed(1)}\n`,
    );
    return EXIT.OK;
  },
};
