/** Turns errors into sentences an analyst can act on (the Start view shows them as they are). */

const BY_CODE: Record<string, (subject: string) => string> = {
  ENOENT: (s) => `${s} does not exist.`,
  EACCES: (s) => `${s} cannot be read: permission denied.`,
  EPERM: (s) => `${s} cannot be opened: operation not permitted.`,
  EISDIR: (s) => `${s} is a folder, but a file was expected.`,
  ENOTDIR: (s) => `${s} is not a folder.`,
  ENOSPC: () => 'The disk is full: the case file cannot grow.',
  SQLITE_NOTADB: (s) => `${s} is not an MLShield case file (not SQLite).`,
  SQLITE_CORRUPT: (s) => `${s} is damaged (SQLite reports corruption).`,
  SQLITE_BUSY: () => 'The case file is busy (another program is writing to it); try again in a moment.',
  SQLITE_CANTOPEN: (s) => `${s} cannot be opened.`,
};

export function plainError(err: unknown, subject: string): string {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const say = code ? BY_CODE[code] : undefined;
  if (say) return say(subject);
  const msg = typeof e?.message === 'string' ? e.message : String(err);
  // Keep the first line only: a person reads this, not a developer.
  return msg.split('\n')[0]!.slice(0, 500);
}
