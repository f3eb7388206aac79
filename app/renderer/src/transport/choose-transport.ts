/** Picks the transport at start-up: the preload bridge when present (Electron), else HTTP to the serving origin. */
import type { MlshieldBridge } from '../../../../contract/index.js';
import { electronTransport } from './electron-transport.js';
import { httpTransport } from './http-transport.js';
import type { Transport } from './transport.js';

export const API_KEY_STORAGE = 'mlshield.apiKey';

export function chooseTransport(win: Window & { mlshield?: MlshieldBridge }): Transport {
  if (win.mlshield) return electronTransport(win.mlshield);
  // A key may arrive once in the URL fragment (#key=…): move it to session storage and drop it from the address bar.
  const m = /(?:^#|&)key=([^&]+)/.exec(win.location.hash);
  if (m) {
    win.sessionStorage.setItem(API_KEY_STORAGE, decodeURIComponent(m[1]!));
    win.history.replaceState(null, '', win.location.pathname + win.location.search);
  }
  return httpTransport({
    baseUrl: new URL('.', win.location.href).href,
    fetch: win.fetch.bind(win),
    WebSocket: (win as unknown as typeof globalThis).WebSocket,
    apiKey: () => win.sessionStorage.getItem(API_KEY_STORAGE),
  });
}
