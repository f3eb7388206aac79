// Builds every layer: the engine + CLI and Electron main/preload with esbuild, the renderer with Vite.
// Type checking is separate (`npm run typecheck`), so a build takes seconds.
import { build } from 'esbuild';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
process.chdir(root);
const only = process.argv[2] ?? 'all';
rmSync('dist/cli', { recursive: true, force: true });
mkdirSync('dist', { recursive: true });

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  packages: 'external',
  logLevel: 'warning',
};

// One bundle per entry; worker entries are added when their modules exist.
const cliEntries = { mlshield: 'analysis/cli/mlshield.ts', bench: 'analysis/bench/bench-main.ts' };
if (existsSync('analysis/ingest/ingest-worker.ts')) cliEntries['ingest-worker'] = 'analysis/ingest/ingest-worker.ts';
// The ingest pipeline's parse worker (pipeline.ts finds it next to the bundle that ingests).
if (existsSync('analysis/ingest/parse-worker.ts')) cliEntries['ingest-parse-worker'] = 'analysis/ingest/parse-worker.ts';
// The workbench's ingest worker thread (serve and the desktop app find it next to mlshield.js).
if (existsSync('analysis/service/ingest-worker.ts')) cliEntries['workbench-ingest-worker'] = 'analysis/service/ingest-worker.ts';
await build({ ...common, entryPoints: cliEntries, outdir: 'dist/cli', format: 'esm' });
// bench-main.ts is emitted as bench-main.js; give it the short name the bench script runs.


if (only === 'all') {
  if (existsSync('app/main/index.ts')) {
    await build({ ...common, entryPoints: ['app/main/index.ts'], outfile: 'dist/app/main/index.js', format: 'esm', external: ['electron'] });
  }
  if (existsSync('app/preload/index.ts')) {
    // A sandboxed preload cannot require local files: it must be one CommonJS bundle.
    await build({ ...common, packages: undefined, entryPoints: ['app/preload/index.ts'], outfile: 'dist/app/preload/index.cjs', format: 'cjs', external: ['electron'] });
  }
  if (existsSync('app/renderer/index.html')) {
    const { build: viteBuild } = await import('vite');
    await viteBuild({ configFile: 'app/renderer/vite.config.ts', logLevel: 'warn' });
  }
}
console.log('build: done');
