/**
 * NumPy .npy reader (numpy/lib/format.py, NEP 1): magic `\x93NUMPY`, version 1.0/2.0/3.0, header
 * length (u16 or u32), a Python dict literal header parsed without eval, then the array data. An
 * object dtype means the data is a pickle: the result gives its offset for the pickle analysis.
 * `.npz` is a zip of .npy members: the caller opens the zip and passes each member (readNpz).
 */
import type { ByteSource } from '../../core/byte-source.js';
import type { Finding } from '../finding.js';
import type { TensorInfo } from '../tensor-info.js';
import { elementCount } from './element-types.js';
import { FindingSink } from './finding-sink.js';
import { isPyDict, parsePythonLiteral, PyLiteralError, type PyLiteral } from './python-literal.js';
import { excerpt } from './suspicious-text.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
/** numpy's own default limit (np.load(max_header_size=10000)) … */
export const NUMPY_DEFAULT_MAX_HEADER = 10_000;
/** … and ours: beyond this the header is not read at all. */
const MAX_HEADER = 1 << 20;
/** numpy's NPY_MAXDIMS (64 since numpy 2.0). */
const MAX_DIMS = 64;

export type NpyByteOrder = 'little' | 'big' | 'not-applicable';

export interface NpyTensorInfo extends TensorInfo {
  byteOrder: NpyByteOrder;
  /** Column-major data (shape unchanged, element order transposed). */
  fortranOrder: boolean;
}

export interface NpyResult {
  version: string | null;
  headerLength: number | null;
  dataOffset: number | null;
  /** `descr` as written: a dtype string, or the structured-dtype field list. */
  descr: PyLiteral | null;
  /** Canonical numeric dtype, or 'object', 'structured', 'bytes', 'unicode', 'void', 'datetime64'… */
  dtype: string | null;
  byteOrder: NpyByteOrder | null;
  itemSize: number | null;
  fortranOrder: boolean | null;
  shape: number[] | null;
  /** The array bytes, for numeric dtypes. */
  tensor: NpyTensorInfo | null;
  /** Object arrays: absolute offset where the pickle starts (it runs to the end of the source). */
  pickleOffset: number | null;
  findings: Finding[];
}

interface DtypeInfo {
  dtype: string;
  itemSize: number;
  byteOrder: NpyByteOrder;
  numeric: boolean;
  hasObject: boolean;
}

const NUMERIC: Readonly<Record<string, string>> = {
  b1: 'bool',
  '?1': 'bool',
  i1: 'int8',
  i2: 'int16',
  i4: 'int32',
  i8: 'int64',
  u1: 'uint8',
  u2: 'uint16',
  u4: 'uint32',
  u8: 'uint64',
  f2: 'float16',
  f4: 'float32',
  f8: 'float64',
  c8: 'complex64',
  c16: 'complex128',
};

const OTHER_KINDS: Readonly<Record<string, [string, number]>> = {
  S: ['bytes', 1],
  a: ['bytes', 1],
  U: ['unicode', 4],
  V: ['void', 1],
  M: ['datetime64', 1],
  m: ['timedelta64', 1],
  f: ['float', 1],
  c: ['complex', 1],
};

