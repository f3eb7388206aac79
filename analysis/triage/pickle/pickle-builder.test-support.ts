/**
 * TEST-ONLY pickle assembler: writes opcodes by hand (as the published bypass PoCs do with
 * `pickle.GLOBAL + b"…"`), so tests need no Python. Strings passed as parts are raw bytes
 * (one char = one byte, Latin-1); the helpers below encode their text arguments themselves.
 */

type Part = string | number[] | Uint8Array;

const utf8 = (s: string): number[] => [...new TextEncoder().encode(s)];
const le = (n: number, bytes: number): number[] => {
  const out: number[] = [];
  let v = BigInt(n);
  for (let i = 0; i < bytes; i++) { out.push(Number(v & 0xffn)); v >>= 8n; }
  return out;
};

/** Concatenates parts into one pickle. */
export function pickle(...parts: Part[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'string') for (let i = 0; i < p.length; i++) out.push(p.charCodeAt(i) & 0xff);
    else for (const b of p) out.push(b);
  }
  return new Uint8Array(out);
}

export const op = {
  PROTO: (n: number): number[] => [0x80, n],
  FRAME: (n: number): number[] => [0x95, ...le(n, 8)],
  STOP: '.',
  MARK: '(',
  POP: '0',
  POP_MARK: '1',
  DUP: '2',
  NONE: 'N',
  NEWTRUE: [0x88],
  NEWFALSE: [0x89],
  TUPLE: 't',
  TUPLE1: [0x85],
  TUPLE2: [0x86],
  TUPLE3: [0x87],
  EMPTY_TUPLE: ')',
  EMPTY_LIST: ']',
  EMPTY_DICT: '}',
  EMPTY_SET: [0x8f],
  LIST: 'l',
  DICT: 'd',
  APPEND: 'a',
  APPENDS: 'e',
  SETITEM: 's',
  SETITEMS: 'u',
  ADDITEMS: [0x90],
  FROZENSET: [0x91],
  REDUCE: 'R',
  BUILD: 'b',
  NEWOBJ: [0x81],
  NEWOBJ_EX: [0x92],
  OBJ: 'o',
  STACK_GLOBAL: [0x93],
  MEMOIZE: [0x94],
  BINPERSID: 'Q',
  NEXT_BUFFER: [0x97],
  GLOBAL: (m: string, n: string): string => `c${m}\n${n}\n`,
  INST: (m: string, n: string): string => `i${m}\n${n}\n`,
  PERSID: (s: string): string => `P${s}\n`,
  INT: (n: number): string => `I${n}\n`,
  BININT: (n: number): number[] => [0x4a, ...le(n >>> 0, 4)],
  BININT1: (n: number): number[] => [0x4b, n & 0xff],
  BININT2: (n: number): number[] => [0x4d, ...le(n, 2)],
  LONG1: (bytes: number[]): number[] => [0x8a, bytes.length, ...bytes],
  BINFLOAT: (x: number): number[] => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, x, false);
    return [0x47, ...b];
  },
  FLOAT: (s: string): string => `F${s}\n`,
  STRING: (s: string): string => `S'${s}'\n`,
  SHORT_BINSTRING: (s: string): number[] => [0x55, s.length, ...[...s].map((c) => c.charCodeAt(0) & 0xff)],
  UNICODE: (s: string): string => `V${s}\n`,
  SHORT_BINUNICODE: (s: string): number[] => { const b = utf8(s); return [0x8c, b.length, ...b]; },
  BINUNICODE: (s: string): number[] => { const b = utf8(s); return [0x58, ...le(b.length, 4), ...b]; },
  SHORT_BINBYTES: (b: Uint8Array | number[]): number[] => [0x43, b.length, ...b],
  BINBYTES: (b: Uint8Array | number[]): number[] => [0x42, ...le(b.length, 4), ...b],
  BYTEARRAY8: (b: Uint8Array | number[]): number[] => [0x96, ...le(b.length, 8), ...b],
  PUT: (i: number): string => `p${i}\n`,
  GET: (i: number): string => `g${i}\n`,
  BINPUT: (i: number): number[] => [0x71, i],
  BINGET: (i: number): number[] => [0x68, i],
  LONG_BINPUT: (i: number): number[] => [0x72, ...le(i, 4)],
  LONG_BINGET: (i: number): number[] => [0x6a, ...le(i, 4)],
  EXT1: (c: number): number[] => [0x82, c],
  EXT2: (c: number): number[] => [0x83, ...le(c, 2)],
};

/** `module.name(arg)` with protocol-4 opcodes: PROTO 4, STACK_GLOBAL, one str argument, REDUCE, STOP. */
export function callPickle(module: string, name: string, arg: string): Uint8Array {
  return pickle(op.PROTO(4), op.SHORT_BINUNICODE(module), op.SHORT_BINUNICODE(name), op.STACK_GLOBAL,
    op.SHORT_BINUNICODE(arg), op.TUPLE1, op.REDUCE, op.STOP);
}

/** A torch storage persistent id `('storage', torch.<type>, key, 'cpu', numel)` followed by BINPERSID. */
export function storagePid(type: string, key: string, numel: number): Part[] {
  return [op.MARK, op.BINUNICODE('storage'), op.GLOBAL('torch', type), op.BINUNICODE(key),
    op.BINUNICODE('cpu'), op.BININT(numel), op.TUPLE, op.BINPERSID];
}

/** `_rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())` (protocol 2 layout). */
export function rebuildTensor(type: string, key: string, numel: number, offset: number, shape: number[], stride: number[]): Part[] {
  return [
    op.GLOBAL('torch._utils', '_rebuild_tensor_v2'), op.MARK, ...storagePid(type, key, numel), op.BININT(offset),
    op.MARK, ...shape.map((s) => op.BININT(s)), op.TUPLE, op.MARK, ...stride.map((s) => op.BININT(s)), op.TUPLE,
    op.NEWFALSE, op.GLOBAL('collections', 'OrderedDict'), op.EMPTY_TUPLE, op.REDUCE, op.TUPLE, op.REDUCE,
  ];
}
