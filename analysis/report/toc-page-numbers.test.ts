/**
 * The print passes without a browser: a stand-in printer returns synthetic PDFs whose named
 * destinations place the sections (as Chromium's would), and the test checks what HTML each pass
 * printed — a reserved blank page column first, the numbers second, nothing else different, so
 * filling them in cannot move a section — and how the passes end when the printer's PDF has no
 * destinations or when the layout does not settle. The contents never carry report data.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE_TEXT, buildSampleCase, type SampleCase } from './sample-case.js';
import { buildReportFor } from './report-export.js';
import { REPORT_SECTIONS, TOC_MAX_PAGE, reportHtml, type TocPages } from './report-html.js';
import { MAX_NUMBERED_PASSES, printWithTocPageNumbers, sameTocPages, tocPagesOf } from './toc-page-numbers.js';
import { syntheticPdf } from './synthetic-pdf.test-support.js';
import type { ForensicReport } from './forensic-report.js';
import type { PrintPass } from './pdf-layout.js';

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

const LAYOUT = { summary: 1, timeline: 3, cascade: 4, metrics: 5, alerts: 6, checkpoints: 48, judge: 50, annotations: 51, custody: 52 } as const;
const tocOf = (html: string): string => html.slice(html.indexOf('<nav'), html.indexOf('</nav>') + 6);
const pageCells = (html: string): string[] => [...tocOf(html).matchAll(/<span class="pg">([^<]*)<\/span>/g)].map((m) => m[1]!);

/** A printer whose n-th print places the sections as layouts[n] says (the last one repeats). */
function standInPrinter(layouts: readonly TocPages[]) {
  const printed: string[] = [];
  const passes: PrintPass[] = [];
  const print = async (html: string, pass: PrintPass): Promise<Uint8Array> => {
    const layout = layouts[Math.min(printed.length, layouts.length - 1)]!;
    printed.push(html);
    passes.push(pass);
    return syntheticPdf({ pages: 60, dests: layout as Record<string, number> });
  };
  return { printed, passes, print };
}
const BLANK = REPORT_SECTIONS.map(() => '&nbsp;');

describe('printWithTocPageNumbers', () => {
  it('measures with a blank reserved column, then prints the pages read from the measure pass', async () => {
    const p = standInPrinter([LAYOUT]);
    const r = await printWithTocPageNumbers(report, p.print);
    expect(r).toMatchObject({ passes: 2, problem: null, tocPages: LAYOUT });
    expect(p.passes).toEqual(['measure', 'final']);
    expect(pageCells(p.printed[0]!)).toEqual(BLANK);
    expect(pageCells(p.printed[1]!)).toEqual(REPORT_SECTIONS.map(([id]) => String(LAYOUT[id])));
    expect(tocPagesOf(r.pdf)).toEqual({ ok: true, pages: LAYOUT });
    // The two passes differ only inside the page cells and the leaders' colour class.
    const skeleton = (html: string): string => html.replace(/<span class="pg">[^<]*<\/span>/g, '').replace(/ class="lead blank"/g, ' class="lead"');
    expect(skeleton(p.printed[1]!)).toBe(skeleton(p.printed[0]!));
  });

  it('prints the final pass without numbers when the printer writes no destinations', async () => {
    const p = standInPrinter([{}]);
    const garbage = async (html: string, pass: PrintPass): Promise<Uint8Array> => {
      await p.print(html, pass);
      return Buffer.from('%PDF-1.4 no xref at all');
    };
    const r = await printWithTocPageNumbers(report, garbage);
    expect(r).toMatchObject({ passes: 2, tocPages: null, problem: expect.stringMatching(/startxref/) });
    expect(p.passes).toEqual(['measure', 'final']);
    expect(pageCells(p.printed[1]!)).toEqual(BLANK);
    const noSections = await printWithTocPageNumbers(report, async () => syntheticPdf({ pages: 3, dests: { elsewhere: 2 } }));
    expect(noSections).toMatchObject({ passes: 2, tocPages: null, problem: expect.stringMatching(/no named destinations/) });
  });

  it('keeps checked numbers only: another pass when they moved a section, none at all when they never settle', async () => {
    const moved = { ...LAYOUT, custody: 53 };
    const settles = standInPrinter([LAYOUT, moved]);
    expect(await printWithTocPageNumbers(report, settles.print)).toMatchObject({ passes: 3, problem: null, tocPages: moved });
    expect(settles.passes).toEqual(['measure', 'final', 'final']);
    const flapping = standInPrinter([LAYOUT, moved, LAYOUT, moved]);
    const r = await printWithTocPageNumbers(report, flapping.print);
    expect(r).toMatchObject({ passes: MAX_NUMBERED_PASSES + 2, tocPages: null, problem: expect.stringMatching(/did not settle/) });
    expect(pageCells(flapping.printed.at(-1)!)).toEqual(BLANK);
    // A final PDF that cannot be read back keeps the measured numbers, and says so.
    let n = 0;
    const unreadable = await printWithTocPageNumbers(report, async () => (n++ === 0 ? syntheticPdf({ pages: 60, dests: LAYOUT }) : Buffer.from('broken')));
    expect(unreadable).toMatchObject({ passes: 2, tocPages: LAYOUT, problem: expect.stringMatching(/could not be checked/) });
  });

  it('reads the sections of the real first pass fixture', () => {
    const found = tocPagesOf(readFileSync(join(import.meta.dirname, 'fixtures', 'report-first-pass.pdf')));
    expect(found).toEqual({ ok: true, pages: { summary: 1, timeline: 3, cascade: 4, metrics: 5, alerts: 6, checkpoints: 10, judge: 12, annotations: 13, custody: 14 } });
    expect(sameTocPages(LAYOUT, { ...LAYOUT })).toBe(true);
    expect(sameTocPages(LAYOUT, { ...LAYOUT, judge: 49 })).toBe(false);
  });
});

describe('the printed contents', () => {
  it('keeps the plain link list in the HTML export and adds the page column only for print', () => {
    const screen = tocOf(reportHtml(report));
    expect(screen).toBe(`<nav class="toc"><h2>Contents</h2><ol>${REPORT_SECTIONS.map(([id, t]) => `<li><a href="#${id}">${t}</a></li>`).join('')}</ol></nav>`);
    const print = tocOf(reportHtml(report, { tocPages: LAYOUT }));
    expect(print).toContain('<nav class="toc paged">');
    for (const [id] of REPORT_SECTIONS) expect(print).toContain(`<a href="#${id}">`);
  });

  it('draws only whole page numbers in range, and nothing from the report', () => {
    const odd = { summary: 0, timeline: -3, cascade: 2.5, metrics: Number.NaN, alerts: TOC_MAX_PAGE + 1, checkpoints: TOC_MAX_PAGE, judge: 7 } as TocPages;
    expect(pageCells(reportHtml(report, { tocPages: odd }))).toEqual(['&nbsp;', '&nbsp;', '&nbsp;', '&nbsp;', '&nbsp;', String(TOC_MAX_PAGE), '7', '&nbsp;', '&nbsp;']);
    const hostile: ForensicReport = { ...report, title: HOSTILE_TEXT, summary: { ...report.summary, headline: HOSTILE_TEXT } };
    expect(tocOf(reportHtml(hostile, { tocPages: LAYOUT }))).toBe(tocOf(reportHtml(report, { tocPages: LAYOUT })));
  });
});
