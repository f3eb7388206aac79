/**
 * Electron's PDF printer for the report (the desktop app's `printPdf`; the CLI uses headless
 * Chromium through Playwright): the self-contained HTML is written to a temporary file and loaded
 * into a hidden, sandboxed window with JavaScript off, then `webContents.printToPDF` prints it with
 * the shared layout (analysis/report/pdf-layout.ts: A4, header, page numbers, outline). The session's
 * request filter already refuses everything but file: and data: URLs; the report's own CSP allows none.
 */
import { BrowserWindow } from 'electron';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PdfPrinter } from '../../analysis/report/report-export.js';
import { electronPrintOptions, pdfLayout } from '../../analysis/report/pdf-layout.js';

export const electronPdfPrinter: PdfPrinter = async (html, report) => {
  const dir = await mkdtemp(join(tmpdir(), 'mlshield-report-'));
  const file = join(dir, 'report.html');
  const win = new BrowserWindow({
    show: false,
    webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, javascript: false, webSecurity: true },
  });
  try {
    await writeFile(file, html);
    await win.loadFile(file);
    return await win.webContents.printToPDF(electronPrintOptions(pdfLayout(report.title, report.generatedAt)));
  } finally {
    win.destroy();
    await rm(dir, { recursive: true, force: true });
  }
};
