/** The application menu as a template (pure, tested): File (open bundle/case, export, recent), View, Help. */
import type { MenuItemConstructorOptions } from 'electron';
import type { RecentCase } from '../../contract/index.js';

export interface MenuActions {
  openBundle(): void;
  openCase(): void;
  openRecent(path: string): void;
  exportReport(): void;
  showView(view: string): void;
}

const VIEW_ITEMS: [string, string][] = [
  ['start', 'Start'], ['overview', 'Overview'], ['timeline', 'Timeline'], ['events', 'Events'],
  ['checkpoints', 'Checkpoints'], ['judge', 'Judge'], ['annotations', 'Annotations'],
];

export function menuTemplate(actions: MenuActions, recent: readonly RecentCase[], isMac: boolean): MenuItemConstructorOptions[] {
  const file: MenuItemConstructorOptions = {
    label: 'File',
    submenu: [
      { label: 'Open Bundle…', accelerator: 'CmdOrCtrl+O', click: () => actions.openBundle() },
      { label: 'Open Case…', accelerator: 'CmdOrCtrl+Shift+O', click: () => actions.openCase() },
      {
        label: 'Open Recent',
        submenu: recent.length > 0 ? recent.map((r) => ({ label: r.path, click: () => actions.openRecent(r.path) })) : [{ label: 'No recent cases', enabled: false }],
      },
      { type: 'separator' },
      { label: 'Export Report…', accelerator: 'CmdOrCtrl+E', click: () => actions.exportReport() },
      { type: 'separator' },
      isMac ? { role: 'close' } : { role: 'quit' },
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [
      ...VIEW_ITEMS.map(([id, label], i): MenuItemConstructorOptions => ({ label, accelerator: `Alt+${i + 1}`, click: () => actions.showView(id) })),
      { type: 'separator' },
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { role: 'togglefullscreen' },
    ],
  };
  return [...(isMac ? [{ role: 'appMenu' } as MenuItemConstructorOptions] : []), file, { role: 'editMenu' }, view, { role: 'windowMenu' }];
}
