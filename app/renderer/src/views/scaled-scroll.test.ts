import { describe, expect, it } from 'vitest';
import {
  firstVisibleRow,
  isScaled,
  MAX_SCROLL_PX,
  maxReal,
  maxTop,
  reveal,
  rowOffset,
  rowWindow,
  SCROLL_START,
  scrolled,
  spacerHeight,
  topFor,
  type ScrollGeometry,
  type ScrollPos,
} from './scaled-scroll.js';

const ROW = 28;
const VIEWPORT = 600;
/** Chrome's tallest box (LayoutUnit max, 2^25 − 1 px). */
const CHROME_MAX_PX = 33_554_431;
const geometry = (count: number): ScrollGeometry => ({ count, rowHeight: ROW, viewport: VIEWPORT });

/** A seeded PRNG (mulberry32) so the random walks are the same every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The rows fully or partly on screen, from the rendered window's geometry. */
function visibleRows(g: ScrollGeometry, pos: ScrollPos): { first: number; last: number } {
  const { first, last } = rowWindow(g, pos, 0);
  return { first, last };
}

describe.each([1_000_000, 1_190_000, 1_200_000, 5_000_000, 20_000_000])('scaled scrolling over %i rows', (count) => {
  const g = geometry(count);

  it('keeps the spacer under the height Chrome can lay out', () => {
    expect(spacerHeight(g)).toBeLessThanOrEqual(MAX_SCROLL_PX);
    expect(spacerHeight(g)).toBeLessThan(CHROME_MAX_PX);
    expect(isScaled(g)).toBe(count * ROW > MAX_SCROLL_PX);
    if (!isScaled(g)) expect(spacerHeight(g)).toBe(count * ROW);
  });

  it('reaches the first row at the top and the last row, whole, at the bottom', () => {
    const bottom = scrolled(g, scrolled(g, SCROLL_START, maxTop(g) / 2), maxTop(g));
    expect(visibleRows(g, bottom).last).toBe(count - 1);
    // The last row's bottom edge is the viewport's bottom edge, inside the spacer.
    expect(rowOffset(g, bottom, count - 1) + ROW).toBe(bottom.top + VIEWPORT);
    expect(rowOffset(g, bottom, count - 1) + ROW).toBeLessThanOrEqual(spacerHeight(g));
    const top = scrolled(g, bottom, 0);
    expect(firstVisibleRow(g, top)).toBe(0);
    expect(rowOffset(g, top, 0)).toBe(0);
    // Also after wandering with small steps (the drift is taken back at the ends).
    let p = scrolled(g, SCROLL_START, Math.round(maxTop(g) * 0.3));
    for (let i = 0; i < 50; i++) p = scrolled(g, p, p.top + 100);
    expect(visibleRows(g, scrolled(g, p, maxTop(g))).last).toBe(count - 1);
    expect(firstVisibleRow(g, scrolled(g, p, 0))).toBe(0);
  });

  it('maps scrollTop to rows monotonically, jumps and small steps mixed', () => {
    const rnd = prng(count);
    let p = SCROLL_START;
    let row = 0;
    for (let i = 0; i < 5000 && p.top < maxTop(g); i++) {
      const r = rnd();
      const step = r < 0.7 ? Math.ceil(rnd() * 200) : Math.ceil(rnd() * maxTop(g) * 0.01);
      p = scrolled(g, p, Math.min(maxTop(g), p.top + step));
      const now = firstVisibleRow(g, p);
      expect(now).toBeGreaterThanOrEqual(row);
      row = now;
    }
    // And back up: never down while scrolling up.
    for (let i = 0; i < 5000 && p.top > 0; i++) {
      const r = rnd();
      const step = r < 0.7 ? Math.ceil(rnd() * 200) : Math.ceil(rnd() * maxTop(g) * 0.01);
      p = scrolled(g, p, Math.max(0, p.top - step));
      const now = firstVisibleRow(g, p);
      expect(now).toBeLessThanOrEqual(row);
      row = now;
    }
    expect(row).toBe(0);
  });

  it('skips no row when scrolling by one row height, anywhere in the list', () => {
    for (const at of [0, 0.001, 0.25, 0.5, 0.999]) {
      let p = scrolled(g, SCROLL_START, Math.round(maxTop(g) * at));
      for (let i = 0; i < 300 && p.top + ROW < maxTop(g); i++) {
        const before = firstVisibleRow(g, p);
        p = scrolled(g, p, p.top + ROW);
        expect(firstVisibleRow(g, p)).toBe(before + 1);
      }
      for (let i = 0; i < 300 && p.top - ROW > 0; i++) {
        const before = firstVisibleRow(g, p);
        p = scrolled(g, p, p.top - ROW);
        expect(firstVisibleRow(g, p)).toBe(before - 1);
      }
    }
  });

  it('puts the scrollbar in proportion: half way down is the middle of the list', () => {
    const mid = scrolled(g, SCROLL_START, Math.round(maxTop(g) / 2));
    expect(Math.abs(firstVisibleRow(g, mid) - count / 2)).toBeLessThanOrEqual(VIEWPORT / ROW);
  });

  it('moves row-exact with the keys and jumps to any row, first and last included', () => {
    const rnd = prng(7);
    let p = SCROLL_START;
    // Arrow down 100 times from the top: each press shows the next row, scrolling at most one row.
    for (let i = 1; i <= 100; i++) {
      const next = reveal(g, p, i);
      expect(next.real - p.real).toBeLessThanOrEqual(ROW);
      // The scroll event the new scrollTop fires changes nothing.
      expect(scrolled(g, next, next.top)).toBe(next);
      p = next;
      const v = visibleRows(g, p);
      expect(i).toBeGreaterThanOrEqual(v.first);
      expect((i + 1) * ROW).toBeLessThanOrEqual(p.real + VIEWPORT);
    }
    // Jump to row (End, Home, random rows, PageDown by a page): the row is on screen, whole.
    const page = Math.floor(VIEWPORT / ROW) - 1;
    for (const target of [count - 1, 0, ...Array.from({ length: 200 }, () => Math.floor(rnd() * count)), Math.floor(count / 2) + page]) {
      for (const align of ['auto', 'center', 'start', 'end'] as const) {
        const q = reveal(g, p, target, align);
        expect(target * ROW).toBeGreaterThanOrEqual(q.real);
        expect((target + 1) * ROW).toBeLessThanOrEqual(q.real + VIEWPORT);
        expect(q.top).toBeGreaterThanOrEqual(0);
        expect(q.top).toBeLessThanOrEqual(maxTop(g));
        // What the scroller then reports keeps the row where it is.
        const after = scrolled(g, q, q.top);
        expect(after.real).toBe(q.real);
        p = q;
      }
    }
    const end = reveal(g, p, count - 1);
    expect(end).toEqual({ top: maxTop(g), real: maxReal(g) });
    expect(reveal(g, end, 0)).toEqual(SCROLL_START);
  });
});

describe('scaled scrolling, small lists and odd sizes', () => {
  it('does not scale below the cap: scrollTop is the position', () => {
    const g = geometry(1000);
    expect(isScaled(g)).toBe(false);
    const p = scrolled(g, SCROLL_START, 5000);
    expect(p).toEqual({ top: 5000, real: 5000 });
    expect(rowOffset(g, p, 10)).toBe(280);
    expect(topFor(g, 1234.4)).toBe(1234);
  });

  it('copes with no rows, fewer rows than the viewport, and an unmeasured viewport', () => {
    expect(rowWindow(geometry(0), SCROLL_START, 8)).toEqual({ first: 0, last: -1 });
    expect(reveal(geometry(0), SCROLL_START, 5)).toEqual(SCROLL_START);
    const few = geometry(5);
    expect(maxTop(few)).toBe(0);
    expect(rowWindow(few, scrolled(few, SCROLL_START, 100), 8)).toEqual({ first: 0, last: 4 });
    const unmeasured: ScrollGeometry = { count: 5_000_000, rowHeight: ROW, viewport: 0 };
    expect(visibleRows(unmeasured, scrolled(unmeasured, SCROLL_START, maxTop(unmeasured))).last).toBe(4_999_999);
  });
});
