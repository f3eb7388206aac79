import { describe, expect, it } from 'vitest';
import { bufferSource } from '../../core/byte-source.js';
import { ByteCursor } from './byte-cursor.js';
import { WireError, WireReader } from './protobuf-wire.js';

const reader = (bytes: number[], window?: number) => new WireReader(new ByteCursor(bufferSource('p', Uint8Array.from(bytes)), 0, window));

describe('WireReader', () => {
  it('decodes varints, signed int64s and tags across window refills', async () => {
    const r = reader([0x96, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x08, 0x96, 0x01], 3);
    expect(await r.varint(15)).toBe(150);
    expect(await r.int64(15)).toBe(-1);
    expect(await r.tag(15)).toEqual({ field: 1, wire: 0 });
    expect(await r.varint(15)).toBe(150);
    expect(await r.tag(15)).toBeNull();
  });

  it('decodes 8-byte varints exactly through the BigInt path', async () => {
    const r = reader([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10]);
    expect(await r.varint(8)).toBe(2 ** 53);
  });

  it('rejects varints over 10 bytes, spans past their message, groups and field 0', async () => {
    await expect(reader(new Array<number>(11).fill(0xff)).varint(11)).rejects.toBeInstanceOf(WireError);
    await expect(reader([0x80, 0x80]).varint(2)).rejects.toThrow(/past end/);
    const span = reader([0x05, 1, 2]);
    await expect(span.span(3)).rejects.toThrow(/runs past the enclosing message/);
    await expect(reader([0x0b]).tag(1)).rejects.toThrow(/wire type 3/);
    await expect(reader([0x00]).tag(1)).rejects.toThrow(/field number 0/);
  });

  it('skips every wire type within bounds, and packed repeated int64s', async () => {
    const r = reader([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x11, 0x22, 0x33, 0x44, 0x03, 0x01, 0x96, 0x01]);
    await r.skip(1, 16);
    await r.skip(5, 16);
    const out: number[] = [];
    expect(await r.int64s(2, 16, out, 10)).toBe(2);
    expect(out).toEqual([1, 150]);
    await expect(reader([1, 2]).skip(1, 2)).rejects.toThrow(/fixed64 past end/);
  });

  it('cuts long strings at the asked length', async () => {
    const r = reader([0x05, 0x68, 0x65, 0x6c, 0x6c, 0x6f]);
    expect(await r.string(6, 2)).toBe('he…');
    expect(r.pos).toBe(6);
  });
});
