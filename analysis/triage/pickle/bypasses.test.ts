/**
 * Published scanner bypasses (picklescan, modelscan, fickling, modelaudit), each rebuilt byte by
 * byte from its write-up and required to raise a finding of at least "high". The source of each
 * is in the test name; fixtures that the projects themselves ship are covered in corpus.test.ts.
 */
import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { analyzePickle, type PickleReport } from './analyze.js';
import { PICKLE_FINDING_IDS as F, type PickleFindingId } from './finding-ids.js';
import { callPickle, op, pickle } from './pickle-builder.test-support.js';
import { isAtLeast } from '../severity.js';

function expectFlagged(r: PickleReport, ...ids: PickleFindingId[]): void {
  expect(r.maxSeverity !== null && isAtLeast(r.maxSeverity, 'high'), JSON.stringify(r.findings, null, 1)).toBe(true);
  const got = r.findings.map((f) => f.id);
  for (const id of ids) expect(got, `missing ${id}`).toContain(id);
}

const evalPayload = callPickle('builtins', 'eval', "__import__('os').system('id')");

describe('modelscan issues', () => {
  it('#85: BUILD writes "os"/"system" onto numpy.prod, then STACK_GLOBAL reads them back through the memo', () => {
    const b = pickle(op.PROTO(5),
      op.GLOBAL('numpy', 'prod'), op.NONE, op.MARK, op.UNICODE('a'), op.UNICODE('os'), op.DICT, op.TUPLE2, op.BUILD,
      op.NONE, op.MARK, op.UNICODE('b'), op.UNICODE('system'), op.DICT, op.TUPLE2, op.BUILD, op.POP,
      op.GLOBAL('numpy', 'prod.a'), op.PUT(0), op.GLOBAL('numpy', 'prod.b'), op.PUT(1), op.POP, op.POP,
      op.GET(0), op.GET(1), op.STACK_GLOBAL, op.UNICODE('echo pwned!!!'), op.TUPLE1, op.REDUCE, op.STOP);
    const r = analyzePickle(b);
    expectFlagged(r, F.buildOnGlobal, F.importUnresolved);
    expect(r.imports.find((i) => !i.resolved)?.severity).toBe('high');
  });

  it('#89 PoC 1: builtins.dict.get on numpy.__builtins__ fetches exec', () => {
    const b = pickle(op.PROTO(5), op.GLOBAL('builtins', 'dict.get'), op.GLOBAL('numpy', '__builtins__'), op.UNICODE('exec'),
      op.TUPLE2, op.REDUCE, op.UNICODE('__import__("os").system("echo pwned!!!")'), op.TUPLE1, op.REDUCE, op.STOP);
    const r = analyzePickle(b);
    expectFlagged(r, F.importDangerous, F.callDynamic, F.callPayloadString);
    expect(r.imports.find((i) => i.name === '__builtins__')?.severity).toBe('critical');
  });

  it('#89 PoC 2: sys.modules reached through numpy.core._internal, then numpy.prod.os.system', () => {
    const b = pickle(op.PROTO(5), op.GLOBAL('numpy', 'prod'), op.NONE, op.GLOBAL('numpy', 'core._internal.sys.modules'), op.TUPLE2,
      op.BUILD, op.POP, op.GLOBAL('numpy', 'prod.os.system'), op.UNICODE('echo pwned!!!'), op.TUPLE1, op.REDUCE, op.STOP);
    const r = analyzePickle(b);
    expectFlagged(r, F.buildOnGlobal, F.importDangerous);
    expect(r.imports.every((i) => i.name === 'prod' || i.severity === 'critical')).toBe(true);
  });

  it('#330: numpy.size gets numpy.__builtins__ as its "shape" via BUILD, then eval', () => {
    const hex = '80049566000000000000008c056e756d70798c0473697a659394948c056e756d70798c0c5f5f6275696c74696e735f5f93949468017d7d8c0573686170656803738662680168018c046576616c86528c1d5f5f696d706f72745f5f28226f7322292e73797374656d28226964222985522e';
    const r = analyzePickle(new Uint8Array(Buffer.from(hex, 'hex')));
    expectFlagged(r, F.buildOnGlobal, F.callDynamic, F.callPayloadString);
  });

  it('#331: importlib.import_module("builtins") + getattr + "".join(["o","s"]) string building', () => {
    const b = pickle(op.PROTO(4), op.SHORT_BINUNICODE('importlib'), op.SHORT_BINUNICODE('import_module'), op.STACK_GLOBAL, op.MEMOIZE,
      op.SHORT_BINUNICODE('builtins'), op.TUPLE1, op.REDUCE, op.MEMOIZE, op.SHORT_BINUNICODE('builtins'), op.SHORT_BINUNICODE('getattr'),
      op.STACK_GLOBAL, op.MEMOIZE, op.BINGET(2), op.BINGET(1), op.SHORT_BINUNICODE('str'), op.TUPLE2, op.REDUCE,
      op.SHORT_BINUNICODE('join'), op.TUPLE2, op.REDUCE, op.SHORT_BINUNICODE(''), op.EMPTY_LIST, op.MARK, op.SHORT_BINUNICODE('o'),
      op.SHORT_BINUNICODE('s'), op.APPENDS, op.TUPLE2, op.REDUCE, op.STOP);
    const r = analyzePickle(b);
    expectFlagged(r, F.importDangerous, F.callDynamic);
    expect(r.imports.map((i) => i.severity)).toEqual(['critical', 'critical']);
  });

  it('#338 §5: bytes / int / bytearray operands for STACK_GLOBAL (type confusion)', () => {
    for (const mod of [op.SHORT_BINBYTES([0x6f, 0x73]), op.BYTEARRAY8([0x6f, 0x73])]) {
      const r = analyzePickle(pickle(op.PROTO(5), mod, op.SHORT_BINUNICODE('system'), op.STACK_GLOBAL, op.SHORT_BINUNICODE('id'), op.TUPLE1, op.REDUCE, op.STOP));
      expectFlagged(r, F.stackGlobalTypeConfusion, F.importUnresolved);
      expect(r.maxSeverity).toBe('critical'); // the hint reads os.system
    }
    const r = analyzePickle(pickle(op.PROTO(4), op.BININT(42), op.SHORT_BINUNICODE('os'), op.STACK_GLOBAL, op.STOP));
    expectFlagged(r, F.stackGlobalTypeConfusion, F.importUnresolved);
  });

  it('#338 §6: payload hidden behind zlib.decompress', () => {
    const r = analyzePickle(pickle(op.PROTO(4), op.GLOBAL('zlib', 'decompress'), op.SHORT_BINBYTES([0x78, 0x9c, 1, 2, 3]), op.TUPLE1, op.REDUCE, op.STOP));
    expectFlagged(r, F.importDangerous);
  });

  it('#51: INST opcode calling exec', () => {
    expectFlagged(analyzePickle(pickle('(S\'print("Injection running")\'\ni__builtin__\nexec\n.')), F.importDangerous);
  });

  it('#267: pickle.loads of an inner pickle — the inner one is analysed too', () => {
    const inner = pickle("cbuiltins\nprint\n(S'This pickle has been exploited!'\ntR.");
    const r = analyzePickle(pickle(op.PROTO(4), op.GLOBAL('pickle', 'loads'), op.SHORT_BINBYTES(inner), op.TUPLE1, op.REDUCE, op.STOP));
    expectFlagged(r, F.importDangerous, F.nestedPickle);
    expect(r.nestedPickles[0]?.report.imports[0]).toMatchObject({ module: 'builtins', name: 'print', severity: 'high' });
  });

  it('#339: ctypes.CDLL, signal.raise_signal, http.client.HTTPConnection', () => {
    expect(analyzePickle(callPickle('ctypes', 'CDLL', 'msvcrt')).maxSeverity).toBe('critical');
    expectFlagged(analyzePickle(callPickle('signal', 'raise_signal', '9')), F.importDangerous);
    expectFlagged(analyzePickle(callPickle('http.client', 'HTTPConnection', 'exfil.invalid')), F.importDangerous);
  });

  it('#346: mailcap.findmatch runs a mailcap "test" command', () => {
    expect(analyzePickle(callPickle('mailcap', 'findmatch', 'text/plain')).maxSeverity).toBe('critical');
  });
});

