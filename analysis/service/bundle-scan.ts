/** A quick count of the files in a folder bundle, for the progress bar's ETA (bounded: hostile trees). */
import { opendir, stat } from 'node:fs/promises';
import { join } from 'node:path';

const MAX_ENTRIES = 200_000;
const MAX_DEPTH = 32;

/** Regular files under `path` (symlinks not followed); 1 for a single file; null when over the bounds. */
export async function countBundleFiles(path: string): Promise<number | null> {
  const st = await stat(path);
  if (!st.isDirectory()) return 1;
  let files = 0;
  let seen = 0;
  const walk = async (dir: string, depth: number): Promise<boolean> => {
    if (depth > MAX_DEPTH) return false;
    for await (const entry of await opendir(dir)) {
      if (++seen > MAX_ENTRIES) return false;
      if (entry.isFile()) files++;
      else if (entry.isDirectory() && !(await walk(join(dir, entry.name), depth + 1))) return false;
    }
    return true;
  };
  return (await walk(path, 0)) ? files : null;
}
