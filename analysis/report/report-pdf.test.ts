/**
 * The PDF report from the sample incident's case, printed by headless Chromium (playwright-core)
 * and read back with poppler-utils' `pdftotext`/`pdfinfo` (tests may spawn tools; the product never
 * does): more than one page, page numbers in the footer, the summary's text, the contents. Runs only
 * where Chromium and pdftotext exist.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSampleCase, type SampleCase } from './sample-case.js';
import { buildReportFor } from './report-export.js';
import { reportHtml } from './report-html.js';
import { chromiumPath, htmlToPdf } from './report-pdf.js';
import { electronPrintOptions, pdfLayout } from './pdf-layout.js';

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

describe('PDF report', () => {
  it.skipIf(!chromium || !poppler)(`is paginated with page numbers and carries the summary${why}`, async () => {
    const report = buildReportFor(sample.store.db, { format: 'pdf', casePath: sample.casePath, schemaVersion: sample.store.schemaVersion() });
    const { pdf, blockedRequests } = await htmlToPdf(reportHtml(report), report.title, report.generatedAt);
    expect(blockedRequests).toBe(0);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const file = join(sample.dir, 'report.pdf');
    writeFileSync(file, pdf);
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))?.[1]);
    expect(pages).toBeGreaterThanOrEqual(2);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const squash = (s: string): string => s.replace(/\s+/g, ' ');
    expect(squash(text)).toContain('Incident summary');
    expect(squash(text)).toContain('Contents');
    expect(text).toContain(report.summary.incidentId!);
    expect(squash(text)).toContain(`${report.summary.events} events from ${report.summary.sources} input files`);
    expect(text).toContain('Page 1 of');
    expect(text).toContain(`Page ${pages} of ${pages}`);
    expect(text).toContain('Chain of custody');
  }, 120_000);
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
});
