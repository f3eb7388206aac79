/**
 * `mlshield serve`: the renderer build and the workbench contract over HTTP + WebSocket, plus the
 * MLShield seed's monitoring API. Routes:
 *   GET  /health                 liveness (no key, like the seed)
 *   POST /api/call/<name>        one contract call: JSON argument in, `{ok, value|error}` out
 *   GET  /api/events (WebSocket) contract events as `{event, payload}`
 *   POST /api/v1/events          one event of the seed's shape, stored as an app event
 *   GET  /api/v1/events|stats|alerts, GET /metrics (Prometheus text 0.0.4)
 *   GET  /…                      static files of dist/renderer
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebSocket } from 'ws';
import { lazyRequire } from '../core/lazy-require.js';
import { TOOL_VERSION } from '../core/version.js';
import type { WorkbenchService } from '../service/workbench-service.js';
import { UserError } from '../service/workbench-service.js';
import { ContractError, callErrorMessage, createCallHandlers, dispatchCall } from '../service/contract-handlers.js';
import { seedEventSchema, MAX_APP_EVENT_BYTES } from '../service/app-event-intake.js';
import { prometheusText } from '../service/monitoring.js';
import { API_KEY_HEADER, apiKeyMatches, isLoopbackHost, keyFromProtocols, startRefusal } from './api-key.js';
import { SECURITY_HEADERS, serveStatic } from './static-files.js';

/** ws, loaded when a server starts (lazy-require.ts): other commands never need it. */
const ws = lazyRequire<typeof import('ws')>('ws');

export interface ServeOptions {
  service: WorkbenchService;
  host: string;
  port: number;
  apiKey?: string;
  rendererDir: string;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const MAX_CALL_BODY = 1 << 20;
export const WS_PROTOCOL = 'mlshield.v1';

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}

async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  // Only JSON: a cross-site form post (text/plain, form-urlencoded) is refused before it is read.
  if (!type.toLowerCase().startsWith('application/json')) throw new HttpError(415, 'send the argument as application/json');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new HttpError(413, `request body over ${limit} bytes`);
    chunks.push(chunk);
  }
  if (size === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'the request body is not valid JSON');
  }
}

export async function startWorkbenchServer(opts: ServeOptions): Promise<RunningServer> {
  const refusal = startRefusal(opts.host, opts.apiKey);
  if (refusal) throw new UserError(refusal);
  const { service } = opts;
  const handlers = createCallHandlers(service, { shell: 'http' });
  const loopback = isLoopbackHost(opts.host);
  let requests = 0;
  const sockets = new Set<WebSocket>();

  /** Behind loopback, a Host that is not loopback means DNS rebinding: refuse. */
  const hostAllowed = (req: IncomingMessage): boolean => {
    if (!loopback) return true;
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    return isLoopbackHost(host);
  };
  /** Browsers send Origin on cross-site requests; only our own origin may call the API. */
  const originAllowed = (req: IncomingMessage): boolean => {
    const origin = req.headers.origin;
    return origin === undefined || origin === `http://${req.headers.host}`;
  };
  const keyAllowed = (offered: string | undefined): boolean => opts.apiKey === undefined || apiKeyMatches(offered, opts.apiKey);

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    requests++;
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (!hostAllowed(req)) throw new HttpError(421, 'this server answers only to a loopback host name');
    if (path === '/health') return sendJson(res, 200, { status: 'ok', version: TOOL_VERSION, case: service.caseInfo()?.path ?? null });

    const isApi = path.startsWith('/api/') || path === '/metrics';
    if (isApi) {
      const offered = req.headers[API_KEY_HEADER];
      if (!keyAllowed(Array.isArray(offered) ? offered[0] : offered)) throw new HttpError(401, `missing or wrong ${API_KEY_HEADER} header`);
      if (!originAllowed(req)) throw new HttpError(403, 'cross-origin requests are refused');
    }

    if (path.startsWith('/api/call/')) {
      if (method !== 'POST') throw new HttpError(405, 'use POST');
      const args = await readJson(req, MAX_CALL_BODY);
      try {
        const value = await dispatchCall(handlers, decodeURIComponent(path.slice('/api/call/'.length)), args);
        return sendJson(res, 200, { ok: true, value: value ?? null });
      } catch (err) {
        // Like JSON-RPC: a refused argument is the client's bug (400); a failure to tell the analyst
        // ("the bundle does not exist") is a normal answer (200, ok: false); anything else is ours (500).
        const status = err instanceof ContractError ? 400 : err instanceof UserError ? 200 : 500;
        return sendJson(res, status, { ok: false, error: callErrorMessage(err) });
      }
    }
    if (path === '/api/v1/events') {
      if (method === 'POST') {
        const parsed = seedEventSchema.safeParse(await readJson(req, MAX_APP_EVENT_BYTES));
        if (!parsed.success) throw new HttpError(400, `invalid event: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? ''}`.trim());
        const stored = service.storeAppEvent(parsed.data);
        return sendJson(res, 201, { id: stored.id, ts: new Date(Math.floor(stored.ts / 1000)).toISOString() });
      }
      return sendJson(res, 200, { events: service.recentAppEvents(limitParam(url)) });
    }
    if (path === '/api/v1/stats') return sendJson(res, 200, service.stats() ?? { error: 'no case is open' });
    if (path === '/api/v1/alerts') return sendJson(res, 200, { alerts: service.alerts(limitParam(url)) });
    if (path === '/metrics') {
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(prometheusText(service.stats(), { requests, wsClients: sockets.size }));
      return;
    }
    if (isApi) throw new HttpError(404, `no API route ${path}`);
    if ((method === 'GET' || method === 'HEAD') && (await serveStatic(opts.rendererDir, path, res, method === 'HEAD'))) return;
    throw new HttpError(404, path === '/' || path === '/index.html' ? 'the renderer is not built: run `npm run build`' : 'not found');
  }

  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      if (res.headersSent) return res.destroy();
      if (err instanceof HttpError) return sendJson(res, err.status, { ok: false, error: err.message });
      if (err instanceof UserError) return sendJson(res, 422, { ok: false, error: err.message });
      sendJson(res, 500, { ok: false, error: callErrorMessage(err) });
    });
  });
  server.requestTimeout = 60_000;
  server.headersTimeout = 15_000;

  const wss = new (ws().WebSocketServer)({
    noServer: true,
    maxPayload: 64 * 1024,
    handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const protocols = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    const header = req.headers[API_KEY_HEADER];
    const offered = (Array.isArray(header) ? header[0] : header) ?? keyFromProtocols(protocols);
    const refuse = (status: number, text: string): void => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (url.pathname !== '/api/events') return refuse(404, 'Not Found');
    if (!hostAllowed(req) || !originAllowed(req)) return refuse(403, 'Forbidden');
    if (!keyAllowed(offered)) return refuse(401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('error', () => sockets.delete(ws));
      // Clients only listen; anything they send is ignored.
    });
  });
  const unsubscribe = service.on((event, payload) => {
    const text = JSON.stringify({ event, payload });
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(text);
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolveListen());
  });
  const port = (server.address() as AddressInfo).port;
  const hostText = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${hostText}:${port}/`,
    port,
    async close() {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function limitParam(url: URL): number {
  const n = Number(url.searchParams.get('limit') ?? 100);
  return Number.isInteger(n) && n > 0 ? Math.min(n, 1000) : 100;
}
