/**
 * The HTML report from the sample incident's case: one self-contained file (CSP, no external URL,
 * no script), every attacker-written string escaped, the case's numbers, and — in real Chromium
 * with every network request routed to a counter that aborts it — zero requests and the SVG charts
 * drawn with a size. The Chromium test runs only where /usr/bin/chromium (or MLSHIELD_CHROMIUM) exists.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE_TEXT, buildSampleCase, type SampleCase } from './sample-case.js';
import { buildReportFor } from './report-export.js';
import { REPORT_CSP, REPORT_SECTIONS, reportHtml } from './report-html.js';
import { CHROMIUM_ARGS, chromiumPath } from './report-pdf.js';
import { escapeHtml } from './html-escape.js';
import type { ForensicReport } from './forensic-report.js';

let sample: SampleCase;
let report: ForensicReport;
let html: string;
const chromium = chromiumPath();

beforeAll(async () => {
  sample = await buildSampleCase();
  report = buildReportFor(sample.store.db, { format: 'html', casePath: sample.casePath, schemaVersion: sample.store.schemaVersion() });
  html = reportHtml(report);
});
afterAll(() => {
  sample.store.close();
  rmSync(sample.dir, { recursive: true, force: true });
});

describe('reportHtml', () => {
  it('is self-contained: CSP, no script, no external reference', () => {
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<(img|link|iframe|object|embed|video|audio|source)\b/i);
    expect(html).not.toMatch(/\s(src|href)="(?!#)/i);
    expect(html).not.toMatch(/url\(/i);
  });

  it('escapes what the attacker and the analyst wrote', () => {
    expect(html).not.toContain(HOSTILE_TEXT);
    expect(html).toContain(escapeHtml(HOSTILE_TEXT));
    expect(escapeHtml('<a href="x">\'&\u0001')).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;\\x01');
  });

  it('has every section, the table of contents and the charts', () => {
    for (const [id] of REPORT_SECTIONS) {
      expect(html).toContain(`<section id="${id}"`);
      expect(html).toContain(`<a href="#${id}">`);
    }
    for (const cls of ['timeline', 'funnel', 'metrics', 'heatmap']) expect(html).toContain(`<svg class="chart ${cls}"`);
    expect(html).toContain(escapeHtml(report.summary.headline));
    expect(html).toContain(`<b>${report.summary.events.toLocaleString('en-US')}</b>events`);
  });

  it('shows alerts with file:line, the judge with model and prompt hash, and the custody hashes', () => {
    const a = report.alerts.find((x) => x.source)!;
    expect(html).toContain(`${escapeHtml(a.source!.path)}:${a.source!.line}`);
    expect(html).toContain('claude-test');
    expect(html).toContain('a'.repeat(64));
    for (const s of report.custody.inputs) if (s.sha256) expect(html).toContain(s.sha256);
  });

  it('says when metrics were not measured', () => {
    const r = reportHtml({ ...report, metrics: null });
    expect(r).toContain('Not measured');
    expect(r).not.toContain('<svg class="chart metrics"');
  });
});

describe('the HTML report in Chromium with the network blocked', () => {
  it.skipIf(!chromium)(`makes no request and draws its charts${chromium ? '' : ' (skipped: no Chromium at /usr/bin/chromium or MLSHIELD_CHROMIUM)'}`, async () => {
    const { chromium: pw } = await import('playwright-core');
    const browser = await pw.launch({ executablePath: chromium!, headless: true, args: CHROMIUM_ARGS });
    try {
      const context = await browser.newContext();
      const requests: string[] = [];
      await context.route('**/*', (route) => {
        requests.push(route.request().url());
        return route.abort();
      });
      const page = await context.newPage();
      page.on('request', (r) => requests.push(r.url()));
      await page.setContent(html, { waitUntil: 'load' });
      const charts = await page.$$eval('svg.chart', (els) => els.map((el) => {
        const b = el.getBoundingClientRect();
        return { cls: el.getAttribute('class'), w: b.width, h: b.height, marks: el.querySelectorAll('.mark').length };
      }));
      expect(requests).toEqual([]);
      expect(charts.length).toBeGreaterThanOrEqual(4);
      for (const c of charts) {
        expect(c.w, c.cls ?? '').toBeGreaterThan(100);
        expect(c.h, c.cls ?? '').toBeGreaterThan(20);
        expect(c.marks, c.cls ?? '').toBeGreaterThan(0);
      }
      // The hostile comment is text, not an element.
      expect(await page.locator('img').count()).toBe(0);
      expect(await page.locator('script').count()).toBe(0);
    } finally {
      await browser.close();
    }
  });
});
