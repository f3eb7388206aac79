import { describe, expect, it } from 'vitest';
import { formatAxisTime, formatCount, formatDuration, formatTs } from './format.js';

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
  it('formats counts and durations for people', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatDuration(3725)).toBe('1 h 2 min');
    expect(formatDuration(65)).toBe('1 min 5 s');
    expect(formatDuration(null)).toBe('—');
  });
});
