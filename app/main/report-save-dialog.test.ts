/** `dialog.saveReport` in main: registered with the contract, validated, and answered by an injected save dialog. */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callChannel } from '../../contract/index.js';
import { WorkbenchService } from '../../analysis/service/workbench-service.js';
import { createCallHandlers } from '../../analysis/service/contract-handlers.js';
import { fakeIngestRunner } from '../../analysis/service/service-test-support.js';
import { registerContractHandlers, type IpcMainLike } from './ipc-handlers.js';
import { createReportSaveDialog, reportSaveFilters, withReportExtension, type ReportSaveDialogOptions } from './report-save-dialog.js';

const PAGE = 'file:///opt/mlshield/dist/renderer/index.html';
type Listener = (event: { senderFrame?: { url: string } | null }, ...args: unknown[]) => unknown;

function registered(answer: (o: ReportSaveDialogOptions) => { canceled: boolean; filePath?: string }) {
  const dir = mkdtempSync(join(tmpdir(), 'mlshield-save-'));
  const service = new WorkbenchService({ runner: fakeIngestRunner(), caseDirectory: dir });
  const shown: ReportSaveDialogOptions[] = [];
  const handlers = new Map<string, Listener>();
  const ipc: IpcMainLike = { handle: (c, l) => void handlers.set(c, l), removeHandler: (c) => void handlers.delete(c) };
  registerContractHandlers(
    ipc,
    createCallHandlers(service, {
      shell: 'electron',
      saveReportDialog: createReportSaveDialog(
        async (o) => {
          shown.push(o);
          return answer(o);
        },
        () => '/cases',
      ),
    }),
    (url) => url === PAGE,
  );
  const save = (args: unknown) => handlers.get(callChannel('dialog.saveReport'))!({ senderFrame: { url: PAGE } }, args);
  const done = () => {
    service.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { save, shown, done };
}

describe('dialog.saveReport (main)', () => {
  it('opens the save dialog next to the case on the suggested name, filtered to the format, and answers the chosen path', async () => {
    const { save, shown, done } = registered(() => ({ canceled: false, filePath: '/evidence/INC-7-report.pdf' }));
    expect(await save({ suggestedName: 'INC-7-report.pdf', format: 'pdf' })).toEqual({ ok: true, value: '/evidence/INC-7-report.pdf' });
    expect(shown).toEqual([
      {
        title: 'Export report',
        defaultPath: '/cases/INC-7-report.pdf',
        filters: [{ name: 'PDF report', extensions: ['pdf'] }, { name: 'All files', extensions: ['*'] }],
        properties: ['createDirectory', 'showOverwriteConfirmation'],
      },
    ]);
    done();
  });

  it('answers null when the analyst cancels', async () => {
    const { save, done } = registered(() => ({ canceled: true, filePath: '' }));
    expect(await save({ suggestedName: 'r.html', format: 'html' })).toEqual({ ok: true, value: null });
    done();
  });

  it('refuses folders in the suggested name, unknown formats and extra keys before any dialog opens', async () => {
    const { save, shown, done } = registered(() => ({ canceled: false, filePath: '/x' }));
    for (const bad of [
      { suggestedName: '../../etc/passwd', format: 'html' },
      { suggestedName: 'C:\\Windows\\r.html', format: 'html' },
      { suggestedName: '..', format: 'html' },
      { suggestedName: '', format: 'html' },
      { suggestedName: 'x'.repeat(300), format: 'html' },
      { suggestedName: 'r.exe', format: 'exe' },
      { suggestedName: 'r.html', format: 'html', path: '/tmp' },
      42,
    ]) {
      expect(await save(bad)).toMatchObject({ ok: false, error: expect.stringMatching(/^Invalid argument for dialog\.saveReport/) });
    }
    expect(shown).toEqual([]);
    done();
  });

  it('answers null where no dialog exists (mlshield serve)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlshield-save-'));
    const service = new WorkbenchService({ runner: fakeIngestRunner(), caseDirectory: dir });
    const h = createCallHandlers(service, { shell: 'http' });
    expect(await h['dialog.saveReport']({ suggestedName: 'r.html', format: 'html' })).toBeNull();
    service.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('has a filter for every format and adds the extension only to a name typed without one', () => {
    for (const f of ['html', 'pdf', 'json', 'sarif', 'jsonl'] as const) expect(reportSaveFilters(f)[0]!.extensions).toEqual([f]);
    expect(withReportExtension('/r/report', 'sarif')).toBe('/r/report.sarif');
    expect(withReportExtension('/r.d/report', 'pdf')).toBe('/r.d/report.pdf');
    expect(withReportExtension('/r/report.htm', 'html')).toBe('/r/report.htm');
  });
});
