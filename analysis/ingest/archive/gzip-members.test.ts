import { readFileSync } from 'node:fs';
import { constants, crc32 as nodeCrc32, deflateRawSync, gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, crc32Portable } from './crc32.js';
import { MAX_HEADER_TEXT } from './gzip-header.js';
import { GzipMemberDecoder } from './gzip-members.js';
import { decodeGzip, gzipMember } from './gzip-test-bytes.js';
import { BundleError } from './limits.js';
import { JsInflater } from './js-inflate.js';
import { RawInflater, rawInflaterAvailable } from './raw-inflater.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const LOG = fixture('audit2rbac__demo.log');
const LOG_GZ = fixture('audit2rbac__demo-2017-09-11T19-55-05.000.log.gz');
const CHUNKS = [1, 2, 3, 7, 64, 4096, 1 << 20];

/** Expects every chunking of `bytes` to give `text` and the error matching `error` (or none). */
function expectDecode(bytes: Uint8Array, text: string | Uint8Array, error: RegExp | null): void {
  for (const chunk of CHUNKS) {
    const d = decodeGzip(bytes, chunk);
    if (error) {
      expect(d.error, `chunk ${chunk}`).toBeInstanceOf(BundleError);
      expect(d.error!.message, `chunk ${chunk}`).toMatch(error);
      expect((d.error as BundleError).file).toBe('t.gz');
    } else {
      expect(d.error, `chunk ${chunk}`).toBeNull();
    }
    expect(d.out.equals(Buffer.from(text)), `chunk ${chunk}`).toBe(true);
  }
}

describe('runtime', () => {
  it('has the zlib internals RawInflater drives, and a CRC-32 matching the portable one', () => {
    expect(rawInflaterAvailable()).toBe(true);
    // Lengths around the portable version's 8-byte steps, and continuations split inside a step.
    for (const n of [0, 1, 7, 8, 9, 15, 16, 17, 1000, 4097]) {
      const b = LOG.subarray(0, n);
      expect(crc32(b)).toBe(crc32Portable(b));
      expect(crc32Portable(LOG.subarray(n), crc32Portable(b))).toBe(nodeCrc32(LOG));
    }
    // Every byte value (the log is text).
    const bytes = Uint8Array.from({ length: 5003 }, (_, i) => (i * 2654435761) >>> 24);
    expect(crc32Portable(bytes)).toBe(nodeCrc32(bytes));
  });
});

describe('GzipMemberDecoder: headers (RFC 1952 §2.3)', () => {
  const cases: [string, Parameters<typeof gzipMember>[1]][] = [
    ['no optional field', {}],
    ['FEXTRA', { extra: Buffer.from('AP\x04\x00abcd', 'latin1') }],
    ['FEXTRA of length 0', { extra: new Uint8Array(0) }],
    ['FNAME', { name: 'audit.log' }],
    ['FCOMMENT', { comment: 'rotated by logrotate' }],
    ['FHCRC', { headerCrc: true }],
    ['every flag', { extra: Buffer.alloc(300, 7), name: 'a'.repeat(1000), comment: 'c', headerCrc: true }],
  ];
  for (const [what, opts] of cases) {
    it(`reads a member with ${what}, whatever the chunking`, () => {
      const gz = gzipMember(LOG, opts);
      expect(gunzipSync(gz).equals(LOG)).toBe(true); // zlib agrees the member is valid
      expectDecode(gz, LOG, null);
    });
  }

  it('refuses a header CRC that does not match, reserved flags, another method, an endless name', () => {
    const gz = gzipMember('x', { name: 'n', headerCrc: true });
    gz[gz.indexOf(0, 10) + 1]! ^= 1; // header CRC-16
    expectDecode(gz, '', /^corrupt gzip in t\.gz: member 1 \(at byte 0\) has a bad header: header CRC-16/);
    expectDecode(gzipMember('x', { flags: 0x20 }), '', /reserved header flags set \(FLG 0x20\)/);
    expectDecode(gzipMember('x', { method: 7 }), '', /compression method 7 is not deflate/);
    expectDecode(gzipMember('x', { name: 'n'.repeat(MAX_HEADER_TEXT + 1) }), '', /header name longer than 65536 bytes/);
    expectDecode(gzipMember('x', { comment: 'n'.repeat(MAX_HEADER_TEXT) }), 'x', null);
  });

  it('says "not a gzip stream" when the input does not start with a member', () => {
    expectDecode(Buffer.from('plain text, not gzip'), '', /^corrupt gzip in t\.gz: incorrect header check: not a gzip stream/);
    expectDecode(Buffer.concat([Buffer.alloc(10), gzipSync('x')]), '', /not a gzip stream/);
  });
});

