/**
 * The packaged main process under Playwright's `_electron`: runs where an Electron binary is
 * installed; skipped with one line where it is not (none can be downloaded on the CI machine).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { _electron as electron } from '@playwright/test';
import { ROOT, expect, test } from './fixtures.js';

/**
 * The binary electron's npm package would use (dist/ + path.txt), found without `require('electron')`,
 * which in recent versions tries to download a missing binary.
 */
function electronBinary(): string | null {
  try {
    const pkg = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    const rel = readFileSync(join(pkg, 'path.txt'), 'utf8').trim();
    const bin = join(pkg, 'dist', rel);
    return rel !== '' && existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

const binary = electronBinary();

test('the desktop window exposes only the contract and reaches the ready state', async () => {
  test.skip(binary === null, 'no Electron binary installed (it cannot be downloaded here): _electron test skipped');
  const electronApp = await electron.launch({ executablePath: binary!, args: [join(ROOT, 'dist', 'app', 'main', 'index.js'), '--no-sandbox'] });
  try {
    const page = await electronApp.firstWindow();
    await page.waitForFunction(() => document.documentElement.dataset.appState === 'ready' || document.documentElement.dataset.appState === 'case-open');
    const keys = await page.evaluate(() => Object.keys((window as unknown as { mlshield: object }).mlshield).sort());
    expect(keys).toEqual(['call', 'on', 'pathForFile']);
    expect(await page.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).toBe('undefined');
  } finally {
    await electronApp.close();
  }
});
