/**
 * Bounds on reading one hostile 7z archive. The per-member bound is the one tar members already
 * have in triage (artifacts/containers.ts, MAX_TAR_MEMBER = MAX_PICKLE_BYTES): a member is held
 * in memory to be triaged. Ratio and entry counts come from the bundle's archive limits.
 */
import { DEFAULT_ARCHIVE_LIMITS } from '../../ingest/archive/limits.js';
import { MAX_PICKLE_BYTES } from '../artifacts/pickle-findings.js';

export interface SevenZipLimits {
  /** Largest member decoded into memory; larger ones are reported, not read. */
  maxMemberBytes: number;
  /** Bytes decoded from one archive in all (solid folders are decoded through skipped members). */
  maxTotalBytes: number;
  /** Decoded / packed bytes of a folder; past RATIO_FLOOR_BYTES of output beyond it, a bomb. */
  maxRatio: number;
  /** Files listed in the header, at most. */
  maxFiles: number;
  /** Header bytes (plain or once decoded from an encoded header). */
  maxHeaderBytes: number;
  /** Encoded headers inside encoded headers. */
  maxHeaderNesting: number;
  /** Characters of a member name kept (longer ones are cut and reported). */
  maxNameChars: number;
  /** LZMA/LZMA2 dictionary window held, at most (a stream reaching further back is refused). */
  maxWindowBytes: number;
  /** Coders in one folder (7-Zip's own reader stops at 64). */
  maxCoders: number;
}

const MiB = 1 << 20;

export const DEFAULT_SEVENZIP_LIMITS: Readonly<SevenZipLimits> = Object.freeze({
  maxMemberBytes: MAX_PICKLE_BYTES,
  maxTotalBytes: 4 * MAX_PICKLE_BYTES,
  maxRatio: DEFAULT_ARCHIVE_LIMITS.maxRatio,
  maxFiles: DEFAULT_ARCHIVE_LIMITS.maxEntries,
  maxHeaderBytes: 64 * MiB,
  maxHeaderNesting: 4,
  maxNameChars: 4096,
  maxWindowBytes: MAX_PICKLE_BYTES,
  maxCoders: 64,
});

export function sevenZipLimits(partial?: Partial<SevenZipLimits>): SevenZipLimits {
  const out: SevenZipLimits = { ...DEFAULT_SEVENZIP_LIMITS };
  if (partial) {
    for (const key of Object.keys(out) as (keyof SevenZipLimits)[]) {
      const v = partial[key];
      if (typeof v === 'number' && Number.isFinite(v) && v >= 0) out[key] = v;
    }
  }
  return out;
}
