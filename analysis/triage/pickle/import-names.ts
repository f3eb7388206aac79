/**
 * Canonical spelling of a pickle import, so `posix.system`, `nt.system` and `os.system` are one
 * thing, and so lookalike or padded names cannot slip past the lists. CPython's find_class imports
 * `module` and, for protocol 4+, walks `name` as a dotted attribute chain (Lib/pickle.py
 * `_getattribute`), so chains are split into segments and judged whole.
 */

/** Module aliases: C accelerators, OS-specific spellings and py2 names of the same module. */
const MODULE_ALIASES: ReadonlyMap<string, string> = new Map([
  ['__builtin__', 'builtins'],
  ['exceptions', 'builtins'],
  ['copy_reg', 'copyreg'],
  ['posix', 'os'],
  ['nt', 'os'],
  ['posixpath', 'os.path'],
  ['ntpath', 'os.path'],
  ['genericpath', 'os.path'],
  ['macpath', 'os.path'],
  ['_io', 'io'],
  ['_pyio', 'io'],
  ['StringIO', 'io'],
  ['cStringIO', 'io'],
  ['_operator', 'operator'],
  ['_functools', 'functools'],
  ['_pickle', 'pickle'],
  ['cPickle', 'pickle'],
  ['_compat_pickle', 'pickle'],
  ['_codecs', 'codecs'],
  ['httplib', 'http.client'],
  ['urllib2', 'urllib.request'],
  ['commands', 'subprocess'],
  ['popen2', 'subprocess'],
  ['_posixsubprocess', 'subprocess'],
  ['_winapi', 'subprocess'],
  ['_socket', 'socket'],
  ['_ssl', 'ssl'],
  ['_ctypes', 'ctypes'],
  ['_signal', 'signal'],
  ['_imp', 'importlib'],
  ['imp', 'importlib'],
  ['_thread', 'threading'],
  ['thread', 'threading'],
  ['_multiprocessing', 'multiprocessing'],
  ['_asyncio', 'asyncio'],
  ['_collections', 'collections'],
  ['_datetime', 'datetime'],
  ['_pydecimal', 'decimal'],
  ['_decimal', 'decimal'],
  ['_marshal', 'marshal'],
  ['_sre', 're'],
  ['_xxsubinterpreters', '_interpreters'],
  ['Tkinter', 'tkinter'],
]);

/** Module prefixes renamed across versions (NumPy 2 moved numpy.core to numpy._core). */
const PREFIX_ALIASES: readonly [string, string][] = [['numpy._core', 'numpy.core']];

export interface ImportName {
  /** The module as written (for reports). */
  rawModule: string;
  rawName: string;
  /** NFKC-normalised, whitespace-stripped, alias-resolved module. */
  module: string;
  /** NFKC-normalised, whitespace-stripped name (may be a dotted chain). */
  name: string;
  /** module.split('.') followed by name.split('.'). */
  segments: string[];
  /** How many leading segments belong to the module. */
  moduleSegments: number;
  /** Non-ASCII characters in the original (lookalikes, full-width letters, …). */
  nonAscii: boolean;
  /** Whitespace or control bytes in the original (newline/CR/tab/space/NUL padding). */
  padded: boolean;
  /** `name` holds a dot: an attribute chain, not a plain global. */
  chain: boolean;
}

function hasNonAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7e) return true;
  return false;
}

function hasPadding(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) <= 0x20 || s.charCodeAt(i) === 0x7f) return true;
  return false;
}

function clean(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.normalize('NFKC').replace(/[\s\u0000-\u001f\u007f\u200b-\u200f\u2060\ufeff]+/g, '');
}

export function canonicalModule(module: string): string {
  const direct = MODULE_ALIASES.get(module);
  if (direct !== undefined) return direct;
  const dot = module.indexOf('.');
  if (dot > 0) {
    const head = MODULE_ALIASES.get(module.slice(0, dot));
    if (head !== undefined) return head + module.slice(dot);
  }
  for (const [from, to] of PREFIX_ALIASES) {
    if (module === from || module.startsWith(`${from}.`)) return to + module.slice(from.length);
  }
  return module;
}

export function parseImportName(rawModule: string, rawName: string): ImportName {
  const module = canonicalModule(clean(rawModule));
  const name = clean(rawName);
  const modSegs = module.split('.');
  const nameSegs = name.split('.');
  return {
    rawModule, rawName, module, name,
    segments: [...modSegs, ...nameSegs],
    moduleSegments: modSegs.length,
    nonAscii: hasNonAscii(rawModule) || hasNonAscii(rawName),
    padded: hasPadding(rawModule) || hasPadding(rawName),
    chain: nameSegs.length > 1,
  };
}

/** `_foo` but not `__foo__`. */
export function isPrivate(segment: string): boolean {
  return segment.startsWith('_') && !(segment.startsWith('__') && segment.endsWith('__'));
}

export function isDunder(segment: string): boolean {
  return segment.length > 4 && segment.startsWith('__') && segment.endsWith('__');
}
