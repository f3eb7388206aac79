/**
 * Pickle disassembler (protocols 0–5), the static counterpart of CPython's `pickletools.genops`.
 * It never executes anything and never throws: every problem becomes a PickleIssue at the byte
 * offset where it happened. Counted lengths are checked against the bytes left before anything is
 * read, byte arguments are views into the input (no copies), long texts are decoded only up to a
 * bound, and the number of opcodes is capped.
 */
import { PICKLE_FINDING_IDS as F, type PickleIssue } from './finding-ids.js';
import { OPCODE_BY_CODE, type ArgKind } from './opcodes.js';
import {
  decodeLatin1,
  decodeQuotedString,
  decodeRawUnicodeEscape,
  decodeUtf8,
  parseDecimal,
  parseFloatLine,
} from './arg-text.js';

/** GLOBAL / INST argument. */
export interface GlobalArg {
  module: string;
  name: string;
}

export type PickleArg = number | bigint | boolean | string | Uint8Array | GlobalArg;

export interface PickleOp {
  offset: number;
  code: number;
  name: string;
  arg?: PickleArg;
  /** Bytes the opcode occupies, code byte included. */
  length: number;
  /** Set when a text argument was longer than `maxTextDecode` and only its head was decoded. */
  truncatedText?: boolean;
}

export interface DisassembleOptions {
  /** Opcode budget; default 5,000,000. */
  maxOps?: number;
  startOffset?: number;
  /** Decode at most this many bytes of any text argument; default 1 MiB. */
  maxTextDecode?: number;
}

export interface Disassembly {
  ops: PickleOp[];
  /** Offset of the STOP opcode, or null when the stream ended (or broke) before one. */
  stopOffset: number | null;
  /** First byte not consumed (just after STOP, or where disassembly had to give up). */
  endOffset: number;
  issues: PickleIssue[];
}

export const DEFAULT_MAX_OPS = 5_000_000;
const DEFAULT_MAX_TEXT = 1 << 20;
const NEWLINE = 0x0a;

/** Why an argument could not be read; the op is dropped and disassembly stops. */
interface ArgFailure {
  fail: true;
  id: PickleIssue['id'];
  message: string;
}

interface ArgSuccess {
  fail: false;
  arg: PickleArg | undefined;
  end: number;
  truncatedText?: boolean;
  /** A recoverable oddity in an argument that still parsed. */
  warning?: string;
}

type ArgResult = ArgFailure | ArgSuccess;

function failure(id: PickleIssue['id'], message: string): ArgFailure {
  return { fail: true, id, message };
}

/** Reads `n` bytes of counted payload at `pos`, checking the length first. */
function counted(bytes: Uint8Array, pos: number, n: number, what: string): Uint8Array | ArgFailure {
  if (n < 0) return failure(F.countedLengthOverflow, `negative ${what} length ${n}`);
  if (n > bytes.length - pos) {
    return failure(F.countedLengthOverflow, `${what} length ${n} exceeds the ${bytes.length - pos} bytes left`);
  }
  return bytes.subarray(pos, pos + n);
}

function readLine(bytes: Uint8Array, pos: number): Uint8Array | ArgFailure {
  const nl = bytes.indexOf(NEWLINE, pos);
  if (nl < 0) return failure(F.truncatedArgument, 'newline-terminated argument runs to the end of the data');
  return bytes.subarray(pos, nl);
}

function decodeText(body: Uint8Array, max: number): { text: string; valid: boolean; truncated: boolean } {
  const truncated = body.length > max;
  const { text, valid } = decodeUtf8(truncated ? body.subarray(0, max) : body);
  return { text, valid: valid || truncated, truncated };
}