describe('picklescan issues and advisories', () => {
  it('#22 (CTF "Safe Pickle"): memo entry read back with GET is what STACK_GLOBAL gets', () => {
    const b = pickle(op.UNICODE('os'), op.PUT(2), op.POP, op.UNICODE('system'), op.PUT(3), op.POP, op.UNICODE('torch'), op.PUT(0), op.POP,
      op.UNICODE('LongStorage'), op.PUT(1), op.POP, op.GET(2), op.GET(3), op.STACK_GLOBAL, op.MARK, op.UNICODE('cat flag.txt'), op.TUPLE, op.REDUCE, op.STOP);
    expect(analyzePickle(b).imports).toEqual([expect.objectContaining({ module: 'os', name: 'system', severity: 'critical' })]);
  });

  it('GHSA-9gvj-pp9x-gcfr: STRING opcodes feed STACK_GLOBAL in a pickle without PROTO', () => {
    const r = analyzePickle(pickle(op.STRING('os'), op.STRING('system'), op.STACK_GLOBAL, op.STRING('ls'), op.TUPLE1, op.REDUCE, op.STOP));
    expectFlagged(r, F.importDangerous, F.protocolMismatch);
  });

  it('GHSA-vvpj-8cmc-gx39 / #66: pkgutil.resolve_name("os:system") and importlib chains', () => {
    expect(analyzePickle(callPickle('pkgutil', 'resolve_name', 'os:system')).maxSeverity).toBe('critical');
    expect(analyzePickle(callPickle('importlib', 'import_module', 'os')).maxSeverity).toBe('critical');
    expect(analyzePickle(callPickle('importlib.util', 'find_spec', 'os')).maxSeverity).toBe('critical');
  });

  it('#74: marshal.loads of a code object', () => {
    const r = analyzePickle(pickle(op.PROTO(4), op.GLOBAL('marshal', 'loads'), op.SHORT_BINBYTES([0xe3, 0, 0]), op.TUPLE1, op.REDUCE, op.STOP));
    expect(r.maxSeverity).toBe('critical');
  });

  it('GHSA-84r2 style: operator.methodcaller + pydoc.locate', () => {
    const b = pickle(op.PROTO(4), op.GLOBAL('operator', 'methodcaller'), op.SHORT_BINUNICODE('system'), op.SHORT_BINUNICODE('echo pwned'), op.TUPLE2,
      op.REDUCE, op.GLOBAL('pydoc', 'locate'), op.SHORT_BINUNICODE('os'), op.TUPLE1, op.REDUCE, op.TUPLE1, op.REDUCE, op.STOP);
    expectFlagged(analyzePickle(b), F.importDangerous, F.callDynamic);
  });
});

