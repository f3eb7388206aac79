import { describe, expect, it } from 'vitest';
import { parseTimestampMicros, recordHead } from './records.js';

describe('parseTimestampMicros', () => {
  it('reads RFC 3339 with microseconds and Z', () => {
    expect(parseTimestampMicros('2019-08-02T13:48:55.123456Z')).toBe(Date.UTC(2019, 7, 2, 13, 48, 55) * 1000 + 123456);
  });
  it('truncates nanoseconds and applies offsets', () => {
    expect(parseTimestampMicros('2019-08-02T15:48:55.123456789+02:00')).toBe(Date.UTC(2019, 7, 2, 13, 48, 55) * 1000 + 123456);
  });
  it('rejects impossible dates and garbage', () => {
    expect(parseTimestampMicros('2023-02-31T00:00:00Z')).toBeNull();
    expect(parseTimestampMicros('yesterday')).toBeNull();
  });
  it('cuts heads at 200 bytes', () => {
    expect(Buffer.byteLength(recordHead('é'.repeat(500)))).toBeLessThanOrEqual(200);
  });
});
