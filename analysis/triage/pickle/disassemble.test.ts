import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { disassemble } from './disassemble.js';
import { PICKLE_FINDING_IDS as F } from './finding-ids.js';
import { op, pickle } from './pickle-builder.test-support.js';

const fixture = (p: string): Uint8Array => new Uint8Array(readFileSync(new URL(`./fixtures/${p}`, import.meta.url)));
const names = (b: Uint8Array): string[] => disassemble(b).ops.map((o) => o.name);

describe('disassemble: real pickles', () => {
  it('reads a protocol-0 list (benign0_v0: ["a","b","c"])', () => {
    const d = disassemble(fixture('pickle-benign/picklescan__benign0_v0.pkl'));
    expect(d.issues).toEqual([]);
    expect(d.ops.map((o) => o.name)).toEqual([
      'MARK', 'LIST', 'PUT', 'UNICODE', 'PUT', 'APPEND', 'UNICODE', 'PUT', 'APPEND', 'UNICODE', 'PUT', 'APPEND', 'STOP',
    ]);
    expect(d.ops.filter((o) => o.name === 'UNICODE').map((o) => o.arg)).toEqual(['a', 'b', 'c']);
    expect(d.stopOffset).toBe(d.ops[d.ops.length - 1]?.offset);
  });

  it('reads protocol 4 with FRAME, MEMOIZE and STACK_GLOBAL (malicious1_v4)', () => {
    const b = fixture('pickle-malicious/picklescan__malicious1_v4.pkl');
    const d = disassemble(b);
    expect(d.issues).toEqual([]);
    expect(d.ops[0]).toMatchObject({ name: 'PROTO', arg: 4, offset: 0, length: 2 });
    expect(d.ops[1]).toMatchObject({ name: 'FRAME', arg: 40, length: 9 });
    expect(d.ops.filter((o) => o.name === 'SHORT_BINUNICODE').map((o) => o.arg)).toEqual(['builtins', 'eval', "print('456')"]);
    expect(d.endOffset).toBe(b.length);
  });

  it('reads GLOBAL module/name pairs (protocol 0 malicious1_v0)', () => {
    const d = disassemble(fixture('pickle-malicious/picklescan__malicious1_v0.pkl'));
    expect(d.ops.find((o) => o.name === 'GLOBAL')?.arg).toEqual({ module: '__builtin__', name: 'eval' });
  });

  it('stops at STOP and honours startOffset for the next pickle', () => {
    const b = fixture('pickle-malicious/modelaudit__multiple_stream_attack.pkl');
    const first = disassemble(b);
    expect(first.stopOffset).not.toBeNull();
    const second = disassemble(b, { startOffset: first.endOffset });
    expect(second.stopOffset).not.toBeNull();
    expect(second.ops.some((o) => typeof o.arg === 'string' && o.arg === 'eval')).toBe(true);
  });
});

describe('disassemble: arguments', () => {
  it('decodes every numeric form', () => {
    const d = disassemble(pickle(
      op.INT(-7), 'I01\n', 'L12345678901234567890L\n', op.BININT(-2), op.BININT1(255), op.BININT2(65535),
      op.LONG1([0xff]), op.LONG1([0x00, 0x80]), op.BINFLOAT(1.5), op.FLOAT('inf'), op.FLOAT('-1e3'), op.STOP,
    ));
    expect(d.issues).toEqual([]);
    expect(d.ops.slice(0, -1).map((o) => o.arg)).toEqual([-7, true, 12345678901234567890n, -2, 255, 65535, -1, -32768, 1.5, Infinity, -1000]);
  });

  it('decodes STRING escapes and UNICODE raw-unicode-escape', () => {
    const d = disassemble(pickle("S'a\\x41\\n\\'b'\n", 'S"q"\n', 'Vsnow\\u2603 \\\\u0041\n', op.STOP));
    expect(d.issues).toEqual([]);
    expect(d.ops.map((o) => o.arg).slice(0, 3)).toEqual(["aA\n'b", 'q', 'snow\u2603 \\\\u0041']);
  });

  it('refuses an unquoted STRING argument (CPython: "must be quoted")', () => {
    const d = disassemble(pickle('Sabc\n', op.STOP));
    expect(d.issues[0]).toMatchObject({ id: F.malformedArgument, offset: 0 });
    expect(d.stopOffset).toBeNull();
  });

  it('flags invalid UTF-8 in GLOBAL but still reports the op', () => {
    const d = disassemble(fixture('pickle-benign/picklescan__not_a_pickle.bin'));
    expect(d.ops[0]?.name).toBe('GLOBAL');
    expect(d.issues.map((i) => i.id)).toEqual([F.malformedArgument, F.missingStop]);
  });
});

