/**
 * The analyst's theme, kept in localStorage. The page's first localStorage access loads the storage
 * area synchronously (10–25 ms on this machine), so it is read in a task of its own after start-up
 * (main.tsx), not in the task that evaluates the app, and written only when the analyst switches.
 */
import type { Theme } from './state/app-store.js';

const KEY = 'mlshield.theme';

export function savedTheme(): Theme | null {
  try {
    const saved = localStorage.getItem(KEY);
    return saved === 'dark' || saved === 'light' ? saved : null;
  } catch {
    return null; // storage may be disabled
  }
}

export function saveTheme(theme: Theme): void {
  try {
    localStorage.setItem(KEY, theme);
  } catch {
    /* storage may be disabled: the choice lasts for this session */
  }
}

/** Without a saved choice: the system's. */
export function systemTheme(): Theme {
  return window.matchMedia?.('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
}
