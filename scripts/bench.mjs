// `npm run bench -- <name> [--quick]`: builds, then runs the named benchmark from dist/cli/bench.js.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
process.chdir(root);
let r = spawnSync('node', ['scripts/build.mjs', 'engine'], { stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
r = spawnSync('node', ['dist/cli/bench.js', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
