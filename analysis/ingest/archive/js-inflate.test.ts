/**
 * JsInflater against node's zlib on valid deflate data (RFC 1951): every level and strategy zlib
 * has, random and real text of many sizes, any input and output chunking, byte for byte, and the
 * same count of compressed bytes used (bytes after the stream are left, as zlib leaves them).
 */
import { readFileSync } from 'node:fs';
import { constants as zc, deflateRawSync, gzipSync, inflateRawSync, type ZlibOptions } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { jsInflate, rng } from './inflate-drive.test-support.js';
import { JsInflater } from './js-inflate.js';
import { GzipMemberDecoder } from './gzip-members.js';
import { RawDeflateDecoder } from './raw-deflate-decoder.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const TEXTS = [fixture('audit2rbac__demo.log'), fixture('falco__exec_pod.json'), fixture('datadog__dcgm_metrics.txt')];


/** `n` bytes of a kind that exercises different parts of the decoder. */
function sample(kind: 'random' | 'text' | 'runs' | 'small-alphabet', n: number, seed: number): Buffer {
  const r = rng(seed);
  const b = Buffer.alloc(n);
  if (kind === 'random') for (let i = 0; i < n; i++) b[i] = r(256);
  if (kind === 'small-alphabet') for (let i = 0; i < n; i++) b[i] = 0x61 + r(3);
  if (kind === 'runs') {
    for (let i = 0; i < n; ) {
      const len = Math.min(n - i, 1 + r(700));
      b.fill(r(4), i, i + len);
      i += len;
    }
  }
  if (kind === 'text') {
    // Real lines, shuffled and spliced: long matches at every distance, up to the whole window.
    const all = Buffer.concat(TEXTS);
    for (let i = 0; i < n; ) {
      const from = r(all.length);
      const len = Math.min(n - i, all.length - from, 1 + r(5000));
      all.copy(b, i, from, from + len);
      i += len;
    }
  }
  return b;
}

const SIZES = [0, 1, 2, 3, 100, 257, 258, 259, 4095, 32_768, 32_769, 65_535, 65_536, 100_003, 300_000];
const OPTIONS: [string, ZlibOptions][] = [
  ['level 0', { level: 0 }],
  ['level 1', { level: 1 }],
  ['level 6', { level: 6 }],
  ['level 9', { level: 9 }],
  ['Z_FIXED', { level: 6, strategy: zc.Z_FIXED }],
  ['Z_HUFFMAN_ONLY', { level: 6, strategy: zc.Z_HUFFMAN_ONLY }],
  ['Z_RLE', { level: 6, strategy: zc.Z_RLE }],
  ['Z_FILTERED', { level: 9, strategy: zc.Z_FILTERED }],
  ['9-bit window, memLevel 1', { level: 9, windowBits: 9, memLevel: 1 }],
];

function expectSame(deflated: Buffer, original: Buffer, what: string, inStep?: number, outStep?: number): void {
  const r = jsInflate(deflated, inStep, outStep);
  expect(r.error, what).toBeNull();
  expect(r.out.length, what).toBe(original.length);
  expect(r.out.equals(original), what).toBe(true);
  expect(r.read, what).toBe(deflated.length);
}

