/**
 * The pickle opcode table for protocols 0–5, transcribed from CPython's Lib/pickletools.py
 * (`opcodes` list: name, code, arg, stack_before, stack_after, proto). 68 opcodes. The argument
 * kinds keep pickletools' ArgumentDescriptor names so the table can be checked against it.
 */

/** How an opcode's inline argument is encoded (pickletools ArgumentDescriptor names). */
export type ArgKind =
  | 'none'
  | 'uint1'
  | 'uint2'
  | 'int4'
  | 'uint4'
  | 'uint8'
  /** ASCII decimal + '\n'; INT also accepts "00"/"01" for False/True. */
  | 'decimalnl_short'
  /** ASCII decimal, optional trailing 'L', + '\n'. */
  | 'decimalnl_long'
  /** repr(float) + '\n'. */
  | 'floatnl'
  /** 8-byte big-endian IEEE-754 double. */
  | 'float8'
  /** Python-quoted, backslash-escaped string + '\n' (STRING). */
  | 'stringnl'
  /** Raw bytes up to '\n' (PERSID). */
  | 'stringnl_noescape'
  /** Two raw '\n'-terminated lines: module, name (GLOBAL, INST). */
  | 'stringnl_noescape_pair'
  /** raw-unicode-escape text + '\n' (UNICODE). */
  | 'unicodestringnl'
  /** Counted byte strings: 1-byte, signed 4-byte little-endian length. */
  | 'string1'
  | 'string4'
  | 'bytes1'
  | 'bytes4'
  | 'bytes8'
  | 'bytearray8'
  /** Counted UTF-8 text: 1-, 4-, 8-byte little-endian length. */
  | 'unicodestring1'
  | 'unicodestring4'
  | 'unicodestring8'
  /** Two's-complement little-endian integer with a 1-byte / signed 4-byte length prefix. */
  | 'long1'
  | 'long4';

export interface OpcodeInfo {
  name: string;
  code: number;
  arg: ArgKind;
  /** Stack before/after in pickletools' StackObject names ('mark', 'stackslice', 'any', …). */
  stackBefore: readonly string[];
  stackAfter: readonly string[];
  /** Protocol that introduced the opcode. */
  proto: 0 | 1 | 2 | 3 | 4 | 5;
}

function op(
  name: string,
  code: string,
  arg: ArgKind,
  stackBefore: readonly string[],
  stackAfter: readonly string[],
  proto: OpcodeInfo['proto'],
): OpcodeInfo {
  return { name, code: code.charCodeAt(0), arg, stackBefore, stackAfter, proto };
}

const M = 'mark';
const S = 'stackslice';

