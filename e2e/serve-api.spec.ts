/** `mlshield serve` as a server: the seed's monitoring API, Prometheus metrics, headers and the API-key rule. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, expect, startServe, test } from './fixtures.js';

test('health, monitoring API and Prometheus metrics on loopback without a key', async ({ request, served }) => {
  const health = await request.get(`${served.url}health`);
  expect(await health.json()).toMatchObject({ status: 'ok', case: served.casePath });
  const posted = await request.post(`${served.url}api/v1/events`, { data: { action: 'k8s_get', resource: 'secrets/aws-credentials', job_id: 'train-42' } });
  expect(posted.status()).toBe(201);
  const recent = await (await request.get(`${served.url}api/v1/events`)).json();
  expect(recent.events[0]).toMatchObject({ action: 'k8s_get', job_id: 'train-42' });
  expect(await (await request.get(`${served.url}api/v1/stats`)).json()).toMatchObject({ events: 1 });
  expect(await (await request.get(`${served.url}api/v1/alerts`)).json()).toEqual({ alerts: [] });
  const metrics = await request.get(`${served.url}metrics`);
  expect(metrics.headers()['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
  expect(await metrics.text()).toContain('mlshield_events{source="app"} 1');
  const index = await request.get(served.url);
  expect(index.headers()['content-security-policy']).toContain("script-src 'self'");
});

test('refuses to listen beyond loopback without MLSHIELD_API_KEY, and checks X-API-Key when it has one', async ({ request }) => {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'mlshield.js'), 'serve', '--host', '0.0.0.0', '--port', '0'], {
    env: { ...process.env, MLSHIELD_API_KEY: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  expect(code).toBe(1);
  expect(stderr).toContain('refusing to listen on 0.0.0.0 without an API key: set MLSHIELD_API_KEY');

  const key = 'e2e-key-0123456789abcdef';
  const { child: keyed, url } = await startServe(['--host', '0.0.0.0', '--port', '0'], { MLSHIELD_API_KEY: key });
  try {
    const port = new URL(url).port;
    const base = `http://127.0.0.1:${port}/`;
    expect((await request.get(`${base}health`)).status()).toBe(200);
    expect((await request.get(`${base}api/v1/stats`)).status()).toBe(401);
    expect((await request.get(`${base}api/v1/stats`, { headers: { 'X-API-Key': 'wrong' } })).status()).toBe(401);
    expect((await request.get(`${base}api/v1/stats`, { headers: { 'X-API-Key': key } })).status()).toBe(200);
    expect((await request.post(`${base}api/call/app.info`, { data: {}, headers: { 'X-API-Key': key } })).status()).toBe(200);
  } finally {
    const exited = new Promise((r) => keyed.once('exit', r));
    keyed.kill('SIGTERM');
    await exited;
  }
});
