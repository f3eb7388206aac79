import { describe, expect, it } from 'vitest';
import { hexDigit } from './hex-digit.js';

describe('hexDigit', () => {
  it('agrees with parseInt on every char code below 0x200', () => {
    for (let c = 0; c < 0x200; c++) {
      const ch = String.fromCharCode(c);
      const want = /^[0-9a-fA-F]$/.test(ch) ? parseInt(ch, 16) : -1;
      expect(hexDigit(c), ch).toBe(want);
    }
  });
});
