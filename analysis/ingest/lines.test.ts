import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createLineSplitter } from './lines.js';

interface Got {
  lines: [string, number, number][];
  bad: [string, string, number, number][];
}

function split(chunks: Uint8Array[], maxLineBytes = 1 << 20): Got {
  const got: Got = { lines: [], bad: [] };
  const s = createLineSplitter({
    maxLineBytes,
    onLine: (t, n, o) => got.lines.push([t, n, o]),
    onBadLine: (r, h, n, o) => got.bad.push([r, h, n, o]),
  });
  for (const c of chunks) s.push(c);
  s.end();
  return got;
}

const b = (s: string | number[]): Uint8Array => (typeof s === 'string' ? Buffer.from(s, 'utf8') : Uint8Array.from(s));

/** Cuts bytes into random chunks (seeded), including empty and 1-byte ones. */
function randomChunks(bytes: Uint8Array, seed: number): Uint8Array[] {
  let x = seed >>> 0 || 1;
  const rnd = (): number => ((x = (x * 1103515245 + 12345) >>> 0) >>> 8) / 0x1000000;
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; ) {
    const n = Math.floor(rnd() * 7);
    out.push(bytes.subarray(i, i + n));
    i += n;
  }
  return out;
}

describe('createLineSplitter', () => {
  it('splits on \\n, strips \\r, skips empty lines but counts them, gives byte offsets', () => {
    const got = split([b('a\r\n\nbé\r\n\r\nlast')]);
    expect(got.lines).toEqual([
      ['a', 1, 0],
      ['bé', 3, 4],
      ['last', 5, 11],
    ]);
    expect(got.bad).toEqual([]);
  });

  it('gives the same result however the stream is chunked', () => {
    const text = b('{"a":1}\r\n\nšđč 中文 🙂\nx\n' + 'y'.repeat(50) + '\n\ufeffnot-a-bom-here\n\xff\ntail');
    const whole = split([text], 40);
    for (let seed = 1; seed < 200; seed++) expect(split(randomChunks(text, seed), 40)).toEqual(whole);
  });

  it('drops a BOM at the start only, even split across chunks', () => {
    const got = split([b([0xef]), b([0xbb]), b([0xbf, 0x61, 0x0a, 0xef, 0xbb, 0xbf, 0x62])]);
    expect(got.lines).toEqual([
      ['a', 1, 3],
      ['\ufeffb', 2, 5],
    ]);
    expect(split([b([0xef, 0xbb])]).bad[0]?.[0]).toBe('invalid UTF-8'); // a cut BOM is not text
    expect(split([b('ab')]).lines).toEqual([['ab', 1, 0]]);
  });

  it('reports invalid UTF-8 but accepts a real U+FFFD', () => {
    const got = split([b('ok\n'), b([0x61, 0xc3, 0x28, 0x0a]), b('real \ufffd\n')]);
    expect(got.lines).toEqual([
      ['ok', 1, 0],
      ['real \ufffd', 3, 7],
    ]);
    expect(got.bad).toEqual([['invalid UTF-8', 'a\ufffd(', 2, 3]]);
  });

  it('reports an overlong line once, with its first 200 bytes, without holding it', () => {
    const long = 'L'.repeat(5000);
    const chunks = [b('short\n' + long.slice(0, 100)), ...Array.from({ length: 49 }, (_, i) => b(long.slice(100 + i * 100, 200 + i * 100))), b('\nnext\n')];
    const got = split(chunks, 1000);
    expect(got.lines).toEqual([
      ['short', 1, 0],
      ['next', 3, 5007],
    ]);
    expect(got.bad).toEqual([['line exceeds 1000 bytes', 'L'.repeat(200), 2, 6]]);
    // Within one chunk too, and a line of exactly the limit followed by \r\n passes.
    const one = split([b(`${'x'.repeat(10)}\r\n${'y'.repeat(11)}\n`)], 10);
    expect(one.lines).toEqual([['x'.repeat(10), 1, 0]]);
    expect(one.bad[0]?.slice(0, 1)).toEqual(['line exceeds 10 bytes']);
  });

  it('reads a real audit log: one line per event, offsets point at each line', () => {
    const bytes = readFileSync(new URL('./archive/fixtures/audit2rbac__demo.log', import.meta.url));
    const got = split(randomChunks(bytes, 7));
    expect(got.lines.length).toBe(37);
    for (const [text, , offset] of got.lines) {
      expect(bytes.subarray(offset, offset + Buffer.byteLength(text)).toString('utf8')).toBe(text);
      expect(JSON.parse(text)).toHaveProperty('auditID');
    }
  });

  it('fuzz: random bytes never throw, every byte is in a line, a bad line or a newline', () => {
    let x = 99;
    const rnd = (): number => ((x = (x * 1664525 + 1013904223) >>> 0) >>> 8) / 0x1000000;
    for (let round = 0; round < 200; round++) {
      const bytes = Uint8Array.from({ length: Math.floor(rnd() * 400) }, () => (rnd() < 0.1 ? 10 : rnd() < 0.1 ? 13 : Math.floor(rnd() * 256)));
      const got = split(randomChunks(bytes, round + 1), 30);
      const lineNos = [...got.lines.map((l) => l[1]), ...got.bad.map((l) => l[2])];
      expect(new Set(lineNos).size).toBe(lineNos.length);
      for (const [text, , offset] of got.lines) expect(Buffer.from(bytes.subarray(offset, offset + Buffer.byteLength(text))).toString('utf8')).toBe(text);
    }
  });
});
