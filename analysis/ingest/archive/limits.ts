/**
 * Bounds for opening hostile bundles. Every archive reader and the bundle walker take these, so a
 * zip bomb, a tar with a million entries or a 40-level nesting is refused with a reason instead of
 * exhausting memory, disk or time.
 */

export interface ArchiveLimits {
  /** Entries read from one archive (and files yielded from the whole bundle). */
  maxEntries: number;
  /** Decompressed size of one entry or one gzip stream. */
  maxEntryBytes: number;
  /** Decompressed bytes across the whole bundle (and across one archive). */
  maxTotalBytes: number;
  /** Decompressed / compressed size; above it (past RATIO_FLOOR_BYTES of output) it is a bomb. */
  maxRatio: number;
  /** Archives inside archives: an entry reached through more archives than this is refused. */
  maxDepth: number;
  /** A nested zip that needs random access but sits in a compressed stream is buffered up to this. */
  maxNestedArchiveBytes: number;
  /** Entries of streamed (tar) archives up to this size are held in memory so they can be re-read cheaply. */
  maxBufferedEntryBytes: number;
}

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

export const DEFAULT_ARCHIVE_LIMITS: Readonly<ArchiveLimits> = Object.freeze({
  maxEntries: 100_000,
  maxEntryBytes: 8 * GiB,
  maxTotalBytes: 64 * GiB,
  maxRatio: 200,
  maxDepth: 3,
  maxNestedArchiveBytes: 512 * MiB,
  maxBufferedEntryBytes: 8 * MiB,
});

/**
 * The ratio check starts only once this much has been produced: a small file of zeros legitimately
 * compresses 1000:1 and costs nothing; a bomb is only a problem when it is big.
 */
export const RATIO_FLOOR_BYTES = 1 * MiB;

export function resolveLimits(partial?: Partial<ArchiveLimits>): ArchiveLimits {
  const out: ArchiveLimits = { ...DEFAULT_ARCHIVE_LIMITS };
  if (partial) {
    for (const key of Object.keys(out) as (keyof ArchiveLimits)[]) {
      const v = partial[key];
      if (typeof v === 'number' && Number.isFinite(v) && v >= 0) out[key] = v;
    }
  }
  return out;
}

/** An input that cannot be opened or read as it claims; `file` names it (path inside the bundle). */
export class BundleError extends Error {
  readonly file: string;
  constructor(file: string, message: string) {
    super(message);
    this.name = 'BundleError';
    this.file = file;
  }
}

/** True when a decompressed size and its compressed size exceed the ratio limit. */
export function exceedsRatio(outBytes: number, inBytes: number, maxRatio: number): boolean {
  return outBytes > RATIO_FLOOR_BYTES && outBytes > Math.max(inBytes, 1) * maxRatio;
}

/**
 * Decompressed bytes shared by every stream of one bundle walk, so many small bombs add up to the
 * same limit as one big bomb.
 */
export class DecompressionBudget {
  used = 0;
  constructor(readonly max: number) {}

  /** Counts `n` more bytes produced for `file`; throws once the bundle's budget is spent. */
  charge(n: number, file: string): void {
    this.used += n;
    if (this.used > this.max) {
      throw new BundleError(file, `decompression bomb: ${file} takes the bundle past ${this.max} decompressed bytes`);
    }
  }
}
