import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { WorkbenchService } from '../service/workbench-service.js';
import { fakeIngestRunner } from '../service/service-test-support.js';
import { startWorkbenchServer, WS_PROTOCOL, type RunningServer } from './workbench-server.js';
import { apiKeyMatches, isLoopbackHost, keyFromProtocols, startRefusal, WS_KEY_PROTOCOL_PREFIX } from './api-key.js';
import { staticPath } from './static-files.js';

let dir: string;
let service: WorkbenchService;
let server: RunningServer;

async function start(apiKey?: string): Promise<void> {
  service = new WorkbenchService({ runner: fakeIngestRunner(), caseDirectory: dir });
  service.openCase(join(dir, 'case.sqlite'));
  server = await startWorkbenchServer({ service, host: '127.0.0.1', port: 0, rendererDir: join(dir, 'renderer'), ...(apiKey ? { apiKey } : {}) });
}

/** Raw request (fetch would normalise `..` and forbid some headers). */
function raw(path: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const call = (name: string, args: unknown, headers: Record<string, string> = {}) =>
  raw(`/api/call/${name}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(args) });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlshield-serve-'));
  mkdirSync(join(dir, 'renderer', 'assets'), { recursive: true });
  writeFileSync(join(dir, 'renderer', 'index.html'), '<!doctype html><title>MLShield</title>');
  writeFileSync(join(dir, 'renderer', 'assets', 'app-1234.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'do not serve');
  mkdirSync(join(dir, 'bundle'));
  writeFileSync(join(dir, 'bundle', 'a.log'), '{}\n');
});
afterEach(async () => {
  await server?.close();
  await service?.idle();
  service?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('mlshield serve', () => {
  it('serves the renderer with MIME types and a strict CSP, never a file outside the build', async () => {
    await start();
    const index = await raw('/');
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(String(index.headers['content-security-policy'])).toContain("script-src 'self'");
    expect(String(index.headers['content-security-policy'])).not.toContain('unsafe');
    expect((await raw('/assets/app-1234.js')).headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await raw('/%2e%2e/secret.txt')).status).toBe(404);
    expect((await raw('/..%2fsecret.txt')).status).toBe(404);
    expect(staticPath('/srv/r', '/../../etc/passwd')).toBe('/srv/r/etc/passwd');
    expect(staticPath('/srv/r', '/%2e%2e/x')).toBe('/srv/r/x');
    expect(staticPath('/srv/r', '/a%00b')).toBeNull();
  });

  it('answers contract calls over HTTP and validates their arguments', async () => {
    await start();
    const info = JSON.parse((await call('app.info', {})).body);
    expect(info).toMatchObject({ ok: true, value: { shell: 'http', openCase: { events: 0 } } });
    const bad = await call('events.query', { limit: -1 });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error).toMatch(/^Invalid argument for events\.query: limit/);
    expect((await call('shell.exec', {})).status).toBe(400);
    const form = await raw('/api/call/app.info', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
    expect(form.status).toBe(415);
    const cross = await call('app.info', {}, { origin: 'http://evil.example' });
    expect(cross.status).toBe(403);
    const rebound = await raw('/api/call/app.info', { method: 'POST', headers: { host: 'evil.example:80', 'content-type': 'application/json' }, body: '{}' });
    expect(rebound.status).toBe(421);
  });

  it('streams ingest progress and completion over the WebSocket', async () => {
    await start();
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/events`, [WS_PROTOCOL]);
    await new Promise((r) => ws.once('open', r));
    expect(ws.protocol).toBe(WS_PROTOCOL);
    const got: string[] = [];
    const finished = new Promise<void>((resolve) =>
      ws.on('message', (data) => {
        const m = JSON.parse(String(data)) as { event: string };
        got.push(m.event);
        if (m.event === 'ingest.finished') resolve();
      }),
    );
    const started = JSON.parse((await call('ingest.start', { bundlePath: join(dir, 'bundle') })).body);
    expect(started.value.jobId).toMatch(/^ingest-/);
    await finished;
    expect(got).toContain('ingest.progress');
    ws.close();
    const page = JSON.parse((await call('events.query', { limit: 5 })).body);
    expect(page.value.total).toBe(50);
  });

  it('checks X-API-Key on every API call when a key is set, but not /health', async () => {
    const key = 'k'.repeat(24);
    await start(key);
    expect((await raw('/health')).status).toBe(200);
    expect((await call('app.info', {})).status).toBe(401);
    expect((await call('app.info', {}, { 'x-api-key': 'wrong' })).status).toBe(401);
    expect((await call('app.info', {}, { 'x-api-key': key })).status).toBe(200);
    expect((await raw('/metrics')).status).toBe(401);
    expect((await raw('/api/v1/stats', { headers: { 'x-api-key': key } })).status).toBe(200);
    const noKey = new WebSocket(`ws://127.0.0.1:${server.port}/api/events`, [WS_PROTOCOL]);
    const err = await new Promise<string>((r) => noKey.once('unexpected-response', (_q, res) => r(String(res.statusCode))));
    expect(err).toBe('401');
    const hex = Buffer.from(key).toString('hex');
    const withKey = new WebSocket(`ws://127.0.0.1:${server.port}/api/events`, [WS_PROTOCOL, `${WS_KEY_PROTOCOL_PREFIX}${hex}`]);
    await new Promise((r) => withKey.once('open', r));
    withKey.close();
  });

  it('implements the seed monitoring API and Prometheus metrics', async () => {
    await start();
    const post = await raw('/api/v1/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'k8s_get', resource: 'secrets/aws-credentials', job_id: 'train-42' }),
    });
    expect(post.status).toBe(201);
    const recent = JSON.parse((await raw('/api/v1/events')).body);
    expect(recent.events[0]).toMatchObject({ action: 'k8s_get', resource: 'secrets/aws-credentials', job_id: 'train-42' });
    expect((await raw('/api/v1/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"resource":"x"}' })).status).toBe(400);
    expect((await raw('/api/v1/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ action: 'a', pad: 'x'.repeat(70_000) }) })).status).toBe(413);
    expect(JSON.parse((await raw('/api/v1/stats')).body)).toMatchObject({ events: 1, eventsBySource: { app: 1 } });
    expect(JSON.parse((await raw('/api/v1/alerts')).body)).toEqual({ alerts: [] });
    const metrics = await raw('/metrics');
    expect(metrics.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(metrics.body).toContain('mlshield_events{source="app"} 1');
    expect(JSON.parse((await raw('/health')).body)).toMatchObject({ status: 'ok', case: join(dir, 'case.sqlite') });
  });
});

