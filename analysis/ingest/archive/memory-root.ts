/**
 * A bundle root held in memory: for tests and for callers that already have the bytes (an upload,
 * a generated scenario). Same contract as the disk adapter in fs-root.ts.
 */
import { bufferSource } from '../../core/byte-source.js';
import type { BundleRoot, RootEntry } from './bundle-root.js';
import { bytesStream } from './byte-streams.js';

/** A folder of `files` (path → bytes), or, given bytes, a single file called `name`. */
export function memoryBundleRoot(name: string, files: Uint8Array | Readonly<Record<string, Uint8Array>>): BundleRoot {
  const single = files instanceof Uint8Array;
  const list: [string, Uint8Array][] = single ? [[name, files]] : Object.entries(files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    name,
    single,
    async *entries(): AsyncGenerator<RootEntry> {
      for (const [path, bytes] of list) {
        yield { kind: 'file', file: { path, size: bytes.length, stream: () => bytesStream(bytes), source: async () => bufferSource(path, bytes) } };
      }
    },
    close: async () => undefined,
  };
}
