import { describe, expect, it } from 'vitest';
import { halfSipHashBytes, halfSipHashText } from './half-siphash.js';

// The reference implementation's HalfSipHash-2-4 32-bit vectors (key bytes 00..07, message bytes
// 00..n-1 for n = 0..8), as little-endian words.
const VECTORS_2_4 = [0x5b9f35a9, 0xb85a4727, 0x03a662fa, 0x04e7fe8a, 0x89466e2a, 0x69b6fac5, 0x23fc6358, 0xc563cf8b, 0x8f84b8d0];
const K0 = 0x03020100;
const K1 = 0x07060504;

describe('HalfSipHash', () => {
  it('gives the reference test vectors (2-4 rounds)', () => {
    VECTORS_2_4.forEach((want, n) => {
      const msg = Uint8Array.from({ length: n }, (_, i) => i);
      expect(halfSipHashBytes(msg, K0, K1, 2, 4) >>> 0, `length ${n}`).toBe(want);
      // The same bytes as a string of char codes (all ASCII) hash alike.
      expect(halfSipHashText(String.fromCharCode(...msg), K0, K1, 2, 4) >>> 0, `text of length ${n}`).toBe(want);
    });
  });

  it('hashes a string as its UTF-8 bytes, multi-byte characters included', () => {
    for (const s of ['', 'a', 'abcd', 'abcde', '6399f181-8870-4a9d-9ace-00000001398b', 'é', 'aé€😀b', 'x'.repeat(1000)]) {
      expect(halfSipHashText(s, K0, K1, 1, 3), s).toBe(halfSipHashBytes(Buffer.from(s, 'utf8'), K0, K1, 1, 3));
    }
  });

  it('depends on every key bit and on the length', () => {
    const base = halfSipHashText('6399f181-8870-4a9d-9ace-00000001398b', K0, K1, 1, 3);
    for (let b = 0; b < 32; b++) {
      expect(halfSipHashText('6399f181-8870-4a9d-9ace-00000001398b', K0 ^ (1 << b), K1, 1, 3), `k0 bit ${b}`).not.toBe(base);
      expect(halfSipHashText('6399f181-8870-4a9d-9ace-00000001398b', K0, K1 ^ (1 << b), 1, 3), `k1 bit ${b}`).not.toBe(base);
    }
    expect(halfSipHashBytes(new Uint8Array(4), K0, K1, 1, 3)).not.toBe(halfSipHashBytes(new Uint8Array(5), K0, K1, 1, 3));
  });
});
