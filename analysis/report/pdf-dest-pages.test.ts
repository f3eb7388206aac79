/**
 * The named-destination reader on a real first printed pass of the report (fixtures/
 * report-first-pass.pdf, Chromium 156 / Skia: its section headings are on the pages listed in
 * fixtures/SOURCES.tsv, checked with pdftotext when it was made), on synthetic PDFs for the forms
 * Skia does not write (name tree, deep page tree, incremental update), and on broken and
 * seeded-random damaged bytes: never a throw, never a hang, every page it reports exists.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { namedDestinationPages } from './pdf-dest-pages.js';
import { syntheticPdf, withIncrementalUpdate } from './synthetic-pdf.test-support.js';

const FIXTURE = readFileSync(join(import.meta.dirname, 'fixtures', 'report-first-pass.pdf'));
const FIXTURE_PAGES = { summary: 1, timeline: 3, cascade: 4, metrics: 5, alerts: 6, checkpoints: 10, judge: 12, annotations: 13, custody: 14 };

const pagesOf = (pdf: Uint8Array): Record<string, number> => {
  const r = namedDestinationPages(pdf);
  if (!r.ok) throw new Error(r.reason);
  return Object.fromEntries(r.pages);
};
const reasonOf = (pdf: Uint8Array): string => {
  const r = namedDestinationPages(pdf);
  return r.ok ? 'ok' : r.reason;
};

describe('namedDestinationPages', () => {
  it('reads the sections of a real Chromium first pass', () => {
    const r = namedDestinationPages(FIXTURE);
    expect(r.ok && r.pageCount).toBe(16);
    expect(pagesOf(FIXTURE)).toEqual(FIXTURE_PAGES);
  });

  it('reads the /Dests dictionary and the name tree, with escaped names and a deep page tree', () => {
    const dests = { a: 1, 'b c#(1)': 7, 'z-last': 37 };
    expect(pagesOf(syntheticPdf({ pages: 37, dests }))).toEqual(dests);
    expect(pagesOf(syntheticPdf({ pages: 37, dests, kidsPerNode: 2 }))).toEqual(dests);
    expect(pagesOf(syntheticPdf({ pages: 37, dests, nameTree: true, kidsPerNode: 3 }))).toEqual(dests);
  });

  it('follows an incremental update: the newer object wins', () => {
    const base = syntheticPdf({ pages: 5, dests: { s: 2 } });
    // Object 1 is the catalog; object 2 the first page… find the /Dests dictionary's number.
    const destsObj = Number(/\/Dests (\d+) 0 R/.exec(base.toString('latin1'))![1]);
    const page4 = Number(/\/Kids \[(?:\d+ 0 R ){3}(\d+) 0 R/.exec(base.toString('latin1'))![1]);
    expect(pagesOf(withIncrementalUpdate(base, destsObj, `<< /s [${page4} 0 R /Fit] >>`))).toEqual({ s: 4 });
  });

  it('finds objects by the xref only, not by text that imitates PDF syntax', () => {
    const noise = 'endobj\n1 0 obj << /Type /Catalog /Dests << /s [9 0 R /Fit] >> >> endobj\nxref\n0 1\ntrailer << /Root 1 0 R >>\nstartxref\n0\n%%EOF';
    expect(pagesOf(syntheticPdf({ pages: 3, dests: { s: 2 }, noise }))).toEqual({ s: 2 });
  });

  it('ignores destinations that do not point at a page', () => {
    const pdf = syntheticPdf({ pages: 2, dests: { gone: 9, here: 2 } });
    expect(pagesOf(pdf)).toEqual({ here: 2 });
  });

  it('gives a reason for what it cannot read', () => {
    expect(reasonOf(new Uint8Array())).toMatch(/startxref/);
    expect(reasonOf(Buffer.from('%PDF-1.7\nhello'))).toMatch(/startxref/);
    expect(reasonOf(Buffer.from('%PDF-1.7\n1 0 obj << /Type /XRef >> stream\nendstream endobj\nstartxref\n9\n%%EOF'))).toMatch(/cross-reference stream/);
    expect(reasonOf(Buffer.from('xref\n0 99999999\ntrailer <<>>\nstartxref\n0\n%%EOF'))).toMatch(/xref subsection/);
    expect(reasonOf(Buffer.from(`xref\n0 0\ntrailer << /Root ${'['.repeat(100_000)} >>\nstartxref\n0\n%%EOF`))).toMatch(/nested too deeply/);
    expect(reasonOf(Buffer.from('xref\n0 0\ntrailer << /Prev 0 >>\nstartxref\n0\n%%EOF'))).toMatch(/loops/);
    expect(reasonOf(Buffer.from('xref\n0 0\ntrailer << /Root 1 0 R >>\nstartxref\n0\n%%EOF'))).toMatch(/catalog/);
    // A page tree whose node lists itself as a kid.
    const base = syntheticPdf({ pages: 2, dests: { s: 1 } });
    const root = Number(/\/Pages (\d+) 0 R/.exec(base.toString('latin1'))![1]);
    expect(reasonOf(withIncrementalUpdate(base, root, `<< /Type /Pages /Kids [${root} 0 R] /Count 1 >>`))).toMatch(/cycle/);
    // The xref points into the middle of an object.
    const text = base.toString('latin1');
    const moved = text.replace(/(\d{10}) 00000 n /, (_m, off: string) => `${String(Number(off) + 3).padStart(10, '0')} 00000 n `);
    expect(reasonOf(Buffer.from(moved, 'latin1'))).not.toBe('ok');
  });

  it('survives seeded damage to the real PDF without throwing or hanging', () => {
    let seed = 20261122;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const text = FIXTURE.toString('latin1');
    // Aim most damage at the bytes the reader looks at: the xref, the catalog, /Dests, the page tree.
    const hot = [text.lastIndexOf('xref'), text.indexOf('/Type /Catalog'), text.indexOf('/summary ['), text.indexOf('/Type /Pages')];
    const tokens = ['obj', 'endobj', 'R', '<<', '>>', '[', ']', '(', ')', '\\', '/', '%', 'startxref', '0 0 R', '-1', '99999999999', '#', '\n'];
    const t0 = Date.now();
    let ok = 0;
    for (let i = 0; i < 400; i++) {
      const b = Buffer.from(FIXTURE);
      let out: Uint8Array = b;
      const at = rnd() < 0.8 ? Math.max(0, hot[i % hot.length]! + Math.floor((rnd() - 0.3) * 600)) : Math.floor(rnd() * b.length);
      const kind = i % 4;
      if (kind === 0) for (let k = 0; k < 1 + rnd() * 8; k++) b[Math.min(b.length - 1, at + Math.floor(rnd() * 40))] = Math.floor(rnd() * 256);
      else if (kind === 1) out = b.subarray(0, rnd() < 0.5 ? at : b.length - Math.floor(rnd() * 300));
      else if (kind === 2) out = Buffer.concat([b.subarray(0, at), Buffer.from(tokens[Math.floor(rnd() * tokens.length)]!, 'latin1'), b.subarray(at)]);
      else out = Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + Math.floor(rnd() * 50))]);
      const r = namedDestinationPages(out);
      if (r.ok) {
        ok++;
        for (const p of r.pages.values()) expect(p >= 1 && p <= r.pageCount).toBe(true);
      } else expect(r.reason.length).toBeGreaterThan(0);
    }
    expect(ok).toBeGreaterThan(0);
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});
