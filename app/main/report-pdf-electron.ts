/**
 * Electron's PDF printer for the report (the desktop app's `printPdf`; the CLI uses headless
 * Chromium through Playwright): one hidden, sandboxed window with JavaScript off, into which each
 * pass's self-contained HTML is loaded from a temporary file and printed by
 * `webContents.printToPDF` with the shared layout of its pass (analysis/report/pdf-layout.ts: A4,
 * header, page numbers, outline). The passes — a cheap `measure` print to learn where each section
 * starts, then the `final` one with the contents' page numbers — are the engine's shared
 * toc-page-numbers.ts, driven through `job`.
 * The session's request filter already refuses everything but file: and data: URLs; the report's
 * own CSP allows none.
 */
import { BrowserWindow } from 'electron';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PdfPrinter } from '../../analysis/report/report-export.js';
import { electronPrintOptions, pdfLayout } from '../../analysis/report/pdf-layout.js';

export const electronPdfPrinter: PdfPrinter = async (report, job) => {
  const dir = await mkdtemp(join(tmpdir(), 'mlshield-report-'));
  const file = join(dir, 'report.html');
  const layout = pdfLayout(report.title, report.generatedAt);
  const win = new BrowserWindow({
    show: false,
    webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, javascript: false, webSecurity: true },
  });
  try {
    return await job(async (html, pass) => {
      await writeFile(file, html);
      await win.loadFile(file);
      return win.webContents.printToPDF(electronPrintOptions(layout, pass));
    });
  } finally {
    win.destroy();
    await rm(dir, { recursive: true, force: true });
  }
};
