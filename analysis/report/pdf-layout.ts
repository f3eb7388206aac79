/**
 * Page layout shared by both PDF printers — headless Chromium through Playwright (report-pdf.ts,
 * the CLI) and Electron's `webContents.printToPDF` (app/main/report-pdf-electron.ts): A4, printed
 * backgrounds, and Chromium's header/footer templates, whose `pageNumber`/`totalPages` classes
 * Chromium fills in on every page. Templates are HTML: the title is escaped.
 *
 * The report is printed in passes (toc-page-numbers.ts). The `measure` pass exists only to learn on
 * which page each section starts, so it leaves out what cannot move content — backgrounds, header
 * and footer (drawn inside the margins), tagging and the outline — and keeps what can: paper size,
 * margins, scale. On the sample report that makes it several times cheaper than the `final` pass.
 */
import { escapeHtml } from './html-escape.js';

export interface PdfLayout {
  headerTemplate: string;
  footerTemplate: string;
  /** Margins in millimetres (room for header and footer). */
  marginMm: { top: number; bottom: number; left: number; right: number };
}

/** `measure`: a layout-identical draft whose named destinations give the sections' pages; `final`: the PDF kept. */
export type PrintPass = 'measure' | 'final';

const TEMPLATE_STYLE = 'font-family:system-ui,sans-serif;font-size:8px;color:#555;width:100%;margin:0 12mm;';

export function pdfLayout(title: string, generatedAt: string): PdfLayout {
  return {
    headerTemplate: `<div style="${TEMPLATE_STYLE}display:flex;justify-content:space-between"><span>${escapeHtml(title.slice(0, 120))}</span><span>MLShield forensic report</span></div>`,
    footerTemplate: `<div style="${TEMPLATE_STYLE}display:flex;justify-content:space-between"><span>Generated ${escapeHtml(generatedAt)}</span><span>Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>`,
    marginMm: { top: 16, bottom: 18, left: 12, right: 12 },
  };
}

/** Options for Playwright's `page.pdf` (Chromium's DevTools Page.printToPDF). */
export function playwrightPdfOptions(layout: PdfLayout, pass: PrintPass = 'final') {
  const mm = (x: number): string => `${x}mm`;
  const final = pass === 'final';
  return {
    format: 'A4',
    margin: { top: mm(layout.marginMm.top), bottom: mm(layout.marginMm.bottom), left: mm(layout.marginMm.left), right: mm(layout.marginMm.right) },
    printBackground: final,
    displayHeaderFooter: final,
    ...(final ? { headerTemplate: layout.headerTemplate, footerTemplate: layout.footerTemplate } : {}),
    outline: final,
    tagged: final,
  };
}

/** Electron's printToPDF takes margins in inches. */
export function electronPrintOptions(layout: PdfLayout, pass: PrintPass = 'final') {
  const inch = (mm: number): number => Math.round((mm / 25.4) * 1000) / 1000;
  const final = pass === 'final';
  return {
    pageSize: 'A4' as const,
    margins: { top: inch(layout.marginMm.top), bottom: inch(layout.marginMm.bottom), left: inch(layout.marginMm.left), right: inch(layout.marginMm.right) },
    printBackground: final,
    displayHeaderFooter: final,
    ...(final ? { headerTemplate: layout.headerTemplate, footerTemplate: layout.footerTemplate } : {}),
    generateDocumentOutline: final,
  };
}
