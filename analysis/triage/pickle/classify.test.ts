import { describe, expect, it } from 'vitest';
import { classifyImport, classifyUnresolved } from './classify.js';
import { canonicalModule, parseImportName } from './import-names.js';
import { SEVERITIES, isAtLeast, maxSeverity, severityRank } from '../severity.js';

const sev = (m: string, n: string, called = true) => classifyImport(m, n, { called }).severity;
const cls = (m: string, n: string, called = true) => classifyImport(m, n, { called }).classification;

describe('severity scale', () => {
  it('orders info < low < medium < high < critical', () => {
    expect(SEVERITIES.map(severityRank)).toEqual([0, 1, 2, 3, 4]);
    expect(maxSeverity('low', 'high')).toBe('high');
    expect(isAtLeast('critical', 'high')).toBe(true);
    expect(isAtLeast('medium', 'high')).toBe(false);
  });
});

describe('allowlist: what checkpoints legitimately import', () => {
  it.each([
    ['torch._utils', '_rebuild_tensor_v2'], ['torch._utils', '_rebuild_parameter'], ['torch._utils', '_rebuild_qtensor'],
    ['torch._utils', '_rebuild_meta_tensor_no_storage'], ['torch', 'FloatStorage'], ['torch', 'BFloat16Storage'],
    ['torch', 'Float8_e4m3fnStorage'], ['torch', 'UntypedStorage'], ['torch.cuda', 'HalfStorage'], ['torch', 'float32'],
    ['torch', 'bfloat16'], ['torch', 'Size'], ['torch', 'device'], ['torch._tensor', '_rebuild_from_type_v2'],
    ['torch.nn.parameter', 'Parameter'], ['collections', 'OrderedDict'], ['__builtin__', 'set'], ['builtins', 'slice'],
    ['copy_reg', '_reconstructor'], ['numpy.core.multiarray', '_reconstruct'], ['numpy._core.multiarray', '_reconstruct'],
    ['numpy.core.multiarray', 'scalar'], ['numpy', 'dtype'], ['numpy', 'ndarray'], ['argparse', 'Namespace'],
  ])('%s.%s is safe', (m, n) => {
    expect(classifyImport(m, n, { called: true })).toMatchObject({ classification: 'safe', severity: 'info' });
  });

  it('allows _codecs.encode only on constant arguments', () => {
    expect(classifyImport('_codecs', 'encode', { called: true, constantArgs: true }).classification).toBe('safe');
    expect(classifyImport('_codecs', 'encode', { called: true, constantArgs: false }).severity).toBe('medium');
  });

  it('treats torch.storage._load_from_bytes as a nested load, not as safe', () => {
    expect(classifyImport('torch.storage', '_load_from_bytes', { called: true })).toMatchObject({ classification: 'dangerous', severity: 'medium' });
  });
});

