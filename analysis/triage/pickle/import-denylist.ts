/**
 * Globals that have no business in a model checkpoint, with a severity. Sources: the unsafe-global
 * lists and published bypasses of picklescan (GHSA advisories 2023–2026), fickling's UNSAFE_IMPORTS,
 * modelscan's unsafe_globals, plus what CPython's stdlib offers for running code, touching files
 * or the network. Module keys are canonical (import-names.ts); a key covers its submodules unless a
 * more specific key says otherwise; names may be dotted chains (`Profile.run`).
 */
import type { Severity } from '../severity.js';

export interface DenyRule {
  module: string;
  /** '*' for every name, else the first segment or full dotted name. */
  names: '*' | readonly string[];
  /** Names under a '*' rule that are fine (os.path, os.sep, …). */
  except?: readonly string[];
  severity: Extract<Severity, 'medium' | 'high' | 'critical'>;
  why: string;
}

const EXEC = 'runs code or commands';
const NESTED = 'loads another pickle / serialized object (nested deserialization)';
const FILES = 'reads, writes or deletes files';
const NET = 'opens network connections (exfiltration, download)';
const INDIRECT = 'reaches arbitrary objects indirectly (attribute/import gadget)';
const OBFUSCATION = 'decodes hidden data (obfuscation layer)';

function r(module: string, names: DenyRule['names'], severity: DenyRule['severity'], why: string, except?: readonly string[]): DenyRule {
  return except ? { module, names, severity, why, except } : { module, names, severity, why };
}

