/**
 * Security settings of the workbench window (DESIGN.md "Electron security") and the navigation
 * rule, kept free of Electron imports so a unit test can check them.
 */
import type { BrowserWindowConstructorOptions } from 'electron';

export function secureWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1440,
    height: 900,
    minWidth: 1100,
    minHeight: 700,
    title: 'MLShield Workbench',
    show: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      navigateOnDragDrop: false,
    },
  };
}

/** Only the renderer's own index.html may be loaded; everything else (links, drops, redirects) is refused. */
export function isAllowedNavigation(url: string, rendererIndexUrl: string): boolean {
  try {
    const a = new URL(url);
    const b = new URL(rendererIndexUrl);
    return a.protocol === b.protocol && a.host === b.host && a.pathname === b.pathname;
  } catch {
    return false;
  }
}
