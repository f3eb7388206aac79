/**
 * Per-test world (Insomnia style): a fresh case directory, `mlshield serve` on a free port bound
 * to loopback, and the incident bundle (the generated sample when present, else a small bundle
 * copied from the shared corpus). The page records the app's readiness signals so tests wait on
 * them; console errors and CSP violations fail the test.
 */
import { test as base, expect, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

export const ROOT = resolve(import.meta.dirname, '..');
export const SHOTS = join(ROOT, 'test-results', 'screenshots');
const SAMPLE = join(ROOT, 'samples', 'weight-exfil-seed1', 'bundle');
const CORPUS = process.env.MLSHIELD_CORPUS ?? '/work/shared/corpus';
const CORPUS_FILES = ['k8s-audit/audit2rbac__demo.log', 'k8s-audit/falco__attach_pod.json', 'k8s-audit/falco__create_secret.json', 'dcgm/datadog__dcgm_metrics.txt'];

export interface Served {
  url: string;
  dir: string;
  casePath: string;
  bundle: string;
  /** The `mlshield serve` output so far (for failure messages). */
  log: string[];
}

/** The sample bundle when generated, else a temporary bundle from corpus files. */
export function prepareBundle(dir: string): string {
  if (existsSync(SAMPLE)) return SAMPLE;
  const bundle = join(dir, 'bundle');
  mkdirSync(bundle, { recursive: true });
  for (const f of CORPUS_FILES) copyFileSync(join(CORPUS, f), join(bundle, f.split('/').pop()!));
  return bundle;
}

/** Starts `mlshield serve` and resolves when it prints its URL (its readiness line). */
export function startServe(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; url: string; log: string[] }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'mlshield.js'), 'serve', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const log: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (l) => log.push(l));
  return new Promise((resolveUrl, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      log.push(line);
      const m = /listening on (http:\/\/\S+)/.exec(line);
      if (m) resolveUrl({ child, url: m[1]!, log });
    });
    child.once('exit', (code) => reject(new Error(`mlshield serve exited with ${code}:\n${log.join('\n')}`)));
  });
}

type Signals = Window & { __mlshieldSignals?: string[]; __mlshieldFailure?: string | null };

export const test = base.extend<{ served: Served; app: Page }>({
  served: async ({}, use) => {
    const dir = mkdtempSync(join(tmpdir(), 'mlshield-e2e-'));
    const casePath = join(dir, 'case.sqlite');
    const bundle = prepareBundle(dir);
    // No judge key: the analysis never calls a network service, and Layer 3 reads "not run".
    const { child, url, log } = await startServe(['--port', '0', '--case', casePath], { ANTHROPIC_API_KEY: '' });
    await use({ url, dir, casePath, bundle, log });
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    // serve waits for a running job before it exits; a stuck job must not also eat the teardown.
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(kill);
    rmSync(dir, { recursive: true, force: true });
  },
  app: async ({ page, served }, use) => {
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.addInitScript(() => {
      const w = window as Signals;
      w.__mlshieldSignals = [];
      for (const n of ['mlshield:app-ready', 'mlshield:case-opened', 'mlshield:analysis-finished']) {
        document.addEventListener(n, () => w.__mlshieldSignals!.push(n));
      }
      document.addEventListener('mlshield:analysis-finished', (e) => {
        const d = (e as CustomEvent<{ ok?: boolean; message?: string } | null>).detail;
        if (d && d.ok === false) w.__mlshieldFailure = d.message ?? 'failed';
      });
      document.addEventListener('securitypolicyviolation', (e) => {
        console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
      });
    });
    await page.goto(served.url);
    await waitForSignal(page, 'mlshield:app-ready');
    await use(page);
    expect(problems, 'no console errors or CSP violations').toEqual([]);
  },
});

export async function waitForSignal(page: Page, name: string, count = 1): Promise<void> {
  await page.waitForFunction(
    ([n, c]) => ((window as Signals).__mlshieldSignals ?? []).filter((s) => s === n).length >= (c as number),
    [name, count] as const,
  );
}

/**
 * Ingests a bundle through the Start view and waits for the app to say the ingest and its analysis
 * are over. The app signals that on failure too, so a failed job fails here with its message.
 */
export async function ingestThroughUi(page: Page, bundle: string): Promise<void> {
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await page.getByLabel('Bundle path on the server').fill(bundle);
  await page.getByRole('button', { name: 'Ingest bundle' }).click();
  await waitForSignal(page, 'mlshield:analysis-finished');
  const failure = await page.evaluate(() => (window as Signals).__mlshieldFailure ?? null);
  expect(failure, 'the ingest and analysis finish without an error').toBeNull();
  await expect(page.locator('html')).toHaveAttribute('data-app-state', 'case-open');
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

export { expect };