describe('fickling issues', () => {
  it('#108: pty.spawn through OBJ', () => {
    expect(analyzePickle(pickle('(cpty\nspawn\nS"id"\no.')).maxSeverity).toBe('critical');
  });

  it('#302 / GHSA-6ggj-6f2q-f7mx: _interpreters.run_string routed through BUILD', () => {
    const b = pickle(op.PROTO(4), op.GLOBAL('_interpreters', 'create'), op.EMPTY_TUPLE, op.REDUCE, op.MEMOIZE,
      op.GLOBAL('_interpreters', 'run_string'), op.BINGET(0), op.SHORT_BINUNICODE('import os; os.system("id")'), op.TUPLE2, op.REDUCE,
      op.EMPTY_DICT, op.BUILD, op.STOP);
    expectFlagged(analyzePickle(b), F.importDangerous, F.callPayloadString);
  });

  it('#249: a pickle importing the scanner itself (scanner deactivation)', () => {
    expect(analyzePickle(callPickle('fickling.hook', 'deactivate_safe_ml_environment', '')).maxSeverity).toBe('critical');
    expect(analyzePickle(callPickle('picklescan.scanner', 'scan_pickle_bytes', '')).maxSeverity).toBe('critical');
  });
});

describe('agent-bom #3326: memo evasion with padding literals', () => {
  it('os/system stored early, padding strings pushed, then replayed with BINGET', () => {
    const b = pickle(op.PROTO(4), op.SHORT_BINUNICODE('os'), op.MEMOIZE, op.POP, op.SHORT_BINUNICODE('system'), op.MEMOIZE, op.POP,
      ...Array.from({ length: 6 }, (_, i) => [op.SHORT_BINUNICODE(`pad${i}`), op.POP]).flat(),
      op.SHORT_BINUNICODE('torch'), op.SHORT_BINUNICODE('FloatStorage'), op.POP, op.POP,
      op.BINGET(0), op.BINGET(1), op.STACK_GLOBAL, op.SHORT_BINUNICODE('id'), op.TUPLE1, op.REDUCE, op.STOP);
    expect(analyzePickle(b).imports[0]).toMatchObject({ module: 'os', name: 'system', severity: 'critical' });
  });
});

