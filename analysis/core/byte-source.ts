/**
 * Random-access bytes: what zip readers, checkpoint parsers and hashers take instead of a path,
 * so the same code reads a file on disk, a buffer in memory or an entry inside another archive.
 */
export interface ByteSource {
  /** A name for messages (path inside the bundle). */
  readonly name: string;
  readonly size: number;
  /** Reads exactly `length` bytes at `position`, or fewer at the end of the source. */
  read(position: number, length: number): Promise<Uint8Array>;
}

export function bufferSource(name: string, bytes: Uint8Array): ByteSource {
  return {
    name,
    size: bytes.length,
    read(position, length) {
      const start = Math.max(0, Math.min(position, bytes.length));
      const end = Math.max(start, Math.min(bytes.length, position + length));
      return Promise.resolve(bytes.subarray(start, end));
    },
  };
}
