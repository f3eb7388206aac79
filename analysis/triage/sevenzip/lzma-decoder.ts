/**
 * The LZMA symbol decoder, written from Igor Pavlov's LZMA specification (lzma-specification.txt,
 * the reference LzmaSpec.cpp, normalising before each bit as LzmaDec.c does): a range decoder
 * over adaptive bit probabilities; literals coded with lc/lp context (and "matched" against the
 * byte at rep0 after a match); matches, short reps and the four rep distances; the 12-state
 * machine. One method with everything inline and the coder's uint32 values held as int32: this is
 * the hot loop of 7z triage.
 *
 * Hostile input: a distance reaching before what the window holds, a match before any byte, or
 * input that ends early throws SevenZipError (after keeping what was decoded before it). Every
 * call produces at least one byte, stops at the end marker, or throws, so a caller loop bounded
 * by output bytes always ends.
 */
import {
  ALIGN, IS_MATCH, IS_REP, IS_REP0_LONG, IS_REP_G0, IS_REP_G1, IS_REP_G2, L_CHOICE2, L_HIGH, L_LOW, L_MID, LEN, LITERAL,
  LzmaState, POS_SLOT, REP_LEN, SPEC_POS,
} from './lzma-state.js';
import { SevenZipError } from './sevenzip-error.js';

export type { LzmaProperties } from './lzma-state.js';

/** Flips the sign bit so that signed comparison of int32 values orders them as uint32. */
const SIGN = 0x80000000 | 0;

export class LzmaDecoder extends LzmaState {
  private fail(kind: 'malformed' | 'truncated', message: string, pos: number, total: number): never {
    // What was decoded before the failure stays readable (window[…pos)); the decoder is dead after.
    this.pos = pos;
    this.total = total;
    this.broken = new SevenZipError(kind, message);
    throw this.broken;
  }

