/**
 * Electron's PDF printer without Electron (it cannot run here): `electron` is replaced by a stand-in
 * BrowserWindow whose printToPDF answers with a synthetic PDF placing the sections as Chromium
 * would. Through the engine's renderReport — the path the app's File → Export Report… takes — the
 * printer loads the measure pass and then the final pass into one hidden, sandboxed, script-less
 * window, prints each with the shared options of its pass, returns the final PDF whose contents
 * carry the page numbers, and leaves no window or temporary file behind, also when printing fails.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildSampleCase, type SampleCase } from '../../analysis/report/sample-case.js';
import { buildReportFor, renderReport } from '../../analysis/report/report-export.js';
import { electronPrintOptions, pdfLayout } from '../../analysis/report/pdf-layout.js';
import { syntheticPdf } from '../../analysis/report/synthetic-pdf.test-support.js';
import type { ForensicReport } from '../../analysis/report/forensic-report.js';

const LAYOUT = { summary: 1, timeline: 2, cascade: 4, metrics: 5, alerts: 6, checkpoints: 30, judge: 31, annotations: 32, custody: 33 };

const fake = vi.hoisted(() => ({
  windows: [] as { options: unknown; loaded: { file: string; html: string }[]; printed: Record<string, unknown>[]; destroyed: boolean }[],
  failPrint: false,
}));

vi.mock('electron', () => ({
  BrowserWindow: class {
    private readonly state: (typeof fake.windows)[number];
    readonly webContents: { printToPDF: (options: Record<string, unknown>) => Promise<Buffer> };
    constructor(options: unknown) {
      this.state = { options, loaded: [], printed: [], destroyed: false };
      fake.windows.push(this.state);
      this.webContents = {
        printToPDF: async (options) => {
          if (fake.failPrint) throw new Error('printing failed');
          this.state.printed.push(options);
          return syntheticPdf({ pages: 40, dests: LAYOUT });
        },
      };
    }
    async loadFile(file: string): Promise<void> {
      this.state.loaded.push({ file, html: readFileSync(file, 'utf8') });
    }
    destroy(): void {
      this.state.destroyed = true;
    }
  },
}));

const { electronPdfPrinter } = await import('./report-pdf-electron.js');

let sample: SampleCase;
let report: ForensicReport;
beforeAll(async () => {
  sample = await buildSampleCase();
  report = buildReportFor(sample.store.db, { format: 'pdf', casePath: sample.casePath, schemaVersion: sample.store.schemaVersion() });
});
afterAll(() => {
  sample.store.close();
  rmSync(sample.dir, { recursive: true, force: true });
});
beforeEach(() => {
  fake.windows.length = 0;
  fake.failPrint = false;
});

describe('electronPdfPrinter', () => {
  it('prints the measure pass and the numbered final pass in one sandboxed window, then cleans up', async () => {
    const pdf = Buffer.from(await renderReport(report, 'pdf', electronPdfPrinter));
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(fake.windows).toHaveLength(1);
    const [win] = fake.windows;
    expect(win!.options).toMatchObject({ show: false, webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, javascript: false } });
    const layout = pdfLayout(report.title, report.generatedAt);
    expect(win!.printed).toEqual([electronPrintOptions(layout, 'measure'), electronPrintOptions(layout, 'final')]);
    expect(win!.loaded).toHaveLength(2);
    const cells = (html: string): string[] => [...html.matchAll(/<span class="pg">([^<]*)<\/span>/g)].map((m) => m[1]!);
    expect(cells(win!.loaded[0]!.html).every((c) => c === '&nbsp;')).toBe(true);
    expect(cells(win!.loaded[1]!.html)).toEqual(Object.values(LAYOUT).map(String));
    expect(win!.destroyed).toBe(true);
    expect(existsSync(dirname(win!.loaded[0]!.file))).toBe(false);
  });

  it('closes the window and removes the temporary file when printing fails', async () => {
    fake.failPrint = true;
    await expect(renderReport(report, 'pdf', electronPdfPrinter)).rejects.toThrow(/printing failed/);
    const [win] = fake.windows;
    expect(win!.destroyed).toBe(true);
    expect(existsSync(dirname(win!.loaded[0]!.file))).toBe(false);
  });
});
