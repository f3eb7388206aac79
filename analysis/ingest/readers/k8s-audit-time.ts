/**
 * Fast RFC 3339 parsing for the timestamps the API server writes (Go `metav1.MicroTime` /
 * `time.RFC3339Nano` in UTC: `2024-05-01T10:00:00.123456Z`). The whole-second part is parsed by
 * core's parseTimestampMicros and cached, since neighbouring log lines share it; only the fraction
 * is read per line. Anything else (offsets, lower-case `t`/`z`, spaces) goes to parseTimestampMicros.
 * Profiling showed the regex there was the largest per-line cost after JSON.parse.
 */
import { parseTimestampMicros, type Micros } from '../../core/records.js';

/** `YYYY-MM-DDTHH:MM:SS`. */
const SECOND_PREFIX = 19;

let cachedPrefix = '';
let cachedSecond: Micros = 0;

export function rfc3339Micros(raw: string): Micros | null {
  const n = raw.length;
  if (n < SECOND_PREFIX + 1 || raw.charCodeAt(n - 1) !== 0x5a /* Z */ || raw.charCodeAt(10) !== 0x54 /* T */) {
    return parseTimestampMicros(raw);
  }
  let base: Micros;
  if (cachedPrefix.length === SECOND_PREFIX && raw.startsWith(cachedPrefix)) {
    base = cachedSecond;
  } else {
    const prefix = raw.slice(0, SECOND_PREFIX);
    const parsed = parseTimestampMicros(prefix + 'Z');
    if (parsed === null) return null;
    cachedPrefix = prefix;
    cachedSecond = parsed;
    base = parsed;
  }
  if (n === SECOND_PREFIX + 1) return base;
  // `.` then 1 to 9 digits then `Z`; digits past the sixth (ns) are checked and dropped.
  const digits = n - SECOND_PREFIX - 2;
  if (raw.charCodeAt(SECOND_PREFIX) !== 0x2e || digits < 1 || digits > 9) return parseTimestampMicros(raw);
  let frac = 0;
  for (let i = 0; i < digits; i++) {
    const d = raw.charCodeAt(SECOND_PREFIX + 1 + i) - 0x30;
    if (d < 0 || d > 9) return null;
    if (i < 6) frac = frac * 10 + d;
  }
  for (let i = digits; i < 6; i++) frac *= 10;
  return base + frac;
}
