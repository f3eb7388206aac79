/** Entry of `npm run bench -- <ingest|…>` (bundled to dist/cli/bench.js). */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { floorChild, ingestChild, runIngestBench } from './ingest-bench.js';
import { runTriageBench, sha256Child, triageChild } from './triage-bench.js';
import { runCascadeBench } from './cascade-bench.js';
import { runUiBench } from './ui-bench.js';

const script = fileURLToPath(import.meta.url);

async function main(argv: string[]): Promise<void> {
  if (argv[0] === '--child' && (argv[1] === 'sha256' || argv[1] === 'triage')) {
    const paths = argv.slice(2);
    console.log(JSON.stringify(argv[1] === 'sha256' ? sha256Child(paths) : await triageChild(paths)));
    return;
  }
  if (argv[0] === '--child') {
    const [, kind, dir, casePath] = argv;
    const r = kind === 'floor' ? await floorChild(dir!) : await ingestChild(dir!, casePath!);
    console.log(JSON.stringify(r));
    return;
  }
  const which = argv[0] ?? 'ingest';
  const workDir = resolve(process.env.MLSHIELD_BENCH_DIR ?? '.bench');
  if (which === 'ingest') {
    const sizes = argv.includes('--quick') ? [20_000] : [200_000, 1_000_000];
    console.log(`ingest benchmark (work dir ${join(workDir)}):`);
    await runIngestBench(script, workDir, sizes);
    return;
  }
  if (which === 'triage') {
    // The shared corpus sits beside the repository (../shared/corpus), as on the developers' and CI's machines.
    const corpus = process.env.MLSHIELD_CORPUS ?? resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../shared/corpus');
    console.log(`triage benchmark (work dir ${join(workDir)}, corpus ${corpus}):`);
    await runTriageBench(script, workDir, corpus, argv.includes('--quick'));
    return;
  }
  if (which === 'cascade') {
    console.log(`cascade benchmark (work dir ${join(workDir)}):`);
    // The command as installed: bin/mlshield.js, which runs the engine built beside this bundle.
    const cli = resolve(dirname(script), '../../bin/mlshield.js');
    await runCascadeBench(workDir, existsSync(cli) ? cli : null);
    return;
  }
  if (which === 'ui') {
    // Needs the renderer built (`node scripts/build.mjs`) and Chromium (MLSHIELD_CHROMIUM, default /usr/bin/chromium).
    const events = argv.includes('--quick') ? 100_000 : 1_000_000;
    console.log(`ui benchmark (work dir ${join(workDir)}, ${events} events):`);
    console.log(JSON.stringify(await runUiBench(script, workDir, events)));
    return;
  }
  throw new Error(`unknown benchmark '${which}' (known: ingest, triage, cascade, ui)`);
}

await main(process.argv.slice(2));
