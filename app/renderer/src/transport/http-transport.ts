/**
 * Transport to `mlshield serve`: `POST /api/call/<name>` for calls, one WebSocket on
 * `/api/events` for events (reconnected with back-off). When the server needs an API key, it is
 * sent as `X-API-Key` on calls and as a WebSocket subprotocol (browsers cannot set WS headers).
 */
import type { EventName, EventPayloads } from '../../../../contract/index.js';
import { CallError, type Transport } from './transport.js';

export const WS_PROTOCOL = 'mlshield.v1';
const WS_KEY_PROTOCOL_PREFIX = 'mlshield-key.';

export interface HttpTransportDeps {
  baseUrl: string;
  fetch: typeof fetch;
  WebSocket: new (url: string, protocols?: string[]) => WebSocket;
  apiKey?: () => string | null;
  /** Reconnect delay after a dropped socket (ms). */
  retryMs?: number;
}

function hexOf(text: string): string {
  return [...new TextEncoder().encode(text)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export function httpTransport(deps: HttpTransportDeps): Transport {
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  let socket: WebSocket | null = null;
  let closedByUs = false;

  const connect = (): void => {
    if (socket || listeners.size === 0) return;
    const url = new URL('api/events', deps.baseUrl);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const key = deps.apiKey?.();
    const ws = new deps.WebSocket(url.href, key ? [WS_PROTOCOL, WS_KEY_PROTOCOL_PREFIX + hexOf(key)] : [WS_PROTOCOL]);
    socket = ws;
    ws.onmessage = (m: MessageEvent) => {
      let msg: { event?: string; payload?: unknown };
      try {
        msg = JSON.parse(String(m.data)) as typeof msg;
      } catch {
        return;
      }
      for (const cb of listeners.get(msg.event ?? '') ?? []) cb(msg.payload);
    };
    ws.onclose = () => {
      socket = null;
      if (!closedByUs) setTimeout(connect, deps.retryMs ?? 1000);
    };
  };

  return {
    kind: 'http',
    async call(name, args) {
      const headers: Record<string, string> = { 'Content-Type': 'application/json' };
      const key = deps.apiKey?.();
      if (key) headers['X-API-Key'] = key;
      let res: Response;
      try {
        res = await deps.fetch(new URL(`api/call/${encodeURIComponent(name)}`, deps.baseUrl).href, {
          method: 'POST',
          headers,
          body: JSON.stringify(args ?? {}),
        });
      } catch {
        throw new CallError('The MLShield server cannot be reached. Is `mlshield serve` still running?');
      }
      let body: { ok?: boolean; value?: unknown; error?: string };
      try {
        body = (await res.json()) as typeof body;
      } catch {
        throw new CallError(`The server answered ${res.status} without a readable body.`);
      }
      if (res.status === 401) throw new CallError('This server needs an API key (X-API-Key). Enter it on the Start view.');
      if (!body.ok) throw new CallError(body.error ?? `The server answered ${res.status}.`);
      return body.value as never;
    },
    on<E extends EventName>(event: E, cb: (payload: EventPayloads[E]) => void) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      const fn = cb as (p: unknown) => void;
      set.add(fn);
      closedByUs = false;
      connect();
      return () => {
        set.delete(fn);
        if (set.size === 0) listeners.delete(event);
        if (listeners.size === 0 && socket) {
          closedByUs = true;
          socket.close();
          socket = null;
        }
      };
    },
    pathForFile: () => null,
  };
}
