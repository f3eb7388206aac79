/**
 * Test-only: drives an Inflater over a whole deflate stream, and measures what zlib itself makes of
 * the same bytes (exactly, to the byte, even when it fails), for the differential tests of
 * JsInflater against node's zlib.
 */
import type { Inflater } from './inflater.js';
import { JsInflater } from './js-inflate.js';
import { RawInflater } from './raw-inflater.js';
import { mulberry32 } from '../../core/mulberry32.js';

export interface Inflated {
  out: Buffer;
  /** The inflater's error, null when the stream ended well. */
  error: string | null;
  /** Input bytes used (the stream's length when it ended well). */
  read: number;
}

/**
 * Feeds `input` in `inStep`-byte pieces, taking output in `outStep`-byte calls, the last call
 * with `finish` (so a cut stream ends in "unexpected end of file").
 */
export function inflateWith(z: Inflater, input: Uint8Array, inStep = input.length, outStep = 64 << 10): Inflated {
  const parts: Buffer[] = [];
  const buf = Buffer.alloc(Math.max(1, outStep));
  let off = 0;
  let read = 0;
  let fed = Math.min(input.length, inStep);
  for (;;) {
    const last = fed === input.length;
    const ok = z.write(input, off, fed - off, buf, 0, outStep, last);
    if (z.wrote > outStep || z.read > fed - off) throw new Error(`inflater overran: wrote ${z.wrote} of ${outStep}, read ${z.read} of ${fed - off}`);
    parts.push(Buffer.from(buf.subarray(0, z.wrote)));
    off += z.read;
    read += z.read;
    if (!ok) return { out: Buffer.concat(parts), error: z.error, read };
    if (z.wrote === outStep) continue; // output full: more may come
    if (off < fed || last) return { out: Buffer.concat(parts), error: null, read }; // ended (input left over), or finished
    fed = Math.min(input.length, fed + inStep);
  }
}

export function jsInflate(input: Uint8Array, inStep?: number, outStep?: number): Inflated {
  return inflateWith(new JsInflater(), input, inStep, outStep);
}

/**
 * What node's zlib inflates from `input`, to the byte. zlib does not say how much the call that
 * fails wrote, so the failing stretch is decoded again one output byte per call, twice, over
 * buffers filled with 0x00 and with 0xff: the byte after the last counted one was written by the
 * failing call exactly when both runs hold the same value there.
 */
export function zlibInflate(input: Uint8Array): Inflated {
  const first = inflateWith(new RawInflater(), input, input.length, 4096);
  if (first.error === null) return first;
  const a = zlibByteSteps(input, first.out.length, 0x00);
  const b = zlibByteSteps(input, first.out.length, 0xff);
  const at = a.at;
  const written = at < a.buf.length && a.buf[at] === b.buf[at];
  return { out: Buffer.from(a.buf.subarray(0, written ? at + 1 : at)), error: a.error ?? first.error, read: a.read };
}

/** zlib on `input`: `known` output bytes in one call, then one byte per call until it fails. */
function zlibByteSteps(input: Uint8Array, known: number, fill: number): { buf: Buffer; at: number; read: number; error: string | null } {
  const z = new RawInflater();
  const buf = Buffer.alloc(known + 4096 + 1, fill);
  let read = 0;
  let at = 0;
  if (known > 0) {
    z.write(input, 0, input.length, buf, 0, known, true);
    read = z.read;
    at = known;
  }
  while (at < buf.length - 1 && z.write(input, read, input.length - read, buf, at, 1, true) && z.wrote === 1) {
    read += z.read;
    at += 1;
  }
  const error = z.error;
  z.close();
  return { buf, at, read, error };
}

/** A seeded integer source in [0, n) (core/mulberry32): the same bytes on every run. */
export function rng(seed: number): (n: number) => number {
  const next = mulberry32(seed);
  return (n) => Math.floor(next() * n);
}
