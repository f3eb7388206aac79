/**
 * Warnings kept per source in the case file (`sources.warnings`, schema v4): what the archive
 * readers found odd about a file or its archive (CRC mismatch, an entry hidden from a zip's
 * central directory, duplicate names…). A hostile archive can produce thousands, so the stored
 * list is bounded in count and length.
 */
import type Database from 'better-sqlite3';

/** Bounds on a source's stored warnings: an archive can be made to produce thousands. */
export const SOURCE_WARNING_LIMITS = Object.freeze({ count: 100, chars: 1000 });

/**
 * Warnings as stored: each once (a file read twice, to hash it and to parse it, meets its CRC
 * mismatch twice), each cut to SOURCE_WARNING_LIMITS.chars, at most SOURCE_WARNING_LIMITS.count
 * of them, the last saying how many more were left out.
 */
export function boundWarnings(warnings: readonly string[]): string[] {
  const { count, chars } = SOURCE_WARNING_LIMITS;
  const unique = [...new Set(warnings)];
  const cut = (w: string): string => (w.length > chars ? `${w.slice(0, chars - 1)}…` : w);
  if (unique.length <= count) return unique.map(cut);
  const kept = unique.slice(0, count - 1).map(cut);
  kept.push(`${unique.length - kept.length} more warnings not kept`);
  return kept;
}

/** The JSON array of a `sources.warnings` cell; anything else reads as none. */
export function parseWarnings(cell: string | null): string[] {
  if (cell === null) return [];
  try {
    const v: unknown = JSON.parse(cell);
    return Array.isArray(v) ? v.filter((w): w is string => typeof w === 'string') : [];
  } catch {
    return [];
  }
}

/** Whether the case has the column (a case file made before schema v4 and opened read-only has not). */
export function hasWarningsColumn(db: Database.Database): boolean {
  return db.prepare("SELECT 1 FROM pragma_table_info('sources') WHERE name = 'warnings'").get() !== undefined;
}
