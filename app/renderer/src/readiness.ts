/**
 * Readiness signals for tests and automation (Signal-Desktop style: wait on the app's own events,
 * never on sleeps): `<html data-app-state>` and DOM CustomEvents on `document`.
 */
export type AppState = 'loading' | 'ready' | 'ingesting' | 'case-open';
export type ReadinessEvent = 'mlshield:app-ready' | 'mlshield:case-opened' | 'mlshield:analysis-finished';

export function setAppState(state: AppState): void {
  document.documentElement.dataset.appState = state;
}

export function signal(event: ReadinessEvent, detail?: unknown): void {
  document.dispatchEvent(new CustomEvent(event, { detail }));
}
