import { describe, expect, it } from 'vitest';
import { parseTimestampMicros } from '../../core/records.js';
import { rfc3339Micros } from './k8s-audit-time.js';
import { seededRandom } from './k8s-audit-testkit.js';

describe('rfc3339Micros', () => {
  it('agrees with parseTimestampMicros on API server times and on everything else', () => {
    const cases = [
      '2018-10-26T13:38:34.867116Z',
      '2018-10-26T13:38:34.867116Z',
      '2018-10-26T13:38:34.8Z',
      '2018-10-26T13:38:34.123456789Z',
      '2018-10-26T13:38:34Z',
      '2018-10-26T13:38:35.000001Z',
      '2016-12-31T23:59:60Z',
      '2023-02-31T00:00:00.5Z',
      '2018-10-26T13:38:34.Z',
      '2018-10-26T13:38:34.1234567890Z',
      '2018-10-26T13:38:34.12a4Z',
      '2018-10-26T15:38:34.867116+02:00',
      '2018-10-26t13:38:34.867116z',
      '2018-10-26 13:38:34Z',
      'xxxx-xx-xxTxx:xx:xx.1Z',
      '2018-10-26T13:38:34.867116',
      '',
    ];
    for (const c of cases) expect(rfc3339Micros(c), c).toBe(parseTimestampMicros(c));
  });

  it('agrees on 20,000 mutated timestamps', () => {
    const rnd = seededRandom(7);
    const chars = '0123456789TZ.:-+ z';
    for (let i = 0; i < 20_000; i++) {
      const base = new Date(Date.UTC(2000, 0, 1) + Math.floor(rnd() * 3e12)).toISOString().replace('.', '.' + String(Math.floor(rnd() * 1000)));
      let s = base;
      if (rnd() < 0.5) {
        const at = Math.floor(rnd() * s.length);
        s = s.slice(0, at) + chars[Math.floor(rnd() * chars.length)] + s.slice(at + 1);
      }
      expect(rfc3339Micros(s), s).toBe(parseTimestampMicros(s));
    }
  });
});
