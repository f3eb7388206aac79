/**
 * What the bundle walker reads: a folder or a single file, behind an interface so the walker stays
 * free of `fs` (see fs-root.ts for the disk adapter; tests can build roots in memory).
 */
import type { ByteSource } from '../../core/byte-source.js';

/** A regular file at the root: a member of the root folder, or the root file itself. */
export interface RootFile {
  /** Path relative to the root folder, `/`-separated; for a single-file root, its base name. */
  path: string;
  size: number;
  /** The bytes from start to end; a fresh stream per call. */
  stream(): AsyncIterable<Uint8Array>;
  source(): Promise<ByteSource>;
}

export type RootEntry = { kind: 'file'; file: RootFile } | { kind: 'refused'; path: string; reason: string };

export interface BundleRoot {
  /** Base name of the folder or file, for messages. */
  readonly name: string;
  /** One file (an archive whose entries are the bundle, or a lone log/checkpoint), not a folder. */
  readonly single: boolean;
  /** Regular files and refusals (symlinks, devices, unreadable folders), sorted by path. */
  entries(): AsyncIterable<RootEntry>;
  /** Releases cached file handles; sources keep working afterwards (opening per read). */
  close(): Promise<void>;
}