describe('API key rule', () => {
  it('needs no key on loopback and refuses other addresses without a long enough key', () => {
    expect(['127.0.0.1', '::1', '[::1]', 'localhost', '127.3.2.1'].every(isLoopbackHost)).toBe(true);
    expect(['0.0.0.0', '10.0.0.1', '::', 'example.com'].some(isLoopbackHost)).toBe(false);
    expect(startRefusal('127.0.0.1', undefined)).toBeNull();
    expect(startRefusal('0.0.0.0', undefined)).toMatch(/refusing to listen on 0\.0\.0\.0 without an API key: set MLSHIELD_API_KEY/);
    expect(startRefusal('0.0.0.0', 'short')).toMatch(/too short/);
    expect(startRefusal('0.0.0.0', 'x'.repeat(16))).toBeNull();
  });

  it('compares keys of any length without throwing', () => {
    expect(apiKeyMatches('abc', 'abc')).toBe(true);
    expect(apiKeyMatches('abcd', 'abc')).toBe(false);
    expect(apiKeyMatches(undefined, '')).toBe(false);
    expect(apiKeyMatches('', '')).toBe(true);
    expect(keyFromProtocols(['mlshield.v1', `${WS_KEY_PROTOCOL_PREFIX}${Buffer.from('sekrit').toString('hex')}`])).toBe('sekrit');
    expect(keyFromProtocols([`${WS_KEY_PROTOCOL_PREFIX}zz`])).toBeUndefined();
  });
});