describe('disassemble: hostile input never throws', () => {
  it('reports an unknown opcode with its offset', () => {
    const d = disassemble(pickle(op.NONE, [0x00], op.STOP));
    expect(d.issues).toEqual([expect.objectContaining({ id: F.unknownOpcode, offset: 1 })]);
    expect(d.endOffset).toBe(1);
  });

  it('checks counted lengths against the bytes left before reading', () => {
    const huge = pickle([0x42, 0xff, 0xff, 0xff, 0xff], 'abc');
    expect(disassemble(huge).issues[0]).toMatchObject({ id: F.countedLengthOverflow, offset: 0 });
    const eight = pickle([0x8e, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 'x');
    expect(disassemble(eight).issues[0]?.id).toBe(F.countedLengthOverflow);
    const negative = pickle([0x54, 0xff, 0xff, 0xff, 0xff]);
    expect(disassemble(negative).issues[0]?.message).toMatch(/negative/);
  });

  it('reports truncated fixed-size and newline arguments', () => {
    expect(disassemble(pickle([0x4a, 1, 2])).issues[0]?.id).toBe(F.truncatedArgument);
    expect(disassemble(pickle('cos\nsystem')).issues[0]?.id).toBe(F.truncatedArgument);
    expect(disassemble(pickle('I12')).issues[0]?.id).toBe(F.truncatedArgument);
    expect(disassemble(pickle('Iabc\n.')).issues[0]?.id).toBe(F.malformedArgument);
  });

  it('reports a missing STOP', () => {
    const d = disassemble(pickle(op.PROTO(2), op.NONE));
    expect(d.stopOffset).toBeNull();
    expect(d.issues.at(-1)).toMatchObject({ id: F.missingStop, offset: 3 });
  });

  it('checks FRAME lengths: past the end, nested, straddled', () => {
    expect(disassemble(pickle(op.PROTO(4), op.FRAME(1000), op.NONE, op.STOP)).issues[0]?.id).toBe(F.frameMismatch);
    // frame of 2 bytes holds NONE + half of a SHORT_BINUNICODE
    const straddle = disassemble(pickle(op.PROTO(4), op.FRAME(2), op.NONE, op.SHORT_BINUNICODE('abc'), op.TUPLE2, op.STOP));
    expect(straddle.issues.map((i) => i.id)).toContain(F.frameMismatch);
    const early = disassemble(pickle(op.PROTO(4), op.FRAME(5), op.NONE, op.FRAME(2), op.NONE, op.STOP));
    expect(early.issues.map((i) => i.id)).toContain(F.frameMismatch);
    const honest = disassemble(pickle(op.PROTO(4), op.FRAME(2), op.NONE, op.STOP));
    expect(honest.issues).toEqual([]);
  });

  it('bounds the opcode count', () => {
    const many = pickle(...Array.from({ length: 50 }, () => op.NONE), op.STOP);
    const d = disassemble(many, { maxOps: 10 });
    expect(d.ops).toHaveLength(10);
    expect(d.issues[0]?.id).toBe(F.opLimit);
  });

  it('keeps byte arguments as views and caps decoded text', () => {
    const payload = new Uint8Array(100).fill(0x41);
    const b = pickle(op.BINBYTES(payload), op.BINUNICODE('x'.repeat(5000)), op.STOP);
    const d = disassemble(b, { maxTextDecode: 100 });
    const bytesArg = d.ops[0]?.arg as Uint8Array;
    expect(bytesArg.buffer).toBe(b.buffer);
    expect((d.ops[1]?.arg as string).length).toBe(100);
    expect(d.ops[1]?.truncatedText).toBe(true);
  });

  it('names every op of a protocol-2 torch data.pkl', () => {
    expect(names(pickle(op.PROTO(2), op.EMPTY_DICT, op.BINPUT(0), op.STOP))).toEqual(['PROTO', 'EMPTY_DICT', 'BINPUT', 'STOP']);
  });
});
