/**
 * Decoding tables for the canonical Huffman codes of deflate (RFC 1951 §3.2.2), built from a list
 * of code lengths, for js-inflate.ts. One table lookup gives a whole symbol: what it is (literal,
 * length or distance base with its extra bits, end of block, invalid) and how many bits it takes.
 *
 * Like zlib's inftrees.c, a table has a root of up to `root` bits indexed by the next input bits
 * (deflate packs Huffman codes starting from their first bit, so the index is the code reversed),
 * and codes longer than the root continue in sub-tables linked from the root entry. The checks are
 * zlib's: an over-subscribed set is refused, an incomplete one too, except a single code of length 1
 * for literal/lengths and distances (RFC 1951 allows one distance code; zlib allows both), and a
 * set with no code at all is zlib's too (see buildTable).
 *
 * Entry layout (one int32): bits 0–4 the code length to drop, 5–7 the kind, 8–11 extra bits (a
 * base's extra bits, or a sub-table's index bits), 16–31 the value (literal, base, or the offset of
 * a sub-table). All scratch space is allocated once: the builder runs once per dynamic block.
 */

export const OP_MASK = 0xe0;
export const OP_LIT = 0x00;
export const OP_BASE = 0x20;
export const OP_EOB = 0x40;
export const OP_SUB = 0x60;
export const OP_BAD = 0x80;

/** Which alphabet a table decodes (RFC 1951 §3.2.5 and §3.2.7). */
export const enum Alphabet {
  /** Code-length codes 0–18: values are the symbols themselves. */
  CodeLengths,
  /** Literal/length codes 0–287: 286 and 287 are invalid (they only exist in the fixed code). */
  LitLen,
  /** Distance codes 0–31: 30 and 31 are invalid (likewise). */
  Dist,
}

/** Root bits of the dynamic tables (zlib uses 9 and 6; one more halves the sub-table lookups). */
export const LITLEN_ROOT = 10;
export const DIST_ROOT = 8;
export const CODELEN_ROOT = 7;

/**
 * Entries a table may need. A complete prefix code whose sub-table has depth d holds at least d+1
 * codes there, so sub-tables take at most 2^d/(d+1) entries per code: 32/6 for 286 literal/length
 * codes past a 10-bit root (< 1526), 128/8 for 30 distance codes past an 8-bit root (480).
 */
export const LITLEN_ENOUGH = (1 << LITLEN_ROOT) + 2048;
export const DIST_ENOUGH = (1 << DIST_ROOT) + 1024;
export const CODELEN_ENOUGH = 1 << CODELEN_ROOT;

/** RFC 1951 §3.2.5: base lengths and extra bits of length codes 257–285. */
const LEN_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LEN_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
/** RFC 1951 §3.2.5: base distances and extra bits of distance codes 0–29. */
const DIST_BASE = [
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];

/** buildTable's refusals (negative, so a result is either root bits or one of these). */
export const OVER_SUBSCRIBED = -1;
export const INCOMPLETE = -2;

const MAX_BITS = 15;
const count = new Uint16Array(MAX_BITS + 1);
const nextCode = new Uint16Array(MAX_BITS + 1);
/** Reversed code of each symbol longer than the root (up to 288 symbols). */
const longCode = new Uint16Array(288);
/** Longest code under each root prefix that has a sub-table (0: none). */
const subMax = new Uint8Array(1 << LITLEN_ROOT);
const prefixes = new Uint16Array(1 << LITLEN_ROOT);

const REV8 = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let r = 0;
  for (let b = 0; b < 8; b++) r |= ((i >>> b) & 1) << (7 - b);
  REV8[i] = r;
}

/** `code`'s low `len` bits in reverse order. */
function reverse(code: number, len: number): number {
  return ((REV8[code & 0xff]! << 8) | REV8[code >>> 8]!) >>> (16 - len);
}

function entry(alphabet: Alphabet, sym: number, bits: number): number {
  if (alphabet === Alphabet.CodeLengths) return (sym << 16) | OP_LIT | bits;
  if (alphabet === Alphabet.LitLen) {
    if (sym < 256) return (sym << 16) | OP_LIT | bits;
    if (sym === 256) return OP_EOB | bits;
    if (sym < 286) return (LEN_BASE[sym - 257]! << 16) | (LEN_EXTRA[sym - 257]! << 8) | OP_BASE | bits;
    return OP_BAD | bits;
  }
  if (sym < 30) return (DIST_BASE[sym]! << 16) | (DIST_EXTRA[sym]! << 8) | OP_BASE | bits;
  return OP_BAD | bits;
}

