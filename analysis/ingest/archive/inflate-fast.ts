/**
 * The inner loop of JsInflater (js-inflate.ts), after zlib's inffast.c: while at least 8 input
 * bytes and 258 bytes of output room are left, one literal or one whole match (a length and
 * distance code with their extra bits: at most 48 bits, 7 bytes) decodes without checking for the
 * end of either buffer. Everything else (block headers, tables, the last bytes of a buffer) is the
 * resumable slow path in js-inflate.ts.
 *
 * Bits are taken lowest first into `hold`, at most 30 here, so it stays a positive int32 and `>>`
 * drops bits (measured ~30% faster than `>>>`, whose unsigned result V8 may keep as a double).
 * On leaving, whole unused bytes go back to the input, so at the end of a stream exactly the bytes
 * it used are consumed (as zlib counts them).
 */
import { OP_BASE, OP_EOB, OP_LIT, OP_MASK, OP_SUB } from './inflate-tables.js';

// Module constants: a hot loop reading them through an import binding is slower in some loaders.
const MASK = OP_MASK;
const LIT = OP_LIT;
const BASE = OP_BASE;
const EOB = OP_EOB;
const SUB = OP_SUB;

export const enum Mode {
  Header,
  StoredLen,
  Stored,
  Table,
  CodeLenLens,
  CodeLens,
  Len,
  LenExtra,
  Dist,
  DistExtra,
  Copy,
  Done,
  Bad,
}

/** The decoder state inflateFast reads and updates. */
export interface FastState {
  mode: Mode;
  last: boolean;
  hold: number;
  bits: number;
  /** win[0, p) is output so far (since the last slide); the window is its last 32 KiB. */
  p: number;
  ip: number;
  error: string | null;
  readonly win: Uint8Array;
  lcode: Int32Array;
  lbits: number;
  dcode: Int32Array;
  dbits: number;
}

/**
 * Decodes literal/length symbols of the current block from inp[s.ip, inEnd) into s.win up to
 * `limit`. Returns at the end of the block (mode Header or Done), on bad data (mode Bad, `error`
 * set, output before it kept) or when fewer than 8 input bytes or 258 bytes of room are left.
 */
export function inflateFast(s: FastState, inp: Uint8Array, inEnd: number, limit: number): void {
  const win = s.win;
  const lcode = s.lcode;
  const dcode = s.dcode;
  const lbits = s.lbits;
  const dbits = s.dbits;
  const lmask = (1 << lbits) - 1;
  const dmask = (1 << dbits) - 1;
  const inLast = inEnd - 8;
  const outLast = limit - 258;
  const ipStart = s.ip;
  let hold = s.hold;
  let bits = s.bits;
  let ip = ipStart;
  let p = s.p;
  let error: string | null = null;
  while (ip <= inLast && p <= outLast) {
    if (bits < 15) {
      hold |= inp[ip++]! << bits;
      bits += 8;
      hold |= inp[ip++]! << bits;
      bits += 8;
    }
    let e = lcode[hold & lmask]!;
    let op = e & MASK;
    if (op === LIT) {
      // Most symbols: a literal whose code fits the root. Then a second one while the bits last.
      const n = e & 31;
      hold >>= n;
      bits -= n;
      win[p++] = e >>> 16;
      e = lcode[hold & lmask]!;
      if ((e & MASK) !== LIT || (e & 31) > bits) continue;
      hold >>= e & 31;
      bits -= e & 31;
      win[p++] = e >>> 16;
      continue;
    }
    if (op === SUB) {
      hold >>= lbits;
      bits -= lbits;
      e = lcode[(e >>> 16) + (hold & ((1 << ((e >>> 8) & 15)) - 1))]!;
      op = e & MASK;
    }
    let n = e & 31;
    hold >>= n;
    bits -= n;
    if (op === LIT) {
      win[p++] = e >>> 16;
      continue;
    }
    if (op !== BASE) {
      if (op === EOB) s.mode = s.last ? Mode.Done : Mode.Header;
      else error = 'invalid literal/length code';
      break;
    }
    n = (e >>> 8) & 15;
    if (bits < n) {
      hold |= inp[ip++]! << bits;
      bits += 8;
    }
    const len = (e >>> 16) + (hold & ((1 << n) - 1));
    hold >>= n;
    bits -= n;
    if (bits < 15) {
      hold |= inp[ip++]! << bits;
      bits += 8;
      hold |= inp[ip++]! << bits;
      bits += 8;
    }
    e = dcode[hold & dmask]!;
    if ((e & MASK) === SUB) {
      hold >>= dbits;
      bits -= dbits;
      e = dcode[(e >>> 16) + (hold & ((1 << ((e >>> 8) & 15)) - 1))]!;
    }
    n = e & 31;
    hold >>= n;
    bits -= n;
    op = e & MASK;
    if (op !== BASE) {
      error = 'invalid distance code';
      break;
    }
    n = (e >>> 8) & 15;
    if (bits < n) {
      hold |= inp[ip++]! << bits;
      bits += 8;
      if (bits < n) {
        hold |= inp[ip++]! << bits;
        bits += 8;
      }
    }
    const dist = (e >>> 16) + (hold & ((1 << n) - 1));
    hold >>= n;
    bits -= n;
    if (dist > p) {
      error = 'invalid distance too far back';
      break;
    }
    if (len <= 16) {
      // Short matches are most of them in text: a plain loop beats a call.
      let from = p - dist;
      const end = p + len;
      while (p < end) win[p++] = win[from++]!;
    } else {
      copyMatch(win, p, dist, len);
      p += len;
    }
  }
  // Whole bytes not used go back to the input (only ones taken here: `bits` was < 8 on entry).
  const back = Math.min(bits >>> 3, ip - ipStart);
  ip -= back;
  bits -= back << 3;
  hold &= bits >= 32 ? -1 : (1 << bits) - 1;
  s.hold = hold;
  s.bits = bits;
  s.ip = ip;
  s.p = p;
  if (error !== null) {
    s.error = error;
    s.mode = Mode.Bad;
  }
}

/** Copies a match of `len` bytes from `dist` back to win[p], overlapping as LZ77 means it. */
export function copyMatch(win: Uint8Array, p: number, dist: number, len: number): void {
  if (dist >= len) {
    win.copyWithin(p, p - dist, p - dist + len);
  } else if (dist === 1) {
    win.fill(win[p - 1]!, p, p + len);
  } else {
    let from = p - dist;
    const end = p + len;
    while (p < end) win[p++] = win[from++]!;
  }
}
