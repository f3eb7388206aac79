/** The recent-cases list (userData/recent-cases.json): pure list logic plus a thin file adapter. */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RecentCase } from '../../contract/index.js';

export const MAX_RECENT = 10;

/** Puts `path` first, without duplicates, at most MAX_RECENT entries. */
export function withRecent(list: readonly RecentCase[], path: string, now: Date): RecentCase[] {
  return [{ path, openedAt: now.toISOString() }, ...list.filter((r) => r.path !== path)].slice(0, MAX_RECENT);
}

/** Reads the list; a missing or damaged file is an empty list (it is a convenience, not evidence). */
export function loadRecent(file: string): RecentCase[] {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (!Array.isArray(v)) return [];
    return v
      .filter((r): r is RecentCase => typeof r?.path === 'string' && typeof r?.openedAt === 'string' && r.path.length < 4096)
      .slice(0, MAX_RECENT);
  } catch {
    return [];
  }
}

export function saveRecent(file: string, list: readonly RecentCase[]): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(list, null, 2));
}
