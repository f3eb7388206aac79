/**
 * On which page of a PDF each named destination lies. Chromium turns every element that an
 * internal link (`<a href="#id">`) points at into a named destination `id` whose explicit
 * destination array starts with the page object (ISO 32000-1 §12.3.2.2); the report's table of
 * contents links to every section, so the first printed pass tells exactly where each section
 * starts, for any layout, without a text extractor. Both forms are read: the catalog's `/Dests`
 * dictionary (PDF 1.1, what Skia writes) and the `/Names` → `/Dests` name tree (§7.9.6). Pages are
 * numbered 1… in page-tree order (§7.7.3.2), as the footer's "Page N of M" counts them.
 */
import { PdfDocument, PdfName, PdfReadError, PdfRef, PdfString, isDict, type PdfDict, type PdfValue } from './pdf-objects.js';

export type DestPages =
  | { ok: true; pageCount: number; pages: Map<string, number> }
  | { ok: false; reason: string };

/** Page-tree nodes and name-tree nodes visited at most; tree depth at most. */
export const MAX_TREE_NODES = 1_000_000;
export const MAX_TREE_DEPTH = 64;
/** Destinations read at most (the report needs a dozen). */
export const MAX_DESTINATIONS = 100_000;

/** Named destination → 1-based page number. Never throws: unreadable input gives `{ ok: false, reason }`. */
export function namedDestinationPages(pdf: Uint8Array): DestPages {
  try {
    const doc = new PdfDocument(pdf);
    const catalog = doc.resolve(doc.trailer.get('Root'));
    if (!isDict(catalog)) return { ok: false, reason: 'no document catalog' };
    const pageIndex = pageNumbers(doc, catalog);
    const pages = new Map<string, number>();
    for (const [name, dest] of namedDestinations(doc, catalog)) {
      const page = destinationPage(doc, dest, pageIndex);
      if (page !== null && !pages.has(name)) pages.set(name, page);
    }
    return { ok: true, pageCount: pageIndex.size, pages };
  } catch (err) {
    // PdfReadError for what the reader recognised; anything else is still bad input, not a crash.
    return { ok: false, reason: err instanceof PdfReadError ? err.message : `malformed PDF (${err instanceof Error ? err.message : String(err)})` };
  }
}

/** Page object number → page number, walking /Kids in order; cycles and runaway trees are errors. */
function pageNumbers(doc: PdfDocument, catalog: PdfDict): Map<number, number> {
  const out = new Map<number, number>();
  const visited = new Set<number>();
  let nodes = 0;
  const walk = (ref: PdfValue | undefined, depth: number): void => {
    if (!(ref instanceof PdfRef)) throw new PdfReadError('page tree node is not an indirect object');
    if (visited.has(ref.num)) throw new PdfReadError('page tree has a cycle');
    if (depth > MAX_TREE_DEPTH || ++nodes > MAX_TREE_NODES) throw new PdfReadError('page tree too deep or too large');
    visited.add(ref.num);
    const node = doc.object(ref.num);
    if (!isDict(node)) throw new PdfReadError(`page tree node ${ref.num} is not a dictionary`);
    const kids = doc.resolve(node.get('Kids'));
    if (Array.isArray(kids)) for (const kid of kids) walk(kid, depth + 1);
    else out.set(ref.num, out.size + 1);
  };
  walk(catalog.get('Pages'), 0);
  return out;
}

/** Every (name, destination) pair, from /Dests and from the /Names → /Dests name tree. */
function namedDestinations(doc: PdfDocument, catalog: PdfDict): [string, PdfValue | undefined][] {
  const out: [string, PdfValue | undefined][] = [];
  const dests = doc.resolve(catalog.get('Dests'));
  if (isDict(dests)) {
    for (const [name, dest] of dests) {
      if (out.length >= MAX_DESTINATIONS) break;
      out.push([name, dest]);
    }
  }
  const names = doc.resolve(catalog.get('Names'));
  const tree = isDict(names) ? names.get('Dests') : undefined;
  if (tree === undefined) return out;
  const visited = new Set<number>();
  let nodes = 0;
  const walk = (v: PdfValue | undefined, depth: number): void => {
    if (v instanceof PdfRef) {
      if (visited.has(v.num)) throw new PdfReadError('name tree has a cycle');
      visited.add(v.num);
    }
    if (depth > MAX_TREE_DEPTH || ++nodes > MAX_TREE_NODES) throw new PdfReadError('name tree too deep or too large');
    const node = doc.resolve(v);
    if (!isDict(node)) return;
    const pairs = doc.resolve(node.get('Names'));
    if (Array.isArray(pairs)) {
      for (let i = 0; i + 1 < pairs.length && out.length < MAX_DESTINATIONS; i += 2) {
        const key = pairs[i];
        if (key instanceof PdfString) out.push([key.text(), pairs[i + 1]]);
      }
    }
    const kids = doc.resolve(node.get('Kids'));
    if (Array.isArray(kids)) for (const kid of kids) walk(kid, depth + 1);
  };
  walk(tree, 0);
  return out;
}

/** The page of an explicit destination `[page /XYZ …]`, or of a dictionary `<< /D [page …] >>` (§12.3.2.3). */
function destinationPage(doc: PdfDocument, dest: PdfValue | undefined, pageIndex: Map<number, number>): number | null {
  let d = doc.resolve(dest);
  if (isDict(d)) d = doc.resolve(d.get('D'));
  if (!Array.isArray(d) || !(d[0] instanceof PdfRef) || !(d[1] instanceof PdfName)) return null;
  return pageIndex.get(d[0].num) ?? null;
}
