/**
 * Converts a checkpoint's state dict to safetensors (huggingface/safetensors format: u64 LE header
 * length, JSON header padded with spaces to 8 bytes, tensor bytes back to back, little-endian,
 * C order). Only tensor bytes are written — never anything from the pickle — so the result loads
 * without running code. Tied and viewed tensors are written as independent copies (safetensors
 * forbids overlaps), strided views contiguous, big-endian storages byte-swapped. The output is
 * then read back with the safetensors parser and every tensor's SHA-256 checked.
 */
import { createHash } from 'node:crypto';
import type { ByteSource } from '../../core/byte-source.js';
import { TOOL_NAME, TOOL_VERSION } from '../../core/version.js';
import { readSafetensors } from '../formats/safetensors.js';
import { isAtLeast } from '../severity.js';
import { jobBytes, type TensorJob } from '../tensors/tensor-scan.js';
import { planArtifact, type TriageOptions } from '../triage.js';

/** Where the file goes (the fs adapter writes to disk; tests collect bytes). */
export interface ByteSink {
  write(bytes: Uint8Array): Promise<void>;
}

/** Canonical dtype → safetensors dtype (safetensors/src/tensor.rs Dtype). */
export const TO_SAFETENSORS_DTYPE: Readonly<Record<string, string>> = {
  bool: 'BOOL', uint8: 'U8', int8: 'I8', float8_e5m2: 'F8_E5M2', float8_e4m3fn: 'F8_E4M3', int16: 'I16', uint16: 'U16',
  float16: 'F16', bfloat16: 'BF16', int32: 'I32', uint32: 'U32', float32: 'F32', float64: 'F64', int64: 'I64', uint64: 'U64',
  complex64: 'C64',
};
const ELEMENT_BYTES: Readonly<Record<string, number>> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8, C64: 4,
};

export interface ConvertReport {
  written: { name: string; dtype: string; shape: number[]; sha256: string }[];
  skipped: { name: string; reason: string }[];
  bytes: number;
  /** Problems found when reading the output back; empty when it verified. */
  verifyProblems: string[];
}

interface Item { name: string; dtype: string; st: string; shape: number[]; job: TensorJob; length: number }

function swapped(b: Uint8Array, esize: number): Uint8Array {
  const out = new Uint8Array(b.length);
  for (let i = 0; i + esize <= b.length; i += esize) for (let k = 0; k < esize; k++) out[i + k] = b[i + esize - 1 - k]!;
  return out;
}

export async function convertToSafetensors(src: ByteSource, sink: ByteSink, opts: TriageOptions & { sourceSha256?: string } = {}): Promise<ConvertReport> {
  const plan = await planArtifact(src, opts);
  const prefix = plan.stateDictPrefix;
  const report: ConvertReport = { written: [], skipped: [], bytes: 0, verifyProblems: [] };
  const items: Item[] = [];
  const names = new Set<string>();
  for (const t of plan.tensors) {
    if (!t.name.startsWith(prefix)) continue;
    const name = t.name.slice(prefix.length);
    const st = TO_SAFETENSORS_DTYPE[t.dtype];
    const count = t.shape.reduce((a, b) => a * b, 1);
    const why = !t.job ? t.note ?? 'no bytes to read' : st === undefined ? `dtype ${t.dtype} has no safetensors equivalent` : name === '__metadata__' || names.has(name) ? 'name collides with another entry' : !Number.isSafeInteger(count) ? 'bad shape' : null;
    if (why !== null) {
      report.skipped.push({ name: t.name, reason: why });
      continue;
    }
    names.add(name);
    items.push({ name, dtype: t.dtype, st: st!, shape: t.shape, job: t.job!, length: count * ELEMENT_BYTES[st!]! });
  }
  const header: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const metadata: Record<string, string> = { format: 'pt', converted_by: `${TOOL_NAME} ${TOOL_VERSION}` };
  if (opts.sourceSha256) metadata['source_sha256'] = opts.sourceSha256;
  header['__metadata__'] = metadata;
  let offset = 0;
  for (const it of items) {
    header[it.name] = { dtype: it.st, shape: it.shape, data_offsets: [offset, offset + it.length] };
    offset += it.length;
  }
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const pad = (8 - (json.length % 8)) % 8;
  if (pad) json = Buffer.concat([json, Buffer.alloc(pad, 0x20)]);
  const lenBytes = new Uint8Array(8);
  new DataView(lenBytes.buffer).setBigUint64(0, BigInt(json.length), true);
  await sink.write(lenBytes);
  await sink.write(json);
  report.bytes = 8 + json.length;
  for (const it of items) {
    const hash = createHash('sha256');
    let n = 0;
    const esize = ELEMENT_BYTES[it.st]!;
    for await (const chunk of jobBytes(it.job)) {
      const le = it.job.littleEndian || esize === 1 ? chunk : swapped(chunk, esize);
      const take = le.subarray(0, Math.min(le.length, it.length - n));
      hash.update(take);
      await sink.write(take);
      n += take.length;
    }
    if (n < it.length) throw new Error(`${it.name}: only ${n} of ${it.length} bytes could be read`);
    report.bytes += n;
    report.written.push({ name: it.name, dtype: it.dtype, shape: it.shape, sha256: hash.digest('hex') });
  }
  return report;
}

/** Reads a converted file back: the header must parse cleanly and every tensor hash to what was written. */
export async function verifyConversion(out: ByteSource, report: ConvertReport): Promise<string[]> {
  const problems: string[] = [];
  const r = await readSafetensors(out);
  for (const f of r.findings) if (isAtLeast(f.severity, 'medium')) problems.push(`${f.id}: ${f.message}`);
  const byName = new Map(r.tensors.map((t) => [t.name, t]));
  for (const w of report.written) {
    const t = byName.get(w.name);
    if (!t) { problems.push(`${w.name} missing from the output`); continue; }
    if (t.dtype !== w.dtype || t.shape.join(',') !== w.shape.join(',')) problems.push(`${w.name}: ${t.dtype} [${t.shape.join(', ')}] read back, ${w.dtype} [${w.shape.join(', ')}] written`);
    const hash = createHash('sha256');
    for (let pos = t.byteOffset; pos < t.byteOffset + t.byteLength;) {
      const b = await out.read(pos, Math.min(4 << 20, t.byteOffset + t.byteLength - pos));
      if (b.length === 0) break;
      hash.update(b);
      pos += b.length;
    }
    if (hash.digest('hex') !== w.sha256) problems.push(`${w.name}: bytes read back differ from the bytes written`);
  }
  if (r.tensors.length !== report.written.length) problems.push(`${r.tensors.length} tensors read back, ${report.written.length} written`);
  report.verifyProblems = problems;
  return problems;
}
