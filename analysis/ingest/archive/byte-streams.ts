/** Small operations on byte streams (AsyncIterable<Uint8Array>) that the archive readers share. */
import { ChunkReader } from './chunk-reader.js';
import { BundleError } from './limits.js';

/** The first `n` bytes of a stream (fewer if it is shorter); stops the stream after. */
export async function readPrefix(stream: AsyncIterable<Uint8Array>, n: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let got = 0;
  if (n <= 0) return new Uint8Array(0);
  for await (const chunk of stream) {
    const take = Math.min(chunk.length, n - got);
    parts.push(take === chunk.length ? chunk : chunk.subarray(0, take));
    got += take;
    if (got >= n) break;
  }
  return concatBytes(parts, got);
}

/** The whole stream in one buffer; BundleError when it passes `max` bytes. */
export async function collectBounded(stream: AsyncIterable<Uint8Array>, max: number, name: string): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let got = 0;
  for await (const chunk of stream) {
    got += chunk.length;
    if (got > max) throw new BundleError(name, `${name} is larger than ${max} bytes and cannot be held in memory`);
    parts.push(chunk);
  }
  return concatBytes(parts, got);
}

/** Bytes [offset, offset + length) of a stream; BundleError when the stream ends first. */
export async function* sliceStream(
  stream: AsyncIterable<Uint8Array>,
  offset: number,
  length: number,
  name: string,
): AsyncGenerator<Uint8Array, void, undefined> {
  const r = new ChunkReader(stream);
  try {
    if ((await r.skip(offset)) < offset) throw new BundleError(name, `${name} is cut short: its archive ended early`);
    let left = length;
    while (left > 0) {
      const c = await r.chunk(Math.min(left, 1 << 20));
      if (!c) throw new BundleError(name, `${name} is cut short: its archive ended early`);
      left -= c.length;
      yield c;
    }
  } finally {
    await r.close();
  }
}

export async function* bytesStream(bytes: Uint8Array, chunkSize = 1 << 20): AsyncGenerator<Uint8Array, void, undefined> {
  for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, Math.min(bytes.length, i + chunkSize));
}

export function concatBytes(parts: readonly Uint8Array[], total?: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const n = total ?? parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
