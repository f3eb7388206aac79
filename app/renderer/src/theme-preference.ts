/**
 * The analyst's theme, kept in localStorage and written only when the analyst switches. It is read
 * before the first paint by public/theme-boot.js (a classic script in index.html's <head>, so a
 * dark-theme user never sees a light frame), which puts it on <html data-theme>; start-up takes it
 * from there (pageTheme), so the app's own task never touches storage (the page's first
 * localStorage access loads the storage area synchronously, 10–25 ms on this machine).
 */
import type { Theme } from './state/app-store.js';

/** theme-boot.js reads the same key (theme-boot.test.ts keeps them equal). */
export const THEME_STORAGE_KEY = 'mlshield.theme';
const KEY = THEME_STORAGE_KEY;

/** The theme theme-boot.js put on <html> before the first paint; null when it did not run. */
export function pageTheme(): Theme | null {
  const t = document.documentElement.getAttribute('data-theme');
  return t === 'dark' || t === 'light' ? t : null;
}

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

/** The app's first theme: the one on the page (theme-boot.js), else the system's. */
export function initialTheme(): Theme {
  return pageTheme() ?? systemTheme();
}
