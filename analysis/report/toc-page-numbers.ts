/**
 * Page numbers in the printed report's table of contents, for both printers (headless Chromium in
 * report-pdf.ts, Electron's printToPDF in app/main). Chromium has no CSS `target-counter()`, so the
 * report is printed in passes on the same page or window:
 * 1. a `measure` pass (pdf-layout.ts: same paper and margins, none of the costly layout-neutral
 *    extras) with the contents' page column reserved but blank; its named destinations
 *    (pdf-dest-pages.ts — one per section, because the contents link to each) say exactly where
 *    every section starts, for any layout;
 * 2. the `final` pass with those numbers filled in. The contents have the same boxes in both
 *    passes (report-html.ts), so the numbers cannot move a section; the final PDF is read back to
 *    confirm it. Should it ever differ, the numbers are corrected with another final pass, and if
 *    they still do not settle the report is printed without numbers — never with wrong ones.
 * When a printer's PDF carries no readable destinations, the final pass has a blank column too.
 */
import type { ForensicReport } from './forensic-report.js';
import type { PrintPass } from './pdf-layout.js';
import { namedDestinationPages } from './pdf-dest-pages.js';
import { REPORT_SECTIONS, reportHtml, type ReportSectionId, type TocPages } from './report-html.js';

/** Prints one HTML document to PDF bytes on an already open browser page or window. */
export type PrintHtml = (html: string, pass: PrintPass) => Promise<Uint8Array>;

/** Final passes with numbers at most, before falling back to a contents list without them. */
export const MAX_NUMBERED_PASSES = 2;

export interface TocPrint {
  pdf: Uint8Array;
  /** The numbers the returned PDF's contents show; null when it shows none. */
  tocPages: TocPages | null;
  /** Prints made, the measure pass included. */
  passes: number;
  /** Why the numbers are missing or unconfirmed; null when they were read back from the final PDF. */
  problem: string | null;
}

/** The sections' pages from a printed PDF, or the reason they cannot be read. */
export function tocPagesOf(pdf: Uint8Array): { ok: true; pages: TocPages } | { ok: false; reason: string } {
  const found = namedDestinationPages(pdf);
  if (!found.ok) return found;
  const pages: Partial<Record<ReportSectionId, number>> = {};
  let known = 0;
  for (const [id] of REPORT_SECTIONS) {
    const p = found.pages.get(id);
    if (p !== undefined) {
      pages[id] = p;
      known++;
    }
  }
  if (known === 0) return { ok: false, reason: 'the PDF has no named destinations for the report sections' };
  return { ok: true, pages };
}

export function sameTocPages(a: TocPages, b: TocPages): boolean {
  return REPORT_SECTIONS.every(([id]) => a[id] === b[id]);
}

export async function printWithTocPageNumbers(report: ForensicReport, print: PrintHtml): Promise<TocPrint> {
  let passes = 1;
  let found = tocPagesOf(await print(reportHtml(report, { tocPages: null }), 'measure'));
  while (found.ok && passes <= MAX_NUMBERED_PASSES) {
    const shown = found.pages;
    const pdf = await print(reportHtml(report, { tocPages: shown }), 'final');
    passes++;
    found = tocPagesOf(pdf);
    if (!found.ok) return { pdf, tocPages: shown, passes, problem: `the final PDF could not be checked: ${found.reason}` };
    if (sameTocPages(shown, found.pages)) return { pdf, tocPages: shown, passes, problem: null };
  }
  const problem = found.ok ? `page numbers did not settle after ${MAX_NUMBERED_PASSES} numbered passes` : found.reason;
  return { pdf: await print(reportHtml(report, { tocPages: null }), 'final'), tocPages: null, passes: passes + 1, problem };
}
