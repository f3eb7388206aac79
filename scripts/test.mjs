// `npm test`: type-check every layer, run the unit tests, build, then the end-to-end tests.
// Prints one closing line "N passed, N failed" (and skipped) so CI can read the result.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
process.chdir(root);
mkdirSync('test-results', { recursive: true });
// A result file left by an earlier run must not be counted as this run's.
rmSync('test-results/e2e.json', { force: true });

function step(name, cmd, args, env = {}) {
  console.log(`\n=== ${name}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status === 0;
}

let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];

if (!step('typecheck', 'npx', ['tsc', '-p', 'tsconfig.node.json', '--noEmit'])) failures.push('typecheck (engine, main, preload)');
if (existsSync('app/renderer') && !step('typecheck', 'npx', ['tsc', '-p', 'tsconfig.renderer.json', '--noEmit'])) failures.push('typecheck (renderer)');
if (!step('typecheck', 'npx', ['tsc', '-p', 'tsconfig.test.json', '--noEmit'])) failures.push('typecheck (tests)');

const unitOk = step('unit tests', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', '--outputFile.json=test-results/vitest.json']);
if (existsSync('test-results/vitest.json')) {
  const r = JSON.parse(readFileSync('test-results/vitest.json', 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  if (r.numFailedTestSuites > 0 && r.numFailedTests === 0) failed += r.numFailedTestSuites;
}
if (!unitOk) failures.push('unit tests');

if (!step('build', 'npm', ['run', 'build', '--silent'])) failures.push('build');

if (existsSync('e2e/playwright.config.ts') && !failures.includes('build')) {
  const e2eOk = step('end-to-end', 'npx', ['playwright', 'test', '-c', 'e2e/playwright.config.ts', '--reporter=list,json'], {
    // Absolute: Playwright resolves a relative name against the config's folder (e2e/).
    PLAYWRIGHT_JSON_OUTPUT_NAME: resolve('test-results/e2e.json'),
  });
  if (existsSync('test-results/e2e.json')) {
    const s = JSON.parse(readFileSync('test-results/e2e.json', 'utf8')).stats ?? {};
    passed += s.expected ?? 0;
    failed += (s.unexpected ?? 0) + (s.flaky ?? 0);
    skipped += s.skipped ?? 0;
  }
  if (!e2eOk) failures.push('end-to-end tests');
}

console.log('');
if (failures.length > 0) console.log(`failed steps: ${failures.join(', ')}`);
if (failures.length > 0 && failed === 0) failed = failures.length;
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failures.length > 0 ? 1 : 0);