describe('JsInflater: byte-exact against zlib', () => {
  for (const [name, opts] of OPTIONS) {
    it(`inflates what zlib deflates at ${name}: random, text, runs, small alphabets, ${SIZES.length} sizes`, () => {
      let seed = 1;
      for (const kind of ['random', 'text', 'runs', 'small-alphabet'] as const) {
        for (const n of SIZES) {
          const original = sample(kind, n, seed++);
          const deflated = deflateRawSync(original, opts);
          expect(inflateRawSync(deflated).equals(original)).toBe(true);
          expectSame(deflated, original, `${name} ${kind} ${n}`);
        }
      }
    });
  }

  it('any input and output chunking, down to one byte each', () => {
    const original = sample('text', 70_000, 7);
    for (const opts of [{ level: 0 }, { level: 1 }, { level: 9 }, { strategy: zc.Z_FIXED }]) {
      const deflated = deflateRawSync(original, opts);
      for (const [inStep, outStep] of [[1, 1 << 16], [1 << 20, 1], [3, 7], [4096, 258], [13, 1000]] as const) {
        expectSame(deflated, original, `${JSON.stringify(opts)} in ${inStep} out ${outStep}`, inStep, outStep);
      }
    }
  });

  it('sync and full flushes (empty stored blocks, byte alignment mid-stream), and blocks of every type in one stream', () => {
    const parts = [sample('text', 20_000, 3), sample('random', 5000, 4), sample('runs', 40_000, 5)];
    for (const finishFlush of [zc.Z_SYNC_FLUSH, zc.Z_FULL_FLUSH]) {
      // Pieces from separate deflaters never reach back before their own start, and all but the
      // last end in a non-final empty stored block: together they are one valid stream.
      const pieces = [deflateRawSync(parts[0]!, { finishFlush }), deflateRawSync(parts[1]!, { level: 0, finishFlush }), deflateRawSync(parts[2]!, { strategy: zc.Z_FIXED })];
      expectSame(Buffer.concat(pieces), Buffer.concat(parts), `flush ${finishFlush}`, 999);
      // A piece alone has no final block: all of it, then the cut.
      const alone = jsInflate(pieces[0]!);
      expect([alone.error, alone.out.equals(parts[0]!), alone.read]).toEqual(['unexpected end of file', true, pieces[0]!.length]);
    }
  });

  it('the longest match at the longest distance, and runs of 258 at distance 1', () => {
    const window = sample('random', 32_768, 9);
    const original = Buffer.concat([window, window, Buffer.alloc(100_000, 0x20), window.subarray(0, 258)]);
    for (const level of [1, 9]) expectSame(deflateRawSync(original, { level }), original, `level ${level}`);
  });

  it('leaves the bytes after the stream, as zlib does, and ignores input after the end', () => {
    const original = sample('text', 50_000, 11);
    const d = deflateRawSync(original);
    const trailing = Buffer.concat([d, Buffer.from('after the stream')]);
    for (const inStep of [1, 5, trailing.length]) {
      const r = jsInflate(trailing, inStep);
      expect([r.error, r.read, r.out.equals(original)]).toEqual([null, d.length, true]);
    }
    const z = new JsInflater();
    const out = Buffer.alloc(1 << 17);
    expect(z.write(trailing, 0, trailing.length, out, 0, out.length)).toBe(true);
    expect([z.ended, z.read, z.write(trailing, d.length, 5, out, 0, 10), z.read, z.wrote]).toEqual([true, d.length, true, 0, 0]);
  });

  it('reset starts a new stream on the same inflater (the gzip decoder reuses one per member)', () => {
    const z = new JsInflater();
    for (const seed of [1, 2, 3]) {
      const original = sample('text', 40_000 * seed, seed);
      z.reset();
      const r = jsInflate(deflateRawSync(original));
      const again = jsInflateOn(z, deflateRawSync(original));
      expect([r.out.equals(original), again.equals(original)]).toEqual([true, true]);
    }
  });

  it('drives GzipMemberDecoder and RawDeflateDecoder to the same bytes as the native inflater', () => {
    const original = Buffer.concat([sample('text', 600_000, 21), sample('random', 100_000, 22)]);
    const gz = Buffer.concat([gzipSync(original), gzipSync(original.subarray(0, 1000), { level: 0 }), gzipSync(Buffer.alloc(0))]);
    for (const chunk of [1000, 65_536, gz.length]) {
      const js = drain(new GzipMemberDecoder('t.gz', 256 << 10, () => new JsInflater()), gz, chunk);
      const native = drain(new GzipMemberDecoder('t.gz', 256 << 10), gz, chunk);
      expect(js.equals(native), `chunk ${chunk}`).toBe(true);
      expect(js.length).toBe(original.length + 1000);
    }
    const raw = deflateRawSync(original);
    expect(drain(new RawDeflateDecoder('e', 256 << 10, new JsInflater()), raw, 4096).equals(original)).toBe(true);
  });
});

function jsInflateOn(z: JsInflater, input: Buffer): Buffer {
  const out = Buffer.alloc(1 << 20);
  expect(z.write(input, 0, input.length, out, 0, out.length, true)).toBe(true);
  return Buffer.from(out.subarray(0, z.wrote));
}

function drain(d: GzipMemberDecoder | RawDeflateDecoder, bytes: Buffer, chunk: number): Buffer {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += chunk) {
    d.push(bytes.subarray(i, i + chunk));
    for (let c = d.next(); c !== null; c = d.next()) parts.push(c);
  }
  d.end();
  d.close();
  return Buffer.concat(parts);
}
