/** Case timestamps (UTC microseconds, integers) as ISO 8601 with all six fractional digits. */
export function isoFromMicros(us: number): string {
  const ms = Math.floor(us / 1000);
  const iso = new Date(ms).toISOString(); // 2026-11-20T08:17:00.123Z
  const micros = String(Math.trunc(us - ms * 1000)).padStart(3, '0');
  return `${iso.slice(0, -1)}${micros}Z`;
}
