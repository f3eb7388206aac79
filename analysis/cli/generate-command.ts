/** `mlshield generate --scenario <family> --seed 1 --out <dir>` and `mlshield generate --benchmark [--scale f]`. */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import type { Command } from './command.js';
import { UsageError } from './command.js';
import { EXIT } from './exit-codes.js';
import { generateIncident, SCENARIOS } from '../generate/scenario.js';
import { writeIncident } from '../generate/write-bundle.js';
import { generateBenchmark } from '../generate/benchmark.js';
import { writeBenchmark } from '../generate/write-benchmark.js';
import { bytesText } from './format.js';

const HELP = `Usage: mlshield generate --scenario <name> --seed <n> --out <dir>
       mlshield generate --benchmark [--scale <f>] --seed <n> --out <dir>

Writes a synthetic incident bundle in real formats (Kubernetes audit JSON lines with gzip
rotation, dcgm-exporter scrapes, application events, a PyTorch checkpoint, manifest.json) to
<dir>/bundle, and the ground truth to <dir>/labels.json — never inside the bundle.

With --benchmark: four split bundles <dir>/{train,validation,test,heldout}/bundle, each with its
own labels.json, and <dir>/benchmark.json (counts per split and family, held-out variants).

Options:
  --scenario <name>   ${SCENARIOS.join(', ')}
  --benchmark         write the benchmark corpus instead of one incident
  --scale <f>         benchmark size factor (default 1: ~2,800 trajectories)
  --seed <n>          PRNG seed (same seed, same bytes)
  --out <dir>         output folder
  --json              print a JSON summary`;

export const generateCommand: Command = {
  name: 'generate',
  summary: 'write a synthetic incident bundle and its ground-truth labels',
  help: HELP,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        scenario: { type: 'string', default: 'weight-exfil' },
        seed: { type: 'string', default: '1' },
        out: { type: 'string' },
        json: { type: 'boolean', default: false },
        benchmark: { type: 'boolean', default: false },
        scale: { type: 'string', default: '1' },
      },
    });
    if (!values.out) throw new UsageError('--out <dir> is required');
    if (values.benchmark) {
      const seed = Number(values.seed);
      if (!Number.isSafeInteger(seed)) throw new UsageError('--seed must be an integer');
      const scale = Number(values.scale);
      if (!(scale > 0 && scale <= 4)) throw new UsageError('--scale must be a number in (0, 4]');
      const outDir = resolve(values.out);
      const bench = generateBenchmark({ seed, scale });
      const written = await writeBenchmark(bench, outDir);
      const t = bench.summary.totals;
      if (values.json) process.stdout.write(JSON.stringify({ out: outDir, files: written.files, bytes: written.bytes, ...t }) + '\n');
      else process.stdout.write(`Wrote the benchmark (${bytesText(written.bytes)}) to ${outDir}: ${t.trajectories} trajectories, ${t.benign} benign, ${t.attacks} attacks; see benchmark.json.\n`);
      return EXIT.OK;
    }
    const scenario = values.scenario as (typeof SCENARIOS)[number];
    if (!SCENARIOS.includes(scenario)) throw new UsageError(`unknown scenario '${values.scenario}' (known: ${SCENARIOS.join(', ')})`);
    const seed = Number(values.seed);
    if (!Number.isSafeInteger(seed)) throw new UsageError('--seed must be an integer');
    const outDir = resolve(values.out);
    const incident = generateIncident({ scenario, seed });
    await writeIncident(incident, outDir);
    const bytes = incident.files.reduce((a, f) => a + f.bytes.length, 0);
    const attacks = incident.labels.trajectories.filter((t) => t.malicious).length;
    if (values.json) {
      process.stdout.write(JSON.stringify({ out: outDir, files: incident.files.length, bytes, trajectories: incident.labels.trajectories.length, attacks }) + '\n');
    } else {
      process.stdout.write(
        `Wrote ${incident.files.length} files (${bytesText(bytes)}) to ${outDir}/bundle and ground truth to ${outDir}/labels.json\n` +
          `${incident.labels.trajectories.length} trajectories, ${attacks} malicious.\n`,
      );
    }
    return EXIT.OK;
  },
};
