/**
 * A bounded protobuf wire-format reader (protobuf.dev/programming-guides/encoding) over a
 * ByteCursor: tags, varints of at most 10 bytes, length-delimited spans checked against their
 * enclosing message, fixed32/64, and skipping of unknown fields. It decodes no schema: the ONNX
 * reader drives it field by field, and skips payloads (raw_data) without reading them.
 *
 * Errors are thrown as WireError and caught by the format reader, which turns them into a finding;
 * nothing here recurses, so nesting depth is the caller's bound.
 */
import type { ByteCursor } from './byte-cursor.js';

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_SGROUP = 3;
export const WIRE_EGROUP = 4;
export const WIRE_I32 = 5;

export class WireError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
    this.name = 'WireError';
  }
}

export interface FieldTag {
  field: number;
  wire: number;
}

/** Largest field number protobuf allows (2^29 - 1). */
const MAX_FIELD = 536_870_911;
const TWO_64 = 1n << 64n;
const TWO_63 = 1n << 63n;

export class WireReader {
  constructor(readonly cursor: ByteCursor) {}

  get pos(): number {
    return this.cursor.pos;
  }

  /** The next field tag of a message ending at `end`, or null at its end. */
  async tag(end: number): Promise<FieldTag | null> {
    if (this.cursor.pos >= end) return null;
    const at = this.cursor.pos;
    const key = await this.varint(end);
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (field === 0 || field > MAX_FIELD) throw new WireError(`invalid field number ${field}`, at);
    if (wire === WIRE_SGROUP || wire === WIRE_EGROUP || wire > WIRE_I32) {
      throw new WireError(`unsupported wire type ${wire} (field ${field})`, at);
    }
    return { field, wire };
  }

  /**
   * An unsigned varint as a number. Values above 2^53 lose precision (callers check
   * Number.isSafeInteger where it matters); a varint longer than 10 bytes is an error.
   */
  async varint(end: number): Promise<number> {
    const c = this.cursor;
    const at = c.pos;
    const avail = Math.min(10, end - at);
    if (avail <= 0 || (!c.has(avail) && !(await c.ensure(avail)))) throw new WireError('varint past end', at);
    let value = 0;
    let scale = 1;
    for (let i = 0; i < avail; i++) {
      const b = c.u8();
      if (i < 7) {
        value += (b & 0x7f) * scale;
        scale *= 128;
        if (b < 0x80) return value;
      } else {
        // Bytes 8-10: finish exactly in BigInt (negative int64s are ten bytes long).
        c.pos = at;
        return Number(this.bigVarint(avail));
      }
    }
    throw new WireError(avail < 10 ? 'varint past end' : 'varint longer than 10 bytes', at);
  }

  /** An int64/int32 field: two's complement of the 64-bit varint. */
  async int64(end: number): Promise<number> {
    const c = this.cursor;
    const at = c.pos;
    const avail = Math.min(10, end - at);
    if (avail <= 0 || (!c.has(avail) && !(await c.ensure(avail)))) throw new WireError('varint past end', at);
    // Fast path: short varints are small non-negative numbers.
    let value = 0;
    let scale = 1;
    for (let i = 0; i < Math.min(avail, 7); i++) {
      const b = c.u8();
      value += (b & 0x7f) * scale;
      scale *= 128;
      if (b < 0x80) return value;
    }
    c.pos = at;
    let v = this.bigVarint(avail) % TWO_64;
    if (v >= TWO_63) v -= TWO_64;
    return Number(v);
  }

  private bigVarint(avail: number): bigint {
    const c = this.cursor;
    const at = c.pos;
    let v = 0n;
    for (let i = 0; i < avail; i++) {
      const b = c.u8();
      v |= BigInt(b & 0x7f) << BigInt(7 * i);
      if (b < 0x80) return v;
    }
    throw new WireError(avail < 10 ? 'varint past end' : 'varint longer than 10 bytes', at);
  }

  /** A length prefix; returns the end of the span, checked against the enclosing `end`. */
  async span(end: number): Promise<number> {
    const at = this.cursor.pos;
    const len = await this.varint(end);
    const spanEnd = this.cursor.pos + len;
    if (!Number.isSafeInteger(spanEnd) || spanEnd > end) {
      throw new WireError(`length ${len} runs past the enclosing message (ends at ${end})`, at);
    }
    return spanEnd;
  }

  /** A length-delimited UTF-8 string, decoded up to `max` bytes (the rest is skipped). */
  async string(end: number, max = 4096): Promise<string> {
    const spanEnd = await this.span(end);
    const len = spanEnd - this.cursor.pos;
    const take = Math.min(len, max);
    if (!(await this.cursor.ensure(take))) throw new WireError('string past end of file', this.cursor.pos);
    const text = DECODER.decode(this.cursor.bytes(take));
    this.cursor.pos = spanEnd;
    return take < len ? text + '…' : text;
  }

  async fixed32(end: number): Promise<number> {
    const at = this.cursor.pos;
    if (at + 4 > end || !(await this.cursor.ensure(4))) throw new WireError('fixed32 past end', at);
    return this.cursor.u32();
  }

  async float32(end: number): Promise<number> {
    const at = this.cursor.pos;
    if (at + 4 > end || !(await this.cursor.ensure(4))) throw new WireError('float past end', at);
    return this.cursor.f32();
  }

  /** Skips one field's value of the given wire type without reading payload bytes. */
  async skip(wire: number, end: number): Promise<void> {
    const c = this.cursor;
    const at = c.pos;
    switch (wire) {
      case WIRE_VARINT:
        await this.varint(end);
        return;
      case WIRE_I64:
        if (at + 8 > end) throw new WireError('fixed64 past end', at);
        c.pos = at + 8;
        return;
      case WIRE_I32:
        if (at + 4 > end) throw new WireError('fixed32 past end', at);
        c.pos = at + 4;
        return;
      case WIRE_LEN:
        c.pos = await this.span(end);
        return;
      default:
        throw new WireError(`unsupported wire type ${wire}`, at);
    }
  }

  /**
   * Repeated int64 values, packed (one LEN span) or not (one varint); appended to `out` up to
   * `max` values, counting the rest. Returns the number of values seen.
   */
  async int64s(wire: number, end: number, out: number[], max: number): Promise<number> {
    if (wire === WIRE_VARINT) {
      const v = await this.int64(end);
      if (out.length < max) out.push(v);
      return 1;
    }
    if (wire !== WIRE_LEN) {
      await this.skip(wire, end);
      return 0;
    }
    const spanEnd = await this.span(end);
    let n = 0;
    while (this.cursor.pos < spanEnd) {
      const v = await this.int64(spanEnd);
      if (out.length < max) out.push(v);
      n++;
    }
    return n;
  }
}

const DECODER = new TextDecoder('utf-8');
