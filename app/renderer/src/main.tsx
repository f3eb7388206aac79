/**
 * Renderer entry. The app arrives in chunks evaluated one task each — React, then the app
 * (start-app.tsx), later ECharts (chart-work.ts) — so no single task of the first render evaluates
 * the whole bundle.
 */
void import('react-dom/client')
  .then(() => import('./start-app.js'))
  .then((m) => m.startApp())
  .catch((err: unknown) => {
    // Nothing else can show it: the page is empty until the app has started.
    document.body.textContent = `MLShield could not start: ${err instanceof Error ? err.message : String(err)}`;
  });
