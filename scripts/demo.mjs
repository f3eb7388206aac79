// `npm run demo`: build, then run the main job on the bundled sample incident and print the summary.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
process.chdir(root);
const run = (args) => spawnSync('node', args, { stdio: 'inherit' }).status ?? 1;

let status = run(['scripts/build.mjs', 'engine']);
if (status !== 0) process.exit(status);
const bundle = 'samples/weight-exfil-seed1/bundle';
const casePath = '.demo/case.sqlite';
mkdirSync('.demo', { recursive: true });
for (const suffix of ['', '-wal', '-shm']) rmSync(casePath + suffix, { force: true });
console.log(`MLShield demo: ingesting ${bundle} into ${casePath}\n`);
status = run(['bin/mlshield.js', 'ingest', bundle, '--case', casePath, '--progress', 'none']);
if (status !== 0) process.exit(status);
console.log(`\nMLShield demo: running the detection cascade (ground truth from ${bundle.replace('/bundle', '/labels.json')})\n`);
status = run(['bin/mlshield.js', 'analyze', casePath, '--labels', 'samples/weight-exfil-seed1/labels.json']);
process.exit(status);
