/**
 * Entry names from archives are attacker-chosen. A name that would land outside the extraction
 * folder (zip slip: `../`, absolute paths, drive letters, UNC paths) is refused, never rewritten
 * into something that looks harmless.
 */

export type EntryName = { ok: true; name: string } | { ok: false; reason: string };

const MAX_NAME = 4096;

export function checkEntryName(raw: string): EntryName {
  if (raw.length === 0) return { ok: false, reason: 'empty entry name' };
  if (raw.length > MAX_NAME) return { ok: false, reason: `entry name longer than ${MAX_NAME} characters` };
  if (raw.includes('\0')) return { ok: false, reason: 'entry name contains a NUL byte' };
  // Windows tools write backslashes; extraction on Windows honours them, so they separate here too.
  const name = raw.replace(/\\/g, '/');
  if (name.startsWith('/')) return { ok: false, reason: 'absolute path in archive (zip slip)' };
  if (/^[A-Za-z]:/.test(name)) return { ok: false, reason: 'drive-letter path in archive (zip slip)' };
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) return { ok: false, reason: 'path escapes the archive with ".." (zip slip)' };
  if (parts.length === 0) return { ok: false, reason: 'entry name has no file part' };
  return { ok: true, name: parts.join('/') + (name.endsWith('/') ? '/' : '') };
}

export function baseName(path: string): string {
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path;
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}