/** Reads one .npy (a file, or one member of an .npz). */
export async function readNpy(src: ByteSource): Promise<NpyResult> {
  const r: NpyResult = {
    version: null,
    headerLength: null,
    dataOffset: null,
    descr: null,
    dtype: null,
    byteOrder: null,
    itemSize: null,
    fortranOrder: null,
    shape: null,
    tensor: null,
    pickleOffset: null,
    findings: [],
  };
  const sink = new FindingSink();
  try {
    await readInto(src, r, sink);
  } catch (e) {
    sink.add('FORMAT_UNREADABLE', `npy: read failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  r.findings = sink.finish();
  return r;
}

async function readInto(src: ByteSource, r: NpyResult, sink: FindingSink): Promise<void> {
  const pre = await src.read(0, 12);
  if (pre.length < 10 || MAGIC.some((b, i) => pre[i] !== b)) {
    sink.add('FORMAT_UNREADABLE', 'no .npy magic (\\x93NUMPY)');
    return;
  }
  const major = pre[6]!;
  const minor = pre[7]!;
  r.version = `${major}.${minor}`;
  if (minor !== 0 || major < 1 || major > 3) {
    sink.add('NUMPY_HEADER_INVALID', `unsupported .npy version ${r.version}`, 'byte 6');
    return;
  }
  const view = new DataView(pre.buffer, pre.byteOffset, pre.length);
  if (major > 1 && pre.length < 12) {
    sink.add('FORMAT_TRUNCATED', 'file ends inside the header length', 'byte 8');
    return;
  }
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  r.headerLength = headerLength;
  if (headerLength > MAX_HEADER) {
    sink.add('FORMAT_LIMIT_EXCEEDED', `header of ${headerLength} bytes exceeds the ${MAX_HEADER}-byte analysis bound`, 'byte 8');
    return;
  }
  if (start + headerLength > src.size) {
    sink.add('FORMAT_TRUNCATED', `header of ${headerLength} bytes runs past the end of the ${src.size}-byte file`, 'byte 8');
    return;
  }
  if (headerLength > NUMPY_DEFAULT_MAX_HEADER) {
    sink.add('NUMPY_HEADER_LARGE', `header of ${headerLength} bytes is over numpy's default ${NUMPY_DEFAULT_MAX_HEADER}-byte limit`, 'byte 8');
  }
  const dataOffset = start + headerLength;
  r.dataOffset = dataOffset;
  const bytes = await src.read(start, headerLength);
  // Versions 1 and 2 store the header in latin-1, version 3 in UTF-8.
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes);
  let header: PyLiteral;
  try {
    header = parsePythonLiteral(text);
  } catch (e) {
    sink.add('NUMPY_HEADER_INVALID', `header is not a Python literal: ${e instanceof PyLiteralError ? e.message : String(e)}`, `byte ${start}`);
    return;
  }
  if (!isPyDict(header)) {
    sink.add('NUMPY_HEADER_INVALID', 'header is not a dict', `byte ${start}`);
    return;
  }
  const keys = [...header.dict.keys()].sort();
  if (keys.join(',') !== 'descr,fortran_order,shape') {
    sink.add('NUMPY_HEADER_INVALID', `header keys ${JSON.stringify(keys.map((k) => excerpt(k, 40)))} are not exactly descr, fortran_order, shape (np.load rejects it)`, `byte ${start}`);
  }
  const descr = header.dict.get('descr') ?? null;
  const fortran = header.dict.get('fortran_order');
  const shape = header.dict.get('shape');
  r.descr = descr;
  if (typeof fortran === 'boolean') r.fortranOrder = fortran;
  else sink.add('NUMPY_HEADER_INVALID', 'fortran_order is not True or False', 'fortran_order');
  const dims = typeof shape === 'number' ? [shape] : Array.isArray(shape) ? shape : null;
  if (dims === null || dims.length > MAX_DIMS || !dims.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
    sink.add('NUMPY_HEADER_INVALID', `shape ${JSON.stringify(excerpt(JSON.stringify(shape ?? null), 80))} is not a tuple of at most ${MAX_DIMS} non-negative integers`, 'shape');
    return;
  }
  r.shape = dims as number[];
  const dt = descr === null ? null : describeDtype(descr, 0);
  if (dt === null) {
    sink.add('NUMPY_HEADER_INVALID', `descr ${JSON.stringify(excerpt(JSON.stringify(descr), 80))} is not a dtype numpy writes`, 'descr');
    return;
  }
  r.dtype = dt.dtype;
  r.byteOrder = dt.byteOrder;
  r.itemSize = dt.itemSize;
  if (dt.hasObject) {
    r.pickleOffset = dataOffset;
    sink.add('NUMPY_OBJECT_ARRAY', 'object dtype: the array data is a pickle, loaded only with allow_pickle=True; run the pickle analysis on it', `byte ${dataOffset}`);
    return;
  }
  const count = elementCount(r.shape);
  const byteLength = count === null ? null : count * dt.itemSize;
  const available = src.size - dataOffset;
  if (byteLength === null || !Number.isSafeInteger(byteLength) || byteLength > available) {
    sink.add('FORMAT_TRUNCATED', `shape [${r.shape.join(', ')}] of ${dt.itemSize}-byte items needs ${byteLength ?? 'an overflowing number of'} bytes, ${available} follow the header`, `byte ${dataOffset}`);
    return;
  }
  if (byteLength < available) {
    sink.add('NUMPY_TRAILING_DATA', `${available - byteLength} bytes after the array data belong to nothing (np.load ignores them)`, `byte ${dataOffset + byteLength}`);
  }
  if (!dt.numeric) {
    sink.add('NUMPY_NON_NUMERIC_DTYPE', `dtype ${dt.dtype} has no numeric tensor statistics`, 'descr');
    return;
  }
  r.tensor = { name: src.name, dtype: dt.dtype, shape: r.shape, byteOffset: dataOffset, byteLength, byteOrder: dt.byteOrder, fortranOrder: r.fortranOrder ?? false };
}