describe('GzipMemberDecoder: members, padding, garbage', () => {
  const a = 'first member\n'.repeat(50);
  const b = 'second\n';
  const c = LOG.toString();

  it('reads every member, including empty ones, and counts them', () => {
    const gz = Buffer.concat([gzipSync(a), gzipSync(''), gzipMember(b, { name: 'b' }), gzipSync(c)]);
    expectDecode(gz, a + b + c, null);
    expect(decodeGzip(gz).members).toBe(4);
  });

  it('skips zero padding between and after members, and reads the members after it', () => {
    const gz = Buffer.concat([gzipSync(a), Buffer.alloc(512), gzipSync(b), Buffer.alloc(1), gzipSync(c), Buffer.alloc(10_000)]);
    expectDecode(gz, a + b + c, null);
  });

  it('yields every member before reporting trailing garbage at its byte offset', () => {
    const first = gzipSync(a);
    expectDecode(Buffer.concat([first, Buffer.from('junk')]), a, new RegExp(`^corrupt gzip in t\\.gz: incorrect header check: trailing garbage at byte offset ${first.length}, after member 1$`));
    const padded = Buffer.concat([first, Buffer.alloc(100), Buffer.from([0x42])]);
    expectDecode(padded, a, new RegExp(`trailing garbage at byte offset ${first.length + 100}, after member 1`));
    // A lone gzip magic after the last member is a cut member, not garbage.
    expectDecode(Buffer.concat([first, Buffer.from([0x1f, 0x8b])]), a, /^truncated gzip: t\.gz ends inside the header of member 2/);
  });

  it('yields a member whose CRC-32 or ISIZE is wrong before saying so, naming the member', () => {
    const m2 = gzipSync(c);
    const badCrc = Buffer.concat([gzipSync(a), m2]);
    badCrc[badCrc.length - 6]! ^= 0xff;
    expectDecode(badCrc, a + c, /^corrupt gzip in t\.gz: bad CRC-32 in member 2 \(at byte \d+\): its trailer says 0x[0-9a-f]{8}, its \d+ bytes give/);
    const badLen = Buffer.concat([gzipSync(a), m2, gzipSync(b)]);
    badLen[badLen.length - gzipSync(b).length - 2]! ^= 0x01;
    expectDecode(badLen, a + c, /^corrupt gzip in t\.gz: bad length in member 2 .* inflated to 22129$/);
  });

  it('bad deflate data loses at most one 64 KiB inflate step of what came before it', () => {
    const text = Array.from({ length: 40_000 }, (_, i) => `{"i":${i},"x":${Math.sin(i)}}\n`).join('');
    const head = Buffer.from(text.slice(0, 1_000_000));
    const all = Buffer.from(text);
    // A full flush ends `head` on a byte boundary; the rest follows as a new deflate stream.
    const before = deflateRawSync(head, { finishFlush: constants.Z_FULL_FLUSH });
    const after = Buffer.from(deflateRawSync(all.subarray(head.length)));
    after[0] = 0xff; // block type 3: "invalid block type"
    const gz = gzipMember(all, { deflated: Buffer.concat([before, after]) });
    for (const chunk of [4096, 1 << 20]) {
      const d = decodeGzip(gz, chunk);
      expect(d.error?.message).toMatch(/has bad deflate data after \d+ bytes: invalid block type$/);
      expect(d.out.length).toBeGreaterThan(head.length - 65536);
      expect(all.subarray(0, d.out.length).equals(d.out)).toBe(true);
    }
  });

  it('yields what came before bad deflate data in a later member', () => {
    const m2 = Buffer.from(gzipSync(c));
    m2[12]! ^= 0xff;
    const d = decodeGzip(Buffer.concat([gzipSync(a), m2]), 64);
    expect(d.error?.message).toMatch(/^corrupt gzip in t\.gz: member 2 \(at byte \d+\) has bad deflate data after \d+ bytes: /);
    expect(d.out.subarray(0, a.length).toString()).toBe(a);
  });
});

