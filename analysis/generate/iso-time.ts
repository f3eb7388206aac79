/**
 * Timestamp text in the exact shapes the generated sources use. All times are UTC microseconds
 * (analysis/core/records.ts `Micros`).
 */

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

/** `YYYY-MM-DDTHH:MM:SS` for the second containing `us`. */
function isoSeconds(us: number): string {
  const d = new Date(Math.floor(us / 1_000_000) * 1000);
  return (
    d.getUTCFullYear() + '-' + pad2(d.getUTCMonth() + 1) + '-' + pad2(d.getUTCDate()) + 'T' +
    pad2(d.getUTCHours()) + ':' + pad2(d.getUTCMinutes()) + ':' + pad2(d.getUTCSeconds())
  );
}

/**
 * RFC 3339 with microseconds and `Z`, as kube-apiserver writes `requestReceivedTimestamp` /
 * `stageTimestamp` (metav1.MicroTime: "2006-01-02T15:04:05.000000Z07:00").
 */
export function isoMicros(microseconds: number): string {
  const us = Math.floor(microseconds);
  const frac = ((us % 1_000_000) + 1_000_000) % 1_000_000;
  return isoSeconds(us) + '.' + String(frac).padStart(6, '0') + 'Z';
}

/** RFC 3339 with milliseconds and `Z` (manifest time window). */
export function isoMillis(microseconds: number): string {
  const us = Math.floor(microseconds);
  const ms = Math.floor((((us % 1_000_000) + 1_000_000) % 1_000_000) / 1000);
  return isoSeconds(us) + '.' + String(ms).padStart(3, '0') + 'Z';
}

/**
 * The backup-name time of gopkg.in/natefinch/lumberjack.v2 (`backupTimeFormat`
 * "2006-01-02T15-04-05.000", UTC unless LocalTime), which kube-apiserver uses for --audit-log-path.
 */
export function lumberjackStamp(us: number): string {
  const d = new Date(Math.floor(us / 1000));
  return (
    d.getUTCFullYear() + '-' + pad2(d.getUTCMonth() + 1) + '-' + pad2(d.getUTCDate()) + 'T' +
    pad2(d.getUTCHours()) + '-' + pad2(d.getUTCMinutes()) + '-' + pad2(d.getUTCSeconds()) + '.' +
    String(d.getUTCMilliseconds()).padStart(3, '0')
  );
}

/** Microseconds since the epoch for a Date. */
export function dateMicros(d: Date): number {
  return d.getTime() * 1000;
}

export const SECOND_US = 1_000_000;
export const MINUTE_US = 60 * SECOND_US;