describe('stream-level tricks', () => {
  it('payload after STOP: benign pickle followed by a second, malicious one (modelaudit multiple_stream)', () => {
    const b = pickle(op.PROTO(4), op.EMPTY_DICT, op.STOP, evalPayload);
    const r = analyzePickle(b);
    expectFlagged(r, F.multipleStreams, F.importDangerous);
    expect(r.followingStreams).toHaveLength(1);
    expect(r.findings.find((f) => f.id === F.importDangerous)?.origin).toMatch(/^stream 2/);
  });

  it('junk after STOP is reported as data, not silently dropped', () => {
    const r = analyzePickle(pickle(op.NONE, op.STOP, 'garbage\x00\x01'));
    expect(r.trailingBytes).toBe(9);
    expect(r.findings.map((f) => f.id)).toContain(F.dataAfterStop);
  });

  it('a second pickle that breaks after its payload is still analysed up to the break', () => {
    const r = analyzePickle(pickle(op.NONE, op.STOP, "cos\nsystem\n(S'id'\ntR", [0x00, 0x01]));
    expect(r.findings.find((f) => f.id === F.importDangerous)).toMatchObject({ severity: 'critical', origin: expect.stringMatching(/^data after STOP/) });
    expect(r.findings.map((f) => f.id)).toContain(F.dataAfterStop);
  });

  it('a PROTO beyond protocol 5 is malformed', () => {
    expect(analyzePickle(pickle(op.PROTO(6), op.NONE, op.STOP)).findings.map((f) => f.id)).toContain(F.malformedArgument);
  });

  it('base64 and hex nested pickles are decoded and analysed', () => {
    const b64 = Buffer.from(evalPayload).toString('base64');
    const hex = Buffer.from(evalPayload).toString('hex');
    const r = analyzePickle(pickle(op.PROTO(4), op.MARK, op.SHORT_BINUNICODE('meta'), op.BINUNICODE(b64), op.SHORT_BINUNICODE('x'),
      op.BINUNICODE(hex), op.DICT, op.STOP));
    expect(r.nestedPickles.map((n) => n.encoding)).toEqual(['base64', 'hex']);
    expect(r.maxSeverity).toBe('critical');
  });

  it('nesting deeper than the bound is reported, not followed forever', () => {
    let b = evalPayload;
    for (let i = 0; i < 6; i++) b = pickle(op.PROTO(4), op.BINBYTES(b), op.STOP);
    const r = analyzePickle(b, { maxNestedDepth: 3 });
    expect(r.findings.map((f) => f.id)).toContain(F.nestedDepthLimit);
  });

  it('duplicate and misplaced PROTO', () => {
    const ids = analyzePickle(pickle(op.NONE, op.POP, op.PROTO(2), op.PROTO(4), op.NONE, op.STOP)).findings.map((f) => f.id);
    expect(ids).toContain(F.protoDuplicate);
    expect(ids).toContain(F.protoMisplaced);
  });

  it('memo games: GET of a missing index, PUT overwriting an imported callable', () => {
    expect(analyzePickle(pickle(op.PROTO(2), op.BINGET(9), op.STOP)).findings.map((f) => f.id)).toContain(F.memoMiss);
    const r = analyzePickle(pickle(op.PROTO(2), op.GLOBAL('collections', 'OrderedDict'), op.BINPUT(0), op.POP, op.GLOBAL('os', 'system'),
      op.BINPUT(0), op.POP, op.BINGET(0), op.EMPTY_TUPLE, op.REDUCE, op.STOP));
    expect(r.findings.find((f) => f.id === F.memoOverwrite)?.severity).toBe('high');
  });

  it('EXT codes (copyreg extension registry) cannot be resolved and are high', () => {
    expectFlagged(analyzePickle(pickle(op.PROTO(2), op.EXT2(0x1234), op.SHORT_BINUNICODE('id'), op.TUPLE1, op.REDUCE, op.STOP)),
      F.extensionRegistry, F.importUnresolved);
  });

  it('PERSID outside torch is reported; torch-shaped storage ids are not', () => {
    expect(analyzePickle(pickle(op.PERSID('x'), op.STOP)).findings.map((f) => f.id)).toContain(F.persistentId);
    const torchish = pickle(op.PROTO(4), op.MARK, op.SHORT_BINUNICODE('storage'), op.GLOBAL('torch', 'FloatStorage'), op.SHORT_BINUNICODE('0'),
      op.SHORT_BINUNICODE('cpu'), op.BININT1(4), op.TUPLE, op.BINPERSID, op.STOP);
    expect(analyzePickle(torchish).findings).toEqual([]);
  });

  it('a call whose result the unpickled object never uses (side effect only)', () => {
    const r = analyzePickle(pickle(op.PROTO(2), op.GLOBAL('mypkg', 'setup'), op.EMPTY_TUPLE, op.REDUCE, op.POP, op.EMPTY_DICT, op.STOP));
    expect(r.findings.map((f) => f.id)).toContain(F.discardedCall);
  });

  it('lookalike and padded module names', () => {
    expectFlagged(analyzePickle(pickle(op.PROTO(4), op.SHORT_BINUNICODE('\uff4f\uff53'), op.SHORT_BINUNICODE('system'), op.STACK_GLOBAL, op.STOP)),
      F.importDangerous, F.importObfuscatedName);
    expectFlagged(analyzePickle(pickle('cos \nsystem\n.')), F.importObfuscatedName);
  });
});
