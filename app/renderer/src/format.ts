/** Display formatting: times in UTC or local time (the analyst's toggle), counts, durations, bytes. */
export type TimeZoneMode = 'utc' | 'local';

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** `2024-05-01 12:00:00.123456Z` (UTC) or `2024-05-01 14:00:00.123456` (local): µs kept, evidence-grade. */
export function formatTs(us: number | null | undefined, mode: TimeZoneMode): string {
  if (us === null || us === undefined) return '—';
  const ms = Math.floor(us / 1000);
  const frac = pad(((us % 1_000_000) + 1_000_000) % 1_000_000, 6);
  const d = new Date(ms);
  if (mode === 'utc') {
    return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${frac}Z`;
  }
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${frac}`;
}

/** Axis label sized to the visible span: time of day, date and time, or the date alone. */
export function formatAxisTime(ms: number, mode: TimeZoneMode, spanMs: number): string {
  const d = new Date(ms);
  const [y, mo, da, h, mi, s] =
    mode === 'utc'
      ? [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()]
      : [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds()];
  if (spanMs > 30 * 86_400_000) return `${y}-${pad(mo)}-${pad(da)}`;
  if (spanMs > 86_400_000) return `${pad(mo)}-${pad(da)} ${pad(h)}:${pad(mi)}`;
  return `${pad(h)}:${pad(mi)}:${pad(s)}`;
}

/**
 * A time window in a toolbar's room (the Timeline's zoom at 1280 px): each edge sized to the
 * window's width as the axis labels are, with milliseconds under a minute so a 1 s window still
 * reads as one. The exact edges go in a tooltip (formatTs).
 */
export function formatTimeWindow(fromUs: number, toUs: number, mode: TimeZoneMode): string {
  const fromMs = fromUs / 1000;
  const toMs = toUs / 1000;
  const span = toMs - fromMs;
  if (span >= 60_000) return `${formatAxisTime(fromMs, mode, span)} – ${formatAxisTime(toMs, mode, span)}`;
  const ms = (t: number): string => pad(((Math.floor(t) % 1000) + 1000) % 1000, 3);
  return `${formatAxisTime(fromMs, mode, span)}.${ms(fromMs)} – ${formatAxisTime(toMs, mode, span)}.${ms(toMs)}`;
}

/**
 * `1,234,567`. Integers are grouped by hand: the first `toLocaleString` of a page loads ICU's
 * number data, 20–30 ms inside the first render (`npm run bench -- ui`). Anything else (fractions,
 * huge values) goes to `toLocaleString` as before.
 */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  if (!Number.isSafeInteger(n)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n));
  let out = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let i = out.length; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  return n < 0 ? `-${out}` : out;
}

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${s % 60} s`;
  return `${s} s`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}
