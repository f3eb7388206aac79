// @vitest-environment jsdom
/**
 * The saved theme is on <html> before the first paint: public/theme-boot.js (a classic script in
 * index.html's <head>, under the unchanged CSP) reads the key theme-preference.ts writes, and the
 * app starts in the theme it finds there, so the page never shows another in between.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from './App.js';
import { fakeTransport } from './test-support.js';
import { initialTheme, pageTheme, saveTheme, THEME_STORAGE_KEY } from './theme-preference.js';
import { createAppStore } from './state/app-store.js';
import { createEventsStore } from './state/events-store.js';
import { StoresProvider, type Stores } from './state/store-context.js';

const RENDERER = join(import.meta.dirname, '..');
const BOOT = readFileSync(join(RENDERER, 'public', 'theme-boot.js'), 'utf8');
const INDEX = readFileSync(join(RENDERER, 'index.html'), 'utf8');

/** Runs the boot script as the page would (a classic script: globals, no module scope). */
function boot(): string | null {
  new Function(BOOT)();
  return document.documentElement.getAttribute('data-theme');
}

function systemPrefers(theme: 'light' | 'dark' | null): void {
  Object.defineProperty(window, 'matchMedia', {
    configurable: true,
    writable: true,
    value: theme === null ? undefined : (q: string) => ({ matches: q === '(prefers-color-scheme: light)' && theme === 'light' }),
  });
}

beforeEach(() => {
  localStorage.clear();
  document.documentElement.removeAttribute('data-theme');
  systemPrefers('light');
});
afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

describe('theme before the first paint', () => {
  it('applies the theme the app saved, whatever the system prefers', () => {
    expect(BOOT).toContain(`'${THEME_STORAGE_KEY}'`);
    saveTheme('dark');
    expect(boot()).toBe('dark');
    systemPrefers('dark');
    saveTheme('light');
    expect(boot()).toBe('light');
    expect(pageTheme()).toBe('light');
  });

  it("falls back to the system's theme without a valid saved one, or without storage", () => {
    expect(boot()).toBe('light');
    localStorage.setItem(THEME_STORAGE_KEY, 'solarized');
    systemPrefers('dark');
    expect(boot()).toBe('dark');
    systemPrefers(null);
    expect(boot()).toBe('dark');
    systemPrefers('light');
    vi.spyOn(Storage.prototype, 'getItem').mockImplementation(() => {
      throw new DOMException('storage disabled', 'SecurityError');
    });
    expect(boot()).toBe('light');
  });

  it('is a blocking script of the page itself in <head>, ahead of the stylesheet and the app, under the unchanged CSP', () => {
    const head = INDEX.slice(0, INDEX.indexOf('</head>'));
    const tag = /<script src="\/theme-boot\.js"><\/script>/.exec(head);
    expect(tag, 'a classic script (no type=module, async or defer) in <head>').not.toBeNull();
    expect(tag!.index).toBeLessThan(head.indexOf('<link rel="stylesheet"'));
    expect(tag!.index).toBeLessThan(INDEX.indexOf('src="./src/main.tsx"'));
    // No inline script anywhere: every <script> has a src.
    expect([...INDEX.matchAll(/<script\b([^>]*)>/g)].every((m) => /\bsrc="/.test(m[1]!))).toBe(true);
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(INDEX)![1]!;
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|sha256-|nonce-/);
    // Nothing on <html> to paint before the script has chosen.
    expect(/<html[^>]*data-theme/.test(INDEX)).toBe(false);
  });

  it('starts the app in the theme on the page: the first render never switches it', async () => {
    saveTheme('light');
    systemPrefers('dark');
    boot();
    const seen: (string | null)[] = [];
    const watch = new MutationObserver(() => seen.push(document.documentElement.getAttribute('data-theme')));
    watch.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    // As start-app.tsx builds the stores.
    const { transport } = fakeTransport({});
    const stores: Stores = { app: createAppStore(transport, { theme: initialTheme() }), events: createEventsStore(transport), chartRenderer: 'svg' };
    render(
      <StoresProvider stores={stores}>
        <App />
      </StoresProvider>,
    );
    await act(async () => undefined);
    await new Promise((r) => setTimeout(r, 0));
    watch.disconnect();
    expect(seen.filter((t) => t !== 'light')).toEqual([]);
    expect(document.documentElement.getAttribute('data-theme')).toBe('light');
    expect(screen.getByTestId('theme-toggle').textContent).toBe('☀ Light');
  });

  it("without the boot script, starts in the system's theme", () => {
    systemPrefers('light');
    expect(pageTheme()).toBeNull();
    expect(initialTheme()).toBe('light');
  });
});
