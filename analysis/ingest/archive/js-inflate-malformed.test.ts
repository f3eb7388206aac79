/**
 * JsInflater on malformed deflate data (RFC 1951): each kind of bad stream is refused with zlib's
 * own message (zlib reads the same bytes alongside), after exactly the output zlib gives before
 * it; a cut stream at every byte gives what zlib gives, then "unexpected end of file".
 */
import { constants as zc, deflateRawSync, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BitWriter, dynamicHeader, distLengths, fixedLit, litLengths, type CodeLengthSymbol, type DynamicHeader } from './deflate-bits.test-support.js';
import { jsInflate, zlibInflate } from './inflate-drive.test-support.js';
import { JsInflater } from './js-inflate.js';

/** zlib's message for `bytes`, or null when it inflates them. */
function zlibError(bytes: Buffer): string | null {
  try {
    inflateRawSync(bytes);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Expects JsInflater and zlib to refuse `bytes` with `message`, after `before` (zlib's output too). */
function expectRefused(bytes: Buffer, message: string, before: string | Buffer = ''): void {
  expect(zlibError(bytes)).toBe(message);
  for (const [inStep, outStep] of [[bytes.length, 1 << 16], [1, 1], [2, 3]]) {
    const r = jsInflate(bytes, inStep, outStep);
    expect(r.error, `in ${inStep} out ${outStep}`).toBe(message);
    expect(r.out.equals(Buffer.from(before)), `in ${inStep} out ${outStep}`).toBe(true);
  }
  const z = zlibInflate(bytes);
  expect(z.out.equals(Buffer.from(before))).toBe(true);
}

/** A final fixed-Huffman block: the literals of `text`, then `then` writes the bad part. */
function fixed(text: string, then: (w: BitWriter) => void): Buffer {
  const w = new BitWriter().bits(1, 1).bits(1, 2);
  for (const c of Buffer.from(text)) fixedLit(w, c);
  then(w);
  return w.done();
}

/** A final dynamic block with these lengths holding the literals of `text` and end-of-block. */
function dynamic(lit: number[], dist: number[], text = 'ok', h: DynamicHeader = {}, then?: (w: BitWriter, codes: { lit: number[]; dist: number[] }) => void): Buffer {
  const w = new BitWriter();
  const codes = dynamicHeader(w, lit, dist, h);
  for (const c of Buffer.from(text)) w.code(codes.lit[c]!, lit[c]!);
  if (then) then(w, codes);
  else w.code(codes.lit[256]!, lit[256]!);
  return w.done();
}

describe('JsInflater: malformed blocks, refused as zlib refuses them', () => {
  it('the valid hand-built blocks inflate (so each case below breaks one thing only)', () => {
    for (const b of [dynamic(litLengths(), distLengths(), 'hello'), fixed('hi', (w) => fixedLit(w, 256))]) {
      expect(zlibError(b)).toBeNull();
      expect(jsInflate(b).error).toBeNull();
    }
    expect(jsInflate(dynamic(litLengths(), distLengths(), 'hello')).out.toString()).toBe('hello');
  });

  it('block type 3 (reserved), first or after good data', () => {
    expectRefused(Buffer.from([0x07]), 'invalid block type');
    expectRefused(Buffer.from([0x06]), 'invalid block type');
    const text = 'x'.repeat(5000) + 'the end';
    expectRefused(Buffer.concat([deflateRawSync(text, { finishFlush: zc.Z_SYNC_FLUSH }), Buffer.from([0x07, 0x41, 0x41])]), 'invalid block type', text);
  });

  it('a stored block whose LEN and NLEN do not match', () => {
    const stored = (len: number, nlen: number): Buffer => new BitWriter().bits(1, 1).bits(0, 2).raw([len & 0xff, len >>> 8, nlen & 0xff, nlen >>> 8]).raw(Buffer.from('hello')).done();
    expect(jsInflate(stored(5, 0xfffa)).out.toString()).toBe('hello');
    expectRefused(stored(5, 0xfffb), 'invalid stored block lengths');
    expectRefused(stored(5, 5), 'invalid stored block lengths');
  });

  it('literal/length codes 286 and 287 of the fixed code', () => {
    for (const sym of [286, 287]) expectRefused(fixed('ab', (w) => fixedLit(w, sym)), 'invalid literal/length code', 'ab');
  });

  it('distance codes 30 and 31 of the fixed code', () => {
    for (const code of [30, 31]) expectRefused(fixed('abc', (w) => fixedLit(w, 257).code(code, 5)), 'invalid distance code', 'abc');
  });

  it('a distance past the start of the stream (nothing before it to copy)', () => {
    expectRefused(fixed('', (w) => fixedLit(w, 257).code(0, 5)), 'invalid distance too far back');
    expectRefused(fixed('ab', (w) => fixedLit(w, 257).code(2, 5)), 'invalid distance too far back', 'ab'); // distance 3
    // Length 3 at distance 2 is fine ('ababa'); then distance 6 (code 4, extra bit 1) is not.
    expectRefused(fixed('ab', (w) => fixedLit(w, 257).code(1, 5).bits(0, 0) && fixedLit(w, 257).code(4, 5).bits(1, 1)), 'invalid distance too far back', 'ababa');
    const ok = fixed('ab', (w) => fixedLit(w, 257).code(1, 5));
    expect(jsInflate(ok).out.toString()).toBe('ababa');
  });

  it('too many literal/length (287, 288) or distance (31, 32) symbols', () => {
    for (const nlen of [287, 288]) expectRefused(dynamic(litLengths(), distLengths(), 'x', { nlen }), 'too many length or distance symbols');
    for (const ndist of [31, 32]) expectRefused(dynamic(litLengths(), distLengths(), 'x', { ndist }), 'too many length or distance symbols');
  });

  it('an over-subscribed or incomplete code-length code; an empty one reads as zeros, as in zlib', () => {
    const over = new Array<number>(19).fill(1);
    const incomplete = [2, ...new Array<number>(18).fill(0)];
    const one = [1, ...new Array<number>(18).fill(0)];
    for (const clLens of [over, incomplete, one]) expectRefused(dynamic(litLengths(), distLengths(), '', { clLens, symbols: [] }), 'invalid code lengths set');
    const empty = new Array<number>(19).fill(0);
    expectRefused(Buffer.concat([dynamic(litLengths(), distLengths(), '', { clLens: empty, symbols: [] }), Buffer.alloc(50)]), 'invalid code -- missing end-of-block');
  });

  it('over-subscribed or incomplete literal/length codes', () => {
    expectRefused(dynamic(new Array<number>(286).fill(8), distLengths()), 'invalid literal/lengths set');
    const incomplete = litLengths();
    incomplete[100] = 0;
    expectRefused(dynamic(incomplete, distLengths()), 'invalid literal/lengths set');
    const long = litLengths();
    long[0] = 15; // over-subscribed by a hair, deep in a sub-table
    expectRefused(dynamic(long, distLengths()), 'invalid literal/lengths set');
  });

  it('a lone end-of-block code of one bit is allowed (zlib allows it); its unused code is invalid', () => {
    const lit = new Array<number>(257).fill(0);
    lit[256] = 1;
    const only = new BitWriter();
    dynamicHeader(only, lit, [0]);
    expect(jsInflate(only.code(0, 1).done())).toEqual({ out: Buffer.alloc(0), error: null, read: expect.any(Number) });
    const bad = new BitWriter();
    dynamicHeader(bad, lit, [0]);
    expectRefused(bad.code(1, 1).done(), 'invalid literal/length code');
  });

  it('over-subscribed or incomplete distance codes; a lone one, or none, are allowed until used wrongly', () => {
    expectRefused(dynamic(litLengths(), new Array<number>(30).fill(4)), 'invalid distances set');
    const incomplete = distLengths();
    incomplete[7] = 0;
    expectRefused(dynamic(litLengths(), incomplete), 'invalid distances set');
    const lit = litLengths();
    const match = (code: number) => (w: BitWriter, c: { lit: number[] }) => w.code(c.lit[257]!, 8).code(code, 1);
    // One distance code (0, distance 1) of one bit: '0' copies, '1' is no code.
    const good = dynamic(lit, [1], 'ab', {}, (w, c) => {
      match(0)(w, c);
      w.code(c.lit[256]!, 9);
    });
    expect(jsInflate(good).out.toString()).toBe('abbbb');
    expectRefused(dynamic(lit, [1], 'ab', {}, match(1)), 'invalid distance code', 'ab');
    // No distance code at all: literals are fine, a match is not.
    expect(jsInflate(dynamic(lit, [0], 'lit')).out.toString()).toBe('lit');
    expectRefused(dynamic(lit, [0], 'ab', {}, match(0)), 'invalid distance code', 'ab');
  });

  it('a repeat with nothing before it, or past the last length; no end-of-block code', () => {
    const lit = litLengths();
    const dist = distLengths();
    expectRefused(dynamic(lit, dist, '', { symbols: [[16, 0]] }), 'invalid bit length repeat');
    for (const rep of [[16, 3], [17, 7], [18, 127]] satisfies CodeLengthSymbol[]) {
      // All lengths but the last 4 as themselves, then a repeat of 6, 10 or 138.
      const symbols = [...lit, ...dist.slice(0, -4), rep];
      expectRefused(dynamic(lit, dist, '', { symbols }), 'invalid bit length repeat');
    }
    const noEob = litLengths();
    noEob[256] = 0;
    expectRefused(dynamic(noEob, dist), 'invalid code -- missing end-of-block');
  });

  it('keeps failing once failed, until reset', () => {
    const z = new JsInflater();
    const out = Buffer.alloc(100);
    const bad = Buffer.from([0x07]);
    expect([z.write(bad, 0, 1, out, 0, 100), z.error, z.write(bad, 0, 0, out, 0, 100), z.error]).toEqual([false, 'invalid block type', false, 'invalid block type']);
    z.reset();
    const good = deflateRawSync('again');
    expect([z.write(good, 0, good.length, out, 0, 100, true), out.subarray(0, z.wrote).toString()]).toEqual([true, 'again']);
    expect(() => z.write(good, 0, good.length + 1, out, 0, 100)).toThrow(RangeError);
  });
});

describe('JsInflater: streams cut at every byte', () => {
  const text = Buffer.from(Array.from({ length: 300 }, (_, i) => `{"i":${i},"verb":"get","user":"system:node:n${i % 7}"}\n`).join(''));
  const streams: [string, Buffer][] = [
    ['dynamic', deflateRawSync(text)],
    ['fixed', deflateRawSync(text.subarray(0, 3000), { strategy: zc.Z_FIXED })],
    ['stored', deflateRawSync(text.subarray(0, 2000), { level: 0 })],
  ];
  for (const [kind, full] of streams) {
    it(`${kind}: every prefix gives zlib's output for it, then "unexpected end of file"`, () => {
      for (let n = 0; n < full.length; n++) {
        const cut = full.subarray(0, n);
        const want = inflateRawSync(cut, { finishFlush: zc.Z_SYNC_FLUSH });
        const r = jsInflate(cut, n % 3 === 0 ? 1 : cut.length + 1);
        expect(r.error, `cut at ${n}`).toBe('unexpected end of file');
        expect(r.out.equals(want), `cut at ${n}`).toBe(true);
      }
      expect(jsInflate(full).error).toBeNull();
    });
  }
});
