/**
 * Writes a safetensors file as huggingface/safetensors (Rust `serialize`) does: u64 little-endian
 * header length, a compact JSON header with `__metadata__` first and tensors sorted by dtype
 * (descending) then name, each `{"dtype","shape","data_offsets"}`, the header padded with spaces
 * to a multiple of 8 bytes, then the tensor bytes back to back.
 */
import type { TorchTensor } from './torch-zip-writer.js';

const SAFETENSORS_DTYPE: Record<string, string> = { float32: 'F32', float16: 'F16', bfloat16: 'BF16', float64: 'F64', int64: 'I64', int32: 'I32', uint8: 'U8', int8: 'I8', bool: 'BOOL' };
/** Rust `Dtype` declaration order (the sort key). */
const DTYPE_RANK = ['BOOL', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'F64', 'I64', 'U64'];

export function writeSafetensors(tensors: readonly TorchTensor[], metadata: Record<string, string> = { format: 'pt' }): Uint8Array {
  const sorted = [...tensors].sort((a, b) => {
    const da = DTYPE_RANK.indexOf(SAFETENSORS_DTYPE[a.dtype]!);
    const db = DTYPE_RANK.indexOf(SAFETENSORS_DTYPE[b.dtype]!);
    return db - da || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  });
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const t of sorted) {
    header[t.name] = { dtype: SAFETENSORS_DTYPE[t.dtype], shape: t.shape, data_offsets: [offset, offset + t.data.length] };
    offset += t.data.length;
  }
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const pad = (8 - (json.length % 8)) % 8;
  if (pad) json = Buffer.concat([json, Buffer.alloc(pad, 0x20)]);
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let p = 8 + json.length;
  for (const t of sorted) {
    out.set(t.data, p);
    p += t.data.length;
  }
  return out;
}
