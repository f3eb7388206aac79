/**
 * What an LZMA decoder keeps between calls (lzma-specification.txt): the properties (lc, lp, pb,
 * dictionary size), the probability models, the range coder's input, the state machine and rep
 * distances — and the dictionary window. The window grows with the output only up to
 * min(dictionary, `maxWindow`) bytes, then wraps, so a hostile declared dictionary costs nothing
 * until output actually arrives. LZMA2 (lzma-streams.ts) drives the resets chunk by chunk.
 */
import { SevenZipError } from './sevenzip-error.js';

/** LzmaDec's smallest dictionary; also the window's first size (it doubles as output arrives). */
const MIN_WINDOW = 1 << 12;

// Offsets of each probability model in one Uint16Array (the layout is ours; sizes are the spec's).
export const IS_MATCH = 0; // [state << 4 | posState]: 12 × 16
export const IS_REP = 192;
export const IS_REP_G0 = 204;
export const IS_REP_G1 = 216;
export const IS_REP_G2 = 228;
export const IS_REP0_LONG = 240; // 12 × 16
export const POS_SLOT = 432; // 4 len-states × 64
export const SPEC_POS = 688; // 1 + kNumFullDistances(128) - kEndPosModelIndex(14) = 115
export const ALIGN = 803; // 16
export const LEN = 819; // choice, choice2, low[16][8], mid[16][8], high[256] = 514
export const REP_LEN = 1333;
export const LITERAL = 1847; // 0x300 × 2^(lc+lp)

export const L_CHOICE2 = 1;
export const L_LOW = 2;
export const L_MID = 130;
export const L_HIGH = 258;

export interface LzmaProperties {
  lc: number;
  lp: number;
  pb: number;
  dictSize: number;
}

export class LzmaState {
  /** The dictionary window; output is read from it (`pos` is where the next byte goes). */
  window: Uint8Array;
  pos = 0;
  /** Bytes since the last dictionary reset (for posState, literal context and distance checks). */
  total = 0;
  /** True once the end marker was decoded. */
  ended = false;

  protected full = false;
  protected cap = MIN_WINDOW;
  protected probs: Uint16Array = new Uint16Array(0);
  protected lc = 0;
  protected lp = 0;
  protected pb = 0;
  protected hasProps = false;

  protected input: Uint8Array = new Uint8Array(0);
  protected inPos = 0;
  protected inEnd = 0;
  protected range = 0;
  protected code = 0;

  protected state = 0;
  protected rep0 = 0;
  protected rep1 = 0;
  protected rep2 = 0;
  protected rep3 = 0;
  /** Bytes of a match still to copy when the last call stopped at its limit. */
  protected remainLen = 0;
  protected broken: SevenZipError | null = null;

  constructor(protected readonly maxWindow: number) {
    this.window = new Uint8Array(MIN_WINDOW);
  }

  setProperties(p: LzmaProperties): void {
    if (p.lc > 8 || p.lp > 4 || p.pb > 4) throw new SevenZipError('malformed', `LZMA lc=${p.lc} lp=${p.lp} pb=${p.pb} out of range`);
    const size = LITERAL + (0x300 << (p.lc + p.lp));
    if (this.probs.length < size) this.probs = new Uint16Array(size);
    this.lc = p.lc;
    this.lp = p.lp;
    this.pb = p.pb;
    this.hasProps = true;
    // The window need not exceed the dictionary: no distance may reach further back.
    this.cap = Math.max(MIN_WINDOW, Math.min(p.dictSize, this.maxWindow));
  }

  resetDictionary(): void {
    this.pos = 0;
    this.total = 0;
    this.full = false;
  }

  resetState(): void {
    if (!this.hasProps) throw new SevenZipError('malformed', 'LZMA data before any properties');
    this.probs.fill(1024);
    this.state = 0;
    this.rep0 = this.rep1 = this.rep2 = this.rep3 = 0;
    this.remainLen = 0;
    this.ended = false;
  }

  /** Starts the range decoder on input[start, end): a zero byte, then the 32-bit code. */
  startRange(input: Uint8Array, start: number, end: number): void {
    if (end - start < 5 || end > input.length) throw new SevenZipError('truncated', 'LZMA stream shorter than its range-coder start');
    if (input[start] !== 0) throw new SevenZipError('malformed', 'LZMA stream does not start with a zero byte');
    this.input = input;
    // range and code are uint32 values held as int32 (bit patterns), compared through SIGN.
    this.code = (input[start + 1]! << 24) | (input[start + 2]! << 16) | (input[start + 3]! << 8) | input[start + 4]!;
    this.range = -1;
    this.inPos = start + 5;
    this.inEnd = end;
    if (this.code === this.range) throw new SevenZipError('malformed', 'LZMA range coder starts at its upper bound');
  }

  /** Ensures room at `pos` (grows the window toward its cap, else wraps); returns `pos`. */
  prepare(): number {
    if (this.pos < this.window.length) return this.pos;
    if (!this.full && this.window.length < this.cap) {
      const next = new Uint8Array(Math.min(this.cap, this.window.length * 2));
      next.set(this.window);
      this.window = next;
    } else {
      this.full = true;
      this.pos = 0;
    }
    return this.pos;
  }

  /** Copies stored bytes (an LZMA2 uncompressed chunk) into the window; returns how many fit before its end. */
  putStored(src: Uint8Array, from: number, n: number): number {
    const at = this.prepare();
    const k = Math.min(n, this.window.length - at);
    this.window.set(src.subarray(from, from + k), at);
    this.pos = at + k;
    this.total += k;
    return k;
  }
}
