/** Renderer entry: pick the transport, build the stores, render, and start. */
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { chooseTransport } from './transport/choose-transport.js';
import { createAppStore, type Theme } from './state/app-store.js';
import { createEventsStore } from './state/events-store.js';
import { StoresProvider } from './state/store-context.js';
import type { MlshieldBridge } from '../../../contract/index.js';

function initialTheme(): Theme {
  try {
    const saved = localStorage.getItem('mlshield.theme');
    if (saved === 'dark' || saved === 'light') return saved;
  } catch {
    /* storage may be disabled */
  }
  return window.matchMedia?.('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
}

const transport = chooseTransport(window as Window & { mlshield?: MlshieldBridge });
const stores = { app: createAppStore(transport, { theme: initialTheme() }), events: createEventsStore(transport), chartRenderer: 'canvas' as const };
createRoot(document.getElementById('root')!).render(
  <StoresProvider stores={stores}>
    <App />
  </StoresProvider>,
);
void stores.app.getState().init();
