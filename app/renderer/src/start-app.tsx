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
import { initialTheme, pageTheme, savedTheme } from './theme-preference.js';
import type { MlshieldBridge } from '../../../contract/index.js';

export function startApp(): void {
  const transport = chooseTransport(window as Window & { mlshield?: MlshieldBridge });
  // The theme already on the page (theme-boot.js, before the first paint): React's first render
  // keeps it instead of painting the system's and switching later.
  const booted = pageTheme();
  const stores = { app: createAppStore(transport, { theme: initialTheme() }), events: createEventsStore(transport), chartRenderer: 'canvas' as const };
  createRoot(document.getElementById('root')!).render(
    <StoresProvider stores={stores}>
      <App />
    </StoresProvider>,
  );
  // Only where theme-boot.js did not run (the page's own theme is then missing): the saved theme,
  // late, in a task of its own. Then the session storage, the event socket, the first calls.
  if (booted === null) {
    setTimeout(() => {
      const saved = savedTheme();
      if (saved) stores.app.getState().setTheme(saved);
    }, 0);
  }
  setTimeout(() => void stores.app.getState().init(), 0);
  // ECharts is a chunk of its own: fetched and evaluated while the analyst reads the first view,
  // in a task of its own, before any chart needs it.
  if (typeof window.requestIdleCallback === 'function') window.requestIdleCallback(() => void loadCharts(), { timeout: 1000 });
  else setTimeout(() => void loadCharts(), 100);
}
