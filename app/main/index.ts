/**
 * Electron main process: one window with the security settings of window-options.ts, the strict
 * CSP on every response, navigation and new windows denied, the menu, file dialogs, the recent
 * list, and the contract's handlers over a WorkbenchService whose ingests run in a worker thread.
 * Everything testable lives in the small modules next to this file; this is the glue.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, safeStorage, session, shell } from 'electron';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { eventChannel, type MenuCommandEvent, type RecentCase } from '../../contract/index.js';
import { WorkbenchService } from '../../analysis/service/workbench-service.js';
import { workerIngestRunner } from '../../analysis/service/ingest-runner.js';
import { CONTENT_SECURITY_POLICY } from '../../analysis/serve/static-files.js';
import { isAllowedNavigation, secureWindowOptions } from './window-options.js';
import { registerContractHandlers } from './ipc-handlers.js';
import { loadRecent, saveRecent, withRecent } from './recent-cases.js';
import { menuTemplate } from './app-menu.js';
import { electronPdfPrinter } from './report-pdf-electron.js';
import { exportedMessage, exportFormatFor, reportSaveDialogOptions } from './report-export-menu.js';
import { createReportSaveDialog } from './report-save-dialog.js';
import { safeStorageCodec } from './secret-codec.js';
import { fileJudgeSettings } from '../../analysis/service/judge-settings.js';
import { callErrorMessage, createCallHandlers, dispatchCall, type CallHandlers } from '../../analysis/service/contract-handlers.js';
import type { ReportExported } from '../../contract/index.js';

// dist/app/main/index.js → dist/app/preload/index.cjs, dist/renderer/index.html, dist/cli/workbench-ingest-worker.js
const PRELOAD = fileURLToPath(new URL('../preload/index.cjs', import.meta.url));
const RENDERER_INDEX = fileURLToPath(new URL('../../renderer/index.html', import.meta.url));
const RENDERER_URL = pathToFileURL(RENDERER_INDEX).href;
const WORKER_URL = new URL('../../cli/workbench-ingest-worker.js', import.meta.url);

const BUNDLE_FILTERS = [{ name: 'Incident bundles', extensions: ['zip', 'tar', 'gz', 'tgz', 'log', 'json', 'jsonl'] }, { name: 'All files', extensions: ['*'] }];
const CASE_FILTERS = [{ name: 'Case files', extensions: ['sqlite', 'sqlite3', 'db', 'mlshield'] }, { name: 'All files', extensions: ['*'] }];

let win: BrowserWindow | null = null;
let recent: RecentCase[] = [];
const recentFile = (): string => join(app.getPath('userData'), 'recent-cases.json');

const service = new WorkbenchService({
  runner: workerIngestRunner(WORKER_URL),
  caseDirectory: join(app.getPath('documents'), 'MLShield Cases'),
  printPdf: electronPdfPrinter,
  // The judge's model and API key, the key sealed by the OS keychain (secret-codec.ts).
  judgeSettings: fileJudgeSettings(join(app.getPath('userData'), 'settings.json'), safeStorageCodec(safeStorage)),
});
let contractHandlers: CallHandlers | null = null;

function send(event: string, payload: unknown): void {
  if (win && !win.isDestroyed()) win.webContents.send(eventChannel(event), payload);
}
service.on((event, payload) => send(event, payload));

function remember(path: string): void {
  recent = withRecent(recent, path, new Date());
  try {
    saveRecent(recentFile(), recent);
  } catch {
    /* the recent list is a convenience */
  }
  buildMenu();
}

async function pickBundle(): Promise<string | null> {
  const r = await dialog.showOpenDialog(win!, {
    title: 'Open an incident bundle',
    // macOS can offer files and folders in one dialog; elsewhere the folder picker wins, archives come by drag-and-drop or File → Open Bundle on macOS.
    properties: process.platform === 'darwin' ? ['openFile', 'openDirectory'] : ['openDirectory'],
    filters: BUNDLE_FILTERS,
  });
  return r.canceled ? null : (r.filePaths[0] ?? null);
}

