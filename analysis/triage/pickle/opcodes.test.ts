import { describe, expect, it } from 'vitest';
import { HIGHEST_PROTOCOL, OPCODES, OPCODE_BY_CODE, OPCODE_BY_NAME } from './opcodes.js';

describe('opcode table (CPython pickletools)', () => {
  it('has the 68 opcodes of protocols 0–5 with unique names and code bytes', () => {
    expect(OPCODES).toHaveLength(68);
    expect(new Set(OPCODES.map((o) => o.name)).size).toBe(68);
    expect(new Set(OPCODES.map((o) => o.code)).size).toBe(68);
    expect(Math.max(...OPCODES.map((o) => o.proto))).toBe(HIGHEST_PROTOCOL);
  });

  it('maps code bytes and names both ways', () => {
    for (const o of OPCODES) {
      expect(OPCODE_BY_CODE[o.code]).toBe(o);
      expect(OPCODE_BY_NAME.get(o.name)).toBe(o);
    }
    expect(OPCODE_BY_CODE[0x00]).toBeUndefined();
    expect(OPCODE_BY_CODE[0xff]).toBeUndefined();
  });

  it.each([
    ['GLOBAL', 0x63, 'stringnl_noescape_pair', 0],
    ['INST', 0x69, 'stringnl_noescape_pair', 0],
    ['STRING', 0x53, 'stringnl', 0],
    ['UNICODE', 0x56, 'unicodestringnl', 0],
    ['INT', 0x49, 'decimalnl_short', 0],
    ['LONG', 0x4c, 'decimalnl_long', 0],
    ['FLOAT', 0x46, 'floatnl', 0],
    ['PERSID', 0x50, 'stringnl_noescape', 0],
    ['BININT', 0x4a, 'int4', 1],
    ['BINSTRING', 0x54, 'string4', 1],
    ['BINFLOAT', 0x47, 'float8', 1],
    ['LONG_BINGET', 0x6a, 'uint4', 1],
    ['PROTO', 0x80, 'uint1', 2],
    ['LONG1', 0x8a, 'long1', 2],
    ['LONG4', 0x8b, 'long4', 2],
    ['EXT2', 0x83, 'uint2', 2],
    ['EXT4', 0x84, 'int4', 2],
    ['BINBYTES', 0x42, 'bytes4', 3],
    ['SHORT_BINBYTES', 0x43, 'bytes1', 3],
    ['SHORT_BINUNICODE', 0x8c, 'unicodestring1', 4],
    ['BINUNICODE8', 0x8d, 'unicodestring8', 4],
    ['BINBYTES8', 0x8e, 'bytes8', 4],
    ['STACK_GLOBAL', 0x93, 'none', 4],
    ['MEMOIZE', 0x94, 'none', 4],
    ['FRAME', 0x95, 'uint8', 4],
    ['NEWOBJ_EX', 0x92, 'none', 4],
    ['BYTEARRAY8', 0x96, 'bytearray8', 5],
    ['NEXT_BUFFER', 0x97, 'none', 5],
    ['READONLY_BUFFER', 0x98, 'none', 5],
  ])('%s has code %i, argument %s, protocol %i', (name, code, arg, proto) => {
    const o = OPCODE_BY_NAME.get(name);
    expect(o?.code).toBe(code);
    expect(o?.arg).toBe(arg);
    expect(o?.proto).toBe(proto);
  });

  it('describes stack effects with MARK where pickletools does', () => {
    expect(OPCODE_BY_NAME.get('APPENDS')?.stackBefore).toEqual(['list', 'mark', 'stackslice']);
    expect(OPCODE_BY_NAME.get('OBJ')?.stackBefore).toEqual(['mark', 'any', 'stackslice']);
    expect(OPCODE_BY_NAME.get('STACK_GLOBAL')?.stackBefore).toEqual(['str', 'str']);
    expect(OPCODE_BY_NAME.get('NEWOBJ_EX')?.stackBefore).toHaveLength(3);
  });
});
