import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CALL_NAMES, callChannel } from '../../contract/index.js';
import { WorkbenchService } from '../../analysis/service/workbench-service.js';
import { createCallHandlers } from '../../analysis/service/contract-handlers.js';
import { fakeIngestRunner } from '../../analysis/service/service-test-support.js';
import { registerContractHandlers, type IpcMainLike } from './ipc-handlers.js';
import { isAllowedNavigation, secureWindowOptions } from './window-options.js';
import { loadRecent, MAX_RECENT, withRecent } from './recent-cases.js';
import { menuTemplate } from './app-menu.js';

const PAGE = 'file:///opt/mlshield/dist/renderer/index.html';

function fakeIpcMain() {
  const handlers = new Map<string, (event: { senderFrame?: { url: string } | null }, ...args: unknown[]) => unknown>();
  const ipc: IpcMainLike = {
    handle: (channel, listener) => {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      handlers.set(channel, listener);
    },
    removeHandler: (channel) => handlers.delete(channel),
  };
  return { ipc, handlers };
}

describe('main process', () => {
  it('registers exactly the contract calls, validates arguments and refuses foreign senders', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlshield-main-'));
    try {
      const service = new WorkbenchService({ runner: fakeIngestRunner(), caseDirectory: dir });
      const { ipc, handlers } = fakeIpcMain();
      const off = registerContractHandlers(ipc, createCallHandlers(service, { shell: 'electron' }), (url) => isAllowedNavigation(url, PAGE));
      expect([...handlers.keys()].sort()).toEqual(CALL_NAMES.map(callChannel).sort());
      const open = handlers.get(callChannel('case.open'))!;
      const ok = (await open({ senderFrame: { url: PAGE } }, { path: join(dir, 'c.sqlite') })) as { ok: boolean; value: { events: number } };
      expect(ok).toMatchObject({ ok: true, value: { events: 0 } });
      expect(await open({ senderFrame: { url: PAGE } }, { path: 42 })).toMatchObject({ ok: false, error: expect.stringMatching(/^Invalid argument for case\.open: path/) });
      expect(await open({ senderFrame: { url: 'https://evil.example/' } }, { path: join(dir, 'd.sqlite') })).toMatchObject({ ok: false, error: expect.stringMatching(/^refused/) });
      expect(await open({ senderFrame: null }, { path: join(dir, 'd.sqlite') })).toMatchObject({ ok: false });
      off();
      expect(handlers.size).toBe(0);
      service.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('creates the window with isolation, sandbox and no Node in the page', () => {
    const w = secureWindowOptions('/p/preload.cjs').webPreferences!;
    expect(w).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false, preload: '/p/preload.cjs' });
  });

  it('allows navigation only to its own page', () => {
    expect(isAllowedNavigation(PAGE, PAGE)).toBe(true);
    expect(isAllowedNavigation(`${PAGE}#events`, PAGE)).toBe(true);
    expect(isAllowedNavigation('file:///etc/passwd', PAGE)).toBe(false);
    expect(isAllowedNavigation('https://example.com/', PAGE)).toBe(false);
    expect(isAllowedNavigation('not a url', PAGE)).toBe(false);
  });

  it('keeps a short recent list, newest first, without duplicates, and survives a damaged file', () => {
    let list = withRecent([], '/a.sqlite', new Date(0));
    for (let i = 0; i < 15; i++) list = withRecent(list, `/c${i}.sqlite`, new Date(i));
    list = withRecent(list, '/c3.sqlite', new Date(99));
    expect(list).toHaveLength(MAX_RECENT);
    expect(list[0]!.path).toBe('/c3.sqlite');
    expect(list.filter((r) => r.path === '/c3.sqlite')).toHaveLength(1);
    const dir = mkdtempSync(join(tmpdir(), 'mlshield-recent-'));
    writeFileSync(join(dir, 'r.json'), '{not json');
    expect(loadRecent(join(dir, 'r.json'))).toEqual([]);
    writeFileSync(join(dir, 'r.json'), JSON.stringify([{ path: '/x', openedAt: 't' }, { path: 3 }]));
    expect(loadRecent(join(dir, 'r.json'))).toEqual([{ path: '/x', openedAt: 't' }]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('has File menu items for bundles, cases, recent cases and the report', () => {
    const calls: string[] = [];
    const t = menuTemplate(
      { openBundle: () => calls.push('bundle'), openCase: () => calls.push('case'), openRecent: (p) => calls.push(`recent ${p}`), exportReport: () => calls.push('export'), showView: (v) => calls.push(`view ${v}`) },
      [{ path: '/cases/a.sqlite', openedAt: 'x' }],
      false,
    );
    const file = t.find((m) => m.label === 'File')!.submenu as { label?: string; click?: () => void; submenu?: { label: string; click: () => void }[] }[];
    expect(file.map((i) => i.label).filter(Boolean)).toEqual(['Open Bundle…', 'Open Case…', 'Open Recent', 'Export Report…']);
    for (const i of file) i.click?.();
    file.find((i) => i.label === 'Open Recent')!.submenu![0]!.click();
    expect(calls).toEqual(['bundle', 'case', 'export', 'recent /cases/a.sqlite']);
  });
});
