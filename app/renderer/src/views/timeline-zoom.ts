/**
 * The Timeline's zoom (pure, unit-tested): the case's full span and the window on it. The chart's
 * time axis always covers the full span and the window is its dataZoom range, so a wheel-out after
 * a wheel-in widens again up to the full span. (When the axis was the queried window, the zoom
 * could never leave it: ECharts' dataZoom cannot go past 0–100 % of its axis.) Each window is
 * re-queried (`timeline.get`) at full resolution.
 */

/** Microseconds, as the contract's timestamps. */
export interface TimeRange {
  from: number;
  to: number;
}

export interface TimelineZoom {
  /** The case's span, from the first unzoomed answer; null until then. */
  full: TimeRange | null;
  /** The window shown; null = the full span. */
  win: TimeRange | null;
}

export type ZoomAction =
  /** An answer for the full span arrived: its from/to is the case's span. */
  | { type: 'span'; full: TimeRange }
  /** The chart's visible extent after a wheel, brush or drag (µs). */
  | { type: 'extent'; from: number; to: number }
  /** Buttons and keys: halve (`=`) or double (`-`) the window around its centre. */
  | { type: 'in' }
  | { type: 'out' }
  /** "± N minutes around this alert". */
  | { type: 'around'; ts: number; halfWidth: number }
  /** `0` and "Reset zoom". */
  | { type: 'reset' }
  /** Another case: its span is not known yet. */
  | { type: 'case' };

export const NO_ZOOM: TimelineZoom = { full: null, win: null };
/** The narrowest window: a second (buckets of 2.5 ms at 400 buckets; narrower shows nothing more). */
export const MIN_WINDOW_US = 1_000_000;
const STEP = 2;

/** A window inside `full`, at least MIN_WINDOW_US wide (or the whole span when that is narrower); null when it covers everything. */
export function clampWindow(full: TimeRange, from: number, to: number): TimeRange | null {
  const span = full.to - full.from;
  if (!Number.isFinite(from) || !Number.isFinite(to)) return null;
  let a = Math.min(from, to);
  let b = Math.max(from, to);
  const width = Math.min(span, Math.max(b - a, MIN_WINDOW_US));
  if (b - a < width) {
    const mid = (a + b) / 2;
    a = mid - width / 2;
    b = mid + width / 2;
  }
  // Slide a window that hangs over an edge back in, keeping its width.
  if (a < full.from) [a, b] = [full.from, full.from + width];
  if (b > full.to) [a, b] = [full.to - width, full.to];
  a = Math.max(full.from, Math.floor(a));
  b = Math.min(full.to, Math.ceil(b));
  return a <= full.from && b >= full.to ? null : { from: a, to: b };
}

export function zoomReducer(s: TimelineZoom, a: ZoomAction): TimelineZoom {
  switch (a.type) {
    case 'span':
      // A new span (another case, or more events) keeps a window that still fits in it.
      return { full: a.full, win: s.win ? clampWindow(a.full, s.win.from, s.win.to) : null };
    case 'reset':
      return s.win ? { ...s, win: null } : s;
    case 'case':
      return s.full || s.win ? NO_ZOOM : s;
    case 'extent':
      return s.full ? same(s, clampWindow(s.full, a.from, a.to)) : s;
    case 'around':
      return s.full ? same(s, clampWindow(s.full, a.ts - a.halfWidth, a.ts + a.halfWidth)) : s;
    case 'in':
    case 'out': {
      if (!s.full) return s;
      const w = s.win ?? s.full;
      const mid = (w.from + w.to) / 2;
      const half = ((w.to - w.from) / 2) * (a.type === 'in' ? 1 / STEP : STEP);
      return same(s, clampWindow(s.full, mid - half, mid + half));
    }
  }
}

/** The state unchanged (same object: no re-query) when the window did not move. */
function same(s: TimelineZoom, win: TimeRange | null): TimelineZoom {
  if (win === s.win || (win && s.win && win.from === s.win.from && win.to === s.win.to)) return s;
  return { ...s, win };
}

/** The `timeline.get` window: none for the full span. */
export function zoomQuery(s: TimelineZoom): { from?: number; to?: number } {
  return s.win ? { from: s.win.from, to: s.win.to } : {};
}

/** The chart's axis (the full span, ms) and its dataZoom range (the window, ms). */
export function zoomAxis(s: TimelineZoom, answered: TimeRange): { min: number; max: number; start: number; end: number } {
  const full = s.full ?? answered;
  const win = s.win ?? full;
  const min = full.from / 1000;
  const max = Math.max(full.to / 1000, min + 1);
  return { min, max, start: Math.max(min, win.from / 1000), end: Math.min(max, Math.max(win.to / 1000, win.from / 1000 + 1)) };
}

/** Share of the full span the window shows (1 = all of it). */
export function zoomShare(s: TimelineZoom): number {
  if (!s.full || !s.win) return 1;
  return (s.win.to - s.win.from) / Math.max(1, s.full.to - s.full.from);
}
