/**
 * Test support: a minimal, valid PDF (ISO 32000-1 §7.5: header, objects, classic xref table,
 * trailer) with a given number of pages and named destinations — either in the catalog's /Dests
 * dictionary, as Chromium writes them, or in a /Names → /Dests name tree — so the destination reader
 * and the print passes can be tested without a browser, including layouts a real printer gives
 * only rarely (a page tree several levels deep, an incremental update with /Prev).
 */

export interface SyntheticPdfOptions {
  pages: number;
  /** Destination name → 1-based page. */
  dests: Readonly<Record<string, number>>;
  nameTree?: boolean;
  /** Page-tree fan-out; a small number builds intermediate /Pages nodes. */
  kidsPerNode?: number;
  /** Text (e.g. hostile) written as a literal string in an extra object before the catalog's. */
  noise?: string;
}

const pdfName = (s: string): string => '/' + [...s].map((c) => (/[A-Za-z0-9_.-]/.test(c) ? c : `#${c.charCodeAt(0).toString(16).padStart(2, '0')}`)).join('');
const pdfLiteral = (s: string): string => `(${s.replace(/[\\()]/g, (c) => `\\${c}`)})`;

export function syntheticPdf(opts: SyntheticPdfOptions): Buffer {
  const objects: string[] = []; // objects[i] is object i+1
  const add = (body: string): number => objects.push(body);
  const reserve = (): number => objects.push('');
  if (opts.noise !== undefined) add(`<< /Title ${pdfLiteral(opts.noise)} >>`);
  const catalog = reserve();
  const pageRefs: number[] = [];
  const fan = Math.max(2, opts.kidsPerNode ?? 1_000_000);
  // Leaves first (their /Parent is patched below), then the tree bottom-up.
  for (let i = 0; i < opts.pages; i++) pageRefs.push(reserve());
  let level = pageRefs.map((ref) => ({ ref, count: 1 }));
  const parentOf = new Map<number, number>();
  do {
    const next: { ref: number; count: number }[] = [];
    for (let i = 0; i < level.length; i += fan) {
      const kids = level.slice(i, i + fan);
      const ref = reserve();
      for (const k of kids) parentOf.set(k.ref, ref);
      const count = kids.reduce((a, k) => a + k.count, 0);
      objects[ref - 1] = `<< /Type /Pages /Kids [${kids.map((k) => `${k.ref} 0 R`).join(' ')}] /Count ${count} >>`;
      next.push({ ref, count });
    }
    level = next;
  } while (level.length > 1);
  const root = level[0]!.ref;
  for (const ref of pageRefs) objects[ref - 1] = `<< /Type /Page /Parent ${parentOf.get(ref)} 0 R /MediaBox [0 0 595 842] >>`;
  const dest = (page: number): string => `[${pageRefs[page - 1] ?? 0} 0 R /XYZ 12 800 0]`;
  const entries = Object.entries(opts.dests);
  let destsEntry: string;
  if (opts.nameTree) {
    const sorted = entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const leaf = add(`<< /Names [${sorted.map(([n, p]) => `${pdfLiteral(n)} ${dest(p)}`).join(' ')}] >>`);
    destsEntry = `/Names << /Dests << /Kids [${leaf} 0 R] >> >>`;
  } else {
    const dict = add(`<< ${entries.map(([n, p]) => `${pdfName(n)} ${dest(p)}`).join('\n')} >>`);
    destsEntry = `/Dests ${dict} 0 R`;
  }
  objects[catalog - 1] = `<< /Type /Catalog /Pages ${root} 0 R ${destsEntry} >>`;

  let out = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) out += `${String(off).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root ${catalog} 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/**
 * An incremental update (§7.5.6) appended to `base`: object `num` rewritten as `body`, a new xref
 * section for it and a trailer whose /Prev points at the old table.
 */
export function withIncrementalUpdate(base: Buffer, num: number, body: string): Buffer {
  const text = base.toString('latin1');
  const prev = Number(/startxref\s+(\d+)/.exec(text.slice(text.lastIndexOf('startxref')))![1]);
  const root = /\/Root (\d+) 0 R/.exec(text)![1];
  const size = Number(/\/Size (\d+)/.exec(text)![1]);
  let out = text;
  const off = Buffer.byteLength(out, 'latin1');
  out += `${num} 0 obj\n${body}\nendobj\n`;
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n${num} 1\n${String(off).padStart(10, '0')} 00000 n \ntrailer\n<< /Size ${size} /Root ${root} 0 R /Prev ${prev} >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}