/** In pickletools order. */
export const OPCODES: readonly OpcodeInfo[] = [
  op('INT', 'I', 'decimalnl_short', [], ['int_or_bool'], 0),
  op('BININT', 'J', 'int4', [], ['int'], 1),
  op('BININT1', 'K', 'uint1', [], ['int'], 1),
  op('BININT2', 'M', 'uint2', [], ['int'], 1),
  op('LONG', 'L', 'decimalnl_long', [], ['int'], 0),
  op('LONG1', '\x8a', 'long1', [], ['int'], 2),
  op('LONG4', '\x8b', 'long4', [], ['int'], 2),
  op('STRING', 'S', 'stringnl', [], ['bytes_or_unicode'], 0),
  op('BINSTRING', 'T', 'string4', [], ['bytes_or_unicode'], 1),
  op('SHORT_BINSTRING', 'U', 'string1', [], ['bytes_or_unicode'], 1),
  op('BINBYTES', 'B', 'bytes4', [], ['bytes'], 3),
  op('SHORT_BINBYTES', 'C', 'bytes1', [], ['bytes'], 3),
  op('BINBYTES8', '\x8e', 'bytes8', [], ['bytes'], 4),
  op('BYTEARRAY8', '\x96', 'bytearray8', [], ['bytearray'], 5),
  op('NEXT_BUFFER', '\x97', 'none', [], ['any'], 5),
  op('READONLY_BUFFER', '\x98', 'none', ['any'], ['any'], 5),
  op('NONE', 'N', 'none', [], ['None'], 0),
  op('NEWTRUE', '\x88', 'none', [], ['bool'], 2),
  op('NEWFALSE', '\x89', 'none', [], ['bool'], 2),
  op('UNICODE', 'V', 'unicodestringnl', [], ['unicode'], 0),
  op('SHORT_BINUNICODE', '\x8c', 'unicodestring1', [], ['unicode'], 4),
  op('BINUNICODE', 'X', 'unicodestring4', [], ['unicode'], 1),
  op('BINUNICODE8', '\x8d', 'unicodestring8', [], ['unicode'], 4),
  op('FLOAT', 'F', 'floatnl', [], ['float'], 0),
  op('BINFLOAT', 'G', 'float8', [], ['float'], 1),
  op('EMPTY_LIST', ']', 'none', [], ['list'], 1),
  op('APPEND', 'a', 'none', ['list', 'any'], ['list'], 0),
  op('APPENDS', 'e', 'none', ['list', M, S], ['list'], 1),
  op('LIST', 'l', 'none', [M, S], ['list'], 0),
  op('EMPTY_TUPLE', ')', 'none', [], ['tuple'], 1),
  op('TUPLE', 't', 'none', [M, S], ['tuple'], 0),
  op('TUPLE1', '\x85', 'none', ['any'], ['tuple'], 2),
  op('TUPLE2', '\x86', 'none', ['any', 'any'], ['tuple'], 2),
  op('TUPLE3', '\x87', 'none', ['any', 'any', 'any'], ['tuple'], 2),
  op('EMPTY_DICT', '}', 'none', [], ['dict'], 1),
  op('DICT', 'd', 'none', [M, S], ['dict'], 0),
  op('SETITEM', 's', 'none', ['dict', 'any', 'any'], ['dict'], 0),
  op('SETITEMS', 'u', 'none', ['dict', M, S], ['dict'], 1),
  op('EMPTY_SET', '\x8f', 'none', [], ['set'], 4),
  op('ADDITEMS', '\x90', 'none', ['set', M, S], ['set'], 4),
  op('FROZENSET', '\x91', 'none', [M, S], ['frozenset'], 4),
  op('POP', '0', 'none', ['any'], [], 0),
  op('DUP', '2', 'none', ['any'], ['any', 'any'], 0),
  op('MARK', '(', 'none', [], [M], 0),
  op('POP_MARK', '1', 'none', [M, S], [], 1),
  op('GET', 'g', 'decimalnl_short', [], ['any'], 0),
  op('BINGET', 'h', 'uint1', [], ['any'], 1),
  op('LONG_BINGET', 'j', 'uint4', [], ['any'], 1),
  op('PUT', 'p', 'decimalnl_short', [], [], 0),
  op('BINPUT', 'q', 'uint1', [], [], 1),
  op('LONG_BINPUT', 'r', 'uint4', [], [], 1),
  op('MEMOIZE', '\x94', 'none', ['any'], ['any'], 4),
  op('EXT1', '\x82', 'uint1', [], ['any'], 2),
  op('EXT2', '\x83', 'uint2', [], ['any'], 2),
  op('EXT4', '\x84', 'int4', [], ['any'], 2),
  op('GLOBAL', 'c', 'stringnl_noescape_pair', [], ['any'], 0),
  op('STACK_GLOBAL', '\x93', 'none', ['str', 'str'], ['any'], 4),
  op('REDUCE', 'R', 'none', ['any', 'any'], ['any'], 0),
  op('BUILD', 'b', 'none', ['any', 'any'], ['any'], 0),
  op('INST', 'i', 'stringnl_noescape_pair', [M, S], ['any'], 0),
  op('OBJ', 'o', 'none', [M, 'any', S], ['any'], 1),
  op('NEWOBJ', '\x81', 'none', ['any', 'any'], ['any'], 2),
  op('NEWOBJ_EX', '\x92', 'none', ['any', 'any', 'any'], ['any'], 4),
  op('PROTO', '\x80', 'uint1', [], [], 2),
  op('STOP', '.', 'none', ['any'], [], 0),
  op('FRAME', '\x95', 'uint8', [], [], 4),
  op('PERSID', 'P', 'stringnl_noescape', [], ['any'], 0),
  op('BINPERSID', 'Q', 'none', ['any'], ['any'], 1),
];

/** Lookup by code byte; `undefined` for bytes that are not opcodes. */
export const OPCODE_BY_CODE: readonly (OpcodeInfo | undefined)[] = (() => {
  const table: (OpcodeInfo | undefined)[] = new Array<OpcodeInfo | undefined>(256).fill(undefined);
  for (const o of OPCODES) table[o.code] = o;
  return table;
})();

/** Lookup by name (`'STACK_GLOBAL'`). */
export const OPCODE_BY_NAME: ReadonlyMap<string, OpcodeInfo> = new Map(OPCODES.map((o) => [o.name, o]));

/** The highest protocol this table knows. */
export const HIGHEST_PROTOCOL = 5;