export const DENY_RULES: readonly DenyRule[] = [
  // --- processes and code execution ---
  r('os', '*', 'critical', EXEC, ['path', 'sep', 'altsep', 'extsep', 'pathsep', 'linesep', 'curdir', 'pardir', 'defpath', 'devnull', 'name']),
  r('subprocess', '*', 'critical', EXEC),
  r('pty', '*', 'critical', EXEC),
  r('pexpect', '*', 'critical', EXEC),
  r('builtins', ['eval', 'exec', 'execfile', 'compile', '__import__', 'getattr', 'setattr', 'delattr', 'globals', 'locals', 'vars', 'open', 'file', 'breakpoint', 'input', 'raw_input', 'apply', 'reload', '__build_class__', '__loader__', '__builtins__', 'help', 'memoryview'], 'critical', EXEC),
  r('builtins', ['type', 'super', 'classmethod', 'staticmethod', 'property', 'exit', 'quit', 'print', 'map', 'filter', 'iter', 'next', 'callable', 'hasattr', 'dir', 'id', 'hash', 'format'], 'high', INDIRECT),
  r('runpy', '*', 'critical', EXEC),
  r('importlib', '*', 'critical', INDIRECT),
  r('pkgutil', '*', 'critical', INDIRECT),
  r('zipimport', '*', 'critical', EXEC),
  r('site', '*', 'critical', EXEC),
  r('marshal', '*', 'critical', EXEC),
  r('types', ['CodeType', 'FunctionType', 'LambdaType', 'MethodType', 'ModuleType', 'new_class', 'CellType'], 'critical', EXEC),
  r('types', '*', 'high', INDIRECT),
  r('code', '*', 'critical', EXEC),
  r('codeop', '*', 'critical', EXEC),
  r('bdb', '*', 'critical', EXEC),
  r('pdb', '*', 'critical', EXEC),
  r('trace', '*', 'critical', EXEC),
  r('profile', '*', 'critical', EXEC),
  r('cProfile', '*', 'critical', EXEC),
  r('timeit', '*', 'critical', EXEC),
  r('doctest', '*', 'critical', EXEC),
  r('pydoc', '*', 'critical', EXEC),
  r('idlelib', '*', 'critical', EXEC),
  r('lib2to3', '*', 'critical', EXEC),
  r('_aix_support', '*', 'critical', EXEC),
  r('_osx_support', '*', 'critical', EXEC),
  r('_pyrepl', '*', 'critical', EXEC),
  r('uuid', ['_get_command_stdout', '_popen', '_find_mac', '_ifconfig_getnode', '_ip_getnode', '_arp_getnode', '_lanscan_getnode', '_netstat_getnode'], 'critical', EXEC),
  r('platform', ['_syscmd_file', '_syscmd_ver', 'popen', '_follow_symlinks'], 'critical', EXEC),
  r('platform', '*', 'medium', INDIRECT),
  r('mailcap', '*', 'critical', EXEC),
  r('ctypes', '*', 'critical', EXEC),
  r('cffi', '*', 'critical', EXEC),
  r('_interpreters', '*', 'critical', EXEC),
  r('interpreters', '*', 'critical', EXEC),
  r('concurrent.interpreters', '*', 'critical', EXEC),
  r('_interpqueues', '*', 'critical', EXEC),
  r('_interpchannels', '*', 'critical', EXEC),
  r('_xxinterpchannels', '*', 'critical', EXEC),
  r('asyncio', '*', 'critical', EXEC),
  r('multiprocessing', '*', 'critical', EXEC),
  r('concurrent', '*', 'high', EXEC),
  r('threading', '*', 'high', EXEC),
  r('atexit', '*', 'critical', EXEC),
  r('signal', '*', 'high', EXEC),
  r('sys', '*', 'critical', INDIRECT),
  r('gc', '*', 'high', INDIRECT),
  r('inspect', '*', 'high', INDIRECT),
  r('ensurepip', '*', 'critical', EXEC),
  r('venv', '*', 'critical', EXEC),
  r('pip', '*', 'critical', EXEC),
  r('setuptools', '*', 'critical', EXEC),
  r('distutils', '*', 'critical', EXEC),
  r('pkg_resources', '*', 'high', EXEC),
  r('logging.config', '*', 'critical', EXEC),
  r('unittest.mock', '*', 'high', INDIRECT),
  r('tkinter', '*', 'high', EXEC),
  r('webbrowser', '*', 'critical', EXEC),
  r('antigravity', '*', 'high', EXEC),
  r('this', '*', 'medium', INDIRECT),
  r('functools', ['partial', 'partialmethod', 'reduce', 'singledispatch', 'wraps', 'update_wrapper', 'cached_property', 'lru_cache', 'cache'], 'high', INDIRECT),
  r('operator', ['attrgetter', 'methodcaller', 'getitem', 'setitem', 'delitem', 'call'], 'critical', INDIRECT),
  r('operator', ['itemgetter'], 'high', INDIRECT),
  r('copyreg', ['add_extension', 'remove_extension', 'clear_extension_cache', 'pickle', 'constructor', '_reduce_ex'], 'critical', INDIRECT),
  r('yaml', ['load', 'unsafe_load', 'full_load', 'load_all', 'unsafe_load_all', 'full_load_all', 'Loader', 'UnsafeLoader', 'FullLoader'], 'critical', NESTED),
  r('jsonpickle', '*', 'critical', NESTED),
  r('shelve', '*', 'critical', NESTED),
  r('dbm', '*', 'high', FILES),
  // --- nested deserialization ---
  r('pickle', ['loads', 'load', 'Unpickler', '_loads', '_load', '_Unpickler'], 'critical', NESTED),
  r('pickle', '*', 'high', NESTED),
  r('dill', '*', 'critical', EXEC),
  r('cloudpickle', '*', 'critical', EXEC),
  r('joblib', ['load', 'numpy_pickle'], 'critical', NESTED),
  r('pandas', ['read_pickle'], 'critical', NESTED),
  r('pandas.io.pickle', '*', 'critical', NESTED),
  r('numpy', ['load', 'loads'], 'critical', NESTED),
  r('numpy', ['fromfile', 'loadtxt', 'genfromtxt', 'memmap', 'save', 'savez', 'savetxt', 'tofile'], 'high', FILES),
  r('numpy.lib.npyio', '*', 'high', NESTED),
  r('numpy.lib.format', ['read_array', 'open_memmap'], 'critical', NESTED),
  r('numpy.testing', '*', 'critical', EXEC),
  r('numpy.f2py', '*', 'critical', EXEC),
  r('numpy.distutils', '*', 'critical', EXEC),
  r('numpy.ctypeslib', '*', 'critical', EXEC),
  r('torch', ['load'], 'critical', NESTED),
  r('torch.serialization', ['load', '_load', '_legacy_load', 'legacy_load'], 'critical', NESTED),
  r('torch.hub', '*', 'critical', EXEC),
  r('torch.jit', ['load', '_load_for_lite_interpreter', 'unsupported_tensor_ops', 'CompilationUnit', '_script'], 'critical', EXEC),
  r('torch.jit.unsupported_tensor_ops', '*', 'critical', EXEC),
  r('torch._inductor', '*', 'critical', EXEC),
  r('torch._dynamo', '*', 'critical', EXEC),
  r('torch.fx.experimental.symbolic_shapes', '*', 'critical', EXEC),
  r('torch.utils.bottleneck', '*', 'critical', EXEC),
  r('torch.utils.collect_env', '*', 'critical', EXEC),
  r('torch.utils.cpp_extension', '*', 'critical', EXEC),
  r('torch.utils._config_module', '*', 'critical', NESTED),
  r('torch.utils.data.datapipes.utils.decoder', '*', 'high', NESTED),
  r('torch.package', '*', 'high', NESTED),
  r('torch.testing', '*', 'critical', EXEC),
  r('torch.distributed', '*', 'high', NET),
  r('torch.storage', ['_load_from_bytes'], 'medium', NESTED),
  r('tensorflow.io', '*', 'high', FILES),
  r('tensorflow.python.platform.gfile', '*', 'high', FILES),
  r('tensorflow.keras.layers', ['Lambda'], 'critical', EXEC),
  r('keras.layers', ['Lambda'], 'critical', EXEC),
  r('keras.src.layers.core.lambda_layer', '*', 'critical', EXEC),
  r('keras.saving', '*', 'high', NESTED),
  r('fickling', '*', 'critical', 'tampers with the pickle scanner'),
  r('picklescan', '*', 'critical', 'tampers with the pickle scanner'),
  r('modelscan', '*', 'critical', 'tampers with the pickle scanner'),
  r('modelaudit', '*', 'critical', 'tampers with the pickle scanner'),
  // --- files ---
  r('io', ['open', 'open_code', 'FileIO', 'BufferedReader', 'BufferedWriter', 'BufferedRandom', 'TextIOWrapper'], 'high', FILES),
  r('shutil', '*', 'high', FILES),
  r('tempfile', '*', 'high', FILES),
  r('glob', '*', 'high', FILES),
  r('fileinput', '*', 'high', FILES),
  r('linecache', '*', 'high', FILES),
  r('mmap', '*', 'high', FILES),
  r('fcntl', '*', 'high', FILES),
  r('sqlite3', '*', 'high', FILES),
  r('zipfile', '*', 'high', FILES),
  r('tarfile', '*', 'high', FILES),
  r('resource', '*', 'high', INDIRECT),
  // --- network ---
  r('socket', '*', 'high', NET),
  r('ssl', '*', 'high', NET),
  r('http', '*', 'high', NET),
  r('urllib', '*', 'high', NET),
  r('urllib3', '*', 'high', NET),
  r('requests', '*', 'high', NET),
  r('httpx', '*', 'high', NET),
  r('aiohttp', '*', 'high', NET),
  r('ftplib', '*', 'high', NET),
  r('smtplib', '*', 'high', NET),
  r('poplib', '*', 'high', NET),
  r('imaplib', '*', 'high', NET),
  r('telnetlib', '*', 'high', NET),
  r('nntplib', '*', 'high', NET),
  r('xmlrpc', '*', 'high', NET),
  r('socketserver', '*', 'high', NET),
  r('paramiko', '*', 'high', NET),
  // --- decoding layers used to hide payloads ---
  r('zlib', ['decompress', 'decompressobj'], 'high', OBFUSCATION),
  r('gzip', ['decompress', 'open', 'GzipFile'], 'high', OBFUSCATION),
  r('bz2', ['decompress', 'open', 'BZ2File'], 'high', OBFUSCATION),
  r('lzma', ['decompress', 'open', 'LZMAFile'], 'high', OBFUSCATION),
  r('base64', '*', 'high', OBFUSCATION),
  r('binascii', '*', 'high', OBFUSCATION),
  r('codecs', ['decode', 'open', 'getdecoder', 'lookup', 'iterdecode', 'escape_decode', 'unicode_escape_decode', 'raw_unicode_escape_decode'], 'high', OBFUSCATION),
];

