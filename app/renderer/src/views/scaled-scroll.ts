/**
 * Scaled virtual scrolling (pure, unit-tested) for the Events table. A spacer as tall as every row
 * (28 px × 1,200,000 rows) passes the tallest box Chrome lays out (LayoutUnit: 2^25 − 1 =
 * 33,554,431 px) and the last rows cannot be reached. So the spacer is capped at MAX_SCROLL_PX and
 * two coordinates are kept:
 * - `top`, the scroller's scrollTop in the capped spacer;
 * - `real`, where the viewport's top edge is in the uncapped list (row i starts at i × rowHeight).
 * A jump (scrollbar drag, a click in the track, a programmatic scroll) maps `top` to `real`
 * proportionally, so the thumb tells where in the list one is and both ends are reachable. A small
 * step (wheel, trackpad, keys) moves `real` by the same pixels as `top`, so no row is skipped while
 * reading through; the drift this leaves against the proportional position is taken back at the
 * next jump, and at the ends, where `top` 0 is the first row and the last `top` the last row.
 * Rows are drawn at `top + i × rowHeight − real` inside the spacer. Below the cap `real === top`.
 */

/** Below Chrome's 33,554,431 px limit with room to spare (Electron and `mlshield serve` both run Chromium). */
export const MAX_SCROLL_PX = 30_000_000;
/** A step wider than this many viewports is a jump; narrower ones move the rows 1:1. */
const JUMP_VIEWPORTS = 2;

export interface ScrollGeometry {
  count: number;
  rowHeight: number;
  /** The scroller's client height (px). */
  viewport: number;
  /** The spacer's cap (tests use other values). */
  maxPx?: number;
}

export interface ScrollPos {
  /** scrollTop in the (capped) spacer. */
  top: number;
  /** Pixel offset of the viewport's top edge in the uncapped list. */
  real: number;
}

export const SCROLL_START: ScrollPos = { top: 0, real: 0 };

const contentHeight = (g: ScrollGeometry): number => Math.max(0, g.count) * g.rowHeight;

/** The spacer's height: the list's, capped. */
export function spacerHeight(g: ScrollGeometry): number {
  return Math.min(contentHeight(g), g.maxPx ?? MAX_SCROLL_PX);
}

/** The largest scrollTop. */
export function maxTop(g: ScrollGeometry): number {
  return Math.max(0, spacerHeight(g) - g.viewport);
}

/** The largest `real`: the last row's bottom on the viewport's bottom edge. */
export function maxReal(g: ScrollGeometry): number {
  return Math.max(0, contentHeight(g) - g.viewport);
}

export function isScaled(g: ScrollGeometry): boolean {
  return contentHeight(g) > spacerHeight(g);
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/** The proportional position in the list for a scrollTop. */
export function realAt(g: ScrollGeometry, top: number): number {
  const mt = maxTop(g);
  if (!isScaled(g)) return clamp(top, 0, maxReal(g));
  return mt <= 0 ? 0 : clamp((top / mt) * maxReal(g), 0, maxReal(g));
}

/**
 * The scrollTop (whole pixels) for a list position. Strictly inside the range it stays off both
 * ends, so a scroll event reporting it is not taken for the first or the last row.
 */
export function topFor(g: ScrollGeometry, real: number): number {
  const mr = maxReal(g);
  const mt = maxTop(g);
  if (!isScaled(g)) return clamp(Math.round(real), 0, mt);
  if (real <= 0 || mt <= 0) return 0;
  if (real >= mr) return mt;
  return clamp(Math.round((real / mr) * mt), Math.min(1, mt), Math.max(0, mt - 1));
}

/** The position after the scroller reports `top` (a scroll event). */
export function scrolled(g: ScrollGeometry, prev: ScrollPos, top: number): ScrollPos {
  const mt = maxTop(g);
  const mr = maxReal(g);
  const t = clamp(top, 0, mt);
  if (!isScaled(g)) return t === prev.top && prev.real === t ? prev : { top: t, real: Math.min(t, mr) };
  if (t === prev.top) return prev;
  // The ends are the ends: the first row at the top, the last row at the bottom.
  if (t <= 0) return { top: t, real: 0 };
  if (t >= mt) return { top: t, real: mr };
  const delta = t - prev.top;
  const step = prev.real + delta;
  if (Math.abs(delta) <= JUMP_VIEWPORTS * Math.max(g.viewport, g.rowHeight)) return { top: t, real: clamp(step, 0, mr) };
  // A jump: proportional, but never against the direction of the scroll (after 1:1 steps the
  // position may lie ahead of the proportional one).
  const prop = realAt(g, t);
  return { top: t, real: clamp(delta > 0 ? Math.max(prop, step) : Math.min(prop, step), 0, mr) };
}

/** The index of the row at the viewport's top edge. */
export function firstVisibleRow(g: ScrollGeometry, pos: ScrollPos): number {
  return g.count <= 0 ? 0 : clamp(Math.floor(pos.real / g.rowHeight), 0, g.count - 1);
}

/** The rows to render: those in the viewport and `overscan` more past each edge (inclusive; last < first when empty). */
export function rowWindow(g: ScrollGeometry, pos: ScrollPos, overscan: number): { first: number; last: number } {
  if (g.count <= 0) return { first: 0, last: -1 };
  const firstVisible = firstVisibleRow(g, pos);
  const lastVisible = clamp(Math.ceil((pos.real + g.viewport) / g.rowHeight) - 1, firstVisible, g.count - 1);
  return { first: Math.max(0, firstVisible - overscan), last: Math.min(g.count - 1, lastVisible + overscan) };
}

/** Where row `index` is drawn inside the spacer (its translateY). */
export function rowOffset(g: ScrollGeometry, pos: ScrollPos, index: number): number {
  return pos.top + index * g.rowHeight - pos.real;
}

export type RevealAlign = 'auto' | 'start' | 'center' | 'end';

/**
 * The position that shows row `index` whole: `auto` scrolls as little as needed (keys move one row
 * at a time, row-exact), the others put it at the top, middle or bottom. The scroller is then set
 * to the returned `top`.
 */
export function reveal(g: ScrollGeometry, pos: ScrollPos, index: number, align: RevealAlign = 'auto'): ScrollPos {
  if (g.count <= 0) return SCROLL_START;
  const i = clamp(Math.round(index), 0, g.count - 1);
  const rowTop = i * g.rowHeight;
  const rowBottom = rowTop + g.rowHeight;
  let real = pos.real;
  if (align === 'start') real = rowTop;
  else if (align === 'end') real = rowBottom - g.viewport;
  else if (align === 'center') real = rowTop - (g.viewport - g.rowHeight) / 2;
  else if (rowTop < pos.real) real = rowTop;
  else if (rowBottom > pos.real + g.viewport) real = rowBottom - g.viewport;
  real = clamp(real, 0, maxReal(g));
  // Already in view: the scroller stays (drift and all).
  if (real === pos.real) return pos;
  if (!isScaled(g)) return { top: Math.round(real), real: Math.round(real) };
  // Moved: the scroller goes to the proportional place, which also takes back any drift.
  return { top: topFor(g, real), real };
}
