import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { disassemble } from './disassemble.js';
import { PICKLE_FINDING_IDS as F } from './finding-ids.js';
import { op, pickle } from './pickle-builder.test-support.js';
import { runSymbolic } from './symbolic.js';
import { describeValue } from './sym-value.js';

const run = (b: Uint8Array) => runSymbolic(disassemble(b).ops);
const fixture = (p: string): Uint8Array => new Uint8Array(readFileSync(new URL(`./fixtures/${p}`, import.meta.url)));
const ids = (r: ReturnType<typeof run>): string[] => r.issues.map((i) => i.id);

describe('symbolic machine: values', () => {
  it('rebuilds plain data exactly ({"safe": True, "data": [1, 2, 3]})', () => {
    const r = run(fixture('pickle-benign/modelaudit__safe_data.pkl'));
    expect(r.issues).toEqual([]);
    expect(describeValue(r.result)).toBe('{"safe": True, "data": [1, 2, 3]}');
    expect(r.imports).toEqual([]);
  });

  it('shares memoised objects (APPEND through GET mutates the same list)', () => {
    const r = run(pickle(op.EMPTY_LIST, op.BINPUT(0), op.POP, op.BINGET(0), op.NONE, op.APPEND, op.POP, op.BINGET(0), op.STOP));
    expect(describeValue(r.result)).toBe('[None]');
  });

  it('builds tuples, dicts, sets and frozensets from MARK slices', () => {
    const r = run(pickle(op.MARK, op.MARK, op.BININT1(1), op.BININT1(2), op.DICT, op.EMPTY_SET, op.MARK, op.BININT1(3), op.ADDITEMS,
      op.MARK, op.BININT1(4), op.FROZENSET, op.TUPLE, op.STOP));
    expect(describeValue(r.result)).toBe('({1: 2}, {3}, frozenset({4}))');
  });

  it('folds _codecs.encode(str, "latin1") into bytes (protocol-2 bytes spelling)', () => {
    const r = run(pickle(op.PROTO(2), op.GLOBAL('_codecs', 'encode'), op.BINUNICODE('\u00ff\u0001'), op.BINUNICODE('latin1'), op.TUPLE2, op.REDUCE, op.STOP));
    expect(r.result.k === 'call' && r.result.folded).toEqual({ k: 'bytes', v: new Uint8Array([0xff, 0x01]) });
  });
});

describe('symbolic machine: imports', () => {
  it('resolves STACK_GLOBAL operands through the memo (CTF "Safe Pickle", malicious11)', () => {
    const r = run(fixture('pickle-malicious/picklescan__malicious11.pkl'));
    expect(r.imports.map((i) => `${i.module}.${i.name}`)).toEqual(['os.system']);
    expect(r.imports[0]?.uses.has('call')).toBe(true);
  });

  it('resolves the PUT-overwrite variant: memo index 0 rewritten to "os"', () => {
    const r = run(pickle(op.UNICODE('torch'), op.PUT(0), op.POP, op.UNICODE('os'), op.PUT(0), op.POP,
      op.GET(0), op.UNICODE('system'), op.STACK_GLOBAL, op.STOP));
    expect(r.imports[0]).toMatchObject({ module: 'os', name: 'system', resolved: true });
    expect(ids(r)).toContain(F.memoOverwrite);
  });

  it('marks non-str STACK_GLOBAL operands unresolved, with a hint (type confusion)', () => {
    const r = run(pickle(op.PROTO(4), op.SHORT_BINBYTES([0x6f, 0x73]), op.SHORT_BINUNICODE('system'), op.STACK_GLOBAL, op.STOP));
    expect(r.imports[0]).toMatchObject({ module: 'unknown', name: 'system', resolved: false, hint: { module: 'os', name: 'system' } });
    expect(ids(r)).toContain(F.stackGlobalTypeConfusion);
  });

  it('records INST (import + call) and OBJ', () => {
    const inst = run(pickle(op.MARK, op.STRING('id'), op.INST('pty', 'spawn'), op.STOP));
    expect(inst.imports[0]).toMatchObject({ module: 'pty', name: 'spawn', opcode: 'INST' });
    expect(inst.calls[0]?.op).toBe('INST');
    const obj = run(pickle(op.MARK, op.GLOBAL('pty', 'spawn'), op.STRING('id'), op.OBJ, op.STOP));
    expect(obj.imports[0]?.uses.has('call')).toBe(true);
    expect(describeValue(obj.result)).toBe('pty.spawn("id")');
  });

  it('records EXT codes as unknown imports', () => {
    const r = run(pickle(op.PROTO(2), op.EXT1(42), op.EMPTY_TUPLE, op.REDUCE, op.STOP));
    expect(r.exts).toEqual([{ offset: 2, code: 42 }]);
    expect(r.imports[0]).toMatchObject({ module: 'unknown', resolved: false });
  });

  it('tells construction (NEWOBJ, copyreg._reconstructor) from calls (REDUCE)', () => {
    const r = run(pickle(op.PROTO(2), op.GLOBAL('copy_reg', '_reconstructor'), op.GLOBAL('__main__', 'Net'), op.GLOBAL('__builtin__', 'object'),
      op.NONE, op.TUPLE3, op.REDUCE, op.STOP));
    expect([...(r.imports[1]?.uses ?? [])]).toEqual(['construct']);
    expect([...(r.imports[0]?.uses ?? [])]).toEqual(['call']);
  });
});

describe('symbolic machine: malformed streams keep going', () => {
  it('reports stack underflow and still records the later import', () => {
    const r = run(pickle(op.REDUCE, op.GLOBAL('os', 'system'), op.STOP));
    expect(ids(r)).toContain(F.stackUnderflow);
    expect(r.imports[0]?.module).toBe('os');
  });

  it('reports a missing MARK and MARKs left open', () => {
    expect(ids(run(pickle(op.NONE, op.TUPLE, op.STOP)))).toContain(F.markImbalance);
    expect(ids(run(pickle(op.MARK, op.NONE, op.STOP)))).toContain(F.markImbalance);
  });

  it('POP on an empty stack above a MARK pops the MARK (pickle.py load_pop)', () => {
    const r = run(pickle(op.NONE, op.MARK, op.POP, op.STOP));
    expect(r.issues).toEqual([]);
    expect(r.result.k).toBe('none');
  });

  it('reports memo misses, huge memo indexes and odd DICTs', () => {
    expect(ids(run(pickle(op.BINGET(7), op.STOP)))).toContain(F.memoMiss);
    expect(ids(run(pickle(op.NONE, op.LONG_BINPUT(0xfffffff0), op.STOP)))).toContain(F.memoIndexHuge);
    expect(ids(run(pickle(op.MARK, op.NONE, op.DICT, op.STOP)))).toContain(F.operandShape);
  });

  it('records BUILD on an imported object and values left under the result', () => {
    const r = run(pickle(op.GLOBAL('numpy', 'prod'), op.NONE, op.EMPTY_DICT, op.TUPLE2, op.BUILD, op.NONE, op.STOP));
    expect(r.builds[0]?.target.k).toBe('global');
    expect(r.imports[0]?.uses.has('build-target')).toBe(true);
    expect(ids(r)).toContain(F.stackLeftover);
  });

  it('returns the top of stack as best guess when STOP is missing', () => {
    const r = run(pickle(op.PROTO(2), op.BININT1(5)));
    expect(r.stopped).toBe(false);
    expect(r.result).toEqual({ k: 'int', v: 5 });
  });
});
