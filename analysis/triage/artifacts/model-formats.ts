/**
 * Adapters from the non-pickle format parsers (formats/*.ts) to triage plans: their findings as
 * they are, their tensors as byte spans of the artifact. NumPy object arrays are pickles: the
 * pickle is analysed here, and the parser's hand-off finding ("run the pickle analysis") is kept
 * at `low` when that analysis finds nothing at `medium` or above, so a benign object array does
 * not read as suspicious while a malicious one is caught by its pickle findings.
 */
import type { ByteSource } from '../../core/byte-source.js';
import type { ZipArchive } from '../../ingest/archive/zip-reader.js';
import type { Finding } from '../finding.js';
import { triageFinding } from '../finding-ids.js';
import { FORMAT_FINDINGS, formatFinding } from '../formats/finding-ids.js';
import { readGguf } from '../formats/gguf.js';
import { dequantizeBlocks, ggmlBlockDecoder, type GgmlBlockDecoder } from '../formats/gguf-dequant.js';
import { GGML_TYPES } from '../formats/gguf-types.js';
import { readKerasArchive, type KerasEntry } from '../formats/keras.js';
import { scanKerasH5 } from '../formats/keras-h5.js';
import { readNpy, type NpyResult } from '../formats/numpy.js';
import { readOnnx } from '../formats/onnx.js';
import { readSafetensors } from '../formats/safetensors.js';
import { readTritonConfig } from '../formats/triton-config.js';
import { isAtLeast } from '../severity.js';
import type { TensorInfo } from '../tensor-info.js';
import type { BlockDecoding } from '../tensors/tensor-scan.js';
import type { ArtifactFormat } from '../triage-result.js';
import { addToPlan, emptyPlan, type ArtifactPlan, type PlannedTensor, type ReadContext } from './artifact-plan.js';
import { ExternalData } from './onnx-external.js';
import { analyzePickleBytes, MAX_PICKLE_BYTES } from './pickle-findings.js';
import { entrySource, zipWarningFindings } from './zip-entries.js';

function spanTensor(src: ByteSource, t: TensorInfo, littleEndian: boolean, name = t.name): PlannedTensor {
  return { name, dtype: t.dtype, shape: t.shape, job: { dtype: t.dtype, littleEndian, span: { source: src, offset: t.byteOffset, length: t.byteLength } } };
}

export async function readSafetensorsPlan(ctx: ReadContext): Promise<ArtifactPlan> {
  const r = await readSafetensors(ctx.src);
  const plan = emptyPlan('safetensors');
  addToPlan(plan, r.findings);
  plan.tensors = r.tensors.map((t) => spanTensor(ctx.src, t, true));
  // Only a read failure makes it unreadable; a lying header is a finding about a file we did read.
  const failure = r.findings.find((f) => f.id === FORMAT_FINDINGS.FORMAT_UNREADABLE.id);
  if (failure && r.tensors.length === 0) plan.unreadable = failure.message;
  return plan;
}

/**
 * ONNX tensors as spans of the model file; external-data initializers as spans of their side file
 * when the artifact was read from disk (onnx-external.ts), else listed with a note.
 */
export async function readOnnxPlan(ctx: ReadContext): Promise<ArtifactPlan> {
  const r = await readOnnx(ctx.src);
  const plan = emptyPlan('onnx');
  addToPlan(plan, r.findings);
  const external = ctx.openSibling ? new ExternalData(ctx.openSibling) : null;
  for (const t of r.tensors) {
    const inFile = t.storage === 'raw' || t.storage === 'float_data' || t.storage === 'double_data';
    const name = t.name === '' ? t.path : t.name;
    const p: PlannedTensor = inFile ? spanTensor(ctx.src, t, true, name) : { name, dtype: t.dtype, shape: t.shape, job: null };
    if (t.role === 'constant' || t.role === 'attribute') p.constant = true;
    if (t.storage === 'external' && external && t.external) {
      const x = await external.read(t, t.external);
      p.job = x.job;
      if (x.note !== undefined) p.note = x.note;
    } else if (!inFile) p.note = t.storage === 'external' ? `external data in ${t.externalLocation ?? '?'} (not read)` : `${t.storage} payload (not decoded)`;
    plan.tensors.push(p);
  }
  if (external) {
    addToPlan(plan, external.findings);
    plan.sideBytes = external.sideBytes;
  }
  return plan;
}

/** ggml blocks decoded to float32 for the statistics engine (the tensor hash stays over the blocks). */
function ggmlDecoding(dec: GgmlBlockDecoder): BlockDecoding {
  return {
    dtype: 'float32', blockBytes: dec.blockBytes, decodedBytes: dec.blockValues * 4,
    decode(stored, out) {
      dequantizeBlocks(dec, stored, new Float32Array(out.buffer, out.byteOffset, out.length >> 2));
    },
  };
}

/**
 * GGUF tensors as spans of the file; quantised ones (a ggml block size above 1) are dequantised as
 * ggml-quants.c does when this reader knows the type, and otherwise hashed only, with one info
 * finding per type.
 */
