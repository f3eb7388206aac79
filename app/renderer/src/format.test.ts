import { describe, expect, it } from 'vitest';
import { formatAxisTime, formatCount, formatDuration, formatTimeWindow, formatTs } from './format.js';

describe('format', () => {
  it('shows event times to the microsecond in UTC', () => {
    expect(formatTs(Date.UTC(2024, 4, 1, 12, 3, 4) * 1000 + 123_456, 'utc')).toBe('2024-05-01 12:03:04.123456Z');
    expect(formatTs(null, 'utc')).toBe('—');
    expect(formatTs(0, 'local')).toMatch(/^19(69|70)-\d\d-\d\d \d\d:\d\d:\d\d\.000000$/);
  });
  it('sizes axis labels to the span', () => {
    const t = Date.UTC(2024, 4, 1, 12, 3, 4);
    expect(formatAxisTime(t, 'utc', 3_600_000)).toBe('12:03:04');
    expect(formatAxisTime(t, 'utc', 3 * 86_400_000)).toBe('05-01 12:03');
    expect(formatAxisTime(t, 'utc', 90 * 86_400_000)).toBe('2024-05-01');
  });
  it('writes a zoom window short, sized to its width', () => {
    const t = Date.UTC(2024, 4, 1, 12, 3, 4) * 1000;
    const MIN = 60_000_000;
    expect(formatTimeWindow(t, t + 30 * MIN, 'utc')).toBe('12:03:04 – 12:33:04');
    expect(formatTimeWindow(t, t + 3 * 1440 * MIN, 'utc')).toBe('05-01 12:03 – 05-04 12:03');
    expect(formatTimeWindow(t, t + 90 * 1440 * MIN, 'utc')).toBe('2024-05-01 – 2024-07-30');
    // The narrowest zoom (1 s) still has two different edges.
    expect(formatTimeWindow(t + 250_000, t + 1_250_000, 'utc')).toBe('12:03:04.250 – 12:03:05.250');
    expect(formatTimeWindow(t, t + 30 * MIN, 'local')).toMatch(/^\d\d:03:04 – \d\d:33:04$/);
  });
  it('formats counts and durations for people', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    // Grouped by hand (no ICU on the first render): the same text as toLocaleString('en-US').
    for (const n of [0, 7, 12, 999, 1000, -1000, 65_536, 924_060, 999_999_999, -123_456_789, Number.MAX_SAFE_INTEGER, 1.5, 1e21]) {
      expect(formatCount(n)).toBe(n.toLocaleString('en-US'));
    }
    expect(formatDuration(3725)).toBe('1 h 2 min');
    expect(formatDuration(65)).toBe('1 min 5 s');
    expect(formatDuration(null)).toBe('—');
  });
});
