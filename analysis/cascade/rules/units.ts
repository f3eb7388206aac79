/**
 * Durations (`90s`, `10m`, `1h30m`, `7d`) and byte sizes (`512MiB`, `5GB`, `1048576`) as written in
 * rule and spec files. Both return null on anything they do not understand; the loader turns that
 * into an error naming the file and line.
 */

const DURATION_UNIT_US: Readonly<Record<string, number>> = {
  ms: 1_000,
  s: 1_000_000,
  m: 60_000_000,
  h: 3_600_000_000,
  d: 86_400_000_000,
  w: 604_800_000_000,
};

/** Longest window a rule may ask for: 31 days (state is bounded per key, not per duration). */
export const MAX_DURATION_US = 31 * 86_400_000_000;

/** `10m` → 600_000_000 µs. Compound forms (`1h30m`) are accepted; bare numbers are seconds. */
export function parseDurationMicros(text: unknown): number | null {
  if (typeof text === 'number') return Number.isFinite(text) && text > 0 && text * 1e6 <= MAX_DURATION_US ? Math.round(text * 1e6) : null;
  if (typeof text !== 'string' || text.length === 0 || text.length > 32) return null;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;
  let total = 0;
  let pos = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * DURATION_UNIT_US[m[2]!]!;
    pos = re.lastIndex;
  }
  if (pos !== text.length || total <= 0 || total > MAX_DURATION_US) return null;
  return Math.round(total);
}

const BYTE_UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/** `5GiB` → 5368709120. Bare numbers are bytes. */
export function parseByteSize(text: unknown): number | null {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text : null;
  if (typeof text !== 'string' || text.length > 32) return null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (!m) return null;
  const unit = (m[2] ?? '').toLowerCase() || 'b';
  const mult = Object.prototype.hasOwnProperty.call(BYTE_UNITS, unit) ? BYTE_UNITS[unit] : undefined;
  if (mult === undefined) return null;
  return Number(m[1]) * mult;
}

/** Human form for reasons: 5368709120 → `5.0 GiB`. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}

/** Human form for reasons: 600_000_000 → `10m`. */
export function formatDuration(us: number): string {
  const s = us / 1e6;
  if (s % 86400 === 0) return `${s / 86400}d`;
  if (s % 3600 === 0) return `${s / 3600}h`;
  if (s % 60 === 0) return `${s / 60}m`;
  return `${s}s`;
}
