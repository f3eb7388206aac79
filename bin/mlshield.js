#!/usr/bin/env node
// Entry point of the `mlshield` command. The engine is built into dist/ by `npm run build`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/mlshield.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('mlshield: the engine is not built yet; run `npm run build` in the project folder first.\n');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