async function pickCase(): Promise<string | null> {
  const r = await dialog.showOpenDialog(win!, { title: 'Open a case file', properties: ['openFile'], filters: CASE_FILTERS });
  return r.canceled ? null : (r.filePaths[0] ?? null);
}

function menuCommand(m: MenuCommandEvent): void {
  send('menu.command', m);
}

/** File → Export Report…: a save dialog, then the contract's `report.export` (format from the extension). */
async function exportFromMenu(): Promise<void> {
  if (!win || !contractHandlers) return;
  const info = service.caseInfo();
  if (!info) {
    await dialog.showMessageBox(win, { type: 'info', message: 'Open a case before exporting a report.' });
    return;
  }
  const r = await dialog.showSaveDialog(win, reportSaveDialogOptions(info.path));
  if (r.canceled || !r.filePath) return;
  try {
    const done = (await dispatchCall(contractHandlers, 'report.export', { format: exportFormatFor(r.filePath), path: r.filePath })) as ReportExported;
    await dialog.showMessageBox(win, { type: 'info', message: 'Report exported', detail: exportedMessage(done) });
  } catch (err) {
    await dialog.showMessageBox(win, { type: 'error', message: 'The report could not be exported', detail: callErrorMessage(err) });
  }
}

function buildMenu(): void {
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate(
        {
          openBundle: () => void pickBundle().then((path) => path && menuCommand({ command: 'open-bundle', path })),
          openCase: () => void pickCase().then((path) => path && menuCommand({ command: 'open-case', path })),
          openRecent: (path) => menuCommand({ command: 'open-case', path }),
          exportReport: () => void exportFromMenu(),
          showView: (view) => menuCommand({ command: 'show-view', view }),
        },
        recent,
        process.platform === 'darwin',
      ),
    ),
  );
}

function createWindow(): void {
  win = new BrowserWindow(secureWindowOptions(PRELOAD));
  const contents = win.webContents;
  contents.on('will-navigate', (e, url) => {
    if (!isAllowedNavigation(url, RENDERER_URL)) e.preventDefault();
  });
  contents.on('will-redirect', (e) => e.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    // Links to documentation open in the system browser; the app never opens a second window.
    if (/^https:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (e) => e.preventDefault());
  win.once('ready-to-show', () => win?.show());
  win.on('closed', () => {
    win = null;
  });
  void win.loadFile(RENDERER_INDEX);
}

app.enableSandbox();
app.on('web-contents-created', (_e, contents) => {
  contents.on('will-navigate', (e, url) => {
    if (!isAllowedNavigation(url, RENDERER_URL)) e.preventDefault();
  });
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
});

void app.whenReady().then(() => {
  // CSP on every response the session sees (the renderer also carries it as a meta tag for file://).
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
  // No remote content: refuse every request that is not a local file or devtools.
  session.defaultSession.webRequest.onBeforeRequest((details, callback) => {
    callback({ cancel: !/^(file|devtools|data):/.test(details.url) });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, callback) => callback(false));

  recent = loadRecent(recentFile());
  const handlers = createCallHandlers(service, {
    shell: 'electron',
    openBundleDialog: pickBundle,
    openCaseDialog: pickCase,
    // The export panel's "Choose…": opens next to the open case, like File → Export Report….
    saveReportDialog: createReportSaveDialog(
      (options) => dialog.showSaveDialog(win!, options),
      () => {
        const info = service.caseInfo();
        return info ? dirname(info.path) : null;
      },
    ),
    recentCases: () => recent,
    caseOpened: remember,
  });
  contractHandlers = handlers;
  registerContractHandlers(ipcMain, handlers, (url) => isAllowedNavigation(url, RENDERER_URL));
  const caseArg = process.argv.find((a) => a.startsWith('--case='));
  if (caseArg) service.openCase(caseArg.slice('--case='.length));
  buildMenu();
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

app.on('will-quit', () => {
  service.close();
});
