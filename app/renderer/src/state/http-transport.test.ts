import { describe, expect, it } from 'vitest';
import { httpTransport } from '../transport/http-transport.js';
import { CallError } from '../transport/transport.js';

class FakeSocket {
  static last: FakeSocket | null = null;
  onmessage: ((m: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  closed = false;
  constructor(
    readonly url: string,
    readonly protocols?: string[],
  ) {
    FakeSocket.last = this;
  }
  close() {
    this.closed = true;
  }
}

describe('HTTP transport', () => {
  it('posts calls as JSON with the API key and unwraps the envelope', async () => {
    const seen: { url: string; init: RequestInit }[] = [];
    const t = httpTransport({
      baseUrl: 'http://127.0.0.1:8000/',
      fetch: (async (url: string, init: RequestInit) => {
        seen.push({ url, init });
        return new Response(JSON.stringify(url.endsWith('case.summary') ? { ok: false, error: 'No case is open.' } : { ok: true, value: { version: 'x' } }), { status: 200 });
      }) as typeof fetch,
      WebSocket: FakeSocket as unknown as new (u: string, p?: string[]) => WebSocket,
      apiKey: () => 'k3y',
    });
    expect(await t.call('app.info', {})).toEqual({ version: 'x' });
    expect(seen[0]!.url).toBe('http://127.0.0.1:8000/api/call/app.info');
    expect((seen[0]!.init.headers as Record<string, string>)['X-API-Key']).toBe('k3y');
    await expect(t.call('case.summary', {})).rejects.toThrow(new CallError('No case is open.'));
  });

  it('says the server is unreachable in plain words', async () => {
    const t = httpTransport({
      baseUrl: 'http://127.0.0.1:8000/',
      fetch: (async () => {
        throw new TypeError('fetch failed');
      }) as typeof fetch,
      WebSocket: FakeSocket as unknown as new (u: string, p?: string[]) => WebSocket,
    });
    await expect(t.call('app.info', {})).rejects.toThrow(/cannot be reached/);
  });

  it('opens one WebSocket for events, offers the key as a subprotocol, routes by event name', () => {
    const t = httpTransport({
      baseUrl: 'http://127.0.0.1:8000/',
      fetch: fetch,
      WebSocket: FakeSocket as unknown as new (u: string, p?: string[]) => WebSocket,
      apiKey: () => 'ab',
    });
    const got: unknown[] = [];
    const off = t.on('case.opened', (p) => got.push(p));
    const ws = FakeSocket.last!;
    expect(ws.url).toBe('ws://127.0.0.1:8000/api/events');
    expect(ws.protocols).toEqual(['mlshield.v1', 'mlshield-key.6162']);
    ws.onmessage!({ data: JSON.stringify({ event: 'case.opened', payload: { path: '/c' } }) });
    ws.onmessage!({ data: JSON.stringify({ event: 'ingest.progress', payload: {} }) });
    ws.onmessage!({ data: 'not json' });
    expect(got).toEqual([{ path: '/c' }]);
    off();
    expect(ws.closed).toBe(true);
  });
});
