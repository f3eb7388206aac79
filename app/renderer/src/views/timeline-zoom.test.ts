import { describe, expect, it } from 'vitest';
import type { Timeline } from '../../../../contract/index.js';
import { clampWindow, MIN_WINDOW_US, NO_ZOOM, zoomAxis, zoomQuery, zoomReducer, zoomShare, type TimelineZoom, type ZoomAction } from './timeline-zoom.js';
import { timelineOption } from './timeline-option.js';

const HOUR = 3_600_000_000;
const T0 = Date.UTC(2024, 4, 1) * 1000;
const FULL = { from: T0, to: T0 + 10 * HOUR };
const run = (...actions: ZoomAction[]): TimelineZoom => actions.reduce(zoomReducer, NO_ZOOM);
const spanned = run({ type: 'span', full: FULL });

describe('timeline zoom', () => {
  it('widens again after a wheel zoom-in, up to the whole span and no further', () => {
    // Wheel in: the chart reports a window of one hour in the middle.
    let s = zoomReducer(spanned, { type: 'extent', from: T0 + 5 * HOUR, to: T0 + 6 * HOUR });
    expect(s.win).toEqual({ from: T0 + 5 * HOUR, to: T0 + 6 * HOUR });
    expect(zoomQuery(s)).toEqual({ from: T0 + 5 * HOUR, to: T0 + 6 * HOUR });
    // Wheel out: the axis still spans the case, so the chart can report a wider window.
    s = zoomReducer(s, { type: 'extent', from: T0 + 3 * HOUR, to: T0 + 8 * HOUR });
    expect(s.win).toEqual({ from: T0 + 3 * HOUR, to: T0 + 8 * HOUR });
    expect(zoomShare(s)).toBeCloseTo(0.5);
    // Out to (and past) the edges: the whole span, no window, an unwindowed query.
    s = zoomReducer(s, { type: 'extent', from: T0 - HOUR, to: T0 + 11 * HOUR });
    expect(s.win).toBeNull();
    expect(zoomQuery(s)).toEqual({});
    expect(zoomShare(s)).toBe(1);
  });

  it('zooms in and out by halves around the centre with the keys, and resets with 0', () => {
    let s = zoomReducer(spanned, { type: 'in' });
    expect(s.win).toEqual({ from: T0 + 2.5 * HOUR, to: T0 + 7.5 * HOUR });
    s = zoomReducer(s, { type: 'in' });
    expect(s.win).toEqual({ from: T0 + 3.75 * HOUR, to: T0 + 6.25 * HOUR });
    s = zoomReducer(s, { type: 'out' });
    expect(s.win).toEqual({ from: T0 + 2.5 * HOUR, to: T0 + 7.5 * HOUR });
    s = zoomReducer(s, { type: 'out' });
    expect(s.win).toBeNull();
    // Zooming out of the whole span changes nothing (the same state: no re-query).
    expect(zoomReducer(s, { type: 'out' })).toBe(s);
    s = zoomReducer(zoomReducer(s, { type: 'in' }), { type: 'reset' });
    expect(s).toEqual(spanned);
  });

  it('keeps a window near an edge inside the span with its width when zooming out', () => {
    let s = zoomReducer(spanned, { type: 'extent', from: T0 + 9 * HOUR, to: T0 + 10 * HOUR });
    s = zoomReducer(s, { type: 'out' });
    expect(s.win).toEqual({ from: T0 + 8 * HOUR, to: T0 + 10 * HOUR });
    s = zoomReducer(s, { type: 'around', ts: T0 + 10 * 60_000_000, halfWidth: 30 * 60_000_000 });
    expect(s.win).toEqual({ from: T0, to: T0 + HOUR });
  });

  it('never narrows below a second, and ignores zooms before the span is known', () => {
    const s = zoomReducer(spanned, { type: 'extent', from: T0 + HOUR, to: T0 + HOUR + 10 });
    expect(s.win!.to - s.win!.from).toBe(MIN_WINDOW_US);
    expect(zoomReducer(zoomReducer(s, { type: 'in' }), { type: 'in' }).win).toEqual(s.win);
    expect(zoomReducer(NO_ZOOM, { type: 'in' })).toBe(NO_ZOOM);
    expect(zoomReducer(NO_ZOOM, { type: 'extent', from: 1, to: 2 })).toBe(NO_ZOOM);
    expect(clampWindow({ from: 0, to: 10 }, 2, 3)).toBeNull();
    expect(clampWindow(FULL, Number.NaN, 5)).toBeNull();
  });

  it('forgets the span and the window for another case, and keeps a window that fits a new span', () => {
    const s = zoomReducer(spanned, { type: 'in' });
    expect(zoomReducer(s, { type: 'case' })).toEqual(NO_ZOOM);
    expect(zoomReducer(s, { type: 'span', full: { from: T0, to: T0 + 20 * HOUR } }).win).toEqual(s.win);
    expect(zoomReducer(s, { type: 'span', full: { from: T0, to: T0 + 6 * HOUR } }).win).toEqual({ from: T0 + HOUR, to: T0 + 6 * HOUR });
    expect(zoomReducer(s, { type: 'span', full: { from: T0, to: T0 + 3 * HOUR } }).win).toBeNull();
  });

  it('draws the whole span on the axis with the window as the dataZoom range, so the wheel can zoom back out', () => {
    const s = zoomReducer(spanned, { type: 'extent', from: T0 + 5 * HOUR, to: T0 + 6 * HOUR });
    const answer: Timeline = {
      from: s.win!.from, to: s.win!.to, bucketUs: HOUR / 400, buckets: Array.from({ length: 400 }, (_, i) => s.win!.from + (i * HOUR) / 400),
      phases: ['recon'], detections: [], eventCounts: new Array(400).fill(1), gpu: [], gpuFields: [],
    };
    const axis = zoomAxis(s, answer);
    expect(axis).toEqual({ min: FULL.from / 1000, max: FULL.to / 1000, start: (T0 + 5 * HOUR) / 1000, end: (T0 + 6 * HOUR) / 1000 });
    const opt = timelineOption(answer, 'utc', null, axis) as unknown as { xAxis: { min: number; max: number }[]; dataZoom: { startValue?: number; endValue?: number }[] };
    expect(opt.xAxis.map((x) => [x.min, x.max])).toEqual([[FULL.from / 1000, FULL.to / 1000], [FULL.from / 1000, FULL.to / 1000]]);
    expect(opt.dataZoom[0]).toMatchObject({ startValue: axis.start, endValue: axis.end });
    // Before the span is known, the answer's own window is the axis.
    expect(zoomAxis(NO_ZOOM, answer)).toEqual({ min: answer.from / 1000, max: answer.to / 1000, start: answer.from / 1000, end: answer.to / 1000 });
  });
});
