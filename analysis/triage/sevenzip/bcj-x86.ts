/**
 * The x86 BCJ filter (7z coder 03030103), decoding direction, after 7-Zip's Bra86.c: the encoder
 * turned the relative targets of E8 (call) / E9 (jmp) instructions into absolute ones so they
 * compress better; this turns them back. `mask` remembers recent E8/E9 bytes across calls; the
 * last 4 bytes of a buffer wait for the next one (an instruction may straddle the boundary).
 */
import { NO_BYTES, type ByteProducer } from './byte-producer.js';

const BUFFER = 1 << 20;

/** True for 0x00 and 0xFF: the high byte of a plausible 32-bit displacement. */
function msByte(b: number): boolean {
  return ((b + 1) & 0xfe) === 0;
}

/** Converts data[0, size) in place; returns how many bytes are final (the rest wait for more input). */
export function bcjX86Decode(data: Uint8Array, size: number, ipStart: number, st: { mask: number }): number {
  if (size < 5) return 0;
  let mask = st.mask & 7;
  const limit = size - 4;
  const ip = ipStart + 5;
  let pos = 0;
  for (;;) {
    let p = pos;
    while (p < limit && (data[p]! & 0xfe) !== 0xe8) p++;
    const d = p - pos;
    pos = p;
    if (p >= limit) {
      st.mask = d > 2 ? 0 : mask >>> d;
      return pos;
    }
    if (d > 2) {
      mask = 0;
    } else {
      mask >>>= d;
      if (mask !== 0 && (mask > 4 || mask === 3 || msByte(data[p + (mask >>> 1) + 1]!))) {
        mask = (mask >>> 1) | 4;
        pos++;
        continue;
      }
    }
    if (msByte(data[p + 4]!)) {
      let v = (data[p + 4]! << 24) | (data[p + 3]! << 16) | (data[p + 2]! << 8) | data[p + 1]!;
      const cur = (ip + pos) | 0;
      pos += 5;
      v = (v - cur) | 0;
      if (mask !== 0) {
        const sh = (mask & 6) << 2;
        if (msByte((v >>> sh) & 0xff)) {
          v ^= ((0x100 << sh) - 1) | 0;
          v = (v - cur) | 0;
        }
        mask = 0;
      }
      data[p + 1] = v & 0xff;
      data[p + 2] = (v >>> 8) & 0xff;
      data[p + 3] = (v >>> 16) & 0xff;
      data[p + 4] = (0 - ((v >>> 24) & 1)) & 0xff;
    } else {
      mask = (mask >>> 1) | 4;
      pos++;
    }
  }
}

export class BcjX86Producer implements ByteProducer {
  /** Sized to the reads asked for (up to BUFFER): many small folders must not cost 1 MiB each. */
  private buf = new Uint8Array(0);
  /** buf[0, returned) went out last call; [returned, converted) is final; [converted, have) waits. */
  private returned = 0;
  private converted = 0;
  private have = 0;
  private ip = 0;
  private readonly st = { mask: 0 };
  private innerDone = false;

  constructor(private readonly inner: ByteProducer) {}

  read(max: number): Uint8Array {
    this.buf.copyWithin(0, this.returned, this.have);
    this.have -= this.returned;
    this.converted -= this.returned;
    this.returned = 0;
    if (this.converted === 0) {
      const want = Math.min(Math.max(max, 16), BUFFER);
      if (this.buf.length < want + 16) {
        const next = new Uint8Array(want + 16);
        next.set(this.buf.subarray(0, this.have));
        this.buf = next;
      }
      while (!this.innerDone && this.have < want) {
        const chunk = this.inner.read(want - this.have);
        if (chunk.length === 0) this.innerDone = true;
        else {
          this.buf.set(chunk, this.have);
          this.have += chunk.length;
        }
      }
      // With 16+ bytes at least one is final; at the end, the last < 5 bytes pass unconverted.
      const final = bcjX86Decode(this.buf, this.have, this.ip, this.st);
      const n = this.innerDone ? this.have : final;
      this.converted = n;
      this.ip += n;
    }
    const out = Math.min(this.converted, max);
    this.returned = out;
    return out === 0 ? NO_BYTES : this.buf.subarray(0, out);
  }
}