/**
 * numpy's dtype.descr: a type string ('<f4', '|O', '<U10', '<M8[ns]') or a structured list of
 * (name, descr[, shape]) tuples. Null when it is neither.
 */
function describeDtype(descr: PyLiteral, depth: number): DtypeInfo | null {
  if (typeof descr === 'string') return describeTypeString(descr);
  if (!Array.isArray(descr) || depth > 8) return null;
  let itemSize = 0;
  let hasObject = false;
  for (const field of descr) {
    if (!Array.isArray(field) || field.length < 2 || field.length > 3) return null;
    const inner = describeDtype(field[1]!, depth + 1);
    if (inner === null) return null;
    const sub = field[2] === undefined ? [] : typeof field[2] === 'number' ? [field[2]] : field[2];
    if (!Array.isArray(sub)) return null;
    const n = elementCount(sub as number[]);
    if (n === null) return null;
    itemSize += inner.itemSize * n;
    hasObject ||= inner.hasObject;
  }
  if (!Number.isSafeInteger(itemSize)) return null;
  return { dtype: 'structured', itemSize, byteOrder: 'not-applicable', numeric: false, hasObject };
}

function describeTypeString(s: string): DtypeInfo | null {
  const m = /^([<>|=]?)([a-zA-Z?])(\d*)(\[[a-zA-Z0-9]+\])?$/.exec(s);
  if (m === null) return null;
  const order = m[1]!;
  const kind = m[2]!;
  const size = m[3] === '' ? null : Number(m[3]);
  const byteOrder: NpyByteOrder = order === '>' ? 'big' : order === '|' ? 'not-applicable' : 'little';
  if (kind === 'O') return { dtype: 'object', itemSize: 8, byteOrder: 'not-applicable', numeric: false, hasObject: true };
  const numeric = NUMERIC[kind + (size ?? '')];
  if (numeric !== undefined) return { dtype: numeric, itemSize: size ?? 1, byteOrder: size === 1 ? 'not-applicable' : byteOrder, numeric: true, hasObject: false };
  const other = OTHER_KINDS[kind];
  if (other === undefined || size === null || !Number.isSafeInteger(size)) return null;
  const [name, unit] = other;
  return { dtype: name === 'float' || name === 'complex' ? `${name}${size * 8}` : name, itemSize: size * unit, byteOrder, numeric: false, hasObject: false };
}

export interface NpzMember {
  name: string;
  source: ByteSource;
}

/** Each .npz member read as .npy; finding locations are prefixed with the member name. */
export async function readNpz(members: NpzMember[]): Promise<{ members: { name: string; result: NpyResult }[]; findings: Finding[] }> {
  const out: { name: string; result: NpyResult }[] = [];
  const findings: Finding[] = [];
  for (const m of members) {
    const result = await readNpy(m.source);
    out.push({ name: m.name, result });
    for (const f of result.findings) findings.push({ ...f, location: f.location === undefined ? m.name : `${m.name}:${f.location}` });
  }
  return { members: out, findings };
}