export async function readGgufPlan(ctx: ReadContext): Promise<ArtifactPlan> {
  const r = await readGguf(ctx.src);
  const plan = emptyPlan('gguf');
  addToPlan(plan, r.findings);
  const undecoded = new Map<string, { count: number; first: string }>();
  for (const t of r.tensors) {
    const p = spanTensor(ctx.src, t, r.littleEndian);
    plan.tensors.push(p);
    if ((GGML_TYPES[t.ggmlType]?.blockSize ?? 1) === 1 || !p.job) continue;
    const dec = r.littleEndian ? ggmlBlockDecoder(t.dtype) : null;
    if (dec) {
      p.job.decode = ggmlDecoding(dec);
      continue;
    }
    p.note = `values not decoded for type ${t.dtype}${r.littleEndian ? '' : ' in a big-endian file'}; hashed only`;
    const u = undecoded.get(t.dtype);
    if (u) u.count++;
    else undecoded.set(t.dtype, { count: 1, first: t.name });
  }
  for (const [dtype, u] of undecoded) {
    const why = r.littleEndian ? 'no dequantisation for this type here' : 'quantised blocks of a big-endian file are not decoded';
    plan.findings.push(formatFinding('GGUF_VALUES_NOT_DECODED', `values not decoded for type ${dtype} (${u.count} tensor${u.count === 1 ? '' : 's'}: ${why}); hashed only`, u.first));
  }
  return plan;
}

export async function readTritonPlan(ctx: ReadContext): Promise<ArtifactPlan> {
  const plan = emptyPlan('triton-config');
  addToPlan(plan, (await readTritonConfig(ctx.src)).findings);
  return plan;
}

export async function readKerasH5Plan(ctx: ReadContext): Promise<ArtifactPlan> {
  const plan = emptyPlan('keras-h5');
  addToPlan(plan, (await scanKerasH5(ctx.src)).findings);
  return plan;
}

export async function readKerasZipPlan(zip: ZipArchive, ctx: ReadContext): Promise<ArtifactPlan> {
  const plan = emptyPlan('keras');
  addToPlan(plan, zipWarningFindings(zip));
  const entries: KerasEntry[] = [];
  for (const e of zip.entries) {
    if (e.isDirectory) continue;
    const src = await entrySource(zip, e);
    if (typeof src === 'string') plan.findings.push(triageFinding('CONTAINER_ENTRY_UNREADABLE', `${e.name}: ${src}`, e.name));
    else entries.push({ name: e.name, source: src });
  }
  addToPlan(plan, (await readKerasArchive(entries)).findings);
  return plan;
}

/** One .npy: its tensor, or its object-array pickle analysed. */
async function npyInto(plan: ArtifactPlan, src: ByteSource, member: string | null, ctx: ReadContext): Promise<NpyResult> {
  const r = await readNpy(src);
  const prefix = (f: Finding): Finding => (member === null ? f : { ...f, location: f.location === undefined ? member : `${member}:${f.location}` });
  let pickleClean = true;
  if (r.pickleOffset !== null) {
    const len = Math.max(0, Math.min(src.size - r.pickleOffset, MAX_PICKLE_BYTES));
    const bytes = await src.read(r.pickleOffset, len);
    const out = analyzePickleBytes(bytes, `${member ?? 'npy'}@pickle`, { context: 'generic', strict: ctx.strict }, src.size - r.pickleOffset);
    addToPlan(plan, out.findings, out.imports);
    pickleClean = !out.findings.some((f) => isAtLeast(f.severity, 'medium'));
  }
  for (const f of r.findings) {
    const g = prefix(f);
    plan.findings.push(g.id === FORMAT_FINDINGS.NUMPY_OBJECT_ARRAY.id && pickleClean ? { ...g, severity: 'low', message: `${g.message} (its pickle was analysed: nothing at medium or above)` } : g);
  }
  if (r.tensor) {
    const name = member === null ? 'array' : member.replace(/\.npy$/, '');
    plan.tensors.push(spanTensor(src, r.tensor, r.tensor.byteOrder !== 'big', name));
  }
  return r;
}

export async function readNpyPlan(ctx: ReadContext): Promise<ArtifactPlan> {
  const plan = emptyPlan('numpy');
  const r = await npyInto(plan, ctx.src, null, ctx);
  if (r.version === null) plan.unreadable = 'not a NumPy array file';
  return plan;
}

export async function readNpzPlan(zip: ZipArchive, ctx: ReadContext): Promise<ArtifactPlan> {
  const plan = emptyPlan('npz');
  addToPlan(plan, zipWarningFindings(zip));
  for (const e of zip.entries) {
    if (e.isDirectory) continue;
    if (e.encrypted) {
      plan.findings.push(triageFinding('CONTAINER_ENCRYPTED', `${e.name} is encrypted; not analysed (no loader reads it without the password)`, e.name));
      continue;
    }
    const src = await entrySource(zip, e);
    if (typeof src === 'string') {
      plan.findings.push(triageFinding('CONTAINER_ENTRY_UNREADABLE', `${e.name}: ${src}`, e.name));
      continue;
    }
    await npyInto(plan, src, e.name, ctx);
  }
  return plan;
}

export type SimpleFormatReader = (ctx: ReadContext) => Promise<ArtifactPlan>;

export const SIMPLE_READERS: Partial<Record<ArtifactFormat, SimpleFormatReader>> = {
  safetensors: readSafetensorsPlan,
  onnx: readOnnxPlan,
  gguf: readGgufPlan,
  numpy: readNpyPlan,
  'triton-config': readTritonPlan,
  'keras-h5': readKerasH5Plan,
};
