/**
 * The PDF report from the sample incident's case, printed by headless Chromium (playwright-core)
 * through the shared print passes (toc-page-numbers.ts) exactly as `mlshield report --format pdf`
 * prints it, and read back with poppler-utils' `pdftotext`/`pdfinfo` (tests may spawn tools; the
 * product never does): more than one page, page numbers in the footer, the summary's text, and a
 * table of contents whose page number for every section is the page where pdftotext finds that
 * section's heading. Runs only where Chromium and pdftotext exist.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSampleCase, type SampleCase } from './sample-case.js';
import { buildReportFor } from './report-export.js';
import { REPORT_SECTIONS } from './report-html.js';
import { chromiumPath, withChromiumPdf } from './report-pdf.js';
import { printWithTocPageNumbers } from './toc-page-numbers.js';
import { electronPrintOptions, pdfLayout, playwrightPdfOptions } from './pdf-layout.js';

const chromium = chromiumPath();
const poppler = existsSync('/usr/bin/pdftotext') && existsSync('/usr/bin/pdfinfo');
const why = !chromium ? ' (skipped: no Chromium at /usr/bin/chromium or MLSHIELD_CHROMIUM)' : !poppler ? ' (skipped: poppler-utils pdftotext/pdfinfo not installed)' : '';
let sample: SampleCase;

beforeAll(async () => {
  sample = await buildSampleCase();
});
afterAll(() => {
  sample.store.close();
  rmSync(sample.dir, { recursive: true, force: true });
});

const squash = (s: string): string => s.replace(/\s+/g, ' ');
const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Lines of text of page `n` (1-based), as pdftotext -layout lays them out. */
const pageLines = (file: string, n: number): string[] =>
  execFileSync('pdftotext', ['-layout', '-f', String(n), '-l', String(n), file, '-'], { encoding: 'utf8' }).split('\n').map((l) => l.trim());

describe('PDF report', () => {
  it.skipIf(!chromium || !poppler)(`is paginated with page numbers, carries the summary, and numbers its contents${why}`, async () => {
    const report = buildReportFor(sample.store.db, { format: 'pdf', casePath: sample.casePath, schemaVersion: sample.store.schemaVersion() });
    const t0 = performance.now();
    const { result, blockedRequests } = await withChromiumPdf(report.title, report.generatedAt, (print) => printWithTocPageNumbers(report, print));
    const ms = performance.now() - t0;
    expect(blockedRequests).toBe(0);
    expect(result.problem).toBeNull();
    expect(result.passes).toBe(2);
    const pdf = Buffer.from(result.pdf);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const file = join(sample.dir, 'report.pdf');
    writeFileSync(file, pdf);
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))?.[1]);
    expect(pages).toBeGreaterThanOrEqual(2);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(squash(text)).toContain('Incident summary');
    expect(squash(text)).toContain('Contents');
    expect(text).toContain(report.summary.incidentId!);
    expect(squash(text)).toContain(`${report.summary.events} events from ${report.summary.sources} input files`);
    expect(text).toContain('Page 1 of');
    expect(text).toContain(`Page ${pages} of ${pages}`);
    expect(text).toContain('Chain of custody');

    // The contents (page 1): "<title> …… <page>" for every section, in order, pages ascending.
    const toc = pageLines(file, 1);
    const listed = REPORT_SECTIONS.map(([id, title]) => {
      const row = toc.map((l) => new RegExp(`^${escapeRe(title)}\\s+(\\d+)$`).exec(l)).find((m) => m !== null);
      expect(row, `contents row for ${title}`).toBeDefined();
      return { id, title, page: Number(row![1]) };
    });
    expect(listed.map((x) => x.page)).toEqual([...listed.map((x) => x.page)].sort((a, b) => a - b));
    // Each heading is a line of its own on exactly the page the contents give, and on no page before it.
    const byPage = text.split('\f').map((p) => p.split('\n').map((l) => l.trim()));
    for (const { id, title, page } of listed) {
      expect(page, title).toBe(result.tocPages?.[id]);
      expect(page).toBeLessThanOrEqual(pages);
      expect(pageLines(file, page), `${title} on page ${page}`).toContain(title);
      expect(byPage.findIndex((lines) => lines.includes(title)) + 1, `first page with the heading ${title}`).toBe(page);
    }
    console.log(`PDF report: ${pages} pages, ${result.passes} passes, ${Math.round(ms)} ms in Chromium`);
  }, 180_000);
});

describe('pdfLayout', () => {
  it('escapes the title and converts margins for Electron', () => {
    const l = pdfLayout('<b>x</b>', '2026-01-01T00:00:00.000Z');
    expect(l.headerTemplate).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(l.footerTemplate).toContain('<span class="pageNumber"></span>');
    const e = electronPrintOptions(l);
    expect(e.margins.top).toBeCloseTo(16 / 25.4, 3);
    expect(e.pageSize).toBe('A4');
  });

  it('keeps paper and margins in the measure pass and drops only what cannot move content', () => {
    const l = pdfLayout('t', 'g');
    for (const options of [playwrightPdfOptions, electronPrintOptions] as const) {
      const final: Record<string, unknown> = options(l, 'final');
      const measure: Record<string, unknown> = options(l, 'measure');
      const layoutNeutral = ['printBackground', 'displayHeaderFooter', 'headerTemplate', 'footerTemplate', 'outline', 'tagged', 'generateDocumentOutline'];
      for (const key of Object.keys(final)) {
        if (!layoutNeutral.includes(key)) expect(measure[key], key).toEqual(final[key]);
      }
      expect(measure['displayHeaderFooter']).toBe(false);
      expect(final['displayHeaderFooter']).toBe(true);
    }
    expect(playwrightPdfOptions(l)).toMatchObject({ format: 'A4', outline: true, tagged: true, printBackground: true });
  });
});