/** module → rules, built once. */
export const DENY_BY_MODULE: ReadonlyMap<string, readonly DenyRule[]> = (() => {
  const m = new Map<string, DenyRule[]>();
  for (const rule of DENY_RULES) {
    const list = m.get(rule.module) ?? [];
    list.push(rule);
    m.set(rule.module, list);
  }
  return m;
})();

/**
 * Attribute names that, met anywhere in a dotted chain, mean the chain walks to code execution
 * (numpy `prod.os.system`, `core._internal.sys.modules`, `dict.get` on `__builtins__`).
 */
export const DANGEROUS_CHAIN_SEGMENTS: ReadonlySet<string> = new Set([
  'system', 'popen', 'popen2', 'popen3', 'spawn', 'spawnl', 'spawnv', 'spawnve', 'spawnvp', 'execl', 'execle',
  'execlp', 'execv', 'execve', 'execvp', 'fork', 'eval', 'exec', 'execfile', 'compile', 'run_code', '_run_code',
  'runcode', 'runsource', 'runctx', 'check_output', 'check_call', 'getoutput', 'getstatusoutput', 'Popen',
  'import_module', 'modules', 'load_library', 'LoadLibrary', 'CDLL', 'WinDLL', 'PyDLL',
]);

/** Dunder attributes that reach interpreter internals (sandbox-escape staples). */
export const DANGEROUS_DUNDERS: ReadonlySet<string> = new Set([
  '__builtins__', '__globals__', '__dict__', '__class__', '__subclasses__', '__base__', '__bases__', '__mro__',
  '__getattribute__', '__getattr__', '__setattr__', '__delattr__', '__import__', '__code__', '__closure__',
  '__func__', '__self__', '__loader__', '__spec__', '__reduce__', '__reduce_ex__', '__init_subclass__',
  '__call__', '__init__', '__new__', '__module__', '__wrapped__', '__getitem__',
]);

/** Last-segment names that read like command execution wherever they live. */
export const EXEC_LIKE_NAMES: ReadonlySet<string> = new Set([
  'system', 'popen', 'spawn', 'exec', 'eval', 'execfile', 'run_code', 'runcode', 'runsource', 'check_output',
  'check_call', 'getoutput', 'getstatusoutput', 'Popen', 'import_module', 'load_library', 'CDLL', 'WinDLL',
  'execWrapper', 'run_command', 'shell', 'run_shell',
]);
