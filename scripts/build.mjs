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

const cliEntries = ['analysis/cli/mlshield.ts'];
for (const worker of ['analysis/ingest/ingest-worker.ts']) if (existsSync(worker)) cliEntries.push(worker);
await build({ ...common, entryPoints: cliEntries, outdir: 'dist/cli', format: 'esm', entryNames: '[name]' });

if (only === 'all' || only === 'app') {
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