  /**
   * Decodes at most `limit` (> 0) bytes into window[pos…] (call prepare() first). Returns the
   * count: at least 1, or 0 only once the end marker was met.
   */
  decode(limit: number): number {
    if (this.broken) throw this.broken;
    if (this.ended) return 0;
    const win = this.window;
    const wlen = win.length;
    const probs = this.probs;
    const input = this.input;
    const inEnd = this.inEnd;
    const lc = this.lc;
    const lpMask = (1 << this.lp) - 1;
    const pbMask = (1 << this.pb) - 1;
    const start = this.pos;
    const end = Math.min(wlen, start + limit);
    let pos = start;
    let total = this.total;
    let range = this.range;
    let code = this.code;
    let inPos = this.inPos;
    let state = this.state;
    let rep0 = this.rep0;
    let rep1 = this.rep1;
    let rep2 = this.rep2;
    let rep3 = this.rep3;
    let remain = this.remainLen;
    const full = this.full;
    let bound = 0;
    let p = 0;
    let i = 0;

    // Finish a match the previous call cut at its limit.
    if (remain > 0) {
      let src = pos - rep0 - 1;
      if (src < 0) src += wlen;
      while (remain > 0 && pos < end) {
        win[pos++] = win[src++]!;
        if (src === wlen) src = 0;
        remain--;
      }
      total += pos - start;
    }

    let symStart = pos;
    while (pos < end) {
      // Past its end the input reads as zeros; the symbol that needed them is dropped here.
      if (inPos > inEnd) this.fail('truncated', 'LZMA stream ends early', symStart, total - (pos - symStart));
      symStart = pos;
      const posState = total & pbMask;
      // isMatch[state][posState]
      i = IS_MATCH + (state << 4) + posState;
      p = probs[i]!;
      if ((range >>> 24) === 0) { range <<= 8; code = (code << 8) | (inPos < inEnd ? input[inPos]! : 0); inPos++; }
      bound = Math.imul(range >>> 11, p);
      if ((code ^ SIGN) < (bound ^ SIGN)) {
        range = bound; probs[i] = p + ((2048 - p) >> 5);
        // Literal: context from the previous byte and the position's low lp bits.
        const prev = total === 0 ? 0 : win[pos === 0 ? wlen - 1 : pos - 1]!;
        const base = LITERAL + 0x300 * (((total & lpMask) << lc) + (prev >> (8 - lc)));
        let sym = 1;
        if (state >= 7) {
          // After a match the byte at rep0 predicts this one until the first differing bit.
          let mi = pos - rep0 - 1;
          if (mi < 0) mi += wlen;
          let matchByte = win[mi]!;
          while (sym < 0x100) {
            const matchBit = (matchByte >> 7) & 1;
            matchByte <<= 1;
            i = base + ((1 + matchBit) << 8) + sym;
            p = probs[i]!;
            if ((range >>> 24) === 0) { range <<= 8; code = (code << 8) | (inPos < inEnd ? input[inPos]! : 0); inPos++; }
            bound = Math.imul(range >>> 11, p);
            let bit: number;
            if ((code ^ SIGN) < (bound ^ SIGN)) { range = bound; probs[i] = p + ((2048 - p) >> 5); bit = 0; }
            else { range = (range - bound) | 0; code = (code - bound) | 0; probs[i] = p - (p >> 5); bit = 1; }
            sym = (sym << 1) | bit;
            if (bit !== matchBit) break;
          }
        }
        while (sym < 0x100) {
          i = base + sym;
          p = probs[i]!;
          if ((range >>> 24) === 0) { range <<= 8; code = (code << 8) | (inPos < inEnd ? input[inPos]! : 0); inPos++; }
          bound = Math.imul(range >>> 11, p);
          if ((code ^ SIGN) < (bound ^ SIGN)) { range = bound; probs[i] = p + ((2048 - p) >> 5); sym <<= 1; }
          else { range = (range - bound) | 0; code = (code - bound) | 0; probs[i] = p - (p >> 5); sym = (sym << 1) | 1; }
        }
        win[pos++] = sym & 0xff;
        total++;
        state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
        continue;
      }
      range = (range - bound) | 0; code = (code - bound) | 0; probs[i] = p - (p >> 5);
      if (total === 0) this.fail('malformed', 'LZMA match before any byte', pos, total);

      // isRep[state]
      i = IS_REP + state;
      p = probs[i]!;
      if ((range >>> 24) === 0) { range <<= 8; code = (code << 8) | (inPos < inEnd ? input[inPos]! : 0); inPos++; }
      bound = Math.imul(range >>> 11, p);
      let lenBase: number;
      if ((code ^ SIGN) < (bound ^ SIGN)) {
        range = bound; probs[i] = p + ((2048 - p) >> 5);
        lenBase = LEN;
        rep3 = rep2; rep2 = rep1; rep1 = rep0;
        state = state < 7 ? 7 : 10;
      } else {
        range = (range - bound) | 0; code = (code - bound) | 0; probs[i] = p - (p >> 5);
        lenBase = REP_LEN;
        // isRepG0[state]
        i = IS_REP_G0 + state;
        p = probs[i]!;
        if ((range >>> 24) === 0) { range <<= 8; code = (code << 8) | (inPos < inEnd ? input[inPos]! : 0); inPos++; }
        bound = Math.imul(range >>> 11, p);
        if ((code ^ SIGN) < (bound ^ SIGN)) {
          range = bound; probs[i] = p + ((2048 - p) >> 5);
          // isRep0Long: 0 is a "short rep", one byte at rep0.
          i = IS_REP0_LONG + (state << 4) + posState;
          p = probs[i]!;
          if ((range >>> 24) === 0) { range <<= 8; code = (code << 8) | (inPos < inEnd ? input[inPos]! : 0); inPos++; }
          bound = Math.imul(range >>> 11, p);
          if ((code ^ SIGN) < (bound ^ SIGN)) {
            range = bound; probs[i] = p + ((2048 - p) >> 5);
            state = state < 7 ? 9 : 11;
            if (rep0 >= (full ? wlen : pos)) this.fail('malformed', `LZMA distance ${rep0 + 1} reaches before the window`, pos, total);
            let src = pos - rep0 - 1;
            if (src < 0) src += wlen;
            win[pos++] = win[src]!;
            total++;
            continue;
          }
          range = (range - bound) | 0; code = (code - bound) | 0; probs[i] = p - (p >> 5);
        } else {
          range = (range - bound) | 0; code = (code - bound) | 0; probs[i] = p - (p >> 5);
          // isRepG1 / isRepG2 pick rep1, rep2 or rep3 and move it to the front.
          i = IS_REP_G1 + state;
          p = probs[i]!;
          if ((range >>> 24) === 0) { range <<= 8; code = (code << 8) | (inPos < inEnd ? input[inPos]! : 0); inPos++; }
          bound = Math.imul(range >>> 11, p);
          let dist: number;
          if ((code ^ SIGN) < (bound ^ SIGN)) {
            range = bound; probs[i] = p + ((2048 - p) >> 5);
            dist = rep1;
          } else {
            range = (range - bound) | 0; code = (code - bound) | 0; probs[i] = p - (p >> 5);
            i = IS_REP_G2 + state;
            p = probs[i]!;
            if ((range >>> 24) === 0) { range <<= 8; code = (code << 8) | (inPos < inEnd ? input[inPos]! : 0); inPos++; }
            bound = Math.imul(range >>> 11, p);
            if ((code ^ SIGN) < (bound ^ SIGN)) {
              range = bound; probs[i] = p + ((2048 - p) >> 5);
              dist = rep2;
            } else {
              range = (range - bound) | 0; code = (code - bound) | 0; probs[i] = p - (p >> 5);
              dist = rep3;
              rep3 = rep2;
            }
            rep2 = rep1;
          }
          rep1 = rep0;
          rep0 = dist;
        }
        state = state < 7 ? 8 : 11;
      }

      // Length: choice → low[posState] (3 bits), choice2 → mid[posState] (3 bits), else high (8 bits).
      let treeBase: number;
      let bits: number;
      let len: number;
      i = lenBase;
      p = probs[i]!;
      if ((range >>> 24) === 0) { range <<= 8; code = (code << 8) | (inPos < inEnd ? input[inPos]! : 0); inPos++; }
      bound = Math.imul(range >>> 11, p);
      if ((code ^ SIGN) < (bound ^ SIGN)) {
        range = bound; probs[i] = p + ((2048 - p) >> 5);
        treeBase = lenBase + L_LOW + (posState << 3);
        bits = 3;
        len = 0;
      } else {
        range = (range - bound) | 0; code = (code - bound) | 0; probs[i] = p - (p >> 5);
        i = lenBase + L_CHOICE2;
        p = probs[i]!;
        if ((range >>> 24) === 0) { range <<= 8; code = (code << 8) | (inPos < inEnd ? input[inPos]! : 0); inPos++; }
        bound = Math.imul(range >>> 11, p);
        if ((code ^ SIGN) < (bound ^ SIGN)) {
          range = bound; probs[i] = p + ((2048 - p) >> 5);
          treeBase = lenBase + L_MID + (posState << 3);
          bits = 3;
          len = 8;
        } else {
          range = (range - bound) | 0; code = (code - bound) | 0; probs[i] = p - (p >> 5);
          treeBase = lenBase + L_HIGH;
          bits = 8;
          len = 16;
        }
      }
      let sym = 1;
      for (let k = 0; k < bits; k++) {
        i = treeBase + sym;
        p = probs[i]!;
        if ((range >>> 24) === 0) { range <<= 8; code = (code << 8) | (inPos < inEnd ? input[inPos]! : 0); inPos++; }
        bound = Math.imul(range >>> 11, p);
        if ((code ^ SIGN) < (bound ^ SIGN)) { range = bound; probs[i] = p + ((2048 - p) >> 5); sym <<= 1; }
        else { range = (range - bound) | 0; code = (code - bound) | 0; probs[i] = p - (p >> 5); sym = (sym << 1) | 1; }
      }
      len += sym - (1 << bits);

      if (lenBase === LEN) {
        // A new match: 6-bit posSlot per length state, then direct/reverse bits and the align bits.
        const slotBase = POS_SLOT + ((len < 3 ? len : 3) << 6);
        sym = 1;
        for (let k = 0; k < 6; k++) {
          i = slotBase + sym;
          p = probs[i]!;
          if ((range >>> 24) === 0) { range <<= 8; code = (code << 8) | (inPos < inEnd ? input[inPos]! : 0); inPos++; }
          bound = Math.imul(range >>> 11, p);
          if ((code ^ SIGN) < (bound ^ SIGN)) { range = bound; probs[i] = p + ((2048 - p) >> 5); sym <<= 1; }
          else { range = (range - bound) | 0; code = (code - bound) | 0; probs[i] = p - (p >> 5); sym = (sym << 1) | 1; }
        }
        const slot = sym - 64;
        let dist = slot;
        if (slot >= 4) {
          const direct = (slot >> 1) - 1;
          dist = (2 | (slot & 1)) * 2 ** direct;
          let revBase: number;
          let revBits: number;
          if (slot < 14) {
            revBase = SPEC_POS + dist - slot;
            revBits = direct;
          } else {
            // Direct bits (probability 1/2 each), then 4 reverse-coded align bits.
            let v = 0;
            for (let k = direct - 4; k > 0; k--) {
              if ((range >>> 24) === 0) { range <<= 8; code = (code << 8) | (inPos < inEnd ? input[inPos]! : 0); inPos++; }
              range >>>= 1;
              if ((code ^ SIGN) >= (range ^ SIGN)) { code = (code - range) | 0; v = v * 2 + 1; } else v *= 2;
            }
            dist += v * 16;
            revBase = ALIGN;
            revBits = 4;
          }
          let m = 1;
          for (let k = 0; k < revBits; k++) {
            i = revBase + m;
            p = probs[i]!;
            if ((range >>> 24) === 0) { range <<= 8; code = (code << 8) | (inPos < inEnd ? input[inPos]! : 0); inPos++; }
            bound = Math.imul(range >>> 11, p);
            if ((code ^ SIGN) < (bound ^ SIGN)) { range = bound; probs[i] = p + ((2048 - p) >> 5); m <<= 1; }
            else { range = (range - bound) | 0; code = (code - bound) | 0; probs[i] = p - (p >> 5); m = (m << 1) | 1; dist += 2 ** k; }
          }
        }
        if (dist === 0xffffffff) {
          // End marker: no more output, whatever size was declared.
          this.ended = true;
          break;
        }
        rep0 = dist;
      }
      // The distance must stay inside what the window holds (the dictionary bound too).
      if (rep0 >= (full ? wlen : pos)) {
        this.fail('malformed', `LZMA distance ${rep0 + 1} reaches before the ${full ? wlen : pos}-byte window`, pos, total);
      }
      len += 2;
      let src = pos - rep0 - 1;
      if (src < 0) src += wlen;
      const n = Math.min(len, end - pos);
      remain = len - n;
      for (let k = 0; k < n; k++) {
        win[pos++] = win[src++]!;
        if (src === wlen) src = 0;
      }
      total += n;
    }

    if (inPos > inEnd) this.fail('truncated', 'LZMA stream ends early', symStart, total - (pos - symStart));
    this.pos = pos;
    this.total = total;
    this.range = range;
    this.code = code;
    this.inPos = inPos;
    this.state = state;
    this.rep0 = rep0;
    this.rep1 = rep1;
    this.rep2 = rep2;
    this.rep3 = rep3;
    this.remainLen = remain;
    return pos - start;
  }
}
