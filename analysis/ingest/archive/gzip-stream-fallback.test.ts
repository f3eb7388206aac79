/**
 * The zlib-stream path gzip falls back to where GzipMemberDecoder cannot drive this runtime's zlib
 * handle (bounded-inflate.ts `gzipByMembers`): it must still read every member, keep the bounds,
 * and name the file when the stream is cut.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { inflateStreamBounded } from './bounded-inflate.js';
import { rawInflaterAvailable } from './raw-inflater.js';

async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function collect(it: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of it) parts.push(Buffer.from(c));
  return Buffer.concat(parts).toString('utf8');
}

const bounds = { name: 'audit.log.gz', maxBytes: 1 << 24, maxRatio: 1000 };

describe('gzip through the zlib stream (the fallback)', () => {
  it('this runtime runs the member decoder (the fallback is for others)', () => {
    expect(rawInflaterAvailable()).toBe(true);
  });

  it('reads every member of a multi-member file', async () => {
    const a = 'line a\n'.repeat(1000);
    const b = 'line b\n'.repeat(1000);
    const file = Buffer.concat([gzipSync(a), gzipSync(b)]);
    expect(await collect(inflateStreamBounded('gzip', chunked(file, 777), bounds))).toBe(a + b);
  });

  it('names the file when it is cut, and stops a bomb', async () => {
    const file = gzipSync('x'.repeat(100_000) + '\n');
    await expect(collect(inflateStreamBounded('gzip', chunked(file.subarray(0, file.length - 12), 64), bounds))).rejects.toThrow(/audit\.log\.gz/);
    const bomb = gzipSync(Buffer.alloc(8 << 20));
    await expect(collect(inflateStreamBounded('gzip', chunked(bomb, 4096), { ...bounds, maxRatio: 100 }))).rejects.toThrow(/decompression bomb: audit\.log\.gz/);
  });
});