describe('denylist with aliases', () => {
  it.each([
    ['os', 'system'], ['posix', 'system'], ['nt', 'system'], ['os', 'execv'], ['subprocess', 'Popen'], ['_posixsubprocess', 'fork_exec'],
    ['commands', 'getoutput'], ['pty', 'spawn'], ['__builtin__', 'eval'], ['builtins', 'exec'], ['builtins', 'getattr'],
    ['builtins', '__import__'], ['builtins', 'open'], ['runpy', '_run_code'], ['importlib', 'import_module'],
    ['pickle', 'loads'], ['_pickle', 'loads'], ['cPickle', 'loads'], ['marshal', 'loads'], ['types', 'CodeType'], ['ctypes', 'CDLL'],
    ['sys', 'modules'], ['code', 'InteractiveInterpreter.runcode'], ['bdb', 'Bdb.run'], ['timeit', 'timeit'],
    ['cProfile', 'run'], ['_operator', 'attrgetter'], ['operator', 'methodcaller'], ['logging.config', 'listen'],
    ['torch.hub', 'load'], ['torch.serialization', 'load'], ['torch', 'load'], ['torch.jit', 'load'],
    ['numpy.testing._private.utils', 'runstring'], ['dill._dill', '_create_function'], ['cloudpickle.cloudpickle', '_make_function'],
    ['pkgutil', 'resolve_name'], ['_interpreters', 'run_string'], ['_xxsubinterpreters', 'create'], ['fickling', 'hook'],
    ['mailcap', 'findmatch'], ['uuid', '_get_command_stdout'], ['_aix_support', '_read_cmd_output'], ['asyncio.unix_events', '_UnixSubprocessTransport._start'],
  ])('%s.%s is critical', (m, n) => {
    expect(classifyImport(m, n, { called: true })).toMatchObject({ classification: 'dangerous', severity: 'critical' });
  });

  it.each([
    ['socket', 'create_connection'], ['urllib.request', 'urlopen'], ['httplib', 'HTTPSConnection'], ['aiohttp.client', 'ClientSession'],
    ['requests.api', 'get'], ['webbrowser', 'open'], ['shutil', 'rmtree'], ['_io', 'FileIO'], ['io', 'open'], ['functools', 'partial'],
    ['_functools', 'reduce'], ['operator', 'itemgetter'], ['zlib', 'decompress'], ['base64', 'b64decode'], ['signal', 'raise_signal'],
    ['joblib', 'load'], ['pandas', 'read_pickle'], ['numpy', 'load'], ['builtins', 'print'], ['builtins', 'type'],
  ])('%s.%s is at least high', (m, n) => {
    expect(isAtLeast(sev(m, n), 'high')).toBe(true);
  });

  it('keeps os.path and its aliases out of the os rule', () => {
    expect(cls('os.path', 'join')).toBe('suspicious');
    expect(cls('posixpath', 'join')).toBe('suspicious');
    expect(cls('os', 'path')).toBe('suspicious');
    expect(canonicalModule('posixpath')).toBe('os.path');
  });
});

describe('structural red flags', () => {
  it('classifies dotted names as whole attribute chains', () => {
    expect(sev('numpy', 'core._internal.sys.modules', false)).toBe('critical'); // modelscan#89: reaches sys
    expect(sev('numpy', 'prod.os.system')).toBe('critical');
    expect(sev('numpy', '__builtins__', false)).toBe('critical'); // modelscan#330
    expect(sev('builtins', 'dict.get')).toBe('high');
    expect(sev('mypkg.models', 'Net.Inner', true)).toBe('high'); // a call through a chain
    expect(sev('mypkg.models', 'Net.Inner', false)).toBe('low');
  });

  it('NFKC-normalises lookalike names and flags them', () => {
    const v = classifyImport('\uff4f\uff53', 'system', { called: true }); // full-width "os"
    expect(v).toMatchObject({ classification: 'dangerous', severity: 'critical' });
    expect(v.obfuscation).toMatch(/non-ASCII/);
    expect(parseImportName('\uff4f\uff53', 'system').module).toBe('os');
    expect(classifyImport('t\u043erch', 'FloatStorage').severity).toBe('high'); // Cyrillic o: not the allowlisted torch
  });

  it('strips whitespace/control padding before matching, and flags it', () => {
    expect(classifyImport('os ', 'system\r', { called: true })).toMatchObject({ severity: 'critical' });
    expect(classifyImport('torch\t', 'FloatStorage').severity).toBe('high');
  });

  it('flags private interpreter modules and private functions that are called', () => {
    expect(sev('_winreg', 'OpenKey', false)).toBe('high');
    expect(sev('somepkg.util', '_run', true)).toBe('high');
    expect(sev('somepkg.util', 'Thing', true)).toBe('medium');
  });

  it('grades unlisted imports by use, and strict mode makes them dangerous', () => {
    expect(classifyImport('__main__', 'Net', { called: false })).toMatchObject({ classification: 'suspicious', severity: 'low' });
    expect(classifyImport('sklearn.linear_model', 'LogisticRegression', { called: true }).severity).toBe('medium');
    expect(classifyImport('__main__', 'Net', { strict: true })).toMatchObject({ classification: 'dangerous', severity: 'high' });
    expect(classifyImport('__torch__.Foo', 'Bar').reason).toMatch(/TorchScript/);
  });

  it('judges unresolved imports high, critical when the hint is critical', () => {
    expect(classifyUnresolved(undefined)).toMatchObject({ classification: 'unknown', severity: 'high' });
    expect(classifyUnresolved({ module: 'os', name: 'system' }).severity).toBe('critical');
    expect(classifyUnresolved({ module: 'collections', name: 'OrderedDict' }).severity).toBe('high');
  });
});