/**
 * Fills `table` with the decoding table of the code whose lengths are `lens[off, off+n)` (0: the
 * symbol is unused). Returns the root bits used (at most `root`, fewer when every code is
 * shorter), OVER_SUBSCRIBED or INCOMPLETE.
 */
export function buildTable(lens: Uint8Array, off: number, n: number, alphabet: Alphabet, table: Int32Array, root: number): number {
  count.fill(0);
  for (let i = 0; i < n; i++) count[lens[off + i]!]!++;
  let max = MAX_BITS;
  while (max > 0 && count[max] === 0) max--;
  if (max === 0) {
    // No code at all. A distance set may be empty (a block of literals): any use is invalid. An
    // empty code-length set reads, as in zlib, as 1-bit zeros, so it fails as zlib does, once all
    // lengths are read: "missing end-of-block". (Literal/length sets always hold end-of-block.)
    table[0] = table[1] = alphabet === Alphabet.CodeLengths ? OP_LIT | 1 : OP_BAD | 1;
    return 1;
  }
  let left = 1;
  for (let len = 1; len <= MAX_BITS; len++) {
    left = (left << 1) - count[len]!;
    if (left < 0) return OVER_SUBSCRIBED;
  }
  if (left > 0 && (alphabet === Alphabet.CodeLengths || max !== 1)) return INCOMPLETE;

  const rootBits = Math.min(root, max);
  const size = 1 << rootBits;
  if (left > 0) table.fill(OP_BAD | 1, 0, size); // the one unused 1-bit code
  count[0] = 0;
  let code = 0;
  for (let len = 1; len <= MAX_BITS; len++) {
    code = (code + count[len - 1]!) << 1;
    nextCode[len] = code;
  }

  let groups = 0;
  for (let sym = 0; sym < n; sym++) {
    const len = lens[off + sym]!;
    if (len === 0) continue;
    const rev = reverse(nextCode[len]!++, len);
    if (len <= rootBits) {
      const e = entry(alphabet, sym, len);
      for (let i = rev; i < size; i += 1 << len) table[i] = e;
      continue;
    }
    longCode[sym] = rev;
    const prefix = rev & (size - 1);
    if (subMax[prefix] === 0) prefixes[groups++] = prefix;
    if (len > subMax[prefix]!) subMax[prefix] = len;
  }
  if (groups === 0) return rootBits;

  // Sub-tables: one per root prefix of the long codes, as deep as its longest code.
  let next = size;
  let fits = true;
  for (let g = 0; g < groups; g++) {
    const prefix = prefixes[g]!;
    const subBits = subMax[prefix]! - rootBits;
    subMax[prefix] = 0;
    if (next + (1 << subBits) > table.length) fits = false; // cannot happen for a complete code
    table[prefix] = (next << 16) | (subBits << 8) | OP_SUB | rootBits;
    next += 1 << subBits;
  }
  if (!fits) return OVER_SUBSCRIBED;
  for (let sym = 0; sym < n; sym++) {
    const len = lens[off + sym]!;
    if (len <= rootBits) continue;
    const rev = longCode[sym]!;
    const link = table[rev & (size - 1)]!;
    const at = link >>> 16;
    const subSize = 1 << ((link >>> 8) & 15);
    const e = entry(alphabet, sym, len - rootBits);
    for (let i = rev >>> rootBits; i < subSize; i += 1 << (len - rootBits)) table[at + i] = e;
  }
  return rootBits;
}

/** The fixed literal/length and distance tables (RFC 1951 §3.2.6), built on first use. */
export interface FixedTables {
  lit: Int32Array;
  litBits: number;
  dist: Int32Array;
  distBits: number;
}

let fixed: FixedTables | null = null;

export function fixedTables(): FixedTables {
  if (fixed) return fixed;
  const lens = new Uint8Array(288);
  lens.fill(8, 0, 144);
  lens.fill(9, 144, 256);
  lens.fill(7, 256, 280);
  lens.fill(8, 280, 288);
  const lit = new Int32Array(LITLEN_ENOUGH);
  const litBits = buildTable(lens, 0, 288, Alphabet.LitLen, lit, LITLEN_ROOT);
  // All 32 five-bit codes exist; 30 and 31 decode as invalid, as in zlib.
  const dist = new Int32Array(DIST_ENOUGH);
  const distBits = buildTable(new Uint8Array(32).fill(5), 0, 32, Alphabet.Dist, dist, DIST_ROOT);
  fixed = { lit, litBits, dist, distBits };
  return fixed;
}
