/**
 * The API-key rule of `mlshield serve`: bound to loopback no key is needed; bound to any other
 * address the server refuses to start without MLSHIELD_API_KEY and checks `X-API-Key` on every
 * API call. The comparison hashes both sides first so timingSafeEqual sees equal lengths and the
 * time taken reveals neither the key nor its length.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export const API_KEY_ENV = 'MLSHIELD_API_KEY';
export const API_KEY_HEADER = 'x-api-key';
/** WebSocket clients in a browser cannot set headers: they offer the key as a subprotocol. */
export const WS_KEY_PROTOCOL_PREFIX = 'mlshield-key.';

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** A key of at least 16 characters: shorter ones are guessable over the network. */
export const MIN_KEY_LENGTH = 16;

/** Why the server may not start on `host` with `key`, or null when it may. */
export function startRefusal(host: string, key: string | undefined): string | null {
  if (isLoopbackHost(host)) return null;
  if (!key) return `refusing to listen on ${host} without an API key: set ${API_KEY_ENV} (at least ${MIN_KEY_LENGTH} characters), or bind to 127.0.0.1`;
  if (key.length < MIN_KEY_LENGTH) return `${API_KEY_ENV} is too short: use at least ${MIN_KEY_LENGTH} characters`;
  return null;
}

export function apiKeyMatches(offered: string | undefined, key: string): boolean {
  const a = createHash('sha256').update(offered ?? '').digest();
  const b = createHash('sha256').update(key).digest();
  return timingSafeEqual(a, b) && offered !== undefined;
}

/** The key hidden in a `Sec-WebSocket-Protocol` offer (`mlshield-key.<hex of UTF-8>`), if any. */
export function keyFromProtocols(protocols: Iterable<string>): string | undefined {
  for (const p of protocols) {
    if (!p.startsWith(WS_KEY_PROTOCOL_PREFIX)) continue;
    const hex = p.slice(WS_KEY_PROTOCOL_PREFIX.length);
    if (/^(?:[0-9a-f]{2}){1,512}$/.test(hex)) return Buffer.from(hex, 'hex').toString('utf8');
  }
  return undefined;
}
