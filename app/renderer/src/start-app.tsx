/**
 * Start-up: pick the transport, build the stores, render, and start. Loaded by main.tsx after
 * React's own chunk, so evaluating the app is a task apart from evaluating React (together, one
 * 20–30 ms task of CPU that the machine's other work stretched past 50 ms: `npm run bench -- ui`).
 */
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { chooseTransport } from './transport/choose-transport.js';
import { createAppStore } from './state/app-store.js';
import { createEventsStore } from './state/events-store.js';
import { StoresProvider } from './state/store-context.js';
import { loadCharts } from './components/chart-work.js';
import { savedTheme, systemTheme } from './theme-preference.js';
import type { MlshieldBridge } from '../../../contract/index.js';

export function startApp(): void {
  const transport = chooseTransport(window as Window & { mlshield?: MlshieldBridge });
  const stores = { app: createAppStore(transport, { theme: systemTheme() }), events: createEventsStore(transport), chartRenderer: 'canvas' as const };
  createRoot(document.getElementById('root')!).render(
    <StoresProvider stores={stores}>
      <App />
    </StoresProvider>,
  );
  // Then, each in a task of its own: the saved theme (the page's first localStorage access, a
  // synchronous load of the storage area), and session storage, the event socket, the first calls.
  setTimeout(() => {
    const saved = savedTheme();
    if (saved) stores.app.getState().setTheme(saved);
  }, 0);
  setTimeout(() => void stores.app.getState().init(), 0);
  // ECharts is a chunk of its own: fetched and evaluated while the analyst reads the first view,
  // in a task of its own, before any chart needs it.
  if (typeof window.requestIdleCallback === 'function') window.requestIdleCallback(() => void loadCharts(), { timeout: 1000 });
  else setTimeout(() => void loadCharts(), 100);
}