function readLong(body: Uint8Array): number | bigint | Uint8Array {
  const n = body.length;
  if (n === 0) return 0;
  if (n > 64) return body; // huge: kept as raw bytes, value not materialised
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(body[i] as number);
  if (((body[n - 1] as number) & 0x80) !== 0) v -= 1n << BigInt(8 * n);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** Decodes one argument of kind `kind` starting at `pos` (just after the code byte). */
function readArg(bytes: Uint8Array, view: DataView, pos: number, kind: ArgKind, name: string, maxText: number): ArgResult {
  const left = bytes.length - pos;
  const need = (n: number): ArgFailure | null =>
    left < n ? failure(F.truncatedArgument, `${name} needs ${n} argument bytes, ${left} left`) : null;
  switch (kind) {
    case 'none':
      return { fail: false, arg: undefined, end: pos };
    case 'uint1':
      return need(1) ?? { fail: false, arg: bytes[pos] as number, end: pos + 1 };
    case 'uint2':
      return need(2) ?? { fail: false, arg: view.getUint16(pos, true), end: pos + 2 };
    case 'int4':
      return need(4) ?? { fail: false, arg: view.getInt32(pos, true), end: pos + 4 };
    case 'uint4':
      return need(4) ?? { fail: false, arg: view.getUint32(pos, true), end: pos + 4 };
    case 'uint8': {
      const e = need(8);
      if (e) return e;
      const big = view.getBigUint64(pos, true);
      return { fail: false, arg: big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big, end: pos + 8 };
    }
    case 'float8':
      return need(8) ?? { fail: false, arg: view.getFloat64(pos, false), end: pos + 8 };
    case 'decimalnl_short':
    case 'decimalnl_long': {
      const line = readLine(bytes, pos);
      if ('fail' in line) return line;
      let text = decodeLatin1(line.subarray(0, 64));
      if (line.length > 64) return failure(F.malformedArgument, `${name}: decimal argument of ${line.length} bytes`);
      if (name === 'INT' && (text === '00' || text === '01')) return { fail: false, arg: text === '01', end: pos + line.length + 1 };
      if (kind === 'decimalnl_long' && text.endsWith('L')) text = text.slice(0, -1);
      const v = parseDecimal(text);
      if (v === null) return failure(F.malformedArgument, `${name}: not a decimal integer: ${JSON.stringify(text)}`);
      const odd = text !== text.trim() || text.includes('_') ? `${name}: unusual integer spelling ${JSON.stringify(text)}` : undefined;
      return { fail: false, arg: v, end: pos + line.length + 1, ...(odd ? { warning: odd } : {}) };
    }
    case 'floatnl': {
      const line = readLine(bytes, pos);
      if ('fail' in line) return line;
      const v = line.length <= 128 ? parseFloatLine(decodeLatin1(line)) : null;
      if (v === null) return failure(F.malformedArgument, `FLOAT: not a float: ${JSON.stringify(decodeLatin1(line.subarray(0, 40)))}`);
      return { fail: false, arg: v, end: pos + line.length + 1 };
    }
    case 'stringnl': {
      const line = readLine(bytes, pos);
      if ('fail' in line) return line;
      const raw = decodeQuotedString(line);
      if (raw === null) return failure(F.malformedArgument, 'STRING argument is not a properly quoted Python string');
      const truncated = raw.length > maxText;
      return { fail: false, arg: decodeLatin1(truncated ? raw.subarray(0, maxText) : raw), end: pos + line.length + 1, truncatedText: truncated };
    }
    case 'stringnl_noescape': {
      const line = readLine(bytes, pos);
      if ('fail' in line) return line;
      const t = decodeText(line, maxText);
      return {
        fail: false, arg: t.text, end: pos + line.length + 1, truncatedText: t.truncated,
        ...(t.valid ? {} : { warning: `${name}: argument is not valid UTF-8` }),
      };
    }
    case 'stringnl_noescape_pair': {
      const l1 = readLine(bytes, pos);
      if ('fail' in l1) return l1;
      const l2 = readLine(bytes, pos + l1.length + 1);
      if ('fail' in l2) return l2;
      const m = decodeText(l1, 4096);
      const n = decodeText(l2, 4096);
      const warning = !m.valid || !n.valid ? `${name}: module/name is not valid UTF-8` : undefined;
      return { fail: false, arg: { module: m.text, name: n.text }, end: pos + l1.length + l2.length + 2, ...(warning ? { warning } : {}) };
    }
    case 'unicodestringnl': {
      const line = readLine(bytes, pos);
      if ('fail' in line) return line;
      const truncated = line.length > maxText;
      const s = decodeRawUnicodeEscape(truncated ? line.subarray(0, maxText) : line);
      if (s === null) return failure(F.malformedArgument, 'UNICODE: bad raw-unicode-escape sequence');
      return { fail: false, arg: s, end: pos + line.length + 1, truncatedText: truncated };
    }
    case 'string1':
    case 'bytes1':
    case 'unicodestring1':
    case 'long1': {
      const e = need(1);
      if (e) return e;
      return countedArg(bytes, pos + 1, bytes[pos] as number, kind, name, maxText);
    }
    case 'string4':
    case 'long4': {
      const e = need(4);
      if (e) return e;
      return countedArg(bytes, pos + 4, view.getInt32(pos, true), kind, name, maxText);
    }
    case 'bytes4':
    case 'unicodestring4': {
      const e = need(4);
      if (e) return e;
      return countedArg(bytes, pos + 4, view.getUint32(pos, true), kind, name, maxText);
    }
    case 'bytes8':
    case 'bytearray8':
    case 'unicodestring8': {
      const e = need(8);
      if (e) return e;
      const big = view.getBigUint64(pos, true);
      const n = big > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(big);
      return countedArg(bytes, pos + 8, n, kind, name, maxText);
    }
  }
}

function countedArg(bytes: Uint8Array, pos: number, n: number, kind: ArgKind, name: string, maxText: number): ArgResult {
  const body = counted(bytes, pos, n, name);
  if ('fail' in body) return body;
  const end = pos + n;
  if (kind === 'long1' || kind === 'long4') return { fail: false, arg: readLong(body), end };
  if (kind === 'string1' || kind === 'string4') {
    const truncated = n > maxText;
    return { fail: false, arg: decodeLatin1(truncated ? body.subarray(0, maxText) : body), end, truncatedText: truncated };
  }
  if (kind === 'unicodestring1' || kind === 'unicodestring4' || kind === 'unicodestring8') {
    const t = decodeText(body, maxText);
    return {
      fail: false, arg: t.text, end, truncatedText: t.truncated,
      ...(t.valid ? {} : { warning: `${name}: text is not valid UTF-8` }),
    };
  }
  return { fail: false, arg: body, end };
}

/**
 * Disassembles one pickle starting at `startOffset`, up to and including its STOP opcode.
 * FRAME (protocol 4, PEP 3154) lengths are checked: a frame must fit the data, must not open while
 * another is unfinished, and no opcode may straddle a frame end (CPython refuses all three).
 */
export function disassemble(bytes: Uint8Array, opts: DisassembleOptions = {}): Disassembly {
  const maxOps = opts.maxOps ?? DEFAULT_MAX_OPS;
  const maxText = opts.maxTextDecode ?? DEFAULT_MAX_TEXT;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ops: PickleOp[] = [];
  const issues: PickleIssue[] = [];
  let pos = Math.max(0, Math.min(opts.startOffset ?? 0, bytes.length));
  let frameEnd = -1; // end of the current frame, -1 outside frames
  let stopOffset: number | null = null;

  while (pos < bytes.length) {
    if (ops.length >= maxOps) {
      issues.push({ id: F.opLimit, severity: 'medium', offset: pos, message: `opcode budget of ${maxOps} exhausted` });
      return { ops, stopOffset, endOffset: pos, issues };
    }
    const code = bytes[pos] as number;
    const info = OPCODE_BY_CODE[code];
    if (!info) {
      issues.push({
        id: F.unknownOpcode, severity: 'medium', offset: pos,
        message: `byte 0x${code.toString(16).padStart(2, '0')} is not a pickle opcode`,
      });
      return { ops, stopOffset, endOffset: pos, issues };
    }
    const r = readArg(bytes, view, pos + 1, info.arg, info.name, maxText);
    if (r.fail) {
      issues.push({ id: r.id, severity: 'medium', offset: pos, message: r.message });
      return { ops, stopOffset, endOffset: pos, issues };
    }
    if (r.warning) issues.push({ id: F.malformedArgument, severity: 'medium', offset: pos, message: r.warning });
    const o: PickleOp = { offset: pos, code, name: info.name, length: r.end - pos };
    if (r.arg !== undefined) o.arg = r.arg;
    if (r.truncatedText) o.truncatedText = true;
    ops.push(o);

    if (frameEnd >= 0 && pos < frameEnd && r.end > frameEnd) {
      issues.push({ id: F.frameMismatch, severity: 'medium', offset: pos, message: `${info.name} crosses the end of its frame at ${frameEnd}` });
    }
    if (frameEnd >= 0 && r.end >= frameEnd) frameEnd = -1;
    if (info.name === 'FRAME') {
      const len = typeof r.arg === 'number' ? r.arg : Number.MAX_SAFE_INTEGER;
      if (frameEnd >= 0) {
        issues.push({ id: F.frameMismatch, severity: 'medium', offset: pos, message: `FRAME opened ${frameEnd - pos} bytes before the previous frame ended` });
      }
      if (len > bytes.length - r.end) {
        issues.push({ id: F.frameMismatch, severity: 'medium', offset: pos, message: `FRAME length ${len} exceeds the ${bytes.length - r.end} bytes left` });
        frameEnd = -1;
      } else {
        frameEnd = r.end + len;
      }
    }
    pos = r.end;
    if (info.name === 'STOP') {
      stopOffset = o.offset;
      if (frameEnd >= 0 && frameEnd !== pos) {
        issues.push({ id: F.frameMismatch, severity: 'medium', offset: o.offset, message: `STOP ${frameEnd - pos} bytes before the end of its frame` });
      }
      return { ops, stopOffset, endOffset: pos, issues };
    }
  }
  issues.push({ id: F.missingStop, severity: 'medium', offset: pos, message: 'data ended before a STOP opcode' });
  return { ops, stopOffset, endOffset: pos, issues };
}