describe('GzipMemberDecoder: truncation', () => {
  it('an empty input, or one cut inside the 10-byte header, is a truncated gzip', () => {
    expectDecode(new Uint8Array(0), '', /^truncated gzip: t\.gz is empty$/);
    const gz = gzipSync('hello\n');
    for (let n = 1; n < 10; n++) expectDecode(gz.subarray(0, n), '', new RegExp(`^truncated gzip: t\\.gz ends inside the header of member 1 \\(at byte ${n}, ${n} header bytes\\)`));
    const named = gzipMember('hello\n', { name: 'hello.txt', extra: Buffer.alloc(4) });
    expectDecode(named.subarray(0, 17), '', /ends inside the header of member 1 \(at byte 17/);
  });

  it('a cut in the compressed data yields every byte that inflated, then names the member', () => {
    const gz = gzipSync(LOG);
    for (const cut of [11, 100, 1000, gz.length - 9]) {
      for (const chunk of [1, 7, 4096]) {
        const d = decodeGzip(gz.subarray(0, cut), chunk);
        expect(d.error?.message).toMatch(/^truncated gzip: t\.gz ends inside the compressed data of member 1 \(at byte \d+, \d+ bytes inflated from it\)$/);
        expect(LOG.subarray(0, d.out.length).equals(d.out)).toBe(true);
      }
    }
    expect(decodeGzip(gz.subarray(0, gz.length - 9)).out.length).toBeGreaterThan(LOG.length - 300);
  });

  it('a cut in or just before the trailer yields the whole member', () => {
    const gz = gzipSync(LOG);
    expectDecode(gz.subarray(0, gz.length - 8), LOG, /^truncated gzip: t\.gz ends before the 8-byte trailer of member 1/);
    for (let k = 1; k < 8; k++) expectDecode(gz.subarray(0, gz.length - 8 + k), LOG, new RegExp(`ends inside the 8-byte trailer of member 1 .*${k} of 8 bytes`));
  });
});

describe('GzipMemberDecoder: output and input contract', () => {
  it('returns at most outChunk bytes per call, in pieces it never reuses', () => {
    const big = Buffer.alloc(3_000_000, 0x61);
    const d = decodeGzip(gzipSync(big), 65536, 100_000);
    expect(d.error).toBeNull();
    expect(d.largest).toBe(100_000);
    expect(d.out.equals(big)).toBe(true);
  });

  it('coalesces tiny members into few pieces and reads 10,000 of them quickly', () => {
    const lines = Array.from({ length: 10_000 }, (_, i) => `{"n":${i}}\n`);
    const gz = Buffer.concat(lines.map((l) => gzipSync(l)));
    const t0 = performance.now();
    const d = decodeGzip(gz, 1 << 20);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(d.error).toBeNull();
    expect(d.members).toBe(10_000);
    expect(d.out.toString()).toBe(lines.join(''));
  });

  it('writes into the output regions its caller hands out (shared memory), asking for the next only once the last is handed back', () => {
    // As the parse worker inflates (parse-worker-gunzip.ts), with either inflater.
    const text = Buffer.from(Array.from({ length: 40_000 }, (_, i) => `{"n":${i},"pad":"${'x'.repeat(i % 97)}"}\n`).join(''));
    const gz = Buffer.concat([gzipSync(text.subarray(0, 1_000_000)), gzipSync(text.subarray(1_000_000))]);
    const outChunk = 64 << 10;
    for (const inflater of [() => new RawInflater(), () => new JsInflater()]) {
      const shared = new SharedArrayBuffer(4 * outChunk);
      let taken = 0;
      let pending = 0; // bytes of the current region not yet returned by `next`
      const d = new GzipMemberDecoder('t.gz', outChunk, inflater, (size) => {
        expect(pending).toBe(0);
        pending = size;
        return Buffer.from(shared, (taken++ % 4) * outChunk, size);
      });
      const parts: Buffer[] = [];
      for (let at = 0; at < gz.length; at += 100_000) {
        d.push(gz.subarray(at, at + 100_000));
        for (let c = d.next(); c !== null; c = d.next()) {
          expect(c.buffer).toBe(shared);
          pending -= c.length;
          parts.push(Buffer.from(c)); // copied: the region is taken again
        }
      }
      d.end();
      d.close();
      expect(Buffer.concat(parts).equals(text)).toBe(true);
      expect(taken).toBe(Math.ceil(text.length / outChunk));
    }
  });

  it('refuses a push before the previous chunk is used up', () => {
    const d = new GzipMemberDecoder('t.gz');
    d.push(gzipSync('x'));
    expect(() => d.push(gzipSync('y'))).toThrow(/not used up/);
    d.close();
  });

  it('keeps throwing the same error once failed', () => {
    const d = new GzipMemberDecoder('t.gz');
    d.push(Buffer.from('nope'));
    expect(() => d.next()).toThrow(/not a gzip stream/);
    expect(() => d.next()).toThrow(/not a gzip stream/);
    expect(() => d.end()).toThrow(/not a gzip stream/);
    d.close();
  });

  it('reads the real rotated audit log fixture byte for byte', () => {
    expectDecode(LOG_GZ, LOG, null);
  });
});
